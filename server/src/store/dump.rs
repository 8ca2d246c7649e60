//! A whole conversation as plain data, for `mufakat import` / `mufakat export`
//! (written and read by `bulk.rs` on either backend).

use mufakat_core::model::{Moderation, ParticipantId, StatementId, Vote};

use super::Conversation;

/// A statement with its original id, as an export holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredStatement {
    pub id: StatementId,
    pub text: String,
    pub author: Option<ParticipantId>,
    pub moderation: Moderation,
    pub is_meta: bool,
    pub is_seed: bool,
    /// Creation time as given (epoch ms for Pol.is exports).
    pub created_at: i64,
}

/// One vote of the history: a later one for the same pair replaces the current vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredVote {
    pub participant: ParticipantId,
    pub statement: StatementId,
    pub vote: Vote,
    pub at: i64,
}

/// A whole conversation: settings, statements, participants (id, xid), vote history,
/// statement languages and translations, and where its analysis starts.
#[derive(Debug, Clone, PartialEq)]
pub struct ConversationDump {
    pub conversation: Conversation,
    /// Where an imported conversation came from (a Pol.is export's `url`); `None` for one
    /// made here. Written back to the exports' summary.csv.
    pub source_url: Option<String>,
    pub statements: Vec<StoredStatement>,
    pub participants: Vec<(ParticipantId, Option<String>)>,
    pub votes: Vec<StoredVote>,
    /// Where the analysis starts: Pol.is's math, for a folder imported with math-pca2.json
    /// (`mufakat_core::published::Start`); `None` for a cold start.
    pub analysis_start: Option<mufakat_core::published::Start>,
    /// Each statement's original language and translations (docs/translations.md); a
    /// statement not listed is in the conversation's language, untranslated.
    pub translations: Vec<mufakat_core::api::translations::StatementLanguages>,
}
