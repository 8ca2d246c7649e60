//! The JSON API client. Bodies are the shared types of `mufakat_core::api`.

use gloo_net::http::{Request, RequestBuilder, Response};
use mufakat_core::api::{ErrorBody, PARTICIPANT_TOKEN_HEADER};
use mufakat_core::votelog::{self, LogChunk, LogReplica, LogRequest};
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

/// One chunk of a conversation's vote log (`GET …/log/{segment}[?since=][&until=]`,
/// docs/vote-log.md); `None` when the segment does not exist yet (404). The browser's HTTP
/// cache keeps full segments and closed ranges (immutable) and revalidates the tail with its
/// ETag.
pub async fn log_chunk(conversation: &str, req: LogRequest) -> Result<Option<LogChunk>, ApiError> {
    let url = conversation_url(conversation, &format!("/log/{}{}", req.segment, req.query()));
    let response = Request::get(&url).send().await.map_err(|e| ApiError::Network(e.to_string()))?;
    if response.status() == 404 {
        return Ok(None);
    }
    if !response.ok() {
        return decode::<serde_json::Value>(response).await.map(|_| None);
    }
    let bytes = response.binary().await.map_err(|e| ApiError::Network(e.to_string()))?;
    votelog::decode(&bytes).map(Some).map_err(|e| ApiError::Network(e.to_string()))
}

/// When each of the first `len` entries of the conversation's vote log was cast (epoch
/// ms), from the segments' times (`GET …/log/{segment}/times`, docs/vote-log.md "Times"):
/// the browser's HTTP cache keeps a full segment's. Fetched only when a download needs them.
#[cfg(feature = "console")]
pub async fn log_times(conversation: &str, len: u64) -> Result<Vec<i64>, ApiError> {
    let mut times: Vec<i64> = Vec::with_capacity(len as usize);
    let mut segment = 0;
    while (times.len() as u64) < len {
        let url = conversation_url(conversation, &format!("/log/{segment}/times"));
        let response = Request::get(&url).send().await.map_err(|e| ApiError::Network(e.to_string()))?;
        if !response.ok() {
            return decode::<serde_json::Value>(response).await.map(|_| Vec::new());
        }
        let bytes = response.binary().await.map_err(|e| ApiError::Network(e.to_string()))?;
        let chunk = votelog::decode_times(&bytes).map_err(|e| ApiError::Network(e.to_string()))?;
        let whole = chunk.times.len() as u64 == votelog::SEGMENT_SIZE;
        if chunk.first_seq != times.len() as u64
            || (!whole && chunk.first_seq + (chunk.times.len() as u64) < len)
        {
            return Err(ApiError::Network(format!(
                "the server gave the times of entries {} to {}, this page holds {len}",
                chunk.first_seq,
                chunk.first_seq + chunk.times.len() as u64
            )));
        }
        times.extend(chunk.times);
        segment += 1;
    }
    times.truncate(len as usize);
    Ok(times)
}

/// The server's newest published analysis and the analysis's input statements
/// (`GET …/analysis`, docs/published-analysis.md).
pub async fn analysis_head(conversation: &str) -> Result<mufakat_core::api::AnalysisHead, ApiError> {
    get(&conversation_url(conversation, "/analysis"), None).await
}

/// The bytes of the analysis the server published at `seq` (`GET …/analysis/{seq}`), as
/// sent (to compare byte for byte); `None` when it is not (or no longer) published.
pub async fn published_analysis(conversation: &str, seq: u64) -> Result<Option<Vec<u8>>, ApiError> {
    let url = conversation_url(conversation, &format!("/analysis/{seq}"));
    let response = Request::get(&url).send().await.map_err(|e| ApiError::Network(e.to_string()))?;
    if response.status() == 404 {
        return Ok(None);
    }
    if !response.ok() {
        return decode::<serde_json::Value>(response).await.map(|_| None);
    }
    response.binary().await.map(Some).map_err(|e| ApiError::Network(e.to_string()))
}

/// Most a page waits, at random, before it syncs on a `votes` event ([`sync_spread`]).
pub const SYNC_SPREAD_MS: f64 = 250.0;

/// How long a page waits before it syncs on a live event: a random time up to
/// [`SYNC_SPREAD_MS`] (the server sends `votes` events every 250 ms), so that the
/// thousand pages watching a conversation do not all ask at the same instant, and a vote
/// arriving then does not wait behind their thousand requests (BENCHMARKS.md, "Viewers").
pub fn sync_spread() -> std::time::Duration {
    std::time::Duration::from_millis((js_sys::Math::random() * SYNC_SPREAD_MS) as u64)
}

