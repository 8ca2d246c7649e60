//! A conversation's published analyses in this process's memory (docs/published-analysis.md):
//! the background analysis (`crate::background`) publishes a cold run of the log's first
//! `seq` entries (`mufakat_core::published`); the endpoints serve its bytes, encoded once and
//! gzipped once, to every reader. The last few are kept, so a reader that read the head just
//! before a newer one came out still gets the one it was told about.

use std::collections::VecDeque;
use std::sync::{Arc, RwLock};

use axum::body::Bytes;

/// One published analysis: the same bytes for ever.
pub struct PublishedDoc {
    /// The analysis is of log entries `0 .. seq`.
    pub seq: u64,
    pub bytes: Bytes,
    pub gzip: Bytes,
    /// Strong ETag (quoted) of the plain bytes; the gzipped ones get their own.
    pub etag: String,
    /// The run began from the conversation's imported start (`mufakat_core::published::Start`).
    pub started: bool,
}

impl PublishedDoc {
    pub fn new(seq: u64, bytes: Vec<u8>) -> PublishedDoc {
        // Gzipped and tagged as the vote log's segments are (`pa1` names this format).
        let gzip = crate::votelog::gzip_with(&bytes, flate2::Compression::default());
        let etag = crate::votelog::hashed_etag("pa1", seq, &bytes);
        PublishedDoc { seq, bytes: bytes.into(), gzip: gzip.into(), etag, started: false }
    }
}

/// The published analyses of one conversation, newest last.
#[derive(Default)]
pub struct Board {
    kept: RwLock<VecDeque<Arc<PublishedDoc>>>,
}

impl Board {
    /// Adds a document, keeping the newest `keep` (at least one). A document at a seq not
    /// after the newest is ignored (it would only repeat it).
    pub fn publish(&self, doc: PublishedDoc, keep: usize) {
        let mut kept = self.kept.write().unwrap_or_else(|e| e.into_inner());
        if kept.back().is_some_and(|d| d.seq >= doc.seq) {
            return;
        }
        kept.push_back(Arc::new(doc));
        while kept.len() > keep.max(1) {
            kept.pop_front();
        }
    }

    /// The seq of the newest document.
    pub fn latest(&self) -> Option<u64> {
        self.kept.read().unwrap_or_else(|e| e.into_inner()).back().map(|d| d.seq)
    }

    /// Whether the newest document began from an imported start.
    pub fn latest_started(&self) -> bool {
        self.kept.read().unwrap_or_else(|e| e.into_inner()).back().is_some_and(|d| d.started)
    }

    /// The document at `seq`, while it is kept.
    pub fn get(&self, seq: u64) -> Option<Arc<PublishedDoc>> {
        self.kept.read().unwrap_or_else(|e| e.into_inner()).iter().find(|d| d.seq == seq).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_few_are_kept_and_an_older_seq_is_ignored() {
        let board = Board::default();
        assert_eq!(board.latest(), None);
        for seq in [10, 20, 30, 25] {
            board.publish(PublishedDoc::new(seq, format!("doc {seq}").into_bytes()), 2);
        }
        assert_eq!(board.latest(), Some(30));
        assert!(board.get(10).is_none(), "no longer kept");
        assert!(board.get(25).is_none(), "older than the newest: not published");
        let doc = board.get(20).expect("kept");
        assert_eq!(&doc.bytes[..], b"doc 20");
        assert_ne!(doc.etag, board.get(30).expect("kept").etag);
    }
}
