//! `mufakat`: the server and the command-line interface.

mod cli_analysis;

// The library's modules, reachable as `crate::store` etc. from this binary's modules too.
#[allow(unused_imports)]
use mufakat_server::{api, app, auth, demo, error, export, login_guard, store};

use std::io::{IsTerminal, Read};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

/// Connections at once on `--metrics-addr`: a scraper or two, and room for a human with curl.
const METRICS_MAX_CONNECTIONS: usize = 16;

/// The vote path allocates a little for every request (headers, JSON in and out); under
/// thousands of votes a second glibc's malloc took a tenth of the server's CPU.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "mufakat", version, about = "Deliberation and consensus mapping")]
struct Cli {
    /// How log lines are written: text for a terminal, json (one object a line, with the
    /// request id) for journald or a log collector.
    #[arg(long, global = true, env = "MUFAKAT_LOG_FORMAT", value_enum, default_value = "text")]
    log_format: mufakat_server::logging::LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the app and the API.
    Serve(Box<ServeArgs>),
    /// Manage moderator accounts.
    #[command(subcommand)]
    Admin(AdminCommand),
    #[command(flatten)]
    Analysis(cli_analysis::AnalysisCommand),
    /// Write a consistent copy of the whole store to a new file while the server serves
    /// (SQLite: VACUUM INTO; PostgreSQL: pg_dump's custom format).
    Backup {
        /// The file to write; it must not exist.
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Bring a backup back into a store (stop the server on that store first). A store that
    /// already holds conversations is refused unless --force.
    Restore {
        /// A file written by `mufakat backup`.
        file: PathBuf,
        /// Replace what the store holds.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Args)]
struct StoreArgs {
    /// Store location: sqlite://<path> (embedded) or postgres://user@host:port/db (shared).
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/mufakat.sqlite")]
    database_url: String,
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "MUFAKAT_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    #[command(flatten)]
    store: StoreArgs,
    /// The built app (Trunk's output).
    #[arg(long, env = "MUFAKAT_DIST", default_value = "dist")]
    dist: PathBuf,
    /// Do not load the demo conversation into an empty store.
    #[arg(long)]
    no_demo: bool,
    /// File holding the password of the first moderator, `admin`, created when there is
    /// none (the environment variable MUFAKAT_ADMIN_PASSWORD works too).
    #[arg(long)]
    admin_password_file: Option<PathBuf>,
    /// Requests per second allowed per client address (0: no limit). A town hall behind
    /// one NAT shares one address.
    #[arg(long, default_value_t = 500.0)]
    rate_per_address: f64,
    /// Addresses of reverse proxies (comma-separated) whose X-Forwarded-For header names the
    /// client, so the per-address limit applies to each resident, not to the proxy.
    #[arg(long, value_delimiter = ',')]
    trusted_proxies: Vec<std::net::IpAddr>,
    /// The address residents reach the server at, e.g. https://vote.example.org. When set,
    /// participant links and QR codes use it and ignore the Host and X-Forwarded-* headers;
    /// otherwise they use Host (and X-Forwarded-Proto/-Host from --trusted-proxies only), and
    /// the session cookie is marked Secure when that origin is https.
    #[arg(long, env = "MUFAKAT_PUBLIC_URL")]
    public_url: Option<mufakat_server::origin::Origin>,
    /// Origins allowed to show the participant pages (/c/...) in a frame, comma-separated:
    /// e.g. the site that signs its residents in by xid, https://kelurahan.example.go.id.
    /// `self` is this server; `none` forbids framing. The moderator console, projector and
    /// report can never be framed.
    #[arg(long, value_delimiter = ',', default_value = "self", value_parser = mufakat_server::security_headers::parse_embed_origin)]
    embed_origins: Vec<String>,
    /// Requests per second allowed per participant token (0: no limit).
    #[arg(long, default_value_t = 20.0)]
    rate_per_participant: f64,
    /// Password checks (argon2, about 19 MiB each) run at once; 0: one per core.
    #[arg(long, default_value_t = 0)]
    login_workers: usize,
    /// Logins that may wait for a password check; more are refused at once with 503.
    #[arg(long, default_value_t = 32)]
    login_queue: usize,
    /// Login attempts per minute per client address (0: no limit), after a burst of
    /// --login-burst.
    #[arg(long, default_value_t = 5.0)]
    login_per_minute: f64,
    /// Login attempts a client address may make at once before --login-per-minute applies.
    #[arg(long, default_value_t = 10.0)]
    login_burst: f64,
    /// Failed logins per username within --login-failure-window seconds after which that
    /// username is locked (429) and gets one attempt per window/failures (0: no limit). A
    /// correct password clears the count.
    #[arg(long, default_value_t = 10.0)]
    login_failures_per_user: f64,
    /// The window of --login-failures-per-user, in seconds.
    #[arg(long, default_value_t = 900.0)]
    login_failure_window: f64,
    /// Failed invitation-code joins (unknown, used, revoked or malformed codes) per minute
    /// per client address (0: no limit), after a burst of --code-attempts-burst; then 429.
    /// Joins that take a code do not count, so a hall full of residents behind one address
    /// is not held up.
    #[arg(long, default_value_t = 10.0)]
    code_attempts_per_minute: f64,
    /// Failed invitation-code joins a client address may make at once.
    #[arg(long, default_value_t = 20.0)]
    code_attempts_burst: f64,
    /// Connections served at once; more wait in the kernel's queue until one closes.
    /// Default: the open-file limit (ulimit -n) less 64 and an eighth, kept for the store
    /// and the app's files; raise `ulimit -n` (systemd: LimitNOFILE) for more.
    #[arg(long)]
    max_connections: Option<usize>,
    /// Seconds a client has to send a request's headers, and an idle keep-alive connection
    /// to start its next request, before the connection is closed.
    #[arg(long, default_value_t = 10.0)]
    header_timeout: f64,
    /// Seconds from a request's headers to its answer (408 after that). The live event
    /// stream is not cut: it ends when the server stops.
    #[arg(long, default_value_t = 30.0)]
    request_timeout: f64,
    /// Seconds a write may wait for a client that stopped reading (a full socket buffer)
    /// before its connection is dropped; live event streams included.
    #[arg(long, default_value_t = 30.0)]
    write_timeout: f64,
    /// Largest request body in bytes.
    #[arg(long, default_value_t = 64 * 1024)]
    max_body_bytes: usize,
    /// Serve Prometheus metrics at http://<this address>/metrics (and /healthz),
    /// e.g. 127.0.0.1:9100. Off by default; keep it off the public network.
    #[arg(long, env = "MUFAKAT_METRICS_ADDR")]
    metrics_addr: Option<SocketAddr>,
    /// Seconds between the background analyses that set routing priorities.
    #[arg(long, default_value_t = 3.0)]
    analysis_every: f64,
    /// Above this many votes (vote log entries) the participant page shows the analysis the
    /// server published instead of computing its own: a cheap phone needs longer than about
    /// 1.5 s above it (BENCHMARKS.md). The projector and the report always compute.
    #[arg(long, default_value_t = app::DEFAULT_PARTICIPANT_ANALYSIS_MAX_VOTES)]
    participant_analysis_max_votes: u64,
    /// Published analyses kept in memory per conversation (the newest); a reader asking
    /// for an older one gets 404 and asks for the newest again.
    #[arg(long, default_value_t = 3)]
    published_analyses_kept: usize,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create a moderator account (the password comes from stdin or a prompt).
    Create {
        #[arg(long)]
        username: String,
        /// Read the password from standard input (first line) instead of prompting.
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    mufakat_server::logging::init(cli.log_format);
    // One line for the user, causes included, never a stack backtrace (RUST_BACKTRACE is
    // set on some machines, and anyhow's debug output would print one).
    match run(cli.command).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve(args) => serve(*args).await,
        Command::Admin(AdminCommand::Create { username, password_stdin, store }) => {
            admin_create(&username, password_stdin, &store.database_url).await
        }
        Command::Analysis(c) => cli_analysis::run(c).await,
        Command::Backup { out, store } => {
            let started = std::time::Instant::now();
            let report = store::backup::backup(&store.database_url, &out).await?;
            println!(
                "backup written: {} ({} bytes, {}) in {:.2} s",
                report.path.display(),
                report.bytes,
                report.format,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Restore { file, force, store } => {
            let restored = store::backup::restore(&file, &store.database_url, force).await?;
            let conversations = restored.list_conversations().await?;
            let votes: u64 = conversations.iter().map(|(_, t)| t.votes).sum();
            restored.close().await;
            println!(
                "restored {} into {}: {} conversations, {votes} votes",
                file.display(),
                store.database_url,
                conversations.len()
            );
            Ok(())
        }
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let url = &args.store.database_url;
    let store = store::Store::open(url).await.with_context(|| format!("opening {url}"))?;
    if !args.no_demo && !store.has_conversations().await? {
        tracing::info!("empty store: loading the demo conversation");
        demo::load(&store).await.context("loading the demo conversation")?;
    }
    first_admin(&store, args.admin_password_file.as_deref()).await?;
    let limits = app::Limits {
        max_body: args.max_body_bytes,
        per_address: args.rate_per_address,
        per_address_burst: (args.rate_per_address * 2.0).max(1.0),
        per_participant: args.rate_per_participant,
        per_participant_burst: (args.rate_per_participant * 2.0).max(1.0),
        analysis_every: Duration::from_secs_f64(args.analysis_every.max(0.1)),
        participant_analysis_max_votes: args.participant_analysis_max_votes,
        published_kept: args.published_analyses_kept.max(1),
        trusted_proxies: args.trusted_proxies,
        public_url: args.public_url,
        embed_origins: args.embed_origins,
        login: login_guard::LoginLimits {
            workers: match args.login_workers {
                0 => std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
                n => n,
            },
            queue: args.login_queue,
            per_address_per_minute: args.login_per_minute,
            per_address_burst: args.login_burst.max(1.0),
            failures_per_user: args.login_failures_per_user,
            failure_window: seconds(args.login_failure_window, 1.0),
        },
        code_attempts_per_minute: args.code_attempts_per_minute,
        code_attempts_burst: args.code_attempts_burst.max(1.0),
        max_connections: args
            .max_connections
            .unwrap_or_else(mufakat_server::conn::default_max_connections)
            .max(1),
        header_timeout: seconds(args.header_timeout, 0.1),
        request_timeout: seconds(args.request_timeout, 0.1),
        write_timeout: seconds(args.write_timeout, 0.1),
    };
    let server = app::Server::new(store.clone(), limits.clone());
    if let Some(addr) = args.metrics_addr {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("binding the metrics address {addr}"))?;
        let metrics = axum::Router::new()
            .route("/metrics", axum::routing::get(mufakat_server::metrics::serve_metrics))
            .route("/healthz", axum::routing::get(|| async { "ok" }));
        // The same bounded accept loop as the public address (a scraper is trusted, but a
        // stalled or slow connection must not hold a slot or a task for ever), with few slots.
        let metrics = metrics
            .layer(tower_http::timeout::TimeoutLayer::with_status_code(
                axum::http::StatusCode::REQUEST_TIMEOUT,
                limits.request_timeout,
            ))
            .layer(axum::middleware::map_response(mufakat_server::error::explain_timeout));
        let metrics_limits = mufakat_server::conn::ConnLimits {
            max_connections: METRICS_MAX_CONNECTIONS,
            header_timeout: limits.header_timeout,
            write_timeout: limits.write_timeout,
        };
        tracing::info!(%addr, "metrics at /metrics");
        tokio::spawn(mufakat_server::conn::serve(listener, metrics, metrics_limits, std::future::pending()));
    }
    let listener =
        tokio::net::TcpListener::bind(args.addr).await.with_context(|| format!("binding {}", args.addr))?;
    let local = listener.local_addr()?;
    tracing::info!(backend = store.backend(), %local, "listening");
    println!(
        "mufakat is running: open http://{local}/c/{} (moderator console: http://{local}/admin)",
        demo::DEMO_ID
    );
    server.run(listener, Some(args.dist), shutdown_signal()).await
}

/// A duration flag given in seconds, at least `min` (NaN and infinity too).
fn seconds(s: f64, min: f64) -> Duration {
    Duration::from_secs_f64(if s.is_nan() { min } else { s.clamp(min, 1e9) })
}

/// Creates `admin` from --admin-password-file or MUFAKAT_ADMIN_PASSWORD when the store has
/// no moderator yet.
async fn first_admin(store: &store::Store, file: Option<&std::path::Path>) -> anyhow::Result<()> {
    let password = match file {
        Some(f) => Some(std::fs::read_to_string(f).with_context(|| format!("reading {}", f.display()))?),
        None => std::env::var("MUFAKAT_ADMIN_PASSWORD").ok(),
    };
    let Some(password) = password.map(|p| p.trim_end_matches(['\n', '\r']).to_string()) else {
        return Ok(());
    };
    if password.is_empty() || store.admin_count().await? > 0 {
        return Ok(());
    }
    if store.create_admin("admin", &auth::hash_password(&password)?).await? {
        println!("created the first moderator account: admin (password as given)");
    }
    Ok(())
}

async fn admin_create(username: &str, password_stdin: bool, url: &str) -> anyhow::Result<()> {
    if username.is_empty() || username.len() > 64 {
        anyhow::bail!("the username must be 1 to 64 bytes");
    }
    let password = read_password(password_stdin)?;
    if password.chars().count() < 8 {
        anyhow::bail!("the password must have at least 8 characters");
    }
    let store = store::Store::open(url).await.with_context(|| format!("opening {url}"))?;
    if !store.create_admin(username, &auth::hash_password(&password)?).await? {
        anyhow::bail!("a moderator named {username:?} already exists");
    }
    println!("created moderator {username}");
    Ok(())
}

fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    let interactive = !from_stdin && stdin.is_terminal();
    if interactive {
        eprint!("password for the new moderator: ");
        // Hide the typed password where stty is available.
        let _ =
            std::process::Command::new("stty").arg("-echo").stdin(std::process::Stdio::inherit()).status();
    }
    let mut line = String::new();
    let read = if interactive {
        stdin.read_line(&mut line).map(|_| ())
    } else {
        let mut all = String::new();
        stdin.lock().read_to_string(&mut all).map(|_| line = all.lines().next().unwrap_or("").to_string())
    };
    if interactive {
        let _ = std::process::Command::new("stty").arg("echo").stdin(std::process::Stdio::inherit()).status();
        eprintln!();
    }
    read.context("reading the password")?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing requests in flight");
}
