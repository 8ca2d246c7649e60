//! The vote log's wire format, shared by the server (which encodes) and the app (which
//! decodes), so the two cannot drift. No I/O. `docs/vote-log.md` describes the format.
//!
//! A conversation's log is every accepted vote in arrival order, a changed vote being a new
//! entry (the latest wins). Entry `seq` (0-based, dense, assigned by the store) lives in
//! segment `seq / SEGMENT_SIZE`. A chunk is a run of consecutive entries: a whole segment,
//! or the entries of the tail segment after some `seq`.

use crate::model::{ParticipantId, StatementId, Vote, VoteRecord};

/// Entries in one segment (2^16): a full segment of a realistic conversation is about
/// 80-130 KB before gzip, so one request per segment, and a 1M-vote log in 16 segments.
pub const SEGMENT_SIZE: u64 = 1 << 16;

/// The first byte of every chunk; a new layout gets a new version.
pub const FORMAT_VERSION: u8 = 1;

/// The segment holding entry `seq`.
pub fn segment_of(seq: u64) -> u64 {
    seq / SEGMENT_SIZE
}

/// The first entry of `segment`.
pub fn segment_start(segment: u64) -> u64 {
    segment.saturating_mul(SEGMENT_SIZE)
}

/// A decoded chunk: `entries[i]` is entry `first_seq + i`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LogChunk {
    pub first_seq: u64,
    pub entries: Vec<VoteRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogDecodeError {
    #[error("the vote log chunk is empty")]
    Empty,
    #[error("unknown vote log format version {0}")]
    Version(u8),
    #[error("the vote log chunk ends in the middle of an entry")]
    Truncated,
    #[error("bad vote code {code} in entry {index}")]
    BadVote { index: u64, code: u8 },
    #[error("entry {index} names an id out of range")]
    OutOfRange { index: u64 },
    #[error("{0} bytes after the last entry")]
    Trailing(usize),
    #[error("a varint is longer than 10 bytes")]
    LongVarint,
}

fn vote_code(v: Vote) -> u8 {
    match v {
        Vote::Pass => 0,
        Vote::Agree => 1,
        Vote::Disagree => 2,
    }
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// Encodes entries `first_seq ..` as one chunk.
pub fn encode(first_seq: u64, entries: &[VoteRecord]) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + entries.len() * 3);
    out.push(FORMAT_VERSION);
    put_varint(&mut out, first_seq);
    put_varint(&mut out, entries.len() as u64);
    let mut prev: ParticipantId = 0;
    for e in entries {
        let same = e.participant == prev;
        let mut b = vote_code(e.vote) | (u8::from(same) << 2) | (((e.statement & 0xF) as u8) << 3);
        let high = e.statement >> 4;
        if high > 0 {
            b |= 0x80;
        }
        out.push(b);
        if high > 0 {
            put_varint(&mut out, u64::from(high));
        }
        if !same {
            put_varint(&mut out, zigzag(i64::from(e.participant) - i64::from(prev)));
        }
        prev = e.participant;
    }
    out
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Result<u8, LogDecodeError> {
        let b = *self.bytes.get(self.at).ok_or(LogDecodeError::Truncated)?;
        self.at += 1;
        Ok(b)
    }

    fn varint(&mut self) -> Result<u64, LogDecodeError> {
        let mut v = 0u64;
        for i in 0..10 {
            let b = self.byte()?;
            v |= u64::from(b & 0x7F) << (7 * i);
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(LogDecodeError::LongVarint)
    }
}

/// Decodes one chunk written by [`encode`]; anything malformed is an error, never a
/// partial result.
pub fn decode(bytes: &[u8]) -> Result<LogChunk, LogDecodeError> {
    let mut r = Reader { bytes, at: 0 };
    let version = r.byte().map_err(|_| LogDecodeError::Empty)?;
    if version != FORMAT_VERSION {
        return Err(LogDecodeError::Version(version));
    }
    let first_seq = r.varint()?;
    let count = r.varint()?;
    // Every entry takes at least one byte: a count beyond the bytes left is a lie, and
    // must not make us reserve memory for it.
    if count > (bytes.len() - r.at) as u64 {
        return Err(LogDecodeError::Truncated);
    }
    let mut entries = Vec::with_capacity(count as usize);
    let mut prev: ParticipantId = 0;
    for i in 0..count {
        let index = first_seq.saturating_add(i);
        let b = r.byte()?;
        let vote = match b & 3 {
            0 => Vote::Pass,
            1 => Vote::Agree,
            2 => Vote::Disagree,
            code => return Err(LogDecodeError::BadVote { index, code }),
        };
        let mut statement = u64::from((b >> 3) & 0xF);
        if b & 0x80 != 0 {
            let high = r.varint()?;
            statement |=
                high.checked_shl(4).filter(|s| s >> 4 == high).ok_or(LogDecodeError::OutOfRange { index })?;
        }
        let statement = StatementId::try_from(statement).map_err(|_| LogDecodeError::OutOfRange { index })?;
        let participant = if b & 4 != 0 {
            prev
        } else {
            let p = i64::from(prev) + unzigzag(r.varint()?);
            ParticipantId::try_from(p).map_err(|_| LogDecodeError::OutOfRange { index })?
        };
        prev = participant;
        entries.push(VoteRecord { participant, statement, vote });
    }
    if r.at != bytes.len() {
        return Err(LogDecodeError::Trailing(bytes.len() - r.at));
    }
    Ok(LogChunk { first_seq, entries })
}

