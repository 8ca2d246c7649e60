//! The running server: the router with its layers (body limit, rate limits,
//! tracing), the background tasks, and graceful shutdown.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use mufakat_core::api::PARTICIPANT_TOKEN_HEADER;
use tokio::sync::watch;
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

use crate::conn::ConnLimits;
use crate::error::AppError;
use crate::hub::Hub;
use crate::live::Live;
use crate::login_guard::LoginGuard;
use crate::ratelimit::{self, RateLimiter};
use crate::security_headers::{self, PageHeaders};
pub use crate::state::{AppState, Limits, Shared, DEFAULT_PARTICIPANT_ANALYSIS_MAX_VOTES};
use crate::store::Store;
use crate::writer::VoteWriter;

/// The server, built but not yet listening.
pub struct Server {
    pub state: AppState,
    shutdown_tx: watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Server {
    /// Starts the writer, the event listener and the background refresh over `store`.
    pub fn new(store: Store, limits: Limits) -> Server {
        let live = Arc::new(Live::default());
        let hub = Hub::new(store.clone(), live.clone());
        let (writer, writer_task) = VoteWriter::start(store.clone());
        let (shutdown_tx, shutdown) = watch::channel(false);
        let state = AppState(Arc::new(Shared {
            store,
            live,
            hub: hub.clone(),
            writer,
            by_address: Arc::new(RateLimiter::new(limits.per_address, limits.per_address_burst)),
            by_participant: Arc::new(RateLimiter::new(limits.per_participant, limits.per_participant_burst)),
            logins: LoginGuard::new(&limits.login),
            code_attempts: RateLimiter::new(
                limits.code_attempts_per_minute / 60.0,
                limits.code_attempts_burst,
            ),
            limits: Arc::new(limits),
            shutdown,
        }));
        let mut tasks = vec![writer_task, crate::background::spawn(state.clone())];
        tasks.extend(hub.spawn_listener());
        Server { state, shutdown_tx, tasks }
    }

    /// The API, the health check and the built app (`dist`, with `index.html` for every
    /// other path so the app's routes work on reload, and `console/index.html` for the
    /// moderator console under /admin, the projector under /p and the analyst report under
    /// /report and /r). Pages carry their Content-Security-Policy and framing rules, every
    /// answer `nosniff` and a same-origin referrer policy (see [`security_headers`]).
    ///
    /// Phones on poor networks download what is served gzipped: the app's files from the
    /// `.gz` beside each one (`scripts/build-app.sh` writes them once, at gzip -9), and API
    /// answers over 1 KiB (the votes the browser analyses) compressed on the way out. Small
    /// answers such as a vote's are sent as they are, and the live event stream is never
    /// buffered by a compressor.
    pub fn router(&self, dist: Option<PathBuf>) -> Router {
        let st = self.state.clone();
        // From the size the vote log's parts are gzipped at (`votelog::GZIP_FROM`): a part
        // sent plain is never compressed again here.
        let compress_when = SizeAbove::new(crate::votelog::GZIP_FROM as u16)
            .and(NotForContentType::GRPC)
            .and(NotForContentType::IMAGES)
            .and(NotForContentType::const_new("text/event-stream"));
        let mut app = crate::api::router(st.clone())
            .route_layer(axum::middleware::from_fn(crate::metrics::note_route))
            .route("/healthz", axum::routing::get(|| async { "ok" }))
            // The icon is /favicon.svg (linked from the pages); a browser's guess at the
            // legacy name gets a 404, not the app's HTML.
            .route("/favicon.ico", axum::routing::get(|| async { StatusCode::NOT_FOUND }))
            .route("/readyz", axum::routing::get(readyz).with_state(st.clone()))
            .layer(CompressionLayer::new().gzip(true).compress_when(compress_when))
            .layer(axum::middleware::from_fn_with_state(st.clone(), rate_limit))
            .layer(DefaultBodyLimit::max(st.limits.max_body));
        if let Some(dist) = dist {
            // The moderator console, projector and report are a second build of the app (its own
            // bundle, so the participant page stays small) in `dist/console`.
            let console = dist.join("console").join("index.html");
            let console_headers = PageHeaders::unframed(&security_headers::hashes_of_file(&console));
            for path in ["/admin", "/admin/{*rest}", "/p/{*rest}", "/report", "/r/{*rest}"] {
                app = app
                    .route_service(path, console_headers.wrap(ServeFile::new(&console).precompressed_gzip()));
            }
            let page_headers = PageHeaders::embeddable(
                &security_headers::hashes_of_file(&dist.join("index.html")),
                &st.limits.embed_origins,
            );
            let index = ServeFile::new(dist.join("index.html")).precompressed_gzip();
            // `fallback`, not `not_found_service`: an app route such as /c/demo is a page, so 200.
            app = app.fallback_service(
                page_headers.wrap(ServeDir::new(&dist).precompressed_gzip().fallback(index)),
            );
        }
        app.layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(axum::middleware::from_fn(crate::metrics::observe))
        .layer(axum::middleware::from_fn(crate::logging::request_span))
    }

    /// Serves until `signal` resolves, then finishes requests in flight (their votes are
    /// committed before they answer), ends live streams and closes the store. Connections
    /// are bounded in number and time ([`crate::conn`]).
    pub async fn run(
        self,
        listener: tokio::net::TcpListener,
        dist: Option<PathBuf>,
        signal: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let limits = self.state.limits.clone();
        let app = self
            .router(dist)
            .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, limits.request_timeout))
            .layer(axum::middleware::map_response(crate::error::explain_timeout));
        let shutdown_tx = self.shutdown_tx;
        let stop = async move {
            signal.await;
            let _ = shutdown_tx.send(true);
        };
        let conn_limits = ConnLimits {
            max_connections: limits.max_connections,
            header_timeout: limits.header_timeout,
            write_timeout: limits.write_timeout,
        };
        crate::conn::serve(listener, app, conn_limits, stop).await;
        for t in &self.tasks {
            t.abort();
        }
        self.state.store.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// Readiness: the store answers a trivial read within 2 s (503 otherwise), so a load
/// balancer sends no traffic to a process whose database is gone.
async fn readyz(State(st): State<AppState>) -> Response {
    match tokio::time::timeout(Duration::from_secs(2), st.store.has_conversations()).await {
        Ok(Ok(_)) => "ready".into_response(),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness: the store failed");
            (StatusCode::SERVICE_UNAVAILABLE, "the store failed").into_response()
        }
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "the store did not answer in 2 s").into_response(),
    }
}

fn too_many(wait: Duration, what: &str) -> Response {
    let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
    let mut resp = AppError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        format!("too many requests from this {what}; retry in {secs} s"),
    )
    .into_response();
    if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
        resp.headers_mut().insert(header::RETRY_AFTER, v);
    }
    resp
}

/// Per-address and per-participant limits on the API.
async fn rate_limit(State(st): State<AppState>, req: Request, next: Next) -> Response {
    if req.uri().path().starts_with("/api/") {
        if let Some(ConnectInfo(addr)) = req.extensions().get::<ConnectInfo<SocketAddr>>() {
            let forwarded = req.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok());
            let client = ratelimit::client_address(addr.ip(), forwarded, &st.limits.trusted_proxies);
            if let Err(wait) = st.by_address.check(client) {
                return too_many(wait, "address");
            }
        }
        if let Some(token) = req.headers().get(PARTICIPANT_TOKEN_HEADER).and_then(|v| v.to_str().ok()) {
            if let Err(wait) = st.by_participant.check(token.to_string()) {
                return too_many(wait, "participant");
            }
        }
    }
    next.run(req).await
}
