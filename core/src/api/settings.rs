//! A conversation's settings, defined once: [`ConversationSettings`] is what the store keeps
//! and what the server checks, and every body of the API that carries settings is built from
//! it or read into it here:
//! - [`NewConversation`] (`POST /api/v1/admin/conversations`) → [`NewConversation::into_parts`];
//! - [`SettingsChange`] (`PATCH /api/v1/admin/conversations/{id}`) → [`SettingsChange::apply`];
//! - [`ConversationAdmin`] (the moderator's view) ← [`ConversationAdmin::new`];
//! - [`ConversationView`] (the public view) ← [`ConversationView::new`].
//!
//! The bodies keep their own flat fields: they are the published contract (field order, the
//! OpenAPI document, serde's error messages naming the field), which `#[serde(flatten)]`
//! would change. Each conversion destructures the settings without `..`, so a new setting
//! does not compile until every conversion says where it goes, and the public view says
//! explicitly whether participants see it.
//!
//! Adding a setting: see "Adding a conversation setting" in ARCHITECTURE.md.

use serde::{Deserialize, Serialize};

use crate::api::admin::{
    DemographicQuestion, MAX_DESCRIPTION_CHARS, MAX_LANGUAGE_BYTES, MAX_OPTIONS, MAX_OPTION_BYTES,
    MAX_QUESTIONS, MAX_QUESTION_KEY_BYTES, MAX_QUESTION_LABEL_CHARS, MAX_TITLE_CHARS,
};
use crate::api::{ConversationView, StatementView, MAX_STATEMENT_CHARS};
use crate::model::StatementId;

/// What a moderator chose for a conversation. Open or closed is not a setting: it changes
/// through its own routes (`close`, `reopen`), which tell live streams.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationSettings {
    /// Trimmed; not blank.
    pub title: String,
    pub description: String,
    /// BCP 47 tag of the conversation's main language, e.g. "id" or "en".
    pub language: String,
    /// Participants may post statements.
    pub allow_statements: bool,
    /// Participants' statements wait for a moderator before others see them.
    pub strict_moderation: bool,
    /// Voluntary demographic questions.
    pub questions: Vec<DemographicQuestion>,
    /// A statement shown first to everyone who has not voted on it yet (routing control; a
    /// departure from Pol.is, whose routing knows no pin). Ignored while it is not shown
    /// to participants (pending under strict moderation, rejected).
    pub pinned_statement: Option<StatementId>,
    /// Statements one participant is asked to vote on at most; 0: all of them (Pol.is).
    /// A participant who reached it is told so and asked no more, though a direct link to a
    /// statement still shows it.
    pub statement_cap: u32,
    /// Only people with a one-time invitation code join (`crate::api::codes`).
    pub invitation_only: bool,
}

impl Default for ConversationSettings {
    /// The settings of a new conversation where the moderator gave none.
    fn default() -> ConversationSettings {
        ConversationSettings {
            title: String::new(),
            description: String::new(),
            language: default_language(),
            allow_statements: yes(),
            strict_moderation: false,
            questions: Vec::new(),
            pinned_statement: None,
            statement_cap: 0,
            invitation_only: false,
        }
    }
}

/// A setting out of its bounds: the request field at fault and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct InvalidSetting {
    pub field: &'static str,
    pub message: String,
}

impl InvalidSetting {
    fn new(field: &'static str, message: impl Into<String>) -> InvalidSetting {
        InvalidSetting { field, message: message.into() }
    }
}

impl ConversationSettings {
    /// Checks the bounds of `admin`'s `MAX_*` constants (the OpenAPI states them too).
    pub fn check(&self) -> Result<(), InvalidSetting> {
        if self.title.trim().is_empty() {
            return Err(InvalidSetting::new("title", "the title is empty"));
        }
        check_chars(&self.title, "title", MAX_TITLE_CHARS)?;
        check_chars(&self.description, "description", MAX_DESCRIPTION_CHARS)?;
        if self.language.is_empty() || self.language.len() > MAX_LANGUAGE_BYTES {
            return Err(InvalidSetting::new("language", "language must be a BCP 47 tag"));
        }
        if self.statement_cap != 0 && !(MIN_STATEMENT_CAP..=MAX_STATEMENT_CAP).contains(&self.statement_cap) {
            return Err(InvalidSetting::new(
                "statement_cap",
                format!(
                    "statement_cap is 0 (no cap) or {MIN_STATEMENT_CAP} to {MAX_STATEMENT_CAP}: with fewer \
                     votes a participant never joins the opinion groups"
                ),
            ));
        }
        check_questions(&self.questions)
    }
}

/// Largest `statement_cap` (0 means no cap).
pub const MAX_STATEMENT_CAP: u32 = 10_000;
/// Smallest `statement_cap` but 0: the votes a participant needs to be placed in the opinion
/// groups (`AnalysisParams::min_votes`, Pol.is's 7), or "where you stand" would never come.
pub const MIN_STATEMENT_CAP: u32 = 7;

