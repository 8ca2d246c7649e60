//! The HTTP API against bad and hostile input, on every backend: replayed votes, unknown
//! ids, malformed JSON, oversize bodies, closed conversations, admin endpoints without a
//! session or without the CSRF header, rate limits, tokens used where they do not belong, and
//! xids without the embedding site's signature.

mod common;

use common::{conversation, join, moderator, unlimited, TestServer};
use mufakat_core::model::Vote;
use mufakat_server::app::Limits;
use serde_json::{json, Value};

const SEEDS: &[&str] =
    &["Parks should stay open at night", "The market needs more shade", "Buses every ten minutes"];

async fn post_vote(s: &TestServer, id: &str, token: &str, statement: u32, vote: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(s.api(&format!("/conversations/{id}/votes")))
        .header("x-participant-token", token)
        .json(&json!({"statement": statement, "vote": vote}))
        .send()
        .await
        .expect("vote")
}

/// Answers the demographic questions as the participant holding `token`.
async fn answer(s: &TestServer, id: &str, token: &str, answers: Value) -> reqwest::StatusCode {
    reqwest::Client::new()
        .post(s.api(&format!("/conversations/{id}/answers")))
        .header("x-participant-token", token)
        .json(&answers)
        .send()
        .await
        .expect("answer")
        .status()
}

/// Changes a conversation's settings as the moderator.
async fn patch_settings(
    s: &TestServer,
    admin: &reqwest::Client,
    id: &str,
    body: Value,
) -> reqwest::StatusCode {
    admin
        .patch(s.api(&format!("/admin/conversations/{id}")))
        .header("x-mufakat-csrf", "1")
        .json(&body)
        .send()
        .await
        .expect("patch")
        .status()
}

/// A moderator GET, as JSON.
async fn admin_json(s: &TestServer, admin: &reqwest::Client, path: &str) -> Value {
    admin.get(s.api(path)).send().await.expect("get").json().await.expect("JSON body")
}

async fn error_of(r: reqwest::Response) -> Value {
    let body: Value = r.json().await.expect("JSON error body");
    body["error"].clone()
}

#[tokio::test]
async fn replayed_vote_is_one_current_vote_with_both_in_history() {
    for b in common::backends().await {
        let s = TestServer::start(&b.url, unlimited()).await;
        let admin = moderator(&s).await;
        conversation(&s, &admin, "c", SEEDS).await;
        let token = join(&s, "c").await;
        for _ in 0..2 {
            assert_eq!(post_vote(&s, "c", &token, 1, "agree").await.status(), 200, "{}", b.name);
        }
        let all: Value = reqwest::get(s.api("/conversations/c/votes")).await.unwrap().json().await.unwrap();
        assert_eq!(all["values"], json!([1]), "{}", b.name);
        assert_eq!(s.store.vote_history("c", 0, 1).await.unwrap(), vec![Vote::Agree, Vote::Agree]);
        let mine: Value = common::get_as(&s.api("/conversations/c/my-votes"), &token).await;
        assert_eq!(mine, json!({"votes": [[1, "agree"]]}));
        s.stop().await;
    }
}

#[tokio::test]
async fn unknown_conversation_statement_and_endpoint_are_404() {
    for b in common::backends().await {
        let s = TestServer::start(&b.url, unlimited()).await;
        let admin = moderator(&s).await;
        conversation(&s, &admin, "c", SEEDS).await;
        let r = reqwest::get(s.api("/conversations/nope")).await.unwrap();
        assert_eq!(r.status(), 404, "{}", b.name);
        assert_eq!(error_of(r).await["code"], "not_found");
        let token = join(&s, "c").await;
        let r = post_vote(&s, "c", &token, 99, "agree").await;
        assert_eq!(r.status(), 404);
        assert_eq!(error_of(r).await["field"], "statement");
        assert_eq!(reqwest::get(s.api("/nothing/here")).await.unwrap().status(), 404);
        s.stop().await;
    }
}

