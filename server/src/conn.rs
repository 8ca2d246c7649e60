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
//! - A client that stops reading (a phone gone out of range, or a slow-read attack on a large
//!   answer or the event stream) is dropped once a write has waited `write_timeout` for
//!   room in the socket ([`WriteStallGuard`]); otherwise its connection, and a graceful
//!   shutdown waiting for it, would hang on a full send buffer for ever.
//! - `accept` errors other than a peer's (above all EMFILE, out of file descriptors) back off
//!   from 5 ms to 1 s instead of spinning.
//! - Shutdown: stop accepting, let every connection finish its request in flight (votes are
//!   committed before they are answered), close idle ones, and wait for all of them.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::{Extension, Router};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
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
    pub write_timeout: Duration,
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
        let io = TokioIo::new(WriteStallGuard::new(stream, limits.write_timeout));
        let conn = http.serve_connection(io, TowerToHyperService::new(service));
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

/// An I/O stream whose writes fail with `TimedOut` once one has waited `limit` for the peer
/// to make room (to read).
pub struct WriteStallGuard<I> {
    io: I,
    limit: Duration,
    stalled: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl<I> WriteStallGuard<I> {
    pub fn new(io: I, limit: Duration) -> WriteStallGuard<I> {
        WriteStallGuard { io, limit, stalled: None }
    }

    /// After a write that could not proceed: an error once the stall has lasted `limit`.
    fn check_stall<T>(&mut self, cx: &mut Context<'_>, polled: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        match polled {
            Poll::Ready(r) => {
                self.stalled = None;
                Poll::Ready(r)
            }
            Poll::Pending => {
                let limit = self.limit;
                let sleep = self.stalled.get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
                match sleep.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "the client stopped reading",
                    ))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }
}

impl<I: AsyncRead + Unpin> AsyncRead for WriteStallGuard<I> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for WriteStallGuard<I> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.io).poll_write(cx, buf);
        this.check_stall(cx, polled)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.io).poll_write_vectored(cx, bufs);
        this.check_stall(cx, polled)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.io).poll_flush(cx);
        this.check_stall(cx, polled)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_write_to_a_peer_that_stopped_reading_fails_after_the_limit() {
        use tokio::io::AsyncWriteExt;
        let (near, _far) = tokio::io::duplex(1024);
        let mut guarded = WriteStallGuard::new(near, Duration::from_millis(200));
        let start = std::time::Instant::now();
        let chunk = [0u8; 512];
        let err = loop {
            match tokio::time::timeout(Duration::from_secs(5), guarded.write_all(&chunk)).await {
                Ok(Ok(())) => continue,
                Ok(Err(e)) => break e,
                Err(_) => panic!("the stalled write never failed"),
            }
        };
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        assert!(start.elapsed() >= Duration::from_millis(200), "{:?}", start.elapsed());
    }

    #[tokio::test]
    async fn a_slow_reader_that_keeps_reading_is_not_cut() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let (near, mut far) = tokio::io::duplex(64);
        let mut guarded = WriteStallGuard::new(near, Duration::from_millis(300));
        let reader = tokio::spawn(async move {
            let mut buf = [0u8; 64];
            let mut total = 0;
            while total < 4096 {
                tokio::time::sleep(Duration::from_millis(20)).await;
                total += far.read(&mut buf).await.unwrap();
            }
            total
        });
        // 64 reads 20 ms apart: far longer than the limit in all, never a stall that long.
        guarded.write_all(&[1u8; 4096]).await.expect("a reading peer is not cut");
        assert_eq!(reader.await.unwrap(), 4096);
    }

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
