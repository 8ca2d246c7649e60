//! Live events: the SSE stream carries votes, statements, moderation and closing; with
//! PostgreSQL a vote taken by one `mufakat serve` process reaches another's stream.

mod common;

use std::time::{Duration, Instant};

use common::{conversation, join, moderator, unlimited, Events, TestServer};
use serde_json::json;

const SEEDS: &[&str] = &["Parks should stay open at night", "The market needs more shade"];

#[tokio::test]
async fn stream_carries_votes_statements_moderation_and_closing() {
    for b in common::backends().await {
        let s = TestServer::start(&b.url, unlimited()).await;
        let admin = moderator(&s).await;
        conversation(&s, &admin, "c", SEEDS).await;
        let token = join(&s, "c").await;
        let mut events = Events::open(&s.api("/conversations/c/events")).await;
        let first = events.next(Duration::from_secs(2)).await.expect("first event");
        assert_eq!(first.0, "votes", "{}", b.name);
        let c = reqwest::Client::new();
        c.post(s.api("/conversations/c/votes"))
            .header("x-participant-token", &token)
            .json(&json!({"statement": 0, "vote": "agree"}))
            .send()
            .await
            .unwrap();
        let votes = events.wait_for("votes", Duration::from_secs(3), |d| d["votes"] == 1).await;
        assert!(votes.is_some(), "{}: no votes event", b.name);
        // The event carries the vote log's length: a page syncs up to exactly that entry.
        assert_eq!(first.1["entries"], 0, "{}", b.name);
        assert_eq!(votes.as_ref().map(|v| v["entries"].clone()), Some(json!(1)), "{}", b.name);
        c.post(s.api("/conversations/c/statements"))
            .header("x-participant-token", &token)
            .json(&json!({"text": "Shade trees along the main road"}))
            .send()
            .await
            .unwrap();
        let st =
            events.wait_for("statement", Duration::from_secs(3), |_| true).await.expect("statement event");
        assert_eq!(st["statement"]["text"], "Shade trees along the main road");
        admin
            .post(s.api("/admin/conversations/c/moderation"))
            .header("x-mufakat-csrf", "1")
            .json(&json!({"statements": [2], "decision": "reject"}))
            .send()
            .await
            .unwrap();
        let m =
            events.wait_for("moderation", Duration::from_secs(3), |_| true).await.expect("moderation event");
        assert_eq!(m, json!({"type": "moderation", "statement": 2, "visible": false}));
        admin.post(s.api("/admin/conversations/c/close")).header("x-mufakat-csrf", "1").send().await.unwrap();
        let closed = events.wait_for("closed", Duration::from_secs(3), |_| true).await.expect("closed event");
        assert_eq!(closed["closed"], true);
        s.stop().await;
    }
}

#[tokio::test]
async fn a_vote_through_one_process_reaches_another_process_stream_within_a_second() {
    let Some(base) = common::postgres_url("the two-process PostgreSQL test") else { return };
    let url = common::fresh_pg_database(&base).await;
    let (a, b, admin) = common::two_processes(&url, SEEDS).await;
    let joined: serde_json::Value = reqwest::Client::new()
        .post(a.api("/conversations/c/participants"))
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = joined["token"].as_str().unwrap().to_string();
    // Process B has seen this participant before the vote (its memory of their votes is empty).
    let r = reqwest::Client::new()
        .get(b.api("/conversations/c/next"))
        .header("x-participant-token", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let mut events = Events::open(&b.api("/conversations/c/events")).await;
    events.next(Duration::from_secs(2)).await.expect("first event from B");
    let sent = Instant::now();
    let r = reqwest::Client::new()
        .post(a.api("/conversations/c/votes"))
        .header("x-participant-token", &token)
        .json(&json!({"statement": 1, "vote": "disagree"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let seen = events.wait_for("votes", Duration::from_secs(1), |d| d["votes"] == 1).await;
    let elapsed = sent.elapsed();
    assert!(seen.is_some(), "process B's stream did not show the vote within a second");
    eprintln!("vote through A reached B's stream after {elapsed:?}");
    // B read the entry before passing the event on: the range up to its `entries` is there.
    assert_eq!(seen.as_ref().map(|v| v["entries"].clone()), Some(json!(1)));
    let range = reqwest::get(b.api("/conversations/c/log/0?until=1")).await.unwrap();
    assert_eq!(range.status(), 200, "B did not answer the range up to the event's entries");
    // B knows the vote taken by A: it is among the participant's votes and not routed again.
    let mine: serde_json::Value = common::get_as(&b.api("/conversations/c/my-votes"), &token).await;
    assert_eq!(mine, json!({"votes": [[1, "disagree"]]}));
    let next: serde_json::Value = common::get_as(&b.api("/conversations/c/next"), &token).await;
    assert_eq!(next["statement"]["id"], 0);
    // The same token is known to process B: the participant may continue there.
    let r = reqwest::Client::new()
        .post(b.api("/conversations/c/votes"))
        .header("x-participant-token", &token)
        .json(&json!({"statement": 0, "vote": "agree"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // A moderator's close on A stops votes on B.
    admin.post(a.api("/admin/conversations/c/close")).header("x-mufakat-csrf", "1").send().await.unwrap();
    events.wait_for("closed", Duration::from_secs(2), |_| true).await.expect("closed reached B");
    let r = reqwest::Client::new()
        .post(b.api("/conversations/c/votes"))
        .header("x-participant-token", &token)
        .json(&json!({"statement": 0, "vote": "pass"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
}
