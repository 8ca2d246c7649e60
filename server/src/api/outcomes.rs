//! Outcomes (`mufakat_core::api::outcomes` holds the contract): moderators publish, edit
//! and delete them; everyone reads them, as JSON or as an Atom feed. A change is told to
//! live streams (`LiveEvent::Outcome`) so projectors and open pages read the list again.

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use mufakat_core::api::events::LiveEvent;
use mufakat_core::api::outcomes::{is_valid_date, Outcome, OutcomeId, OutcomeInput, MAX_OUTCOME_CHARS};
use mufakat_core::api::ErrorBody;
use mufakat_core::model::Moderation;
use mufakat_core::outcome_feed::{atom_feed, FeedInfo};
use unicode_normalization::UnicodeNormalization;

use super::openapi::ConversationId;
use super::participant::participant_url;
use super::JsonBody;
use crate::auth::Moderator;
use crate::error::AppError;
use crate::origin::PublicOrigin;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/conversations/{id}/outcomes", get(list))
        .route("/api/v1/conversations/{id}/outcomes.atom", get(feed))
        .route("/api/v1/admin/conversations/{id}/outcomes", post(create))
        .route("/api/v1/admin/conversations/{id}/outcomes/{outcome}", put(edit).delete(remove))
}

/// The `{outcome}` of the outcome routes (documentation only).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub(super) struct OutcomePath {
    /// Conversation id.
    #[param(example = "demo")]
    id: String,
    /// The outcome's number in its conversation.
    #[param(minimum = 0)]
    outcome: u32,
}

/// The input, checked and cleaned: the text trimmed and NFC-normalised, 1 to
/// [`MAX_OUTCOME_CHARS`] characters; the date a real `YYYY-MM-DD`; the statement one of the
/// conversation's and not rejected.
async fn checked(st: &AppState, id: &str, mut input: OutcomeInput) -> Result<OutcomeInput, AppError> {
    let text: String = input.text.trim().nfc().collect();
    let chars = text.chars().count();
    if chars == 0 {
        return Err(AppError::bad_request("outcome_empty", "the outcome's text is empty").field("text"));
    }
    if chars > MAX_OUTCOME_CHARS {
        let message = format!("the outcome's text has {chars} characters; the limit is {MAX_OUTCOME_CHARS}");
        return Err(AppError::bad_request("outcome_too_long", message).field("text"));
    }
    input.text = text;
    if !is_valid_date(&input.date) {
        let message = "the date must be a day of the calendar written YYYY-MM-DD, e.g. 2026-03-01";
        return Err(AppError::bad_request("invalid_field", message).field("date"));
    }
    if let Some(statement) = input.statement {
        let statements = st.store.statement_rows(id).await?;
        let found = statements.iter().find(|s| s.id == statement).ok_or_else(|| {
            AppError::new(
                StatusCode::NOT_FOUND,
                "statement_not_found",
                format!("statement {statement} not found"),
            )
            .field("statement")
        })?;
        if found.moderation == Moderation::Rejected {
            let message = format!("statement {statement} was rejected: residents cannot see it");
            return Err(AppError::bad_request("statement_rejected", message).field("statement"));
        }
    }
    Ok(input)
}

