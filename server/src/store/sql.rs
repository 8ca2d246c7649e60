//! The SQL of the store, written once for both backends: this file is compiled twice, as
//! `store::sqlite::sql` and `store::postgres::sql`, each with its own `super::Db`. Queries
//! use `$n` placeholders (both engines take them), `BIGINT`-compatible integers and
//! `ON CONFLICT` upserts, so the same text runs on SQLite and PostgreSQL.

use mufakat_core::api::admin::DemographicQuestion;
use mufakat_core::api::outcomes::{Outcome, OutcomeId, OutcomeInput, OutcomeStatus};
use mufakat_core::api::settings::ConversationSettings;
use mufakat_core::api::{VoteCounts, VotesCompact};
use mufakat_core::model::{Moderation, ParticipantId, StatementId, Vote, VoteRecord};
use sqlx::{QueryBuilder, Row};

use super::Db;
use crate::store::dedup::{dedup_key, is_near_duplicate};
use mufakat_core::api::codes::CodeCounts;

use crate::store::{
    new_token, now_ms, CodeJoin, Conversation, ConversationTotals, NewStatement, Result, StatementRow,
    StoreError, TranslationWrite, VoteWrite,
};
use mufakat_core::api::translations::{TranslatedBy, Translation};

/// Entries a read of the vote log packs into one row (see [`SqlStore::vote_log`]).
const LOG_READ_CHUNK: u64 = 1 << 16;

/// How often an insert that lost a race for the next id is retried.
const ID_RETRIES: usize = 20;

