//! The embedded backend: one SQLite file in WAL mode with `synchronous = FULL`.

use std::str::FromStr;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use super::{Result, StoreError};

pub type Db = sqlx::Sqlite;

/// How the store's transactions begin: every one of them writes. `IMMEDIATE` takes the
/// write lock at the start, waiting for it under the busy timeout. A deferred transaction
/// that reads first (a translation checks its statement, a join finds the next id) takes a
/// snapshot, and when another connection (the vote writer) commits before its first write,
/// SQLite refuses that write at once with "database is locked" (SQLITE_BUSY_SNAPSHOT), which
/// no busy timeout waits out.
pub const BEGIN_WRITE: &str = "BEGIN IMMEDIATE";

// The same SQL, compiled once per backend: intended, hence the allow.
#[allow(clippy::duplicate_mod)]
#[path = "sql.rs"]
pub mod sql;
// Whole-conversation import and dump (`mufakat import` / `export`), compiled the same way.
#[allow(clippy::duplicate_mod)]
#[path = "bulk.rs"]
mod bulk;

/// Opens `sqlite://<path>` (or `sqlite:<path>`), creating the file and its folder if needed.
pub async fn open(url: &str) -> Result<sql::SqlStore> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .filter(|p| !p.is_empty())
        .ok_or_else(|| StoreError::BadUrl(url.to_string()))?;
    if let Some(dir) = std::path::Path::new(path).parent() {
        if !dir.as_os_str().is_empty() {
            let _ = std::fs::create_dir_all(dir);
        }
    }
    let options = SqliteConnectOptions::from_str(&format!("sqlite://{path}"))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        // No checkpoint inside a commit: see `checkpoints`.
        .pragma("wal_autocheckpoint", "0")
        .busy_timeout(std::time::Duration::from_secs(10));
    let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
    sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
    tokio::spawn(checkpoints(pool.clone()));
    Ok(sql::SqlStore { pool })
}

/// How often the WAL is copied back into the database file.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

/// Copies the WAL back into the database file every [`CHECKPOINT_EVERY`] from a connection
/// of its own, until the pool closes. SQLite's automatic checkpoint (off) ran inside the
/// commit that crossed 1,000 pages of WAL: with the votes of a large conversation spread
/// over many pages that was nearly every group commit, whose votes then waited for the
/// database file's writes and its fsync on top of the WAL's. A passive checkpoint runs
/// beside the writer (a commit appends to the WAL meanwhile) and waits for nobody.
/// Durability does not depend on it: a commit is durable once its WAL frames are synced
/// (`synchronous = FULL`), and a process that opens the file replays the WAL.
async fn checkpoints(pool: sqlx::SqlitePool) {
    let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if pool.is_closed() {
            return;
        }
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&pool).await {
            if pool.is_closed() {
                return;
            }
            tracing::warn!(error = %e, "WAL checkpoint failed");
        }
    }
}
