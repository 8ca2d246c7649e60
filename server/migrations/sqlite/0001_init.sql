-- mufakat schema, version 1. Votes use agree = +1, disagree = -1, pass = 0.
CREATE TABLE conversations (
    id                TEXT PRIMARY KEY,
    title             TEXT NOT NULL,
    description       TEXT NOT NULL DEFAULT '',
    language          TEXT NOT NULL DEFAULT 'en',
    allow_statements  INTEGER NOT NULL DEFAULT 1,
    strict_moderation INTEGER NOT NULL DEFAULT 0,
    closed            INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL
);

CREATE TABLE participants (
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    id              INTEGER NOT NULL,
    token           TEXT NOT NULL UNIQUE,
    xid             TEXT,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, id)
);
CREATE UNIQUE INDEX participants_xid ON participants(conversation_id, xid) WHERE xid IS NOT NULL;

CREATE TABLE statements (
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    id              INTEGER NOT NULL,
    text            TEXT NOT NULL,
    -- key used to refuse exact and near-exact duplicates (case, spacing, punctuation folded)
    dedup_key       TEXT NOT NULL,
    author          INTEGER,
    moderation      INTEGER NOT NULL DEFAULT 0,
    is_seed         INTEGER NOT NULL DEFAULT 0,
    is_meta         INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, id)
);
CREATE UNIQUE INDEX statements_dedup ON statements(conversation_id, dedup_key);

-- The current vote of each participant on each statement.
CREATE TABLE votes (
    conversation_id TEXT NOT NULL,
    participant     INTEGER NOT NULL,
    statement       INTEGER NOT NULL,
    value           INTEGER NOT NULL CHECK (value IN (-1, 0, 1)),
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, participant, statement),
    FOREIGN KEY (conversation_id, statement) REFERENCES statements(conversation_id, id)
) WITHOUT ROWID;

-- Every vote ever cast, changes of mind included, in arrival order.
CREATE TABLE vote_history (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL,
    participant     INTEGER NOT NULL,
    statement       INTEGER NOT NULL,
    value           INTEGER NOT NULL,
    at              INTEGER NOT NULL
);
