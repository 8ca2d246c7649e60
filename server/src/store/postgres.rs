//! The shared backend: PostgreSQL, for several stateless `mufakat serve` processes.
//! Live events cross processes by LISTEN/NOTIFY (see `crate::hub`).

use sqlx::postgres::PgPoolOptions;

use super::Result;

pub type Db = sqlx::Postgres;

/// How the store's transactions begin (read committed; see the SQLite backend's for why
/// that one differs).
pub const BEGIN_WRITE: &str = "BEGIN";

// The same SQL, compiled once per backend: intended, hence the allow.
#[allow(clippy::duplicate_mod)]
#[path = "sql.rs"]
pub mod sql;
// Whole-conversation import and dump (`mufakat import` / `export`), compiled the same way.
#[allow(clippy::duplicate_mod)]
#[path = "bulk.rs"]
mod bulk;

pub async fn open(url: &str) -> Result<sql::SqlStore> {
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(std::time::Duration::from_secs(10))
        .connect(url)
        .await?;
    sqlx::migrate!("./migrations/postgres").run(&pool).await?;
    Ok(sql::SqlStore { pool })
}

impl sql::SqlStore {
    /// Sends `payload` to every session listening on `channel` (NOTIFY, PostgreSQL's own
    /// SQL): live events between processes, see `crate::hub`.
    pub async fn notify(&self, channel: &str, payload: &str) -> Result<()> {
        sqlx::query("SELECT pg_notify($1, $2)").bind(channel).bind(payload).execute(&self.pool).await?;
        Ok(())
    }
}
