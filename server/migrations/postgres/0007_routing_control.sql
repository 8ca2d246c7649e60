-- Routing control (issue 14): a statement pinned first for everyone, and a cap on the
-- statements one participant is asked (0: no cap).
ALTER TABLE conversations ADD COLUMN pinned_statement BIGINT;
ALTER TABLE conversations ADD COLUMN statement_cap BIGINT NOT NULL DEFAULT 0;
