//! When each entry of a conversation's vote log was cast (`GET …/log/{segment}/times`,
//! docs/vote-log.md "Times"), for the report page's downloads (votes.csv's `timestamp`).
//! The log itself carries no times, so that it stays small for every page that syncs it;
//! its times are read from the store's vote history (`vote_history.at` of each entry's
//! row) only when a reader asks for them, never on a vote or a sync.
//!
//! - A full segment's times are read once per process, encoded and gzipped once, and kept
//!   (the same bytes for ever, like the segment itself).
//! - The tail segment's times are kept as read; a later request reads only the entries
//!   after them, and on SQLite only when the log has grown past them. When the tail fills
//!   up, the segment is sealed from the kept times without reading it again.

use std::sync::Arc;

use axum::body::Bytes;
use mufakat_core::votelog::{encode_times, segment_start, SEGMENT_SIZE};

use crate::store::{Result, Store, StoreError};

/// A full segment's times, encoded once.
pub struct SealedTimes {
    pub bytes: Bytes,
    pub gzip: Bytes,
    /// Strong ETag (quoted): a hash of the bytes.
    pub etag: String,
}

/// What a request for one segment's times gets.
pub enum TimesAnswer {
    /// The segment is full: the same bytes for everyone, for ever.
    Full(Arc<SealedTimes>),
    /// The tail segment's times so far: entries `first .. end`, encoded for this request.
    Part { bytes: Vec<u8>, first: u64, end: u64 },
}

#[derive(Default)]
struct Inner {
    /// Full segments' times, by segment number.
    sealed: Vec<Option<Arc<SealedTimes>>>,
    /// The last segment asked for that was not full: its number and the times of its
    /// entries from its start, as read.
    tail: Option<(u64, Vec<i64>)>,
}

/// A conversation's log times in this process (held by its `VoteLog`).
#[derive(Default)]
pub struct LogTimes {
    /// One reader at a time (a request that waits then finds what the first one read). A
    /// rare route: a reader asks once per download, not per vote.
    inner: tokio::sync::Mutex<Inner>,
}

impl LogTimes {
    /// The times of `segment`, of a log that holds `len` entries (`segment` must start at
    /// or before `len`). `always_read`: read the store for entries after the kept ones even
    /// when the log holds no more (PostgreSQL: another process may have taken votes that
    /// this one's log has not read yet, and a reader may hold them).
    pub async fn segment(
        &self,
        store: &Store,
        conversation: &str,
        segment: u64,
        len: u64,
        always_read: bool,
    ) -> Result<TimesAnswer> {
        let start = segment_start(segment);
        let end = start.saturating_add(SEGMENT_SIZE);
        let mut inner = self.inner.lock().await;
        if let Some(Some(sealed)) = inner.sealed.get(segment as usize) {
            return Ok(TimesAnswer::Full(sealed.clone()));
        }
        // The kept times of this segment, if it is the one kept.
        let mut times = match inner.tail.take() {
            Some((s, t)) if s == segment => t,
            other => {
                inner.tail = other;
                Vec::new()
            }
        };
        let have = start + times.len() as u64;
        if have < end && (have < len || always_read) {
            times.extend(store.vote_times(conversation, have, end).await?);
        }
        let got = start + times.len() as u64;
        if got < len.min(end) {
            // The log holds entries the history does not: never serve times that do not
            // line up with the log.
            return Err(StoreError::Corrupt(format!(
                "vote history of {conversation}: times of entries {got} to {} are missing",
                len.min(end) - 1
            )));
        }
        if got == end {
            let sealed = tokio::task::spawn_blocking(move || seal(start, &times))
                .await
                .map_err(|e| StoreError::Corrupt(format!("sealing the times of segment {segment}: {e}")))?;
            let slot = segment as usize;
            if inner.sealed.len() <= slot {
                inner.sealed.resize(slot + 1, None);
            }
            let sealed = inner.sealed[slot].get_or_insert_with(|| Arc::new(sealed)).clone();
            return Ok(TimesAnswer::Full(sealed));
        }
        let bytes = encode_times(start, &times);
        inner.tail = Some((segment, times));
        Ok(TimesAnswer::Part { bytes, first: start, end: got })
    }
}

