//! A conversation's vote log in this process's memory: every accepted vote in arrival
//! order, entry `seq` being the vote the store numbered `log_seq = seq` (see
//! `SqlStore::write_votes`). Readers (the log endpoints, the background analysis) never
//! read votes through SQL.
//!
//! - Loaded once from the store when the conversation is first used.
//! - The writer appends each vote after its batch committed, with the number the store gave.
//! - With several processes (PostgreSQL), entries written by the others are read from the
//!   store in order (`log_seq >= len`) when the hub says votes arrived, or when a reader asks
//!   for more than this process holds. The store's numbering commits in order (a
//!   per-conversation counter whose row lock is held until commit), so what a read returns
//!   is a gapless continuation; an entry this process wrote past its end (while another
//!   process's earlier entries are still unread) waits in `pending` until the gap is filled.
//! - Full segments are encoded once (and gzipped once) and the bytes kept for every reader,
//!   and in the store (`vote_log_segments`, see [`VoteLog::persist`]): a process that loads
//!   the log reads those few blobs, checked against the vote history at a few places each,
//!   and only the entries after them row by row (a million rows took seconds).

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use axum::body::Bytes;
use mufakat_core::votelog::{encode, segment_start, SEGMENT_SIZE};
use mufakat_core::VoteRecord;

use crate::store::{Result, Store, StoreError};

/// A full segment, or a part of one, encoded once (and gzipped once) for every reader.
pub struct Sealed {
    pub bytes: Bytes,
    /// Empty for a small part (not worth compressing, [`GZIP_FROM`]).
    pub gzip: Bytes,
    /// Strong ETag (quoted): a hash of the bytes.
    pub etag: String,
}

/// Parts of fewer bytes are sent plain: gzip would save little, and each compressor
/// allocates (and zeroes) a few hundred KB of state. The router's `CompressionLayer` uses
/// the same bound (`crate::app`): it compresses answers from this size on, so a part of
/// exactly this size sent plain was gzipped again at every request, chunked, without a
/// Content-Length (the load generator's "sync errors" of main ae10092).
pub const GZIP_FROM: usize = 1024;

#[derive(Default)]
struct Inner {
    entries: Vec<VoteRecord>,
    /// Entries this process wrote beyond `entries`' end, waiting for the ones before them.
    pending: BTreeMap<u64, VoteRecord>,
    /// Encoded full segments, by segment number.
    sealed: Vec<Option<Arc<Sealed>>>,
    /// Full segments known to be kept in the store, from segment 0 on.
    stored: u64,
}

impl Inner {
    fn len(&self) -> u64 {
        self.entries.len() as u64
    }

    fn push(&mut self, seq: u64, e: VoteRecord) {
        let len = self.len();
        if seq == len {
            self.entries.push(e);
            while let Some(next) = self.pending.remove(&self.len()) {
                self.entries.push(next);
            }
        } else if seq > len {
            self.pending.insert(seq, e);
        }
        // seq < len: already held (read from the store before the writer got to it).
    }
}

/// What a request for one segment gets.
pub enum SegmentAnswer {
    /// The segment is full: the same bytes for everyone, for ever.
    Full(Arc<Sealed>),
    /// Entries `first .. end` of a segment: the tail so far, the entries after `since`, or
    /// a closed range (`until`). Encoded once for every reader asking for the same entries
    /// ([`VoteLog::part`]).
    Part { part: Arc<Sealed>, first: u64, end: u64 },
}

#[derive(Debug, PartialEq, Eq)]
pub enum SegmentRefusal {
    /// The segment starts after the segment the next entry goes to.
    NoSuchSegment,
    /// `since` names an entry after the log's end (`len` entries held).
    SinceBeyondTail { len: u64 },
    /// `since` is past this segment's last entry: ask for a later segment.
    SinceBeyondSegment,
    /// `until` leaves no entry after `since` (or after the segment's start).
    EmptyRange,
    /// `until` is past the end of the segment: ask for the segment, then the next.
    UntilBeyondSegment,
    /// `until` is past the log's end (`len` entries held).
    UntilBeyondTail { len: u64 },
}

