//! Moderator API bodies, all under `/api/v1/admin/` and all refused without a moderator
//! session (cookie `mufakat_session`, HttpOnly, SameSite=Strict). State-changing requests must
//! also carry the header [`CSRF_HEADER`] with value `1`: a cross-site form cannot set it.
//!
//! Routes (the server implements them; the moderator console calls them):
//! - `POST /api/v1/admin/login` [`LoginRequest`] → [`Moderator`] (sets the cookie);
//!   `POST /api/v1/admin/logout`; `GET /api/v1/admin/me` → [`Moderator`]
//! - `GET /api/v1/admin/conversations` → `Vec<ConversationSummary>`;
//!   `POST /api/v1/admin/conversations` [`NewConversation`] → [`ConversationAdmin`]
//! - `GET /api/v1/admin/conversations/{id}` → [`ConversationAdmin`];
//!   `PATCH /api/v1/admin/conversations/{id}` [`SettingsChange`] → [`ConversationAdmin`]
//! - `POST /api/v1/admin/conversations/{id}/statements` [`SeedStatements`] → [`SeedResult`]
//! - `GET /api/v1/admin/conversations/{id}/statements` → `Vec<StatementAdmin>` (every state)
//! - `POST /api/v1/admin/conversations/{id}/moderation` [`ModerationRequest`] → `Vec<StatementAdmin>`
//! - `POST /api/v1/admin/conversations/{id}/close` and `/reopen` → [`ConversationAdmin`]
//! - `GET /api/v1/admin/conversations/{id}/stats` → [`ConversationStats`]
//! - `GET /api/v1/admin/conversations/{id}/demographics` → [`GroupDemographics`] (the answers
//!   to the demographic questions per opinion group, aggregates only)
//! - `GET /api/v1/conversations/{id}/events` (public, SSE, see [`crate::api::events`]) and
//!   `GET /api/v1/conversations/{id}/qr.svg` (public: a QR code of the participant link)
//! - `GET /api/v1/admin/conversations/{id}/export/{file}` → CSV / JSON (the files of
//!   [`crate::report_files::MODERATOR_FILES`]: the Pol.is export files and `analysis.json`)
//! - `GET /api/v1/admin/conversations/{id}/xid-secret` → [`XidSecret`];
//!   `POST /api/v1/admin/conversations/{id}/xid-secret/rotate` → [`XidSecret`] (a new one)
//! - translations: `PUT` and `DELETE …/{id}/statements/{statement}/translations/{language}`
//!   and `POST …/{id}/translations` (a CSV import; see [`crate::api::translations`])
//! - outcomes: `POST …/{id}/outcomes`, `PUT` and `DELETE …/{id}/outcomes/{outcome}`
//!   (see [`crate::api::outcomes`])

use serde::{Deserialize, Serialize};

pub use crate::api::settings::{ConversationAdmin, ConversationSettings, NewConversation, SettingsChange};
use crate::api::VoteCounts;
use crate::model::{Moderation, ParticipantId, StatementId};

pub const CSRF_HEADER: &str = "x-mufakat-csrf";
pub const SESSION_COOKIE: &str = "mufakat_session";

// Bounds the server enforces on moderator requests (server/src/api/admin.rs). The OpenAPI
// states them as `#[schema(...)]` literals, which cannot name a constant: the API test
// `openapi_states_the_bounds_the_server_enforces` checks that the two agree.

/// A conversation id is 1 to this many of `a-z`, `0-9`, `-` and `_`.
pub const MAX_ID_BYTES: usize = 64;
pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_DESCRIPTION_CHARS: usize = 5_000;
/// A BCP 47 language tag is 1 to this many bytes (its shape is not checked).
pub const MAX_LANGUAGE_BYTES: usize = 35;
pub const MAX_QUESTIONS: usize = 20;
pub const MAX_QUESTION_KEY_BYTES: usize = 64;
pub const MAX_QUESTION_LABEL_CHARS: usize = 200;
pub const MAX_OPTIONS: usize = 30;
pub const MAX_OPTION_BYTES: usize = 100;
/// Seed statements taken by one request to the seed route.
pub const MAX_SEED_TEXTS: usize = 500;
/// Statements one moderation request may name.
pub const MAX_MODERATED: usize = 1000;
pub const MAX_REASON_CHARS: usize = 500;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Moderator {
    pub username: String,
}

