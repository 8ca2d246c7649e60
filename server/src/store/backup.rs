//! Backups of a whole store while it serves, and restores: `mufakat backup` / `restore`.
//!
//! - **SQLite**: `VACUUM INTO` a file beside the target, from a read transaction, so the copy
//!   is a consistent snapshot that holds every vote committed (hence acknowledged) before it
//!   began, while the server keeps writing to the WAL. The copy is checked (`PRAGMA
//!   quick_check`), flushed to disk and only then renamed to its name: a failed backup (a
//!   full disk, an unwritable folder) leaves no file that looks like a backup.
//! - **PostgreSQL**: `pg_dump --format=custom` (a consistent snapshot in one transaction),
//!   restored by `pg_restore --single-transaction`. Debian's `postgresql-client` has both.
//!
//! A restore refuses a store that already holds a conversation unless forced, and runs the
//! migrations afterwards, so a backup taken by an older release opens with this one.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, Row};

/// What went wrong, in words for the person at the terminal.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} already exists: choose a new file (a backup never overwrites one)")]
    Exists(PathBuf),
    #[error("cannot write the backup to {path}: {reason}")]
    Write { path: PathBuf, reason: String },
    #[error("{path} is not a mufakat backup: {reason}")]
    NotABackup { path: PathBuf, reason: String },
    #[error(
        "the store {0} already holds conversations; restoring would replace them. Stop its \
         server, then pass --force to replace them"
    )]
    NotEmpty(String),
    #[error("{tool} failed: {reason}")]
    Tool { tool: &'static str, reason: String },
    #[error("unsupported database URL {0:?}: expected sqlite://<path> or postgres://...")]
    BadUrl(String),
    #[error(transparent)]
    Store(#[from] super::StoreError),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// What a backup wrote.
#[derive(Debug, Clone)]
pub struct BackupReport {
    pub path: PathBuf,
    pub bytes: u64,
    pub format: &'static str,
}

const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";
const PG_DUMP_MAGIC: &[u8] = b"PGDMP";

fn sqlite_path(url: &str) -> Option<&str> {
    url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).filter(|p| !p.is_empty())
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// A file name beside `target` for the copy in progress, removed when dropped unless kept.
struct Partial(PathBuf);

impl Partial {
    fn beside(target: &Path) -> Partial {
        let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let tmp = format!(".{name}.partial-{}", super::random_hex::<6>());
        Partial(target.with_file_name(tmp))
    }

    /// Flushes the copy and gives it its name (atomically, on the same file system).
    fn keep_as(self, target: &Path) -> std::io::Result<()> {
        std::fs::File::open(&self.0)?.sync_all()?;
        std::fs::rename(&self.0, target)?;
        if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
            // The rename itself reaches the disk with the folder's entry.
            std::fs::File::open(dir)?.sync_all()?;
        }
        std::mem::forget(self);
        Ok(())
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn write_error(path: &Path, e: impl std::fmt::Display) -> BackupError {
    BackupError::Write { path: path.to_path_buf(), reason: e.to_string() }
}

/// Writes a consistent copy of the store at `url` to `out`, which must not exist.
pub async fn backup(url: &str, out: &Path) -> Result<BackupReport, BackupError> {
    if out.exists() {
        return Err(BackupError::Exists(out.to_path_buf()));
    }
    let partial = Partial::beside(out);
    let format = if let Some(path) = sqlite_path(url) {
        sqlite_backup(path, &partial.0).await.map_err(|e| match e {
            BackupError::Db(e) => write_error(out, e),
            e => e,
        })?;
        "sqlite"
    } else if is_postgres(url) {
        let status = Command::new("pg_dump")
            .args(["--format=custom", "--no-owner", "--file"])
            .arg(&partial.0)
            .arg(url)
            .output()
            .map_err(|e| BackupError::Tool {
                tool: "pg_dump",
                reason: format!("{e} (install postgresql-client)"),
            })?;
        if !status.status.success() {
            let reason = String::from_utf8_lossy(&status.stderr).trim().to_string();
            return Err(BackupError::Tool { tool: "pg_dump", reason });
        }
        "pg_dump custom"
    } else {
        return Err(BackupError::BadUrl(url.to_string()));
    };
    let bytes = std::fs::metadata(&partial.0).map_err(|e| write_error(out, e))?.len();
    partial.keep_as(out).map_err(|e| write_error(out, e))?;
    Ok(BackupReport { path: out.to_path_buf(), bytes, format })
}

async fn sqlite_backup(db: &str, to: &Path) -> Result<(), BackupError> {
    if !Path::new(db).is_file() {
        return Err(BackupError::Store(super::StoreError::NotFound("the SQLite store")));
    }
    // No migrations: a backup never changes the store it copies.
    let mut conn = SqliteConnectOptions::new()
        .filename(db)
        .busy_timeout(std::time::Duration::from_secs(30))
        // A backup of a large store is slow on purpose: no "slow statement" warnings.
        .disable_statement_logging()
        .connect()
        .await?;
    let to = to.to_str().ok_or_else(|| write_error(to, "the path is not UTF-8"))?;
    sqlx::query("VACUUM INTO $1").bind(to).execute(&mut conn).await?;
    conn.close().await?;
    // The copy was just written from a consistent store: quick_check (pages, records,
    // constraints; not index contents) catches a short or damaged write at a third of
    // integrity_check's time. A restore runs the full check on a file of unknown origin.
    check_sqlite(Path::new(to), Check::Quick).await
}

/// How thoroughly [`check_sqlite`] reads a file.
#[derive(Clone, Copy)]
enum Check {
    Quick,
    Full,
}

/// The file is a SQLite database that passes `quick_check` or `integrity_check` and holds
/// mufakat's tables.
async fn check_sqlite(file: &Path, how: Check) -> Result<(), BackupError> {
    let not = |reason: String| BackupError::NotABackup { path: file.to_path_buf(), reason };
    let mut conn = SqliteConnectOptions::new()
        .filename(file)
        .read_only(true)
        .disable_statement_logging()
        .connect()
        .await
        .map_err(|e| not(e.to_string()))?;
    let pragma = match how {
        Check::Quick => "PRAGMA quick_check",
        Check::Full => "PRAGMA integrity_check",
    };
    let check: String =
        sqlx::query(pragma).fetch_one(&mut conn).await.map_err(|e| not(e.to_string()))?.get(0);
    if check != "ok" {
        return Err(not(format!("integrity check: {check}")));
    }
    let tables: i64 = sqlx::query(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('_sqlx_migrations', 'conversations', 'votes')",
    )
    .fetch_one(&mut conn)
    .await
    .map_err(|e| not(e.to_string()))?
    .get(0);
    conn.close().await?;
    if tables != 3 {
        return Err(not("it lacks mufakat's tables".to_string()));
    }
    Ok(())
}

fn magic(file: &Path) -> Result<Vec<u8>, BackupError> {
    let mut head = vec![0u8; 16];
    let mut f = std::fs::File::open(file)
        .map_err(|e| BackupError::NotABackup { path: file.to_path_buf(), reason: e.to_string() })?;
    let n = f.read(&mut head).unwrap_or(0);
    head.truncate(n);
    Ok(head)
}

/// Whether the store at `url` holds a conversation (without creating or migrating it).
async fn holds_conversations(url: &str) -> Result<bool, BackupError> {
    if let Some(path) = sqlite_path(url) {
        if !Path::new(path).exists() {
            return Ok(false);
        }
        let mut conn = SqliteConnectOptions::new().filename(path).read_only(true).connect().await?;
        let n: i64 =
            sqlx::query("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'conversations'")
                .fetch_one(&mut conn)
                .await?
                .get(0);
        let any = n > 0
            && sqlx::query("SELECT 1 FROM conversations LIMIT 1").fetch_optional(&mut conn).await?.is_some();
        conn.close().await?;
        Ok(any)
    } else {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        let exists: bool = sqlx::query("SELECT to_regclass('public.conversations') IS NOT NULL")
            .fetch_one(&mut conn)
            .await?
            .get(0);
        let any = exists
            && sqlx::query("SELECT 1 FROM conversations LIMIT 1").fetch_optional(&mut conn).await?.is_some();
        conn.close().await?;
        Ok(any)
    }
}

/// Brings the backup `file` back into the store at `url`: refused if that store holds
/// conversations, unless `force`. The server on that store must be stopped. Then opens the
/// store, which applies this release's migrations, and returns it.
pub async fn restore(file: &Path, url: &str, force: bool) -> Result<super::Store, BackupError> {
    let head = magic(file)?;
    let not = |reason: &str| BackupError::NotABackup { path: file.to_path_buf(), reason: reason.to_string() };
    if let Some(path) = sqlite_path(url) {
        if !head.starts_with(SQLITE_MAGIC) {
            return Err(not(if head.starts_with(PG_DUMP_MAGIC) {
                "it is a PostgreSQL dump; restore it into a postgres:// store"
            } else {
                "it is not a SQLite file"
            }));
        }
        check_sqlite(file, Check::Full).await?;
        if !force && holds_conversations(url).await? {
            return Err(BackupError::NotEmpty(url.to_string()));
        }
        let target = Path::new(path);
        if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| write_error(target, e))?;
        }
        let partial = Partial::beside(target);
        std::fs::copy(file, &partial.0).map_err(|e| write_error(target, e))?;
        // The old store's write-ahead log must not be replayed over the restored file.
        for suffix in ["-wal", "-shm"] {
            let side = PathBuf::from(format!("{path}{suffix}"));
            match std::fs::remove_file(&side) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(write_error(&side, e)),
            }
        }
        partial.keep_as(target).map_err(|e| write_error(target, e))?;
    } else if is_postgres(url) {
        if !head.starts_with(PG_DUMP_MAGIC) {
            return Err(not(if head.starts_with(SQLITE_MAGIC) {
                "it is a SQLite backup; restore it into a sqlite:// store"
            } else {
                "it is not a pg_dump custom-format file"
            }));
        }
        if !force && holds_conversations(url).await? {
            return Err(BackupError::NotEmpty(url.to_string()));
        }
        let out = Command::new("pg_restore")
            .args([
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                "--dbname",
            ])
            .arg(url)
            .arg(file)
            .output()
            .map_err(|e| BackupError::Tool {
                tool: "pg_restore",
                reason: format!("{e} (install postgresql-client)"),
            })?;
        if !out.status.success() {
            let reason = String::from_utf8_lossy(&out.stderr).trim().to_string();
            return Err(BackupError::Tool { tool: "pg_restore", reason });
        }
    } else {
        return Err(BackupError::BadUrl(url.to_string()));
    }
    Ok(super::Store::open(url).await?)
}