#[derive(Default)]
pub struct VoteLog {
    inner: RwLock<Inner>,
    /// The analyses of prefixes of this log the background published (`crate::published`).
    pub published: crate::published::Board,
    /// When each entry was cast, read from the store only when asked (`crate::logtimes`).
    pub times: crate::logtimes::LogTimes,
    /// One store read at a time (reads from the end of the log, so two would read the same).
    catch_up: tokio::sync::Mutex<()>,
    /// One [`VoteLog::persist`] at a time.
    persisting: tokio::sync::Mutex<()>,
    /// The parts answered last, encoded (and gzipped), by `(first, end)`, newest last (see
    /// [`VoteLog::part`]).
    parts: std::sync::Mutex<std::collections::VecDeque<(u64, u64, Arc<Sealed>)>>,
}

/// Parts kept encoded for the next readers asking for the same entries: the readers that
/// sync on one `votes` event hold a handful of distinct lengths.
const PARTS_KEPT: usize = 64;

/// Places of each stored segment compared with the vote history when a log is loaded.
const CHECKS_PER_SEGMENT: u64 = 16;

impl VoteLog {
    fn read(&self) -> RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(|e| e.into_inner())
    }

    /// The whole log as the store holds it: the full segments the store keeps encoded
    /// (checked against the vote history), then the entries after them.
    pub async fn load(store: &Store, conversation: &str) -> Result<VoteLog> {
        let log = VoteLog::default();
        log.load_stored(store, conversation).await?;
        log.catch_up(store, conversation).await?;
        Ok(log)
    }

    /// Takes in the segments the store keeps for this (empty) log. They are a cache of the
    /// vote history: each must decode as a full segment in its place, the segments must
    /// follow each other from 0, and [`CHECKS_PER_SEGMENT`] entries of each must be the
    /// history's; otherwise they are all dropped (and written again later) and the log is
    /// read from the history alone. Returns the segments taken.
    async fn load_stored(&self, store: &Store, conversation: &str) -> Result<u64> {
        let kept = store.log_segments(conversation).await?;
        if kept.is_empty() {
            return Ok(0);
        }
        let unsealed = unseal_all(&kept);
        let checked = match &unsealed {
            Some((_, entries)) => {
                let segments = entries.len() as u64 / SEGMENT_SIZE;
                let places = check_places(segments);
                let stored = store.log_entries_at(conversation, &places).await?;
                stored.len() == places.len()
                    && stored.iter().all(|(seq, e)| entries.get(*seq as usize) == Some(e))
            }
            None => false,
        };
        let Some((sealed, entries)) = unsealed.filter(|_| checked) else {
            tracing::warn!(
                conversation,
                "the stored vote log segments do not match the vote history: dropped, read from the history"
            );
            store.delete_log_segments(conversation).await?;
            return Ok(0);
        };
        let mut inner = self.write();
        let n = sealed.len() as u64;
        inner.entries = entries;
        inner.sealed = sealed.into_iter().map(Some).collect();
        inner.stored = n;
        Ok(n)
    }

    /// Full segments not yet kept in the store.
    pub fn unstored(&self) -> u64 {
        let inner = self.read();
        (inner.len() / SEGMENT_SIZE).saturating_sub(inner.stored)
    }

    /// Keeps every full segment not yet kept in the store, so that the next process to load
    /// this log reads a few blobs instead of every entry. Off the vote path (the
    /// background); one at a time (a second call while one runs returns at once). Returns
    /// how many segments it wrote.
    pub async fn persist(&self, store: &Store, conversation: &str) -> anyhow::Result<u64> {
        let Ok(_one) = self.persisting.try_lock() else { return Ok(0) };
        let mut wrote = 0;
        loop {
            let next = {
                let inner = self.read();
                if inner.stored >= inner.len() / SEGMENT_SIZE {
                    return Ok(wrote);
                }
                inner.stored
            };
            let kept = self.read().sealed.get(next as usize).cloned().flatten();
            let sealed = match kept {
                Some(s) => s,
                None => {
                    let start = segment_start(next);
                    let entries = self.entries_range(start, start + SEGMENT_SIZE);
                    let sealed = tokio::task::spawn_blocking(move || seal(start, &entries)).await?;
                    self.keep_sealed(next, sealed)
                }
            };
            store.save_log_segment(conversation, next, &sealed.gzip).await?;
            self.write().stored = next + 1;
            wrote += 1;
        }
    }

    /// A copy of entries `from .. to` (those held).
    fn entries_range(&self, from: u64, to: u64) -> Vec<VoteRecord> {
        let inner = self.read();
        let to = (to as usize).min(inner.entries.len());
        inner.entries.get(from as usize..to).map(<[VoteRecord]>::to_vec).unwrap_or_default()
    }

    /// Keeps a full segment's encoding (the first one kept wins) and returns the one kept.
    fn keep_sealed(&self, segment: u64, sealed: Sealed) -> Arc<Sealed> {
        let mut inner = self.write();
        let slot = segment as usize;
        if inner.sealed.len() <= slot {
            inner.sealed.resize(slot + 1, None);
        }
        inner.sealed[slot].get_or_insert_with(|| Arc::new(sealed)).clone()
    }

    /// Entries held without a gap; also the `seq` of the next one.
    pub fn len(&self) -> u64 {
        self.read().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Entries written by this process but not yet joined to the log (some entry before
    /// them, written by another process, is not read yet).
    pub fn has_gap(&self) -> bool {
        !self.read().pending.is_empty()
    }

    /// Adds committed entries (the writer, in commit order).
    pub fn append(&self, entries: impl IntoIterator<Item = (u64, VoteRecord)>) {
        let mut inner = self.write();
        for (seq, e) in entries {
            inner.push(seq, e);
        }
    }

    /// Reads the entries after the end of this copy from the store (those of other
    /// processes); returns how many were added.
    pub async fn catch_up(&self, store: &Store, conversation: &str) -> Result<u64> {
        let _one = self.catch_up.lock().await;
        let before = self.len();
        let rows = store.vote_log(conversation, before).await?;
        let mut inner = self.write();
        for (expect, (seq, e)) in (before..).zip(rows) {
            // The store numbers without gaps and commits in order; anything else is a bug
            // that must not be served as a log.
            if seq != expect {
                return Err(StoreError::Corrupt(format!(
                    "vote log of {conversation}: entry {seq} where {expect} was expected"
                )));
            }
            inner.push(seq, e);
        }
        Ok(inner.len() - before)
    }

    /// Calls `f` with every entry held, in order (under a read lock: keep `f` short).
    pub fn with_entries<T>(&self, f: impl FnOnce(&[VoteRecord]) -> T) -> T {
        f(&self.read().entries)
    }

    /// A copy of the entries from `from` on.
    pub fn entries_from(&self, from: u64) -> Vec<VoteRecord> {
        let inner = self.read();
        inner.entries.get(from as usize..).map(<[VoteRecord]>::to_vec).unwrap_or_default()
    }

    /// Entries `first .. end` (held), encoded and gzipped once for every reader who asks
    /// for the same entries: the viewers who sync on one `votes` event ask for the range up
    /// to the event's `entries` from what they hold, so a thousand of them ask for a handful
    /// of distinct parts. Two readers that miss at once both encode, and the first kept wins,
    /// so every reader gets the same bytes.
    /// (Compressed off the log's lock: the entries are copied out first.)
    fn part(&self, inner: RwLockReadGuard<'_, Inner>, first: u64, end: u64) -> Arc<Sealed> {
        let lock = || self.parts.lock().unwrap_or_else(|e| e.into_inner());
        let find = |parts: &std::collections::VecDeque<(u64, u64, Arc<Sealed>)>| {
            parts.iter().rev().find(|(f, e, _)| (*f, *e) == (first, end)).map(|(_, _, p)| p.clone())
        };
        if let Some(p) = find(&lock()) {
            return p;
        }
        let entries = inner.entries[first as usize..end as usize].to_vec();
        drop(inner);
        let made = Arc::new(seal_part(first, end, &entries));
        let mut parts = lock();
        if let Some(p) = find(&parts) {
            return p;
        }
        parts.push_back((first, end, made.clone()));
        while parts.len() > PARTS_KEPT {
            parts.pop_front();
        }
        made
    }

    /// Segment `segment`, or its entries after `since`; with `until`, only those before
    /// entry `until` (a closed range: it must hold at least one entry, end within the
    /// segment and within the log).
    pub fn segment(
        &self,
        segment: u64,
        since: Option<u64>,
        until: Option<u64>,
    ) -> std::result::Result<SegmentAnswer, SegmentRefusal> {
        let start = segment_start(segment);
        let end = start.saturating_add(SEGMENT_SIZE);
        let inner = self.read();
        let len = inner.len();
        if since.is_some_and(|s| s >= len) {
            return Err(SegmentRefusal::SinceBeyondTail { len });
        }
        // The segment the next entry goes to exists (empty when the log ends on a segment
        // boundary); any later one does not.
        if start > len {
            return Err(SegmentRefusal::NoSuchSegment);
        }
        let from = match since {
            Some(s) if s + 1 > end => return Err(SegmentRefusal::SinceBeyondSegment),
            Some(s) => (s + 1).max(start),
            None => start,
        };
        match until {
            Some(u) if u <= from => return Err(SegmentRefusal::EmptyRange),
            Some(u) if u > end => return Err(SegmentRefusal::UntilBeyondSegment),
            Some(u) if u > len => return Err(SegmentRefusal::UntilBeyondTail { len }),
            _ => {}
        }
        let full = len >= end && until.is_none_or(|u| u == end);
        if full && from == start {
            if let Some(Some(sealed)) = inner.sealed.get(segment as usize) {
                return Ok(SegmentAnswer::Full(sealed.clone()));
            }
            let entries = inner.entries[start as usize..end as usize].to_vec();
            drop(inner);
            return Ok(SegmentAnswer::Full(self.keep_sealed(segment, seal(start, &entries))));
        }
        let to = until.unwrap_or(len.min(end));
        let part = self.part(inner, from, to);
        Ok(SegmentAnswer::Part { part, first: from, end: to })
    }
}

/// A part's encoding, and its gzip when it is worth one ([`GZIP_FROM`]).
fn seal_part(first: u64, end: u64, entries: &[VoteRecord]) -> Sealed {
    let bytes = encode(first, entries);
    let gzip =
        if bytes.len() >= GZIP_FROM { gzip_with(&bytes, flate2::Compression::fast()) } else { Vec::new() };
    let etag = etag_of(first, &bytes);
    // The range's end in the tag too, for a reader's eyes (the hash already differs).
    let etag = format!("{}-{end}\"", etag.trim_end_matches('"'));
    Sealed { bytes: bytes.into(), gzip: gzip.into(), etag }
}

pub(crate) fn gzip_with(bytes: &[u8], level: flate2::Compression) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::with_capacity(bytes.len() / 2), level);
    // Writing to a Vec cannot fail.
    gz.write_all(bytes).and_then(|_| gz.finish()).unwrap_or_default()
}

