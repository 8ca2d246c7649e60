//! The JSON API client. Bodies are the shared types of `mufakat_core::api`.

use gloo_net::http::{Request, RequestBuilder, Response};
use mufakat_core::api::{ErrorBody, PARTICIPANT_TOKEN_HEADER};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Why a request failed: the server's own error, or no answer at all.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    Server { status: u16, code: String, message: String },
    Network(String),
}

impl ApiError {
    pub fn code(&self) -> &str {
        match self {
            ApiError::Server { code, .. } => code,
            ApiError::Network(_) => "network",
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Server { status, .. } => Some(*status),
            ApiError::Network(_) => None,
        }
    }
}

fn with_token(builder: RequestBuilder, token: Option<&str>) -> RequestBuilder {
    match token {
        Some(t) => builder.header(PARTICIPANT_TOKEN_HEADER, t),
        None => builder,
    }
}

async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    if response.ok() {
        return response.json::<T>().await.map_err(|e| ApiError::Network(e.to_string()));
    }
    let status = response.status();
    match response.json::<ErrorBody>().await {
        Ok(body) => Err(ApiError::Server { status, code: body.error.code, message: body.error.message }),
        Err(_) => Err(ApiError::Server { status, code: "http".into(), message: format!("HTTP {status}") }),
    }
}

pub async fn get<T: DeserializeOwned>(url: &str, token: Option<&str>) -> Result<T, ApiError> {
    let response =
        with_token(Request::get(url), token).send().await.map_err(|e| ApiError::Network(e.to_string()))?;
    decode(response).await
}

pub async fn post<B: Serialize, T: DeserializeOwned>(
    url: &str,
    token: Option<&str>,
    body: &B,
) -> Result<T, ApiError> {
    let request =
        with_token(Request::post(url), token).json(body).map_err(|e| ApiError::Network(e.to_string()))?;
    let response = request.send().await.map_err(|e| ApiError::Network(e.to_string()))?;
    decode(response).await
}

/// A POST whose answer has no body (`204 No Content`).
pub async fn post_no_content<B: Serialize>(url: &str, token: Option<&str>, body: &B) -> Result<(), ApiError> {
    let request =
        with_token(Request::post(url), token).json(body).map_err(|e| ApiError::Network(e.to_string()))?;
    let response = request.send().await.map_err(|e| ApiError::Network(e.to_string()))?;
    if response.ok() {
        return Ok(());
    }
    decode::<serde_json::Value>(response).await.map(|_| ())
}

pub fn conversation_url(id: &str, rest: &str) -> String {
    format!("/api/v1/conversations/{id}{rest}")
}
