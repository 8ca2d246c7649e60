//! The participant API: join or resume, the next statement, votes, statements, demographic
//! answers, the public state, who wrote each statement and when (for the report's files),
//! every vote for the in-browser analysis, and the QR code.
//! A participant token votes only as its participant and only in its conversation.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use mufakat_core::api::events::LiveEvent;
use mufakat_core::api::{
    Answers, AnswersSchema, ConversationView, ErrorBody, JoinRequest, JoinResponse, MyVotes, NextStatement,
    PostStatementRequest, PostStatementResponse, StatementOrigins, VoteRequest, VoteResponse, VotesCompact,
    MAX_STATEMENT_CHARS, MAX_TOKEN_BYTES, MAX_XID_BYTES,
};
use mufakat_core::model::{ParticipantId, StatementId};
use unicode_normalization::UnicodeNormalization;

use super::openapi::ConversationId;
use super::translations::{author_translation, statement_language};
use super::JsonBody;
use crate::auth::Participant;
use crate::error::AppError;
use crate::live::{initial_moderation, ConvState, VoteRefusal};
use crate::origin::{Origin, PublicOrigin};
use crate::ratelimit::ClientAddress;
use crate::state::AppState;
use crate::store::{now_ms, NewStatement, TranslationWrite, VoteWrite};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/conversations/{id}", get(conversation))
        .route("/api/v1/conversations/{id}/participants", post(join))
        .route("/api/v1/conversations/{id}/next", get(next))
        .route("/api/v1/conversations/{id}/votes", post(vote).get(votes))
        .route("/api/v1/conversations/{id}/my-votes", get(my_votes))
        .route("/api/v1/conversations/{id}/statements", get(statement_origins).post(post_statement))
        .route("/api/v1/conversations/{id}/answers", post(answers))
        .route("/api/v1/conversations/{id}/qr.svg", get(qr))
}

async fn conv(st: &AppState, id: &str) -> Result<Arc<ConvState>, AppError> {
    Ok(st.live.conv(&st.store, id).await?)
}

#[utoipa::path(
    get,
    path = "/api/v1/conversations/{id}",
    tag = "participant",
    params(ConversationId),
    responses(
        (status = 200, body = ConversationView),
        (status = 404, description = "unknown conversation", body = ErrorBody),
    )
)]
pub(super) async fn conversation(
    State(st): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ConversationView>, AppError> {
    Ok(Json(conv(&st, &id).await?.view()))
}

#[utoipa::path(
    get,
    path = "/api/v1/conversations/{id}/statements",
    tag = "participant",
    params(ConversationId),
    responses(
        (status = 200, description = "who wrote each statement participants may see, and when \
            (Pol.is's public comments.csv columns author-id and timestamp); Cache-Control: no-cache",
            body = StatementOrigins),
        (status = 404, description = "unknown conversation", body = ErrorBody),
    )
)]
pub(super) async fn statement_origins(
    State(st): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let statements = conv(&st, &id).await?.origins();
    let mut resp = Json(StatementOrigins { statements }).into_response();
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(resp)
}

#[utoipa::path(
    post,
    path = "/api/v1/conversations/{id}/participants",
    tag = "participant",
    params(ConversationId),
    request_body = JoinRequest,
    responses(
        (status = 200, body = JoinResponse),
        (status = 403, description = "xid without a valid xid_proof (xid_proof_required, \
            xid_proof_invalid) or from a link past its xid_expires (xid_link_expired); an \
            invitation-only conversation without a code (code_required), or with a code that is not one of its codes (code_unknown) or was revoked \
            (code_revoked)", body = ErrorBody),
        (status = 404, description = "unknown conversation", body = ErrorBody),
        (status = 409, description = "the invitation code was used already (code_used)", body = ErrorBody),
        (status = 503, description = "the store is busy; retry", body = ErrorBody),
    )
)]
pub(super) async fn join(
    State(st): State<AppState>,
    Path(id): Path<String>,
    ClientAddress(client): ClientAddress,
    JsonBody(req): JsonBody<JoinRequest>,
) -> Result<Json<JoinResponse>, AppError> {
    let c = conv(&st, &id).await?;
    if let Some(code) = req.code.as_deref() {
        let (token, participant) = super::codes::join_with_code(&st, &id, client, code).await?;
        st.live.remember(&token, &id, participant);
        c.participant_joined();
        c.votes_dirty.store(true, std::sync::atomic::Ordering::Relaxed);
        return Ok(Json(JoinResponse { token, participant }));
    }
    if req.xid.as_deref().is_some_and(|x| !crate::xid::well_formed(x)) {
        let message = format!("xid must be 1 to {MAX_XID_BYTES} bytes without control characters");
        return Err(AppError::bad_request("invalid_field", message).field("xid"));
    }
    if req.token.as_deref().is_some_and(|t| t.len() > MAX_TOKEN_BYTES) {
        return Err(AppError::bad_request("invalid_field", "token is too long").field("token"));
    }
    // A proven xid names the participant; a token alone resumes only its own.
    let token = match req.xid.as_deref() {
        Some(xid) => {
            check_xid_proof(&st, &id, xid, req.xid_expires, req.xid_proof.as_deref()).await?;
            None
        }
        None => req.token.as_deref(),
    };
    // Invitation only: without a code, only a participant already in (or a proven xid).
    if c.conversation().settings.invitation_only && req.xid.is_none() {
        let known = match token {
            Some(t) => st.store.participant_by_token(&id, t).await?.is_some(),
            None => false,
        };
        if !known {
            return Err(super::codes::code_required());
        }
    }
    let (token, participant, created) = st.store.join(&id, token, req.xid.as_deref()).await?;
    st.live.remember(&token, &id, participant);
    if created {
        c.participant_joined();
        c.votes_dirty.store(true, std::sync::atomic::Ordering::Relaxed);
    }
    Ok(Json(JoinResponse { token, participant }))
}

