//! A conversation brought in by `mufakat import` (`store::bulk`): closed until a moderator
//! reopens it, then joined and voted on like any other, its participants numbered after the
//! imported ones; an import that fails writes nothing. On SQLite, and on PostgreSQL under
//! `scripts/with-postgres.sh`.

mod common;

use mufakat_core::model::{Moderation, Vote};
use mufakat_server::store::{Conversation, ConversationDump, Store, StoreError, StoredStatement, StoredVote};
use serde_json::{json, Value};

/// A small Pol.is conversation as `mufakat import` writes it: closed, participants 0, 3 and
/// 7, three statements, a vote history with a changed vote.
fn imported(id: &str) -> ConversationDump {
    let statement = |id: u32, author| StoredStatement {
        id,
        text: format!("Imported statement number {id}"),
        author,
        moderation: Moderation::Accepted,
        is_meta: false,
        is_seed: author.is_none(),
        created_at: 1_500_000_000_000 + i64::from(id),
    };
    let vote = |participant, statement, vote, at| StoredVote { participant, statement, vote, at };
    ConversationDump {
        conversation: Conversation { closed: true, from_polis: true, ..Conversation::new(id, "From Pol.is") },
        source_url: Some("https://pol.is/7wmvbjcjhp".into()),
        statements: vec![statement(0, None), statement(1, None), statement(2, Some(3))],
        participants: vec![(0, None), (3, None), (7, Some("polis-xid-7".into()))],
        votes: vec![
            vote(0, 0, Vote::Agree, 1_500_000_001_000),
            vote(3, 0, Vote::Disagree, 1_500_000_002_000),
            vote(7, 1, Vote::Pass, 1_500_000_003_000),
            vote(0, 0, Vote::Disagree, 1_500_000_004_000),
        ],
        analysis_start: None,
        translations: Vec::new(),
    }
}

