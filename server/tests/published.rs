//! The published analysis on every backend: the bytes the server publishes at `seq` are a
//! cold core run on the log's first `seq` entries (any reader can check them), cacheable for
//! ever with a strong ETag, and a seq not published is a 404.

mod common;

use std::io::Read;
use std::time::{Duration, Instant};

use common::{conversation, join, moderator, unlimited, TestServer};
use mufakat_core::api::{AnalysisHead, VoteLogHead};
use mufakat_core::model::Moderation;
use mufakat_core::published::{self, Verdict};
use mufakat_core::votelog::{decode, LogReplica};
use mufakat_core::{analyse, AnalysisInput, VoteRecord};
use mufakat_server::app::Limits;
use serde_json::{json, Value};

const SEEDS: &[&str] = &[
    "Parks should stay open at night",
    "The market needs more shade",
    "Buses every ten minutes",
    "Bike lanes on the main road",
    "A library in every district",
    "Free water fountains in the square",
    "Fewer parking spaces downtown",
    "Street lights powered by the sun",
];

fn limits() -> Limits {
    Limits { analysis_every: Duration::from_millis(100), ..unlimited() }
}

async fn get_raw(url: &str, headers: &[(&str, &str)]) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let mut req = reqwest::Client::new().get(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let r = req.send().await.expect("get");
    let status = r.status().as_u16();
    let h = r.headers().clone();
    (status, h, r.bytes().await.expect("body").to_vec())
}

async fn head(s: &TestServer, id: &str) -> AnalysisHead {
    reqwest::get(s.api(&format!("/conversations/{id}/analysis")))
        .await
        .expect("head")
        .json()
        .await
        .expect("body")
}

