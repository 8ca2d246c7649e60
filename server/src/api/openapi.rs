//! `GET /api/v1/openapi.json`: the API description, generated from the handlers'
//! `#[utoipa::path]` annotations and the shared body types (core's `openapi` feature).
//!
//! A handler's annotation lists what the handler itself decides (its success, 404, 409 ...).
//! What the router's layers and the shared extractors answer on every route is added once,
//! by [`CommonResponses`], from what the annotation declares (a request body, a `security`
//! requirement) and the route's path, so a new route cannot forget it.
//!
//! Also `GET /docs/embedding.md`, the embedding guide the moderator console links to,
//! compiled in so it always describes the running server.

use axum::http::header;
use axum::routing::get;
use axum::{Json, Router};
use mufakat_core::api::admin::{CSRF_HEADER, SESSION_COOKIE};
use mufakat_core::api::{ErrorBody, PARTICIPANT_TOKEN_HEADER};
use utoipa::openapi::path::{HttpMethod, Operation, Parameter, ParameterBuilder, ParameterIn, PathItem};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, HeaderBuilder, Ref, RefOr, Required, Response, ResponseBuilder};
use utoipa::{Modify, OpenApi};

use super::{admin, codes, events, outcomes, participant, published, translations, votelog};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "mufakat API",
        description = "Deliberation and consensus mapping: participant, moderator and live-event \
            endpoints. Votes: agree = +1, disagree = -1, pass = 0."
    ),
    paths(
        participant::conversation,
        participant::join,
        participant::next,
        participant::vote,
        participant::my_votes,
        participant::statement_origins,
        participant::post_statement,
        participant::answers,
        participant::votes,
        participant::qr,
        votelog::head,
        votelog::segment,
        votelog::times,
        published::head,
        published::document,
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
        outcomes::list,
        outcomes::feed,
        outcomes::create,
        outcomes::edit,
        outcomes::remove,
        codes::counts,
        codes::generate,
        codes::revoke,
        translations::put_one,
        translations::delete_one,
        translations::import,
    ),
    components(schemas(ErrorBody)),
    modifiers(&CommonResponses),
    tags(
        (name = "participant", description = "Public and participant-token endpoints"),
        (name = "admin", description = "Moderator endpoints: session cookie `mufakat_session`; \
            state changes need the header `x-mufakat-csrf: 1`"),
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

/// The `security` requirement of routes that take the `x-participant-token` header.
pub const PARTICIPANT_TOKEN: &str = "participant_token";
/// The `security` requirement of routes that need a moderator's session cookie.
pub const MODERATOR_SESSION: &str = "moderator_session";

/// The `{id}` of every conversation route (documentation only: handlers take `Path<String>`).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub(super) struct ConversationId {
    /// Conversation id (the demo conversation's is `demo`).
    #[param(example = "demo")]
    id: String,
}

/// The answers every route can give because of the router's layers and shared extractors:
/// - every route: 400 (a malformed request) and 429 (the per-address and per-participant
///   rate limits of `app::rate_limit`, with `Retry-After`);
/// - a route with a request body (`JsonBody`): 413 (the body limit) and 415 (not JSON);
/// - a route with the `participant_token` or `moderator_session` requirement: 401;
/// - a state change under `/api/v1/admin/` (login included): the CSRF header, and 403
///   without it (`auth::check_csrf`).
///
/// A status the annotation already documents keeps the annotation's description.
struct CommonResponses;

/// The shared responses, by the name they have under `components/responses`.
fn common_responses() -> Vec<(&'static str, Response)> {
    let error = |description: &str| {
        let json = ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build();
        ResponseBuilder::new().description(description).content("application/json", json)
    };
    let retry_after = HeaderBuilder::new()
        .schema(ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(1)))
        .description(Some("seconds to wait before retrying"))
        .build();
    vec![
        (
            "BadRequest",
            error("A malformed request: a body that is not JSON or not a JSON object, or a field of the wrong type or out of bounds (`error.field` names it)").build(),
        ),
        ("PayloadTooLarge", error("The body is larger than the server's limit (`--max-body-bytes`)").build()),
        ("UnsupportedMediaType", error("The body is not sent as `Content-Type: application/json`").build()),
        (
            "TooManyRequests",
            error("Rate limited, per client address and per participant token; retry after `Retry-After` seconds")
                .header("Retry-After", retry_after)
                .build(),
        ),
        ("Unauthorised", error("No valid participant token or moderator session").build()),
        ("CsrfMissing", error("A state-changing moderator request without the header `x-mufakat-csrf: 1`").build()),
    ]
}

impl Modify for CommonResponses {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            PARTICIPANT_TOKEN,
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                PARTICIPANT_TOKEN_HEADER,
                "the token `POST /api/v1/conversations/{id}/participants` returns",
            ))),
        );
        components.add_security_scheme(
            MODERATOR_SESSION,
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                SESSION_COOKIE,
                "set by `POST /api/v1/admin/login`",
            ))),
        );
        for (name, response) in common_responses() {
            components.responses.insert(name.into(), RefOr::T(response));
        }
        let authenticated =
            [PARTICIPANT_TOKEN, MODERATOR_SESSION].map(|s| SecurityRequirement::new(s, [""; 0]));
        for (path, item) in api.paths.paths.iter_mut() {
            for (method, op) in operations(item) {
                add(op, "400", "BadRequest");
                add(op, "429", "TooManyRequests");
                if op.request_body.is_some() {
                    add(op, "413", "PayloadTooLarge");
                    add(op, "415", "UnsupportedMediaType");
                }
                if op.security.as_ref().is_some_and(|s| s.iter().any(|r| authenticated.contains(r))) {
                    add(op, "401", "Unauthorised");
                }
                if path.starts_with("/api/v1/admin/") && method != HttpMethod::Get {
                    op.parameters.get_or_insert_with(Vec::new).push(csrf_header());
                    add(op, "403", "CsrfMissing");
                }
            }
        }
    }
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = (HttpMethod, &mut Operation)> {
    [
        (HttpMethod::Get, &mut item.get),
        (HttpMethod::Post, &mut item.post),
        (HttpMethod::Put, &mut item.put),
        (HttpMethod::Patch, &mut item.patch),
        (HttpMethod::Delete, &mut item.delete),
    ]
    .into_iter()
    .filter_map(|(method, op)| Some((method, op.as_mut()?)))
}

/// Documents `status` as the shared response `name`, unless the annotation documents it.
fn add(op: &mut Operation, status: &str, name: &str) {
    op.responses.responses.entry(status.into()).or_insert_with(|| RefOr::Ref(Ref::from_response_name(name)));
}

fn csrf_header() -> Parameter {
    ParameterBuilder::new()
        .name(CSRF_HEADER)
        .parameter_in(ParameterIn::Header)
        .required(Required::True)
        .description(Some("`1`: a cross-site form cannot set it"))
        .schema(Some(ObjectBuilder::new().schema_type(Type::String).enum_values(Some(["1"]))))
        .build()
}
