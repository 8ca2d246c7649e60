-- Each conversation's secret for xid proofs (see src/xid.rs and docs/embedding.md). New
-- conversations get one when created; existing ones stay NULL until the store makes one from
-- the operating system's random source on first need (one source of secrets for both
-- backends: SQL has no cryptographic random function on PostgreSQL without pgcrypto).
ALTER TABLE conversations ADD COLUMN xid_secret TEXT;
