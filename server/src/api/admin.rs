//! The moderator API (`mufakat_core::api::admin` holds the contract and the route list).
//! Every handler but login takes a [`Moderator`], so nothing here runs without a session,
//! and state-changing requests without the CSRF header are refused before they start.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use mufakat_core::api::admin::{
    ConversationAdmin, ConversationStats, ConversationSummary, Decision, DemographicQuestion,
    DemographicTally, GroupDemographic, GroupDemographics, LoginRequest, ModerationRequest,
    Moderator as ModeratorBody, NewConversation, OptionCount, SeedRefusal, SeedResult, SeedStatements,
    SettingsChange, StatementAdmin, XidSecret, MAX_ID_BYTES, MAX_MODERATED, MAX_REASON_CHARS, MAX_SEED_TEXTS,
    MIN_CELL,
};
use mufakat_core::api::events::LiveEvent;
use mufakat_core::api::settings::{check_chars, ConversationSettings, InvalidSetting};
#[allow(unused_imports)]
use mufakat_core::api::ErrorBody;
use mufakat_core::model::{Moderation, ParticipantId};
use mufakat_core::{AnalysisInput, AnalysisParams, StatementMeta};
use rand::Rng;

use super::openapi::ConversationId;
use super::translations::statement_language;
use super::{clean_statement, JsonBody};
use crate::auth::{self, check_csrf, session_cookie, session_token, token_hash, Moderator};
use crate::error::AppError;
use crate::live::visibility_changes;
use crate::origin::PublicHttps;
use crate::ratelimit::ClientAddress;
use crate::state::AppState;
use crate::store::{Conversation, NewStatement, StatementRow, StoreError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/login", post(login))
        .route("/api/v1/admin/logout", post(logout))
        .route("/api/v1/admin/me", get(me))
        .route("/api/v1/admin/conversations", get(list).post(create))
        .route("/api/v1/admin/conversations/{id}", get(show).patch(update))
        .route("/api/v1/admin/conversations/{id}/statements", get(statements).post(seed))
        .route("/api/v1/admin/conversations/{id}/moderation", post(moderate))
        .route("/api/v1/admin/conversations/{id}/close", post(close))
        .route("/api/v1/admin/conversations/{id}/reopen", post(reopen))
        .route("/api/v1/admin/conversations/{id}/stats", get(stats))
        .route("/api/v1/admin/conversations/{id}/demographics", get(demographics))
        .route("/api/v1/admin/conversations/{id}/export/{file}", get(export))
        .route("/api/v1/admin/conversations/{id}/xid-secret", get(xid_secret))
        .route("/api/v1/admin/conversations/{id}/xid-secret/rotate", post(rotate_xid_secret))
}

fn admin_view(c: &Conversation) -> ConversationAdmin {
    ConversationAdmin::new(&c.id, &c.settings, c.closed, c.created_at_ms)
}

