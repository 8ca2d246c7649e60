//! Routing control through the HTTP API, on every backend: a pinned statement first for
//! everyone, a cap on the statements one participant is asked, a direct link's statement
//! (`GET .../next?statement=`), and the refusals.

mod common;

use common::{conversation, join, moderator, unlimited, TestServer};
use serde_json::{json, Value};

const SEEDS: &[&str] = &[
    "Parks should stay open at night",
    "The market needs more shade",
    "Buses every ten minutes",
    "A library in every kelurahan",
    "Free water fountains in the square",
    "Bicycle lanes on the main road",
    "A night market every Saturday",
    "Street lights in every alley",
    "A clinic open on Sundays",
];

async fn next(s: &TestServer, token: &str, query: &str) -> (u16, Value) {
    let r = reqwest::Client::new()
        .get(s.api(&format!("/conversations/c/next{query}")))
        .header("x-participant-token", token)
        .send()
        .await
        .expect("next");
    (r.status().as_u16(), r.json().await.expect("json"))
}

async fn vote(s: &TestServer, token: &str, statement: u64) {
    let r = reqwest::Client::new()
        .post(s.api("/conversations/c/votes"))
        .header("x-participant-token", token)
        .json(&json!({"statement": statement, "vote": "agree"}))
        .send()
        .await
        .expect("vote");
    assert_eq!(r.status(), 200);
}

async fn patch(s: &TestServer, admin: &reqwest::Client, body: Value) -> (u16, Value) {
    let r = admin
        .patch(s.api("/admin/conversations/c"))
        .header("x-mufakat-csrf", "1")
        .json(&body)
        .send()
        .await
        .expect("patch");
    (r.status().as_u16(), r.json().await.expect("json"))
}

#[tokio::test]
async fn a_pinned_statement_comes_first_for_everyone_until_they_vote_on_it() {
    for b in common::backends().await {
        let s = TestServer::start(&b.url, unlimited()).await;
        let admin = moderator(&s).await;
        conversation(&s, &admin, "c", SEEDS).await;
        let (status, body) = patch(&s, &admin, json!({"pinned_statement": 3})).await;
        assert_eq!((status, body["pinned_statement"].as_u64()), (200, Some(3)), "{}: {body}", b.name);
        for _ in 0..5 {
            let token = join(&s, "c").await;
            let (_, n) = next(&s, &token, "").await;
            assert_eq!(n["statement"]["id"], 3, "{}: {n}", b.name);
            vote(&s, &token, 3).await;
            let (_, n) = next(&s, &token, "").await;
            assert_ne!(n["statement"]["id"], 3, "{}: {n}", b.name);
        }
        // Unpinned with null: routing as before (a moderator's view says so).
        let (status, body) = patch(&s, &admin, json!({"pinned_statement": null})).await;
        assert_eq!((status, &body["pinned_statement"]), (200, &Value::Null), "{}: {body}", b.name);
        // A pin for a statement that does not exist, or was rejected: refused, nothing changed.
        let (status, body) = patch(&s, &admin, json!({"pinned_statement": 99, "statement_cap": 8})).await;
        assert_eq!(
            (status, &body["error"]["field"]),
            (404, &json!("pinned_statement")),
            "{}: {body}",
            b.name
        );
        let r = admin
            .post(s.api("/admin/conversations/c/moderation"))
            .header("x-mufakat-csrf", "1")
            .json(&json!({"statements": [2], "decision": "reject"}))
            .send()
            .await
            .expect("reject");
        assert_eq!(r.status(), 200);
        let (status, body) = patch(&s, &admin, json!({"pinned_statement": 2})).await;
        assert_eq!(
            (status, &body["error"]["field"]),
            (400, &json!("pinned_statement")),
            "{}: {body}",
            b.name
        );
        let show: Value = admin
            .get(s.api("/admin/conversations/c"))
            .send()
            .await
            .expect("show")
            .json()
            .await
            .expect("json");
        assert_eq!(
            (&show["pinned_statement"], &show["statement_cap"]),
            (&Value::Null, &json!(0)),
            "{}",
            b.name
        );
        s.stop().await;
    }
}

#[tokio::test]
async fn the_cap_ends_the_questions_but_a_direct_link_still_shows_its_statement() {
    for b in common::backends().await {
        let s = TestServer::start(&b.url, unlimited()).await;
        let admin = moderator(&s).await;
        conversation(&s, &admin, "c", SEEDS).await;
        assert_eq!(patch(&s, &admin, json!({"statement_cap": 7})).await.0, 200);
        let public: Value =
            reqwest::get(s.api("/conversations/c")).await.expect("view").json().await.expect("json");
        assert_eq!(public["statement_cap"], 7, "participants see the cap");
        assert!(public.get("pinned_statement").is_none(), "the pin is routing's business: {public}");

        let token = join(&s, "c").await;
        for _ in 0..7 {
            let (_, n) = next(&s, &token, "").await;
            assert_eq!(n["capped"], false);
            vote(&s, &token, n["statement"]["id"].as_u64().expect("a statement")).await;
        }
        let (_, n) = next(&s, &token, "").await;
        assert_eq!(
            (&n["statement"], &n["capped"], &n["remaining"]),
            (&Value::Null, &json!(true), &json!(2)),
            "{}: {n}",
            b.name
        );
        // A direct link to one they have not voted on: shown, past the cap.
        let my: Value = reqwest::Client::new()
            .get(s.api("/conversations/c/my-votes"))
            .header("x-participant-token", &token)
            .send()
            .await
            .expect("my votes")
            .json()
            .await
            .expect("json");
        let voted: Vec<u64> =
            my["votes"].as_array().expect("votes").iter().filter_map(|v| v[0].as_u64()).collect();
        let open = (0..9u64).find(|id| !voted.contains(id)).expect("an unvoted statement");
        let (status, n) = next(&s, &token, &format!("?statement={open}")).await;
        assert_eq!((status, n["statement"]["id"].as_u64()), (200, Some(open)), "{}: {n}", b.name);
        // A link to one they voted on, or to no statement: routing as usual (here: capped).
        let (_, n) = next(&s, &token, &format!("?statement={}", voted[0])).await;
        assert_eq!(n["capped"], true, "{}: {n}", b.name);
        let (_, n) = next(&s, &token, "?statement=424242").await;
        assert_eq!(n["capped"], true, "{}: {n}", b.name);
        for bad in ["?statement=abc", "?statement=-1", "?statement="] {
            let (status, body) = next(&s, &token, bad).await;
            assert_eq!((status, &body["error"]["field"]), (400, &json!("statement")), "{bad}: {body}");
        }
        // A cap out of bounds is refused: too many, or too few to join the opinion groups.
        for bad in [10_001, 3] {
            let (status, body) = patch(&s, &admin, json!({"statement_cap": bad})).await;
            assert_eq!((status, &body["error"]["field"]), (400, &json!("statement_cap")), "{bad}: {body}");
        }
        s.stop().await;
    }
}
