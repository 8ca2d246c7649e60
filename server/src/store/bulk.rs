//! Bulk paths for importing and exporting whole conversations (`mufakat import` /
//! `mufakat export`): one transaction each way, ids kept as given. Compiled once per
//! backend, like `sql.rs`, with the same `$n` placeholder SQL.

use std::collections::{HashMap, HashSet};

use mufakat_core::api::translations::{StatementLanguages, TranslatedBy};
use mufakat_core::model::{Moderation, ParticipantId, StatementId, Vote};
use sqlx::{QueryBuilder, Row};

use super::sql::{insert_conversation, SqlStore};
use super::Db;
use crate::store::dedup::dedup_key;
use crate::store::dump::{ConversationDump, StoredStatement, StoredVote};
use crate::store::{new_token, now_ms, Result};

const CHUNK: usize = 500;

impl SqlStore {
    /// Writes a whole conversation in one transaction: nothing is written if any row
    /// fails (an id already taken included). Statements whose words collide with an earlier
    /// one keep their text; their duplicate key is made unique by the id, losing nothing.
    pub async fn import_conversation(&self, dump: &ConversationDump) -> Result<()> {
        let c = &dump.conversation;
        let mut tx = self.pool.begin_with(super::BEGIN_WRITE).await?;
        // Imported participants keep their xids; a secret of its own guards them like any.
        // New participants of a reopened import are numbered after the imported ones.
        let next_participant = dump.participants.iter().map(|(id, _)| i64::from(*id) + 1).max().unwrap_or(0);
        insert_conversation(&mut *tx, c, next_participant).await?;
        if let Some(url) = &dump.source_url {
            sqlx::query("UPDATE conversations SET source_url = $1 WHERE id = $2")
                .bind(url)
                .bind(&c.id)
                .execute(&mut *tx)
                .await?;
        }
        let languages: HashMap<StatementId, &str> =
            dump.translations.iter().map(|s| (s.statement, s.language.as_str())).collect();
        let mut keys = HashSet::new();
        for s in &dump.statements {
            let mut key = dedup_key(&s.text);
            if !keys.insert(key.clone()) {
                key = format!("{key} #{}", s.id);
                keys.insert(key.clone());
            }
            sqlx::query(
                "INSERT INTO statements (conversation_id, id, text, dedup_key, author, moderation, \
                 is_seed, is_meta, created_at, language) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(&c.id)
            .bind(i64::from(s.id))
            .bind(&s.text)
            .bind(key)
            .bind(s.author.map(i64::from))
            .bind(i64::from(s.moderation.value()))
            .bind(s.is_seed)
            .bind(s.is_meta)
            .bind(s.created_at)
            .bind(languages.get(&s.id).copied().unwrap_or(&c.settings.language))
            .execute(&mut *tx)
            .await?;
        }
        let at = now_ms();
        for s in &dump.translations {
            for t in &s.translations {
                sqlx::query(
                    "INSERT INTO statement_translations (conversation_id, statement, language, text, \
                     by_moderator, updated_at) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&c.id)
                .bind(i64::from(s.statement))
                .bind(&t.language)
                .bind(&t.text)
                .bind(t.by == TranslatedBy::Moderator)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            }
        }
        let mut xids = HashSet::new();
        for chunk in dump.participants.chunks(CHUNK) {
            let mut qb = QueryBuilder::<Db>::new(
                "INSERT INTO participants (conversation_id, id, token, xid, created_at) ",
            );
            qb.push_values(chunk, |mut b, (id, xid)| {
                let xid = xid.clone().filter(|x| xids.insert(x.clone()));
                b.push_bind(c.id.clone())
                    .push_bind(i64::from(*id))
                    .push_bind(new_token())
                    .push_bind(xid)
                    .push_bind(at);
            });
            qb.build().execute(&mut *tx).await?;
        }
        // Current votes: the last of each (participant, statement) in history order.
        let mut last = std::collections::HashMap::with_capacity(dump.votes.len());
        for (i, v) in dump.votes.iter().enumerate() {
            last.insert((v.participant, v.statement), i);
        }
        let mut current: Vec<usize> = last.into_values().collect();
        current.sort_unstable();
        for chunk in current.chunks(CHUNK) {
            let mut qb = QueryBuilder::<Db>::new(
                "INSERT INTO votes (conversation_id, participant, statement, value, updated_at) ",
            );
            qb.push_values(chunk, |mut b, &i| {
                let v = &dump.votes[i];
                b.push_bind(c.id.clone())
                    .push_bind(i64::from(v.participant))
                    .push_bind(i64::from(v.statement))
                    .push_bind(i64::from(v.vote.value()))
                    .push_bind(v.at);
            });
            qb.build().execute(&mut *tx).await?;
        }
        // The vote log: history order, numbered from 0 (see `SqlStore::write_votes`).
        let numbered: Vec<(usize, &StoredVote)> = dump.votes.iter().enumerate().collect();
        for chunk in numbered.chunks(CHUNK) {
            let mut qb = QueryBuilder::<Db>::new(
                "INSERT INTO vote_history (conversation_id, participant, statement, value, at, log_seq) ",
            );
            qb.push_values(chunk, |mut b, (seq, v)| {
                b.push_bind(c.id.clone())
                    .push_bind(i64::from(v.participant))
                    .push_bind(i64::from(v.statement))
                    .push_bind(i64::from(v.vote.value()))
                    .push_bind(v.at)
                    .push_bind(*seq as i64);
            });
            qb.build().execute(&mut *tx).await?;
        }
        sqlx::query("INSERT INTO vote_log_counters (conversation_id, next_seq) VALUES ($1, $2)")
            .bind(&c.id)
            .bind(dump.votes.len() as i64)
            .execute(&mut *tx)
            .await?;
        if let Some(start) = &dump.analysis_start {
            // Plain data: serialising cannot fail.
            let json = serde_json::to_string(start).unwrap_or_default();
            sqlx::query("INSERT INTO analysis_starts (conversation_id, start) VALUES ($1, $2)")
                .bind(&c.id)
                .bind(json)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Reads a whole conversation: every statement (rejected and meta included) with its
    /// languages, every participant and the full vote history in arrival order.
    pub async fn dump_conversation(&self, id: &str) -> Result<ConversationDump> {
        let conversation = self.conversation(id).await?;
        let source_url: Option<String> =
            sqlx::query_scalar("SELECT source_url FROM conversations WHERE id = $1")
                .bind(id)
                .fetch_one(&self.pool)
                .await?;
        let statements = sqlx::query(
            "SELECT id, text, author, moderation, is_meta, is_seed, created_at FROM statements \
             WHERE conversation_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(StoredStatement {
                id: r.try_get::<i64, _>("id")? as StatementId,
                text: r.try_get("text")?,
                author: r.try_get::<Option<i64>, _>("author")?.map(|a| a as ParticipantId),
                moderation: Moderation::from_value(r.try_get::<i64, _>("moderation")? as i8)
                    .unwrap_or_default(),
                is_meta: r.try_get("is_meta")?,
                is_seed: r.try_get("is_seed")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect::<Result<_>>()?;
        let participants =
            sqlx::query("SELECT id, xid FROM participants WHERE conversation_id = $1 ORDER BY id")
                .bind(id)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| Ok((r.try_get::<i64, _>("id")? as ParticipantId, r.try_get("xid")?)))
                .collect::<Result<_>>()?;
        let votes = sqlx::query(
            "SELECT participant, statement, value, at FROM vote_history WHERE conversation_id = $1 ORDER BY log_seq",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .filter_map(|r| {
            Some(StoredVote {
                participant: r.get::<i64, _>(0) as ParticipantId,
                statement: r.get::<i64, _>(1) as StatementId,
                vote: Vote::from_value(r.get::<i64, _>(2) as i8)?,
                at: r.get(3),
            })
        })
        .collect();
        let analysis_start = self.analysis_start(id).await?;
        let translations = self
            .statement_rows(id)
            .await?
            .into_iter()
            .map(|s| StatementLanguages {
                statement: s.id,
                language: s.language,
                translations: s.translations,
            })
            .collect();
        Ok(ConversationDump {
            conversation,
            source_url,
            statements,
            participants,
            votes,
            analysis_start,
            translations,
        })
    }

    /// Where the conversation's analysis starts, when it was imported with Pol.is's math.
    pub async fn analysis_start(&self, id: &str) -> Result<Option<mufakat_core::published::Start>> {
        let row = sqlx::query("SELECT start FROM analysis_starts WHERE conversation_id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let text: String = row.try_get("start")?;
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| crate::store::StoreError::Corrupt(format!("analysis start of {id}: {e}")))
    }
}
