//! Invitation codes (`mufakat_core::api::codes`): moderators generate, count and revoke
//! them; a participant joins with one (`participant.rs`'s join calls [`join_with_code`]).
//!
//! The server keeps only a hash of each code ([`crate::store::code_hash`]) and never the
//! participant a code made, and no code is logged: they travel only in request and response
//! bodies, and the printed link carries them in the fragment, which browsers do not send.
//! Failed attempts are limited per client address (`--code-attempts-per-minute`); a join that
//! takes a code gives its attempt back.

use std::net::IpAddr;

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use mufakat_core::api::codes::{
    join_link, new_code, normalize_code, CodeCounts, GenerateCodes, GeneratedCodes, NewCode, RevokeCodes,
    CODE_LEN, MAX_CODES_PER_REQUEST,
};
#[allow(unused_imports)]
use mufakat_core::api::ErrorBody;
use mufakat_core::model::ParticipantId;

use super::openapi::ConversationId;
use super::participant::{participant_url, qr_svg};
use super::JsonBody;
use crate::auth::Moderator;
use crate::error::AppError;
use crate::login_guard::address_key;
use crate::origin::PublicOrigin;
use crate::state::AppState;
use crate::store::{code_hash, CodeJoin};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/conversations/{id}/codes", get(counts).post(generate))
        .route("/api/v1/admin/conversations/{id}/codes/revoke", post(revoke))
}

/// 403 `code_required`: an invitation-only conversation joined without a code.
pub(super) fn code_required() -> AppError {
    AppError::new(
        StatusCode::FORBIDDEN,
        "code_required",
        "this conversation takes only people with an invitation code: enter the code from your slip",
    )
    .field("code")
}

fn malformed() -> AppError {
    AppError::bad_request(
        "code_malformed",
        format!("an invitation code is {CODE_LEN} letters and digits, like ABCDE-FGHJK"),
    )
    .field("code")
}

fn refusal(why: &CodeJoin) -> AppError {
    let (status, code, message) = match why {
        CodeJoin::Used => (
            StatusCode::CONFLICT,
            "code_used",
            "this invitation code was used already: each code lets one person in once",
        ),
        CodeJoin::Revoked => {
            (StatusCode::FORBIDDEN, "code_revoked", "this invitation code was withdrawn by the organisers")
        }
        _ => (
            StatusCode::FORBIDDEN,
            "code_unknown",
            "this is not an invitation code of this conversation: check the code and the link",
        ),
    };
    AppError::new(status, code, message).field("code")
}

/// Joins conversation `id` with `code` for a client at `client`: the new participant's token
/// and id, or why not (nothing changed then). Every attempt takes one of the address's
/// tokens first (so concurrent guesses cannot overdraw it); a join that takes a code gives
/// it back.
pub(super) async fn join_with_code(
    st: &AppState,
    id: &str,
    client: IpAddr,
    code: &str,
) -> Result<(String, ParticipantId), AppError> {
    let key = address_key(client);
    if let Err(wait) = st.code_attempts.check(key) {
        let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
        let mut e = AppError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("too many wrong invitation codes from this address; try again in {secs} s"),
        );
        e.retry_after = Some(secs);
        return Err(e);
    }
    let code = normalize_code(code).ok_or_else(malformed)?;
    match st.store.join_with_code(id, &code_hash(id, &code)).await? {
        CodeJoin::Joined { token, participant } => {
            st.code_attempts.refund(&key);
            Ok((token, participant))
        }
        why => Err(refusal(&why)),
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/conversations/{id}/codes",
    tag = "admin",
    params(ConversationId),
    security(("moderator_session" = [])),
    responses(
        (status = 200, body = CodeCounts),
        (status = 404, description = "unknown conversation", body = ErrorBody),
    )
)]
pub(super) async fn counts(
    State(st): State<AppState>,
    _m: Moderator,
    Path(id): Path<String>,
) -> Result<Json<CodeCounts>, AppError> {
    st.store.conversation(&id).await?;
    Ok(Json(st.store.code_counts(&id).await?))
}

