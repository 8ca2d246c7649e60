//! The store's behaviour, on every backend: the same tests run on SQLite and (when
//! MUFAKAT_TEST_POSTGRES_URL is set) PostgreSQL.

mod common;

use std::sync::Arc;

use mufakat_core::model::{Moderation, Vote};
use mufakat_server::store::{Conversation, NewStatement, Store, StoreError, VoteWrite};

async fn store_with_statements(url: &str, id: &str, n: usize) -> Store {
    let store = Store::open(url).await.expect("open");
    store.create_conversation(&Conversation::new(id, "Test")).await.expect("create");
    const TOPICS: [&str; 4] = ["parks", "drainage", "street lights", "the weekly market"];
    for i in 0..n {
        let text = format!("We should spend more on {}", TOPICS[i % TOPICS.len()]);
        store
            .add_statement(
                id,
                &NewStatement {
                    text: &text,
                    language: "en",
                    author: None,
                    moderation: Moderation::Accepted,
                    is_seed: true,
                },
            )
            .await
            .expect("add");
    }
    store
}

fn vote(conv: &str, participant: u32, statement: u32, vote: Vote) -> VoteWrite {
    VoteWrite { conversation: Arc::from(conv), participant, statement, vote, at: 1_000 }
}

#[tokio::test]
async fn replayed_vote_keeps_one_current_vote_and_both_in_history() {
    for b in common::backends().await {
        let store = store_with_statements(&b.url, "c", 2).await;
        let (_, p, _) = store.join("c", None, None).await.expect("join");
        store.write_votes(&[vote("c", p, 1, Vote::Agree)]).await.expect("vote");
        store.write_votes(&[vote("c", p, 1, Vote::Agree)]).await.expect("replay");
        let votes = store.votes("c").await.expect("votes");
        assert_eq!(votes.len(), 1, "{}", b.name);
        assert_eq!(
            store.vote_history("c", p, 1).await.expect("history"),
            vec![Vote::Agree, Vote::Agree],
            "{}",
            b.name
        );
    }
}

#[tokio::test]
async fn a_changed_vote_in_one_batch_keeps_the_last_and_the_whole_history() {
    for b in common::backends().await {
        let store = store_with_statements(&b.url, "c", 2).await;
        let (_, p, _) = store.join("c", None, None).await.expect("join");
        let batch =
            [vote("c", p, 0, Vote::Agree), vote("c", p, 0, Vote::Disagree), vote("c", p, 1, Vote::Pass)];
        store.write_votes(&batch).await.expect("batch");
        assert_eq!(
            store.votes_of("c", p).await.expect("mine"),
            vec![(0, Vote::Disagree), (1, Vote::Pass)],
            "{}",
            b.name
        );
        assert_eq!(store.vote_history("c", p, 0).await.expect("history"), vec![Vote::Agree, Vote::Disagree]);
    }
}

#[tokio::test]
async fn participants_resume_by_token_or_xid_and_tokens_stay_in_their_conversation() {
    for b in common::backends().await {
        let store = store_with_statements(&b.url, "c", 1).await;
        store.create_conversation(&Conversation::new("other", "Other")).await.expect("create");
        let (token, p, created) = store.join("c", None, None).await.expect("join");
        assert!(created && token.len() >= 32);
        assert_eq!(store.join("c", Some(&token), None).await.expect("resume").1, p);
        let (_, q, _) = store.join("c", None, Some("user-42")).await.expect("xid");
        assert_eq!(store.join("c", None, Some("user-42")).await.expect("xid again").1, q);
        assert_ne!(p, q);
        assert_eq!(store.participant_by_token("other", &token).await.expect("lookup"), None, "{}", b.name);
    }
}

