//! Statements in several languages through the HTTP API, on every backend: the author's
//! translation when posting, moderators adding and correcting one, the CSV import (all rows
//! or none, the bad line named), what participants receive, live events and the export.

mod common;

use std::time::Duration;

use common::{conversation, join, moderator, unlimited, Events, TestServer};
use mufakat_core::model::Vote;
use serde_json::{json, Value};

/// In the conversation's language, Bahasa Indonesia (the default).
const SEEDS: &[&str] =
    &["Taman harus buka sampai malam", "Pasar perlu lebih banyak peneduh", "Bus setiap sepuluh menit"];

async fn send(
    s: &TestServer,
    c: &reqwest::Client,
    method: reqwest::Method,
    path: &str,
    body: Value,
) -> (u16, Value) {
    common::admin_send(s, c, method, path, Some(body)).await
}

async fn put(
    s: &TestServer,
    admin: &reqwest::Client,
    statement: u32,
    language: &str,
    text: &str,
) -> (u16, Value) {
    let path = format!("/admin/conversations/c/statements/{statement}/translations/{language}");
    send(s, admin, reqwest::Method::PUT, &path, json!({ "text": text })).await
}

async fn import(s: &TestServer, admin: &reqwest::Client, csv: &str) -> (u16, Value) {
    send(s, admin, reqwest::Method::POST, "/admin/conversations/c/translations", json!({ "csv": csv })).await
}

async fn public_statements(s: &TestServer) -> Vec<Value> {
    let v: Value = reqwest::get(s.api("/conversations/c")).await.expect("view").json().await.expect("JSON");
    v["statements"].as_array().expect("statements").clone()
}

fn translation<'a>(statement: &'a Value, language: &str) -> Option<&'a Value> {
    statement["translations"].as_array()?.iter().find(|t| t["language"] == language)
}

#[tokio::test]
async fn moderators_add_and_correct_translations_participants_receive() {
    for b in common::backends().await {
        let s = TestServer::start(&b.url, unlimited()).await;
        let admin = moderator(&s).await;
        conversation(&s, &admin, "c", SEEDS).await;
        let statements = public_statements(&s).await;
        assert_eq!(statements[0]["language"], "id", "{}: seeds take the conversation's language", b.name);
        assert!(statements[0].get("translations").is_none(), "none yet, none sent");

        let mut events = Events::open(&s.api("/conversations/c/events")).await;
        let (status, body) = put(&s, &admin, 1, "EN", "  The market needs more shade ").await;
        assert_eq!(status, 200, "{}: {body}", b.name);
        assert_eq!(
            body["translations"],
            json!([{"language": "en", "text": "The market needs more shade", "by": "moderator"}])
        );
        let event = events.wait_for("statement", Duration::from_secs(5), |d| d["statement"]["id"] == 1).await;
        let event = event.unwrap_or_else(|| panic!("{}: no statement event for the translation", b.name));
        assert_eq!(
            translation(&event["statement"], "en").map(|t| &t["text"]),
            Some(&json!("The market needs more shade"))
        );

        let (status, body) = put(&s, &admin, 1, "en", "The market needs shade").await;
        assert_eq!(status, 200, "{body}");
        let statements = public_statements(&s).await;
        assert_eq!(statements[1]["translations"].as_array().map(Vec::len), Some(1), "corrected, not added");
        assert_eq!(translation(&statements[1], "en").unwrap()["text"], "The market needs shade");

        // The next card carries the translations too.
        let token = join(&s, "c").await;
        let next: Value = common::get_as(&s.api("/conversations/c/next?statement=1"), &token).await;
        assert_eq!(
            translation(&next["statement"], "en").map(|t| &t["by"]),
            Some(&json!("moderator")),
            "{next}"
        );

        for (statement, language, text, code) in [
            (1, "id", "Bahasa yang sama", "same_language"),
            (1, "xx", "Unknown", "unknown_language"),
            (1, "en", "   ", "statement_empty"),
            (1, "en", &"a".repeat(281), "statement_too_long"),
        ] {
            let (status, body) = put(&s, &admin, statement, language, text).await;
            assert_eq!(
                (status, body["error"]["code"].as_str()),
                (400, Some(code)),
                "{}: {language} {body}",
                b.name
            );
        }
        assert_eq!(put(&s, &admin, 9, "en", "Nothing").await.0, 404);
        let anonymous = reqwest::Client::new();
        assert_eq!(put(&s, &anonymous, 1, "en", "x").await.0, 401, "moderators only");
        s.stop().await;
    }
}