/// Brings `replica` up to date with the conversation's vote log: whole segments while it is
/// behind, then the tail's new entries. With `target` (a `votes` event's `entries`, the
/// log's length when it was sent), only up to that entry, in closed ranges that every page
/// holding the same entries asks for alike (one encoding on the server, cacheable); without
/// it, or from a server that does not send it (0), up to the log's end. An empty replica
/// starts from the copy kept in IndexedDB (`logstore`), so a reload fetches only what is
/// new; what is fetched is kept there again. Returns how many entries it added from the
/// server.
pub async fn sync_log(
    conversation: &str,
    replica: leptos::prelude::StoredValue<LogReplica>,
    target: Option<u64>,
) -> Result<u64, ApiError> {
    use leptos::prelude::{UpdateValue, WithValue};
    let mut restored = false;
    if replica.with_value(LogReplica::is_empty) {
        let kept = crate::logstore::load(conversation).await;
        restored = !kept.is_empty();
        if restored {
            replica.update_value(|r| {
                if r.is_empty() {
                    r.entries = kept;
                }
            });
        }
    }
    let before = replica.with_value(LogReplica::len);
    // A copy restored from IndexedDB is first checked against the server (its `since`).
    let mut target = target.filter(|&t| t > 0 && !restored);
    let mut added = 0u64;
    loop {
        let req = match target {
            Some(t) => match replica.with_value(|r| r.request_towards(t)) {
                Some(req) => req,
                None => break,
            },
            None => replica.with_value(LogReplica::next_request),
        };
        let chunk = match log_chunk(conversation, req).await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            // A range the server does not have (another server under the same origin):
            // to its log's end instead.
            Err(ApiError::Server { status: 400, .. }) if req.until.is_some() => {
                target = None;
                continue;
            }
            // The kept copy is longer than the server's log (another server, or its store
            // was replaced): forget it and start again from the server's.
            Err(ApiError::Server { status: 400, .. }) if restored => {
                restored = false;
                crate::logstore::clear(conversation).await;
                replica.update_value(|r| r.entries.clear());
                continue;
            }
            Err(e) => return Err(e),
        };
        let whole = req.since.is_none() && chunk.entries.len() as u64 == votelog::SEGMENT_SIZE;
        let n = replica
            .try_update_value(|r| r.append(chunk))
            .unwrap_or(Ok(0))
            .map_err(|e| ApiError::Network(e.to_string()))?;
        added += n as u64;
        // Towards a target: until it is reached. A full segment: there may be more after
        // it. The tail: done.
        if n == 0 || (target.is_none() && !whole) {
            break;
        }
    }
    if added > 0 {
        let segments =
            replica.with_value(|r| crate::logstore::segments_from(&r.entries, before.min(r.len())));
        crate::logstore::save(conversation, segments).await;
    }
    Ok(added)
}

#[cfg(feature = "console")]
/// A request to the moderator API (`/api/v1/admin/...`): the session cookie rides along
/// (same origin), and every state-changing request carries the CSRF header.
pub async fn admin<B: Serialize, T: DeserializeOwned>(
    method: &str,
    rest: &str,
    body: Option<&B>,
) -> Result<T, ApiError> {
    use mufakat_core::api::admin::CSRF_HEADER;
    let url = format!("/api/v1/admin{rest}");
    let builder = match method {
        "GET" => Request::get(&url),
        "PATCH" => Request::patch(&url).header(CSRF_HEADER, "1"),
        "PUT" => Request::put(&url).header(CSRF_HEADER, "1"),
        "DELETE" => Request::delete(&url).header(CSRF_HEADER, "1"),
        _ => Request::post(&url).header(CSRF_HEADER, "1"),
    };
    let request = match body {
        Some(b) => builder.json(b).map_err(|e| ApiError::Network(e.to_string()))?,
        None => builder.build().map_err(|e| ApiError::Network(e.to_string()))?,
    };
    let response = request.send().await.map_err(|e| ApiError::Network(e.to_string()))?;
    let answer = decode(response).await;
    match &answer {
        Ok(_) => remember_moderator(true),
        Err(e) if e.status() == Some(401) => remember_moderator(false),
        Err(_) => {}
    }
    answer
}

#[cfg(feature = "console")]
const MODERATOR_KEY: &str = "mufakat.moderator";