#[tokio::test]
async fn exact_and_near_duplicates_are_refused() {
    for b in common::backends().await {
        let store = store_with_statements(&b.url, "c", 0).await;
        let add = |text: &'static str| {
            let store = store.clone();
            async move {
                store
                    .add_statement(
                        "c",
                        &NewStatement {
                            text,
                            language: "en",
                            author: None,
                            moderation: Moderation::Accepted,
                            is_seed: false,
                        },
                    )
                    .await
            }
        };
        add("Lampu jalan yang mati harus segera diperbaiki.").await.expect("first");
        assert!(matches!(
            add("lampu jalan yang mati, harus segera diperbaiki").await,
            Err(StoreError::Duplicate)
        ));
        assert!(matches!(
            add("Lampu jalan yang mati harus segra diperbaiki").await,
            Err(StoreError::Duplicate)
        ));
        add("Lampu jalan yang mati harus segera diganti.").await.expect("a different statement");
        assert_eq!(store.statements("c").await.expect("list").len(), 2, "{}", b.name);
    }
}

#[tokio::test]
async fn moderation_with_an_unknown_statement_changes_nothing() {
    for b in common::backends().await {
        let store = store_with_statements(&b.url, "c", 2).await;
        let r = store.moderate("c", &[0, 99], Moderation::Rejected, Some("off topic")).await;
        assert!(matches!(r, Err(StoreError::NotFound(_))), "{}", b.name);
        assert!(store
            .statements("c")
            .await
            .expect("list")
            .iter()
            .all(|s| s.moderation == Moderation::Accepted));
        store.moderate("c", &[1], Moderation::Rejected, Some("off topic")).await.expect("reject");
        let s = store.statements("c").await.expect("list");
        assert_eq!((s[1].moderation, s[1].reason.as_deref()), (Moderation::Rejected, Some("off topic")));
    }
}

#[tokio::test]
async fn sessions_expire_and_answers_are_counted() {
    for b in common::backends().await {
        let store = store_with_statements(&b.url, "c", 0).await;
        assert!(store.create_admin("ana", "hash").await.expect("admin"));
        assert!(!store.create_admin("ana", "hash").await.expect("again"));
        store.create_session("live", "ana", i64::MAX).await.expect("session");
        store.create_session("dead", "ana", 1).await.expect("session");
        assert_eq!(store.session_user("live").await.expect("user").as_deref(), Some("ana"));
        assert_eq!(store.session_user("dead").await.expect("user"), None, "{}", b.name);
        let (_, p, _) = store.join("c", None, None).await.expect("join");
        store.save_answers("c", p, &[("rw", "01")]).await.expect("answer");
        store.save_answers("c", p, &[("rw", "02")]).await.expect("change");
        assert_eq!(store.answer_counts("c").await.expect("counts"), vec![("rw".into(), "02".into(), 1)]);
    }
}

#[tokio::test]
async fn a_conversation_id_is_taken_once() {
    for b in common::backends().await {
        let store = store_with_statements(&b.url, "c", 0).await;
        let again = store.create_conversation(&Conversation::new("c", "Again")).await;
        assert!(matches!(again, Err(StoreError::IdTaken)), "{}", b.name);
    }
}

#[tokio::test]
async fn concurrent_joins_get_distinct_dense_ids() {
    for b in common::backends().await {
        let store = store_with_statements(&b.url, "c", 0).await;
        let joins = (0..40).map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.join("c", None, None).await })
        });
        let mut ids: Vec<u32> = Vec::new();
        for j in joins {
            ids.push(j.await.expect("task").expect("join").1);
        }
        ids.sort_unstable();
        assert_eq!(ids, (0..40).collect::<Vec<u32>>(), "{}", b.name);
    }
}