#[tokio::test]
async fn the_author_posts_a_statement_with_its_language_and_a_translation() {
    for b in common::backends().await {
        let s = TestServer::start(&b.url, unlimited()).await;
        let admin = moderator(&s).await;
        conversation(&s, &admin, "c", SEEDS).await;
        let token = join(&s, "c").await;
        let post = |body: Value| {
            let token = token.clone();
            let url = s.api("/conversations/c/statements");
            async move {
                let r = reqwest::Client::new()
                    .post(url)
                    .header("x-participant-token", token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                (r.status().as_u16(), r.json::<Value>().await.unwrap_or(Value::Null))
            }
        };
        let (status, body) = post(json!({
            "text": "Taman harus buka sampai jam sepuluh",
            "language": "id",
            "translation": {"language": "en", "text": "<b>Parks</b> open until night"}
        }))
        .await;
        assert_eq!(status, 201, "{}: {body}", b.name);
        assert_eq!(body["statement"]["language"], "id");
        assert_eq!(
            body["statement"]["translations"],
            json!([{"language": "en", "text": "<b>Parks</b> open until night", "by": "author"}])
        );
        let rows: Value =
            admin.get(s.api("/admin/conversations/c/statements")).send().await.unwrap().json().await.unwrap();
        let mine = rows
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["text"] == "Taman harus buka sampai jam sepuluh")
            .unwrap();
        assert_eq!(mine["translations"][0]["by"], "author", "{}: stored", b.name);

        for (body, code, field) in [
            (json!({"text": "Satu", "language": "klingon"}), "unknown_language", "language"),
            (
                json!({"text": "Dua", "language": "id", "translation": {"language": "id", "text": "Dua"}}),
                "same_language",
                "translation.language",
            ),
            (
                json!({"text": "Tiga", "translation": {"language": "en", "text": " "}}),
                "statement_empty",
                "translation.text",
            ),
        ] {
            let (status, refused) = post(body).await;
            assert_eq!(status, 400, "{}: {refused}", b.name);
            assert_eq!(
                (refused["error"]["code"].as_str(), refused["error"]["field"].as_str()),
                (Some(code), Some(field))
            );
        }
        assert_eq!(public_statements(&s).await.len(), 4, "{}: refused posts add nothing", b.name);
        s.stop().await;
    }
}

#[tokio::test]
async fn a_csv_import_takes_every_row_or_none_and_names_the_bad_line() {
    for b in common::backends().await {
        let s = TestServer::start(&b.url, unlimited()).await;
        let admin = moderator(&s).await;
        conversation(&s, &admin, "c", SEEDS).await;
        for (csv, line) in [
            ("comment-id,language,text\n0,en,Parks open at night\n7,en,Nothing\n", "line 3"),
            ("comment-id,language,text\n0,en,Parks open at night\n1,xx,Market\n", "line 3"),
            ("comment-id,language,text\n0,en,Parks\n\n0,EN,Parks again\n", "line 4"),
            ("comment-id,language,text\n0,id,Taman\n", "line 2"),
            ("id,lang,text\n0,en,Parks\n", "line 1"),
        ] {
            let (status, body) = import(&s, &admin, csv).await;
            assert_eq!(
                (status, body["error"]["code"].as_str()),
                (400, Some("bad_translation_row")),
                "{}: {csv} {body}",
                b.name
            );
            let message = body["error"]["message"].as_str().unwrap_or("");
            assert!(
                message.starts_with(line) && message.contains("nothing was imported"),
                "{csv}: {message}"
            );
        }
        assert!(
            public_statements(&s).await.iter().all(|st| st.get("translations").is_none()),
            "{}: nothing half-imported",
            b.name
        );

        let csv = "text,comment-id,language,note\n\"Parks, open at night\",0,en,x\n'=1+1,2,jv,\nThe market needs shade,1,en,\n";
        let (status, body) = import(&s, &admin, csv).await;
        assert_eq!((status, &body), (200, &json!({"imported": 3})), "{}", b.name);
        let statements = public_statements(&s).await;
        assert_eq!(translation(&statements[0], "en").unwrap()["text"], "Parks, open at night");
        assert_eq!(
            translation(&statements[2], "jv").unwrap()["text"],
            "=1+1",
            "the export's quote is read back"
        );

        // The export carries every translation, formulas neutralised, and imports back.
        let mut votes = Vec::new();
        for _ in 0..6 {
            let (_, p, _) = s.store.join("c", None, None).await.unwrap();
            for st in 0..3 {
                votes.push((p, st, if (p + st) % 2 == 0 { Vote::Agree } else { Vote::Disagree }));
            }
        }
        s.store.cast_votes_bulk("c", &votes).await.unwrap();
        let r = admin.get(s.api("/admin/conversations/c/export/translations.csv")).send().await.unwrap();
        assert_eq!(r.status(), 200, "{}", b.name);
        assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
        let exported = r.text().await.unwrap();
        assert_eq!(
            exported,
            "comment-id,original-language,language,translated-by,text\n\
             0,id,en,moderator,\"Parks, open at night\"\n\
             1,id,en,moderator,The market needs shade\n\
             2,id,jv,moderator,'=1+1\n"
        );
        assert_eq!(import(&s, &admin, &exported).await, (200, json!({"imported": 3})));
        s.stop().await;
    }
}

