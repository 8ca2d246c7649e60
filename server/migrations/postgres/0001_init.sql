-- mufakat schema for PostgreSQL, the same tables as migrations/sqlite (versions 1 and 2).
-- Votes use agree = +1, disagree = -1, pass = 0.
CREATE TABLE conversations (
    id                TEXT PRIMARY KEY,
    title             TEXT NOT NULL,
    description       TEXT NOT NULL DEFAULT '',
    language          TEXT NOT NULL DEFAULT 'en',
    allow_statements  BOOLEAN NOT NULL DEFAULT TRUE,
    strict_moderation BOOLEAN NOT NULL DEFAULT FALSE,
    closed            BOOLEAN NOT NULL DEFAULT FALSE,
    created_at        BIGINT NOT NULL,
    questions         TEXT NOT NULL DEFAULT '[]'
);

CREATE TABLE participants (
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    id              BIGINT NOT NULL,
    token           TEXT NOT NULL UNIQUE,
    xid             TEXT,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, id)
);
CREATE UNIQUE INDEX participants_xid ON participants(conversation_id, xid) WHERE xid IS NOT NULL;

CREATE TABLE statements (
    conversation_id   TEXT NOT NULL REFERENCES conversations(id),
    id                BIGINT NOT NULL,
    text              TEXT NOT NULL,
    dedup_key         TEXT NOT NULL,
    author            BIGINT,
    moderation        BIGINT NOT NULL DEFAULT 0,
    is_seed           BOOLEAN NOT NULL DEFAULT FALSE,
    is_meta           BOOLEAN NOT NULL DEFAULT FALSE,
    created_at        BIGINT NOT NULL,
    moderation_reason TEXT,
    PRIMARY KEY (conversation_id, id)
);
CREATE UNIQUE INDEX statements_dedup ON statements(conversation_id, dedup_key);

CREATE TABLE votes (
    conversation_id TEXT NOT NULL,
    participant     BIGINT NOT NULL,
    statement       BIGINT NOT NULL,
    value           BIGINT NOT NULL CHECK (value IN (-1, 0, 1)),
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, participant, statement),
    FOREIGN KEY (conversation_id, statement) REFERENCES statements(conversation_id, id)
);

CREATE TABLE vote_history (
    seq             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    participant     BIGINT NOT NULL,
    statement       BIGINT NOT NULL,
    value           BIGINT NOT NULL,
    at              BIGINT NOT NULL
);
CREATE INDEX vote_history_conversation ON vote_history(conversation_id, at);

CREATE TABLE admins (
    username      TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);

CREATE TABLE admin_sessions (
    token_hash TEXT PRIMARY KEY,
    username   TEXT NOT NULL REFERENCES admins(username),
    expires_at BIGINT NOT NULL
);

CREATE TABLE answers (
    conversation_id TEXT NOT NULL,
    participant     BIGINT NOT NULL,
    question        TEXT NOT NULL,
    answer          TEXT NOT NULL,
    PRIMARY KEY (conversation_id, participant, question)
);
