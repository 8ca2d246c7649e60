//! Invitation codes on every backend: a code lets one person in once; reused, revoked,
//! malformed and other conversations' codes are refused with a clear error and change
//! nothing; an invitation-only conversation takes nobody without one; failed attempts are
//! rate-limited; the store keeps no code; and a code acknowledged as used stays used
//! across kill -9.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{conversation, moderator, unlimited, Process, TestServer};
use mufakat_core::api::codes::{new_code, normalize_code};
use mufakat_server::app::Limits;
use mufakat_server::store::{code_hash, Conversation, Store};
use serde_json::{json, Value};

const SEEDS: &[&str] = &["Parks should stay open at night", "The market needs more shade"];

async fn join_with(s: &TestServer, id: &str, body: Value) -> (reqwest::StatusCode, Value) {
    let r = reqwest::Client::new()
        .post(s.api(&format!("/conversations/{id}/participants")))
        .json(&body)
        .send()
        .await
        .expect("join");
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn generate(
    s: &TestServer,
    admin: &reqwest::Client,
    id: &str,
    count: u32,
) -> (reqwest::StatusCode, Value) {
    let r = admin
        .post(s.api(&format!("/admin/conversations/{id}/codes")))
        .header("x-mufakat-csrf", "1")
        .json(&json!({ "count": count }))
        .send()
        .await
        .expect("generate");
    let status = r.status();
    (status, r.json().await.expect("JSON"))
}

async fn codes(s: &TestServer, admin: &reqwest::Client, id: &str, count: u32) -> Vec<String> {
    let (status, body) = generate(s, admin, id, count).await;
    assert_eq!(status, 201, "{body}");
    body["codes"].as_array().expect("codes").iter().map(|c| c["code"].as_str().unwrap().to_string()).collect()
}

async fn counts(s: &TestServer, admin: &reqwest::Client, id: &str) -> Value {
    admin.get(s.api(&format!("/admin/conversations/{id}/codes"))).send().await.unwrap().json().await.unwrap()
}

async fn revoke(
    s: &TestServer,
    admin: &reqwest::Client,
    id: &str,
    body: Value,
) -> (reqwest::StatusCode, Value) {
    let r = admin
        .post(s.api(&format!("/admin/conversations/{id}/codes/revoke")))
        .header("x-mufakat-csrf", "1")
        .json(&body)
        .send()
        .await
        .expect("revoke");
    let status = r.status();
    (status, r.json().await.expect("JSON"))
}

async fn participants(s: &TestServer, id: &str) -> u64 {
    let v: Value = reqwest::get(s.api(&format!("/conversations/{id}"))).await.unwrap().json().await.unwrap();
    v["participants"].as_u64().expect("participants")
}

async fn invitation_only(s: &TestServer, admin: &reqwest::Client, id: &str, on: bool) {
    let r = admin
        .patch(s.api(&format!("/admin/conversations/{id}")))
        .header("x-mufakat-csrf", "1")
        .json(&json!({ "invitation_only": on }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["invitation_only"], on);
}

#[tokio::test]
async fn a_code_joins_once_and_only_once() {
    for b in common::backends().await {
        let s = TestServer::start(&b.url, unlimited()).await;
        let admin = moderator(&s).await;
        conversation(&s, &admin, "c", SEEDS).await;
        invitation_only(&s, &admin, "c", true).await;
        let (status, body) = generate(&s, &admin, "c", 3).await;
        assert_eq!(status, 201, "{}: {body}", b.name);
        let first = &body["codes"][0];
        let code = first["code"].as_str().unwrap();
        assert_eq!(code.len(), 11, "{code}");
        assert!(first["link"].as_str().unwrap().ends_with(&format!("/c/c#code={code}")), "{first}");
        assert!(first["qr_svg"].as_str().unwrap().starts_with("<?xml"), "{first}");
        assert_eq!(body["counts"], json!({"unused": 3, "used": 0, "revoked": 0}));

        let (status, joined) = join_with(&s, "c", json!({ "code": code })).await;
        assert_eq!(status, 200, "{}: {joined}", b.name);
        let token = joined["token"].as_str().unwrap();
        // Another device with the same code (typed in lower case, with spaces): refused.
        let typed = code.to_lowercase().replace('-', " ");
        let (status, again) = join_with(&s, "c", json!({ "code": typed })).await;
        assert_eq!(status, 409, "{}: {again}", b.name);
        assert_eq!(again["error"]["code"], "code_used");
        assert_eq!(again["error"]["field"], "code");
        assert_eq!(participants(&s, "c").await, 1, "{}", b.name);
        // The device that joined resumes with its token.
        let (status, resumed) = join_with(&s, "c", json!({ "token": token })).await;
        assert_eq!((status.as_u16(), &resumed["participant"]), (200, &joined["participant"]), "{}", b.name);
        assert_eq!(counts(&s, &admin, "c").await, json!({"unused": 2, "used": 1, "revoked": 0}));
        s.stop().await;
    }
}

#[tokio::test]
async fn an_invitation_only_conversation_takes_nobody_without_a_code() {
    for b in common::backends().await {
        let s = TestServer::start(&b.url, unlimited()).await;
        let admin = moderator(&s).await;
        conversation(&s, &admin, "c", SEEDS).await;
        // Open: anyone joins.
        let (status, open) = join_with(&s, "c", json!({})).await;
        assert_eq!(status, 200, "{}", b.name);
        invitation_only(&s, &admin, "c", true).await;
        let view: Value = reqwest::get(s.api("/conversations/c")).await.unwrap().json().await.unwrap();
        assert_eq!(view["invitation_only"], true);
        for body in [json!({}), json!({"token": "not-a-token"})] {
            let (status, refused) = join_with(&s, "c", body).await;
            assert_eq!(status, 403, "{}: {refused}", b.name);
            assert_eq!(refused["error"]["code"], "code_required");
        }
        assert_eq!(participants(&s, "c").await, 1, "{}", b.name);
        // Who joined before keeps their place.
        let (status, _) = join_with(&s, "c", json!({"token": open["token"]})).await;
        assert_eq!(status, 200, "{}", b.name);
        s.stop().await;
    }
}

#[tokio::test]
async fn reused_revoked_malformed_and_foreign_codes_are_refused_and_change_nothing() {
    for b in common::backends().await {
        let s = TestServer::start(&b.url, unlimited()).await;
        let admin = moderator(&s).await;
        conversation(&s, &admin, "c", SEEDS).await;
        conversation(&s, &admin, "other", SEEDS).await;
        let mine = codes(&s, &admin, "c", 3).await;
        let foreign = codes(&s, &admin, "other", 1).await;
        let (status, _) = join_with(&s, "c", json!({"code": mine[0]})).await;
        assert_eq!(status, 200);
        let (status, after) = revoke(&s, &admin, "c", json!({"code": mine[1]})).await;
        assert_eq!(status, 200, "{}: {after}", b.name);
        assert_eq!(after, json!({"unused": 1, "used": 1, "revoked": 1}));
        let never = loop {
            let c = new_code(&mut rand::thread_rng());
            if !mine.iter().chain(&foreign).any(|m| normalize_code(m).as_deref() == Some(c.as_str())) {
                break c;
            }
        };
        let cases = [
            ("reused", json!({"code": mine[0]}), 409, "code_used"),
            ("revoked", json!({"code": mine[1]}), 403, "code_revoked"),
            ("another conversation's", json!({"code": foreign[0]}), 403, "code_unknown"),
            ("never issued", json!({"code": never}), 403, "code_unknown"),
            ("too short", json!({"code": "ABCDE"}), 400, "code_malformed"),
            ("ambiguous symbols", json!({"code": "OOOOO-11111"}), 400, "code_malformed"),
            ("empty", json!({"code": ""}), 400, "code_malformed"),
            ("long", json!({"code": "A".repeat(41)}), 400, "code_malformed"),
        ];
        for (what, body, status, code) in cases {
            let (got, err) = join_with(&s, "c", body).await;
            assert_eq!(got.as_u16(), status, "{} {what}: {err}", b.name);
            assert_eq!(err["error"]["code"], code, "{what}");
            assert!(!err["error"]["message"].as_str().unwrap().is_empty());
            assert_eq!(participants(&s, "c").await, 1, "{} {what}", b.name);
            assert_eq!(
                counts(&s, &admin, "c").await,
                json!({"unused": 1, "used": 1, "revoked": 1}),
                "{what}"
            );
        }
        // Revoking a used or unknown code is refused too; the other conversation is untouched.
        assert_eq!(revoke(&s, &admin, "c", json!({"code": mine[0]})).await.1["error"]["code"], "code_used");
        assert_eq!(
            revoke(&s, &admin, "c", json!({"code": foreign[0]})).await.1["error"]["code"],
            "code_unknown"
        );
        assert_eq!(revoke(&s, &admin, "c", json!({"code": "nope"})).await.0, 400);
        assert_eq!(counts(&s, &admin, "other").await, json!({"unused": 1, "used": 0, "revoked": 0}));
        // Revoke all: every unused code of this conversation, none of the used ones.
        let (status, all) = revoke(&s, &admin, "c", json!({})).await;
        assert_eq!(
            (status.as_u16(), all),
            (200, json!({"unused": 0, "used": 1, "revoked": 2})),
            "{}",
            b.name
        );
        assert_eq!(counts(&s, &admin, "other").await["unused"], 1);
        s.stop().await;
    }
}

#[tokio::test]
async fn code_batches_are_bounded() {
    for b in common::backends().await {
        let s = TestServer::start(&b.url, unlimited()).await;
        let admin = moderator(&s).await;
        conversation(&s, &admin, "c", SEEDS).await;
        for n in [0, 201] {
            let (status, body) = generate(&s, &admin, "c", n).await;
            assert_eq!(status, 400, "{} {n}: {body}", b.name);
            assert_eq!(body["error"]["field"], "count");
        }
        let all = codes(&s, &admin, "c", 200).await;
        let distinct: std::collections::HashSet<_> = all.iter().collect();
        assert_eq!(distinct.len(), 200);
        assert_eq!(generate(&s, &admin, "nope", 1).await.0, 404);
        s.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_made_at_the_same_time_all_succeed() {
    for b in common::backends().await {
        let s = TestServer::start(&b.url, unlimited()).await;
        let admin = moderator(&s).await;
        conversation(&s, &admin, "c", SEEDS).await;
        let (s, admin) = (Arc::new(s), Arc::new(admin));
        let tasks: Vec<_> = (0..16)
            .map(|_| {
                let (s, admin) = (s.clone(), admin.clone());
                tokio::spawn(async move { generate(&s, &admin, "c", 20).await.0.as_u16() })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap(), 201, "{}", b.name);
        }
        assert_eq!(counts(&s, &admin, "c").await["unused"], 320, "{}", b.name);
        if let Ok(s) = Arc::try_unwrap(s) {
            s.stop().await;
        }
    }
}

#[tokio::test]
async fn the_store_keeps_no_code_only_a_hash() {
    let b = common::backends().await.remove(0);
    let s = TestServer::start(&b.url, unlimited()).await;
    let admin = moderator(&s).await;
    conversation(&s, &admin, "c", SEEDS).await;
    let issued = codes(&s, &admin, "c", 20).await;
    let (status, _) = join_with(&s, "c", json!({"code": issued[0]})).await;
    assert_eq!(status, 200);
    s.stop().await;
    let path = b.url.strip_prefix("sqlite://").expect("sqlite first");
    let mut bytes = Vec::new();
    for suffix in ["", "-wal"] {
        if let Ok(b) = std::fs::read(format!("{path}{suffix}")) {
            bytes.extend(b);
        }
    }
    assert!(bytes.len() > 10_000, "read the store");
    let text = String::from_utf8_lossy(&bytes);
    for code in &issued {
        let plain = normalize_code(code).unwrap();
        assert!(!text.contains(&plain) && !text.contains(code.as_str()), "{code} is in the store file");
        assert!(text.contains(&code_hash("c", &plain)), "the hash of {code} is not");
    }
}

#[tokio::test]
async fn wrong_codes_from_one_address_are_rate_limited_but_good_ones_are_not() {
    let b = common::backends().await.remove(0);
    let limits = Limits { code_attempts_per_minute: 1.0, code_attempts_burst: 3.0, ..unlimited() };
    let s = TestServer::start(&b.url, limits).await;
    let admin = moderator(&s).await;
    conversation(&s, &admin, "c", SEEDS).await;
    let good = codes(&s, &admin, "c", 6).await;
    // Good codes give their attempt back: five joins in a row, more than the burst.
    for code in &good[..5] {
        assert_eq!(join_with(&s, "c", json!({ "code": code })).await.0, 200);
    }
    for _ in 0..3 {
        assert_eq!(join_with(&s, "c", json!({"code": "22222-22222"})).await.0, 403);
    }
    let r = reqwest::Client::new()
        .post(s.api("/conversations/c/participants"))
        .json(&json!({"code": good[5]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    let wait: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "rate_limited");
    // The refused attempt did not use the code.
    assert_eq!(counts(&s, &admin, "c").await["unused"], 1);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_acknowledged_as_used_stays_used_after_kill_9() {
    for b in common::backends().await {
        let plain: Vec<String> = (0..400).map(|_| new_code(&mut rand::thread_rng())).collect();
        {
            let store = Store::open(&b.url).await.expect("store");
            store.create_conversation(&Conversation::new("inv", "Invited")).await.expect("conversation");
            let hashes: Vec<String> = plain.iter().map(|c| code_hash("inv", c)).collect();
            assert!(store.add_codes("inv", &hashes).await.expect("codes").iter().all(|n| *n));
            store.close().await;
        }
        let flags =
            ["--rate-per-address", "0", "--rate-per-participant", "0", "--code-attempts-per-minute", "0"];
        let acked: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(Vec::new()));
        let mut next = 0;
        for cycle in 0..3 {
            let mut server = Process::start(&b.url, &flags, &[]);
            let base = server.base.clone();
            let batch: Vec<String> = plain[next..next + 120].to_vec();
            next += 120;
            let workers: Vec<_> = batch
                .chunks(15)
                .map(|chunk| {
                    let (base, chunk, acked) = (base.clone(), chunk.to_vec(), acked.clone());
                    tokio::spawn(async move {
                        let c = reqwest::Client::new();
                        for code in chunk {
                            let url = format!("{base}/api/v1/conversations/inv/participants");
                            match c.post(url).json(&json!({ "code": code })).send().await {
                                Ok(r) if r.status() == 200 => acked.lock().unwrap().push(code),
                                _ => return,
                            }
                        }
                    })
                })
                .collect();
            let before = acked.lock().unwrap().len();
            for _ in 0..100 {
                if acked.lock().unwrap().len() > before + 10 {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            server.kill9();
            for w in workers {
                w.abort();
                let _ = w.await;
            }
            common::say(&format!(
                "{}: cycle {cycle}: {} codes acknowledged",
                b.name,
                acked.lock().unwrap().len()
            ));
        }
        let acked = acked.lock().unwrap().clone();
        assert!(acked.len() > 20, "{}: too few joins to mean anything ({})", b.name, acked.len());
        let server = Process::start(&b.url, &flags, &[]);
        let c = reqwest::Client::new();
        for code in &acked {
            let r = c
                .post(format!("{}/api/v1/conversations/inv/participants", server.base))
                .json(&json!({ "code": code }))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 409, "{}: an acknowledged code is usable again after kill -9", b.name);
        }
        drop(server);
        let store = Store::open(&b.url).await.expect("the store opens after kill -9");
        let used = store.code_counts("inv").await.unwrap().used as usize;
        assert!(used >= acked.len(), "{}: {used} used < {} acknowledged", b.name, acked.len());
        assert_eq!(store.participant_count("inv").await.unwrap() as usize, used, "{}", b.name);
        store.close().await;
    }
}

#[tokio::test]
async fn openapi_states_the_code_bounds_the_server_enforces() {
    use mufakat_core::api::codes::{MAX_CODES_PER_REQUEST, MAX_CODE_INPUT_BYTES};
    let b = common::backends().await.remove(0);
    let s = TestServer::start(&b.url, unlimited()).await;
    let doc: Value = reqwest::get(s.api("/openapi.json")).await.unwrap().json().await.unwrap();
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["GenerateCodes"]["properties"]["count"]["maximum"].as_u64(),
        Some(MAX_CODES_PER_REQUEST as u64)
    );
    assert_eq!(schemas["GenerateCodes"]["properties"]["count"]["minimum"].as_u64(), Some(1));
    for schema in ["JoinRequest", "RevokeCodes"] {
        let at = &schemas[schema]["properties"]["code"]["maxLength"];
        assert_eq!(at.as_u64(), Some(MAX_CODE_INPUT_BYTES as u64), "{schema}");
    }
    for (path, method) in [
        ("/api/v1/admin/conversations/{id}/codes", "get"),
        ("/api/v1/admin/conversations/{id}/codes", "post"),
        ("/api/v1/admin/conversations/{id}/codes/revoke", "post"),
    ] {
        assert!(doc["paths"][path][method].is_object(), "{method} {path} is documented");
    }
    let join = &doc["paths"]["/api/v1/conversations/{id}/participants"]["post"]["responses"];
    assert!(join["409"]["description"].as_str().unwrap_or_default().contains("code_used"), "{join}");
    s.stop().await;
}
