//! Translations of statements (`mufakat_core::api::translations` holds the contract):
//! moderators add, correct or remove one at a time, or import a CSV file, all rows or none.
//! The author's own translation arrives with the statement (`participant::post_statement`).

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{post, put};
use axum::{Json, Router};
use mufakat_core::api::admin::StatementAdmin;
use mufakat_core::api::events::LiveEvent;
use mufakat_core::api::translations::{
    self as tr, NewTranslation, TranslatedBy, Translation, TranslationImport, TranslationImportResult,
    TranslationText,
};
#[allow(unused_imports)]
use mufakat_core::api::ErrorBody;
use mufakat_core::model::StatementId;

use super::admin::{changed, statement_admin};
use super::openapi::ConversationId;
use super::{clean_statement, JsonBody};
use crate::auth::Moderator;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::TranslationWrite;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/admin/conversations/{id}/statements/{statement}/translations/{language}",
            put(put_one).delete(delete_one),
        )
        .route("/api/v1/admin/conversations/{id}/translations", post(import))
}

/// The path of one translation (documentation only).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub(super) struct TranslationPath {
    /// Conversation id.
    #[param(example = "demo")]
    id: String,
    /// The statement's number in its conversation.
    #[param(minimum = 0)]
    statement: u32,
    /// A listed language's BCP 47 tag (`id`, `en`, `jv`, `su`, `mad`, `min`, `ban`, `bug`,
    /// `bjn`, `ace`, `ms`, `zh`), not the statement's own.
    #[param(example = "en", max_length = 35)]
    language: String,
}

fn unknown_language(tag: &str, field: &'static str) -> AppError {
    AppError::bad_request("unknown_language", format!("language {tag:?} is not one of {}", tr::tags()))
        .field(field)
}

/// The language of a new statement: the one asked for, which must be listed, else the
/// conversation's own (whatever tag its moderator gave it).
pub fn statement_language(requested: Option<&str>, conversation: &str) -> Result<String, AppError> {
    match requested {
        None => Ok(conversation.to_string()),
        Some(tag) => {
            tr::language(tag).map(|l| l.tag.to_string()).ok_or_else(|| unknown_language(tag, "language"))
        }
    }
}

/// A translation checked against its statement's language: listed, not the same, its text
/// cleaned and bounded as a statement's.
fn checked(
    language: &str,
    text: &str,
    original: &str,
    by: TranslatedBy,
    field: &'static str,
) -> Result<Translation, AppError> {
    let tag = tr::language(language).ok_or_else(|| unknown_language(language, field))?.tag;
    if tr::language(original).is_some_and(|l| l.tag == tag) {
        return Err(AppError::bad_request(
            "same_language",
            format!("the statement is written in {tag}; a translation is into another language"),
        )
        .field(field));
    }
    let text = clean_statement(text).map_err(|e| e.field("text"))?;
    Ok(Translation { language: tag.to_string(), text, by })
}

/// The author's translation sent with a new statement in `original`.
pub fn author_translation(t: &NewTranslation, original: &str) -> Result<Translation, AppError> {
    checked(&t.language, &t.text, original, TranslatedBy::Author, "translation.language").map_err(|e| {
        if e.field == Some("text") {
            e.field("translation.text")
        } else {
            e
        }
    })
}

/// Tells the participant pages showing these statements about their new texts.
async fn announce(
    st: &AppState,
    id: &str,
    statements: impl IntoIterator<Item = StatementId>,
) -> Result<(), AppError> {
    changed(st, id).await?;
    let conv = st.live.conv(&st.store, id).await?;
    for s in statements {
        if let Some(statement) = conv.visible_view(s) {
            st.hub.publish(id, LiveEvent::Statement { statement }).await;
        }
    }
    Ok(())
}

#[utoipa::path(
    put,
    path = "/api/v1/admin/conversations/{id}/statements/{statement}/translations/{language}",
    tag = "admin",
    params(TranslationPath),
    security(("moderator_session" = [])),
    request_body = TranslationText,
    responses(
        (status = 200, description = "added or corrected; the statement with every translation",
            body = StatementAdmin),
        (status = 400, description = "an unlisted language, the statement's own, or a blank or \
            too long text", body = ErrorBody),
        (status = 404, description = "unknown conversation or statement", body = ErrorBody),
    )
)]
pub(super) async fn put_one(
    State(st): State<AppState>,
    m: Moderator,
    Path((id, statement, language)): Path<(String, StatementId, String)>,
    JsonBody(req): JsonBody<TranslationText>,
) -> Result<Json<StatementAdmin>, AppError> {
    st.store.conversation(&id).await?;
    let rows = st.store.statements(&id).await?;
    let row = rows.iter().find(|s| s.id == statement).ok_or_else(|| AppError::not_found("statement"))?;
    let t = checked(&language, &req.text, &row.language, TranslatedBy::Moderator, "language")?;
    let write = TranslationWrite { statement, language: &t.language, text: &t.text, by: t.by };
    st.store.set_translations(&id, &[write]).await?;
    tracing::info!(conversation = %id, statement, language = t.language, moderator = %m.username, "translation set");
    announce(&st, &id, [statement]).await?;
    let row = st.store.statements(&id).await?.into_iter().find(|s| s.id == statement);
    Ok(Json(statement_admin(row.ok_or_else(|| AppError::not_found("statement"))?)))
}