pub(super) fn statement_admin(s: StatementRow) -> StatementAdmin {
    StatementAdmin {
        id: s.id,
        text: s.text,
        moderation: s.moderation,
        author: s.author,
        is_seed: s.is_seed,
        counts: s.counts,
        created_at_ms: s.created_at_ms,
        reason: s.reason,
        language: s.language,
        translations: s.translations,
    }
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/login",
    tag = "admin",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "sets the session cookie", body = ModeratorBody),
        (status = 401, description = "wrong username or password", body = ErrorBody),
        (status = 429, description = "too many attempts from this address (`rate_limited`) or \
            failures for this username (`login_locked`); see Retry-After", body = ErrorBody),
        (status = 503, description = "too many password checks under way (`busy`); see Retry-After",
            body = ErrorBody),
    )
)]
pub(super) async fn login(
    State(st): State<AppState>,
    method: Method,
    headers: HeaderMap,
    ClientAddress(client): ClientAddress,
    PublicHttps(https): PublicHttps,
    JsonBody(req): JsonBody<LoginRequest>,
) -> Result<Response, Response> {
    check_csrf(&method, &headers).map_err(IntoResponse::into_response)?;
    let token = auth::login(&st, client, &req.username, &req.password).await?.ok_or_else(|| {
        AppError::new(StatusCode::UNAUTHORIZED, "bad_credentials", "wrong username or password")
            .into_response()
    })?;
    tracing::info!(username = %req.username, "moderator logged in");
    let cookie = session_cookie(&token, auth::SESSION_MS / 1000, https);
    Ok((AppendHeaders([(header::SET_COOKIE, cookie)]), Json(ModeratorBody { username: req.username }))
        .into_response())
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/logout",
    tag = "admin",
    security(("moderator_session" = [])),
    responses((status = 204, description = "logged out; clears the session cookie"))
)]
pub(super) async fn logout(
    State(st): State<AppState>,
    _m: Moderator,
    headers: HeaderMap,
    PublicHttps(https): PublicHttps,
) -> Result<impl IntoResponse, AppError> {
    if let Some(token) = session_token(&headers) {
        st.store.delete_session(&token_hash(token)).await?;
    }
    Ok((AppendHeaders([(header::SET_COOKIE, session_cookie("", 0, https))]), StatusCode::NO_CONTENT))
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/me",
    tag = "admin",
    security(("moderator_session" = [])),
    responses((status = 200, body = ModeratorBody))
)]
pub(super) async fn me(m: Moderator) -> Json<ModeratorBody> {
    Json(ModeratorBody { username: m.username })
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/conversations",
    tag = "admin",
    security(("moderator_session" = [])),
    responses((status = 200, body = Vec<ConversationSummary>))
)]
pub(super) async fn list(
    State(st): State<AppState>,
    _m: Moderator,
) -> Result<Json<Vec<ConversationSummary>>, AppError> {
    let mut out = Vec::new();
    for c in st.store.conversations().await? {
        // Counts from memory (the vote log), not a count over every vote.
        let live = st.live.conv(&st.store, &c.id).await?;
        let totals = live.totals();
        let pending = live.statements().iter().filter(|s| s.moderation == Moderation::Pending).count();
        out.push(ConversationSummary {
            id: c.id,
            title: c.settings.title,
            closed: c.closed,
            participants: totals.participants,
            votes: totals.votes,
            pending_statements: pending as u32,
        });
    }
    Ok(Json(out))
}

/// A setting out of bounds is a 400 naming the field.
fn invalid(e: InvalidSetting) -> AppError {
    AppError::bad_request("invalid_field", e.message).field(e.field)
}

fn check_settings(settings: &ConversationSettings) -> Result<(), AppError> {
    settings.check().map_err(invalid)
}

fn new_id() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let mut rng = rand::thread_rng();
    (0..10).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect()
}

fn check_id(id: &str) -> Result<(), AppError> {
    let ok = !id.is_empty()
        && id.len() <= MAX_ID_BYTES
        && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !ok {
        let message = format!("the id must be 1 to {MAX_ID_BYTES} of a-z, 0-9, - and _");
        return Err(AppError::bad_request("invalid_field", message).field("id"));
    }
    Ok(())
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/conversations",
    tag = "admin",
    security(("moderator_session" = [])),
    request_body = NewConversation,
    responses(
        (status = 201, body = ConversationAdmin),
        (status = 409, description = "id taken", body = ErrorBody),
        (status = 503, description = "the store is busy; retry", body = ErrorBody),
    )
)]
pub(super) async fn create(
    State(st): State<AppState>,
    _m: Moderator,
    JsonBody(req): JsonBody<NewConversation>,
) -> Result<(StatusCode, Json<ConversationAdmin>), AppError> {
    let (id, settings, seeds) = req.into_parts();
    let id = match id {
        Some(id) => {
            check_id(&id)?;
            id
        }
        None => new_id(),
    };
    check_settings(&settings)?;
    let c = Conversation::with_settings(&id, settings);
    let seeds = seeds.iter().map(|s| clean_statement(s)).collect::<Result<Vec<_>, _>>()?;
    st.store.create_conversation(&c).await?;
    for text in &seeds {
        let seed = NewStatement {
            text,
            language: &c.settings.language,
            author: None,
            moderation: Moderation::Accepted,
            is_seed: true,
        };
        match st.store.add_statement(&id, &seed).await {
            Ok(_) | Err(StoreError::Duplicate) => {}
            Err(e) => return Err(e.into()),
        }
    }
    tracing::info!(conversation = %id, "conversation created");
    Ok((StatusCode::CREATED, Json(admin_view(&c))))
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/conversations/{id}",
    tag = "admin",
    params(ConversationId),
    security(("moderator_session" = [])),
    responses(
        (status = 200, body = ConversationAdmin),
        (status = 404, description = "unknown conversation", body = ErrorBody),
    )
)]
pub(super) async fn show(
    State(st): State<AppState>,
    _m: Moderator,
    Path(id): Path<String>,
) -> Result<Json<ConversationAdmin>, AppError> {
    Ok(Json(admin_view(&st.store.conversation(&id).await?)))
}