/// Refuses an xid that the embedding site did not sign with this conversation's secret
/// (`crate::xid`): whoever knows someone's xid must not get their participant.
async fn check_xid_proof(
    st: &AppState,
    id: &str,
    xid: &str,
    expires: Option<i64>,
    proof: Option<&str>,
) -> Result<(), AppError> {
    let refuse = |code, message: &str| {
        AppError::new(
            StatusCode::FORBIDDEN,
            code,
            format!(
                "{message}: the embedding site must sign the xid with this conversation's secret \
                 on its server (HMAC-SHA256, see docs/embedding.md)"
            ),
        )
        .field("xid_proof")
    };
    let proof = proof.ok_or_else(|| refuse("xid_proof_required", "joining by xid needs xid_proof"))?;
    let secret = st.store.xid_secret(id).await?;
    if !crate::xid::verify(&secret, xid, expires, proof) {
        return Err(refuse("xid_proof_invalid", "xid_proof is not a valid signature of this xid"));
    }
    // Checked after the signature, so an expired answer says the link was genuine.
    if expires.is_some_and(|at| at.saturating_mul(1000) <= crate::store::now_ms()) {
        return Err(AppError::new(
            StatusCode::FORBIDDEN,
            "xid_link_expired",
            "this sign-in link has expired: ask the site that sent it for a new one",
        )
        .field("xid_expires"));
    }
    Ok(())
}

/// On PostgreSQL a participant may have voted through another process: before answering
/// from their votes (next statement, my-votes) re-read them. Votes stay on the fast path.
async fn sync_votes(st: &AppState, c: &ConvState, p: ParticipantId) -> Result<(), AppError> {
    if st.store.pg_pool().is_some() {
        c.reset_votes_of(p, st.store.votes_of(&c.id, p).await?);
    }
    Ok(())
}

#[utoipa::path(
    get,
    path = "/api/v1/conversations/{id}/next",
    tag = "participant",
    params(
        ConversationId,
        ("statement" = Option<u32>, Query,
            description = "a direct link's statement: shown first if the participant may vote on it"),
    ),
    security(("participant_token" = [])),
    responses(
        (status = 200, body = NextStatement),
        (status = 400, description = "statement is not a whole number", body = ErrorBody),
        (status = 404, description = "unknown conversation", body = ErrorBody),
    )
)]
pub(super) async fn next(
    State(st): State<AppState>,
    Participant { conv: c, id: p }: Participant,
    RawQuery(query): RawQuery,
) -> Result<Json<NextStatement>, AppError> {
    let requested = requested_statement(query.as_deref())?;
    sync_votes(&st, &c, p).await?;
    Ok(Json(c.next_for(p, requested)))
}

/// `statement`, from the query string of `next`: a statement id, or absent.
fn requested_statement(query: Option<&str>) -> Result<Option<StatementId>, AppError> {
    super::query_number(query, "statement", "a statement id")
}

