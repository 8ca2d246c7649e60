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
//! - Full segments are encoded once (and gzipped once) and the bytes kept for every reader.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use axum::body::Bytes;
use mufakat_core::votelog::{encode, segment_start, SEGMENT_SIZE};
use mufakat_core::VoteRecord;

use crate::store::{Result, Store, StoreError};

/// A full segment, encoded once.
pub struct Sealed {
    pub bytes: Bytes,
    pub gzip: Bytes,
    /// Strong ETag (quoted): a hash of the bytes.
    pub etag: String,
}

#[derive(Default)]
struct Inner {
    entries: Vec<VoteRecord>,
    /// Entries this process wrote beyond `entries`' end, waiting for the ones before them.
    pending: BTreeMap<u64, VoteRecord>,
    /// Encoded full segments, by segment number.
    sealed: Vec<Option<Arc<Sealed>>>,
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
    /// The tail segment (or a part of a full one after `since`): entries `first ..
    /// first + count` encoded for this request.
    Part { bytes: Vec<u8>, first: u64, end: u64 },
}

#[derive(Debug, PartialEq, Eq)]
pub enum SegmentRefusal {
    /// The segment starts after the segment the next entry goes to.
    NoSuchSegment,
    /// `since` names an entry after the log's end (`len` entries held).
    SinceBeyondTail { len: u64 },
    /// `since` is past this segment's last entry: ask for a later segment.
    SinceBeyondSegment,
}

#[derive(Default)]
pub struct VoteLog {
    inner: RwLock<Inner>,
    /// The analyses of prefixes of this log the background published (`crate::published`).
    pub published: crate::published::Board,
    /// One store read at a time (reads from the end of the log, so two would read the same).
    catch_up: tokio::sync::Mutex<()>,
}

impl VoteLog {
    fn read(&self) -> RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(|e| e.into_inner())
    }

    /// The whole log as the store holds it.
    pub async fn load(store: &Store, conversation: &str) -> Result<VoteLog> {
        let log = VoteLog::default();
        log.catch_up(store, conversation).await?;
        Ok(log)
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

    /// Segment `segment`, or its entries after `since`.
    pub fn segment(
        &self,
        segment: u64,
        since: Option<u64>,
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
        let full = len >= end;
        if full && from == start {
            if let Some(Some(sealed)) = inner.sealed.get(segment as usize) {
                return Ok(SegmentAnswer::Full(sealed.clone()));
            }
            let entries = inner.entries[start as usize..end as usize].to_vec();
            drop(inner);
            let sealed = Arc::new(seal(start, &entries));
            let mut inner = self.write();
            let slot = segment as usize;
            if inner.sealed.len() <= slot {
                inner.sealed.resize(slot + 1, None);
            }
            let kept = inner.sealed[slot].get_or_insert(sealed).clone();
            return Ok(SegmentAnswer::Full(kept));
        }
        let to = len.min(end);
        let bytes = encode(from, &inner.entries[from as usize..to as usize]);
        Ok(SegmentAnswer::Part { bytes, first: from, end: to })
    }
}

fn seal(start: u64, entries: &[VoteRecord]) -> Sealed {
    let bytes = encode(start, entries);
    let mut gz =
        flate2::write::GzEncoder::new(Vec::with_capacity(bytes.len() / 2), flate2::Compression::best());
    // Writing to a Vec cannot fail.
    let gzip = gz.write_all(&bytes).and_then(|_| gz.finish()).unwrap_or_default();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    let etag = format!("\"vl1-{start}-{:016x}\"", h.finish());
    Sealed { bytes: bytes.into(), gzip: gzip.into(), etag }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mufakat_core::Vote;

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

    #[test]
    fn a_segment_past_the_end_is_refused_and_since_is_checked() {
        let log = VoteLog::default();
        assert!(matches!(log.segment(0, None), Ok(SegmentAnswer::Part { first: 0, end: 0, .. })));
        assert!(matches!(log.segment(1, None), Err(SegmentRefusal::NoSuchSegment)));
        assert!(matches!(log.segment(0, Some(0)), Err(SegmentRefusal::SinceBeyondTail { len: 0 })));
        log.append((0..5).map(|i| (i, e(i as u32, 0))));
        assert!(matches!(log.segment(0, Some(4)), Ok(SegmentAnswer::Part { first: 5, end: 5, .. })));
        assert!(matches!(log.segment(0, Some(5)), Err(SegmentRefusal::SinceBeyondTail { len: 5 })));
        assert!(matches!(log.segment(0, Some(1)), Ok(SegmentAnswer::Part { first: 2, end: 5, .. })));
    }

    #[test]
    fn a_full_segment_is_encoded_once_and_the_tail_after_it_separately() {
        let log = VoteLog::default();
        log.append((0..SEGMENT_SIZE + 3).map(|i| (i, e((i % 500) as u32, (i % 300) as u32))));
        let Ok(SegmentAnswer::Full(a)) = log.segment(0, None) else { panic!("segment 0 is full") };
        let Ok(SegmentAnswer::Full(b)) = log.segment(0, None) else { panic!("segment 0 is full") };
        assert!(Arc::ptr_eq(&a, &b), "the second reader got a second encoding");
        let chunk = mufakat_core::votelog::decode(&a.bytes).expect("decodes");
        assert_eq!(chunk.entries.len() as u64, SEGMENT_SIZE);
        assert!(
            matches!(log.segment(1, None), Ok(SegmentAnswer::Part { first, end, .. }) if first == SEGMENT_SIZE && end == SEGMENT_SIZE + 3)
        );
        assert!(matches!(log.segment(0, Some(SEGMENT_SIZE)), Err(SegmentRefusal::SinceBeyondSegment)));
        assert!(matches!(log.segment(2, None), Err(SegmentRefusal::NoSuchSegment)));
        // On a boundary, the next segment exists and is empty; the one after does not.
        let log = VoteLog::default();
        log.append((0..SEGMENT_SIZE).map(|i| (i, e(0, 0))));
        assert!(
            matches!(log.segment(1, None), Ok(SegmentAnswer::Part { bytes: _, first, end }) if first == SEGMENT_SIZE && end == SEGMENT_SIZE)
        );
        assert!(matches!(log.segment(2, None), Err(SegmentRefusal::NoSuchSegment)));
    }
}
