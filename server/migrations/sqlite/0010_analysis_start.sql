-- Where a conversation's analysis starts (issue 19): a conversation imported with Pol.is's
-- own math (math-pca2.json) continues from Pol.is's groups. `start` is the JSON of
-- `mufakat_core::published::Start` (the parameters and the warm start); every background
-- run starts from it and the published analysis carries it. No row: a cold start.
CREATE TABLE analysis_starts (
    conversation_id TEXT PRIMARY KEY REFERENCES conversations(id),
    start           TEXT NOT NULL
);