/// Reloads the conversation on every process after a change, and tells live streams.
pub(super) async fn changed(st: &AppState, id: &str) -> Result<(), AppError> {
    st.live.reload(&st.store, id).await?;
    st.hub.reload_elsewhere(id).await;
    Ok(())
}

#[utoipa::path(
    patch,
    path = "/api/v1/admin/conversations/{id}",
    tag = "admin",
    params(ConversationId),
    security(("moderator_session" = [])),
    request_body = SettingsChange,
    responses(
        (status = 200, body = ConversationAdmin),
        (status = 400, description = "a setting out of bounds, or a rejected statement pinned",
            body = ErrorBody),
        (status = 404, description = "unknown conversation, or pinned statement", body = ErrorBody),
    )
)]
pub(super) async fn update(
    State(st): State<AppState>,
    _m: Moderator,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<SettingsChange>,
) -> Result<Json<ConversationAdmin>, AppError> {
    let mut c = st.store.conversation(&id).await?;
    let before = st.store.statement_rows(&id).await?;
    let old = c.clone();
    let pins = req.pinned_statement.flatten();
    req.apply(&mut c.settings);
    check_settings(&c.settings)?;
    // A pin names a statement of this conversation that is not rejected.
    if let Some(pin) = pins {
        match before.iter().find(|s| s.id == pin) {
            None => return Err(AppError::not_found("statement").field("pinned_statement")),
            Some(s) if s.moderation == Moderation::Rejected => {
                return Err(AppError::bad_request("invalid_field", "a rejected statement cannot be pinned")
                    .field("pinned_statement"))
            }
            Some(_) => {}
        }
    }
    st.store.update_conversation(&c).await?;
    changed(&st, &id).await?;
    // Switching strict moderation on or off hides or shows pending statements.
    for s in &before {
        let (was, is) = (old.shows(s.moderation, s.is_meta), c.shows(s.moderation, s.is_meta));
        if was != is {
            st.hub.publish(&id, LiveEvent::Moderation { statement: s.id, visible: is }).await;
        }
    }
    Ok(Json(admin_view(&c)))
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/conversations/{id}/statements",
    tag = "admin",
    params(ConversationId),
    security(("moderator_session" = [])),
    responses(
        (status = 200, body = Vec<StatementAdmin>),
        (status = 404, description = "unknown conversation", body = ErrorBody),
    )
)]
pub(super) async fn statements(
    State(st): State<AppState>,
    _m: Moderator,
    Path(id): Path<String>,
) -> Result<Json<Vec<StatementAdmin>>, AppError> {
    let live = st.live.conv(&st.store, &id).await?;
    Ok(Json(live.statements().into_iter().map(statement_admin).collect()))
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/conversations/{id}/statements",
    tag = "admin",
    params(ConversationId),
    security(("moderator_session" = [])),
    request_body = SeedStatements,
    responses(
        (status = 200, body = SeedResult),
        (status = 404, description = "unknown conversation", body = ErrorBody),
        (status = 503, description = "the store is busy; retry", body = ErrorBody),
    )
)]
pub(super) async fn seed(
    State(st): State<AppState>,
    _m: Moderator,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<SeedStatements>,
) -> Result<Json<SeedResult>, AppError> {
    let c = st.store.conversation(&id).await?;
    let language = statement_language(req.language.as_deref(), &c.settings.language)?;
    if req.texts.len() > MAX_SEED_TEXTS {
        let message = format!("at most {MAX_SEED_TEXTS} statements at once");
        return Err(AppError::bad_request("invalid_field", message).field("texts"));
    }
    let mut result = SeedResult { added: Vec::new(), refused: Vec::new() };
    for raw in &req.texts {
        if raw.trim().is_empty() {
            continue;
        }
        let refuse = |code: &str| SeedRefusal { text: raw.clone(), code: code.to_string() };
        let text = match clean_statement(raw) {
            Ok(t) => t,
            Err(e) => {
                result.refused.push(refuse(e.code));
                continue;
            }
        };
        let new = NewStatement {
            text: &text,
            language: &language,
            author: None,
            moderation: Moderation::Accepted,
            is_seed: true,
        };
        match st.store.add_statement(&id, &new).await {
            Ok(row) => result.added.push(statement_admin(row)),
            Err(StoreError::Duplicate) => result.refused.push(refuse("duplicate_statement")),
            Err(e) => return Err(e.into()),
        }
    }
    changed(&st, &id).await?;
    let conv = st.live.conv(&st.store, &id).await?;
    for s in &result.added {
        if let Some(statement) = conv.visible_view(s.id) {
            st.hub.publish(&id, LiveEvent::Statement { statement }).await;
        }
    }
    Ok(Json(result))
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/conversations/{id}/moderation",
    tag = "admin",
    params(ConversationId),
    security(("moderator_session" = [])),
    request_body = ModerationRequest,
    responses(
        (status = 200, body = Vec<StatementAdmin>),
        (status = 404, description = "unknown conversation or statement", body = ErrorBody),
    )
)]
pub(super) async fn moderate(
    State(st): State<AppState>,
    _m: Moderator,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<ModerationRequest>,
) -> Result<Json<Vec<StatementAdmin>>, AppError> {
    let c = st.store.conversation(&id).await?;
    if req.statements.is_empty() || req.statements.len() > MAX_MODERATED {
        let message = format!("name 1 to {MAX_MODERATED} statements");
        return Err(AppError::bad_request("invalid_field", message).field("statements"));
    }
    if let Some(r) = &req.reason {
        check_chars(r, "reason", MAX_REASON_CHARS).map_err(invalid)?;
    }
    let moderation = match req.decision {
        Decision::Accept => Moderation::Accepted,
        Decision::Reject => Moderation::Rejected,
    };
    let before = st.store.statement_rows(&id).await?;
    st.store.moderate(&id, &req.statements, moderation, req.reason.as_deref()).await?;
    changed(&st, &id).await?;
    let conv = st.live.conv(&st.store, &id).await?;
    // Reloaded from the store just now, with the counts from the vote log.
    let after = conv.statements();
    for (statement, visible) in visibility_changes(&c, &before, &after) {
        if visible {
            if let Some(statement) = conv.visible_view(statement) {
                st.hub.publish(&id, LiveEvent::Statement { statement }).await;
            }
        }
        st.hub.publish(&id, LiveEvent::Moderation { statement, visible }).await;
    }
    Ok(Json(after.into_iter().filter(|s| req.statements.contains(&s.id)).map(statement_admin).collect()))
}

