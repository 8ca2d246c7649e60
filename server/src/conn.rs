//! The accept loop: our own instead of `axum::serve`, so that connections are bounded in
//! number and in time.
//!
//! - At most `max_connections` at once: a slot is taken before `accept`, so beyond that new
//!   connections wait in the kernel's backlog (and are served as slots free up) instead of
//!   running the process out of file descriptors. The default leaves room under
//!   `RLIMIT_NOFILE` for the store's files and sockets and the app's files being served.
//! - HTTP/1.1 with hyper's `header_read_timeout`: a request's head must arrive within it (a
//!   slowloris sending a byte now and then is closed). In hyper 1.x the same timer starts
//!   again when a keep-alive connection goes idle, so it also bounds the wait between two
//!   requests. (HTTP/2 is not served: browsers speak it only over TLS, which a reverse proxy
//!   terminates, and hyper's HTTP/2 has no such timer.)
//! - The router carries a whole-request timeout (`--request-timeout`, [`crate::app`]) for the
//!   time from a head to its answer, body included; the live event stream, once answered, is
//!   not cut by it and ends when the server shuts down.
//! - `accept` errors other than a peer's (above all EMFILE, out of file descriptors) back off
//!   from 5 ms to 1 s instead of spinning.
//! - Shutdown: stop accepting, let every connection finish its request in flight (votes are
//!   committed before they are answered), close idle ones, and wait for all of them.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::{Extension, Router};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::Layer;

/// File descriptors kept back from connections: standard streams, the listener, the
/// runtime's own, the store's (SQLite's database, WAL and shared-memory files per pooled
/// connection, or PostgreSQL sockets), and the app's files open while being sent.
const FD_RESERVE: usize = 64;

/// Connection limits (from [`crate::app::Limits`]).
#[derive(Debug, Clone)]
pub struct ConnLimits {
    pub max_connections: usize,
    pub header_timeout: Duration,
}

/// The default for `--max-connections`: the soft `RLIMIT_NOFILE` less 64 and an eighth
/// (1,024 gives 832; 256 gives 160). 1,024 when the limit cannot be read.
pub fn default_max_connections() -> usize {
    let nofile = open_file_limit().unwrap_or(1024);
    nofile.saturating_sub(FD_RESERVE + nofile / 8).max(16)
}

/// The soft limit on open files, from `/proc/self/limits` (Linux).
fn open_file_limit() -> Option<usize> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    let soft = line.trim_start_matches("Max open files").split_whitespace().next()?;
    match soft {
        "unlimited" => Some(1 << 20),
        n => n.parse().ok(),
    }
}

/// A peer's own trouble (reset before we accepted it): try the next one at once.
fn is_connection_error(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(e.kind(), ConnectionRefused | ConnectionAborted | ConnectionReset)
}

/// Serves `app` on `listener` until `stop` resolves, then shuts down gracefully.
pub async fn serve(listener: TcpListener, app: Router, limits: ConnLimits, stop: impl Future<Output = ()>) {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout).keep_alive(true);
    let mut stop = std::pin::pin!(stop);
    let mut backoff = Duration::from_millis(5);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(s) => s,
                Err(_) => break, // never closed
            },
            () = &mut stop => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => {
                    backoff = Duration::from_millis(5);
                    a
                }
                Err(e) if is_connection_error(&e) => continue,
                Err(e) => {
                    tracing::warn!(error = %e, wait_ms = backoff.as_millis() as u64, "accept failed; backing off");
                    drop(slot);
                    tokio::select! {
                        () = tokio::time::sleep(backoff) => {}
                        () = &mut stop => break,
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(1));
                    continue;
                }
            },
            () = &mut stop => break,
        };
        // The peer reaches handlers as `ConnectInfo<SocketAddr>`, as `axum::serve` gave it.
        let service = Extension(ConnectInfo(peer)).layer(app.clone());
        let conn = http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, %peer, "connection ended with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    tracing::info!(connections = graceful.count(), "not accepting; finishing connections");
    graceful.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_connections_leave_room_under_the_open_file_limit() {
        let n = default_max_connections();
        if let Some(limit) = open_file_limit() {
            assert!(n < limit, "{n} connections under a limit of {limit}");
        }
        assert!(n >= 16);
    }

    #[test]
    fn peer_errors_are_told_from_our_own() {
        assert!(is_connection_error(&std::io::Error::from(std::io::ErrorKind::ConnectionReset)));
        // EMFILE, "Too many open files": ours, back off.
        assert!(!is_connection_error(&std::io::Error::from_raw_os_error(24)));
    }
}