#[utoipa::path(
    post,
    path = "/api/v1/conversations/{id}/votes",
    tag = "participant",
    params(ConversationId),
    security(("participant_token" = [])),
    request_body = VoteRequest,
    responses(
        (status = 200, body = VoteResponse),
        (status = 404, description = "unknown conversation or statement", body = ErrorBody),
        (status = 409, description = "conversation closed", body = ErrorBody),
    )
)]
pub(super) async fn vote(
    State(st): State<AppState>,
    Participant { conv: c, id: p }: Participant,
    JsonBody(req): JsonBody<VoteRequest>,
) -> Result<Json<VoteResponse>, AppError> {
    c.check_vote(req.statement).map_err(|r| match r {
        VoteRefusal::Closed => AppError::closed(),
        VoteRefusal::UnknownStatement => AppError::not_found("statement").field("statement"),
    })?;
    let write = VoteWrite {
        conversation: c.id.clone(),
        participant: p,
        statement: req.statement,
        vote: req.vote,
        at: now_ms(),
    };
    st.writer.vote(c.clone(), write).await.map_err(AppError::internal)?;
    Ok(Json(VoteResponse { statement: req.statement, vote: req.vote, next: c.next_for(p, None) }))
}

#[utoipa::path(
    get,
    path = "/api/v1/conversations/{id}/my-votes",
    tag = "participant",
    params(ConversationId),
    security(("participant_token" = [])),
    responses(
        (status = 200, body = MyVotes),
        (status = 404, description = "unknown conversation", body = ErrorBody),
    )
)]
pub(super) async fn my_votes(
    State(st): State<AppState>,
    Participant { conv: c, id: p }: Participant,
) -> Result<Json<MyVotes>, AppError> {
    sync_votes(&st, &c, p).await?;
    Ok(Json(MyVotes { votes: c.votes_of(p) }))
}

/// Trims and NFC-normalises a statement and checks its length.
pub fn clean_statement(text: &str) -> Result<String, AppError> {
    let cleaned: String = text.trim().nfc().collect();
    let chars = cleaned.chars().count();
    if chars == 0 {
        return Err(AppError::bad_request("statement_empty", "the statement is empty").field("text"));
    }
    if chars > MAX_STATEMENT_CHARS {
        return Err(AppError::bad_request(
            "statement_too_long",
            format!("the statement has {chars} characters; the limit is {MAX_STATEMENT_CHARS}"),
        )
        .field("text"));
    }
    Ok(cleaned)
}

#[utoipa::path(
    post,
    path = "/api/v1/conversations/{id}/statements",
    tag = "participant",
    params(ConversationId),
    security(("participant_token" = [])),
    request_body = PostStatementRequest,
    responses(
        (status = 201, body = PostStatementResponse),
        (status = 400, description = "malformed, blank or too long", body = ErrorBody),
        (status = 403, description = "statements disabled", body = ErrorBody),
        (status = 404, description = "unknown conversation", body = ErrorBody),
        (status = 409, description = "duplicate statement or closed conversation",
            body = ErrorBody),
        (status = 503, description = "the store is busy; retry", body = ErrorBody),
    )
)]
pub(super) async fn post_statement(
    State(st): State<AppState>,
    Path(id): Path<String>,
    Participant { conv: c, id: p }: Participant,
    JsonBody(req): JsonBody<PostStatementRequest>,
) -> Result<(StatusCode, Json<PostStatementResponse>), AppError> {
    let settings = c.conversation();
    if settings.closed {
        return Err(AppError::closed());
    }
    if !settings.settings.allow_statements {
        return Err(AppError::new(
            StatusCode::FORBIDDEN,
            "statements_disabled",
            "this conversation does not take statements from participants",
        ));
    }
    let text = clean_statement(&req.text)?;
    let language = statement_language(req.language.as_deref(), &settings.settings.language)?;
    let translation = req.translation.as_ref().map(|t| author_translation(t, &language)).transpose()?;
    let mut row = st
        .store
        .add_statement(
            &id,
            &NewStatement {
                text: &text,
                language: &language,
                author: Some(p),
                moderation: initial_moderation(&settings),
                is_seed: false,
            },
        )
        .await?;
    if let Some(t) = translation {
        let write = TranslationWrite { statement: row.id, language: &t.language, text: &t.text, by: t.by };
        st.store.set_translations(&id, &[write]).await?;
        row.translations.push(t);
    }
    let id_added = row.id;
    c.add_statement(row.clone());
    st.hub.reload_elsewhere(&id).await;
    if let Some(statement) = c.visible_view(id_added) {
        st.hub.publish(&id, LiveEvent::Statement { statement }).await;
    }
    let statement = mufakat_core::api::StatementView {
        id: row.id,
        text: row.text,
        moderation: row.moderation,
        counts: row.counts,
        language: row.language,
        translations: row.translations,
    };
    Ok((StatusCode::CREATED, Json(PostStatementResponse { statement })))
}