async fn set_closed(st: &AppState, id: &str, closed: bool) -> Result<Json<ConversationAdmin>, AppError> {
    let mut c = st.store.conversation(id).await?;
    c.closed = closed;
    st.store.update_conversation(&c).await?;
    changed(st, id).await?;
    st.hub.publish(id, LiveEvent::Closed { closed }).await;
    tracing::info!(conversation = %id, closed, "conversation closed or reopened");
    Ok(Json(admin_view(&c)))
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/conversations/{id}/close",
    tag = "admin",
    params(ConversationId),
    security(("moderator_session" = [])),
    responses(
        (status = 200, body = ConversationAdmin),
        (status = 404, description = "unknown conversation", body = ErrorBody),
    )
)]
pub(super) async fn close(
    State(st): State<AppState>,
    _m: Moderator,
    Path(id): Path<String>,
) -> Result<Json<ConversationAdmin>, AppError> {
    set_closed(&st, &id, true).await
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/conversations/{id}/reopen",
    tag = "admin",
    params(ConversationId),
    security(("moderator_session" = [])),
    responses(
        (status = 200, body = ConversationAdmin),
        (status = 404, description = "unknown conversation", body = ErrorBody),
    )
)]
pub(super) async fn reopen(
    State(st): State<AppState>,
    _m: Moderator,
    Path(id): Path<String>,
) -> Result<Json<ConversationAdmin>, AppError> {
    set_closed(&st, &id, false).await
}

