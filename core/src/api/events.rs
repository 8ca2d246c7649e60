//! Live updates: `GET /api/v1/conversations/{id}/events` is a Server-Sent Events stream.
//! Each event's `event:` name is [`LiveEvent::name`] and its `data:` is the JSON of the
//! variant's body. Only what a participant may see is sent.

use serde::{Deserialize, Serialize};

use crate::api::outcomes::OutcomeId;
use crate::api::StatementView;
use crate::model::StatementId;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiveEvent {
    /// A statement became visible to participants (posted under open moderation, or accepted).
    Statement { statement: StatementView },
    /// Votes arrived; sent at most a few times a second, with the new totals and `entries`,
    /// the length of the conversation's vote log when the event was sent (docs/vote-log.md):
    /// a page that syncs on the event asks for the log up to exactly that entry, a closed
    /// range that is encoded once for every reader and cacheable. 0 from servers before it
    /// (read as absent: sync to the log's end).
    Votes {
        participants: u32,
        votes: u64,
        #[serde(default)]
        entries: u64,
    },
    /// A statement's moderation changed (a rejected one disappears from participants' view).
    Moderation { statement: StatementId, visible: bool },
    /// The conversation was closed (`closed = true`) or reopened.
    Closed { closed: bool },
    /// An outcome was published or edited (`removed = false`) or deleted: read the list
    /// again (`GET …/outcomes`).
    Outcome { outcome: OutcomeId, removed: bool },
}

impl LiveEvent {
    pub fn name(&self) -> &'static str {
        match self {
            LiveEvent::Statement { .. } => "statement",
            LiveEvent::Votes { .. } => "votes",
            LiveEvent::Moderation { .. } => "moderation",
            LiveEvent::Closed { .. } => "closed",
            LiveEvent::Outcome { .. } => "outcome",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_votes_event_without_entries_from_an_older_server_reads_as_zero() {
        let old: LiveEvent =
            serde_json::from_str(r#"{"type":"votes","participants":3,"votes":7}"#).expect("parses");
        assert_eq!(old, LiveEvent::Votes { participants: 3, votes: 7, entries: 0 });
        let new =
            serde_json::to_value(LiveEvent::Votes { participants: 3, votes: 7, entries: 9 }).expect("json");
        assert_eq!(new["entries"], 9);
    }
}
