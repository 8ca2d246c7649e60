//! The HTTP API under `/api/v1`. Handlers parse and authorise, the store does SQL, the core
//! does math; bodies are the shared types of `mufakat_core::api`.

mod admin;
mod events;
pub mod openapi;
mod participant;
mod votelog;

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::{Json, Router};

use crate::app::AppState;
use crate::error::AppError;

pub use participant::clean_statement;

pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(participant::routes())
        .merge(votelog::routes())
        .merge(events::routes())
        .merge(admin::routes())
        .merge(openapi::routes())
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
