-- Participant ids come from a per-conversation counter, so concurrent joins from several
-- processes never race for the same id.
ALTER TABLE conversations ADD COLUMN next_participant BIGINT NOT NULL DEFAULT 0;
UPDATE conversations SET next_participant =
    (SELECT COALESCE(MAX(p.id) + 1, 0) FROM participants p WHERE p.conversation_id = conversations.id);
