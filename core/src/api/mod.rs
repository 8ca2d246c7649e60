//! Request and response bodies of the HTTP API (`/api/v1`), shared by the server and the
//! app through serde so the two cannot drift. Plain data only: no HTTP types here.

pub mod admin;
pub mod codes;
pub mod events;
pub mod outcomes;
pub mod settings;
pub mod translations;

use serde::{Deserialize, Serialize};

use std::collections::BTreeMap;

use crate::api::admin::DemographicQuestion;
use crate::model::{Moderation, ParticipantId, StatementId, Vote};

/// Longest statement accepted, in characters after trimming and NFC normalisation.
pub const MAX_STATEMENT_CHARS: usize = 280;

/// Header carrying the participant token issued by [`JoinResponse`].
pub const PARTICIPANT_TOKEN_HEADER: &str = "x-participant-token";

/// Longest xid accepted on join, in bytes of UTF-8 (an xid is 1 to this many bytes, with no
/// control characters).
pub const MAX_XID_BYTES: usize = 200;

/// Longest participant token accepted on join, in bytes (the server issues shorter ones).
pub const MAX_TOKEN_BYTES: usize = 200;

/// Counts of current votes on one statement.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoteCounts {
    pub agree: u32,
    pub disagree: u32,
    pub pass: u32,
}

impl VoteCounts {
    pub fn total(&self) -> u32 {
        self.agree + self.disagree + self.pass
    }

    pub fn add(&mut self, vote: Vote) {
        match vote {
            Vote::Agree => self.agree += 1,
            Vote::Disagree => self.disagree += 1,
            Vote::Pass => self.pass += 1,
        }
    }
}

/// A statement as participants see it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatementView {
    pub id: StatementId,
    /// The original text, in `language`.
    pub text: String,
    pub moderation: Moderation,
    pub counts: VoteCounts,
    /// BCP 47 tag of the original's language (`translations::LANGUAGES`, or the
    /// conversation's language for statements older than translations).
    #[serde(default)]
    pub language: String,
    /// Translations into other languages, by language (`translations::shown` picks one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub translations: Vec<translations::Translation>,
}

/// Who wrote a statement and when, as Pol.is's public exports show it (comments.csv's
/// `author-id` and `timestamp`): one of [`StatementOrigins`].
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementOrigin {
    pub id: StatementId,
    /// The participant who wrote it (the number the vote log uses); `null` for a
    /// moderator's seed statement.
    pub author: Option<ParticipantId>,
    /// When it was written, epoch milliseconds (an imported statement: the time its export
    /// gave).
    pub created_at: i64,
    /// A moderator's seed statement (Pol.is `is-seed`).
    pub is_seed: bool,
}

/// GET /api/v1/conversations/{id}/statements: author and time of every statement
/// participants may see (those of [`ConversationView::statements`]), by id. Fetched by the
/// report page only when a download needs them (docs/vote-log.md, "Times"), so the
/// participant page's answer stays as it is.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementOrigins {
    pub statements: Vec<StatementOrigin>,
}

/// The public state of a conversation: GET /api/v1/conversations/{id}.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationView {
    pub id: String,
    pub title: String,
    pub description: String,
    /// BCP 47 tag of the conversation's main language, e.g. "id" or "en".
    pub language: String,
    pub allow_statements: bool,
    pub strict_moderation: bool,
    pub closed: bool,
    pub max_statement_chars: usize,
    pub participants: u32,
    /// Statements participants may see (accepted, or pending under open moderation).
    pub statements: Vec<StatementView>,
    /// Voluntary demographic questions; answer with [`Answers`].
    #[serde(default)]
    pub questions: Vec<DemographicQuestion>,
    /// Statements one participant is asked to vote on at most; 0: all of them.
    #[serde(default)]
    pub statement_cap: u32,
    /// Joining needs a one-time invitation code ([`JoinRequest::code`]).
    #[serde(default)]
    pub invitation_only: bool,
    /// The conversation holds data from a Pol.is export (`mufakat import` of a folder whose
    /// summary.csv `url` is a pol.is conversation): wherever its results are shown, they
    /// carry Pol.is's CC BY 4.0 attribution ([`crate::attribution`]). The source link itself
    /// stays with the moderators (their export's summary.csv).
    #[serde(default)]
    pub from_polis: bool,
}

/// GET /api/v1/conversations/{id}/my-votes: this participant's current votes, so a
/// reloaded page can show them (token header required).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MyVotes {
    pub votes: Vec<(StatementId, Vote)>,
}

/// POST /api/v1/conversations/{id}/answers: `{question key: chosen option}`, token header
/// required; answers replace earlier ones. They leave the server only as aggregates with
/// cells under [`admin::MIN_CELL`] suppressed. The response is `204 No Content`.
pub type Answers = BTreeMap<String, String>;

/// The OpenAPI schema of [`Answers`] (a map has no derive): keys are question keys, values
/// options, with the bounds [`admin::DemographicQuestion`] states.
#[cfg(feature = "openapi")]
pub struct AnswersSchema;

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for AnswersSchema {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        let text =
            |max| ObjectBuilder::new().schema_type(Type::String).min_length(Some(1)).max_length(Some(max));
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some("question key → chosen option; each key a question of the conversation, each value one of its options"))
            .property_names(Some(text(admin::MAX_QUESTION_KEY_BYTES)))
            .additional_properties(Some(text(admin::MAX_OPTION_BYTES)))
            .max_properties(Some(admin::MAX_QUESTIONS))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for AnswersSchema {
    fn name() -> std::borrow::Cow<'static, str> {
        "Answers".into()
    }
}

