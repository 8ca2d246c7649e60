//! The embedded backend: one SQLite file in WAL mode with `synchronous = FULL`.

use std::str::FromStr;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use super::{Result, StoreError};

pub type Db = sqlx::Sqlite;

// The same SQL, compiled once per backend: intended, hence the allow.
#[allow(clippy::duplicate_mod)]
#[path = "sql.rs"]
pub mod sql;

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
        .busy_timeout(std::time::Duration::from_secs(10));
    let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
    sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
    Ok(sql::SqlStore { pool })
}
