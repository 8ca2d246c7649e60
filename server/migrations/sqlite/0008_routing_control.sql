-- Routing control (issue 14): a statement pinned first for everyone, and a cap on the
-- statements one participant is asked (0: no cap).
ALTER TABLE conversations ADD COLUMN pinned_statement INTEGER;
ALTER TABLE conversations ADD COLUMN statement_cap INTEGER NOT NULL DEFAULT 0;
