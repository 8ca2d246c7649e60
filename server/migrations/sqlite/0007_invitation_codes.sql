-- Invitation codes (core/src/api/codes.rs): a conversation may take only people with a
-- one-time code. Only a hash of each code is kept (BLAKE2b of the conversation id and the
-- code, src/store/sql.rs), so the printed sheet is the only copy of the codes, and no row
-- names the participant a code made: used_at says only that it was used.
ALTER TABLE conversations ADD COLUMN invitation_only INTEGER NOT NULL DEFAULT 0;

CREATE TABLE invitation_codes (
    conversation_id TEXT    NOT NULL REFERENCES conversations(id),
    code_hash       TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    used_at         INTEGER,
    revoked_at      INTEGER,
    PRIMARY KEY (conversation_id, code_hash)
);