/// At most `max` characters.
pub fn check_chars(value: &str, field: &'static str, max: usize) -> Result<(), InvalidSetting> {
    if value.chars().count() > max {
        return Err(InvalidSetting::new(field, format!("{field} is longer than {max} characters")));
    }
    Ok(())
}

fn check_questions(questions: &[DemographicQuestion]) -> Result<(), InvalidSetting> {
    let bad = |m: String| InvalidSetting::new("questions", m);
    if questions.len() > MAX_QUESTIONS {
        return Err(bad(format!("at most {MAX_QUESTIONS} questions")));
    }
    for (i, q) in questions.iter().enumerate() {
        if q.key.is_empty()
            || q.key.len() > MAX_QUESTION_KEY_BYTES
            || questions[..i].iter().any(|o| o.key == q.key)
        {
            return Err(bad(format!(
                "each question needs a distinct key of 1 to {MAX_QUESTION_KEY_BYTES} bytes"
            )));
        }
        if q.label.trim().is_empty() || q.label.chars().count() > MAX_QUESTION_LABEL_CHARS {
            return Err(bad(format!(
                "each question needs a label of 1 to {MAX_QUESTION_LABEL_CHARS} characters"
            )));
        }
        if q.options.is_empty()
            || q.options.len() > MAX_OPTIONS
            || q.options.iter().any(|o| o.is_empty() || o.len() > MAX_OPTION_BYTES)
        {
            return Err(bad(format!(
                "each question needs 1 to {MAX_OPTIONS} options of 1 to {MAX_OPTION_BYTES} bytes"
            )));
        }
    }
    Ok(())
}

/// Seed statements given with a new conversation: each must be a valid statement.
#[cfg(feature = "openapi")]
fn seed_list() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    let text = ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(MAX_STATEMENT_CHARS))
        .description(Some("counted once trimmed and NFC-normalised; not blank"));
    ArrayBuilder::new().items(text).build()
}

/// Settings a moderator can change at any time.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ConversationSettings))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsChange {
    /// Not blank.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 5000))]
    pub description: Option<String>,
    /// BCP 47 tag; its bounds count bytes of UTF-8 (the tag's shape is not checked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 35))]
    pub language: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_statements: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strict_moderation: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_items = 20))]
    pub questions: Option<Vec<DemographicQuestion>>,
    /// A statement's id to pin it first for everyone, or `null` to unpin.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u32>, nullable))]
    pub pinned_statement: Option<Option<StatementId>>,
    /// Statements one participant is asked to vote on at most: 0 (all), or 7 to 10000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(maximum = 10000))]
    pub statement_cap: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invitation_only: Option<bool>,
}

/// A field given (even as `null`) is `Some`; an absent one stays `None` by `default`.
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

impl SettingsChange {
    /// Sets each setting the change names (the title trimmed); the others stay.
    pub fn apply(self, to: &mut ConversationSettings) {
        let ConversationSettings {
            title,
            description,
            language,
            allow_statements,
            strict_moderation,
            questions,
            pinned_statement,
            statement_cap,
            invitation_only,
        } = to;
        set(title, self.title.map(|t| t.trim().to_string()));
        set(description, self.description);
        set(language, self.language);
        set(allow_statements, self.allow_statements);
        set(strict_moderation, self.strict_moderation);
        set(questions, self.questions);
        set(pinned_statement, self.pinned_statement);
        set(statement_cap, self.statement_cap);
        set(invitation_only, self.invitation_only);
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewConversation {
    /// Optional URL slug; the server picks a random one when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(pattern = "^[a-z0-9_-]{1,64}$"))]
    pub id: Option<String>,
    /// Not blank.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub title: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 5000))]
    pub description: String,
    /// BCP 47 tag; its bounds count bytes of UTF-8 (the tag's shape is not checked).
    #[serde(default = "default_language")]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 35))]
    pub language: String,
    #[serde(default = "yes")]
    pub allow_statements: bool,
    #[serde(default)]
    pub strict_moderation: bool,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 20))]
    pub questions: Vec<DemographicQuestion>,
    /// Statements one participant is asked to vote on at most: 0 (the default: all), or 7
    /// to 10000.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(maximum = 10000))]
    pub statement_cap: u32,
    /// Only people with a one-time invitation code join.
    #[serde(default)]
    pub invitation_only: bool,
    /// Seed statements, accepted at once (bounded only by the request body limit).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = seed_list))]
    pub seeds: Vec<String>,
}

impl NewConversation {
    /// A request for a conversation with these settings (the console's create form).
    pub fn new(id: Option<String>, settings: ConversationSettings, seeds: Vec<String>) -> NewConversation {
        let ConversationSettings {
            title,
            description,
            language,
            allow_statements,
            strict_moderation,
            questions,
            // A new conversation has no statement to pin yet.
            pinned_statement: _,
            statement_cap,
            invitation_only,
        } = settings;
        NewConversation {
            id,
            title,
            description,
            language,
            allow_statements,
            strict_moderation,
            questions,
            statement_cap,
            invitation_only,
            seeds,
        }
    }