// ---------------------------------------------------------------------------------------
// Times: the companion of a segment (`GET …/log/{segment}/times`), fetched only by a reader
// that needs when each vote was cast (the report's votes.csv), so the log itself stays
// small. Each time is epoch milliseconds, as the store's `vote_history.at`.

/// The first byte of every times chunk.
pub const TIMES_FORMAT_VERSION: u8 = 1;

/// A decoded times chunk: `times[i]` is when entry `first_seq + i` was cast (epoch ms).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TimesChunk {
    pub first_seq: u64,
    pub times: Vec<i64>,
}

/// Encodes the times of entries `first_seq ..`: `version first_seq count zigzag(delta) ×
/// count`, each delta from the previous time (0 before the first), so votes a few seconds
/// apart take two or three bytes each. Times need not increase (imported histories).
pub fn encode_times(first_seq: u64, times: &[i64]) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + times.len() * 3);
    out.push(TIMES_FORMAT_VERSION);
    put_varint(&mut out, first_seq);
    put_varint(&mut out, times.len() as u64);
    let mut prev = 0i64;
    for &t in times {
        // Wrapping: any two i64 have a delta that zigzags back to the same time.
        put_varint(&mut out, zigzag(t.wrapping_sub(prev)));
        prev = t;
    }
    out
}

/// Decodes one chunk written by [`encode_times`]; anything malformed is an error, never a
/// partial result.
pub fn decode_times(bytes: &[u8]) -> Result<TimesChunk, LogDecodeError> {
    let mut r = Reader { bytes, at: 0 };
    let version = r.byte().map_err(|_| LogDecodeError::Empty)?;
    if version != TIMES_FORMAT_VERSION {
        return Err(LogDecodeError::Version(version));
    }
    let first_seq = r.varint()?;
    let count = r.varint()?;
    // Every time takes at least one byte.
    if count > (bytes.len() - r.at) as u64 {
        return Err(LogDecodeError::Truncated);
    }
    let mut times = Vec::with_capacity(count as usize);
    let mut prev = 0i64;
    for _ in 0..count {
        prev = prev.wrapping_add(unzigzag(r.varint()?));
        times.push(prev);
    }
    if r.at != bytes.len() {
        return Err(LogDecodeError::Trailing(bytes.len() - r.at));
    }
    Ok(TimesChunk { first_seq, times })
}

/// What a reader must ask for next: a whole `segment`, or the entries of it after `since`;
/// with `until`, only those before entry `until` (a closed range, which never changes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogRequest {
    pub segment: u64,
    pub since: Option<u64>,
    pub until: Option<u64>,
}

impl LogRequest {
    /// The request that continues a copy of `have` entries: the next segment whole when
    /// the copy ends on a segment boundary, else the rest of the segment it ends in.
    pub fn after(have: u64) -> LogRequest {
        let since = (!have.is_multiple_of(SEGMENT_SIZE)).then(|| have - 1);
        LogRequest { segment: segment_of(have), since, until: None }
    }

    /// The request that brings a copy of `have` entries towards `target` entries (a `votes`
    /// live event's `entries`: the log's length when it was sent), `None` when the copy holds
    /// them. It asks for the closed range up to `target` within the copy's segment, so that
    /// every reader holding the same entries asks for the same URL, which the server encodes
    /// once and any cache may keep; a range reaching the end of the segment from its start is
    /// asked as the whole segment (the URL of the immutable full segment).
    pub fn towards(have: u64, target: u64) -> Option<LogRequest> {
        if target <= have {
            return None;
        }
        let mut req = LogRequest::after(have);
        let segment_end = segment_start(req.segment.saturating_add(1));
        let until = target.min(segment_end);
        req.until = (req.since.is_some() || until < segment_end).then_some(until);
        Some(req)
    }

