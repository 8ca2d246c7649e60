//! The SQL of the store, written once for both backends: this file is compiled twice, as
//! `store::sqlite::sql` and `store::postgres::sql`, each with its own `super::Db`. Queries
//! use `$n` placeholders (both engines take them), `BIGINT`-compatible integers and
//! `ON CONFLICT` upserts, so the same text runs on SQLite and PostgreSQL.

use mufakat_core::api::admin::DemographicQuestion;
use mufakat_core::api::settings::ConversationSettings;
use mufakat_core::api::{VoteCounts, VotesCompact};
use mufakat_core::model::{Moderation, ParticipantId, StatementId, Vote, VoteRecord};
use sqlx::{QueryBuilder, Row};

use super::Db;
use crate::store::dedup::{dedup_key, is_near_duplicate};
use mufakat_core::api::codes::CodeCounts;

use crate::store::{
    new_token, now_ms, CodeJoin, Conversation, ConversationTotals, NewStatement, Result, StatementRow,
    StoreError, VoteWrite,
};

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
         invitation_only"
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
        invitation_only: row.try_get("invitation_only")?,
    };
    Ok(Conversation {
        id: row.try_get("id")?,
        settings,
        closed: row.try_get("closed")?,
        created_at_ms: row.try_get("created_at")?,
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
         invitation_only) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
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
             strict_moderation = $5, closed = $6, questions = $7, invitation_only = $8 WHERE id = $9",
        )
        .bind(&s.title)
        .bind(&s.description)
        .bind(&s.language)
        .bind(s.allow_statements)
        .bind(s.strict_moderation)
        .bind(c.closed)
        .bind(questions_json(&s.questions))
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

    /// Every conversation, newest first, with its counts.
    pub async fn list_conversations(&self) -> Result<Vec<(Conversation, ConversationTotals)>> {
        let ids: Vec<String> =
            sqlx::query_scalar("SELECT id FROM conversations ORDER BY created_at DESC, id")
                .fetch_all(&self.pool)
                .await?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let c = self.conversation(&id).await?;
            let totals = self.totals(&id).await?;
            out.push((c, totals));
        }
        Ok(out)
    }

    pub async fn totals(&self, conversation: &str) -> Result<ConversationTotals> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM participants WHERE conversation_id = $1), \
                    (SELECT COUNT(*) FROM votes WHERE conversation_id = $1), \
                    (SELECT COUNT(DISTINCT participant) FROM votes WHERE conversation_id = $1)",
        )
        .bind(conversation)
        .fetch_one(&self.pool)
        .await?;
        Ok(ConversationTotals {
            participants: row.get::<i64, _>(0) as u32,
            votes: row.get::<i64, _>(1) as u64,
            voters: row.get::<i64, _>(2) as u32,
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
                 is_meta, created_at) SELECT $1, COALESCE(MAX(id) + 1, 0), $2, $3, $4, $5, $6, $7, $8 \
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
               s.moderation_reason, \
               COUNT(v.value) FILTER (WHERE v.value = 1), COUNT(v.value) FILTER (WHERE v.value = -1), \
               COUNT(v.value) FILTER (WHERE v.value = 0) \
             FROM statements s LEFT JOIN votes v \
               ON v.conversation_id = s.conversation_id AND v.statement = s.id \
             WHERE s.conversation_id = $1 \
             GROUP BY s.conversation_id, s.id ORDER BY s.id",
        )
        .bind(conversation)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| StatementRow {
                id: r.get::<i64, _>(0) as StatementId,
                text: r.get(1),
                moderation: Moderation::from_value(r.get::<i64, _>(2) as i8).unwrap_or_default(),
                author: r.get::<Option<i64>, _>(3).map(|a| a as ParticipantId),
                is_seed: r.get(4),
                is_meta: r.get(5),
                created_at_ms: r.get(6),
                reason: r.get(7),
                counts: VoteCounts {
                    agree: r.get::<i64, _>(8) as u32,
                    disagree: r.get::<i64, _>(9) as u32,
                    pass: r.get::<i64, _>(10) as u32,
                },
            })
            .collect())
    }

    /// Sets the moderation of statements, all or none: an unknown id refuses the lot.
    pub async fn moderate(
        &self,
        conversation: &str,
        ids: &[StatementId],
        moderation: Moderation,
        reason: Option<&str>,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
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
                    return Ok((row.get(0), row.get::<i64, _>(1) as ParticipantId, false));
                }
            }
            let token = new_token();
            let mut tx = self.pool.begin().await?;
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
            let mut tx = self.pool.begin().await?;
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
        let mut tx = self.pool.begin().await?;
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
        let mut tx = self.pool.begin().await?;
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
    pub async fn vote_log(&self, conversation: &str, from: u64) -> Result<Vec<(u64, VoteRecord)>> {
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

    /// (hour start in ms, votes cast in that hour, changes included), oldest first.
    pub async fn votes_per_hour(&self, conversation: &str) -> Result<Vec<(i64, u32)>> {
        let rows = sqlx::query(
            "SELECT (at / 3600000) * 3600000, COUNT(*) FROM vote_history WHERE conversation_id = $1 \
             GROUP BY 1 ORDER BY 1",
        )
        .bind(conversation)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|r| (r.get::<i64, _>(0), r.get::<i64, _>(1) as u32)).collect())
    }

    /// Replaces this participant's answers to the given questions.
    pub async fn save_answers(
        &self,
        conversation: &str,
        participant: ParticipantId,
        answers: &[(&str, &str)],
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
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
            "SELECT question, answer, COUNT(*) FROM answers WHERE conversation_id = $1 \
             GROUP BY question, answer ORDER BY question, answer",
        )
        .bind(conversation)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|r| (r.get(0), r.get(1), r.get::<i64, _>(2) as u32)).collect())
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
        Ok(rows.into_iter().map(|r| (r.get::<i64, _>(0) as ParticipantId, r.get(1), r.get(2))).collect())
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
