//! One error type for every handler, rendered as the stable JSON body
//! `{ "error": { "code": "...", "message": "...", "field": "..." } }`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use mufakat_core::api::{ErrorBody, ErrorDetail};

use crate::store::StoreError;

#[derive(Debug)]
pub struct AppError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<&'static str>,
    /// A field named at run time (from a serde message).
    pub field_name: Option<String>,
    /// Seconds for a `Retry-After` header (a 429).
    pub retry_after: Option<u64>,
}

impl AppError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> AppError {
        AppError { status, code, message: message.into(), field: None, field_name: None, retry_after: None }
    }

    pub fn field(mut self, field: &'static str) -> AppError {
        self.field = Some(field);
        self
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> AppError {
        AppError::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn not_found(what: &str) -> AppError {
        AppError::new(StatusCode::NOT_FOUND, "not_found", format!("{what} not found"))
    }

    pub fn closed() -> AppError {
        AppError::new(StatusCode::CONFLICT, "conversation_closed", "this conversation is closed")
    }

    pub fn internal(e: impl std::fmt::Display) -> AppError {
        tracing::error!(error = %e, "internal failure");
        AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the server could not complete this")
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::NotFound(what) => AppError::not_found(what),
            StoreError::Duplicate => {
                AppError::new(StatusCode::CONFLICT, "duplicate_statement", e.to_string()).field("text")
            }
            StoreError::IdTaken => AppError::new(StatusCode::CONFLICT, "id_taken", e.to_string()).field("id"),
            StoreError::Busy => AppError::new(StatusCode::SERVICE_UNAVAILABLE, "busy", e.to_string()),
            other => {
                crate::metrics::count(&crate::metrics::METRICS.store_errors, store_error_kind(&other));
                tracing::error!(error = %other, "store failure");
                AppError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "the server could not complete this",
                )
            }
        }
    }
}

/// A store failure's kind, as a metrics label.
fn store_error_kind(e: &StoreError) -> &'static str {
    match e {
        StoreError::Db(sqlx::Error::PoolTimedOut) => "pool_timeout",
        StoreError::Db(sqlx::Error::Io(_)) => "io",
        StoreError::Db(_) => "database",
        StoreError::Corrupt(_) => "corrupt",
        StoreError::Migrate(_) => "migrate",
        _ => "other",
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message,
                field: self.field.map(str::to_string).or(self.field_name),
            },
        };
        let mut resp = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            resp.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(secs));
        }
        resp.extensions_mut().insert(crate::metrics::ErrorCode(self.code));
        resp
    }
}

/// Gives the whole-request timeout's 408 (from `tower_http`'s `TimeoutLayer`, which answers
/// with an empty body) the JSON error body every other refusal has.
pub async fn explain_timeout(res: Response) -> Response {
    if res.status() == StatusCode::REQUEST_TIMEOUT
        && !res.headers().contains_key(axum::http::header::CONTENT_TYPE)
    {
        let mut explained = AppError::new(
            StatusCode::REQUEST_TIMEOUT,
            "request_timeout",
            "the request was not complete in time; send it again",
        )
        .into_response();
        for (name, value) in res.headers() {
            explained.headers_mut().entry(name.clone()).or_insert(value.clone());
        }
        return explained;
    }
    res
}
