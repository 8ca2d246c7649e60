//! Durability: `kill -9` the server ten times while participants vote, restart it each
//! time, and check that every vote the server acknowledged is in the store (none lost) and
//! that the store opens cleanly, with its metrics scraped throughout. Runs on SQLite, and on
//! PostgreSQL when available.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{vote_in_order as participant, Acked, Process};
use mufakat_server::store::Store;
use rand::Rng;

const CYCLES: usize = 10;
const WORKERS: usize = 16;
const FLAGS: &[&str] = &["--rate-per-address", "0", "--rate-per-participant", "0"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_vote_survives_kill_9() {
    for b in common::backends().await {
        let acked: Acked = Arc::new(Mutex::new(Vec::new()));
        let mut total_before_kill = Vec::new();
        for cycle in 0..CYCLES {
            // Metrics are scraped all along: a scrape must not cost an acknowledged vote.
            let metrics = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
            let mut server =
                Process::start(&b.url, &[FLAGS, &["--metrics-addr", &metrics.to_string()]].concat(), &[]);
            let mut workers: Vec<_> = (0..WORKERS)
                .map(|_| tokio::spawn(participant(server.base.clone(), 37, acked.clone())))
                .collect();
            workers.push(tokio::spawn(async move {
                while reqwest::get(format!("http://{metrics}/metrics")).await.is_ok() {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }));
            // Kill in the middle of the load: once votes flow, after a random moment.
            let before = acked.lock().unwrap().len();
            for _ in 0..100 {
                if acked.lock().unwrap().len() > before + 20 {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(30)).await;
            }
            let run_ms = rand::thread_rng().gen_range(20..300);
            tokio::time::sleep(Duration::from_millis(run_ms)).await;
            server.kill9();
            for w in workers {
                w.abort();
                let _ = w.await;
            }
            total_before_kill.push(acked.lock().unwrap().len());
            common::say(&format!(
                "{}: cycle {cycle}: {} votes acknowledged so far",
                b.name,
                acked.lock().unwrap().len()
            ));
        }
        // The store opens cleanly after the last kill, and the server starts on it.
        drop(Process::start(&b.url, FLAGS, &[]));
        let store = Store::open(&b.url).await.expect("the store opens after kill -9");
        let stored = store.votes("demo").await.expect("read votes");
        let current: HashMap<(u32, u32), i8> = stored
            .participants
            .iter()
            .zip(&stored.statements)
            .zip(&stored.values)
            .map(|((p, s), v)| ((*p, *s), *v))
            .collect();
        let acked = acked.lock().unwrap().clone();
        let lost: Vec<_> = acked.iter().filter(|(p, s, v)| current.get(&(*p, *s)) != Some(v)).collect();
        assert!(acked.len() > 100, "{}: too few votes to mean anything ({})", b.name, acked.len());
        assert!(
            lost.is_empty(),
            "{}: {} of {} acknowledged votes lost, e.g. {:?}",
            b.name,
            lost.len(),
            acked.len(),
            &lost[..lost.len().min(5)]
        );
        common::say(&format!(
            "{}: {} acknowledged votes over {CYCLES} kill -9 cycles, 0 lost",
            b.name,
            acked.len()
        ));
        store.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_requests_in_flight_and_exits_cleanly() {
    let b = common::backends().await.remove(0);
    let acked: Acked = Arc::new(Mutex::new(Vec::new()));
    let mut server = Process::start(&b.url, FLAGS, &[]);
    let workers: Vec<_> =
        (0..WORKERS).map(|_| tokio::spawn(participant(server.base.clone(), 37, acked.clone()))).collect();
    for _ in 0..100 {
        if acked.lock().unwrap().len() > 50 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    let before_term = acked.lock().unwrap().len();
    assert!(before_term > 0, "{}: no vote was acknowledged before SIGTERM, so nothing was checked", b.name);
    let pid = server.child.id().to_string();
    let status = std::process::Command::new("kill").args(["-TERM", &pid]).status().expect("kill -TERM");
    assert!(status.success());
    let exit = tokio::task::spawn_blocking(move || {
        let code = server.child.wait().expect("wait");
        (server, code)
    });
    let (_server, code) =
        tokio::time::timeout(Duration::from_secs(20), exit).await.expect("exits in time").unwrap();
    assert!(code.success(), "exit status {code:?}");
    for w in workers {
        w.abort();
        let _ = w.await;
    }
    let store = Store::open(&b.url).await.expect("open");
    let stored = store.votes("demo").await.expect("votes");
    let current: std::collections::HashSet<(u32, u32, i8)> = stored
        .participants
        .iter()
        .zip(&stored.statements)
        .zip(&stored.values)
        .map(|((p, s), v)| (*p, *s, *v))
        .collect();
    let acked = acked.lock().unwrap().clone();
    assert!(acked.iter().all(|v| current.contains(v)), "an acknowledged vote is missing after SIGTERM");
    common::say(&format!("{}: {} votes acknowledged around SIGTERM, all stored", b.name, acked.len()));
    store.close().await;
}
