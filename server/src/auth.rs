//! Who is asking. Moderator accounts and sessions: argon2 password hashes, random session
//! tokens of which only a BLAKE2 hash is stored, and the `Moderator` extractor that refuses
//! every admin request without a live session (401) and every state-changing one without the
//! CSRF header (403). Participants: the `Participant` extractor, the holder of a participant
//! token of the path's conversation (401 without one).

use std::time::Duration;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::sync::Arc;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use blake2::{Blake2b512, Digest};
use mufakat_core::api::admin::{CSRF_HEADER, SESSION_COOKIE};
use mufakat_core::api::PARTICIPANT_TOKEN_HEADER;
use mufakat_core::model::ParticipantId;

use crate::error::AppError;
use crate::live::ConvState;
use crate::login_guard::Refusal;
use crate::state::AppState;
use crate::store::{new_token, now_ms};

/// Sessions last a day of town halls.
pub const SESSION_MS: i64 = 24 * 3600 * 1000;

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing the password: {e}"))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

pub fn token_hash(token: &str) -> String {
    Blake2b512::digest(token.as_bytes()).iter().take(32).map(|b| format!("{b:02x}")).collect()
}

/// A hash no password matches, checked for unknown usernames so that they cost the same
/// time as known ones (usernames cannot be probed by timing).
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$AAAAAAAAAAAAAAAAAAAAAA";

/// Checks a username and password from `client` through the login guard (attempt limits
/// and the bounded argon2 pool, see [`crate::login_guard`]); on success opens a session and
/// returns its token. A refusal is the response to send (429 or 503 with `Retry-After`).
pub async fn login(
    st: &AppState,
    client: std::net::IpAddr,
    username: &str,
    password: &str,
) -> Result<Option<String>, Response> {
    st.logins.check_address(client).map_err(refusal)?;
    let stored =
        st.store.admin_password_hash(username).await.map_err(|e| AppError::from(e).into_response())?;
    let hash = stored.unwrap_or_else(|| DUMMY_HASH.to_string());
    let password = password.to_string();
    let ok = st
        .logins
        .check_password(username, move || verify_password(&password, &hash))
        .await
        .map_err(refusal)?;
    if !ok {
        return Ok(None);
    }
    let token = new_token();
    st.store
        .create_session(&token_hash(&token), username, now_ms() + SESSION_MS)
        .await
        .map_err(|e| AppError::from(e).into_response())?;
    Ok(Some(token))
}

/// 429 with the wait for a limit, 503 for a full pool; both with `Retry-After`.
fn refusal(r: Refusal) -> Response {
    let (status, code, wait, message) = match r {
        Refusal::Address(wait) => {
            (StatusCode::TOO_MANY_REQUESTS, "rate_limited", wait, "too many login attempts from this address")
        }
        Refusal::Username(wait) => {
            (StatusCode::TOO_MANY_REQUESTS, "login_locked", wait, "too many failed logins for this username")
        }
        Refusal::Busy => (
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            Duration::from_secs(1),
            "the server is checking too many passwords",
        ),
    };
    let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
    let mut resp = AppError::new(status, code, format!("{message}; retry in {secs} s")).into_response();
    resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
    resp
}

/// The `Set-Cookie` value for a session (empty token and zero age log out); `secure` (the
/// request's public origin is https, see [`crate::origin`]) keeps browsers from ever sending
/// it over plain HTTP.
pub fn session_cookie(token: &str, max_age_s: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_s}{secure}")
}

pub fn session_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v)
}

/// Refuses a state-changing request that lacks `x-mufakat-csrf: 1`.
pub fn check_csrf(method: &Method, headers: &HeaderMap) -> Result<(), AppError> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    match headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        Some("1") => Ok(()),
        _ => Err(AppError::new(
            StatusCode::FORBIDDEN,
            "csrf",
            format!("state-changing admin requests need the header {CSRF_HEADER}: 1"),
        )),
    }
}

/// A logged-in moderator: extracting it authorises the request.
pub struct Moderator {
    pub username: String,
}

impl FromRequestParts<AppState> for Moderator {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, AppError> {
        let unauthorised =
            || AppError::new(StatusCode::UNAUTHORIZED, "unauthorised", "log in as a moderator first");
        let token = session_token(&parts.headers).ok_or_else(unauthorised)?;
        let username = st.store.session_user(&token_hash(token)).await?.ok_or_else(unauthorised)?;
        check_csrf(&parts.method, &parts.headers)?;
        Ok(Moderator { username })
    }
}

/// The participant named by the `x-participant-token` header in the conversation of the
/// path's `{id}`, with their votes loaded into memory. Refuses an unknown conversation (404),
/// a request without the header (401 `no_token`) and a token that is not one of this
/// conversation's (401 `bad_token`), before the request's body is read.
pub struct Participant {
    /// The conversation, as this process serves it.
    pub conv: Arc<ConvState>,
    pub id: ParticipantId,
}

impl FromRequestParts<AppState> for Participant {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Response> {
        let Path(id) =
            Path::<String>::from_request_parts(parts, st).await.map_err(IntoResponse::into_response)?;
        let conv = st.live.conv(&st.store, &id).await.map_err(|e| AppError::from(e).into_response())?;
        let id = participant(st, &conv, &parts.headers).await.map_err(IntoResponse::into_response)?;
        Ok(Participant { conv, id })
    }
}

async fn participant(st: &AppState, c: &ConvState, headers: &HeaderMap) -> Result<ParticipantId, AppError> {
    let token = headers
        .get(PARTICIPANT_TOKEN_HEADER)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| AppError::new(StatusCode::UNAUTHORIZED, "no_token", "join the conversation first"))?;
    let p =
        st.live.participant(&st.store, &c.id, token).await?.ok_or_else(|| {
            AppError::new(StatusCode::UNAUTHORIZED, "bad_token", "unknown participant token")
        })?;
    if !c.has_votes_of(p) {
        let votes = st.store.votes_of(&c.id, p).await?;
        c.set_votes_of(p, votes);
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_hash_verifies_only_the_right_password() {
        let h = hash_password("kelurahan-2026").unwrap();
        assert!(verify_password("kelurahan-2026", &h));
        assert!(!verify_password("kelurahan-2025", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn session_cookie_is_found_among_others() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, "a=1; mufakat_session=abc; b=2".parse().unwrap());
        assert_eq!(session_token(&h), Some("abc"));
    }
}