#[cfg(feature = "console")]
/// Whether this browser had a moderator session when it last asked. Public pages (the
/// report, the projector) ask for moderator-only extras only then, so a visitor's console
/// shows no 401; the server's answer stays the boundary, and a 401 forgets the mark.
pub fn was_moderator() -> bool {
    use gloo_storage::Storage;
    gloo_storage::LocalStorage::raw().get_item(MODERATOR_KEY).ok().flatten().is_some()
}

#[cfg(feature = "console")]
pub fn remember_moderator(yes: bool) {
    use gloo_storage::Storage;
    let storage = gloo_storage::LocalStorage::raw();
    let _ = if yes { storage.set_item(MODERATOR_KEY, "1") } else { storage.remove_item(MODERATOR_KEY) };
}

#[cfg(feature = "console")]
/// `DELETE /api/v1/admin{rest}`, answered with `204 No Content`.
pub async fn admin_delete(rest: &str) -> Result<(), ApiError> {
    use mufakat_core::api::admin::CSRF_HEADER;
    let response = Request::delete(&format!("/api/v1/admin{rest}"))
        .header(CSRF_HEADER, "1")
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    if response.ok() {
        return Ok(());
    }
    decode::<serde_json::Value>(response).await.map(|_| ())
}

#[cfg(feature = "console")]
/// A body-less response the caller does not read (`logout`).
pub async fn admin_post_ignore(rest: &str) -> Result<(), ApiError> {
    use mufakat_core::api::admin::CSRF_HEADER;
    let response = Request::post(&format!("/api/v1/admin{rest}"))
        .header(CSRF_HEADER, "1")
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    if response.ok() {
        Ok(())
    } else {
        Err(ApiError::Server { status: response.status(), code: "http".into(), message: String::new() })
    }
}

#[cfg(feature = "console")]
/// The live event stream of one conversation (`GET …/events`, Server-Sent Events). The
/// browser reconnects by itself; dropping the stream closes it.
pub struct LiveStream {
    source: web_sys::EventSource,
    _handlers: Vec<wasm_bindgen::closure::Closure<dyn FnMut(web_sys::Event)>>,
}

#[cfg(feature = "console")]
impl LiveStream {
    /// `on_event` gets every event; `on_status` gets `true` when connected, `false` when the
    /// connection dropped (the browser then retries).
    pub fn open(
        conversation: &str,
        on_event: impl Fn(mufakat_core::api::events::LiveEvent) + 'static,
        on_status: impl Fn(bool) + 'static,
    ) -> Option<LiveStream> {
        use std::rc::Rc;
        use wasm_bindgen::closure::Closure;
        use wasm_bindgen::JsCast;
        let source = web_sys::EventSource::new(&conversation_url(conversation, "/events")).ok()?;
        let on_event = Rc::new(on_event);
        let on_status = Rc::new(on_status);
        let mut handlers = Vec::new();
        for name in ["statement", "votes", "moderation", "closed", "outcome"] {
            let on_event = on_event.clone();
            let handler = Closure::<dyn FnMut(web_sys::Event)>::new(move |ev: web_sys::Event| {
                let Some(data) = ev.dyn_ref::<web_sys::MessageEvent>().and_then(|m| m.data().as_string())
                else {
                    return;
                };
                if let Some(event) = parse_live_event(name, &data) {
                    on_event(event);
                }
            });
            let _ = source.add_event_listener_with_callback(name, handler.as_ref().unchecked_ref());
            handlers.push(handler);
        }
        for (name, up) in [("open", true), ("error", false)] {
            let on_status = on_status.clone();
            let handler = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| on_status(up));
            let _ = source.add_event_listener_with_callback(name, handler.as_ref().unchecked_ref());
            handlers.push(handler);
        }
        Some(LiveStream { source, _handlers: handlers })
    }
}

#[cfg(feature = "console")]
impl Drop for LiveStream {
    fn drop(&mut self) {
        self.source.close();
    }
}

#[cfg(feature = "console")]
/// An event's `data:` is the variant's JSON, with or without its `type` tag.
fn parse_live_event(name: &str, data: &str) -> Option<mufakat_core::api::events::LiveEvent> {
    if let Ok(event) = serde_json::from_str(data) {
        return Some(event);
    }
    let mut value: serde_json::Value = serde_json::from_str(data).ok()?;
    value.as_object_mut()?.insert("type".into(), serde_json::Value::String(name.into()));
    serde_json::from_value(value).ok()
}