async fn json_of(r: reqwest::Response) -> (u16, Value) {
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread")]
async fn an_imported_conversation_is_closed_until_reopened_then_takes_joins_and_votes() {
    for b in common::backends().await {
        let store = Store::open(&b.url).await.expect("open");
        store.import_conversation(&imported("polis")).await.expect("import");
        drop(store);
        let s = common::TestServer::start(&b.url, common::unlimited()).await;
        let c = common::client();

        // Closed, and the page says so: anyone may join and read, nobody may vote.
        let (status, view) = json_of(c.get(s.api("/conversations/polis")).send().await.expect("get")).await;
        assert_eq!((status, view["closed"].as_bool()), (200, Some(true)), "{}: {view}", b.name);
        let join = || async {
            let (status, body) = json_of(
                c.post(s.api("/conversations/polis/participants"))
                    .json(&json!({}))
                    .send()
                    .await
                    .expect("join"),
            )
            .await;
            assert_eq!(status, 200, "{}: join {body}", b.name);
            (body["token"].as_str().expect("token").to_string(), body["participant"].as_u64().expect("id"))
        };
        let vote = |token: String, statement: u32| {
            let c = c.clone();
            let url = s.api("/conversations/polis/votes");
            async move {
                json_of(
                    c.post(url)
                        .header("x-participant-token", token)
                        .json(&json!({"statement": statement, "vote": "agree"}))
                        .send()
                        .await
                        .expect("vote"),
                )
                .await
            }
        };
        // Numbered after the imported participants (before: the counter stayed at 0, and
        // every join was 503 "the store is busy").
        let (early, first) = join().await;
        assert_eq!(first, 8, "{}", b.name);
        let (status, body) = vote(early.clone(), 0).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (409, Some("conversation_closed")),
            "{}",
            b.name
        );

        // A moderator reopens it: the same participant votes, newcomers join and vote.
        let admin = common::moderator(&s).await;
        let r = admin
            .post(s.api("/admin/conversations/polis/reopen"))
            .header("x-mufakat-csrf", "1")
            .send()
            .await
            .expect("reopen");
        assert_eq!(r.status(), 200, "{}", b.name);
        let (status, body) = vote(early, 0).await;
        assert_eq!(status, 200, "{}: {body}", b.name);
        let (late, second) = join().await;
        assert_eq!(second, 9, "{}", b.name);
        for statement in 0..3 {
            let (status, body) = vote(late.clone(), statement).await;
            assert_eq!(status, 200, "{}: {body}", b.name);
        }

        // The vote log continues the imported history: 4 imported entries, then 4 new ones.
        let (_, log) = json_of(c.get(s.api("/conversations/polis/log")).send().await.expect("log")).await;
        assert_eq!(log["next_seq"], 8, "{}: {log}", b.name);
        let dump = s.store.dump_conversation("polis").await.expect("dump");
        let voters: Vec<u32> = dump.votes.iter().map(|v| v.participant).collect();
        assert_eq!(voters, [0, 3, 7, 0, 8, 9, 9, 9], "{}", b.name);
        assert_eq!(dump.source_url.as_deref(), Some("https://pol.is/7wmvbjcjhp"), "{}", b.name);
        s.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_conversation_of_polis_data_says_so_publicly_without_its_source_link() {
    for b in common::backends().await {
        let store = Store::open(&b.url).await.expect("open");
        store.import_conversation(&imported("polis")).await.expect("import");
        // Imported from somewhere else than pol.is, and made here: no Pol.is data.
        let elsewhere = ConversationDump {
            source_url: Some("https://example.org/pol.is/7wmvbjcjhp".into()),
            conversation: Conversation { closed: true, ..Conversation::new("elsewhere", "Elsewhere") },
            ..imported("elsewhere")
        };
        store.import_conversation(&elsewhere).await.expect("import");
        store.create_conversation(&Conversation::new("here", "Made here")).await.expect("create");
        assert!(store.conversation("polis").await.expect("read").from_polis, "{}", b.name);
        drop(store);
        let s = common::TestServer::start(&b.url, common::unlimited()).await;
        let c = common::client();
        for (id, polis) in [("polis", true), ("elsewhere", false), ("here", false)] {
            let r = c.get(s.api(&format!("/conversations/{id}"))).send().await.expect("get");
            let (status, view) = json_of(r).await;
            assert_eq!((status, view["from_polis"].as_bool()), (200, Some(polis)), "{}: {id} {view}", b.name);
            assert!(
                !view.to_string().contains("7wmvbjcjhp"),
                "{}: the source link is not public: {view}",
                b.name
            );
        }
        s.stop().await;
    }
}

#[tokio::test]
async fn an_import_that_fails_writes_nothing() {
    for b in common::backends().await {
        let store = Store::open(&b.url).await.expect("open");
        // The last vote names a statement the conversation lacks: refused by the store after
        // the conversation, statements, participants and the other votes were sent.
        let mut bad = imported("polis");
        bad.votes.push(StoredVote {
            participant: 3,
            statement: 99,
            vote: Vote::Agree,
            at: 1_500_000_005_000,
        });
        assert!(store.import_conversation(&bad).await.is_err(), "{}", b.name);
        assert!(matches!(store.conversation("polis").await, Err(StoreError::NotFound(_))), "{}", b.name);
        assert!(
            matches!(store.dump_conversation("polis").await, Err(StoreError::NotFound(_))),
            "{}: something of the failed import was kept",
            b.name
        );
        // Nothing is left in the way of the same import, corrected.
        store.import_conversation(&imported("polis")).await.expect("import");
        let dump = store.dump_conversation("polis").await.expect("dump");
        assert_eq!(
            (dump.statements.len(), dump.participants.len(), dump.votes.len()),
            (3, 3, 4),
            "{}",
            b.name
        );
    }
}

/// The statements' languages and translations of an import (translations.csv) are stored in
/// its one transaction and read back as given; a statement not listed takes the
/// conversation's language.
#[tokio::test]
async fn an_import_keeps_statement_languages_and_translations() {
    use mufakat_core::api::translations::{StatementLanguages, TranslatedBy, Translation};
    for b in common::backends().await {
        let store = Store::open(&b.url).await.expect("open");
        let mut dump = imported("polis");
        let t =
            |language: &str, text: &str, by| Translation { language: language.into(), text: text.into(), by };
        dump.translations = vec![
            StatementLanguages {
                statement: 0,
                language: "id".into(),
                translations: vec![t("en", "Statement zero", TranslatedBy::Moderator)],
            },
            StatementLanguages {
                statement: 2,
                language: "jv".into(),
                translations: vec![
                    t("en", "Statement two", TranslatedBy::Author),
                    t("id", "Pernyataan dua", TranslatedBy::Moderator),
                ],
            },
        ];
        store.import_conversation(&dump).await.expect("import");
        let back = store.dump_conversation("polis").await.expect("dump").translations;
        let language = dump.conversation.settings.language.clone();
        let untranslated = StatementLanguages { statement: 1, language, translations: Vec::new() };
        let want = vec![dump.translations[0].clone(), untranslated, dump.translations[1].clone()];
        assert_eq!(back, want, "{}", b.name);

        // A translation of a statement the import lacks fails the whole import.
        dump.conversation.id = "other".into();
        dump.translations[1].statement = 42;
        assert!(store.import_conversation(&dump).await.is_err(), "{}", b.name);
        assert!(matches!(store.conversation("other").await, Err(StoreError::NotFound(_))), "{}", b.name);
    }
}