#[derive(Clone)]
pub struct SqlStore {
    pub pool: sqlx::Pool<Db>,
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

fn questions_json(q: &[DemographicQuestion]) -> String {
    serde_json::to_string(q).unwrap_or_else(|_| "[]".to_string())
}

/// The columns [`conversation_from_row`] reads (a macro, so queries are `concat!`-ed
/// at compile time).
macro_rules! conversation_columns {
    () => {
        "id, title, description, language, allow_statements, strict_moderation, closed, created_at, questions, \
         pinned_statement, statement_cap, invitation_only, source_url"
    };
}

/// A conversation from a row of `conversation_columns!()`, read by column name.
fn conversation_from_row(row: &<Db as sqlx::Database>::Row) -> Result<Conversation> {
    let questions: String = row.try_get("questions")?;
    let settings = ConversationSettings {
        title: row.try_get("title")?,
        description: row.try_get("description")?,
        language: row.try_get("language")?,
        allow_statements: row.try_get("allow_statements")?,
        strict_moderation: row.try_get("strict_moderation")?,
        questions: serde_json::from_str(&questions).unwrap_or_default(),
        pinned_statement: row
            .try_get::<Option<i64>, _>("pinned_statement")?
            .and_then(|s| u32::try_from(s).ok()),
        statement_cap: u32::try_from(row.try_get::<i64, _>("statement_cap")?).unwrap_or(0),
        invitation_only: row.try_get("invitation_only")?,
    };
    Ok(Conversation {
        id: row.try_get("id")?,
        settings,
        closed: row.try_get("closed")?,
        created_at_ms: row.try_get("created_at")?,
        from_polis: crate::store::from_polis(row.try_get::<Option<String>, _>("source_url")?.as_deref()),
    })
}

/// The query [`outcome_from_row`] reads, up to its `WHERE` on the conversation (`$1`).
macro_rules! outcome_select {
    () => {
        "SELECT o.id, o.statement, s.text AS statement_text, o.status, o.text, o.decided_on, \
         o.published_at, o.updated_at FROM outcomes o LEFT JOIN statements s \
         ON s.conversation_id = o.conversation_id AND s.id = o.statement WHERE o.conversation_id = $1"
    };
}

/// An outcome from a row of `outcome_select!()`, read by column name.
fn outcome_from_row(row: &<Db as sqlx::Database>::Row) -> Result<Outcome> {
    let status: String = row.try_get("status")?;
    let status = OutcomeStatus::parse(&status)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown outcome status {status:?}")))?;
    Ok(Outcome {
        id: row.try_get::<i64, _>("id")? as OutcomeId,
        statement: row.try_get::<Option<i64>, _>("statement")?.map(|s| s as StatementId),
        statement_text: row.try_get("statement_text")?,
        status,
        text: row.try_get("text")?,
        date: row.try_get("decided_on")?,
        published_at_ms: row.try_get("published_at")?,
        updated_at_ms: row.try_get("updated_at")?,
    })
}

/// A statement from a row holding `statements`' columns by name, with the counts given
/// (read with it, or zero where the caller counts from the vote log).
fn statement_from_row(r: &<Db as sqlx::Database>::Row, counts: VoteCounts) -> Result<StatementRow> {
    Ok(StatementRow {
        id: r.try_get::<i64, _>("id")? as StatementId,
        text: r.try_get("text")?,
        moderation: Moderation::from_value(r.try_get::<i64, _>("moderation")? as i8).unwrap_or_default(),
        author: r.try_get::<Option<i64>, _>("author")?.map(|a| a as ParticipantId),
        is_seed: r.try_get("is_seed")?,
        is_meta: r.try_get("is_meta")?,
        created_at_ms: r.try_get("created_at")?,
        reason: r.try_get("moderation_reason")?,
        counts,
        language: r.try_get("language")?,
        translations: Vec::new(),
    })
}

/// The one INSERT of a conversation, for [`SqlStore::create_conversation`] and the import
/// (`bulk.rs`), which numbers new participants from `next_participant`. Each conversation
/// gets its own xid secret.
pub(super) async fn insert_conversation<'e>(
    db: impl sqlx::Executor<'e, Database = Db>,
    c: &Conversation,
    next_participant: i64,
) -> std::result::Result<(), sqlx::Error> {
    let s = &c.settings;
    sqlx::query(
        "INSERT INTO conversations (id, title, description, language, allow_statements, \
         strict_moderation, closed, created_at, questions, xid_secret, next_participant, \
         pinned_statement, statement_cap, invitation_only) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(&c.id)
    .bind(&s.title)
    .bind(&s.description)
    .bind(&s.language)
    .bind(s.allow_statements)
    .bind(s.strict_moderation)
    .bind(c.closed)
    .bind(c.created_at_ms)
    .bind(questions_json(&s.questions))
    .bind(crate::xid::new_secret())
    .bind(next_participant)
    .bind(s.pinned_statement.map(i64::from))
    .bind(i64::from(s.statement_cap))
    .bind(s.invitation_only)
    .execute(db)
    .await?;
    Ok(())
}

/// The one INSERT of a participant, with the conversation's next id: the counter row's lock
/// orders concurrent joins of one conversation. The outer error is a failure; the inner one
/// the insert's (a unique violation: another join took this xid meanwhile).
async fn insert_participant(
    tx: &mut sqlx::Transaction<'_, Db>,
    conversation: &str,
    token: &str,
    xid: Option<&str>,
) -> Result<std::result::Result<ParticipantId, sqlx::Error>> {
    let id: Option<i64> = sqlx::query_scalar(
        "UPDATE conversations SET next_participant = next_participant + 1 WHERE id = $1 \
         RETURNING next_participant - 1",
    )
    .bind(conversation)
    .fetch_optional(&mut **tx)
    .await?;
    let id = id.ok_or(StoreError::NotFound("conversation"))?;
    let inserted = sqlx::query(
        "INSERT INTO participants (conversation_id, id, token, xid, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(conversation)
    .bind(id)
    .bind(token)
    .bind(xid)
    .bind(now_ms())
    .execute(&mut **tx)
    .await;
    Ok(inserted.map(|_| id as ParticipantId))
}

impl SqlStore {
    pub async fn has_conversations(&self) -> Result<bool> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM conversations").fetch_one(&self.pool).await?;
        Ok(n > 0)
    }

    /// Creates a conversation; `IdTaken` when the id is taken.
    pub async fn create_conversation(&self, c: &Conversation) -> Result<()> {
        match insert_conversation(&self.pool, c, 0).await {
            Err(e) if is_unique_violation(&e) => Err(StoreError::IdTaken),
            done => Ok(done?),
        }
    }

    /// Writes every setting of an existing conversation.
    pub async fn update_conversation(&self, c: &Conversation) -> Result<()> {
        let s = &c.settings;
        let done = sqlx::query(
            "UPDATE conversations SET title = $1, description = $2, language = $3, allow_statements = $4, \
             strict_moderation = $5, closed = $6, questions = $7, pinned_statement = $8, \
             statement_cap = $9, invitation_only = $10 WHERE id = $11",
        )
        .bind(&s.title)
        .bind(&s.description)
        .bind(&s.language)
        .bind(s.allow_statements)
        .bind(s.strict_moderation)
        .bind(c.closed)
        .bind(questions_json(&s.questions))
        .bind(s.pinned_statement.map(i64::from))
        .bind(i64::from(s.statement_cap))
        .bind(s.invitation_only)
        .bind(&c.id)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("conversation"));
        }
        Ok(())
    }

    pub async fn conversation(&self, id: &str) -> Result<Conversation> {
        let row =
            sqlx::query(concat!("SELECT ", conversation_columns!(), " FROM conversations WHERE id = $1"))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
                .ok_or(StoreError::NotFound("conversation"))?;
        conversation_from_row(&row)
    }

    /// The conversation's secret for xid proofs (`crate::xid`). A conversation made before
    /// secrets existed gets one now; of two processes racing here the first write wins and
    /// both return it.
    pub async fn xid_secret(&self, conversation: &str) -> Result<String> {
        let stored: Option<Option<String>> =
            sqlx::query_scalar("SELECT xid_secret FROM conversations WHERE id = $1")
                .bind(conversation)
                .fetch_optional(&self.pool)
                .await?;
        match stored {
            None => Err(StoreError::NotFound("conversation")),
            Some(Some(secret)) => Ok(secret),
            Some(None) => {
                let secret: Option<Option<String>> = sqlx::query_scalar(
                    "UPDATE conversations SET xid_secret = COALESCE(xid_secret, $1) WHERE id = $2 \
                     RETURNING xid_secret",
                )
                .bind(crate::xid::new_secret())
                .bind(conversation)
                .fetch_optional(&self.pool)
                .await?;
                secret.flatten().ok_or(StoreError::NotFound("conversation"))
            }
        }
    }

    /// Replaces the conversation's xid secret with a new one and returns it: proofs made
    /// with the old one are refused from now on.
    pub async fn rotate_xid_secret(&self, conversation: &str) -> Result<String> {
        let secret = crate::xid::new_secret();
        let done = sqlx::query("UPDATE conversations SET xid_secret = $1 WHERE id = $2")
            .bind(&secret)
            .bind(conversation)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("conversation"));
        }
        Ok(secret)
    }

    /// Every conversation, newest first, with its counts (counted through SQL: for the
    /// command line; the server counts from its vote logs).
    pub async fn list_conversations(&self) -> Result<Vec<(Conversation, ConversationTotals)>> {
        let mut out = Vec::new();
        for c in self.conversations().await? {
            let totals = self.totals(&c.id).await?;
            out.push((c, totals));
        }
        Ok(out)
    }

    /// Every conversation, newest first.
    pub async fn conversations(&self) -> Result<Vec<Conversation>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            conversation_columns!(),
            " FROM conversations ORDER BY created_at DESC, id"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(conversation_from_row).collect()
    }

    pub async fn totals(&self, conversation: &str) -> Result<ConversationTotals> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM participants WHERE conversation_id = $1) AS participants, \
                    (SELECT COUNT(*) FROM votes WHERE conversation_id = $1) AS votes, \
                    (SELECT COUNT(DISTINCT participant) FROM votes WHERE conversation_id = $1) AS voters",
        )
        .bind(conversation)
        .fetch_one(&self.pool)
        .await?;
        Ok(ConversationTotals {
            participants: row.try_get::<i64, _>("participants")? as u32,
            votes: row.try_get::<i64, _>("votes")? as u64,
            voters: row.try_get::<i64, _>("voters")? as u32,
        })
    }

    /// Participants who joined the conversation (on any process).
    pub async fn participant_count(&self, conversation: &str) -> Result<u32> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM participants WHERE conversation_id = $1")
            .bind(conversation)
            .fetch_one(&self.pool)
            .await?;
        Ok(n as u32)
    }

    /// Adds a statement with the next free id; refuses exact and near-exact duplicates.
    pub async fn add_statement(&self, conversation: &str, s: &NewStatement<'_>) -> Result<StatementRow> {
        let key = dedup_key(s.text);
        let keys: Vec<String> =
            sqlx::query_scalar("SELECT dedup_key FROM statements WHERE conversation_id = $1")
                .bind(conversation)
                .fetch_all(&self.pool)
                .await?;
        if keys.iter().any(|k| is_near_duplicate(k, &key)) {
            return Err(StoreError::Duplicate);
        }
        let at = now_ms();
        for _ in 0..ID_RETRIES {
            let inserted: std::result::Result<Option<i64>, sqlx::Error> = sqlx::query_scalar(
                "INSERT INTO statements (conversation_id, id, text, dedup_key, author, moderation, is_seed, \
                 is_meta, created_at, language) SELECT $1, COALESCE(MAX(id) + 1, 0), $2, $3, $4, $5, $6, $7, $8, $9 \
                 FROM statements WHERE conversation_id = $1 \
                 ON CONFLICT (conversation_id, dedup_key) DO NOTHING RETURNING id",
            )
            .bind(conversation)
            .bind(s.text)
            .bind(&key)
            .bind(s.author.map(i64::from))
            .bind(i64::from(s.moderation.value()))
            .bind(s.is_seed)
            .bind(false)
            .bind(at)
            .bind(s.language)
            .fetch_optional(&self.pool)
            .await;
            match inserted {
                Ok(Some(id)) => {
                    return Ok(StatementRow {
                        id: id as StatementId,
                        text: s.text.to_string(),
                        moderation: s.moderation,
                        author: s.author,
                        is_seed: s.is_seed,
                        is_meta: false,
                        created_at_ms: at,
                        reason: None,
                        counts: VoteCounts::default(),
                        language: s.language.to_string(),
                        translations: Vec::new(),
                    })
                }
                Ok(None) => return Err(StoreError::Duplicate),
                Err(e) if is_unique_violation(&e) => {
                    // Lost a race for the next id with another process: wait a moment.
                    let ms = rand::random::<u64>() % 20;
                    tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
                    continue;
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(StoreError::Busy)
    }

    /// Every statement of a conversation in any state, with its current vote counts, by id.
    pub async fn statements(&self, conversation: &str) -> Result<Vec<StatementRow>> {
        let rows = sqlx::query(
            "SELECT s.id, s.text, s.moderation, s.author, s.is_seed, s.is_meta, s.created_at, \
               s.moderation_reason, s.language, \
               COUNT(v.value) FILTER (WHERE v.value = 1) AS agree, \
               COUNT(v.value) FILTER (WHERE v.value = -1) AS disagree, \
               COUNT(v.value) FILTER (WHERE v.value = 0) AS pass \
             FROM statements s LEFT JOIN votes v \
               ON v.conversation_id = s.conversation_id AND v.statement = s.id \
             WHERE s.conversation_id = $1 \
             GROUP BY s.conversation_id, s.id ORDER BY s.id",
        )
        .bind(conversation)
        .fetch_all(&self.pool)
        .await?;
        let statements = rows
            .iter()
            .map(|r| {
                let counts = VoteCounts {
                    agree: r.try_get::<i64, _>("agree")? as u32,
                    disagree: r.try_get::<i64, _>("disagree")? as u32,
                    pass: r.try_get::<i64, _>("pass")? as u32,
                };
                statement_from_row(r, counts)
            })
            .collect::<Result<Vec<_>>>()?;
        self.with_translations(conversation, statements).await
    }

    /// `statements` (by id) with their translations, read in one query.
    async fn with_translations(
        &self,
        conversation: &str,
        mut statements: Vec<StatementRow>,
    ) -> Result<Vec<StatementRow>> {
        let rows = sqlx::query(
            "SELECT statement, language, text, by_moderator FROM statement_translations \
             WHERE conversation_id = $1 ORDER BY statement, language",
        )
        .bind(conversation)
        .fetch_all(&self.pool)
        .await?;
        for r in &rows {
            let id = r.try_get::<i64, _>("statement")? as StatementId;
            let by = if r.try_get("by_moderator")? { TranslatedBy::Moderator } else { TranslatedBy::Author };
            let t = Translation { language: r.try_get("language")?, text: r.try_get("text")?, by };
            if let Ok(i) = statements.binary_search_by_key(&id, |s| s.id) {
                statements[i].translations.push(t);
            }
        }
        Ok(statements)
    }

    /// Adds or replaces translations, all or none: an unknown statement refuses the lot.
    /// The caller checks languages and texts.
    pub async fn set_translations(
        &self,
        conversation: &str,
        translations: &[TranslationWrite<'_>],
    ) -> Result<()> {
        let mut tx = self.pool.begin_with(super::BEGIN_WRITE).await?;
        let at = now_ms();
        for t in translations {
            let exists: Option<i64> =
                sqlx::query_scalar("SELECT id FROM statements WHERE conversation_id = $1 AND id = $2")
                    .bind(conversation)
                    .bind(i64::from(t.statement))
                    .fetch_optional(&mut *tx)
                    .await?;
            if exists.is_none() {
                return Err(StoreError::NotFound("statement"));
            }
            sqlx::query(
                "INSERT INTO statement_translations (conversation_id, statement, language, text, \
                 by_moderator, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (conversation_id, statement, language) DO UPDATE SET \
                 text = excluded.text, by_moderator = excluded.by_moderator, updated_at = excluded.updated_at",
            )
            .bind(conversation)
            .bind(i64::from(t.statement))
            .bind(t.language)
            .bind(t.text)
            .bind(t.by == TranslatedBy::Moderator)
            .bind(at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Removes one translation (the statement is then shown in its original to readers of
    /// that language); `NotFound("translation")` when the statement has none in `language`.
    pub async fn delete_translation(
        &self,
        conversation: &str,
        statement: StatementId,
        language: &str,
    ) -> Result<()> {
        let done = sqlx::query(
            "DELETE FROM statement_translations WHERE conversation_id = $1 AND statement = $2 AND language = $3",
        )
        .bind(conversation)
        .bind(i64::from(statement))
        .bind(language)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("translation"));
        }
        Ok(())
    }

    /// Every statement of a conversation in any state, by id, without vote counts (all
    /// zero): what a process reads when it counts the votes from its vote log instead of
    /// through SQL (a count over every vote takes seconds on a million).
    pub async fn statement_rows(&self, conversation: &str) -> Result<Vec<StatementRow>> {
        let rows = sqlx::query(
            "SELECT id, text, moderation, author, is_seed, is_meta, created_at, moderation_reason, language \
             FROM statements WHERE conversation_id = $1 ORDER BY id",
        )
        .bind(conversation)
        .fetch_all(&self.pool)
        .await?;
        let statements =
            rows.iter().map(|r| statement_from_row(r, VoteCounts::default())).collect::<Result<Vec<_>>>()?;
        self.with_translations(conversation, statements).await
    }

    /// Sets the moderation of statements, all or none: an unknown id refuses the lot.
    pub async fn moderate(
        &self,
        conversation: &str,
        ids: &[StatementId],
        moderation: Moderation,
        reason: Option<&str>,
    ) -> Result<()> {
        let mut tx = self.pool.begin_with(super::BEGIN_WRITE).await?;
        for &id in ids {
            let done = sqlx::query(
                "UPDATE statements SET moderation = $1, moderation_reason = $2 \
                 WHERE conversation_id = $3 AND id = $4",
            )
            .bind(i64::from(moderation.value()))
            .bind(reason)
            .bind(conversation)
            .bind(i64::from(id))
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound("statement"));
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// The conversation's public outcomes, the latest change first: every outcome but those
    /// on a statement rejected since.
    pub async fn outcomes(&self, conversation: &str) -> Result<Vec<Outcome>> {
        let rows = sqlx::query(concat!(
            outcome_select!(),
            " AND (s.moderation IS NULL OR s.moderation <> $2) ORDER BY o.updated_at DESC, o.id DESC"
        ))
        .bind(conversation)
        .bind(i64::from(Moderation::Rejected.value()))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(outcome_from_row).collect()
    }

    async fn outcome(&self, conversation: &str, id: OutcomeId) -> Result<Outcome> {
        let row = sqlx::query(concat!(outcome_select!(), " AND o.id = $2"))
            .bind(conversation)
            .bind(i64::from(id))
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound("outcome"))?;
        outcome_from_row(&row)
    }

    /// Publishes an outcome with the next free number. The caller has checked the input
    /// (the statement exists and is not rejected; text and date cleaned).
    pub async fn add_outcome(&self, conversation: &str, o: &OutcomeInput) -> Result<Outcome> {
        let at = now_ms();
        for _ in 0..ID_RETRIES {
            let inserted: std::result::Result<i64, sqlx::Error> = sqlx::query_scalar(
                "INSERT INTO outcomes (conversation_id, id, statement, status, text, decided_on, \
                 published_at, updated_at) SELECT $1, COALESCE(MAX(id) + 1, 0), $2, $3, $4, $5, $6, $6 \
                 FROM outcomes WHERE conversation_id = $1 RETURNING id",
            )
            .bind(conversation)
            .bind(o.statement.map(i64::from))
            .bind(o.status.as_str())
            .bind(&o.text)
            .bind(&o.date)
            .bind(at)
            .fetch_one(&self.pool)
            .await;
            match inserted {
                Ok(id) => return self.outcome(conversation, id as OutcomeId).await,
                Err(e) if is_unique_violation(&e) => {
                    // Lost a race for the next number with another process: wait a moment.
                    let ms = rand::random::<u64>() % 20;
                    tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(StoreError::Busy)
    }

    /// Replaces an outcome's statement, status, text and date; `NotFound("outcome")` when
    /// there is no such outcome.
    pub async fn update_outcome(
        &self,
        conversation: &str,
        id: OutcomeId,
        o: &OutcomeInput,
    ) -> Result<Outcome> {
        let done = sqlx::query(
            "UPDATE outcomes SET statement = $1, status = $2, text = $3, decided_on = $4, updated_at = $5 \
             WHERE conversation_id = $6 AND id = $7",
        )
        .bind(o.statement.map(i64::from))
        .bind(o.status.as_str())
        .bind(&o.text)
        .bind(&o.date)
        .bind(now_ms())
        .bind(conversation)
        .bind(i64::from(id))
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("outcome"));
        }
        self.outcome(conversation, id).await
    }

    /// Deletes an outcome; `NotFound("outcome")` when there is no such outcome.
    pub async fn delete_outcome(&self, conversation: &str, id: OutcomeId) -> Result<()> {
        let done = sqlx::query("DELETE FROM outcomes WHERE conversation_id = $1 AND id = $2")
            .bind(conversation)
            .bind(i64::from(id))
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("outcome"));
        }
        Ok(())
    }

    /// Resumes the participant holding `token` (or `xid`) in this conversation, or creates
    /// one with a new unguessable token. Returns the token and the participant's id. The
    /// caller has checked the xid's proof (`crate::xid`): an xid hands over its participant.
    pub async fn join(
        &self,
        conversation: &str,
        token: Option<&str>,
        xid: Option<&str>,
    ) -> Result<(String, ParticipantId, bool)> {
        if let Some(token) = token {
            if let Some(id) = self.participant_by_token(conversation, token).await? {
                return Ok((token.to_string(), id, false));
            }
        }
        for _ in 0..ID_RETRIES {
            if let Some(xid) = xid {
                let found =
                    sqlx::query("SELECT token, id FROM participants WHERE conversation_id = $1 AND xid = $2")
                        .bind(conversation)
                        .bind(xid)
                        .fetch_optional(&self.pool)
                        .await?;
                if let Some(row) = found {
                    return Ok((row.try_get("token")?, row.try_get::<i64, _>("id")? as ParticipantId, false));
                }
            }
            let token = new_token();
            let mut tx = self.pool.begin_with(super::BEGIN_WRITE).await?;
            match insert_participant(&mut tx, conversation, &token, xid).await? {
                Ok(id) => {
                    tx.commit().await?;
                    return Ok((token, id, true));
                }
                // Another join took this xid meanwhile: the loop finds it.
                Err(e) if is_unique_violation(&e) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(StoreError::Busy)
    }

    /// Joins with an invitation code (its hash, [`crate::store::code_hash`]): in one
    /// transaction the code is marked used, if it is this conversation's, unused and not
    /// revoked, and a new participant is made; committed (`synchronous = FULL` on SQLite)
    /// before this returns, so a code acknowledged as used stays used after a crash. Nothing
    /// links the code to the participant. Otherwise nothing changes and the answer says why.
    pub async fn join_with_code(&self, conversation: &str, code_hash: &str) -> Result<CodeJoin> {
        for _ in 0..ID_RETRIES {
            let mut tx = self.pool.begin_with(super::BEGIN_WRITE).await?;
            let taken = sqlx::query(
                "UPDATE invitation_codes SET used_at = $1 WHERE conversation_id = $2 AND code_hash = $3 \
                 AND used_at IS NULL AND revoked_at IS NULL",
            )
            .bind(now_ms())
            .bind(conversation)
            .bind(code_hash)
            .execute(&mut *tx)
            .await?;
            if taken.rows_affected() == 0 {
                tx.rollback().await?;
                return self.code_refusal(conversation, code_hash).await;
            }
            let token = new_token();
            match insert_participant(&mut tx, conversation, &token, None).await? {
                Ok(participant) => {
                    tx.commit().await?;
                    return Ok(CodeJoin::Joined { token, participant });
                }
                Err(e) if is_unique_violation(&e) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(StoreError::Busy)
    }

    /// Why a code was not taken: unknown here, used, or revoked.
    async fn code_refusal(&self, conversation: &str, code_hash: &str) -> Result<CodeJoin> {
        let row = sqlx::query(
            "SELECT used_at, revoked_at FROM invitation_codes WHERE conversation_id = $1 AND code_hash = $2",
        )
        .bind(conversation)
        .bind(code_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(CodeJoin::Unknown) };
        let used: Option<i64> = row.try_get("used_at")?;
        Ok(if used.is_some() { CodeJoin::Used } else { CodeJoin::Revoked })
    }

    /// Stores new codes (their hashes) for a conversation; says of each whether it was new
    /// (a hash already there, which 50 random bits make vanishingly rare, is left as it was).
    /// The transaction writes first and reads nothing: on SQLite a transaction that reads and
    /// then writes cannot wait for another writer (it would answer "database is locked"). An
    /// unknown conversation is refused by the foreign key.
    pub async fn add_codes(&self, conversation: &str, code_hashes: &[String]) -> Result<Vec<bool>> {
        let mut tx = self.pool.begin_with(super::BEGIN_WRITE).await?;
        let now = now_ms();
        let mut added = Vec::with_capacity(code_hashes.len());
        for hash in code_hashes {
            let done = sqlx::query(
                "INSERT INTO invitation_codes (conversation_id, code_hash, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(conversation)
            .bind(hash)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| match &e {
                sqlx::Error::Database(d) if d.is_foreign_key_violation() => {
                    StoreError::NotFound("conversation")
                }
                _ => StoreError::Db(e),
            })?;
            added.push(done.rows_affected() == 1);
        }
        tx.commit().await?;
        Ok(added)
    }

    /// Revokes one unused code (by hash) or, with `None`, every unused code of the
    /// conversation. `None` when done; for one code, why it was not (unknown, used, or
    /// revoked already).
    pub async fn revoke_codes(
        &self,
        conversation: &str,
        code_hash: Option<&str>,
    ) -> Result<Option<CodeJoin>> {
        let done = sqlx::query(
            "UPDATE invitation_codes SET revoked_at = $1 WHERE conversation_id = $2 \
             AND used_at IS NULL AND revoked_at IS NULL AND ($3 IS NULL OR code_hash = $3)",
        )
        .bind(now_ms())
        .bind(conversation)
        .bind(code_hash)
        .execute(&self.pool)
        .await?;
        match code_hash {
            Some(hash) if done.rows_affected() == 0 => Ok(Some(self.code_refusal(conversation, hash).await?)),
            _ => Ok(None),
        }
    }

    /// Unused, used and revoked codes of a conversation.
    pub async fn code_counts(&self, conversation: &str) -> Result<CodeCounts> {
        let row = sqlx::query(
            "SELECT COUNT(*) - COUNT(used_at) - COUNT(CASE WHEN used_at IS NULL THEN revoked_at END) AS unused, \
             COUNT(used_at) AS used, COUNT(CASE WHEN used_at IS NULL THEN revoked_at END) AS revoked \
             FROM invitation_codes WHERE conversation_id = $1",
        )
        .bind(conversation)
        .fetch_one(&self.pool)
        .await?;
        let n = |c: &str| -> Result<u32> { Ok(row.try_get::<i64, _>(c)?.max(0) as u32) };
        Ok(CodeCounts { unused: n("unused")?, used: n("used")?, revoked: n("revoked")? })
    }

    pub async fn participant_by_token(
        &self,
        conversation: &str,
        token: &str,
    ) -> Result<Option<ParticipantId>> {
        let id: Option<i64> =
            sqlx::query_scalar("SELECT id FROM participants WHERE conversation_id = $1 AND token = $2")
                .bind(conversation)
                .bind(token)
                .fetch_optional(&self.pool)
                .await?;
        Ok(id.map(|i| i as ParticipantId))
    }

    /// Writes a batch of votes in one transaction: the current vote of each (participant,
    /// statement) is replaced and every vote is appended to the history (group commit).
    /// Returns each vote's place in its conversation's log (`log_seq`), in batch order.
    ///
    /// The places come from `vote_log_counters`, updated first in the transaction and in
    /// conversation id order (so two writers cannot deadlock): its row lock is held until
    /// commit, so a conversation's log entries commit in `log_seq` order, on every backend
    /// and across processes.
    pub async fn write_votes(&self, batch: &[VoteWrite]) -> Result<Vec<u64>> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let mut per_conv: std::collections::BTreeMap<&str, Vec<usize>> = std::collections::BTreeMap::new();
        for (i, v) in batch.iter().enumerate() {
            per_conv.entry(v.conversation.as_ref()).or_default().push(i);
        }
        // PostgreSQL refuses to upsert one row twice in a statement: keep the last per key.
        let mut last = std::collections::HashMap::with_capacity(batch.len());
        for (i, v) in batch.iter().enumerate() {
            last.insert((v.conversation.as_ref(), v.participant, v.statement), i);
        }
        let mut current: Vec<usize> = last.into_values().collect();
        current.sort_unstable();
        let mut tx = self.pool.begin_with(super::BEGIN_WRITE).await?;
        let mut seqs = vec![0u64; batch.len()];
        for (conv, idx) in &per_conv {
            let end: i64 = sqlx::query_scalar(
                "INSERT INTO vote_log_counters (conversation_id, next_seq) VALUES ($1, $2) \
                 ON CONFLICT (conversation_id) DO UPDATE SET next_seq = vote_log_counters.next_seq + excluded.next_seq \
                 RETURNING next_seq",
            )
            .bind(*conv)
            .bind(idx.len() as i64)
            .fetch_one(&mut *tx)
            .await?;
            let start = end as u64 - idx.len() as u64;
            for (k, &i) in idx.iter().enumerate() {
                seqs[i] = start + k as u64;
            }
        }
        for chunk in current.chunks(1000) {
            let mut qb = QueryBuilder::<Db>::new(
                "INSERT INTO votes (conversation_id, participant, statement, value, updated_at) ",
            );
            qb.push_values(chunk, |mut b, &i| {
                let v = &batch[i];
                b.push_bind(v.conversation.as_ref())
                    .push_bind(i64::from(v.participant))
                    .push_bind(i64::from(v.statement))
                    .push_bind(i64::from(v.vote.value()))
                    .push_bind(v.at);
            });
            qb.push(
                " ON CONFLICT (conversation_id, participant, statement) DO UPDATE \
                 SET value = excluded.value, updated_at = excluded.updated_at",
            );
            qb.build().execute(&mut *tx).await?;
        }
        let numbered: Vec<(&VoteWrite, u64)> = batch.iter().zip(seqs.iter().copied()).collect();
        for chunk in numbered.chunks(1000) {
            let mut qb = QueryBuilder::<Db>::new(
                "INSERT INTO vote_history (conversation_id, participant, statement, value, at, log_seq) ",
            );
            qb.push_values(chunk, |mut b, (v, seq)| {
                b.push_bind(v.conversation.as_ref())
                    .push_bind(i64::from(v.participant))
                    .push_bind(i64::from(v.statement))
                    .push_bind(i64::from(v.vote.value()))
                    .push_bind(v.at)
                    .push_bind(*seq as i64);
            });
            qb.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(seqs)
    }

    /// The conversation's vote log from entry `from` on, in order: `(log_seq, vote)`.
    ///
    /// Read in ranges of `LOG_READ_CHUNK` entries, each one row packing its entries as text
    /// (`participant:statement:value,…` in `log_seq` order): the drivers' cost is per row
    /// (on SQLite a channel hop each), so a million one-entry rows took seconds where 16
    /// packed ones take a fraction of that. A range with a gap (never written by the store)
    /// is read row by row so the caller sees where.
    pub async fn vote_log(&self, conversation: &str, from: u64) -> Result<Vec<(u64, VoteRecord)>> {
        let mut out = Vec::new();
        let mut start = from;
        loop {
            let row = sqlx::query(
                "SELECT COUNT(*), MIN(log_seq), MAX(log_seq), \
                   string_agg(CAST(participant AS TEXT) || ':' || CAST(statement AS TEXT) || ':' || \
                     CAST(value AS TEXT), ',' ORDER BY log_seq) \
                 FROM vote_history WHERE conversation_id = $1 AND log_seq >= $2 AND log_seq < $3",
            )
            .bind(conversation)
            .bind(start as i64)
            .bind((start + LOG_READ_CHUNK) as i64)
            .fetch_one(&self.pool)
            .await?;
            let count = row.get::<i64, _>(0) as u64;
            if count == 0 {
                return Ok(out);
            }
            let (min, max) = (row.get::<Option<i64>, _>(1), row.get::<Option<i64>, _>(2));
            if min != Some(start as i64) || max != Some((start + count - 1) as i64) {
                out.extend(self.vote_log_rows(conversation, start).await?);
                return Ok(out);
            }
            let packed: String = row.get(3);
            let corrupt =
                || StoreError::Corrupt(format!("vote log of {conversation}: bad entry near {start}"));
            out.reserve(count as usize);
            for (i, entry) in packed.split(',').enumerate() {
                let mut it = entry.splitn(3, ':').map(str::parse::<i64>);
                let (Some(Ok(p)), Some(Ok(s)), Some(Ok(v))) = (it.next(), it.next(), it.next()) else {
                    return Err(corrupt());
                };
                let vote = i8::try_from(v).ok().and_then(Vote::from_value).ok_or_else(corrupt)?;
                let participant = ParticipantId::try_from(p).map_err(|_| corrupt())?;
                let statement = StatementId::try_from(s).map_err(|_| corrupt())?;
                out.push((start + i as u64, VoteRecord { participant, statement, vote }));
            }
            if out.len() as u64 != start + count - from {
                return Err(corrupt());
            }
            if count < LOG_READ_CHUNK {
                return Ok(out);
            }
            start += count;
        }
    }

    /// When log entries `from .. to` were cast (`vote_history.at`, epoch ms), in log order:
    /// those the store holds from `from` on without a gap (fewer than `to - from` when the
    /// log is shorter). One row packing the range, as [`SqlStore::vote_log`] reads; read by
    /// the vote log's times route only (`crate::logtimes`), never on a vote or a sync.
    pub async fn vote_times(&self, conversation: &str, from: u64, to: u64) -> Result<Vec<i64>> {
        let row = sqlx::query(
            "SELECT COUNT(*), MIN(log_seq), MAX(log_seq), \
               string_agg(CAST(at AS TEXT), ',' ORDER BY log_seq) \
             FROM vote_history WHERE conversation_id = $1 AND log_seq >= $2 AND log_seq < $3",
        )
        .bind(conversation)
        .bind(from as i64)
        .bind(to as i64)
        .fetch_one(&self.pool)
        .await?;
        let count = row.get::<i64, _>(0) as u64;
        if count == 0 {
            return Ok(Vec::new());
        }
        let (min, max) = (row.get::<Option<i64>, _>(1), row.get::<Option<i64>, _>(2));
        if min != Some(from as i64) || max != Some((from + count - 1) as i64) {
            return Err(StoreError::Corrupt(format!(
                "vote history of {conversation}: entries {from} to {} have gaps",
                from + count - 1
            )));
        }
        let packed: String = row.get(3);
        let times = packed.split(',').map(str::parse::<i64>).collect::<std::result::Result<Vec<_>, _>>();
        match times {
            Ok(t) if t.len() as u64 == count => Ok(t),
            _ => Err(StoreError::Corrupt(format!("vote history of {conversation}: a bad time near {from}"))),
        }
    }

    /// The stored full segments of the conversation's vote log (`vote_log_segments`: the
    /// gzip of each segment's encoding), by segment number.
    pub async fn log_segments(&self, conversation: &str) -> Result<Vec<(u64, Vec<u8>)>> {
        let rows = sqlx::query(
            "SELECT segment, bytes FROM vote_log_segments WHERE conversation_id = $1 ORDER BY segment",
        )
        .bind(conversation)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok((r.try_get::<i64, _>("segment")? as u64, r.try_get("bytes")?))).collect()
    }

    /// Keeps a full segment's bytes; a segment already kept stays as it is (its bytes are
    /// the same: a full segment never changes).
    pub async fn save_log_segment(&self, conversation: &str, segment: u64, gzip: &[u8]) -> Result<()> {
        sqlx::query(
            "INSERT INTO vote_log_segments (conversation_id, segment, bytes) VALUES ($1, $2, $3) \
             ON CONFLICT (conversation_id, segment) DO NOTHING",
        )
        .bind(conversation)
        .bind(segment as i64)
        .bind(gzip)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Forgets the conversation's stored segments (found not to match its vote history).
    pub async fn delete_log_segments(&self, conversation: &str) -> Result<()> {
        sqlx::query("DELETE FROM vote_log_segments WHERE conversation_id = $1")
            .bind(conversation)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The log entries at these places, as stored in the vote history (those that exist).
    pub async fn log_entries_at(&self, conversation: &str, seqs: &[u64]) -> Result<Vec<(u64, VoteRecord)>> {
        let mut out = Vec::with_capacity(seqs.len());
        for chunk in seqs.chunks(500) {
            let mut qb = QueryBuilder::<Db>::new(
                "SELECT log_seq, participant, statement, value FROM vote_history WHERE conversation_id = ",
            );
            qb.push_bind(conversation).push(" AND log_seq IN (");
            let mut list = qb.separated(", ");
            for &seq in chunk {
                list.push_bind(seq as i64);
            }
            qb.push(") ORDER BY log_seq");
            for r in qb.build().fetch_all(&self.pool).await? {
                let Some(vote) = Vote::from_value(r.try_get::<i64, _>(3)? as i8) else { continue };
                out.push((
                    r.try_get::<i64, _>(0)? as u64,
                    VoteRecord {
                        participant: r.try_get::<i64, _>(1)? as ParticipantId,
                        statement: r.try_get::<i64, _>(2)? as StatementId,
                        vote,
                    },
                ));
            }
        }
        Ok(out)
    }

    /// [`SqlStore::vote_log`] one row an entry, with the numbers as stored.
    pub(crate) async fn vote_log_rows(
        &self,
        conversation: &str,
        from: u64,
    ) -> Result<Vec<(u64, VoteRecord)>> {
        let rows = sqlx::query(
            "SELECT log_seq, participant, statement, value FROM vote_history \
             WHERE conversation_id = $1 AND log_seq >= $2 ORDER BY log_seq",
        )
        .bind(conversation)
        .bind(from as i64)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                let vote = Vote::from_value(r.get::<i64, _>(3) as i8)?;
                Some((
                    r.get::<i64, _>(0) as u64,
                    VoteRecord {
                        participant: r.get::<i64, _>(1) as ParticipantId,
                        statement: r.get::<i64, _>(2) as StatementId,
                        vote,
                    },
                ))
            })
            .collect())
    }

    /// This participant's current votes, by statement.
    pub async fn votes_of(
        &self,
        conversation: &str,
        participant: ParticipantId,
    ) -> Result<Vec<(StatementId, Vote)>> {
        let rows = sqlx::query(
            "SELECT statement, value FROM votes WHERE conversation_id = $1 AND participant = $2 ORDER BY statement",
        )
        .bind(conversation)
        .bind(i64::from(participant))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                let vote = Vote::from_value(r.get::<i64, _>(1) as i8)?;
                Some((r.get::<i64, _>(0) as StatementId, vote))
            })
            .collect())
    }

    /// Every vote this participant cast on this statement, oldest first (the history).
    pub async fn vote_history(
        &self,
        conversation: &str,
        participant: ParticipantId,
        statement: StatementId,
    ) -> Result<Vec<Vote>> {
        let values: Vec<i64> = sqlx::query_scalar(
            "SELECT value FROM vote_history WHERE conversation_id = $1 AND participant = $2 AND statement = $3 \
             ORDER BY log_seq",
        )
        .bind(conversation)
        .bind(i64::from(participant))
        .bind(i64::from(statement))
        .fetch_all(&self.pool)
        .await?;
        Ok(values.into_iter().filter_map(|v| Vote::from_value(v as i8)).collect())
    }

    /// Every current vote of the conversation, for analysis.
    pub async fn votes(&self, conversation: &str) -> Result<VotesCompact> {
        let rows = sqlx::query(
            "SELECT participant, statement, value FROM votes WHERE conversation_id = $1 \
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

    /// (hour start in ms, votes cast in that hour, changes included), oldest first, over
    /// the log entries `from .. to` (`log_seq`).
    pub async fn votes_per_hour(&self, conversation: &str, from: u64, to: u64) -> Result<Vec<(i64, u32)>> {
        let rows = sqlx::query(
            "SELECT (at / 3600000) * 3600000 AS hour, COUNT(*) AS votes FROM vote_history \
             WHERE conversation_id = $1 AND log_seq >= $2 AND log_seq < $3 GROUP BY 1 ORDER BY 1",
        )
        .bind(conversation)
        .bind(from as i64)
        .bind(to as i64)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok((r.try_get("hour")?, r.try_get::<i64, _>("votes")? as u32))).collect()
    }

    /// Replaces this participant's answers to the given questions.
    pub async fn save_answers(
        &self,
        conversation: &str,
        participant: ParticipantId,
        answers: &[(&str, &str)],
    ) -> Result<()> {
        let mut tx = self.pool.begin_with(super::BEGIN_WRITE).await?;
        for (question, answer) in answers {
            sqlx::query(
                "INSERT INTO answers (conversation_id, participant, question, answer) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (conversation_id, participant, question) DO UPDATE SET answer = excluded.answer",
            )
            .bind(conversation)
            .bind(i64::from(participant))
            .bind(*question)
            .bind(*answer)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// (question, answer, participants) over the conversation.
    pub async fn answer_counts(&self, conversation: &str) -> Result<Vec<(String, String, u32)>> {
        let rows = sqlx::query(
            "SELECT question, answer, COUNT(*) AS n FROM answers WHERE conversation_id = $1 \
             GROUP BY question, answer ORDER BY question, answer",
        )
        .bind(conversation)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("question")?, r.try_get("answer")?, r.try_get::<i64, _>("n")? as u32)))
            .collect()
    }

    /// Every (participant, question, answer). Never leaves the server as it is: the admin API
    /// counts it per opinion group, with small cells suppressed.
    pub async fn answers(&self, conversation: &str) -> Result<Vec<(ParticipantId, String, String)>> {
        let rows = sqlx::query(
            "SELECT participant, question, answer FROM answers WHERE conversation_id = $1 \
             ORDER BY participant, question",
        )
        .bind(conversation)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let participant = r.try_get::<i64, _>("participant")? as ParticipantId;
                Ok((participant, r.try_get("question")?, r.try_get("answer")?))
            })
            .collect()
    }

    /// Creates a moderator; `false` when the username is taken.
    pub async fn create_admin(&self, username: &str, password_hash: &str) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO admins (username, password_hash, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (username) DO NOTHING",
        )
        .bind(username)
        .bind(password_hash)
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn admin_count(&self) -> Result<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM admins").fetch_one(&self.pool).await?;
        Ok(n as u64)
    }

    pub async fn admin_password_hash(&self, username: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT password_hash FROM admins WHERE username = $1")
            .bind(username)
            .fetch_optional(&self.pool)
            .await?)
    }

    pub async fn create_session(&self, token_hash: &str, username: &str, expires_at: i64) -> Result<()> {
        sqlx::query("DELETE FROM admin_sessions WHERE expires_at < $1")
            .bind(now_ms())
            .execute(&self.pool)
            .await?;
        sqlx::query("INSERT INTO admin_sessions (token_hash, username, expires_at) VALUES ($1, $2, $3)")
            .bind(token_hash)
            .bind(username)
            .bind(expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn session_user(&self, token_hash: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT username FROM admin_sessions WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now_ms())
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM admin_sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Bulk votes for the demo and imports: the same path as live votes, in one batch.
    pub async fn cast_votes_bulk(
        &self,
        conversation: &str,
        votes: &[(ParticipantId, StatementId, Vote)],
    ) -> Result<()> {
        let at = now_ms();
        let conv: std::sync::Arc<str> = conversation.into();
        let batch: Vec<VoteWrite> = votes
            .iter()
            .map(|&(participant, statement, vote)| VoteWrite {
                conversation: conv.clone(),
                participant,
                statement,
                vote,
                at,
            })
            .collect();
        self.write_votes(&batch).await.map(|_| ())
    }
}
