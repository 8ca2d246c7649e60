//! Logs: human-readable lines by default, one JSON object a line with `--log-format json`
//! (for journald, Loki or any collector), and a request id on every line a request logs.
//!
//! The id is the `X-Request-Id` a proxy sent (nginx: `proxy_set_header X-Request-Id
//! $request_id;`) when it is 1 to 64 characters of `[A-Za-z0-9._-]`, else a new random one;
//! it is sent back in the answer's `X-Request-Id`, so a resident's report of a failure can be
//! found in the logs.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Lines for a terminal.
    Text,
    /// One JSON object per line, with the request's span (id, method, path) on each.
    Json,
}

/// Installs the global subscriber, writing to standard error (standard output carries what
/// the commands print for the user, such as the server's URL): `RUST_LOG` filters (default
/// `info,sqlx=warn`). Colours only on a terminal (and not with `NO_COLOR` set): a log file
/// or collector gets plain text that `grep ' ERROR '` finds.
pub fn init(format: LogFormat) {
    use std::io::IsTerminal;
    let filter =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into());
    let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let builder =
        tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(colour);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().with_current_span(true).with_span_list(false).init(),
    }
}

/// Longest request id taken from a proxy.
const MAX_ID: usize = 64;

fn usable(id: &str) -> bool {
    (1..=MAX_ID).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// The request's id: the proxy's when usable, else a new one.
pub fn request_id(req: &Request) -> String {
    req.headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|id| usable(id))
        .map(str::to_owned)
        .unwrap_or_else(crate::store::random_hex::<8>)
}

/// Middleware: runs the request inside a `request` span carrying its id, method and path,
/// answers with `X-Request-Id`, and logs the answer at debug level.
pub async fn request_span(req: Request, next: Next) -> Response {
    let id = request_id(&req);
    let span = tracing::info_span!("request", id = %id, method = %req.method(), path = %req.uri().path());
    let started = std::time::Instant::now();
    let mut resp = next.run(req).instrument(span.clone()).await;
    let status = resp.status().as_u16();
    span.in_scope(|| tracing::debug!(status, ms = started.elapsed().as_secs_f64() * 1e3, "answered"));
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert("x-request-id", v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_proxys_request_id_is_kept_only_when_short_and_plain() {
        let req =
            |v: &str| Request::builder().header("x-request-id", v).body(axum::body::Body::empty()).unwrap();
        assert_eq!(request_id(&req("7f3a-b2.c_1")), "7f3a-b2.c_1");
        for bad in ["", "a b", "x\"y", "<script>", &"a".repeat(65)] {
            let id = request_id(&req(bad));
            assert_ne!(id, bad);
            assert_eq!(id.len(), 16, "a new id replaces {bad:?}");
        }
        let none = Request::builder().body(axum::body::Body::empty()).unwrap();
        assert_ne!(request_id(&none), request_id(&none), "new ids differ");
    }
}
