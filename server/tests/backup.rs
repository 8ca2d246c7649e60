//! Backup and restore (`mufakat backup` / `mufakat restore`), run as an operator would:
//! the drill (serve, vote continuously, back up mid-stream, restore into a new store, serve
//! it) on SQLite and on PostgreSQL when available, and the refusals and failures.

mod common;

use std::path::Path;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{vote_in_order, Acked, Process};
use mufakat_server::store::Store;
use serde_json::{json, Value};

const FLAGS: &[&str] = &["--rate-per-address", "0", "--rate-per-participant", "0"];
const WORKERS: usize = 8;

fn mufakat(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mufakat"))
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run mufakat")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// Every (participant, statement) -> value of the demo conversation in the store at `url`.
async fn stored_votes(url: &str) -> std::collections::HashMap<(u32, u32), i8> {
    let store = Store::open(url).await.expect("open");
    let v = store.votes("demo").await.expect("votes");
    store.close().await;
    v.participants.iter().zip(&v.statements).zip(&v.values).map(|((p, s), v)| ((*p, *s), *v)).collect()
}

/// Joins the demo and casts one vote; gives the token.
async fn join_and_vote(base: &str) -> (String, u64) {
    let c = reqwest::Client::new();
    let joined: Value = c
        .post(format!("{base}/api/v1/conversations/demo/participants"))
        .json(&json!({}))
        .send()
        .await
        .expect("join")
        .json()
        .await
        .expect("json");
    let token = joined["token"].as_str().expect("token").to_string();
    let r = c
        .post(format!("{base}/api/v1/conversations/demo/votes"))
        .header("x-participant-token", &token)
        .json(&json!({"statement": 0, "vote": "agree"}))
        .send()
        .await
        .expect("vote");
    assert_eq!(r.status(), 200);
    (token, joined["participant"].as_u64().expect("participant"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_votes_arrive_restores_every_vote_acknowledged_before_it() {
    for b in common::backends().await {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("mufakat.backup");
        let server = Process::start(&b.url, FLAGS, &[]);
        let (token, me) = join_and_vote(&server.base).await;
        let acked: Acked = Arc::new(Mutex::new(Vec::new()));
        let workers: Vec<_> = (0..WORKERS)
            .map(|_| tokio::spawn(vote_in_order(server.base.clone(), 37, acked.clone())))
            .collect();
        while acked.lock().unwrap().len() < 40 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // Everything acknowledged by now must be in the backup; votes keep coming meanwhile.
        let before: Vec<_> = acked.lock().unwrap().clone();
        let out = {
            let (url, file) = (b.url.clone(), file.clone());
            tokio::task::spawn_blocking(move || {
                mufakat(&["backup", "--database-url", &url, "--out", file.to_str().expect("utf-8")])
            })
            .await
            .expect("backup task")
        };
        assert!(out.status.success(), "{}: backup failed: {}", b.name, text(&out));
        assert!(text(&out).contains("backup written"), "{}", text(&out));
        let during = acked.lock().unwrap().len();
        for w in workers {
            w.abort();
            let _ = w.await;
        }
        drop(server);

        let target = match b.name {
            "sqlite" => format!("sqlite://{}", dir.path().join("restored.sqlite").display()),
            _ => common::fresh_pg_database(&common::postgres_url("restore").expect("postgres")).await,
        };
        let out = mufakat(&["restore", file.to_str().expect("utf-8"), "--database-url", &target]);
        assert!(out.status.success(), "{}: restore failed: {}", b.name, text(&out));

        let restored = stored_votes(&target).await;
        let missing: Vec<_> = before.iter().filter(|(p, s, v)| restored.get(&(*p, *s)) != Some(v)).collect();
        assert!(
            missing.is_empty(),
            "{}: {} of {} acknowledged votes missing, e.g. {:?}",
            b.name,
            missing.len(),
            before.len(),
            &missing[..missing.len().min(5)]
        );
        assert_eq!(restored.get(&(me as u32, 0)), Some(&1), "{}: the first participant's vote", b.name);

        // A server starts on the restored store and the participant's token still works.
        let server = Process::start(&target, FLAGS, &[]);
        let r = reqwest::Client::new()
            .post(format!("{}/api/v1/conversations/demo/votes", server.base))
            .header("x-participant-token", &token)
            .json(&json!({"statement": 1, "vote": "disagree"}))
            .send()
            .await
            .expect("vote after restore");
        assert_eq!(r.status(), 200, "{}: the token from before the backup is refused", b.name);
        drop(server);
        common::say(&format!(
            "{}: {} votes acknowledged before the backup all restored ({during} by its end, {} in the backup)",
            b.name,
            before.len(),
            restored.len()
        ));
    }
}

#[tokio::test]
async fn a_restore_over_a_store_with_conversations_is_refused_unless_forced() {
    let dir = tempfile::tempdir().expect("temp dir");
    let a = format!("sqlite://{}", dir.path().join("a.sqlite").display());
    let b = format!("sqlite://{}", dir.path().join("b.sqlite").display());
    let file = dir.path().join("a.backup");
    // Two stores with the demo; `b` has one more vote.
    drop(Process::start(&a, FLAGS, &[]));
    let server = Process::start(&b, FLAGS, &[]);
    join_and_vote(&server.base).await;
    drop(server);
    let before = stored_votes(&b).await;
    assert!(mufakat(&["backup", "--database-url", &a, "--out", file.to_str().expect("utf-8")])
        .status
        .success());

    let out = mufakat(&["restore", file.to_str().expect("utf-8"), "--database-url", &b]);
    assert!(!out.status.success());
    assert!(text(&out).contains("already holds conversations"), "{}", text(&out));
    assert!(text(&out).contains("--force"), "{}", text(&out));
    assert_eq!(stored_votes(&b).await, before, "a refused restore changed the store");

    let out = mufakat(&["restore", file.to_str().expect("utf-8"), "--database-url", &b, "--force"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(stored_votes(&b).await, stored_votes(&a).await);
}

#[tokio::test]
async fn a_backup_that_cannot_be_written_says_why_leaves_no_file_and_the_server_serves_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("m.sqlite").display());
    let server = Process::start(&url, FLAGS, &[]);
    // A folder that is a file: not writable, even as root.
    let blocker = dir.path().join("not-a-folder");
    std::fs::write(&blocker, "x").expect("write");
    let out = mufakat(&[
        "backup",
        "--database-url",
        &url,
        "--out",
        blocker.join("b.backup").to_str().expect("utf-8"),
    ]);
    assert!(!out.status.success());
    assert!(text(&out).contains("cannot write the backup to"), "{}", text(&out));

    // An existing file is never overwritten.
    let out = mufakat(&["backup", "--database-url", &url, "--out", blocker.to_str().expect("utf-8")]);
    assert!(!out.status.success());
    assert!(text(&out).contains("already exists"), "{}", text(&out));
    assert_eq!(std::fs::read_to_string(&blocker).expect("read"), "x");

    // A full disk: a small tmpfs, where the system allows mounting one.
    let small = dir.path().join("small");
    std::fs::create_dir(&small).expect("mkdir");
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=16k", "tmpfs"])
        .arg(&small)
        .output()
        .is_ok_and(|o| o.status.success());
    if mounted {
        let out = mufakat(&[
            "backup",
            "--database-url",
            &url,
            "--out",
            small.join("b.backup").to_str().expect("utf-8"),
        ]);
        let listed: Vec<_> =
            std::fs::read_dir(&small).expect("list").flatten().map(|e| e.file_name()).collect();
        let _ = Command::new("umount").arg(&small).status();
        assert!(!out.status.success(), "a backup to a full disk succeeded");
        assert!(text(&out).contains("cannot write the backup to"), "{}", text(&out));
        assert!(listed.is_empty(), "a failed backup left {listed:?}");
    } else {
        common::say("SKIPPED the full-disk case: mounting a small tmpfs is not allowed here");
    }

    let r = reqwest::get(format!("{}/healthz", server.base)).await.expect("healthz");
    assert_eq!(r.status(), 200);
    join_and_vote(&server.base).await;
}

#[tokio::test]
async fn a_file_that_is_not_a_backup_is_refused_by_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("m.sqlite").display());
    let junk = dir.path().join("notes.txt");
    std::fs::write(&junk, "not a database").expect("write");
    let out = mufakat(&["restore", junk.to_str().expect("utf-8"), "--database-url", &url]);
    assert!(!out.status.success());
    assert!(text(&out).contains("notes.txt is not a mufakat backup"), "{}", text(&out));
    assert!(!Path::new(&dir.path().join("m.sqlite")).exists(), "a refused restore created the store");
}
