//! What every handler shares: the [`AppState`] (store, live memory, event hub, vote writer,
//! limits, rate limiters) and the [`Limits`] from the command line. Its own module so that
//! the router (`app.rs`) and the handlers (`api/`) both use it without using each other.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::hub::Hub;
use crate::live::Live;
use crate::login_guard::{LoginGuard, LoginLimits};
use crate::ratelimit::RateLimiter;
use crate::store::Store;
use crate::writer::VoteWriter;

/// Tunables from the command line.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest request body, in bytes.
    pub max_body: usize,
    /// Requests per second per client address (0: unlimited), and the burst.
    pub per_address: f64,
    pub per_address_burst: f64,
    /// Requests per second per participant token (0: unlimited), and the burst.
    pub per_participant: f64,
    pub per_participant_burst: f64,
    /// How often routing priorities are recomputed from a fresh analysis.
    pub analysis_every: Duration,
    /// Above this many vote log entries the participant page shows the server's published
    /// analysis instead of computing one (docs/published-analysis.md).
    pub participant_analysis_max_votes: u64,
    /// Published analyses kept per conversation (the newest; older seqs answer 404).
    pub published_kept: usize,
    /// Reverse proxies whose `X-Forwarded-For` names the client (see
    /// [`crate::ratelimit::client_address`]); empty: the peer address is the client.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The origin participant links and QR codes use (`--public-url`); `None`: the request's
    /// own, see [`crate::origin`].
    pub public_url: Option<crate::origin::Origin>,
    /// Origins (CSP sources) that may frame the participant pages (`--embed-origins`).
    pub embed_origins: Vec<String>,
    /// Login attempt limits and the password-check pool.
    pub login: LoginLimits,
    /// Failed invitation-code joins per minute per client address (0: no limit), after a
    /// burst of `code_attempts_burst` (see [`crate::api`]'s join).
    pub code_attempts_per_minute: f64,
    pub code_attempts_burst: f64,
    /// Connections served at once (see [`crate::conn`]).
    pub max_connections: usize,
    /// Time for a request's head to arrive, and for an idle keep-alive connection to send
    /// its next one.
    pub header_timeout: Duration,
    /// Time from a request's head to its answer (408 after it); the live event stream,
    /// once answered, runs on.
    pub request_timeout: Duration,
    /// Time a write may wait for a client that stopped reading before it is dropped.
    pub write_timeout: Duration,
}

/// The vote count above which a cheap phone takes more than about 1.5 s to analyse
/// (BENCHMARKS.md, "Published analysis").
pub const DEFAULT_PARTICIPANT_ANALYSIS_MAX_VOTES: u64 = 50_000;

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_body: 64 * 1024,
            per_address: 500.0,
            per_address_burst: 1000.0,
            per_participant: 20.0,
            per_participant_burst: 40.0,
            analysis_every: Duration::from_secs(3),
            participant_analysis_max_votes: DEFAULT_PARTICIPANT_ANALYSIS_MAX_VOTES,
            published_kept: 3,
            trusted_proxies: Vec::new(),
            public_url: None,
            embed_origins: vec![crate::security_headers::SELF.to_string()],
            login: LoginLimits::default(),
            code_attempts_per_minute: 10.0,
            code_attempts_burst: 20.0,
            max_connections: crate::conn::default_max_connections(),
            header_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            write_timeout: Duration::from_secs(30),
        }
    }
}

/// What every handler shares: one `Arc`, so that handing the state to a request (axum
/// clones it for each layer and handler) costs one reference count, not one per field.
#[derive(Clone)]
pub struct AppState(pub(crate) Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

pub struct Shared {
    pub store: Store,
    pub live: Arc<Live>,
    pub hub: Arc<Hub>,
    pub writer: VoteWriter,
    pub limits: Arc<Limits>,
    pub(crate) by_address: Arc<RateLimiter<IpAddr>>,
    pub(crate) by_participant: Arc<RateLimiter<String>>,
    /// Login attempt limits and the bounded argon2 pool.
    pub logins: LoginGuard,
    /// Failed invitation-code joins, per client address (an IPv6 client by its /64).
    pub(crate) code_attempts: RateLimiter<IpAddr>,
    /// Turns true when the server starts shutting down (ends the SSE streams).
    pub shutdown: watch::Receiver<bool>,
}
