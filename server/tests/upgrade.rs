//! Upgrades: a store written by an older release (`tests/fixtures/store-<commit>.sqlite`,
//! made by `scripts/make-upgrade-fixture.py` with that release's binary through its HTTP API)
//! opened by today's server. Its migrations run at start; nothing may be lost: votes and
//! their history, participants and their tokens, the xid participant, statements and their
//! moderation, answers, settings, the moderator's password.

mod common;

use std::collections::BTreeMap;

use common::Process;
use mufakat_server::store::Store;
use serde_json::{json, Value};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

fn fixtures() -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(FIXTURES).expect("tests/fixtures").flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "json") && path.to_string_lossy().contains("store-") {
            let manifest: Value =
                serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
            out.push((path.with_extension("sqlite").to_string_lossy().into_owned(), manifest));
        }
    }
    assert!(!out.is_empty(), "no store fixture in {FIXTURES}");
    out
}

#[tokio::test]
async fn a_store_written_by_an_older_release_opens_with_nothing_lost() {
    for (file, m) in fixtures() {
        let commit = m["commit"].as_str().expect("commit");
        let conv = m["conversation"].as_str().expect("conversation");
        let dir = tempfile::tempdir().expect("temp dir");
        let copy = dir.path().join("store.sqlite");
        std::fs::copy(&file, &copy).expect("copy the fixture");
        let url = format!("sqlite://{}", copy.display());
        let server = Process::start(&url, &["--rate-per-address", "0", "--rate-per-participant", "0"], &[]);
        let c = reqwest::Client::new();

        // The vote log is numbered from the history the old release kept.
        let log: Value = c
            .get(server.api(&format!("/conversations/{conv}/log")))
            .send()
            .await
            .expect("log")
            .json()
            .await
            .expect("json");
        assert_eq!(log["next_seq"], m["history"], "{commit}: the vote log of the old history");

        // Every participant's token still works, and their current votes are theirs.
        for p in m["participants"].as_array().expect("participants") {
            let (token, id) = (p["token"].as_str().expect("token"), p["participant"].as_u64().expect("id"));
            let joined: Value = c
                .post(server.api(&format!("/conversations/{conv}/participants")))
                .json(&json!({ "token": token }))
                .send()
                .await
                .expect("join")
                .json()
                .await
                .expect("json");
            assert_eq!(
                joined["participant"].as_u64(),
                Some(id),
                "{commit}: token of participant {id}: {joined}"
            );
        }
        // A new vote by an old participant is taken and numbered after the old history.
        let first = m["participants"][0]["token"].as_str().expect("token");
        let added = m["statements"]["accepted_by_participant"].as_u64().expect("id");
        let r = c
            .post(server.api(&format!("/conversations/{conv}/votes")))
            .header("x-participant-token", first)
            .json(&json!({"statement": added, "vote": "agree"}))
            .send()
            .await
            .expect("vote");
        assert_eq!(r.status(), 200, "{commit}: a vote after the upgrade");

        // The moderator's password, the settings and the moderation survive.
        let admin = reqwest::Client::builder().cookie_store(true).build().expect("client");
        let login = admin
            .post(server.api("/admin/login"))
            .header("x-mufakat-csrf", "1")
            .json(&json!({"username": "admin", "password": m["admin_password"]}))
            .send()
            .await
            .expect("login");
        assert_eq!(login.status(), 200, "{commit}: the old moderator password");
        let show: Value = admin
            .get(server.api(&format!("/admin/conversations/{conv}")))
            .send()
            .await
            .expect("show")
            .json()
            .await
            .expect("json");
        assert_eq!(show["strict_moderation"], true, "{show}");
        assert_eq!(show["closed"], false, "{show}");
        assert_eq!(show["questions"][0]["key"], "rw", "{show}");
        let statements: Value = admin
            .get(server.api(&format!("/admin/conversations/{conv}/statements")))
            .send()
            .await
            .expect("statements")
            .json()
            .await
            .expect("json");
        let rejected = m["statements"]["rejected"].as_u64().expect("id");
        let row = statements
            .as_array()
            .expect("list")
            .iter()
            .find(|s| s["id"].as_u64() == Some(rejected))
            .expect("the rejected statement");
        assert_eq!(
            (row["moderation"].as_str(), row["reason"].as_str()),
            (Some("rejected"), Some("off topic")),
            "{row}"
        );
        drop(server);

        // In the store: every current vote, plus the one made now; the answers.
        let store = Store::open(&url).await.expect("open");
        let v = store.votes(conv).await.expect("votes");
        let now: BTreeMap<String, i64> = v
            .participants
            .iter()
            .zip(&v.statements)
            .zip(&v.values)
            .map(|((p, s), v)| (format!("{p}:{s}"), i64::from(*v)))
            .collect();
        let mut expected: BTreeMap<String, i64> = m["votes"]
            .as_object()
            .expect("votes")
            .iter()
            .map(|(k, v)| (k.clone(), v.as_i64().expect("value")))
            .collect();
        expected.insert(format!("{}:{added}", m["participants"][0]["participant"]), 1);
        assert_eq!(now, expected, "{commit}: current votes after the upgrade");
        let answers = store.answers(conv).await.expect("answers");
        for (p, a) in m["answers"].as_object().expect("answers") {
            for (k, v) in a.as_object().expect("answer") {
                assert!(
                    answers.iter().any(|(ap, ak, av)| ap.to_string() == *p
                        && ak == k
                        && Some(av.as_str()) == v.as_str()),
                    "{commit}: answer {p} {k}={v} lost: {answers:?}"
                );
            }
        }
        assert!(!store.xid_secret(conv).await.expect("xid secret").is_empty());
        store.close().await;
        common::say(&format!(
            "store of {commit}: {} votes, {} participants, all there after the upgrade",
            expected.len(),
            m["participants"].as_array().map_or(0, Vec::len)
        ));
    }
}