/// Runs one statement on the backend's database directly, as a migration or an operator would.
async fn raw_execute(b: &common::Backend, store: &Store, sql: &str) {
    match store.pg_pool() {
        Some(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
        None => {
            let pool = sqlx::SqlitePool::connect(&b.url).await.expect("second SQLite connection");
            let done = sqlx::query(sql).execute(&pool).await.map(|_| ());
            pool.close().await;
            done
        }
    }
    .unwrap_or_else(|e| panic!("{}: {sql}: {e}", b.name));
}

async fn raw_count(b: &common::Backend, store: &Store, sql: &str) -> i64 {
    match store.pg_pool() {
        Some(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
        None => {
            let pool = sqlx::SqlitePool::connect(&b.url).await.expect("second SQLite connection");
            let n = sqlx::query_scalar(sql).fetch_one(&pool).await;
            pool.close().await;
            n
        }
    }
    .unwrap_or_else(|e| panic!("{}: {sql}: {e}", b.name))
}

fn is_secret(s: &str) -> bool {
    s.len() == 64 && s.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
}

#[tokio::test]
async fn every_conversation_has_its_own_xid_secret_and_older_ones_get_one_when_first_needed() {
    use mufakat_server::store::ConversationDump;
    for b in common::backends().await {
        let store = store_with_statements(&b.url, "c", 0).await;
        mufakat_server::demo::load(&store).await.expect("demo");
        let dump = ConversationDump {
            conversation: Conversation::new("imported", "From Pol.is"),
            source_url: None,
            statements: Vec::new(),
            participants: vec![(0, Some("polis-xid-7".into()))],
            votes: Vec::new(),
            analysis_start: None,
            translations: Vec::new(),
        };
        store.import_conversation(&dump).await.expect("import");
        // Created, demo and imported: each was given a secret when written.
        let without = "SELECT COUNT(*) FROM conversations WHERE xid_secret IS NULL";
        assert_eq!(raw_count(&b, &store, without).await, 0, "{}", b.name);
        let mut secrets = Vec::new();
        for id in ["c", "demo", "imported"] {
            let s = store.xid_secret(id).await.expect("secret");
            assert!(is_secret(&s), "{}: {id}: {s}", b.name);
            assert_eq!(store.xid_secret(id).await.expect("again"), s, "{} {id}: stable", b.name);
            secrets.push(s);
        }
        secrets.sort();
        secrets.dedup();
        assert_eq!(secrets.len(), 3, "{}: one secret per conversation", b.name);

        // A conversation from before the migration has none: concurrent first needs agree on one.
        raw_execute(&b, &store, "UPDATE conversations SET xid_secret = NULL WHERE id = 'c'").await;
        let firsts = (0..8).map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.xid_secret("c").await })
        });
        let mut made = Vec::new();
        for f in firsts {
            made.push(f.await.expect("task").expect("secret"));
        }
        assert!(is_secret(&made[0]), "{}", b.name);
        assert!(made.iter().all(|s| *s == made[0]), "{}: {made:?}", b.name);
        assert_eq!(store.xid_secret("c").await.expect("kept"), made[0], "{}", b.name);
        assert!(!secrets.contains(&made[0]), "{}", b.name);

        let rotated = store.rotate_xid_secret("c").await.expect("rotate");
        assert!(is_secret(&rotated) && rotated != made[0], "{}", b.name);
        assert_eq!(store.xid_secret("c").await.expect("after rotation"), rotated, "{}", b.name);
        assert!(matches!(store.xid_secret("nope").await, Err(StoreError::NotFound(_))), "{}", b.name);
        assert!(matches!(store.rotate_xid_secret("nope").await, Err(StoreError::NotFound(_))), "{}", b.name);
    }
}

#[tokio::test]
async fn a_reopened_import_numbers_new_participants_after_the_imported_ones() {
    use mufakat_server::store::ConversationDump;
    for b in common::backends().await {
        let store = Store::open(&b.url).await.expect("open");
        let dump = ConversationDump {
            conversation: Conversation::new("imported", "From Pol.is"),
            source_url: None,
            statements: Vec::new(),
            participants: vec![(0, None), (3, None), (7, Some("polis-xid-7".into()))],
            votes: Vec::new(),
            analysis_start: None,
            translations: Vec::new(),
        };
        store.import_conversation(&dump).await.expect("import");
        // Before: the counter stayed at 0, every id was taken, and each join was 503 "busy".
        let (_, first, created) = store.join("imported", None, None).await.expect("join");
        let (_, second, _) = store.join("imported", None, None).await.expect("join");
        assert!(created, "{}", b.name);
        assert_eq!((first, second), (8, 9), "{}", b.name);
    }
}