#[utoipa::path(
    delete,
    path = "/api/v1/admin/conversations/{id}/statements/{statement}/translations/{language}",
    tag = "admin",
    params(TranslationPath),
    security(("moderator_session" = [])),
    responses(
        (status = 200, description = "removed (readers of that language now see the original); the \
            statement with the translations left", body = StatementAdmin),
        (status = 400, description = "an unlisted language", body = ErrorBody),
        (status = 404, description = "unknown conversation or statement, or the statement has no \
            translation into that language", body = ErrorBody),
    )
)]
pub(super) async fn delete_one(
    State(st): State<AppState>,
    m: Moderator,
    Path((id, statement, language)): Path<(String, StatementId, String)>,
) -> Result<Json<StatementAdmin>, AppError> {
    st.store.conversation(&id).await?;
    let tag = tr::language(&language).ok_or_else(|| unknown_language(&language, "language"))?.tag;
    if !st.store.statement_rows(&id).await?.iter().any(|s| s.id == statement) {
        return Err(AppError::not_found("statement"));
    }
    st.store.delete_translation(&id, statement, tag).await?;
    tracing::info!(conversation = %id, statement, language = tag, moderator = %m.username, "translation removed");
    announce(&st, &id, [statement]).await?;
    let row = st.store.statements(&id).await?.into_iter().find(|s| s.id == statement);
    Ok(Json(statement_admin(row.ok_or_else(|| AppError::not_found("statement"))?)))
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/conversations/{id}/translations",
    tag = "admin",
    params(ConversationId),
    security(("moderator_session" = [])),
    request_body = TranslationImport,
    responses(
        (status = 200, description = "every row imported", body = TranslationImportResult),
        (status = 400, description = "a bad row (`bad_translation_row`: the message names its \
            line); nothing imported", body = ErrorBody),
        (status = 404, description = "unknown conversation", body = ErrorBody),
    )
)]
pub(super) async fn import(
    State(st): State<AppState>,
    m: Moderator,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<TranslationImport>,
) -> Result<(StatusCode, Json<TranslationImportResult>), AppError> {
    st.store.conversation(&id).await?;
    let bad_row = |line: u64, message: &str| {
        AppError::bad_request("bad_translation_row", format!("line {line}: {message}; nothing was imported"))
            .field("csv")
    };
    let rows = tr::read_csv(&req.csv).map_err(|e| bad_row(e.line, &e.message))?;
    let languages: HashMap<StatementId, String> =
        st.store.statement_rows(&id).await?.into_iter().map(|s| (s.id, s.language)).collect();
    let mut seen = HashMap::new();
    let mut checked_rows = Vec::with_capacity(rows.len());
    for r in &rows {
        let original = languages
            .get(&r.statement)
            .ok_or_else(|| bad_row(r.line, &format!("there is no statement {}", r.statement)))?;
        if let Some(first) = seen.insert((r.statement, r.language), r.line) {
            let message = format!("statement {} in {} is on line {first} too", r.statement, r.language);
            return Err(bad_row(r.line, &message));
        }
        let t = checked(r.language, &r.text, original, TranslatedBy::Moderator, "csv")
            .map_err(|e| bad_row(r.line, &e.message))?;
        checked_rows.push((r.statement, t));
    }
    let writes: Vec<TranslationWrite> = checked_rows
        .iter()
        .map(|(statement, t)| TranslationWrite {
            statement: *statement,
            language: &t.language,
            text: &t.text,
            by: t.by,
        })
        .collect();
    st.store.set_translations(&id, &writes).await?;
    tracing::info!(conversation = %id, rows = writes.len(), moderator = %m.username, "translations imported");
    let mut statements: Vec<StatementId> = checked_rows.iter().map(|(s, _)| *s).collect();
    statements.dedup();
    announce(&st, &id, statements).await?;
    Ok((StatusCode::OK, Json(TranslationImportResult { imported: writes.len() as u32 })))
}