#[tokio::test]
async fn malformed_json_is_400_naming_the_field() {
    for b in common::backends().await {
        let s = TestServer::start(&b.url, unlimited()).await;
        let admin = moderator(&s).await;
        conversation(&s, &admin, "c", SEEDS).await;
        let token = join(&s, "c").await;
        let c = reqwest::Client::new();
        let url = s.api("/conversations/c/votes");
        let r = c
            .post(&url)
            .header("x-participant-token", &token)
            .header("content-type", "application/json")
            .body("{\"statement\": 1,")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{}", b.name);
        assert_eq!(error_of(r).await["code"], "malformed_json");
        let r = post_vote(&s, "c", &token, 1, "maybe").await;
        assert_eq!(r.status(), 400);
        let e = error_of(r).await;
        assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("invalid_field"), Some("vote")));
        let r = c
            .post(&url)
            .header("x-participant-token", &token)
            .json(&json!({"vote": "agree"}))
            .send()
            .await
            .unwrap();
        assert_eq!(error_of(r).await["field"], "statement");
        // A misspelt field is named, not silently ignored (a settings change with a typo
        // would otherwise answer 200 and change nothing).
        let r = c
            .post(&url)
            .header("x-participant-token", &token)
            .json(&json!({"statement": 1, "vote": "agree", "weight": 5}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{}", b.name);
        let e = error_of(r).await;
        assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("invalid_field"), Some("weight")));
        let r = admin
            .patch(s.api("/admin/conversations/c"))
            .header("x-mufakat-csrf", "1")
            .json(&json!({"titel": "typo"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{}", b.name);
        assert_eq!(error_of(r).await["field"], "titel");
        s.stop().await;
    }
}

#[tokio::test]
async fn bodies_that_are_not_json_objects_are_refused_with_400() {
    for b in common::backends().await {
        let s = TestServer::start(&b.url, unlimited()).await;
        let admin = moderator(&s).await;
        conversation(&s, &admin, "c", SEEDS).await;
        let token = join(&s, "c").await;
        let before = s.store.totals("c").await.unwrap();
        // serde reads a struct from a sequence too: `[0, "agree"]` was a vote, `[]` a join.
        let routes: [(&str, &[&str]); 3] = [
            ("/conversations/c/votes", &["[]", "[null]", r#"[0, "agree"]"#, "null", "7"]),
            ("/conversations/c/participants", &["[]", "[null]", "[null, null]", r#""x""#, "true"]),
            ("/conversations/c/statements", &["[]", "[null]", r#"["Night markets need lights"]"#]),
        ];
        let c = reqwest::Client::new();
        for (path, bodies) in routes {
            for body in bodies {
                let r = c
                    .post(s.api(path))
                    .header("x-participant-token", &token)
                    .header("content-type", "application/json")
                    .body(body.to_string())
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 400, "{} {path} {body}", b.name);
                let e = error_of(r).await;
                assert_eq!(e["code"], "invalid_field", "{path} {body}");
                assert!(e["message"].as_str().unwrap().contains("must be a JSON object"), "{e}");
            }
        }
        let after = s.store.totals("c").await.unwrap();
        assert_eq!((after.participants, after.votes), (before.participants, before.votes), "{}", b.name);
        assert_eq!(s.store.statements("c").await.unwrap().len(), SEEDS.len());
        s.stop().await;
    }
}

#[tokio::test]
async fn bodies_not_sent_as_json_are_415_and_broken_json_is_malformed() {
    let b = common::backends().await.remove(0);
    let s = TestServer::start(&b.url, unlimited()).await;
    let admin = moderator(&s).await;
    conversation(&s, &admin, "c", SEEDS).await;
    let token = join(&s, "c").await;
    let vote = r#"{"statement": 0, "vote": "agree"}"#;
    let send = |content_type: Option<&'static str>, body: &'static str| {
        let mut r = reqwest::Client::new()
            .post(s.api("/conversations/c/votes"))
            .header("x-participant-token", &token)
            .body(body);
        if let Some(t) = content_type {
            r = r.header("content-type", t);
        }
        r.send()
    };
    for content_type in [None, Some("text/plain"), Some("application/x-www-form-urlencoded"), Some("json")] {
        let r = send(content_type, vote).await.unwrap();
        assert_eq!(r.status(), 415, "{content_type:?}");
        assert_eq!(error_of(r).await["code"], "unsupported_media_type");
    }
    for content_type in ["application/json; charset=utf-8", "application/vnd.mufakat+json"] {
        assert_eq!(send(Some(content_type), vote).await.unwrap().status(), 200, "{content_type}");
    }
    for body in ["", "   ", "[1,", "nul", "{\"statement\": 0,"] {
        let r = send(Some("application/json"), body).await.unwrap();
        assert_eq!(r.status(), 400, "{body:?}");
        assert_eq!(error_of(r).await["code"], "malformed_json", "{body:?}");
    }
    s.stop().await;
}

#[tokio::test]
async fn a_path_that_is_not_utf8_is_a_json_400() {
    let b = common::backends().await.remove(0);
    let s = TestServer::start(&b.url, unlimited()).await;
    for path in ["/conversations/%FF", "/conversations/%C3%28/votes", "/conversations/%FF/events"] {
        let r = reqwest::get(s.api(path)).await.unwrap();
        assert_eq!(r.status(), 400, "{path}");
        assert_eq!(error_of(r).await["code"], "bad_request", "{path}");
    }
    s.stop().await;
}

#[tokio::test]
async fn oversize_body_is_413_json_and_loses_nothing() {
    for b in common::backends().await {
        let s = TestServer::start(&b.url, Limits { max_body: 4096, ..unlimited() }).await;
        let admin = moderator(&s).await;
        conversation(&s, &admin, "c", SEEDS).await;
        let token = join(&s, "c").await;
        assert_eq!(post_vote(&s, "c", &token, 0, "agree").await.status(), 200);
        let r = reqwest::Client::new()
            .post(s.api("/conversations/c/statements"))
            .header("x-participant-token", &token)
            .json(&json!({"text": "x".repeat(10_000)}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 413, "{}", b.name);
        assert_eq!(error_of(r).await["code"], "payload_too_large");
        assert_eq!(s.store.votes("c").await.unwrap().len(), 1);
        s.stop().await;
    }
}

#[tokio::test]
async fn statement_limits_are_enforced_after_trimming() {
    for b in common::backends().await {
        let s = TestServer::start(&b.url, unlimited()).await;
        let admin = moderator(&s).await;
        conversation(&s, &admin, "c", SEEDS).await;
        let token = join(&s, "c").await;
        let post = |text: String| {
            let (url, token) = (s.api("/conversations/c/statements"), token.clone());
            async move {
                reqwest::Client::new()
                    .post(url)
                    .header("x-participant-token", token)
                    .json(&json!({"text": text}))
                    .send()
                    .await
                    .unwrap()
            }
        };
        assert_eq!(post("   ".into()).await.status(), 400);
        assert_eq!(post("y".repeat(281)).await.status(), 400);
        assert_eq!(post(format!("  {}  ", "y".repeat(280))).await.status(), 201, "{}", b.name);
        let r = post("parks should stay open at night!".into()).await;
        assert_eq!(r.status(), 409);
        assert_eq!(error_of(r).await["code"], "duplicate_statement");
        s.stop().await;
    }
}

#[tokio::test]
async fn closed_conversation_refuses_votes_with_409_until_reopened() {
    for b in common::backends().await {
        let s = TestServer::start(&b.url, unlimited()).await;
        let admin = moderator(&s).await;
        conversation(&s, &admin, "c", SEEDS).await;
        let token = join(&s, "c").await;
        let r = admin
            .post(s.api("/admin/conversations/c/close"))
            .header("x-mufakat-csrf", "1")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let r = post_vote(&s, "c", &token, 0, "agree").await;
        assert_eq!(r.status(), 409, "{}", b.name);
        assert_eq!(error_of(r).await["code"], "conversation_closed");
        admin
            .post(s.api("/admin/conversations/c/reopen"))
            .header("x-mufakat-csrf", "1")
            .send()
            .await
            .unwrap();
        assert_eq!(post_vote(&s, "c", &token, 0, "agree").await.status(), 200);
        s.stop().await;
    }
}

/// Every admin route of the contract (core/src/api/admin.rs), with a method and a body.
/// Admin routes the API must describe (typed here, so `openapi_describes_every_route` checks
/// the document against something it did not make).
fn admin_routes() -> Vec<(reqwest::Method, &'static str, Value)> {
    use reqwest::Method;
    vec![
        (Method::POST, "/admin/logout", json!({})),
        (Method::GET, "/admin/me", Value::Null),
        (Method::GET, "/admin/conversations", Value::Null),
        (Method::POST, "/admin/conversations", json!({"title": "t"})),
        (Method::GET, "/admin/conversations/c", Value::Null),
        (Method::PATCH, "/admin/conversations/c", json!({"title": "t"})),
        (Method::POST, "/admin/conversations/c/statements", json!({"texts": ["a new one"]})),
        (Method::GET, "/admin/conversations/c/statements", Value::Null),
        (Method::POST, "/admin/conversations/c/moderation", json!({"statements": [0], "decision": "reject"})),
        (Method::POST, "/admin/conversations/c/close", json!({})),
        (Method::POST, "/admin/conversations/c/reopen", json!({})),
        (Method::GET, "/admin/conversations/c/stats", Value::Null),
        (Method::GET, "/admin/conversations/c/demographics", Value::Null),
        (Method::GET, "/admin/conversations/c/export/votes.csv", Value::Null),
        (Method::GET, "/admin/conversations/c/xid-secret", Value::Null),
        (Method::POST, "/admin/conversations/c/xid-secret/rotate", json!({})),
        (Method::POST, "/admin/conversations/c/outcomes", outcome_body()),
        (Method::PUT, "/admin/conversations/c/outcomes/0", outcome_body()),
        (Method::DELETE, "/admin/conversations/c/outcomes/0", Value::Null),
    ]
}

/// An outcome that would be published (tests/outcomes.rs tests outcomes themselves).
fn outcome_body() -> Value {
    json!({"statement": 1, "status": "adopted", "text": "Shade sails by March", "date": "2026-03-01"})
}

/// Every moderator route the server's OpenAPI document lists (all under `/api/v1/admin/`
/// but login), so a new route is walked without being typed anywhere: `{id}` is conversation
/// `c`, `{file}` is `votes.csv`, any other parameter `0`. A change sends the body that would
/// succeed where one is known, `{}` otherwise.
async fn documented_admin_routes(s: &TestServer) -> Vec<(reqwest::Method, String, Value)> {
    let doc: Value = reqwest::get(s.api("/openapi.json")).await.unwrap().json().await.unwrap();
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        let Some(route) = path.strip_prefix("/api/v1") else { continue };
        if !route.starts_with("/admin/") || route == "/admin/login" {
            continue;
        }
        let route = route
            .split('/')
            .map(|part| match part {
                "{id}" => "c",
                "{file}" => "votes.csv",
                p if p.starts_with('{') => "0",
                p => p,
            })
            .collect::<Vec<_>>()
            .join("/");
        for method in item.as_object().expect("path item").keys() {
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let body = if method == reqwest::Method::GET {
                Value::Null
            } else {
                admin_routes()
                    .into_iter()
                    .find(|(m, p, _)| *m == method && *p == route)
                    .map_or(json!({}), |(_, _, body)| body)
            };
            out.push((method, route.clone(), body));
        }
    }
    out
}

#[tokio::test]
async fn every_admin_endpoint_refuses_without_a_session_and_changes_need_csrf() {
    for b in common::backends().await {
        let s = TestServer::start(&b.url, unlimited()).await;
        let admin = moderator(&s).await;
        conversation(&s, &admin, "c", SEEDS).await;
        let stranger = reqwest::Client::new();
        let routes = documented_admin_routes(&s).await;
        assert!(routes.len() >= admin_routes().len(), "{} admin routes documented", routes.len());
        for (method, path, body) in routes {
            let path = path.as_str();
            let mut r = stranger.request(method.clone(), s.api(path)).header("x-mufakat-csrf", "1");
            if !body.is_null() {
                r = r.json(&body);
            }
            let r = r.send().await.unwrap();
            assert_eq!(r.status(), 401, "{} {method} {path}", b.name);
            assert_eq!(error_of(r).await["code"], "unauthorised");
            // Logged in but without (or with a wrong) CSRF header: state changes are refused.
            if method != reqwest::Method::GET {
                for csrf in [None, Some("0")] {
                    let mut r = admin.request(method.clone(), s.api(path));
                    if let Some(v) = csrf {
                        r = r.header("x-mufakat-csrf", v);
                    }
                    if !body.is_null() {
                        r = r.json(&body);
                    }
                    let r = r.send().await.unwrap();
                    assert_eq!(r.status(), 403, "{} {method} {path} csrf {csrf:?}", b.name);
                    assert_eq!(error_of(r).await["code"], "csrf");
                }
            }
        }
        // Nothing was changed by the refused requests.
        let c: Value = admin.get(s.api("/admin/conversations/c")).send().await.unwrap().json().await.unwrap();
        assert_eq!((c["title"].as_str(), c["closed"].as_bool()), (Some("Test"), Some(false)));
        s.stop().await;
    }
}

#[tokio::test]
async fn wrong_password_and_missing_csrf_on_login_are_refused() {
    for b in common::backends().await {
        let s = TestServer::start(&b.url, unlimited()).await;
        moderator(&s).await;
        let c = reqwest::Client::new();
        let body = json!({"username": "mod", "password": "wrong-pass"});
        let r = c.post(s.api("/admin/login")).header("x-mufakat-csrf", "1").json(&body).send().await.unwrap();
        assert_eq!(r.status(), 401, "{}", b.name);
        let body = json!({"username": "mod", "password": "moderator-pass"});
        let r = c.post(s.api("/admin/login")).json(&body).send().await.unwrap();
        assert_eq!(r.status(), 403);
        let r = c.post(s.api("/admin/login")).header("x-mufakat-csrf", "1").json(&body).send().await.unwrap();
        let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
        s.stop().await;
    }
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    for b in common::backends().await {
        let limits = Limits {
            per_address: 0.0,
            per_participant: 1.0,
            per_participant_burst: 3.0,
            ..Limits::default()
        };
        let s = TestServer::start(&b.url, limits).await;
        let admin = moderator(&s).await;
        conversation(&s, &admin, "c", SEEDS).await;
        let token = join(&s, "c").await;
        let mut statuses = Vec::new();
        let mut retry_after = None;
        for i in 0..6 {
            let r = post_vote(&s, "c", &token, i % 3, "pass").await;
            statuses.push(r.status().as_u16());
            if r.status() == 429 {
                retry_after = r.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string());
                assert_eq!(error_of(r).await["code"], "rate_limited");
            }
        }
        assert_eq!(&statuses[..3], &[200, 200, 200], "{}", b.name);
        assert!(statuses[3..].contains(&429), "{statuses:?}");
        assert!(retry_after.is_some_and(|v| v.parse::<u64>().is_ok_and(|s| s >= 1)));
        s.stop().await;
    }
}

#[tokio::test]
async fn a_token_votes_only_in_its_own_conversation() {
    for b in common::backends().await {
        let s = TestServer::start(&b.url, unlimited()).await;
        let admin = moderator(&s).await;
        conversation(&s, &admin, "c", SEEDS).await;
        conversation(&s, &admin, "d", SEEDS).await;
        let token = join(&s, "c").await;
        let r = post_vote(&s, "d", &token, 0, "agree").await;
        assert_eq!(r.status(), 401, "{}", b.name);
        assert_eq!(post_vote(&s, "c", "not-a-token", 0, "agree").await.status(), 401);
        assert!(s.store.votes("d").await.unwrap().is_empty());
        s.stop().await;
    }
}

#[tokio::test]
async fn moderation_hides_rejected_statements_and_stats_suppress_small_cells() {
    for b in common::backends().await {
        let s = TestServer::start(&b.url, unlimited()).await;
        let admin = moderator(&s).await;
        conversation(&s, &admin, "c", SEEDS).await;
        let patch = json!({"questions": [{"key": "rw", "label": "RW", "options": ["01", "02"]}], "strict_moderation": true});
        assert_eq!(patch_settings(&s, &admin, "c", patch).await, 200, "{}", b.name);
        let body = json!({"statements": [0], "decision": "reject", "reason": "duplicate of another"});
        let r = admin
            .post(s.api("/admin/conversations/c/moderation"))
            .header("x-mufakat-csrf", "1")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let view: Value = reqwest::get(s.api("/conversations/c")).await.unwrap().json().await.unwrap();
        let ids: Vec<u64> =
            view["statements"].as_array().unwrap().iter().map(|s| s["id"].as_u64().unwrap()).collect();
        assert_eq!(ids, vec![1, 2]);
        assert_eq!(view["questions"][0]["key"], "rw");
        for i in 0..6 {
            let token = join(&s, "c").await;
            let rw = if i < 5 { "01" } else { "02" };
            assert_eq!(answer(&s, "c", &token, json!({"rw": rw})).await, 204);
        }
        let token = join(&s, "c").await;
        assert_eq!(answer(&s, "c", &token, json!({"rw": "99"})).await, 400);
        let stats = admin_json(&s, &admin, "/admin/conversations/c/stats").await;
        assert_eq!(
            stats["demographics"][0]["options"],
            json!([{"option": "01", "count": 5}, {"option": "02", "count": null}])
        );
        assert_eq!(stats["statements_rejected"], 1);
        s.stop().await;
    }
}

#[tokio::test]
async fn qr_code_is_public_svg_and_health_is_ok() {
    for b in common::backends().await {
        let s = TestServer::start(&b.url, unlimited()).await;
        let admin = moderator(&s).await;
        conversation(&s, &admin, "c", SEEDS).await;
        let r = reqwest::get(s.api("/conversations/c/qr.svg")).await.unwrap();
        assert_eq!(r.headers()["content-type"], "image/svg+xml", "{}", b.name);
        assert!(r.text().await.unwrap().contains("<svg"));
        assert_eq!(reqwest::get(format!("{}/healthz", s.base)).await.unwrap().text().await.unwrap(), "ok");
        s.stop().await;
    }
}

#[tokio::test]
async fn openapi_describes_every_route() {
    let b = common::backends().await.remove(0);
    let s = TestServer::start(&b.url, unlimited()).await;
    let doc: Value = reqwest::get(s.api("/openapi.json")).await.unwrap().json().await.unwrap();
    let paths = doc["paths"].as_object().expect("paths");
    for p in [
        "/api/v1/conversations/{id}/votes",
        "/api/v1/conversations/{id}/events",
        "/api/v1/conversations/{id}/my-votes",
        "/api/v1/conversations/{id}/answers",
        "/api/v1/conversations/{id}/qr.svg",
        "/api/v1/conversations/{id}/log/{segment}/times",
        "/api/v1/admin/login",
        "/api/v1/admin/conversations/{id}/moderation",
        "/api/v1/admin/conversations/{id}/export/{file}",
    ] {
        assert!(paths.contains_key(p), "{p} missing from openapi.json");
    }
    for (_, route) in admin_routes().iter().map(|(m, p, _)| (m, p)) {
        let p = format!(
            "/api/v1{}",
            route
                .replace("/conversations/c", "/conversations/{id}")
                .replace("/votes.csv", "/{file}")
                .replace("/outcomes/0", "/outcomes/{outcome}")
        );
        assert!(paths.contains_key(&p), "{p} missing from openapi.json");
    }
    assert!(doc["components"]["schemas"]["VoteRequest"].is_object());
    // Who wrote each statement: a GET beside the participant's POST.
    assert!(paths["/api/v1/conversations/{id}/statements"]["get"].is_object(), "GET …/statements");
    assert!(doc["components"]["schemas"]["StatementOrigins"].is_object());
    s.stop().await;
}

/// A response of an operation, following a `$ref` into `components/responses`.
fn response<'a>(doc: &'a Value, op: &'a Value, status: &str) -> Option<&'a Value> {
    let r = op["responses"].get(status)?;
    match r["$ref"].as_str() {
        Some(reference) => doc.pointer(reference.trim_start_matches('#')),
        None => Some(r),
    }
}

#[tokio::test]
async fn openapi_documents_the_statuses_every_route_can_give() {
    let b = common::backends().await.remove(0);
    let s = TestServer::start(&b.url, unlimited()).await;
    let doc: Value = reqwest::get(s.api("/openapi.json")).await.unwrap().json().await.unwrap();
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            let at = format!("{method} {path}");
            operations += 1;
            let must = |status: &str, why: &str| {
                let r = response(&doc, op, status).unwrap_or_else(|| panic!("{at}: no {status} ({why})"));
                assert!(r["description"].as_str().is_some_and(|d| !d.is_empty()), "{at} {status}");
            };
            must("400", "malformed request");
            must("429", "the rate limits apply to every /api route");
            if op.get("requestBody").is_some() {
                must("413", "body limit");
                must("415", "body not sent as JSON");
            }
            let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
            if secured {
                must("401", "no token or session");
            }
            if path.starts_with("/api/v1/admin/") {
                assert!(secured || path == "/api/v1/admin/login", "{at}: no security requirement");
                if method != "get" {
                    must("403", "CSRF header missing");
                    let params = op["parameters"].as_array().unwrap_or_else(|| panic!("{at}: no parameters"));
                    assert!(
                        params.iter().any(|p| p["name"] == "x-mufakat-csrf"
                            && p["in"] == "header"
                            && p["required"] == true),
                        "{at}: the CSRF header is not a required parameter"
                    );
                }
            }
            if path.contains("{id}") {
                must("404", "unknown conversation");
            }
        }
    }
    assert!(operations >= 25, "{operations} operations");
    assert!(doc["components"]["responses"]["TooManyRequests"]["headers"]["Retry-After"].is_object());
    for scheme in ["participant_token", "moderator_session"] {
        assert!(doc["components"]["securitySchemes"][scheme].is_object(), "{scheme}");
    }
    s.stop().await;
}

#[tokio::test]
async fn openapi_states_the_bounds_the_server_enforces() {
    use mufakat_core::api::admin::*;
    use mufakat_core::api::{MAX_STATEMENT_CHARS, MAX_TOKEN_BYTES, MAX_XID_BYTES};
    let b = common::backends().await.remove(0);
    let s = TestServer::start(&b.url, unlimited()).await;
    let doc: Value = reqwest::get(s.api("/openapi.json")).await.unwrap().json().await.unwrap();
    let schemas = &doc["components"]["schemas"];
    // (schema, JSON pointer inside it, keyword, the bound the server checks)
    let bounds: &[(&str, &str, &str, usize)] = &[
        ("JoinRequest", "/properties/xid", "minLength", 1),
        ("JoinRequest", "/properties/xid", "maxLength", MAX_XID_BYTES),
        ("JoinRequest", "/properties/token", "maxLength", MAX_TOKEN_BYTES),
        ("PostStatementRequest", "/properties/text", "minLength", 1),
        ("PostStatementRequest", "/properties/text", "maxLength", MAX_STATEMENT_CHARS),
        ("Answers", "/propertyNames", "maxLength", MAX_QUESTION_KEY_BYTES),
        ("Answers", "/additionalProperties", "maxLength", MAX_OPTION_BYTES),
        ("Answers", "", "maxProperties", MAX_QUESTIONS),
        ("DemographicQuestion", "/properties/key", "minLength", 1),
        ("DemographicQuestion", "/properties/key", "maxLength", MAX_QUESTION_KEY_BYTES),
        ("DemographicQuestion", "/properties/label", "maxLength", MAX_QUESTION_LABEL_CHARS),
        ("DemographicQuestion", "/properties/options", "minItems", 1),
        ("DemographicQuestion", "/properties/options", "maxItems", MAX_OPTIONS),
        ("DemographicQuestion", "/properties/options/items", "maxLength", MAX_OPTION_BYTES),
        ("NewConversation", "/properties/title", "minLength", 1),
        ("NewConversation", "/properties/title", "maxLength", MAX_TITLE_CHARS),
        ("NewConversation", "/properties/description", "maxLength", MAX_DESCRIPTION_CHARS),
        ("NewConversation", "/properties/language", "minLength", 1),
        ("NewConversation", "/properties/language", "maxLength", MAX_LANGUAGE_BYTES),
        ("NewConversation", "/properties/questions", "maxItems", MAX_QUESTIONS),
        ("NewConversation", "/properties/seeds/items", "maxLength", MAX_STATEMENT_CHARS),
        ("ConversationSettings", "/properties/title", "maxLength", MAX_TITLE_CHARS),
        ("ConversationSettings", "/properties/description", "maxLength", MAX_DESCRIPTION_CHARS),
        ("ConversationSettings", "/properties/language", "maxLength", MAX_LANGUAGE_BYTES),
        ("ConversationSettings", "/properties/questions", "maxItems", MAX_QUESTIONS),
        ("SeedStatements", "/properties/texts", "maxItems", MAX_SEED_TEXTS),
        ("ModerationRequest", "/properties/statements", "minItems", 1),
        ("ModerationRequest", "/properties/statements", "maxItems", MAX_MODERATED),
        ("ModerationRequest", "/properties/reason", "maxLength", MAX_REASON_CHARS),
        ("OutcomeInput", "/properties/text", "minLength", 1),
        ("OutcomeInput", "/properties/text", "maxLength", mufakat_core::api::outcomes::MAX_OUTCOME_CHARS),
    ];
    for (schema, pointer, keyword, bound) in bounds {
        let at = schemas[schema].pointer(pointer).unwrap_or_else(|| panic!("{schema}{pointer} missing"));
        assert_eq!(at[keyword].as_u64(), Some(*bound as u64), "{schema}{pointer} {keyword}: {at}");
    }
    let id = &schemas["NewConversation"]["properties"]["id"]["pattern"];
    assert_eq!(id.as_str(), Some(format!("^[a-z0-9_-]{{1,{MAX_ID_BYTES}}}$").as_str()));
    s.stop().await;
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_address_limit() {
    for b in common::backends().await {
        let limits = Limits {
            per_address: 0.5,
            per_address_burst: 2.0,
            per_participant: 0.0,
            trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
            ..Limits::default()
        };
        let s = TestServer::start(&b.url, limits).await;
        let c = reqwest::Client::new();
        let get = |client: &'static str| {
            c.get(s.api("/conversations/none")).header("x-forwarded-for", client).send()
        };
        let mut first = Vec::new();
        for _ in 0..3 {
            first.push(get("198.51.100.1").await.unwrap().status().as_u16());
        }
        assert_eq!(first, vec![404, 404, 429], "{}", b.name);
        // Another resident behind the same proxy is not held back by the first.
        assert_eq!(get("198.51.100.2").await.unwrap().status(), 404);
        // A forged left-most entry does not buy a fresh bucket.
        assert_eq!(get("6.6.6.6, 198.51.100.1").await.unwrap().status(), 429);
        s.stop().await;
    }
}

#[tokio::test]
async fn large_answers_are_gzipped_small_ones_and_the_event_stream_are_not() {
    let b = common::backends().await.remove(0);
    let s = TestServer::start(&b.url, unlimited()).await;
    let admin = moderator(&s).await;
    conversation(&s, &admin, "c", SEEDS).await;
    let gzip = |url: String| reqwest::Client::new().get(url).header("accept-encoding", "gzip");
    let encoding = |r: &reqwest::Response| {
        r.headers().get("content-encoding").map(|v| v.to_str().unwrap_or("?").to_string())
    };

    // The OpenAPI document is tens of KiB: compressed, and still the same JSON once unzipped.
    let plain = reqwest::get(s.api("/openapi.json")).await.unwrap().bytes().await.unwrap();
    let r = gzip(s.api("/openapi.json")).send().await.unwrap();
    assert_eq!(encoding(&r).as_deref(), Some("gzip"));
    let zipped = r.bytes().await.unwrap();
    assert!(zipped.len() * 3 < plain.len(), "{} of {} bytes", zipped.len(), plain.len());
    let mut unzipped = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&zipped[..]), &mut unzipped).unwrap();
    assert_eq!(unzipped, plain);

    // A vote's answer is small: sent as it is.
    let token = join(&s, "c").await;
    let r = reqwest::Client::new()
        .post(s.api("/conversations/c/votes"))
        .header("x-participant-token", &token)
        .header("accept-encoding", "gzip")
        .json(&json!({"statement": 1, "vote": "agree"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(encoding(&r), None);

    // The live stream is never held back by a compressor.
    let r = gzip(s.api("/conversations/c/events")).send().await.unwrap();
    assert_eq!(r.headers()["content-type"], "text/event-stream");
    assert_eq!(encoding(&r), None);
    drop(r);
    s.stop().await;
}

#[tokio::test]
async fn demographics_are_counted_per_opinion_group_with_small_cells_suppressed() {
    for b in common::backends().await {
        let s = TestServer::start(&b.url, unlimited()).await;
        let admin = moderator(&s).await;
        let seeds: Vec<String> =
            (0..8).map(|i| format!("Fixture statement number {i} about the market")).collect();
        let seeds: Vec<&str> = seeds.iter().map(String::as_str).collect();
        conversation(&s, &admin, "c", &seeds).await;
        // No questions yet: nothing to break down.
        let r = admin_json(&s, &admin, "/admin/conversations/c/demographics").await;
        assert_eq!(r, json!({"groups": []}), "{}", b.name);
        let patch = json!({"questions": [{"key": "rw", "label": "RW", "options": ["01", "02"]}]});
        assert_eq!(patch_settings(&s, &admin, "c", patch).await, 200);
        // Two camps of 12 that vote opposite ways on every statement. In the first camp ten
        // live in RW 01 and two in RW 02; the whole second camp lives in RW 02.
        for camp in 0..2 {
            for i in 0..12 {
                let token = join(&s, "c").await;
                for statement in 0..8u32 {
                    let agree = (statement < 4) == (camp == 0);
                    let r =
                        post_vote(&s, "c", &token, statement, if agree { "agree" } else { "disagree" }).await;
                    assert_eq!(r.status(), 200, "{}", b.name);
                }
                let rw = if camp == 0 && i < 10 { "01" } else { "02" };
                assert_eq!(answer(&s, "c", &token, json!({"rw": rw})).await, 204);
            }
        }
        let r = admin_json(&s, &admin, "/admin/conversations/c/demographics").await;
        let groups = r["groups"].as_array().expect("groups");
        assert_eq!(groups.len(), 2, "{}: {r}", b.name);
        let mut cells: Vec<(u64, Value)> = groups
            .iter()
            .map(|g| {
                assert_eq!(g["questions"][0]["key"], "rw");
                (g["size"].as_u64().unwrap(), g["questions"][0]["options"].clone())
            })
            .collect();
        cells.sort_by_key(|c| c.1[0]["count"].as_u64());
        assert_eq!(
            cells,
            vec![
                (12, json!([{"option": "01", "count": 0}, {"option": "02", "count": 12}])),
                // The two in RW 02 are fewer than five: hidden.
                (12, json!([{"option": "01", "count": 10}, {"option": "02", "count": null}])),
            ],
            "{}",
            b.name
        );
        // Participants never see it.
        let token = join(&s, "c").await;
        let r = reqwest::Client::new()
            .get(s.api("/admin/conversations/c/demographics"))
            .header("x-participant-token", &token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        s.stop().await;
    }
}

/// Joins with the given body; the status, the body as JSON and as text.
async fn join_with(s: &TestServer, id: &str, body: Value) -> (reqwest::StatusCode, Value, String) {
    let r = reqwest::Client::new()
        .post(s.api(&format!("/conversations/{id}/participants")))
        .json(&body)
        .send()
        .await
        .expect("join");
    let status = r.status();
    let text = r.text().await.expect("join body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null), text)
}

/// The conversation's xid secret, as the console shows it to the moderator.
async fn xid_secret(s: &TestServer, admin: &reqwest::Client, id: &str) -> String {
    let r = admin.get(s.api(&format!("/admin/conversations/{id}/xid-secret"))).send().await.expect("secret");
    assert_eq!(r.status(), 200, "GET xid-secret of {id}");
    assert_eq!(r.headers()["cache-control"], "no-store");
    let secret = r.json::<Value>().await.expect("JSON")["secret"].as_str().expect("secret").to_string();
    assert_eq!(secret.len(), 64, "{secret}");
    secret
}

async fn rotate_xid_secret(
    s: &TestServer,
    client: &reqwest::Client,
    id: &str,
    csrf: Option<&str>,
) -> reqwest::Response {
    let mut r = client.post(s.api(&format!("/admin/conversations/{id}/xid-secret/rotate")));
    if let Some(v) = csrf {
        r = r.header("x-mufakat-csrf", v);
    }
    r.send().await.expect("rotate")
}

/// The embedding site's signature, computed here as docs/embedding.md tells integrators to,
/// not by the code under test.
fn sign(secret: &str, xid: &str) -> String {
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(xid.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

#[tokio::test]
async fn an_xid_without_a_valid_proof_never_gets_its_participants_token() {
    for b in common::backends().await {
        let s = TestServer::start(&b.url, unlimited()).await;
        let admin = moderator(&s).await;
        conversation(&s, &admin, "c", SEEDS).await;
        conversation(&s, &admin, "other", SEEDS).await;
        let victim = "victim@example.org";
        // The probe's request, before the victim ever joined: refused, nobody created.
        let (status, body, _) = join_with(&s, "c", json!({"xid": victim})).await;
        assert_eq!(status, 403, "{}: {body}", b.name);
        assert_eq!(body["error"]["code"], "xid_proof_required");
        assert!(body["error"]["message"].as_str().unwrap_or_default().contains("must sign"), "{body}");

        let secret = xid_secret(&s, &admin, "c").await;
        let other_secret = xid_secret(&s, &admin, "other").await;
        assert_ne!(secret, other_secret, "{}", b.name);
        let signed = json!({"xid": victim, "xid_proof": sign(&secret, victim)});
        let (status, first, _) = join_with(&s, "c", signed.clone()).await;
        assert_eq!(status, 200, "{}: {first}", b.name);
        let token = first["token"].as_str().expect("token").to_string();
        let victim_id = first["participant"].as_u64().expect("participant");
        assert_eq!(post_vote(&s, "c", &token, 0, "agree").await.status(), 200);
        let attacker = join(&s, "c").await;

        let forged = [
            ("no proof", json!({"xid": victim}), "xid_proof_required"),
            ("no proof, own token", json!({"xid": victim, "token": attacker}), "xid_proof_required"),
            ("zeros", json!({"xid": victim, "xid_proof": "0".repeat(64)}), "xid_proof_invalid"),
            ("empty", json!({"xid": victim, "xid_proof": ""}), "xid_proof_invalid"),
            ("not hex", json!({"xid": victim, "xid_proof": "z".repeat(64)}), "xid_proof_invalid"),
            ("the secret itself", json!({"xid": victim, "xid_proof": secret}), "xid_proof_invalid"),
            (
                "another xid's proof",
                json!({"xid": victim, "xid_proof": sign(&secret, "attacker@example.org")}),
                "xid_proof_invalid",
            ),
            (
                "another conversation's secret",
                json!({"xid": victim, "xid_proof": sign(&other_secret, victim)}),
                "xid_proof_invalid",
            ),
            (
                "a near miss of the xid",
                json!({"xid": "Victim@example.org", "xid_proof": sign(&secret, victim)}),
                "xid_proof_invalid",
            ),
        ];
        for (what, body, code) in &forged {
            let (status, answer, text) = join_with(&s, "c", body.clone()).await;
            assert_eq!(status, 403, "{} {what}: {text}", b.name);
            assert_eq!(answer["error"]["code"], *code, "{} {what}", b.name);
            assert_eq!(answer["error"]["field"], "xid_proof", "{} {what}", b.name);
            assert!(answer.get("token").is_none() && !text.contains(&token), "{} {what}: {text}", b.name);
        }

        // A valid proof: the same participant, every time.
        let (status, again, _) = join_with(&s, "c", signed.clone()).await;
        assert_eq!((status.as_u16(), again["participant"].as_u64()), (200, Some(victim_id)), "{}", b.name);
        assert_eq!(again["token"].as_str(), Some(token.as_str()));
        // A proven xid names the participant; a token sent along does not switch it.
        let mut with_token = signed.clone();
        with_token["token"] = json!(attacker);
        let (_, proven, _) = join_with(&s, "c", with_token).await;
        assert_eq!(proven["participant"].as_u64(), Some(victim_id), "{}", b.name);

        // After a rotation the old proof is refused and the new one brings back the same person.
        let r = rotate_xid_secret(&s, &admin, "c", Some("1")).await;
        assert_eq!(r.status(), 200, "{}", b.name);
        let rotated = r.json::<Value>().await.expect("JSON")["secret"].as_str().expect("secret").to_string();
        assert_ne!(rotated, secret);
        assert_eq!(xid_secret(&s, &admin, "c").await, rotated);
        let (status, answer, text) = join_with(&s, "c", signed.clone()).await;
        assert_eq!(status, 403, "{}: a proof made before the rotation: {text}", b.name);
        assert_eq!(answer["error"]["code"], "xid_proof_invalid");
        assert!(!text.contains(&token));
        let (status, back, _) =
            join_with(&s, "c", json!({"xid": victim, "xid_proof": sign(&rotated, victim)})).await;
        assert_eq!((status.as_u16(), back["participant"].as_u64()), (200, Some(victim_id)), "{}", b.name);

        // Tokens keep resuming their own participant, and only theirs.
        let (_, resumed, _) = join_with(&s, "c", json!({"token": token})).await;
        assert_eq!(resumed["participant"].as_u64(), Some(victim_id), "{}", b.name);
        let (_, other, _) = join_with(&s, "c", json!({"token": attacker})).await;
        assert_ne!(other["participant"].as_u64(), Some(victim_id), "{}", b.name);
        // Nothing the refused joins did reached the victim's votes.
        let mine = reqwest::Client::new()
            .get(s.api("/conversations/c/my-votes"))
            .header("x-participant-token", &token)
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap();
        assert_eq!(mine["votes"], json!([[0, "agree"]]), "{}", b.name);
        s.stop().await;
    }
}

#[tokio::test]
async fn an_expiring_link_works_until_its_time_and_its_expiry_cannot_be_changed() {
    for b in common::backends().await {
        let s = TestServer::start(&b.url, unlimited()).await;
        let admin = moderator(&s).await;
        conversation(&s, &admin, "c", SEEDS).await;
        let secret = xid_secret(&s, &admin, "c").await;
        let xid = "member-1841";
        let now =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs();
        let (later, past) = (now as i64 + 3600, now as i64 - 1);
        // The site signs the xid, a line feed and the expiry (docs/embedding.md).
        let expiring = |at: i64| json!({"xid": xid, "xid_expires": at, "xid_proof": sign(&secret, &format!("{xid}\n{at}"))});
        let (status, first, text) = join_with(&s, "c", expiring(later)).await;
        assert_eq!(status, 200, "{}: {text}", b.name);
        let (status, answer, text) = join_with(&s, "c", expiring(past)).await;
        assert_eq!(status, 403, "{}: {text}", b.name);
        assert_eq!(answer["error"]["code"], "xid_link_expired", "{}", b.name);
        assert!(!text.contains(first["token"].as_str().expect("token")));
        // The holder of an expired link cannot move its time nor drop it.
        let mut moved = expiring(past);
        moved["xid_expires"] = json!(later + 86_400);
        let mut dropped = expiring(past);
        dropped.as_object_mut().expect("object").remove("xid_expires");
        for (what, body) in [("moved", moved), ("dropped", dropped)] {
            let (status, answer, text) = join_with(&s, "c", body).await;
            assert_eq!(status, 403, "{} {what}: {text}", b.name);
            assert_eq!(answer["error"]["code"], "xid_proof_invalid", "{} {what}", b.name);
        }
        // An xid with a control character is refused before any signature is checked.
        let (status, answer, _) =
            join_with(&s, "c", json!({"xid": format!("{xid}\n{later}"), "xid_proof": sign(&secret, xid)}))
                .await;
        assert_eq!((status.as_u16(), answer["error"]["field"].as_str()), (400, Some("xid")), "{}", b.name);
        s.stop().await;
    }
}

#[tokio::test]
async fn the_xid_secret_is_in_no_public_answer_nor_export() {
    for b in common::backends().await {
        let s = TestServer::start(&b.url, unlimited()).await;
        let admin = moderator(&s).await;
        conversation(&s, &admin, "c", SEEDS).await;
        let secret = xid_secret(&s, &admin, "c").await;
        let (_, joined, join_text) =
            join_with(&s, "c", json!({"xid": "site-user-1", "xid_proof": sign(&secret, "site-user-1")}))
                .await;
        let token = joined["token"].as_str().expect("token").to_string();
        for statement in 0..3 {
            assert_eq!(post_vote(&s, "c", &token, statement, "disagree").await.status(), 200);
        }
        let public = reqwest::Client::new();
        let mut answers = vec![("join".to_string(), join_text)];
        for path in ["", "/votes", "/next", "/my-votes", "/qr.svg"] {
            let r = public
                .get(s.api(&format!("/conversations/c{path}")))
                .header("x-participant-token", &token)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{} {path}", b.name);
            answers.push((format!("GET /conversations/c{path}"), r.text().await.unwrap()));
        }
        answers.push((
            "openapi".into(),
            reqwest::get(s.api("/openapi.json")).await.unwrap().text().await.unwrap(),
        ));
        // Not even the moderator's other answers carry it: only the xid-secret endpoint does.
        for file in [
            "summary.csv",
            "comments.csv",
            "votes.csv",
            "participants-votes.csv",
            "comment-groups.csv",
            "analysis.json",
        ] {
            let r = admin.get(s.api(&format!("/admin/conversations/c/export/{file}"))).send().await.unwrap();
            assert_eq!(r.status(), 200, "{} {file}", b.name);
            answers.push((file.to_string(), r.text().await.unwrap()));
        }
        for path in ["/admin/conversations", "/admin/conversations/c", "/admin/conversations/c/stats"] {
            answers
                .push((path.to_string(), admin.get(s.api(path)).send().await.unwrap().text().await.unwrap()));
        }
        for (what, text) in &answers {
            assert!(!text.contains(&secret), "{}: the secret is in {what}", b.name);
        }
        // The guide the console links to is served, as text.
        let guide = reqwest::get(format!("{}/docs/embedding.md", s.base)).await.unwrap();
        assert_eq!(guide.headers()["content-type"], "text/plain; charset=utf-8");
        assert!(guide.text().await.unwrap().contains("xid_proof"));
        s.stop().await;
    }
}

#[tokio::test]
async fn rotating_the_xid_secret_needs_a_moderator_and_the_csrf_header() {
    for b in common::backends().await {
        let s = TestServer::start(&b.url, unlimited()).await;
        let admin = moderator(&s).await;
        conversation(&s, &admin, "c", SEEDS).await;
        let secret = xid_secret(&s, &admin, "c").await;
        let stranger = reqwest::Client::new();
        let r = stranger.get(s.api("/admin/conversations/c/xid-secret")).send().await.unwrap();
        assert_eq!(r.status(), 401, "{}", b.name);
        assert!(!r.text().await.unwrap().contains(&secret));
        let r = rotate_xid_secret(&s, &stranger, "c", Some("1")).await;
        assert_eq!(r.status(), 401, "{}", b.name);
        for csrf in [None, Some("0")] {
            let r = rotate_xid_secret(&s, &admin, "c", csrf).await;
            assert_eq!(r.status(), 403, "{} csrf {csrf:?}", b.name);
            assert_eq!(error_of(r).await["code"], "csrf");
        }
        assert_eq!(
            xid_secret(&s, &admin, "c").await,
            secret,
            "{}: refused rotations changed nothing",
            b.name
        );
        assert_eq!(rotate_xid_secret(&s, &admin, "nope", Some("1")).await.status(), 404);
        s.stop().await;
    }
}