fn seal(start: u64, entries: &[VoteRecord]) -> Sealed {
    let bytes = encode(start, entries);
    let gzip = gzip_with(&bytes, flate2::Compression::best());
    let etag = etag_of(start, &bytes);
    Sealed { bytes: bytes.into(), gzip: gzip.into(), etag }
}

/// A full segment's strong ETag: a hash of its encoding.
fn etag_of(start: u64, bytes: &[u8]) -> String {
    hashed_etag("vl1", start, bytes)
}

/// A strong ETag (quoted) for an encoding that starts at entry `start`: `kind` names the
/// format (`vl1` the log, `vt1` its times), then a hash of the bytes.
pub(crate) fn hashed_etag(kind: &str, start: u64, bytes: &[u8]) -> String {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    format!("\"{kind}-{start}-{:016x}\"", h.finish())
}

/// The stored segments (`(segment, gzip)`, by number) as kept encodings and the entries
/// they hold; `None` unless they are segments 0, 1, … each decoding as a full segment in
/// its place.
fn unseal_all(kept: &[(u64, Vec<u8>)]) -> Option<(Vec<Arc<Sealed>>, Vec<VoteRecord>)> {
    let mut sealed = Vec::with_capacity(kept.len());
    let mut entries = Vec::with_capacity(kept.len() * SEGMENT_SIZE as usize);
    for (i, (segment, gzip)) in kept.iter().enumerate() {
        if *segment != i as u64 {
            return None;
        }
        let mut bytes = Vec::with_capacity(gzip.len() * 3);
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gzip[..]), &mut bytes).ok()?;
        let chunk = mufakat_core::votelog::decode(&bytes).ok()?;
        let start = segment_start(*segment);
        if chunk.first_seq != start || chunk.entries.len() as u64 != SEGMENT_SIZE {
            return None;
        }
        entries.extend(chunk.entries);
        let etag = etag_of(start, &bytes);
        sealed.push(Arc::new(Sealed { bytes: bytes.into(), gzip: gzip.clone().into(), etag }));
    }
    Some((sealed, entries))
}