/// Demographic answers: each key must be one of the conversation's questions and each value
/// one of its options.
#[utoipa::path(
    post,
    path = "/api/v1/conversations/{id}/answers",
    tag = "participant",
    params(ConversationId),
    security(("participant_token" = [])),
    request_body = AnswersSchema,
    responses(
        (status = 204, description = "saved"),
        (status = 400, description = "malformed, or not a question or option of this conversation",
            body = ErrorBody),
        (status = 404, description = "unknown conversation", body = ErrorBody),
    )
)]
pub(super) async fn answers(
    State(st): State<AppState>,
    Path(id): Path<String>,
    Participant { conv: c, id: p }: Participant,
    JsonBody(req): JsonBody<Answers>,
) -> Result<StatusCode, AppError> {
    let questions = c.conversation().settings.questions;
    let mut pairs = Vec::with_capacity(req.len());
    for (key, option) in &req {
        let q = questions.iter().find(|q| &q.key == key).ok_or_else(|| {
            AppError::bad_request("unknown_question", format!("no question {key:?} in this conversation"))
                .field("answers")
        })?;
        if !q.options.contains(option) {
            return Err(AppError::bad_request(
                "unknown_option",
                format!("{option:?} is not an option of question {key:?}"),
            )
            .field("answers"));
        }
        pairs.push((key.as_str(), option.as_str()));
    }
    st.store.save_answers(&id, p, &pairs).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/api/v1/conversations/{id}/votes",
    tag = "participant",
    params(ConversationId),
    responses(
        (status = 200, body = VotesCompact),
        (status = 404, description = "unknown conversation", body = ErrorBody),
    )
)]
pub(super) async fn votes(
    State(st): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<VotesCompact>, AppError> {
    conv(&st, &id).await?;
    Ok(Json(st.store.votes(&id).await?))
}

/// The link a participant opens to join conversation `id`.
pub fn participant_url(origin: &Origin, id: &str) -> String {
    origin.url(&format!("/c/{id}"))
}

/// A QR code of `url` as an SVG document, at least 256 px square.
pub fn qr_svg(url: &str) -> Result<String, AppError> {
    let code = qrcode::QrCode::new(url.as_bytes()).map_err(AppError::internal)?;
    Ok(code.render::<qrcode::render::svg::Color<'_>>().min_dimensions(256, 256).build())
}

/// A QR code of the participant link, for the projector and posters. The link's origin is
/// `--public-url`, else the request's (see [`crate::origin`]); in that case the answer depends
/// on request headers, so shared caches must not keep it.
#[utoipa::path(
    get,
    path = "/api/v1/conversations/{id}/qr.svg",
    tag = "participant",
    params(ConversationId),
    responses(
        (status = 200, description = "QR code of the participant link",
            content_type = "image/svg+xml", body = String),
        (status = 400, description = "a Host or X-Forwarded-* header that is not a valid origin",
            body = ErrorBody),
        (status = 404, description = "unknown conversation", body = ErrorBody),
    )
)]
pub(super) async fn qr(
    State(st): State<AppState>,
    Path(id): Path<String>,
    PublicOrigin(origin): PublicOrigin,
) -> Result<axum::response::Response, AppError> {
    conv(&st, &id).await?;
    let svg = qr_svg(&participant_url(&origin, &id))?;
    let mut resp = ([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response();
    let h = resp.headers_mut();
    if st.limits.public_url.is_some() {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    } else {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=300"));
        h.insert(header::VARY, HeaderValue::from_static("Host, X-Forwarded-Host, X-Forwarded-Proto"));
    }
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statement_is_trimmed_and_checked_for_length() {
        assert_eq!(clean_statement("  Lampu jalan  ").unwrap(), "Lampu jalan");
        assert_eq!(clean_statement("   ").unwrap_err().code, "statement_empty");
        assert_eq!(clean_statement(&"a".repeat(281)).unwrap_err().code, "statement_too_long");
        assert!(clean_statement(&"é".repeat(280)).is_ok());
    }

    #[test]
    fn decomposed_accents_count_as_one_character() {
        // "e" + combining acute, 280 times: 560 code points before NFC, 280 after.
        let text = "e\u{301}".repeat(280);
        assert_eq!(clean_statement(&text).unwrap().chars().count(), 280);
    }
}
