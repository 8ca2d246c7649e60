//! The store: every write and read of conversations, statements, participants and votes.
//! SQL lives here and nowhere else; every query is parameterised.
//!
//! The embedded default is one SQLite file in WAL mode with `synchronous = FULL`, so a vote
//! the API has acknowledged survives a killed process. Migrations in `migrations/sqlite`
//! are applied at start.

use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

use mufakat_core::api::{ConversationView, StatementView, VoteCounts, VotesCompact};
use mufakat_core::model::{Moderation, ParticipantId, StatementId, Vote};
use rand::RngCore;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};

mod bulk;
pub use bulk::{ConversationDump, StoredStatement, StoredVote};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("a statement with the same words already exists")]
    Duplicate,
    #[error("unsupported database URL {0:?}: expected sqlite://<path>")]
    BadUrl(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A conversation's settings as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Conversation {
    pub id: String,
    pub title: String,
    pub description: String,
    pub language: String,
    pub allow_statements: bool,
    pub strict_moderation: bool,
    pub closed: bool,
}

/// A statement to add; `author` is `None` for moderator seeds.
pub struct NewStatement<'a> {
    pub text: &'a str,
    pub author: Option<ParticipantId>,
    pub moderation: Moderation,
    pub is_seed: bool,
}

/// A statement a participant may be shown, with what routing needs to know about it.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub view: StatementView,
    pub author: Option<ParticipantId>,
}

#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
}

pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// Folds case, punctuation and spacing so that near-identical statements collide.
pub fn dedup_key(text: &str) -> String {
    let mut key = String::with_capacity(text.len());
    for word in text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        if !key.is_empty() {
            key.push(' ');
        }
        key.extend(word.chars().flat_map(char::to_lowercase));
    }
    key
}

