//! Bulk paths for importing and exporting whole conversations (`mufakat import` /
//! `mufakat export`): one transaction each way, ids kept as given.

use mufakat_core::model::{Moderation, ParticipantId, StatementId, Vote};
use sqlx::Row;

use super::{dedup_key, new_token, now_ms, Conversation, Result, Store};

/// A statement with its original id, as an export holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredStatement {
    pub id: StatementId,
    pub text: String,
    pub author: Option<ParticipantId>,
    pub moderation: Moderation,
    pub is_meta: bool,
    pub is_seed: bool,
    /// Creation time as given (epoch ms for Pol.is exports).
    pub created_at: i64,
}

/// One vote of the history: a later one for the same pair replaces the current vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredVote {
    pub participant: ParticipantId,
    pub statement: StatementId,
    pub vote: Vote,
    pub at: i64,
}

/// A whole conversation: settings, statements, participants (id, xid) and vote history.
#[derive(Debug, Clone, PartialEq)]
pub struct ConversationDump {
    pub conversation: Conversation,
    pub statements: Vec<StoredStatement>,
    pub participants: Vec<(ParticipantId, Option<String>)>,
    pub votes: Vec<StoredVote>,
}

impl Store {
    /// Writes a whole conversation in one transaction: nothing is written if any row
    /// fails. Statements whose words collide with an earlier one keep their text; their
    /// duplicate key is made unique by the id so the import loses nothing.
    pub async fn import_conversation(&self, dump: &ConversationDump) -> Result<()> {
        let c = &dump.conversation;
        let mut tx = self.pool.begin().await?;
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
        .execute(&mut *tx)
        .await?;
        let mut keys = std::collections::HashSet::new();
        for s in &dump.statements {
            let mut key = dedup_key(&s.text);
            if !keys.insert(key.clone()) {
                key = format!("{key} #{}", s.id);
                keys.insert(key.clone());
            }
            sqlx::query(
                "INSERT INTO statements (conversation_id, id, text, dedup_key, author, moderation, \
                 is_seed, is_meta, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&c.id)
            .bind(s.id as i64)
            .bind(&s.text)
            .bind(key)
            .bind(s.author.map(i64::from))
            .bind(s.moderation.value())
            .bind(s.is_seed)
            .bind(s.is_meta)
            .bind(s.created_at)
            .execute(&mut *tx)
            .await?;
        }
        let mut xids = std::collections::HashSet::new();
        for (id, xid) in &dump.participants {
            let xid = xid.as_deref().filter(|x| xids.insert(x.to_string()));
            sqlx::query(
                "INSERT INTO participants (conversation_id, id, token, xid, created_at) VALUES (?, ?, ?, ?, ?)",
            )
            .bind(&c.id)
            .bind(*id as i64)
            .bind(new_token())
            .bind(xid)
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
        }
        for v in &dump.votes {
            sqlx::query(
                "INSERT INTO votes (conversation_id, participant, statement, value, updated_at) \
                 VALUES (?, ?, ?, ?, ?) ON CONFLICT (conversation_id, participant, statement) \
                 DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            )
            .bind(&c.id)
            .bind(v.participant as i64)
            .bind(v.statement as i64)
            .bind(v.vote.value())
            .bind(v.at)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO vote_history (conversation_id, participant, statement, value, at) \
                 VALUES (?, ?, ?, ?, ?)",
            )
            .bind(&c.id)
            .bind(v.participant as i64)
            .bind(v.statement as i64)
            .bind(v.vote.value())
            .bind(v.at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Reads a whole conversation: every statement (rejected and meta included), every
    /// participant and the full vote history in arrival order.
    pub async fn dump_conversation(&self, id: &str) -> Result<ConversationDump> {
        let conversation = self.conversation(id).await?;
        let statements = sqlx::query(
            "SELECT id, text, author, moderation, is_meta, is_seed, created_at FROM statements \
             WHERE conversation_id = ? ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(|r| StoredStatement {
            id: r.get::<i64, _>(0) as StatementId,
            text: r.get(1),
            author: r.get::<Option<i64>, _>(2).map(|a| a as ParticipantId),
            moderation: Moderation::from_value(r.get::<i64, _>(3) as i8).unwrap_or_default(),
            is_meta: r.get(4),
            is_seed: r.get(5),
            created_at: r.get(6),
        })
        .collect();
        let participants =
            sqlx::query("SELECT id, xid FROM participants WHERE conversation_id = ? ORDER BY id")
                .bind(id)
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .map(|r| (r.get::<i64, _>(0) as ParticipantId, r.get::<Option<String>, _>(1)))
                .collect();
        let votes = sqlx::query(
            "SELECT participant, statement, value, at FROM vote_history WHERE conversation_id = ? ORDER BY seq",
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
        Ok(ConversationDump { conversation, statements, participants, votes })
    }
}