/// The entries of the first `segments` segments compared with the vote history on load:
/// [`CHECKS_PER_SEGMENT`] of each, its first and last among them.
fn check_places(segments: u64) -> Vec<u64> {
    (0..segments)
        .flat_map(|s| {
            let start = segment_start(s);
            (0..CHECKS_PER_SEGMENT).map(move |k| start + k * (SEGMENT_SIZE - 1) / (CHECKS_PER_SEGMENT - 1))
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use mufakat_core::Vote;

    /// A SQLite store with the demo conversation and 70,000 more votes: one full segment
    /// and a tail (also for `crate::logtimes`'s and `crate::live`'s tests).
    pub(crate) async fn demo_with_a_full_segment(dir: &tempfile::TempDir) -> Store {
        let url = format!("sqlite://{}", dir.path().join("t.sqlite").display());
        let store = Store::open(&url).await.expect("store");
        crate::demo::load(&store).await.expect("demo");
        let votes = [Vote::Agree, Vote::Disagree, Vote::Pass];
        let more: Vec<_> =
            (0..70_000u32).map(|i| (i % 997, (i / 997) % 8, votes[(i % 3) as usize])).collect();
        store.cast_votes_bulk("demo", &more).await.expect("votes");
        store
    }

    fn full_segment(log: &VoteLog, segment: u64) -> Arc<Sealed> {
        match log.segment(segment, None, None) {
            Ok(SegmentAnswer::Full(s)) => s,
            _ => panic!("segment {segment} is not full"),
        }
    }

    /// A process that loads a log whose full segments the store keeps reads them, not the
    /// rows of the vote history (a row missing from inside segment 0 does not matter), and
    /// holds the same log: the same entries at the same places, the same segment bytes.
    #[tokio::test]
    async fn a_restarted_process_reads_the_kept_segments_and_rebuilds_the_same_log() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = demo_with_a_full_segment(&dir).await;
        let first = VoteLog::load(&store, "demo").await.expect("load from the history");
        assert!(first.len() > SEGMENT_SIZE);
        assert_eq!(first.unstored(), 1);
        assert_eq!(first.persist(&store, "demo").await.expect("persist"), 1);
        assert_eq!(first.unstored(), 0);
        assert_eq!(first.persist(&store, "demo").await.expect("persist"), 0, "kept once");

        // Entry 5 is not one of the places checked against the history.
        assert!(!check_places(1).contains(&5));
        crate::store::tamper::delete_history_entry(&store, 5).await;
        let from_history = VoteLog::default().catch_up(&store, "demo").await;
        assert!(from_history.is_err(), "the history now has a gap: reading it alone fails");

        let restarted = VoteLog::load(&store, "demo").await.expect("load from the kept segments");
        assert_eq!(restarted.len(), first.len());
        assert!(restarted.entries_from(0) == first.entries_from(0), "the entries differ");
        let (a, b) = (full_segment(&first, 0), full_segment(&restarted, 0));
        assert_eq!((&a.bytes, &a.gzip, &a.etag), (&b.bytes, &b.gzip, &b.etag));
        assert_eq!(restarted.unstored(), 0, "nothing to write again");
    }

    /// Kept segments are a cache of the vote history: one that does not match it (an
    /// entry changed at a checked place, or bytes that do not decode) is dropped and the
    /// log read from the history, then kept again.
    #[tokio::test]
    async fn kept_segments_that_do_not_match_the_history_are_dropped() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = demo_with_a_full_segment(&dir).await;
        let first = VoteLog::load(&store, "demo").await.expect("load");
        first.persist(&store, "demo").await.expect("persist");
        let place = check_places(1)[3];
        crate::store::tamper::flip_history_entry(&store, place).await;
        let history = store.vote_log("demo", 0).await.expect("history");

        let reloaded = VoteLog::load(&store, "demo").await.expect("load");
        assert!(reloaded.entries_from(0) == history.iter().map(|(_, e)| *e).collect::<Vec<_>>());
        assert!(store.log_segments("demo").await.expect("read").is_empty(), "the stale segment stays");
        assert_eq!(reloaded.unstored(), 1);
        reloaded.persist(&store, "demo").await.expect("persist");
        assert_ne!(full_segment(&reloaded, 0).etag, full_segment(&first, 0).etag);

        crate::store::tamper::break_log_segments(&store).await;
        let again = VoteLog::load(&store, "demo").await.expect("load");
        assert!(again.entries_from(0) == reloaded.entries_from(0));
        assert!(store.log_segments("demo").await.expect("read").is_empty(), "undecodable bytes stay");
    }

    fn e(p: u32, s: u32) -> VoteRecord {
        VoteRecord { participant: p, statement: s, vote: Vote::Agree }
    }

    #[test]
    fn an_entry_past_a_gap_waits_until_the_gap_is_filled() {
        let log = VoteLog::default();
        log.append([(0, e(0, 0)), (2, e(2, 2))]);
        assert_eq!(log.len(), 1);
        assert!(log.has_gap());
        // The missing entry (another process's) arrives, and an old one again: ignored.
        log.append([(1, e(1, 1)), (0, e(9, 9))]);
        assert_eq!(log.len(), 3);
        assert!(!log.has_gap());
        assert_eq!(log.entries_from(0), vec![e(0, 0), e(1, 1), e(2, 2)]);
    }

    fn part_of(log: &VoteLog, since: Option<u64>, until: Option<u64>) -> Arc<Sealed> {
        match log.segment(0, since, until) {
            Ok(SegmentAnswer::Part { part, .. }) => part,
            _ => panic!("not a part: since {since:?}, until {until:?}"),
        }
    }

    #[test]
    fn a_part_is_encoded_and_compressed_once_for_every_reader_that_asks_for_it() {
        let log = VoteLog::default();
        log.append((0..2_000).map(|i| (i, e((i * 7 % 500) as u32, (i % 300) as u32))));
        let a = part_of(&log, Some(9), Some(1_500));
        let b = part_of(&log, Some(9), Some(1_500));
        assert!(Arc::ptr_eq(&a, &b), "the second reader's part was encoded again");
        assert!(a.gzip.len() > 10, "a part of {} bytes is gzipped", a.bytes.len());
        // The tail after `since` is the same entries as the closed range to the log's end.
        log.append((2_000..2_010).map(|i| (i, e(1, 1))));
        let tail = part_of(&log, Some(9), None);
        assert!(Arc::ptr_eq(&tail, &part_of(&log, Some(9), Some(2_010))));
        // Other entries are their own part; only the newest few are kept.
        assert!(!Arc::ptr_eq(&a, &part_of(&log, Some(10), Some(1_500))));
        for since in 100..100 + PARTS_KEPT as u64 {
            part_of(&log, Some(since), Some(1_500));
        }
        let again = part_of(&log, Some(9), Some(1_500));
        assert!(!Arc::ptr_eq(&a, &again), "an old part was kept beyond the bound");
        assert_eq!((&a.bytes, &a.gzip, &a.etag), (&again.bytes, &again.gzip, &again.etag), "the same bytes");
        // A small part is sent plain.
        assert!(part_of(&log, Some(1_998), Some(2_000)).gzip.is_empty());
    }

    /// A part of exactly `GZIP_FROM` bytes is gzipped here: sent plain, the router's
    /// compression layer (which compresses from that size on) gzipped it at every request.
    #[test]
    fn a_part_the_compression_layer_would_compress_is_gzipped_once_here() {
        // 1 byte of version, 1 of first seq, 2 of count, then 1 byte an entry.
        let part = seal_part(0, 1_020, &[e(0, 0); 1_020]);
        assert_eq!(part.bytes.len(), GZIP_FROM);
        assert!(!part.gzip.is_empty(), "a part of {GZIP_FROM} bytes was left to the layer");
        assert!(seal_part(0, 1_019, &[e(0, 0); 1_019]).gzip.is_empty());
    }

    #[test]
    fn a_range_must_hold_an_entry_and_end_within_the_segment_and_the_log() {
        let log = VoteLog::default();
        log.append((0..5).map(|i| (i, e(i as u32, 0))));
        let range = |since, until| log.segment(0, since, Some(until)).map(|_| ()).err();
        assert_eq!(range(Some(2), 2), Some(SegmentRefusal::EmptyRange));
        assert_eq!(range(Some(2), 3), Some(SegmentRefusal::EmptyRange), "since is held: nothing before 3");
        assert_eq!(range(None, 0), Some(SegmentRefusal::EmptyRange));
        assert_eq!(range(Some(2), 6), Some(SegmentRefusal::UntilBeyondTail { len: 5 }));
        assert_eq!(range(Some(2), SEGMENT_SIZE + 1), Some(SegmentRefusal::UntilBeyondSegment));
        assert_eq!(range(Some(2), 4), None);
        assert!(matches!(log.segment(0, Some(2), Some(4)), Ok(SegmentAnswer::Part { first: 3, end: 4, .. })));
        assert!(matches!(log.segment(0, None, Some(5)), Ok(SegmentAnswer::Part { first: 0, end: 5, .. })));
        // The whole of a full segment as a range is the full segment.
        let log = VoteLog::default();
        log.append((0..SEGMENT_SIZE + 3).map(|i| (i, e(0, 0))));
        assert!(matches!(log.segment(0, None, Some(SEGMENT_SIZE)), Ok(SegmentAnswer::Full(_))));
        assert!(matches!(
            log.segment(1, Some(SEGMENT_SIZE), Some(SEGMENT_SIZE + 2)),
            Ok(SegmentAnswer::Part { first, end, .. }) if first == SEGMENT_SIZE + 1 && end == SEGMENT_SIZE + 2
        ));
    }

    #[test]
    fn a_segment_past_the_end_is_refused_and_since_is_checked() {
        let log = VoteLog::default();
        assert!(matches!(log.segment(0, None, None), Ok(SegmentAnswer::Part { first: 0, end: 0, .. })));
        assert!(matches!(log.segment(1, None, None), Err(SegmentRefusal::NoSuchSegment)));
        assert!(matches!(log.segment(0, Some(0), None), Err(SegmentRefusal::SinceBeyondTail { len: 0 })));
        log.append((0..5).map(|i| (i, e(i as u32, 0))));
        assert!(matches!(log.segment(0, Some(4), None), Ok(SegmentAnswer::Part { first: 5, end: 5, .. })));
        assert!(matches!(log.segment(0, Some(5), None), Err(SegmentRefusal::SinceBeyondTail { len: 5 })));
        assert!(matches!(log.segment(0, Some(1), None), Ok(SegmentAnswer::Part { first: 2, end: 5, .. })));
    }

    #[test]
    fn a_full_segment_is_encoded_once_and_the_tail_after_it_separately() {
        let log = VoteLog::default();
        log.append((0..SEGMENT_SIZE + 3).map(|i| (i, e((i % 500) as u32, (i % 300) as u32))));
        let Ok(SegmentAnswer::Full(a)) = log.segment(0, None, None) else { panic!("segment 0 is full") };
        let Ok(SegmentAnswer::Full(b)) = log.segment(0, None, None) else { panic!("segment 0 is full") };
        assert!(Arc::ptr_eq(&a, &b), "the second reader got a second encoding");
        let chunk = mufakat_core::votelog::decode(&a.bytes).expect("decodes");
        assert_eq!(chunk.entries.len() as u64, SEGMENT_SIZE);
        assert!(
            matches!(log.segment(1, None, None), Ok(SegmentAnswer::Part { first, end, .. }) if first == SEGMENT_SIZE && end == SEGMENT_SIZE + 3)
        );
        assert!(matches!(log.segment(0, Some(SEGMENT_SIZE), None), Err(SegmentRefusal::SinceBeyondSegment)));
        assert!(matches!(log.segment(2, None, None), Err(SegmentRefusal::NoSuchSegment)));
        // On a boundary, the next segment exists and is empty; the one after does not.
        let log = VoteLog::default();
        log.append((0..SEGMENT_SIZE).map(|i| (i, e(0, 0))));
        assert!(
            matches!(log.segment(1, None, None), Ok(SegmentAnswer::Part { part: _, first, end }) if first == SEGMENT_SIZE && end == SEGMENT_SIZE)
        );
        assert!(matches!(log.segment(2, None, None), Err(SegmentRefusal::NoSuchSegment)));
    }
}