fn new_token() -> String {
    let mut bytes = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Store {
    /// Opens (creating if needed) the store at `url` and applies migrations.
    pub async fn open(url: &str) -> Result<Store> {
        let path = url.strip_prefix("sqlite://").ok_or_else(|| StoreError::BadUrl(url.to_string()))?;
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
        Ok(Store { pool })
    }

    pub async fn has_conversations(&self) -> Result<bool> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM conversations").fetch_one(&self.pool).await?;
        Ok(n > 0)
    }

    pub async fn create_conversation(&self, c: &Conversation) -> Result<()> {
        sqlx::query(
            "INSERT INTO conversations (id, title, description, language, allow_statements, \
             strict_moderation, closed, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&c.id)
        .bind(&c.title)
        .bind(&c.description)
        .bind(&c.language)
        .bind(c.allow_statements)
        .bind(c.strict_moderation)
        .bind(c.closed)
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn conversation(&self, id: &str) -> Result<Conversation> {
        let row = sqlx::query(
            "SELECT id, title, description, language, allow_statements, strict_moderation, closed \
             FROM conversations WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound("conversation"))?;
        Ok(Conversation {
            id: row.get(0),
            title: row.get(1),
            description: row.get(2),
            language: row.get(3),
            allow_statements: row.get(4),
            strict_moderation: row.get(5),
            closed: row.get(6),
        })
    }

    /// Adds a statement with the next free id; refuses a duplicate of an existing one.
    pub async fn add_statement(&self, conversation: &str, s: &NewStatement<'_>) -> Result<StatementView> {
        let mut tx = self.pool.begin().await?;
        let id: i64 =
            sqlx::query_scalar("SELECT COALESCE(MAX(id) + 1, 0) FROM statements WHERE conversation_id = ?")
                .bind(conversation)
                .fetch_one(&mut *tx)
                .await?;
        let inserted = sqlx::query(
            "INSERT INTO statements (conversation_id, id, text, dedup_key, author, moderation, is_seed, \
             created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (conversation_id, dedup_key) DO NOTHING",
        )
        .bind(conversation)
        .bind(id)
        .bind(s.text)
        .bind(dedup_key(s.text))
        .bind(s.author.map(i64::from))
        .bind(s.moderation.value())
        .bind(s.is_seed)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            return Err(StoreError::Duplicate);
        }
        tx.commit().await?;
        Ok(StatementView {
            id: id as StatementId,
            text: s.text.to_string(),
            moderation: s.moderation,
            counts: VoteCounts::default(),
        })
    }

    /// Statements a participant may see, with their current vote counts, in id order.
    pub async fn visible_statements(&self, c: &Conversation) -> Result<Vec<Candidate>> {
        let min_moderation = if c.strict_moderation { 1 } else { 0 };
        let rows = sqlx::query(
            "SELECT s.id, s.text, s.moderation, s.author, \
               COALESCE(SUM(v.value = 1), 0), COALESCE(SUM(v.value = -1), 0), COALESCE(SUM(v.value = 0), 0) \
             FROM statements s LEFT JOIN votes v \
               ON v.conversation_id = s.conversation_id AND v.statement = s.id \
             WHERE s.conversation_id = ? AND s.moderation >= ? AND s.is_meta = 0 \
             GROUP BY s.id ORDER BY s.id",
        )
        .bind(&c.id)
        .bind(min_moderation)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| Candidate {
                view: StatementView {
                    id: r.get::<i64, _>(0) as StatementId,
                    text: r.get(1),
                    moderation: Moderation::from_value(r.get::<i64, _>(2) as i8).unwrap_or_default(),
                    counts: VoteCounts {
                        agree: r.get::<i64, _>(4) as u32,
                        disagree: r.get::<i64, _>(5) as u32,
                        pass: r.get::<i64, _>(6) as u32,
                    },
                },
                author: r.get::<Option<i64>, _>(3).map(|a| a as ParticipantId),
            })
            .collect())
    }

    pub async fn conversation_view(&self, id: &str) -> Result<ConversationView> {
        let c = self.conversation(id).await?;
        let statements = self.visible_statements(&c).await?.into_iter().map(|s| s.view).collect();
        let participants: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM participants WHERE conversation_id = ?")
                .bind(id)
                .fetch_one(&self.pool)
                .await?;
        Ok(ConversationView {
            id: c.id,
            title: c.title,
            description: c.description,
            language: c.language,
            allow_statements: c.allow_statements,
            strict_moderation: c.strict_moderation,
            closed: c.closed,
            max_statement_chars: mufakat_core::api::MAX_STATEMENT_CHARS,
            participants: participants as u32,
            statements,
        })
    }

    /// Resumes the participant holding `token` (or `xid`) in this conversation, or creates one.
    /// Returns the token and the participant's id.
    pub async fn join(
        &self,
        conversation: &str,
        token: Option<&str>,
        xid: Option<&str>,
    ) -> Result<(String, ParticipantId)> {
        if let Some(token) = token {
            if let Some(id) = self.participant_by_token(conversation, token).await? {
                return Ok((token.to_string(), id));
            }
        }
        let mut tx = self.pool.begin().await?;
        if let Some(xid) = xid {
            let found =
                sqlx::query("SELECT token, id FROM participants WHERE conversation_id = ? AND xid = ?")
                    .bind(conversation)
                    .bind(xid)
                    .fetch_optional(&mut *tx)
                    .await?;
            if let Some(row) = found {
                return Ok((row.get(0), row.get::<i64, _>(1) as ParticipantId));
            }
        }
        let id: i64 =
            sqlx::query_scalar("SELECT COALESCE(MAX(id) + 1, 0) FROM participants WHERE conversation_id = ?")
                .bind(conversation)
                .fetch_one(&mut *tx)
                .await?;
        let token = new_token();
        sqlx::query(
            "INSERT INTO participants (conversation_id, id, token, xid, created_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(conversation)
        .bind(id)
        .bind(&token)
        .bind(xid)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok((token, id as ParticipantId))
    }

    pub async fn participant_by_token(
        &self,
        conversation: &str,
        token: &str,
    ) -> Result<Option<ParticipantId>> {
        let id: Option<i64> =
            sqlx::query_scalar("SELECT id FROM participants WHERE conversation_id = ? AND token = ?")
                .bind(conversation)
                .bind(token)
                .fetch_optional(&self.pool)
                .await?;
        Ok(id.map(|i| i as ParticipantId))
    }

    /// Records a vote: the current vote is replaced and the change kept in the history.
    pub async fn cast_vote(
        &self,
        conversation: &str,
        participant: ParticipantId,
        statement: StatementId,
        vote: Vote,
    ) -> Result<()> {
        let at = now_ms();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO votes (conversation_id, participant, statement, value, updated_at) VALUES (?, ?, ?, ?, ?) \
             ON CONFLICT (conversation_id, participant, statement) DO UPDATE SET value = excluded.value, \
             updated_at = excluded.updated_at",
        )
        .bind(conversation)
        .bind(participant as i64)
        .bind(statement as i64)
        .bind(vote.value())
        .bind(at)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO vote_history (conversation_id, participant, statement, value, at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(conversation)
        .bind(participant as i64)
        .bind(statement as i64)
        .bind(vote.value())
        .bind(at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Writes many votes in one transaction (demo data, imports).
    pub async fn cast_votes_bulk(
        &self,
        conversation: &str,
        votes: &[(ParticipantId, StatementId, Vote)],
    ) -> Result<()> {
        let at = now_ms();
        let mut tx = self.pool.begin().await?;
        for &(p, s, v) in votes {
            sqlx::query(
                "INSERT INTO votes (conversation_id, participant, statement, value, updated_at) \
                 VALUES (?, ?, ?, ?, ?) ON CONFLICT (conversation_id, participant, statement) \
                 DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            )
            .bind(conversation)
            .bind(p as i64)
            .bind(s as i64)
            .bind(v.value())
            .bind(at)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO vote_history (conversation_id, participant, statement, value, at) \
                 VALUES (?, ?, ?, ?, ?)",
            )
            .bind(conversation)
            .bind(p as i64)
            .bind(s as i64)
            .bind(v.value())
            .bind(at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Statement ids this participant has voted on.
    pub async fn voted_by(&self, conversation: &str, participant: ParticipantId) -> Result<Vec<StatementId>> {
        let ids: Vec<i64> =
            sqlx::query_scalar("SELECT statement FROM votes WHERE conversation_id = ? AND participant = ?")
                .bind(conversation)
                .bind(participant as i64)
                .fetch_all(&self.pool)
                .await?;
        Ok(ids.into_iter().map(|i| i as StatementId).collect())
    }

    /// Every current vote of the conversation, for analysis.
    pub async fn votes(&self, conversation: &str) -> Result<VotesCompact> {
        let rows = sqlx::query(
            "SELECT participant, statement, value FROM votes WHERE conversation_id = ? \
             ORDER BY participant, statement",
        )
        .bind(conversation)
        .fetch_all(&self.pool)
        .await?;
        let mut out = VotesCompact::default();
        for r in rows {
            out.participants.push(r.get::<i64, _>(0) as ParticipantId);
            out.statements.push(r.get::<i64, _>(1) as StatementId);
            out.values.push(r.get::<i64, _>(2) as i8);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedup_key_folds_case_spacing_and_punctuation() {
        assert_eq!(dedup_key("  More  trees, please! "), dedup_key("more trees please"));
        assert_ne!(dedup_key("more trees"), dedup_key("fewer trees"));
        assert_eq!(dedup_key("Jalan RUSAK!"), "jalan rusak");
    }
}