/// New codes, each with its slip's link and QR code. This answer is the only copy of the
/// codes (the store keeps their hashes), so it is never cached.
#[utoipa::path(
    post,
    path = "/api/v1/admin/conversations/{id}/codes",
    tag = "admin",
    params(ConversationId),
    security(("moderator_session" = [])),
    request_body = GenerateCodes,
    responses(
        (status = 201, body = GeneratedCodes),
        (status = 400, description = "count outside 1 to 200 (invalid_field)", body = ErrorBody),
        (status = 404, description = "unknown conversation", body = ErrorBody),
    )
)]
pub(super) async fn generate(
    State(st): State<AppState>,
    m: Moderator,
    Path(id): Path<String>,
    PublicOrigin(origin): PublicOrigin,
    JsonBody(req): JsonBody<GenerateCodes>,
) -> Result<Response, AppError> {
    if req.count == 0 || req.count > MAX_CODES_PER_REQUEST {
        let message = format!("count must be 1 to {MAX_CODES_PER_REQUEST}");
        return Err(AppError::bad_request("invalid_field", message).field("count"));
    }
    st.store.conversation(&id).await?;
    let mut rng = rand::rngs::OsRng;
    let mut codes: Vec<String> = Vec::with_capacity(req.count as usize);
    // A repeat of a stored code (50 random bits: about never) is not stored again: it is
    // left out and another drawn.
    for _ in 0..8 {
        let fresh: Vec<String> = (codes.len()..req.count as usize).map(|_| new_code(&mut rng)).collect();
        if fresh.is_empty() {
            break;
        }
        let hashes: Vec<String> = fresh.iter().map(|c| code_hash(&id, c)).collect();
        let added = st.store.add_codes(&id, &hashes).await?;
        codes.extend(fresh.into_iter().zip(added).filter(|(_, new)| *new).map(|(c, _)| c));
    }
    let url = participant_url(&origin, &id);
    let codes = codes
        .iter()
        .map(|code| {
            let link = join_link(&url, code);
            Ok(NewCode { code: mufakat_core::api::codes::format_code(code), qr_svg: qr_svg(&link)?, link })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    tracing::info!(conversation = %id, moderator = %m.username, count = codes.len(), "invitation codes made");
    let body = GeneratedCodes { codes, counts: st.store.code_counts(&id).await? };
    let mut resp = (StatusCode::CREATED, Json(body)).into_response();
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/conversations/{id}/codes/revoke",
    tag = "admin",
    params(ConversationId),
    security(("moderator_session" = [])),
    request_body = RevokeCodes,
    responses(
        (status = 200, description = "the counts after revoking", body = CodeCounts),
        (status = 400, description = "not a code (code_malformed)", body = ErrorBody),
        (status = 403, description = "not a code of this conversation (code_unknown), or revoked \
            already (code_revoked)", body = ErrorBody),
        (status = 404, description = "unknown conversation", body = ErrorBody),
        (status = 409, description = "the code was used: its participant stays (code_used)",
            body = ErrorBody),
    )
)]
pub(super) async fn revoke(
    State(st): State<AppState>,
    m: Moderator,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<RevokeCodes>,
) -> Result<Json<CodeCounts>, AppError> {
    st.store.conversation(&id).await?;
    let hash = match req.code.as_deref() {
        Some(code) => Some(code_hash(&id, &normalize_code(code).ok_or_else(malformed)?)),
        None => None,
    };
    if let Some(why) = st.store.revoke_codes(&id, hash.as_deref()).await? {
        return Err(refusal(&why));
    }
    tracing::info!(conversation = %id, moderator = %m.username, one = hash.is_some(), "invitation codes revoked");
    Ok(Json(st.store.code_counts(&id).await?))
}
