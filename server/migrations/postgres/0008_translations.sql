-- Statements in several languages (issue 15): each statement's original language (older
-- statements take their conversation's), and its translations, one per language, each by
-- the statement's author or a moderator.
ALTER TABLE statements ADD COLUMN language TEXT NOT NULL DEFAULT '';
UPDATE statements SET language = (
    SELECT c.language FROM conversations c WHERE c.id = statements.conversation_id
);

CREATE TABLE statement_translations (
    conversation_id TEXT NOT NULL,
    statement       BIGINT NOT NULL,
    language        TEXT NOT NULL,
    text            TEXT NOT NULL,
    by_moderator    BOOLEAN NOT NULL,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, statement, language),
    FOREIGN KEY (conversation_id, statement) REFERENCES statements(conversation_id, id)
);