/// Counts answers per option, suppressing cells of 1 to `MIN_CELL − 1`.
fn tallies(questions: &[DemographicQuestion], counts: &[(String, String, u32)]) -> Vec<DemographicTally> {
    questions
        .iter()
        .map(|q| DemographicTally {
            key: q.key.clone(),
            label: q.label.clone(),
            options: q
                .options
                .iter()
                .map(|o| {
                    let n = counts.iter().find(|(k, a, _)| k == &q.key && a == o).map_or(0, |c| c.2);
                    OptionCount { option: o.clone(), count: (n == 0 || n >= MIN_CELL).then_some(n) }
                })
                .collect(),
        })
        .collect()
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/conversations/{id}/stats",
    tag = "admin",
    params(ConversationId),
    security(("moderator_session" = [])),
    responses(
        (status = 200, body = ConversationStats),
        (status = 404, description = "unknown conversation", body = ErrorBody),
    )
)]
pub(super) async fn stats(
    State(st): State<AppState>,
    _m: Moderator,
    Path(id): Path<String>,
) -> Result<Json<ConversationStats>, AppError> {
    let c = st.store.conversation(&id).await?;
    // Counts from memory (the vote log), not a count over every vote.
    let live = st.live.conv(&st.store, &id).await?;
    let totals = live.totals();
    let statements = live.statements();
    let count = |m: Moderation| statements.iter().filter(|s| s.moderation == m).count() as u32;
    Ok(Json(ConversationStats {
        participants: totals.participants,
        voters: totals.voters,
        votes: totals.votes,
        statements_accepted: count(Moderation::Accepted),
        statements_pending: count(Moderation::Pending),
        statements_rejected: count(Moderation::Rejected),
        votes_per_hour: live.votes_per_hour(&st.store).await?,
        demographics: tallies(&c.settings.questions, &st.store.answer_counts(&id).await?),
    }))
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/conversations/{id}/demographics",
    tag = "admin",
    params(ConversationId),
    security(("moderator_session" = [])),
    responses(
        (status = 200, body = GroupDemographics),
        (status = 404, description = "unknown conversation", body = ErrorBody),
    )
)]
pub(super) async fn demographics(
    State(st): State<AppState>,
    _m: Moderator,
    Path(id): Path<String>,
) -> Result<Json<GroupDemographics>, AppError> {
    let view = st.live.conv(&st.store, &id).await?.view();
    if view.questions.is_empty() {
        return Ok(Json(GroupDemographics::default()));
    }
    // The same input as the report page's analysis: the public statements and votes, seed 0.
    let statements: Vec<StatementMeta> = view
        .statements
        .iter()
        .map(|s| StatementMeta { moderation: s.moderation, ..StatementMeta::new(s.id) })
        .collect();
    let votes = st.store.votes(&id).await?.records().map_err(AppError::internal)?;
    let answers = st.store.answers(&id).await?;
    let analysis = tokio::task::spawn_blocking(move || {
        let input = AnalysisInput { votes: &votes, statements: &statements };
        mufakat_core::analyse(&input, &AnalysisParams::default(), None)
    })
    .await
    .map_err(AppError::internal)?;
    let Ok(analysis) = analysis else {
        // Too few votes for groups yet: nothing to break down.
        return Ok(Json(GroupDemographics::default()));
    };
    Ok(Json(group_demographics(&view.questions, &analysis, &answers)))
}

