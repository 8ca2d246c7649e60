-- Full segments of the vote log (2^16 entries each), kept encoded so a starting process
-- reads a few blobs instead of every row of vote_history (crate::votelog). A segment's
-- entries never change once full, so its bytes never do: `bytes` is the gzip of the
-- segment's encoding (docs/vote-log.md), exactly what the log endpoint serves. A cache of
-- vote_history, checked against it on load; deleting the rows loses nothing.
CREATE TABLE vote_log_segments (
    conversation_id TEXT NOT NULL,
    segment         INTEGER NOT NULL,
    bytes           BLOB NOT NULL,
    PRIMARY KEY (conversation_id, segment)
) WITHOUT ROWID;
