//! The vote log for the in-browser analysis (`crate::votelog`, docs/vote-log.md): where it
//! ends, and its segments. Served from memory: a full segment is the same bytes (and gzip)
//! for every reader and for ever, so HTTP caches keep it; the tail answers `?since=`, and a
//! closed range (`?since=&until=`, what a page asks on a `votes` event) is as immutable as a
//! full segment and encoded once for all its readers. Each segment's times
//! (`…/log/{segment}/times`, `crate::logtimes`) are served apart, to the few readers who
//! need them.

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use mufakat_core::api::{ErrorBody, VoteLogHead};
use mufakat_core::votelog::SEGMENT_SIZE;

use crate::error::AppError;
use crate::live::ConvState;
use crate::logtimes::TimesAnswer;
use crate::state::AppState;
use crate::votelog::{SegmentAnswer, SegmentRefusal};

/// The media type of a log chunk.
pub const LOG_CONTENT_TYPE: &str = "application/vnd.mufakat.vote-log";
/// The media type of a segment's times.
pub const TIMES_CONTENT_TYPE: &str = "application/vnd.mufakat.vote-log-times";
pub(super) const IMMUTABLE: &str = "public, max-age=31536000, immutable";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/conversations/{id}/log", get(head))
        .route("/api/v1/conversations/{id}/log/{segment}", get(segment))
        .route("/api/v1/conversations/{id}/log/{segment}/times", get(times))
}

#[utoipa::path(
    get,
    path = "/api/v1/conversations/{id}/log",
    tag = "participant",
    params(("id" = String, Path, description = "conversation id")),
    responses(
        (status = 200, description = "where the vote log ends: entries 0 .. next_seq exist",
            body = VoteLogHead),
        (status = 404, description = "unknown conversation", body = ErrorBody),
    )
)]
pub(super) async fn head(State(st): State<AppState>, Path(id): Path<String>) -> Result<Response, AppError> {
    let c = st.live.conv(&st.store, &id).await?;
    let mut resp = Json(VoteLogHead { next_seq: c.log.len(), segment_size: SEGMENT_SIZE }).into_response();
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(resp)
}

/// `since`, from the query string: a whole number, or absent.
fn since_of(query: Option<&str>) -> Result<Option<u64>, AppError> {
    super::query_number(query, "since", "the seq of an entry you hold")
}

/// `until`, from the query string: a whole number, or absent.
fn until_of(query: Option<&str>) -> Result<Option<u64>, AppError> {
    super::query_number(query, "until", "the seq the range ends before (a votes event's entries)")
}

pub(super) fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).any(|v| {
        v.split(',').any(|part| {
            let mut it = part.split(';');
            let name = it.next().unwrap_or("").trim();
            let refused = it.any(|p| matches!(p.trim(), "q=0" | "q=0.0" | "q=0.00" | "q=0.000"));
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        })
    })
}

pub(super) fn matches_etag(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
}

fn chunk_response(
    headers: &HeaderMap,
    etag: &str,
    cache: &'static str,
    body: Body,
    gzipped: bool,
) -> Response {
    binary_response(headers, etag, cache, body, gzipped, LOG_CONTENT_TYPE)
}

fn binary_response(
    headers: &HeaderMap,
    etag: &str,
    cache: &'static str,
    body: Body,
    gzipped: bool,
    content_type: &'static str,
) -> Response {
    let mut resp = if matches_etag(headers, etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut r = Response::new(body);
        r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        if gzipped {
            r.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
        r
    };
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if let Ok(v) = HeaderValue::from_str(etag) {
        h.insert(header::ETAG, v);
    }
    resp
}

fn refusal(r: SegmentRefusal, segment: u64) -> AppError {
    match r {
        SegmentRefusal::NoSuchSegment => AppError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("segment {segment} does not exist yet; GET …/log says where the log ends"),
        ),
        SegmentRefusal::SinceBeyondTail { len } => AppError::bad_request(
            "invalid_field",
            format!("since is beyond the end of the log: it holds entries 0 to {}", len as i128 - 1),
        )
        .field("since"),
        SegmentRefusal::SinceBeyondSegment => AppError::bad_request(
            "invalid_field",
            format!("since is after the last entry of segment {segment}; ask for a later segment"),
        )
        .field("since"),
        SegmentRefusal::EmptyRange => AppError::bad_request(
            "invalid_field",
            "until must be after the first entry asked for (since + 1, or the segment's start)",
        )
        .field("until"),
        SegmentRefusal::UntilBeyondSegment => AppError::bad_request(
            "invalid_field",
            format!(
                "until is after the end of segment {segment} (entry {}); ask up to its end, then \
                 for the next segment",
                mufakat_core::votelog::segment_start(segment + 1)
            ),
        )
        .field("until"),
        SegmentRefusal::UntilBeyondTail { len } => AppError::bad_request(
            "invalid_field",
            format!("until is beyond the end of the log: it holds entries 0 to {}", len as i128 - 1),
        )
        .field("until"),
    }
}