async fn delete(s: &TestServer, admin: &reqwest::Client, statement: u32, language: &str) -> (u16, Value) {
    let path = format!("/admin/conversations/c/statements/{statement}/translations/{language}");
    let r = admin.delete(s.api(&path)).header("x-mufakat-csrf", "1").send().await.expect("request");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn moderators_remove_a_wrong_translation_and_participants_see_the_original() {
    for b in common::backends().await {
        let s = TestServer::start(&b.url, unlimited()).await;
        let admin = moderator(&s).await;
        conversation(&s, &admin, "c", SEEDS).await;
        assert_eq!(put(&s, &admin, 0, "en", "The park is closed forever").await.0, 200, "{}", b.name);
        assert_eq!(put(&s, &admin, 0, "jv", "Taman kudu bukak nganti wengi").await.0, 200, "{}", b.name);

        let mut events = Events::open(&s.api("/conversations/c/events")).await;
        let (status, body) = delete(&s, &admin, 0, "EN").await;
        assert_eq!(status, 200, "{}: {body}", b.name);
        assert_eq!(body["translations"].as_array().map(Vec::len), Some(1), "{}: {body}", b.name);
        assert!(translation(&body, "jv").is_some(), "{}: the other translation stays", b.name);
        let event = events
            .wait_for("statement", Duration::from_secs(5), |d| {
                d["statement"]["id"] == 0 && translation(&d["statement"], "en").is_none()
            })
            .await;
        assert!(event.is_some(), "{}: no statement event without the translation", b.name);
        let statements = public_statements(&s).await;
        assert!(translation(&statements[0], "en").is_none(), "{}: readers of en see the original", b.name);
        assert_eq!(statements[0]["text"], SEEDS[0]);

        // Gone from the export too.
        let (_, p, _) = s.store.join("c", None, None).await.expect("join");
        s.store.cast_votes_bulk("c", &[(p, 0, Vote::Agree), (p, 1, Vote::Disagree)]).await.expect("votes");
        let r =
            admin.get(s.api("/admin/conversations/c/export/translations.csv")).send().await.expect("export");
        let exported = r.text().await.expect("text");
        assert!(!exported.contains(",en,") && exported.contains(",jv,"), "{}: {exported}", b.name);

        for (statement, language, status) in [(0, "en", 404), (1, "en", 404), (9, "jv", 404), (0, "xx", 400)]
        {
            let (got, body) = delete(&s, &admin, statement, language).await;
            assert_eq!(got, status, "{}: {statement} {language} {body}", b.name);
        }
        let anonymous = reqwest::Client::new();
        assert_eq!(delete(&s, &anonymous, 0, "jv").await.0, 401, "moderators only");
        let no_csrf = admin
            .delete(s.api("/admin/conversations/c/statements/0/translations/jv"))
            .send()
            .await
            .expect("request");
        assert_eq!(no_csrf.status(), 403, "{}: a change needs the CSRF header", b.name);
        assert!(translation(&public_statements(&s).await[0], "jv").is_some(), "{}", b.name);
        s.stop().await;
    }
}
