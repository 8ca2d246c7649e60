//! The shared backend: PostgreSQL, for several stateless `mufakat serve` processes.
//! Live events cross processes by LISTEN/NOTIFY (see `crate::hub`).

use sqlx::postgres::PgPoolOptions;

use super::Result;

pub type Db = sqlx::Postgres;

// The same SQL, compiled once per backend: intended, hence the allow.
#[allow(clippy::duplicate_mod)]
#[path = "sql.rs"]
pub mod sql;

pub async fn open(url: &str) -> Result<sql::SqlStore> {
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(std::time::Duration::from_secs(10))
        .connect(url)
        .await?;
    sqlx::migrate!("./migrations/postgres").run(&pool).await?;
    Ok(sql::SqlStore { pool })
}