/// Waits until the published analysis covers the whole log.
async fn published_at_end(s: &TestServer, id: &str) -> AnalysisHead {
    let until = Instant::now() + Duration::from_secs(20);
    loop {
        let h = head(s, id).await;
        if h.published == Some(h.log_len) {
            return h;
        }
        assert!(Instant::now() < until, "nothing published at the log's end: {h:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn whole_log(s: &TestServer, id: &str) -> Vec<VoteRecord> {
    let head: VoteLogHead = reqwest::get(s.api(&format!("/conversations/{id}/log")))
        .await
        .expect("head")
        .json()
        .await
        .expect("body");
    let mut replica = LogReplica::default();
    while replica.len() < head.next_seq {
        let req = replica.next_request();
        let q = req.since.map(|x| format!("?since={x}")).unwrap_or_default();
        let (status, _, body) =
            get_raw(&s.api(&format!("/conversations/{id}/log/{}{q}", req.segment)), &[]).await;
        assert_eq!(status, 200);
        replica.append(decode(&body).expect("a chunk")).expect("continues");
    }
    replica.entries
}

/// Participants in two camps vote on every statement; statement 2 is then rejected.
async fn two_camps(s: &TestServer, id: &str) {
    let admin = moderator(s).await;
    conversation(s, &admin, id, SEEDS).await;
    let http = reqwest::Client::new();
    for p in 0..14u32 {
        let token = join(s, id).await;
        for st in 0..SEEDS.len() as u32 {
            let vote = match (p + st) % 5 {
                0 => "pass",
                _ if (p % 2 == 0) == (st % 2 == 0) => "agree",
                _ => "disagree",
            };
            let r = http
                .post(s.api(&format!("/conversations/{id}/votes")))
                .header("x-participant-token", &token)
                .json(&json!({"statement": st, "vote": vote}))
                .send()
                .await
                .expect("vote");
            assert_eq!(r.status(), 200);
        }
    }
    let r = admin
        .post(s.api(&format!("/admin/conversations/{id}/moderation")))
        .header("x-mufakat-csrf", "1")
        .json(&json!({"statements": [2], "decision": "reject"}))
        .send()
        .await
        .expect("moderate");
    assert_eq!(r.status(), 200);
    // One more vote after the moderation, so the next publication sees it.
    let token = join(s, id).await;
    let r = http
        .post(s.api(&format!("/conversations/{id}/votes")))
        .header("x-participant-token", &token)
        .json(&json!({"statement": 0, "vote": "agree"}))
        .send()
        .await
        .expect("vote");
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn the_published_bytes_are_a_cold_core_run_on_the_log_prefix() {
    for b in common::backends().await {
        let s = TestServer::start(&b.url, limits()).await;
        two_camps(&s, "c").await;
        let h = published_at_end(&s, "c").await;
        let seq = h.published.expect("published");
        let (status, headers, bytes) =
            get_raw(&s.api(&format!("/conversations/c/analysis/{seq}")), &[]).await;
        assert_eq!(status, 200, "{}: {}", b.name, String::from_utf8_lossy(&bytes));
        assert_eq!(headers["content-type"], "application/json");

        // What the server analysed: every statement, the rejected one marked so.
        let doc = published::read(&bytes).expect("a published analysis");
        assert_eq!(doc.seq, seq);
        assert_eq!(doc.statements, h.statements, "{}: the head names the same input statements", b.name);
        assert_eq!(doc.statements.len(), SEEDS.len());
        assert_eq!(doc.statements[2].moderation, Moderation::Rejected, "{}", b.name);
        assert!(doc.statements.iter().all(|m| m.author.is_none()));

        // A reader's own cold run on the log's first `seq` entries: the same bytes.
        let log = whole_log(&s, "c").await;
        let (_, mine) = published::run(&log[..seq as usize], &doc.statements).expect("analyses");
        assert!(mine == bytes, "{}: the published bytes are not a cold run of the log prefix", b.name);
        assert_eq!(
            published::verify(&bytes, &log),
            Ok(Verdict::Matches { seq, bytes: bytes.len() as u64 }),
            "{}",
            b.name
        );
        // The comparison can fail: another seed, or the rejection ignored, give other bytes.
        let input = AnalysisInput { votes: &log[..seq as usize], statements: &doc.statements };
        let seeded = analyse(&input, &published::params().seed(7), None).expect("analyses");
        assert_ne!(published::document(seq, &doc.statements, &seeded), bytes, "{}: seed 7", b.name);
        let mut unmoderated = doc.statements.clone();
        unmoderated[2].moderation = Moderation::Accepted;
        let (_, other) = published::run(&log[..seq as usize], &unmoderated).expect("analyses");
        assert_ne!(other, bytes, "{}: the rejection is part of the input", b.name);
        s.stop().await;
    }
}

#[tokio::test]
async fn a_published_analysis_is_immutable_with_a_strong_etag_and_unknown_seqs_are_404() {
    for b in common::backends().await {
        let s = TestServer::start(&b.url, limits()).await;
        let admin = moderator(&s).await;
        conversation(&s, &admin, "c", SEEDS).await;
        // Nothing to analyse yet: nothing published, and no document at 0.
        let h = head(&s, "c").await;
        assert_eq!((h.published, h.log_len), (None, 0), "{}", b.name);
        let (status, _, _) = get_raw(&s.api("/conversations/c/analysis/0"), &[]).await;
        assert_eq!(status, 404, "{}", b.name);

        let token = join(&s, "c").await;
        for st in 0..3u32 {
            let r = reqwest::Client::new()
                .post(s.api("/conversations/c/votes"))
                .header("x-participant-token", &token)
                .json(&json!({"statement": st, "vote": "agree"}))
                .send()
                .await
                .expect("vote");
            assert_eq!(r.status(), 200);
        }
        let seq = published_at_end(&s, "c").await.published.expect("published");
        assert_eq!(seq, 3);
        let url = s.api(&format!("/conversations/c/analysis/{seq}"));
        let (status, h, plain) = get_raw(&url, &[]).await;
        assert_eq!(status, 200);
        assert_eq!(h["cache-control"], "public, max-age=31536000, immutable", "{}", b.name);
        let etag = h["etag"].to_str().expect("etag").to_string();
        assert!(etag.starts_with('"') && !etag.starts_with("W/"), "a strong ETag: {etag}");
        let (status, _, body) = get_raw(&url, &[("if-none-match", &etag)]).await;
        assert_eq!((status, body.len()), (304, 0), "{}", b.name);
        // Gzipped: its own ETag, the same bytes inside, and the same bytes on every request.
        let (status, gh, gz) = get_raw(&url, &[("accept-encoding", "gzip")]).await;
        assert_eq!(
            (status, &gh["content-encoding"]),
            (200, &"gzip".parse::<reqwest::header::HeaderValue>().unwrap())
        );
        assert_ne!(gh["etag"], h["etag"]);
        let mut unzipped = Vec::new();
        flate2::read::GzDecoder::new(&gz[..]).read_to_end(&mut unzipped).expect("gzip");
        assert_eq!(unzipped, plain);
        assert_eq!(get_raw(&url, &[]).await.2, plain, "{}: the same bytes again", b.name);

        for (path, status, field) in [
            ("/conversations/c/analysis/2", 404, ""),
            ("/conversations/c/analysis/4", 404, ""),
            ("/conversations/c/analysis/x", 400, "seq"),
            ("/conversations/c/analysis/-1", 400, "seq"),
            ("/conversations/nope/analysis/3", 404, ""),
            ("/conversations/nope/analysis", 404, ""),
        ] {
            let (got, _, body) = get_raw(&s.api(path), &[]).await;
            assert_eq!(got, status, "{}: {path}", b.name);
            let body: Value = serde_json::from_slice(&body).expect("a JSON error");
            if !field.is_empty() {
                assert_eq!(body["error"]["field"], field, "{path}");
            }
        }
        s.stop().await;
    }
}
