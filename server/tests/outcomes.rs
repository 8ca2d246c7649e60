//! Outcomes through the HTTP API, on every backend: publish, edit, delete, the public list,
//! the Atom feed, the exports, live events, and bad input refused with nothing changed.

mod common;

use std::time::Duration;

use common::{admin_send, conversation, moderator, unlimited, Events, TestServer};
use mufakat_core::model::Vote;
use serde_json::{json, Value};

const SEEDS: &[&str] =
    &["Parks should stay open at night", "The market needs more shade", "Buses every ten minutes"];

async fn publish(s: &TestServer, admin: &reqwest::Client, id: &str, body: Value) -> (u16, Value) {
    admin_send(s, admin, reqwest::Method::POST, &format!("/admin/conversations/{id}/outcomes"), Some(body))
        .await
}

const ATOM: &str = "http://www.w3.org/2005/Atom";

/// The Atom child element `name` of `n`.
fn child<'a, 'i>(n: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    n.children().find(|c| c.has_tag_name((ATOM, name)))
}

async fn public_list(s: &TestServer, id: &str) -> Value {
    let r = reqwest::get(s.api(&format!("/conversations/{id}/outcomes"))).await.expect("list");
    assert_eq!(r.status(), 200);
    r.json().await.expect("JSON list")
}

#[tokio::test]
async fn moderator_publishes_edits_and_deletes_outcomes_everyone_reads() {
    for b in common::backends().await {
        let s = TestServer::start(&b.url, unlimited()).await;
        let admin = moderator(&s).await;
        conversation(&s, &admin, "c", SEEDS).await;
        let body = json!({"statement": 1, "status": "under_study", "text": "  Shade sails: costed by April ", "date": "2026-03-01"});
        let (status, first) = publish(&s, &admin, "c", body).await;
        assert_eq!(status, 201, "{} {first}", b.name);
        assert_eq!(first["id"], 0);
        assert_eq!(first["statement_text"], "The market needs more shade");
        assert_eq!(first["text"], "Shade sails: costed by April", "trimmed");
        let whole = json!({"status": "adopted", "text": "The budget is published monthly from March", "date": "2026-02-20"});
        let (status, second) = publish(&s, &admin, "c", whole).await;
        assert_eq!((status, &second["id"], &second["statement"]), (201, &json!(1), &Value::Null));

        let list = public_list(&s, "c").await;
        let ids: Vec<u64> = list.as_array().unwrap().iter().map(|o| o["id"].as_u64().unwrap()).collect();
        assert_eq!(ids, vec![1, 0], "{}: the latest change first", b.name);

        tokio::time::sleep(Duration::from_millis(5)).await;
        let edit = json!({"statement": 1, "status": "adopted", "text": "Shade sails go up in May", "date": "2026-04-10"});
        let (status, edited) =
            admin_send(&s, &admin, reqwest::Method::PUT, "/admin/conversations/c/outcomes/0", Some(edit))
                .await;
        assert_eq!(status, 200, "{edited}");
        assert_eq!(
            (edited["status"].as_str(), edited["date"].as_str()),
            (Some("adopted"), Some("2026-04-10"))
        );
        assert_eq!(edited["published_at_ms"], first["published_at_ms"]);
        assert!(edited["updated_at_ms"].as_i64() > first["updated_at_ms"].as_i64());
        assert_eq!(public_list(&s, "c").await[0]["text"], "Shade sails go up in May", "edited is the latest");

        let (status, _) =
            admin_send(&s, &admin, reqwest::Method::DELETE, "/admin/conversations/c/outcomes/1", None).await;
        assert_eq!(status, 204);
        let list = public_list(&s, "c").await;
        assert_eq!(list.as_array().map(Vec::len), Some(1));
        assert_eq!(list[0]["id"], 0);
        s.stop().await;
    }
}