/// A voluntary question participants may answer (e.g. neighbourhood, age band); answers are
/// only ever shown as aggregates.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemographicQuestion {
    /// Distinct among the conversation's questions; its bounds count bytes of UTF-8.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 64))]
    pub key: String,
    /// Not blank.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub label: String,
    /// Each option's bounds count bytes of UTF-8.
    #[cfg_attr(feature = "openapi", schema(schema_with = option_list))]
    pub options: Vec<String>,
}

#[cfg(feature = "openapi")]
fn option_list() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    let option =
        ObjectBuilder::new().schema_type(Type::String).min_length(Some(1)).max_length(Some(MAX_OPTION_BYTES));
    ArrayBuilder::new().items(option).min_items(Some(1)).max_items(Some(MAX_OPTIONS)).build()
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationSummary {
    pub id: String,
    pub title: String,
    pub closed: bool,
    pub participants: u32,
    pub votes: u64,
    pub pending_statements: u32,
}

/// Seed statements: many at once (the console splits pasted text on newlines).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedStatements {
    /// Blank ones are skipped, invalid ones listed in [`SeedResult::refused`].
    #[cfg_attr(feature = "openapi", schema(max_items = 500))]
    pub texts: Vec<String>,
    /// The texts' language (`translations::LANGUAGES`); the conversation's when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 35))]
    pub language: Option<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeedResult {
    pub added: Vec<StatementAdmin>,
    /// Texts refused, with the reason's error code (`duplicate_statement`, `statement_too_long`, ...).
    pub refused: Vec<SeedRefusal>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeedRefusal {
    pub text: String,
    pub code: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatementAdmin {
    pub id: StatementId,
    pub text: String,
    pub moderation: Moderation,
    pub author: Option<ParticipantId>,
    pub is_seed: bool,
    pub counts: VoteCounts,
    pub created_at_ms: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The original's language.
    #[serde(default)]
    pub language: String,
    #[serde(default)]
    pub translations: Vec<crate::api::translations::Translation>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Accept,
    Reject,
}

/// Accept or reject one or many statements.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModerationRequest {
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 1000))]
    pub statements: Vec<StatementId>,
    pub decision: Decision,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub reason: Option<String>,
}

/// The moderator dashboard.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConversationStats {
    pub participants: u32,
    pub voters: u32,
    pub votes: u64,
    pub statements_accepted: u32,
    pub statements_pending: u32,
    pub statements_rejected: u32,
    /// (hour start in ms since the epoch, votes in that hour), oldest first.
    pub votes_per_hour: Vec<(i64, u32)>,
    /// Answers to the demographic questions, counted; cells under [`MIN_CELL`] are `None`.
    #[serde(default)]
    pub demographics: Vec<DemographicTally>,
}

/// Smallest count shown for a demographic cell; counts 1 to `MIN_CELL − 1` are suppressed
/// so that no answer can be traced to a person.
pub const MIN_CELL: u32 = 5;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemographicTally {
    pub key: String,
    pub label: String,
    pub options: Vec<OptionCount>,
}

/// Who is in each opinion group: the answers to the conversation's demographic questions,
/// counted per group of the analysis that the report page runs on the same votes (the default
/// seed, statements as the public view lists them), so the columns are the report's groups.
/// Cells of 1 to [`MIN_CELL`] − 1 are `None`: no answer can be traced to a person.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupDemographics {
    /// The groups, in the analysis's order; empty when there are no groups yet.
    pub groups: Vec<GroupDemographic>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupDemographic {
    /// The group's id in the analysis (`Group::id`).
    pub group: u32,
    /// Participants in the group, answering or not.
    pub size: u32,
    /// One tally per question, in the conversation's order.
    pub questions: Vec<DemographicTally>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptionCount {
    pub option: String,
    /// `None` when suppressed (1 to `MIN_CELL − 1` answers).
    pub count: Option<u32>,
}

/// The secret an embedding site signs its xids with (`JoinRequest::xid_proof`, see
/// docs/embedding.md). Only moderators can read it; it never appears in a public answer.
/// Rotating it makes every proof made with the old one fail.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct XidSecret {
    /// 64 lowercase hex characters; the HMAC key is this text's UTF-8 bytes.
    pub secret: String,
}