/// POST /api/v1/conversations/{id}/participants: join, or resume with a token kept by the app.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JoinRequest {
    /// A token from an earlier join, to resume as that participant (ignored when `xid` is
    /// given). Its bound counts bytes of UTF-8 ([`MAX_TOKEN_BYTES`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub token: Option<String>,
    /// External id given by an embedding site: the same xid is the same participant. Only
    /// with a valid `xid_proof`; without one the join is refused (403). Its bounds count
    /// bytes of UTF-8 ([`MAX_XID_BYTES`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub xid: Option<String>,
    /// The embedding site's signature of `xid`: lowercase hex of HMAC-SHA256 with the UTF-8
    /// bytes of the conversation's xid secret (from the moderator console) as key and the
    /// UTF-8 bytes of the xid as message. See docs/embedding.md.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 128))]
    pub xid_proof: Option<String>,
    /// When the embedding site's link stops working, in seconds since 1970 (UTC). With it,
    /// `xid_proof` signs the xid, a line feed and this number in decimal (see
    /// docs/embedding.md); after it the join is refused (403 `xid_link_expired`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0))]
    pub xid_expires: Option<i64>,
    /// A one-time invitation code (`ABCDE-FGHJK`; case, spaces and dashes do not matter):
    /// joins as a new participant and uses the code up. Checked before `token`; required
    /// (unless resuming with a token or a proven xid) when the conversation is invitation-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 40))]
    pub code: Option<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JoinResponse {
    pub token: String,
    pub participant: ParticipantId,
}

/// GET /api/v1/conversations/{id}/next: the next statement for this participant.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NextStatement {
    /// `None` when the participant has voted on everything they may see, or on as many as
    /// the conversation asks (`capped`).
    pub statement: Option<StatementView>,
    /// Statements still unvoted by this participant, the returned one included.
    pub remaining: u32,
    pub voted: u32,
    /// The participant reached the conversation's `statement_cap`: nothing more is asked.
    #[serde(default)]
    pub capped: bool,
}

/// POST /api/v1/conversations/{id}/votes
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoteRequest {
    pub statement: StatementId,
    pub vote: Vote,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VoteResponse {
    pub statement: StatementId,
    pub vote: Vote,
    pub next: NextStatement,
}

/// POST /api/v1/conversations/{id}/statements
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostStatementRequest {
    /// Counted once trimmed and NFC-normalised ([`MAX_STATEMENT_CHARS`]); not blank.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 280))]
    pub text: String,
    /// The text's language (`translations::LANGUAGES`); the conversation's when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 35))]
    pub language: Option<String>,
    /// The author's own translation into another language, bounded like the text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub translation: Option<translations::NewTranslation>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostStatementResponse {
    pub statement: StatementView,
}

/// GET /api/v1/conversations/{id}/log: where the conversation's vote log ends. Entries
/// `0 .. next_seq` exist; entry `seq` is in segment `seq / segment_size`, served by
/// `GET /api/v1/conversations/{id}/log/{segment}` (format: `crate::votelog`, docs/vote-log.md).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoteLogHead {
    pub next_seq: u64,
    pub segment_size: u64,
}

/// GET /api/v1/conversations/{id}/analysis: the server's latest published analysis of the
/// vote log (docs/published-analysis.md), and what a page needs to compute its own with the
/// same input.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalysisHead {
    /// The latest published analysis is of log entries `0 .. published`
    /// (`GET …/analysis/{published}`); `null` before the first.
    pub published: Option<u64>,
    /// Entries in the vote log now (as `GET …/log`'s `next_seq`).
    pub log_len: u64,
    /// Above this many log entries the participant page shows the published analysis
    /// instead of computing one (`mufakat serve --participant-analysis-max-votes`).
    pub participant_max_votes: u64,
    /// Every statement as the analysis takes it now (`mufakat_core::published::statements_for_analysis`):
    /// by id, rejected and meta ones included, no authors.
    pub statements: Vec<crate::analysis::StatementMeta>,
    /// The analysis continues from an imported start (Pol.is's math, issue 19): the
    /// published document carries it (`start`, with its `params`), and a page computing
    /// its own analysis begins from it too.
    #[serde(default)]
    pub started: bool,
}

/// GET /api/v1/conversations/{id}/votes: every current vote, column-wise so that
/// large conversations stay compact on the wire. Entry `i` of each array is one vote.
/// `values` uses agree = +1, disagree = −1, pass = 0.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VotesCompact {
    pub participants: Vec<ParticipantId>,
    pub statements: Vec<StatementId>,
    pub values: Vec<i8>,
}

impl VotesCompact {
    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The votes as records; entries with an out-of-range value or mismatched lengths are
    /// reported as an error rather than silently dropped.
    pub fn records(&self) -> Result<Vec<crate::VoteRecord>, CompactVotesError> {
        let n = self.values.len();
        if self.participants.len() != n || self.statements.len() != n {
            return Err(CompactVotesError::LengthMismatch);
        }
        (0..n)
            .map(|i| {
                let vote = Vote::from_value(self.values[i])
                    .ok_or(CompactVotesError::BadValue { index: i, value: self.values[i] })?;
                Ok(crate::VoteRecord {
                    participant: self.participants[i],
                    statement: self.statements[i],
                    vote,
                })
            })
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompactVotesError {
    #[error("participants, statements and values have different lengths")]
    LengthMismatch,
    #[error("vote {index} has value {value}; expected -1, 0 or 1")]
    BadValue { index: usize, value: i8 },
}

/// Every error from the API has this body, with a stable machine-readable `code`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
    /// The request field at fault, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}
