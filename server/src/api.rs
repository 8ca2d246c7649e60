//! The participant API under `/api/v1`. Handlers parse and authorise, the store does SQL,
//! the core does math.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use mufakat_core::api::{
    ConversationView, JoinRequest, JoinResponse, NextStatement, PostStatementRequest, PostStatementResponse,
    VoteRequest, VoteResponse, VotesCompact, MAX_STATEMENT_CHARS, PARTICIPANT_TOKEN_HEADER,
};
use mufakat_core::model::{Moderation, ParticipantId};
use rand::Rng;
use unicode_normalization::UnicodeNormalization;

use crate::error::AppError;
use crate::store::{Conversation, NewStatement, Store};

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/v1/conversations/{id}", get(conversation))
        .route("/api/v1/conversations/{id}/participants", post(join))
        .route("/api/v1/conversations/{id}/next", get(next))
        .route("/api/v1/conversations/{id}/votes", post(vote).get(votes))
        .route("/api/v1/conversations/{id}/statements", post(post_statement))
        .route("/api/v1/{*rest}", axum::routing::any(unknown_endpoint))
        .with_state(state)
}

/// `Json` whose rejection is our JSON error body, naming the field serde complained about.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(JsonBody(v)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> AppError {
    let status = rejection.status();
    let message = rejection.body_text();
    let code = match rejection {
        JsonRejection::MissingJsonContentType(_) => "unsupported_media_type",
        JsonRejection::JsonSyntaxError(_) => "malformed_json",
        JsonRejection::JsonDataError(_) => "invalid_field",
        _ => "bad_request",
    };
    // Body-size rejections and the like keep their own status (413 ...); data errors are 400.
    let status = if status == StatusCode::UNPROCESSABLE_ENTITY { StatusCode::BAD_REQUEST } else { status };
    AppError::new(status, code, message)
}

async fn unknown_endpoint() -> AppError {
    AppError::not_found("endpoint")
}

async fn conversation(
    State(st): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ConversationView>, AppError> {
    Ok(Json(st.store.conversation_view(&id).await?))
}

async fn join(
    State(st): State<AppState>,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<JoinRequest>,
) -> Result<Json<JoinResponse>, AppError> {
    st.store.conversation(&id).await?;
    if req.xid.as_deref().is_some_and(|x| x.is_empty() || x.len() > 200) {
        return Err(AppError::bad_request("invalid_field", "xid must be 1 to 200 bytes").field("xid"));
    }
    let (token, participant) = st.store.join(&id, req.token.as_deref(), req.xid.as_deref()).await?;
    Ok(Json(JoinResponse { token, participant }))
}

/// The participant named by the token header; a token from another conversation is refused.
async fn participant(
    st: &AppState,
    conversation: &str,
    headers: &HeaderMap,
) -> Result<ParticipantId, AppError> {
    let token = headers
        .get(PARTICIPANT_TOKEN_HEADER)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| AppError::new(StatusCode::UNAUTHORIZED, "no_token", "join the conversation first"))?;
    st.store
        .participant_by_token(conversation, token)
        .await?
        .ok_or_else(|| AppError::new(StatusCode::UNAUTHORIZED, "bad_token", "unknown participant token"))
}

/// Picks the next statement: never one already voted on, never the participant's own;
/// weighted towards statements with few votes (the novelty boost of Pol.is routing).
async fn next_statement(
    st: &AppState,
    c: &Conversation,
    participant: ParticipantId,
) -> Result<NextStatement, AppError> {
    let voted: std::collections::HashSet<_> =
        st.store.voted_by(&c.id, participant).await?.into_iter().collect();
    let candidates: Vec<_> = st
        .store
        .visible_statements(c)
        .await?
        .into_iter()
        .filter(|s| !voted.contains(&s.view.id) && s.author != Some(participant))
        .collect();
    let weights: Vec<f64> = candidates
        .iter()
        .map(|s| {
            let seen = f64::from(s.view.counts.total());
            (1.0 + 8.0 * 2f64.powf(-seen / 5.0)).powi(2)
        })
        .collect();
    let total: f64 = weights.iter().sum();
    let mut pick = rand::thread_rng().gen::<f64>() * total;
    let mut chosen = None;
    for (s, w) in candidates.iter().zip(&weights) {
        chosen = Some(s.view.clone());
        if pick < *w {
            break;
        }
        pick -= w;
    }
    Ok(NextStatement { statement: chosen, remaining: candidates.len() as u32, voted: voted.len() as u32 })
}

async fn next(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<NextStatement>, AppError> {
    let c = st.store.conversation(&id).await?;
    let p = participant(&st, &id, &headers).await?;
    Ok(Json(next_statement(&st, &c, p).await?))
}

async fn vote(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(req): JsonBody<VoteRequest>,
) -> Result<Json<VoteResponse>, AppError> {
    let c = st.store.conversation(&id).await?;
    let p = participant(&st, &id, &headers).await?;
    if c.closed {
        return Err(AppError::new(
            StatusCode::CONFLICT,
            "conversation_closed",
            "this conversation is closed",
        ));
    }
    let visible = st.store.visible_statements(&c).await?;
    if !visible.iter().any(|s| s.view.id == req.statement) {
        return Err(AppError::not_found("statement").field("statement"));
    }
    st.store.cast_vote(&id, p, req.statement, req.vote).await?;
    let next = next_statement(&st, &c, p).await?;
    Ok(Json(VoteResponse { statement: req.statement, vote: req.vote, next }))
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

async fn post_statement(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(req): JsonBody<PostStatementRequest>,
) -> Result<(StatusCode, Json<PostStatementResponse>), AppError> {
    let c = st.store.conversation(&id).await?;
    let p = participant(&st, &id, &headers).await?;
    if c.closed {
        return Err(AppError::new(
            StatusCode::CONFLICT,
            "conversation_closed",
            "this conversation is closed",
        ));
    }
    if !c.allow_statements {
        return Err(AppError::new(
            StatusCode::FORBIDDEN,
            "statements_disabled",
            "this conversation does not take statements from participants",
        ));
    }
    let text = clean_statement(&req.text)?;
    let moderation = if c.strict_moderation { Moderation::Pending } else { Moderation::Accepted };
    let statement = st
        .store
        .add_statement(&id, &NewStatement { text: &text, author: Some(p), moderation, is_seed: false })
        .await?;
    Ok((StatusCode::CREATED, Json(PostStatementResponse { statement })))
}

async fn votes(State(st): State<AppState>, Path(id): Path<String>) -> Result<Json<VotesCompact>, AppError> {
    st.store.conversation(&id).await?;
    Ok(Json(st.store.votes(&id).await?))
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
