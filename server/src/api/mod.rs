//! The HTTP API under `/api/v1`. Handlers parse and authorise, the store does SQL, the core
//! does math; bodies are the shared types of `mufakat_core::api`.

mod admin;
mod codes;
mod events;
pub mod openapi;
mod outcomes;
mod participant;
mod published;
mod translations;
mod votelog;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, JsonRejection};
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};

use crate::error::AppError;
use crate::state::AppState;

pub use participant::clean_statement;

pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(participant::routes())
        .merge(votelog::routes())
        .merge(published::routes())
        .merge(events::routes())
        .merge(admin::routes())
        .merge(outcomes::routes())
        .merge(codes::routes())
        .merge(translations::routes())
        .merge(openapi::routes())
        .route("/api/v1/{*rest}", axum::routing::any(unknown_endpoint))
        .layer(axum::middleware::map_response(json_errors))
        .with_state(state)
}

/// Rejections axum writes itself are plain text (a path segment that is not UTF-8: "Invalid
/// URL: ..."); the API answers every error with its JSON error body, as the OpenAPI says.
async fn json_errors(response: Response) -> Response {
    let plain_text = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    if !response.status().is_client_error() || !plain_text {
        return response;
    }
    let status = response.status();
    let text = axum::body::to_bytes(response.into_body(), 4096).await.unwrap_or_default();
    let code = if status == StatusCode::NOT_FOUND { "not_found" } else { "bad_request" };
    AppError::new(status, code, String::from_utf8_lossy(&text)).into_response()
}

/// `Json` whose rejection is our JSON error body, naming the field serde complained about.
///
/// Every request body of this API is a JSON object. serde's derived `Deserialize` also takes
/// a struct from a sequence (`[]`, `[null, ...]` fill the fields in order), so a body that does
/// not start with `{` is refused here: checking the first byte costs nothing on the vote path.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        if !json_content_type(req.headers()) {
            return Err(AppError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as JSON, with `Content-Type: application/json`",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(body_rejection)?;
        if let Some(refusal) = not_an_object(&bytes) {
            return Err(refusal);
        }
        Json::<T>::from_bytes(&bytes).map(|Json(v)| JsonBody(v)).map_err(json_rejection)
    }
}

/// `application/json` or `application/*+json`, with any parameters: what axum's `Json` takes.
/// The whole number a raw query string gives for `key` (the last, if repeated), or `None`
/// when it has none. Any occurrence that is not a whole number from 0 is a 400 naming `key`:
/// "`key` must be `what` (a whole number from 0), not …".
pub(super) fn query_number<T: std::str::FromStr>(
    query: Option<&str>,
    key: &'static str,
    what: &str,
) -> Result<Option<T>, AppError> {
    let mut found = None;
    for pair in query.unwrap_or("").split('&') {
        let (k, value) = pair.split_once('=').unwrap_or((pair, ""));
        if k == key {
            let n = value.parse::<T>().map_err(|_| {
                AppError::bad_request(
                    "invalid_field",
                    format!("{key} must be {what} (a whole number from 0), not {value:?}"),
                )
                .field(key)
            })?;
            found = Some(n);
        }
    }
    Ok(found)
}

fn json_content_type(headers: &HeaderMap) -> bool {
    let Some(mime) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<mime::Mime>().ok())
    else {
        return false;
    };
    mime.type_() == mime::APPLICATION
        && (mime.subtype() == mime::JSON || mime.suffix().is_some_and(|s| s == mime::JSON))
}

/// The refusal of a body that is not a JSON object: malformed JSON keeps serde's message,
/// well-formed JSON of another type (an array, a string ...) is an invalid field.
fn not_an_object(bytes: &[u8]) -> Option<AppError> {
    let first = bytes.iter().copied().find(|b| !b.is_ascii_whitespace());
    if first == Some(b'{') {
        return None;
    }
    if let Err(e) = Json::<serde::de::IgnoredAny>::from_bytes(bytes) {
        return Some(json_rejection(e));
    }
    let kind = match first {
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b'n') => "null",
        Some(b't' | b'f') => "a boolean",
        _ => "a number",
    };
    Some(AppError::bad_request("invalid_field", format!("the body must be a JSON object, not {kind}")))
}

/// Reading the body failed: too large (413, the body limit) or cut off (400).
fn body_rejection(rejection: BytesRejection) -> AppError {
    let status = rejection.status();
    let code = if status == StatusCode::PAYLOAD_TOO_LARGE { "payload_too_large" } else { "bad_request" };
    AppError::new(status, code, rejection.body_text())
}

fn json_rejection(rejection: JsonRejection) -> AppError {
    let status = rejection.status();
    let message = rejection.body_text();
    let code = match &rejection {
        JsonRejection::MissingJsonContentType(_) => "unsupported_media_type",
        JsonRejection::JsonSyntaxError(_) => "malformed_json",
        JsonRejection::JsonDataError(_) => "invalid_field",
        _ if status == StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        _ => "bad_request",
    };
    let field = match &rejection {
        JsonRejection::JsonDataError(e) => field_of(&e.body_text()),
        _ => None,
    };
    // Body-size rejections and the like keep their own status (413 ...); data errors are 400.
    let status = if status == StatusCode::UNPROCESSABLE_ENTITY { StatusCode::BAD_REQUEST } else { status };
    let mut e = AppError::new(status, code, message);
    e.field_name = field;
    e
}

/// The field serde names in "...: missing field `text` at ..." or "...: statement: invalid type ...".
fn field_of(message: &str) -> Option<String> {
    if let Some(rest) = message.split("missing field `").nth(1) {
        return rest.split('`').next().map(str::to_string);
    }
    if let Some(rest) = message.split("unknown field `").nth(1) {
        return rest.split('`').next().map(str::to_string);
    }
    // serde_path_to_error style: "Failed to deserialize the JSON body into the target type: vote: unknown variant ..."
    let tail = message.split("target type: ").nth(1)?;
    let (path, _) = tail.split_once(": ")?;
    (!path.contains(' ')).then(|| path.to_string())
}

async fn unknown_endpoint() -> AppError {
    AppError::not_found("endpoint")
}

#[cfg(test)]
mod tests {
    use super::field_of;

    #[test]
    fn field_is_found_in_serde_messages() {
        assert_eq!(
            field_of("Failed to deserialize the JSON body into the target type: missing field `text` at line 1 column 2"),
            Some("text".into())
        );
        assert_eq!(
            field_of("Failed to deserialize the JSON body into the target type: vote: unknown variant `yes`, expected one of"),
            Some("vote".into())
        );
    }
}
