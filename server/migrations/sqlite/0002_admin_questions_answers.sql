-- Moderators, their sessions, demographic questions and answers, moderation reasons.
ALTER TABLE conversations ADD COLUMN questions TEXT NOT NULL DEFAULT '[]';
ALTER TABLE statements ADD COLUMN moderation_reason TEXT;

CREATE TABLE admins (
    username      TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);

-- Only a hash of each session token is stored.
CREATE TABLE admin_sessions (
    token_hash TEXT PRIMARY KEY,
    username   TEXT NOT NULL REFERENCES admins(username),
    expires_at INTEGER NOT NULL
);

-- A participant's answer to one demographic question; only ever shown as aggregates.
CREATE TABLE answers (
    conversation_id TEXT NOT NULL,
    participant     INTEGER NOT NULL,
    question        TEXT NOT NULL,
    answer          TEXT NOT NULL,
    PRIMARY KEY (conversation_id, participant, question)
) WITHOUT ROWID;

CREATE INDEX vote_history_conversation ON vote_history(conversation_id, at);