    /// The query string of this request (`""`, `?since=…`, `?until=…` or both).
    pub fn query(&self) -> String {
        match (self.since, self.until) {
            (None, None) => String::new(),
            (Some(s), None) => format!("?since={s}"),
            (None, Some(u)) => format!("?until={u}"),
            (Some(s), Some(u)) => format!("?since={s}&until={u}"),
        }
    }
}

/// A reader's copy of a conversation's log (the app keeps one per page).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogReplica {
    pub entries: Vec<VoteRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a vote log chunk starting at {got} does not continue a log of {have} entries")]
pub struct LogGap {
    pub have: u64,
    pub got: u64,
}

impl LogReplica {
    /// Entries held, which is also the `seq` of the next one.
    pub fn len(&self) -> u64 {
        self.entries.len() as u64
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The request that continues this copy: the next segment whole when the copy ends on a
    /// segment boundary, else the rest of the segment it ends in.
    pub fn next_request(&self) -> LogRequest {
        LogRequest::after(self.len())
    }

    /// The request that brings this copy towards `target` entries (a `votes` event's
    /// `entries`), `None` when it holds them: see [`LogRequest::towards`].
    pub fn request_towards(&self, target: u64) -> Option<LogRequest> {
        LogRequest::towards(self.len(), target)
    }

    /// Appends a chunk; entries the copy already holds are skipped; a chunk that starts
    /// after the copy's end (a gap) is refused and changes nothing.
    pub fn append(&mut self, chunk: LogChunk) -> Result<usize, LogGap> {
        let have = self.len();
        if chunk.first_seq > have {
            return Err(LogGap { have, got: chunk.first_seq });
        }
        let skip = (have - chunk.first_seq) as usize;
        let new = chunk.entries.len().saturating_sub(skip);
        self.entries.extend(chunk.entries.into_iter().skip(skip));
        Ok(new)
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn vote() -> impl Strategy<Value = Vote> {
        prop_oneof![Just(Vote::Agree), Just(Vote::Disagree), Just(Vote::Pass)]
    }

    fn entry() -> impl Strategy<Value = VoteRecord> {
        // Small ids most of the time (runs of one participant), any u32 some of the time.
        let id = prop_oneof![4 => 0u32..40, 1 => any::<u32>()];
        (id.clone(), id, vote()).prop_map(|(participant, statement, vote)| VoteRecord {
            participant,
            statement,
            vote,
        })
    }

    proptest! {
        #[test]
        fn a_chunk_decodes_to_what_was_encoded(first in any::<u64>(), entries in prop::collection::vec(entry(), 0..300)) {
            let bytes = encode(first, &entries);
            prop_assert_eq!(decode(&bytes), Ok(LogChunk { first_seq: first, entries }));
        }

        #[test]
        fn a_cut_chunk_is_an_error_never_a_shorter_log(entries in prop::collection::vec(entry(), 1..100), cut in 1usize..10) {
            let bytes = encode(7, &entries);
            let cut = cut.min(bytes.len() - 1);
            prop_assert!(decode(&bytes[..bytes.len() - cut]).is_err());
        }

        #[test]
        fn any_bytes_decode_or_fail_without_panicking(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
            let _ = decode(&bytes);
        }

        #[test]
        fn times_decode_to_what_was_encoded(first in any::<u64>(), times in prop::collection::vec(prop_oneof![4 => 1_600_000_000_000i64..1_800_000_000_000, 1 => any::<i64>()], 0..300)) {
            let bytes = encode_times(first, &times);
            prop_assert_eq!(decode_times(&bytes), Ok(TimesChunk { first_seq: first, times }));
        }

        #[test]
        fn cut_times_are_an_error_and_any_bytes_decode_or_fail(times in prop::collection::vec(any::<i64>(), 1..50), cut in 1usize..10, bytes in prop::collection::vec(any::<u8>(), 0..200)) {
            let encoded = encode_times(3, &times);
            let cut = cut.min(encoded.len() - 1);
            prop_assert!(decode_times(&encoded[..encoded.len() - cut]).is_err());
            let _ = decode_times(&bytes);
        }

        #[test]
        fn a_replica_fed_in_any_chunking_equals_the_log(entries in prop::collection::vec(entry(), 0..200), cuts in prop::collection::vec(0usize..200, 0..6)) {
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(entries.len())).collect();
            cuts.push(entries.len());
            cuts.sort_unstable();
            let mut replica = LogReplica::default();
            let mut from: usize = 0;
            for to in cuts {
                // Overlapping chunks (from an earlier point) are harmless.
                let start = from.saturating_sub(3);
                let chunk = decode(&encode(start as u64, &entries[start..to])).expect("decodes");
                replica.append(chunk).expect("no gap");
                from = to;
            }
            prop_assert_eq!(replica.entries, entries);
        }
    }

    #[test]
    fn a_chunk_after_a_gap_is_refused() {
        let mut replica = LogReplica::default();
        let e = VoteRecord { participant: 1, statement: 2, vote: Vote::Agree };
        assert_eq!(
            replica.append(LogChunk { first_seq: 1, entries: vec![e] }),
            Err(LogGap { have: 0, got: 1 })
        );
        assert!(replica.is_empty());
    }

    #[test]
    fn the_next_request_is_a_whole_segment_on_a_boundary_else_the_rest_after_since() {
        let mut replica = LogReplica::default();
        assert_eq!(replica.next_request(), LogRequest { segment: 0, since: None, until: None });
        let e = VoteRecord { participant: 0, statement: 0, vote: Vote::Pass };
        replica.entries = vec![e; 5];
        assert_eq!(replica.next_request(), LogRequest { segment: 0, since: Some(4), until: None });
        replica.entries = vec![e; SEGMENT_SIZE as usize];
        assert_eq!(replica.next_request(), LogRequest { segment: 1, since: None, until: None });
    }

    #[test]
    fn a_request_towards_an_events_length_is_a_closed_range_within_one_segment() {
        const S: u64 = SEGMENT_SIZE;
        let req = |segment, since, until| Some(LogRequest { segment, since, until });
        assert_eq!(LogRequest::towards(5, 5), None, "held already");
        assert_eq!(LogRequest::towards(5, 3), None);
        assert_eq!(LogRequest::towards(5, 9), req(0, Some(4), Some(9)));
        assert_eq!(LogRequest::towards(0, 9), req(0, None, Some(9)));
        assert_eq!(LogRequest::towards(S, S + 9), req(1, None, Some(S + 9)));
        // Past the copy's segment: the rest of it (closed: the segment is full), then on.
        assert_eq!(LogRequest::towards(5, S + 9), req(0, Some(4), Some(S)));
        assert_eq!(LogRequest::towards(S - 1, 3 * S), req(0, Some(S - 2), Some(S)));
        // A whole segment is asked as the whole segment, the URL caches keep.
        assert_eq!(LogRequest::towards(0, S), req(0, None, None));
        assert_eq!(LogRequest::towards(S, 5 * S), req(1, None, None));
        assert_eq!(req(0, Some(4), Some(9)).map(|r| r.query()).as_deref(), Some("?since=4&until=9"));
        assert_eq!(req(1, None, Some(S + 9)).map(|r| r.query()), Some(format!("?until={}", S + 9)));
        assert_eq!(req(1, None, None).map(|r| r.query()).as_deref(), Some(""));
    }

    proptest! {
        #[test]
        fn following_requests_towards_a_target_reaches_it_exactly(have in 0u64..300_000, more in 1u64..300_000) {
            let target = have + more;
            let mut n = have;
            let mut steps = 0;
            while let Some(r) = LogRequest::towards(n, target) {
                let first = r.since.map_or(segment_start(r.segment), |s| s + 1);
                prop_assert_eq!(first, n, "a request must continue the copy");
                let end = r.until.unwrap_or(segment_start(r.segment + 1));
                prop_assert!(end > n && end <= target && end <= segment_start(r.segment + 1));
                n = end;
                steps += 1;
            }
            prop_assert_eq!(n, target);
            prop_assert!(steps <= 2 + more / SEGMENT_SIZE);
        }
    }

    #[test]
    fn votes_seconds_apart_take_two_or_three_bytes_and_bad_times_are_refused() {
        let times: Vec<i64> = (0..1000).map(|i| 1_700_000_000_000 + i * 4_321).collect();
        let bytes = encode_times(0, &times);
        assert!(bytes.len() <= 3 * times.len() + 16, "{} bytes", bytes.len());
        let mut other = encode_times(0, &times);
        other[0] = 9;
        assert_eq!(decode_times(&other), Err(LogDecodeError::Version(9)));
        let mut long = bytes.clone();
        long.push(0);
        assert_eq!(decode_times(&long), Err(LogDecodeError::Trailing(1)));
    }

    #[test]
    fn a_count_larger_than_the_bytes_is_refused_before_allocating() {
        let mut bytes = vec![FORMAT_VERSION, 0];
        put_varint(&mut bytes, u64::MAX / 2);
        assert_eq!(decode(&bytes), Err(LogDecodeError::Truncated));
    }
}
