-- Outcomes: a moderator's response to one statement (`statement`) or to the whole
-- conversation (`statement` NULL), with a status from a fixed list (`OutcomeStatus` of
-- core/src/api/outcomes.rs, by its wire name), a text and the date of the decision
-- (`decided_on`, YYYY-MM-DD). Numbered 0, 1, 2 … per conversation, like statements.
CREATE TABLE outcomes (
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    id              BIGINT NOT NULL,
    statement       BIGINT,
    status          TEXT NOT NULL,
    text            TEXT NOT NULL,
    decided_on      TEXT NOT NULL,
    published_at    BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, id)
);