#[tokio::test]
async fn bad_outcomes_are_refused_with_a_clear_error_and_change_nothing() {
    for b in common::backends().await {
        let s = TestServer::start(&b.url, unlimited()).await;
        let admin = moderator(&s).await;
        conversation(&s, &admin, "c", SEEDS).await;
        let reject = json!({"statements": [2], "decision": "reject"});
        let (status, _) =
            admin_send(&s, &admin, reqwest::Method::POST, "/admin/conversations/c/moderation", Some(reject))
                .await;
        assert_eq!(status, 200);
        let good = json!({"statement": 0, "status": "not_possible", "text": "The park has no lights", "date": "2026-03-01"});
        assert_eq!(publish(&s, &admin, "c", good).await.0, 201);
        let before = public_list(&s, "c").await;

        let with = |field: &str, value: Value| {
            let mut o = json!({"statement": 0, "status": "adopted", "text": "Fine", "date": "2026-03-01"});
            o[field] = value;
            o
        };
        let cases: Vec<(Value, u16, &str, &str)> = vec![
            (with("statement", json!(99)), 404, "statement_not_found", "statement"),
            (with("statement", json!(2)), 400, "statement_rejected", "statement"),
            (with("status", json!("done")), 400, "invalid_field", "status"),
            (with("text", json!("x".repeat(1001))), 400, "outcome_too_long", "text"),
            (with("text", json!("   ")), 400, "outcome_empty", "text"),
            (with("date", json!("2026-02-30")), 400, "invalid_field", "date"),
            (with("date", json!("next week")), 400, "invalid_field", "date"),
            (with("date", json!(20260301)), 400, "invalid_field", "date"),
        ];
        for (body, status, code, field) in &cases {
            for (method, path) in [
                (reqwest::Method::POST, "/admin/conversations/c/outcomes"),
                (reqwest::Method::PUT, "/admin/conversations/c/outcomes/0"),
            ] {
                let (got, err) = admin_send(&s, &admin, method.clone(), path, Some(body.clone())).await;
                assert_eq!(got, *status, "{} {method} {body} {err}", b.name);
                assert_eq!(err["error"]["code"], *code, "{body}");
                assert_eq!(err["error"]["field"], *field, "{body}");
            }
        }
        // The longest text allowed passes (counted in characters, not bytes).
        let longest = with("text", json!("é".repeat(1000)));
        let (status, _) =
            admin_send(&s, &admin, reqwest::Method::PUT, "/admin/conversations/c/outcomes/0", Some(longest))
                .await;
        assert_eq!(status, 200);
        let good_again = with("text", json!("The park has no lights"));
        let mut good_again = good_again;
        good_again["status"] = json!("not_possible");
        admin_send(&s, &admin, reqwest::Method::PUT, "/admin/conversations/c/outcomes/0", Some(good_again))
            .await;

        let ok = with("text", json!("Fine"));
        for (method, path, code) in [
            (reqwest::Method::PUT, "/admin/conversations/c/outcomes/7", "not_found"),
            (reqwest::Method::DELETE, "/admin/conversations/c/outcomes/7", "not_found"),
            (reqwest::Method::POST, "/admin/conversations/nope/outcomes", "not_found"),
        ] {
            let body = (method != reqwest::Method::DELETE).then(|| ok.clone());
            let (got, err) = admin_send(&s, &admin, method.clone(), path, body).await;
            assert_eq!((got, err["error"]["code"].as_str()), (404, Some(code)), "{method} {path}");
        }
        let r = reqwest::get(s.api("/conversations/nope/outcomes")).await.unwrap();
        assert_eq!(r.status(), 404);
        let r = reqwest::get(s.api("/conversations/nope/outcomes.atom")).await.unwrap();
        assert_eq!(r.status(), 404);

        let after = public_list(&s, "c").await;
        assert_eq!(after.as_array().map(Vec::len), Some(1), "{}", b.name);
        assert_eq!(
            (&after[0]["id"], &after[0]["status"], &after[0]["text"]),
            (&before[0]["id"], &before[0]["status"], &before[0]["text"])
        );
        s.stop().await;
    }
}

#[tokio::test]
async fn an_outcome_on_a_statement_rejected_later_is_no_longer_public() {
    for b in common::backends().await {
        let s = TestServer::start(&b.url, unlimited()).await;
        let admin = moderator(&s).await;
        conversation(&s, &admin, "c", SEEDS).await;
        let body = json!({"statement": 2, "status": "adopted", "text": "More buses", "date": "2026-03-01"});
        assert_eq!(publish(&s, &admin, "c", body).await.0, 201);
        assert_eq!(public_list(&s, "c").await.as_array().map(Vec::len), Some(1));
        let reject = json!({"statements": [2], "decision": "reject"});
        admin_send(&s, &admin, reqwest::Method::POST, "/admin/conversations/c/moderation", Some(reject))
            .await;
        assert_eq!(public_list(&s, "c").await, json!([]), "{}", b.name);
        s.stop().await;
    }
}

