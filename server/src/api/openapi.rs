//! `GET /api/v1/openapi.json`: the API description, generated from the handlers'
//! `#[utoipa::path]` annotations and the shared body types (core's `openapi` feature).
//! Also `GET /docs/embedding.md`, the embedding guide the moderator console links to,
//! compiled in so it always describes the running server.

use axum::http::header;
use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;

use super::{admin, events, participant};
use crate::app::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "mufakat API", description = "Deliberation and consensus mapping: participant, moderator and live-event endpoints. Votes: agree = +1, disagree = -1, pass = 0."),
    paths(
        participant::conversation,
        participant::join,
        participant::next,
        participant::vote,
        participant::my_votes,
        participant::post_statement,
        participant::answers,
        participant::votes,
        participant::qr,
        events::events,
        admin::login,
        admin::logout,
        admin::me,
        admin::list,
        admin::create,
        admin::show,
        admin::update,
        admin::statements,
        admin::seed,
        admin::moderate,
        admin::close,
        admin::reopen,
        admin::stats,
        admin::demographics,
        admin::export,
        admin::xid_secret,
        admin::rotate_xid_secret,
    ),
    tags(
        (name = "participant", description = "Public and participant-token endpoints"),
        (name = "admin", description = "Moderator endpoints: session cookie `mufakat_session`; state changes need the header `x-mufakat-csrf: 1`"),
    )
)]
pub struct ApiDoc;

/// docs/embedding.md: how a site embeds a conversation with its own user ids.
const EMBEDDING_GUIDE: &str = include_str!("../../../docs/embedding.md");

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/openapi.json", get(|| async { Json(ApiDoc::openapi()) })).route(
        "/docs/embedding.md",
        // Plain text: every browser shows it rather than offering a download.
        get(|| async { ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], EMBEDDING_GUIDE) }),
    )
}