/// Counts each group's answers; cells of 1 to `MIN_CELL − 1` are suppressed.
fn group_demographics(
    questions: &[DemographicQuestion],
    analysis: &mufakat_core::Analysis,
    answers: &[(ParticipantId, String, String)],
) -> GroupDemographics {
    let group_of: HashMap<ParticipantId, u32> =
        analysis.participants.iter().filter_map(|p| Some((p.id, p.group?))).collect();
    // One pass over the answers: (group, question, answer) → participants.
    let mut counts: HashMap<(u32, &str, &str), u32> = HashMap::new();
    for (p, question, answer) in answers {
        if let Some(&g) = group_of.get(p) {
            *counts.entry((g, question.as_str(), answer.as_str())).or_default() += 1;
        }
    }
    let groups = analysis
        .groups
        .iter()
        .map(|g| {
            let counted: Vec<(String, String, u32)> = counts
                .iter()
                .filter(|((group, _, _), _)| *group == g.id)
                .map(|(&(_, q, a), &n)| (q.to_string(), a.to_string(), n))
                .collect();
            GroupDemographic { group: g.id, size: g.size, questions: tallies(questions, &counted) }
        })
        .collect();
    GroupDemographics { groups }
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/conversations/{id}/export/{file}",
    tag = "admin",
    params(
        ConversationId,
        ("file" = String, Path, description = mufakat_core::report_files::moderator_file_names(),
            example = "votes.csv"),
    ),
    security(("moderator_session" = [])),
    responses(
        (status = 200, description = "the file", content(
            (String = "text/csv; charset=utf-8"),
            (Object = "application/json"),
        )),
        (status = 404, description = "unknown conversation or file", body = ErrorBody),
        (status = 409, description = "nothing to export yet: too few votes for an analysis",
            body = ErrorBody),
    )
)]
pub(super) async fn export(
    State(st): State<AppState>,
    _m: Moderator,
    Path((id, file)): Path<(String, String)>,
) -> Result<impl IntoResponse, AppError> {
    let (name, body) = crate::export::file(&st.store, &id, &file).await?;
    let content_type = mufakat_core::report_files::export_file(&name)
        .map_or_else(|| "text/plain".into(), |f| f.content_type());
    let disposition = format!("attachment; filename=\"{id}-{name}\"");
    Ok(([(header::CONTENT_TYPE, content_type.to_string()), (header::CONTENT_DISPOSITION, disposition)], body))
}

/// The secret, kept out of caches: it is as good as every xid's participant.
fn secret_answer(secret: String) -> impl IntoResponse {
    ([(header::CACHE_CONTROL, "no-store")], Json(XidSecret { secret }))
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/conversations/{id}/xid-secret",
    tag = "admin",
    params(ConversationId),
    security(("moderator_session" = [])),
    responses(
        (status = 200, description = "the secret an embedding site signs xids with \
            (docs/embedding.md)", body = XidSecret),
        (status = 404, description = "unknown conversation", body = ErrorBody),
    )
)]
pub(super) async fn xid_secret(
    State(st): State<AppState>,
    _m: Moderator,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, AppError> {
    Ok(secret_answer(st.store.xid_secret(&id).await?))
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/conversations/{id}/xid-secret/rotate",
    tag = "admin",
    params(ConversationId),
    security(("moderator_session" = [])),
    responses(
        (status = 200, description = "the new secret; proofs made with the old one are refused \
            from now on", body = XidSecret),
        (status = 404, description = "unknown conversation", body = ErrorBody),
    )
)]
pub(super) async fn rotate_xid_secret(
    State(st): State<AppState>,
    m: Moderator,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, AppError> {
    let secret = st.store.rotate_xid_secret(&id).await?;
    tracing::info!(conversation = %id, moderator = %m.username, "xid secret rotated");
    Ok(secret_answer(secret))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_demographic_cells_are_suppressed() {
        let q = [DemographicQuestion {
            key: "rw".into(),
            label: "RW".into(),
            options: vec!["01".into(), "02".into(), "03".into()],
        }];
        let counts = [("rw".to_string(), "01".to_string(), 12), ("rw".to_string(), "02".to_string(), 4)];
        let t = tallies(&q, &counts);
        let got: Vec<Option<u32>> = t[0].options.iter().map(|o| o.count).collect();
        assert_eq!(got, vec![Some(12), None, Some(0)]);
    }
}