fn seal(start: u64, times: &[i64]) -> SealedTimes {
    let bytes = encode_times(start, times);
    let gzip = crate::votelog::gzip_with(&bytes, flate2::Compression::best());
    let etag = crate::votelog::hashed_etag("vt1", start, &bytes);
    SealedTimes { bytes: bytes.into(), gzip: gzip.into(), etag }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mufakat_core::votelog::decode_times;
    use mufakat_core::Vote;

    fn history_times(dump: &crate::store::ConversationDump) -> Vec<i64> {
        dump.votes.iter().map(|v| v.at).collect()
    }

    /// A full segment is sealed once and the same bytes for every reader; the tail is the
    /// history's times after it.
    #[tokio::test]
    async fn times_are_the_historys_in_log_order_and_a_full_segment_is_sealed_once() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = crate::votelog::tests::demo_with_a_full_segment(&dir).await;
        let history = history_times(&store.dump_conversation("demo").await.expect("dump"));
        let len = history.len() as u64;
        assert!(len > SEGMENT_SIZE);
        let times = LogTimes::default();

        let Ok(TimesAnswer::Full(a)) = times.segment(&store, "demo", 0, len, false).await else {
            panic!("segment 0 is full")
        };
        let Ok(TimesAnswer::Full(b)) = times.segment(&store, "demo", 0, len, false).await else {
            panic!("segment 0 is full")
        };
        assert!(Arc::ptr_eq(&a, &b), "the second reader got a second encoding");
        let chunk = decode_times(&a.bytes).expect("decodes");
        assert_eq!((chunk.first_seq, &chunk.times[..]), (0, &history[..SEGMENT_SIZE as usize]));

        let Ok(TimesAnswer::Part { bytes, first, end }) = times.segment(&store, "demo", 1, len, false).await
        else {
            panic!("segment 1 is the tail")
        };
        assert_eq!((first, end), (SEGMENT_SIZE, len));
        assert_eq!(decode_times(&bytes).expect("decodes").times, history[SEGMENT_SIZE as usize..]);
    }

    /// The tail's times are kept: a request while the log has not grown reads nothing (it
    /// does not see entries the store has beyond the log), one after it grew reads only
    /// the new entries, unless told to always read.
    #[tokio::test]
    async fn the_tail_is_kept_and_read_again_only_after_the_log_grew() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("t.sqlite").display());
        let store = Store::open(&url).await.expect("store");
        crate::demo::load(&store).await.expect("demo");
        let len = history_times(&store.dump_conversation("demo").await.expect("dump")).len() as u64;
        let times = LogTimes::default();
        let part = |a: Result<TimesAnswer>| match a {
            Ok(TimesAnswer::Part { bytes, first: 0, end }) => {
                (end, decode_times(&bytes).expect("decodes").times)
            }
            _ => panic!("not the tail from 0"),
        };
        assert_eq!(part(times.segment(&store, "demo", 0, len, false).await).0, len);
        store.cast_votes_bulk("demo", &[(1, 1, Vote::Agree), (2, 2, Vote::Pass)]).await.expect("votes");
        assert_eq!(part(times.segment(&store, "demo", 0, len, false).await).0, len, "read again");
        let (end, got) = part(times.segment(&store, "demo", 0, len + 2, false).await);
        assert_eq!(end, len + 2);
        assert_eq!(got, history_times(&store.dump_conversation("demo").await.expect("dump")));
        store.cast_votes_bulk("demo", &[(3, 3, Vote::Agree)]).await.expect("votes");
        assert_eq!(part(times.segment(&store, "demo", 0, len + 2, true).await).0, len + 3);
    }

    /// A log entry whose row is missing from the history (a log loaded from kept segments)
    /// gets an error, never times shifted against the log.
    #[tokio::test]
    async fn a_gap_in_the_history_is_an_error_not_shifted_times() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = crate::votelog::tests::demo_with_a_full_segment(&dir).await;
        crate::store::tamper::delete_history_entry(&store, 5).await;
        let times = LogTimes::default();
        let len = SEGMENT_SIZE + 10;
        assert!(times.segment(&store, "demo", 0, len, false).await.is_err());
    }
}
