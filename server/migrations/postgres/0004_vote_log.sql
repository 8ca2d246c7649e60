-- The vote log: every row of vote_history gets its place in its conversation's log
-- (`log_seq`, 0-based, dense, in arrival order), taken from a per-conversation counter in
-- the same transaction as the row. The counter's row lock orders the writers of one
-- conversation (across processes too), so log_seq commits in order: whoever sees entry n
-- sees every entry before it. The global `seq` does not: identity values of concurrent
-- transactions can commit out of order.
ALTER TABLE vote_history ADD COLUMN log_seq BIGINT;
UPDATE vote_history SET log_seq = r.n
FROM (SELECT seq, ROW_NUMBER() OVER (PARTITION BY conversation_id ORDER BY seq) - 1 AS n
      FROM vote_history) AS r
WHERE vote_history.seq = r.seq;
ALTER TABLE vote_history ALTER COLUMN log_seq SET NOT NULL;
CREATE UNIQUE INDEX vote_history_log ON vote_history(conversation_id, log_seq);

CREATE TABLE vote_log_counters (
    conversation_id TEXT PRIMARY KEY,
    next_seq        BIGINT NOT NULL
);
INSERT INTO vote_log_counters (conversation_id, next_seq)
SELECT conversation_id, COUNT(*) FROM vote_history GROUP BY conversation_id;
