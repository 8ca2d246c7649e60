//! Metrics in the Prometheus text format (`prometheus-client`, the Prometheus project's own
//! Rust client), served at `/metrics` on `--metrics-addr` only: never on the public address.
//!
//! One registry per process (a process serves one store), so the counters are process-wide
//! statics that handlers and tasks bump without threading a handle through every call.
//!
//! | metric | what |
//! |---|---|
//! | `mufakat_http_requests` / `mufakat_http_request_duration_seconds` | answers by route template, method and status (and error code): viewers syncing are the `/log/{segment}` route's 200s and 304s |
//! | `mufakat_votes` | votes by outcome (`accepted`, `refused`) and reason (the error code) |
//! | `mufakat_live_streams` | open live event streams (SSE) |
//! | `mufakat_writer_batch_votes` / `mufakat_writer_commit_seconds` | the vote writer's batches |
//! | `mufakat_analysis_seconds` | the background analysis's runs |
//! | `mufakat_store_errors` | store failures by kind |

use std::sync::{Arc, LazyLock, OnceLock};
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct HttpLabels {
    pub route: String,
    pub method: String,
    pub status: u16,
    pub code: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub route: String,
    pub method: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct VoteLabels {
    pub outcome: &'static str,
    pub reason: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KindLabels {
    pub kind: &'static str,
}

pub struct Metrics {
    registry: Registry,
    pub requests: Family<HttpLabels, Counter>,
    pub request_seconds: Family<RouteLabels, Histogram>,
    pub votes: Family<VoteLabels, Counter>,
    pub live_streams: Gauge,
    pub writer_batch_votes: Histogram,
    pub writer_commit_seconds: Histogram,
    pub analysis_seconds: Histogram,
    pub store_errors: Family<KindLabels, Counter>,
}

fn seconds_histogram() -> Histogram {
    // 0.1 ms .. ~26 s.
    Histogram::new(exponential_buckets(0.0001, 2.0, 19))
}

impl Metrics {
    fn new() -> Metrics {
        let mut registry = Registry::with_prefix("mufakat");
        let requests = Family::<HttpLabels, Counter>::default();
        let request_seconds =
            Family::<RouteLabels, Histogram>::new_with_constructor(seconds_histogram as fn() -> Histogram);
        let votes = Family::<VoteLabels, Counter>::default();
        let live_streams = Gauge::default();
        let writer_batch_votes = Histogram::new(exponential_buckets(1.0, 2.0, 12));
        let writer_commit_seconds = seconds_histogram();
        let analysis_seconds = seconds_histogram();
        let store_errors = Family::<KindLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP answers by route, method, status and error code",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer (to the first byte of a stream), by route and method",
            request_seconds.clone(),
        );
        registry.register("votes", "Votes by outcome and reason", votes.clone());
        registry.register("live_streams", "Open live event streams", live_streams.clone());
        registry.register("writer_batch_votes", "Votes per writer commit", writer_batch_votes.clone());
        registry.register(
            "writer_commit_seconds",
            "Time of one writer commit",
            writer_commit_seconds.clone(),
        );
        registry.register("analysis_seconds", "Time of one background analysis", analysis_seconds.clone());
        registry.register("store_errors", "Store failures by kind", store_errors.clone());
        Metrics {
            registry,
            requests,
            request_seconds,
            votes,
            live_streams,
            writer_batch_votes,
            writer_commit_seconds,
            analysis_seconds,
            store_errors,
        }
    }

    /// The text exposition.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

/// The process's metrics.
pub static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::new);

/// Bumps a kind counter.
pub fn count(family: &Family<KindLabels, Counter>, kind: &'static str) {
    family.get_or_create(&KindLabels { kind }).inc();
}

/// An error code an answer carries, put in the response's extensions by `AppError`.
#[derive(Clone, Copy, Debug)]
pub struct ErrorCode(pub &'static str);

/// Where the router writes the matched route for the outer middleware.
#[derive(Clone, Default)]
struct RouteSlot(Arc<OnceLock<String>>);

/// The vote route, whose answers are also counted as votes.
const VOTE_ROUTE: &str = "/api/v1/conversations/{id}/votes";

/// Outer middleware: times every answer and counts it by route, status and error code.
pub async fn observe(mut req: Request, next: Next) -> Response {
    let slot = RouteSlot::default();
    req.extensions_mut().insert(slot.clone());
    let method = req.method().clone();
    let started = Instant::now();
    let resp = next.run(req).await;
    let elapsed = started.elapsed().as_secs_f64();
    let route = slot.0.get().cloned().unwrap_or_else(|| "other".to_string());
    let status = resp.status().as_u16();
    let code = resp.extensions().get::<ErrorCode>().map_or("", |c| c.0);
    let m = &*METRICS;
    m.requests
        .get_or_create(&HttpLabels {
            route: route.clone(),
            method: method.to_string(),
            status,
            code: code.to_string(),
        })
        .inc();
    if route == VOTE_ROUTE && method == axum::http::Method::POST {
        let labels = if resp.status().is_success() {
            VoteLabels { outcome: "accepted", reason: String::new() }
        } else {
            let reason = if code.is_empty() { status.to_string() } else { code.to_string() };
            VoteLabels { outcome: "refused", reason }
        };
        m.votes.get_or_create(&labels).inc();
    }
    m.request_seconds.get_or_create(&RouteLabels { route, method: method.to_string() }).observe(elapsed);
    resp
}

/// Route layer: notes the matched route template (never the raw path, so ids do not
/// become label values).
pub async fn note_route(req: Request, next: Next) -> Response {
    if let (Some(slot), Some(path)) =
        (req.extensions().get::<RouteSlot>(), req.extensions().get::<MatchedPath>())
    {
        let _ = slot.0.set(path.as_str().to_string());
    }
    next.run(req).await
}

/// `GET /metrics`.
pub async fn serve_metrics() -> Response {
    ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], METRICS.encode())
        .into_response()
}

/// Counts a live stream while it is open.
pub struct StreamGuard(());

impl StreamGuard {
    pub fn open() -> StreamGuard {
        METRICS.live_streams.inc();
        StreamGuard(())
    }
}

impl Drop for StreamGuard {
    fn drop(&mut self) {
        METRICS.live_streams.dec();
    }
}