/// Answers from this process's log; on PostgreSQL a reader ahead of it (another process
/// took the votes) makes it read the new entries from the store once, then answers.
async fn answer(
    st: &AppState,
    c: &ConvState,
    segment: u64,
    since: Option<u64>,
    until: Option<u64>,
) -> Result<SegmentAnswer, AppError> {
    match c.log.segment(segment, since, until) {
        Ok(a) => Ok(a),
        Err(
            r @ (SegmentRefusal::SinceBeyondSegment
            | SegmentRefusal::EmptyRange
            | SegmentRefusal::UntilBeyondSegment),
        ) => Err(refusal(r, segment)),
        Err(r) if st.store.pg_pool().is_none() => Err(refusal(r, segment)),
        Err(_) => {
            c.log.catch_up(&st.store, &c.id).await?;
            c.log.segment(segment, since, until).map_err(|r| refusal(r, segment))
        }
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/conversations/{id}/log/{segment}",
    tag = "participant",
    params(
        ("id" = String, Path, description = "conversation id"),
        ("segment" = u64, Path, description = "segment number: entries segment × segment_size up \
            to the next segment"),
        ("since" = Option<u64>, Query, description = "only the entries after this seq (one the \
            reader holds)"),
        ("until" = Option<u64>, Query, description = "only the entries before this seq: a closed \
            range, never changing (a page asks up to a votes event's entries). It must leave at \
            least one entry and be within the segment and the log"),
        ("If-None-Match" = Option<String>, Header, description = "ETag of an earlier answer: 304 \
            when unchanged"),
    ),
    responses(
        (status = 200, description = "a chunk of the vote log (docs/vote-log.md); a full segment \
            and a closed range (until) are immutable (Cache-Control: public, max-age=31536000, \
            immutable), the tail is Cache-Control: no-cache",
            content_type = "application/vnd.mufakat.vote-log"),
        (status = 304, description = "unchanged since the ETag given in If-None-Match"),
        (status = 400, description = "since, until or segment is not a whole number, since is \
            beyond the end of the log or of the segment, or until leaves no entry or is beyond the \
            end of the segment or of the log", body = ErrorBody),
        (status = 404, description = "unknown conversation, or a segment after the one the next \
            entry goes to", body = ErrorBody),
    )
)]
pub(super) async fn segment(
    State(st): State<AppState>,
    Path((id, segment)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let segment = segment_number(&segment)?;
    let since = since_of(query.as_deref())?;
    let until = until_of(query.as_deref())?;
    let c = st.live.conv(&st.store, &id).await?;
    let gzip = accepts_gzip(&headers);
    Ok(match answer(&st, &c, segment, since, until).await? {
        SegmentAnswer::Full(sealed) => {
            // A strong ETag names one representation: the gzipped one has its own.
            let (body, etag) = if gzip {
                (sealed.gzip.clone(), gz_etag(&sealed.etag))
            } else {
                (sealed.bytes.clone(), sealed.etag.clone())
            };
            chunk_response(&headers, &etag, IMMUTABLE, Body::from(body), gzip)
        }
        SegmentAnswer::Part { part, first: _, end } => {
            // The entries of a part never change; only the tail's end moves, so the answer
            // to a URL without `until` does, unless the segment is full. A closed range is
            // as immutable as a full segment: any cache (a proxy in front of the server too)
            // may keep it for ever and answer every reader holding the same entries.
            let full = end == mufakat_core::votelog::segment_start(segment).saturating_add(SEGMENT_SIZE);
            let cache = if full || until.is_some() { IMMUTABLE } else { "no-cache" };
            if gzip && !part.gzip.is_empty() {
                let etag = gz_etag(&part.etag);
                chunk_response(&headers, &etag, cache, Body::from(part.gzip.clone()), true)
            } else {
                chunk_response(&headers, &part.etag, cache, Body::from(part.bytes.clone()), false)
            }
        }
    })
}

/// The `{segment}` of a path: a whole number, or a clear 400.
fn segment_number(segment: &str) -> Result<u64, AppError> {
    segment.parse::<u64>().map_err(|_| {
        AppError::bad_request(
            "invalid_field",
            format!("segment must be a whole number from 0, not {segment:?}"),
        )
        .field("segment")
    })
}

#[utoipa::path(
    get,
    path = "/api/v1/conversations/{id}/log/{segment}/times",
    tag = "participant",
    params(
        ("id" = String, Path, description = "conversation id"),
        ("segment" = u64, Path, description = "segment number, as in …/log/{segment}"),
        ("If-None-Match" = Option<String>, Header, description = "ETag of an earlier answer: 304 \
            when unchanged"),
    ),
    responses(
        (status = 200, description = "when each entry of the segment was cast, epoch ms \
            (docs/vote-log.md, Times); a full segment's are immutable (Cache-Control: public, \
            max-age=31536000, immutable), the tail's are Cache-Control: no-cache and may cover \
            entries the log head did not list yet", content_type = "application/vnd.mufakat.vote-log-times"),
        (status = 304, description = "unchanged since the ETag given in If-None-Match"),
        (status = 400, description = "segment is not a whole number", body = ErrorBody),
        (status = 404, description = "unknown conversation, or a segment after the one the next \
            entry goes to", body = ErrorBody),
    )
)]
pub(super) async fn times(
    State(st): State<AppState>,
    Path((id, segment)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let segment = segment_number(&segment)?;
    let c = st.live.conv(&st.store, &id).await?;
    let pg = st.store.pg_pool().is_some();
    // As the segment route: a reader ahead of this process (PostgreSQL) makes it read the
    // store once.
    if pg && mufakat_core::votelog::segment_start(segment) > c.log.len() {
        c.log.catch_up(&st.store, &c.id).await?;
    }
    let len = c.log.len();
    if mufakat_core::votelog::segment_start(segment) > len {
        return Err(refusal(SegmentRefusal::NoSuchSegment, segment));
    }
    let gzip = accepts_gzip(&headers);
    Ok(match c.log.times.segment(&st.store, &c.id, segment, len, pg).await? {
        TimesAnswer::Full(sealed) => {
            let (body, etag) = if gzip {
                (sealed.gzip.clone(), gz_etag(&sealed.etag))
            } else {
                (sealed.bytes.clone(), sealed.etag.clone())
            };
            binary_response(&headers, &etag, IMMUTABLE, Body::from(body), gzip, TIMES_CONTENT_TYPE)
        }
        TimesAnswer::Part { bytes, first, end } => {
            let etag = format!("\"vt1-{first}-{end}\"");
            // From GZIP_FROM on, as the log's parts: sent plain, the router's compression
            // layer would gzip it again on every request, chunked.
            let (body, gzipped, etag) = if gzip && bytes.len() >= crate::votelog::GZIP_FROM {
                (crate::votelog::gzip_with(&bytes, flate2::Compression::fast()), true, gz_etag(&etag))
            } else {
                (bytes, false, etag)
            };
            binary_response(&headers, &etag, "no-cache", Body::from(body), gzipped, TIMES_CONTENT_TYPE)
        }
    })
}

fn gz_etag(etag: &str) -> String {
    format!("{}-gz\"", etag.trim_end_matches('"'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_is_a_whole_number_or_a_clear_error() {
        assert_eq!(since_of(None).ok(), Some(None));
        assert_eq!(since_of(Some("since=12")).ok(), Some(Some(12)));
        assert_eq!(since_of(Some("x=1&since=0")).ok(), Some(Some(0)));
        for bad in ["since=-1", "since=abc", "since=", "since=1.5"] {
            assert!(since_of(Some(bad)).is_err(), "{bad} was accepted");
        }
        assert_eq!(until_of(Some("since=3&until=12")).ok(), Some(Some(12)));
        for bad in ["until=-1", "until=x", "until="] {
            assert!(until_of(Some(bad)).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn gzip_is_sent_only_to_who_accepts_it() {
        let mut h = HeaderMap::new();
        assert!(!accepts_gzip(&h));
        h.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("gzip, deflate, br"));
        assert!(accepts_gzip(&h));
        h.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("br, gzip;q=0"));
        assert!(!accepts_gzip(&h));
    }
}
