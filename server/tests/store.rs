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
                &NewStatement { text: &text, author: None, moderation: Moderation::Accepted, is_seed: true },
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