#[tokio::test]
async fn outcomes_are_numbered_per_conversation_edited_and_deleted() {
    use mufakat_core::api::outcomes::{OutcomeInput, OutcomeStatus};
    for b in common::backends().await {
        let store = store_with_statements(&b.url, "c", 2).await;
        store.create_conversation(&Conversation::new("other", "Other")).await.expect("create");
        let input = |statement, text: &str| OutcomeInput {
            statement,
            status: OutcomeStatus::UnderStudy,
            text: text.into(),
            date: "2026-03-01".into(),
        };
        let a = store.add_outcome("c", &input(Some(1), "Costed by April")).await.expect("add");
        let b2 = store.add_outcome("c", &input(None, "Budget published monthly")).await.expect("add");
        let o = store.add_outcome("other", &input(None, "Elsewhere")).await.expect("add");
        assert_eq!((a.id, b2.id, o.id), (0, 1, 0), "{}", b.name);
        assert_eq!(a.statement_text.as_deref(), Some("We should spend more on drainage"));
        assert_eq!(a.published_at_ms, a.updated_at_ms);
        let edited = store
            .update_outcome(
                "c",
                0,
                &OutcomeInput { status: OutcomeStatus::Adopted, ..input(Some(0), "Done") },
            )
            .await
            .expect("edit");
        assert_eq!(
            (edited.status, edited.statement, edited.text.as_str()),
            (OutcomeStatus::Adopted, Some(0), "Done")
        );
        assert!(matches!(
            store.update_outcome("c", 9, &input(None, "x")).await,
            Err(StoreError::NotFound("outcome"))
        ));
        store.delete_outcome("c", 1).await.expect("delete");
        assert!(matches!(store.delete_outcome("c", 1).await, Err(StoreError::NotFound("outcome"))));
        let left: Vec<u32> = store.outcomes("c").await.expect("list").iter().map(|o| o.id).collect();
        assert_eq!(left, vec![0], "{}", b.name);
        // An outcome on a statement rejected since is not public any more.
        store.moderate("c", &[0], Moderation::Rejected, None).await.expect("reject");
        assert!(store.outcomes("c").await.expect("list").is_empty(), "{}", b.name);
        assert_eq!(store.outcomes("other").await.expect("list").len(), 1);
    }
}

/// A write that reads first (a translation checks its statement, a join finds the next
/// id) while the vote writer commits on another connection: on SQLite a deferred
/// transaction whose snapshot went stale failed at once with "database is locked"
/// (SQLITE_BUSY_SNAPSHOT, which no busy timeout waits out), a 500 for the moderator.
#[tokio::test]
async fn writes_that_read_first_succeed_while_votes_are_committed() {
    use mufakat_core::api::translations::TranslatedBy;
    use mufakat_server::store::TranslationWrite;
    for b in common::backends().await {
        let store = store_with_statements(&b.url, "c", 3).await;
        let mut voters = Vec::new();
        for _ in 0..20 {
            voters.push(store.join("c", None, None).await.expect("join").1);
        }
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let writer = {
            let (store, stop) = (store.clone(), stop.clone());
            tokio::spawn(async move {
                let mut n = 0u32;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let p = voters[n as usize % voters.len()];
                    let v = if n.is_multiple_of(2) { Vote::Agree } else { Vote::Disagree };
                    store.write_votes(&[vote("c", p, n % 3, v)]).await.expect("votes");
                    n += 1;
                }
                n
            })
        };
        let mut failures = Vec::new();
        for i in 0..150 {
            let text = format!("Terjemahan nomor {i}");
            let t = TranslationWrite {
                statement: i % 3,
                language: "id",
                text: &text,
                by: TranslatedBy::Moderator,
            };
            if let Err(e) = store.set_translations("c", &[t]).await {
                failures.push(format!("translation {i}: {e}"));
            }
            if let Err(e) = store.join("c", None, Some(&format!("resident-{i}"))).await {
                failures.push(format!("join {i}: {e}"));
            }
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let votes = writer.await.expect("writer");
        assert!(votes > 0, "{}: the writer never ran", b.name);
        assert!(
            failures.is_empty(),
            "{}: {} of 300 writes failed beside {votes} vote commits: {:?}",
            b.name,
            failures.len(),
            &failures[..failures.len().min(5)]
        );
    }
}