    /// The requested id, the settings (the title trimmed) and the seed statements.
    pub fn into_parts(self) -> (Option<String>, ConversationSettings, Vec<String>) {
        let NewConversation {
            id,
            title,
            description,
            language,
            allow_statements,
            strict_moderation,
            questions,
            statement_cap,
            invitation_only,
            seeds,
        } = self;
        let title = title.trim().to_string();
        let settings = ConversationSettings {
            title,
            description,
            language,
            allow_statements,
            strict_moderation,
            questions,
            pinned_statement: None,
            statement_cap,
            invitation_only,
        };
        (id, settings, seeds)
    }
}

/// Replaces `slot` when a value is given.
fn set<T>(slot: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *slot = v;
    }
}

fn default_language() -> String {
    "id".to_string()
}

fn yes() -> bool {
    true
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationAdmin {
    pub id: String,
    pub title: String,
    pub description: String,
    pub language: String,
    pub allow_statements: bool,
    pub strict_moderation: bool,
    pub closed: bool,
    pub questions: Vec<DemographicQuestion>,
    #[serde(default)]
    pub invitation_only: bool,
    pub created_at_ms: i64,
    /// The statement shown first to everyone, if any.
    pub pinned_statement: Option<StatementId>,
    /// Statements one participant is asked to vote on at most; 0: all.
    pub statement_cap: u32,
}

impl ConversationAdmin {
    /// The moderator's view: every setting.
    pub fn new(
        id: &str,
        settings: &ConversationSettings,
        closed: bool,
        created_at_ms: i64,
    ) -> ConversationAdmin {
        let ConversationSettings {
            title,
            description,
            language,
            allow_statements,
            strict_moderation,
            questions,
            pinned_statement,
            statement_cap,
            invitation_only,
        } = settings.clone();
        ConversationAdmin {
            id: id.to_string(),
            title,
            description,
            language,
            allow_statements,
            strict_moderation,
            closed,
            questions,
            invitation_only,
            created_at_ms,
            pinned_statement,
            statement_cap,
        }
    }
}

impl ConversationView {
    /// The public view. A setting participants must not see (say, a code that lets people in)
    /// is bound to `_` below.
    pub fn new(
        id: &str,
        settings: &ConversationSettings,
        closed: bool,
        participants: u32,
        statements: Vec<StatementView>,
    ) -> ConversationView {
        let ConversationSettings {
            title,
            description,
            language,
            allow_statements,
            strict_moderation,
            questions,
            // Routing's business: participants just meet the statement first.
            pinned_statement: _,
            statement_cap,
            invitation_only,
        } = settings.clone();
        ConversationView {
            id: id.to_string(),
            title,
            description,
            language,
            allow_statements,
            strict_moderation,
            closed,
            max_statement_chars: MAX_STATEMENT_CHARS,
            participants,
            statements,
            questions,
            statement_cap,
            invitation_only,
            // Not a setting: the store's record of an import (`from_polis` of the server's
            // conversation), set by the caller.
            from_polis: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_sets_only_what_it_names_and_trims_the_title() {
        let mut s = ConversationSettings { title: "Old".into(), ..ConversationSettings::default() };
        SettingsChange { title: Some("  New  ".into()), strict_moderation: Some(true), ..Default::default() }
            .apply(&mut s);
        assert_eq!(
            s,
            ConversationSettings {
                title: "New".into(),
                strict_moderation: true,
                ..ConversationSettings::default()
            }
        );
    }

    #[test]
    fn a_cap_is_none_or_enough_votes_to_join_the_groups() {
        assert_eq!(MIN_STATEMENT_CAP as usize, crate::AnalysisParams::default().min_votes);
        let with =
            |statement_cap| ConversationSettings { title: "T".into(), statement_cap, ..Default::default() };
        for ok in [0, MIN_STATEMENT_CAP, MAX_STATEMENT_CAP] {
            assert_eq!(with(ok).check(), Ok(()), "{ok}");
        }
        for bad in [1, MIN_STATEMENT_CAP - 1, MAX_STATEMENT_CAP + 1] {
            assert_eq!(with(bad).check().map_err(|e| e.field), Err("statement_cap"), "{bad}");
        }
    }

    #[test]
    fn a_new_conversation_without_settings_gets_the_defaults() {
        let req: NewConversation = serde_json::from_str(r#"{"title": " T "}"#).expect("body");
        let (id, settings, seeds) = req.into_parts();
        assert_eq!((id, seeds), (None, Vec::<String>::new()));
        assert_eq!(settings, ConversationSettings { title: "T".into(), ..ConversationSettings::default() });
    }
}
