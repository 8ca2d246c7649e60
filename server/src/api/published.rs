//! The published analysis (`crate::published`, docs/published-analysis.md): where the newest
//! is, and the documents themselves, served from memory. A document never changes, so it is
//! cacheable like a full vote log segment: `immutable` with a strong ETag.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use mufakat_core::api::{AnalysisHead, ErrorBody};
use mufakat_core::published::statements_for_analysis;

use super::votelog::{accepts_gzip, matches_etag, IMMUTABLE};
use crate::error::AppError;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/conversations/{id}/analysis", get(head))
        .route("/api/v1/conversations/{id}/analysis/{seq}", get(document))
}

#[utoipa::path(get, path = "/api/v1/conversations/{id}/analysis", tag = "participant",
    params(("id" = String, Path, description = "conversation id")),
    responses(
        (status = 200, description = "where the newest published analysis is, and the analysis's input statements now (Cache-Control: no-cache)", body = AnalysisHead),
        (status = 404, description = "unknown conversation", body = ErrorBody),
    ))]
pub(super) async fn head(State(st): State<AppState>, Path(id): Path<String>) -> Result<Response, AppError> {
    let c = st.live.conv(&st.store, &id).await?;
    let head = AnalysisHead {
        published: c.log.published.latest(),
        log_len: c.log.len(),
        participant_max_votes: st.limits.participant_analysis_max_votes,
        statements: statements_for_analysis(c.statement_metas()),
        started: c.log.published.latest_started(),
    };
    let mut resp = Json(head).into_response();
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(resp)
}

#[utoipa::path(get, path = "/api/v1/conversations/{id}/analysis/{seq}", tag = "participant",
    params(
        ("id" = String, Path, description = "conversation id"),
        ("seq" = u64, Path, description = "the published analysis of log entries 0 .. seq (AnalysisHead.published)"),
        ("If-None-Match" = Option<String>, Header, description = "ETag of an earlier answer: 304 when it matches"),
    ),
    responses(
        (status = 200, description = "the published analysis (format mufakat-published-analysis, docs/published-analysis.md); the same bytes for ever: Cache-Control: public, max-age=31536000, immutable, strong ETag", content_type = "application/json", body = Object),
        (status = 304, description = "unchanged since the ETag given in If-None-Match"),
        (status = 400, description = "seq is not a whole number", body = ErrorBody),
        (status = 404, description = "unknown conversation, or no analysis of that seq is published (not yet, or no longer kept)", body = ErrorBody),
    ))]
pub(super) async fn document(
    State(st): State<AppState>,
    Path((id, seq)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let seq = seq.parse::<u64>().map_err(|_| {
        AppError::bad_request("invalid_field", format!("seq must be a whole number from 0, not {seq:?}"))
            .field("seq")
    })?;
    let c = st.live.conv(&st.store, &id).await?;
    let Some(doc) = c.log.published.get(seq) else {
        return Err(AppError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no analysis of {seq} log entries is published here; GET …/analysis names the newest"),
        ));
    };
    let gzip = accepts_gzip(&headers);
    let (body, etag) = if gzip {
        (doc.gzip.clone(), format!("{}-gz\"", doc.etag.trim_end_matches('"')))
    } else {
        (doc.bytes.clone(), doc.etag.clone())
    };
    let mut resp = if matches_etag(&headers, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut r = Response::new(Body::from(body));
        r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if gzip {
            r.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
        r
    };
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    Ok(resp)
}