#[utoipa::path(
    get,
    path = "/api/v1/conversations/{id}/outcomes",
    tag = "participant",
    params(ConversationId),
    responses(
        (status = 200, description = "the outcomes, the latest change first (none on a statement \
            rejected since)", body = Vec<Outcome>),
        (status = 404, description = "unknown conversation", body = ErrorBody),
    )
)]
pub(super) async fn list(
    State(st): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Vec<Outcome>>, AppError> {
    st.store.conversation(&id).await?;
    Ok(Json(st.store.outcomes(&id).await?))
}

#[utoipa::path(
    get,
    path = "/api/v1/conversations/{id}/outcomes.atom",
    tag = "participant",
    params(ConversationId),
    responses(
        (status = 200, description = "the outcomes as an Atom feed (RFC 4287), the latest change \
            first; entries link to the participant page", content_type = "application/atom+xml",
            body = String),
        (status = 400, description = "a Host or X-Forwarded-* header that is not a valid origin",
            body = ErrorBody),
        (status = 404, description = "unknown conversation", body = ErrorBody),
    )
)]
pub(super) async fn feed(
    State(st): State<AppState>,
    Path(id): Path<String>,
    PublicOrigin(origin): PublicOrigin,
) -> Result<axum::response::Response, AppError> {
    let c = st.store.conversation(&id).await?;
    let outcomes = st.store.outcomes(&id).await?;
    let page_url = participant_url(&origin, &id);
    let feed_url = origin.url(&format!("/api/v1/conversations/{id}/outcomes.atom"));
    let info = FeedInfo {
        title: &c.settings.title,
        page_url: &page_url,
        feed_url: &feed_url,
        created_at_ms: c.created_at_ms,
    };
    let mut resp =
        ([(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")], atom_feed(&info, &outcomes))
            .into_response();
    // Links depend on the request's origin unless --public-url fixes it (as the QR code's).
    if st.limits.public_url.is_none() {
        resp.headers_mut()
            .insert(header::VARY, HeaderValue::from_static("Host, X-Forwarded-Host, X-Forwarded-Proto"));
    }
    Ok(resp)
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/conversations/{id}/outcomes",
    tag = "admin",
    params(ConversationId),
    security(("moderator_session" = [])),
    request_body = OutcomeInput,
    responses(
        (status = 201, description = "published", body = Outcome),
        (status = 400, description = "blank or too long text (`outcome_empty`, `outcome_too_long`), \
            a date that is not YYYY-MM-DD, an unknown status, a rejected statement \
            (`statement_rejected`)", body = ErrorBody),
        (status = 404, description = "unknown conversation or statement (`statement_not_found`)",
            body = ErrorBody),
        (status = 503, description = "the store is busy; retry", body = ErrorBody),
    )
)]
pub(super) async fn create(
    State(st): State<AppState>,
    m: Moderator,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<OutcomeInput>,
) -> Result<(StatusCode, Json<Outcome>), AppError> {
    st.store.conversation(&id).await?;
    let input = checked(&st, &id, input).await?;
    let outcome = st.store.add_outcome(&id, &input).await?;
    tracing::info!(conversation = %id, outcome = outcome.id, moderator = %m.username, "outcome published");
    st.hub.publish(&id, LiveEvent::Outcome { outcome: outcome.id, removed: false }).await;
    Ok((StatusCode::CREATED, Json(outcome)))
}

#[utoipa::path(
    put,
    path = "/api/v1/admin/conversations/{id}/outcomes/{outcome}",
    tag = "admin",
    params(OutcomePath),
    security(("moderator_session" = [])),
    request_body = OutcomeInput,
    responses(
        (status = 200, description = "changed", body = Outcome),
        (status = 400, description = "as when publishing", body = ErrorBody),
        (status = 404, description = "unknown conversation, outcome or statement", body = ErrorBody),
    )
)]
pub(super) async fn edit(
    State(st): State<AppState>,
    m: Moderator,
    Path((id, outcome)): Path<(String, OutcomeId)>,
    JsonBody(input): JsonBody<OutcomeInput>,
) -> Result<Json<Outcome>, AppError> {
    st.store.conversation(&id).await?;
    let input = checked(&st, &id, input).await?;
    let outcome = st.store.update_outcome(&id, outcome, &input).await?;
    tracing::info!(conversation = %id, outcome = outcome.id, moderator = %m.username, "outcome edited");
    st.hub.publish(&id, LiveEvent::Outcome { outcome: outcome.id, removed: false }).await;
    Ok(Json(outcome))
}

#[utoipa::path(
    delete,
    path = "/api/v1/admin/conversations/{id}/outcomes/{outcome}",
    tag = "admin",
    params(OutcomePath),
    security(("moderator_session" = [])),
    responses(
        (status = 204, description = "deleted"),
        (status = 404, description = "unknown conversation or outcome", body = ErrorBody),
    )
)]
pub(super) async fn remove(
    State(st): State<AppState>,
    m: Moderator,
    Path((id, outcome)): Path<(String, OutcomeId)>,
) -> Result<StatusCode, AppError> {
    st.store.conversation(&id).await?;
    st.store.delete_outcome(&id, outcome).await?;
    tracing::info!(conversation = %id, outcome, moderator = %m.username, "outcome deleted");
    st.hub.publish(&id, LiveEvent::Outcome { outcome, removed: true }).await;
    Ok(StatusCode::NO_CONTENT)
}
