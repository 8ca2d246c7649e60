//! `mufakat`: the server and the command-line interface.

mod api;
mod cli_analysis;
mod demo;
mod error;
mod store;

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use tower_http::services::{ServeDir, ServeFile};

#[derive(Parser)]
#[command(name = "mufakat", version, about = "Deliberation and consensus mapping")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the app and the API.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "MUFAKAT_ADDR", default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Store location: sqlite://<path>.
        #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/mufakat.sqlite")]
        database_url: String,
        /// The built app (Trunk's output).
        #[arg(long, env = "MUFAKAT_DIST", default_value = "dist")]
        dist: PathBuf,
        /// Do not load the demo conversation into an empty store.
        #[arg(long)]
        no_demo: bool,
    },
    #[command(flatten)]
    Analysis(cli_analysis::AnalysisCommand),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    match Cli::parse().command {
        Command::Serve { addr, database_url, dist, no_demo } => {
            serve(addr, &database_url, dist, no_demo).await
        }
        Command::Analysis(c) => cli_analysis::run(c).await,
    }
}

async fn serve(addr: SocketAddr, database_url: &str, dist: PathBuf, no_demo: bool) -> anyhow::Result<()> {
    let store = store::Store::open(database_url).await.with_context(|| format!("opening {database_url}"))?;
    if !no_demo && !store.has_conversations().await? {
        tracing::info!("empty store: loading the demo conversation");
        demo::load(&store).await.context("loading the demo conversation")?;
    }
    let index = dist.join("index.html");
    let app = api::router(api::AppState { store })
        .fallback_service(ServeDir::new(&dist).not_found_service(ServeFile::new(index)))
        .route("/healthz", axum::routing::get(|| async { "ok" }))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(64 * 1024))
        .layer(tower_http::trace::TraceLayer::new_for_http());
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("binding {addr}"))?;
    let url = format!("http://{}/c/{}", listener.local_addr()?, demo::DEMO_ID);
    println!("mufakat is running: open {url}");
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await?;
    Ok(())
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