#[tokio::test]
async fn outcome_feed_is_atom_that_parses_with_every_text_escaped() {
    for b in common::backends().await {
        let s = TestServer::start(&b.url, unlimited()).await;
        let admin = moderator(&s).await;
        conversation(&s, &admin, "c", &["Lights <b>&</b> \"safety\" for RW 05"]).await;
        let r = reqwest::get(s.api("/conversations/c/outcomes.atom")).await.unwrap();
        assert_eq!(r.headers()["content-type"], "application/atom+xml; charset=utf-8");
        let empty = r.text().await.unwrap();
        let doc = roxmltree::Document::parse(&empty).expect("an empty feed parses");
        assert_eq!(doc.root_element().tag_name().name(), "feed");

        let body = json!({"statement": 0, "status": "partly_adopted", "text": "Lamps <on> Jl. Mawar & \u{1}</content>", "date": "2026-03-01"});
        assert_eq!(publish(&s, &admin, "c", body).await.0, 201);
        let whole = json!({"status": "no_action", "text": "Nothing else", "date": "2026-03-02"});
        assert_eq!(publish(&s, &admin, "c", whole).await.0, 201);
        let feed = reqwest::get(s.api("/conversations/c/outcomes.atom")).await.unwrap().text().await.unwrap();
        let doc = roxmltree::Document::parse(&feed).unwrap_or_else(|e| panic!("{}: {e}\n{feed}", b.name));
        let feed_el = doc.root_element();
        assert_eq!(feed_el.tag_name().namespace(), Some(ATOM));
        for required in ["id", "title", "updated", "author"] {
            assert!(child(feed_el, required).is_some(), "feed {required}");
        }
        let entries: Vec<_> = feed_el.children().filter(|c| c.tag_name().name() == "entry").collect();
        assert_eq!(entries.len(), 2);
        for e in &entries {
            for required in ["id", "title", "updated", "content"] {
                assert!(child(*e, required).is_some(), "entry {required}");
            }
        }
        // The latest first: the whole-conversation outcome, then the statement's.
        let content = child(entries[1], "content").and_then(|c| c.text()).unwrap_or_default();
        assert_eq!(content, "Partly adopted (2026-03-01): Lamps <on> Jl. Mawar & \u{FFFD}</content>");
        let title = child(entries[1], "title").and_then(|c| c.text()).unwrap_or_default();
        assert_eq!(title, "Partly adopted: “Lights <b>&</b> \"safety\" for RW 05”");
        let id = child(entries[1], "id").and_then(|c| c.text()).unwrap_or_default();
        assert!(id.ends_with("/c/c#outcome-0"), "{id}");
        s.stop().await;
    }
}

#[tokio::test]
async fn outcomes_are_in_outcomes_csv_and_analysis_json() {
    for b in common::backends().await {
        let s = TestServer::start(&b.url, unlimited()).await;
        let admin = moderator(&s).await;
        conversation(&s, &admin, "c", SEEDS).await;
        let mut votes = Vec::new();
        for _ in 0..8 {
            let (_, p, _) = s.store.join("c", None, None).await.unwrap();
            for st in 0..3 {
                votes.push((p, st, if (p + st) % 2 == 0 { Vote::Agree } else { Vote::Disagree }));
            }
        }
        s.store.cast_votes_bulk("c", &votes).await.unwrap();
        let body = json!({"statement": 1, "status": "adopted", "text": "=SUM(A1) shade, \"now\"", "date": "2026-03-01"});
        assert_eq!(publish(&s, &admin, "c", body).await.0, 201);
        let r = admin.get(s.api("/admin/conversations/c/export/outcomes.csv")).send().await.unwrap();
        assert_eq!(r.status(), 200, "{}", b.name);
        assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
        let csv = r.text().await.unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "outcome-id,statement-id,statement,status,date,text,published,updated");
        assert!(
            lines[1].starts_with(
                "0,1,The market needs more shade,adopted,2026-03-01,\"'=SUM(A1) shade, \"\"now\"\"\","
            ),
            "{}",
            lines[1]
        );
        let json: Value = admin
            .get(s.api("/admin/conversations/c/export/analysis.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(json["outcomes"][0]["status"], "adopted");
        assert_eq!(json["outcomes"][0]["statement"], 1);
        s.stop().await;
    }
}

#[tokio::test]
async fn publishing_an_outcome_is_told_to_live_streams() {
    for b in common::backends().await {
        let s = TestServer::start(&b.url, unlimited()).await;
        let admin = moderator(&s).await;
        conversation(&s, &admin, "c", SEEDS).await;
        let mut events = Events::open(&s.api("/conversations/c/events")).await;
        let body = json!({"status": "adopted", "text": "Done", "date": "2026-03-01"});
        assert_eq!(publish(&s, &admin, "c", body).await.0, 201);
        let got = events.wait_for("outcome", Duration::from_secs(5), |d| d["outcome"] == 0).await;
        assert_eq!(got.map(|d| d["removed"].clone()), Some(json!(false)), "{}", b.name);
        s.stop().await;
    }
}
