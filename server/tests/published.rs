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
        assert!(!h.started, "{}: a conversation made here starts cold", b.name);
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

/// A made-up Pol.is folder: 0–3 agree with statements 0–3, 4–7 disagree; with
/// `centres`, a math-pca2.json whose base clusters are {0, 1, 2} and {3, …, 7} (Pol.is's
/// history left 3 with those who disagree; a cold run puts 3 with those who agree).
fn polis_folder(dir: &std::path::Path, centres: Option<[[f64; 2]; 2]>) {
    let mut votes = String::from("timestamp,datetime,comment-id,voter-id,vote\n");
    for p in 0..8 {
        for s in 0..4 {
            votes.push_str(&format!("{},,{s},{p},{}\n", 10 * p + s, if p < 4 { 1 } else { -1 }));
        }
    }
    std::fs::write(dir.join("votes.csv"), votes).expect("write");
    std::fs::write(
        dir.join("comments.csv"),
        "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n\
         1,,0,0,4,4,1,a\n1,,1,0,4,4,1,b\n1,,2,0,4,4,1,c\n1,,3,0,4,4,1,d\n",
    )
    .expect("write");
    let Some(c) = centres else { return };
    let math = json!({
        "tids": [0, 1, 2, 3],
        "in-conv": [0, 1, 2, 3, 4, 5, 6, 7],
        "pca": {"center": [0.0, 0.0, 0.0, 0.0], "comps": [[0.5, 0.5, 0.5, 0.5], [0.5, -0.5, 0.5, -0.5]]},
        "base-clusters": {"id": [7, 12], "members": [[0, 1, 2], [3, 4, 5, 6, 7]],
            "x": [c[0][0], c[1][0]], "y": [c[0][1], c[1][1]], "count": [3, 5]},
        "group-clusters": [{"id": 0, "members": [7], "center": c[0]},
                           {"id": 1, "members": [12], "center": c[1]}],
        "user-vote-counts": {"0": 4, "1": 4, "2": 4, "3": 4, "4": 4, "5": 4, "6": 4, "7": 4}
    });
    std::fs::write(dir.join("math-pca2.json"), math.to_string()).expect("write");
}

/// `mufakat import` of a folder with Pol.is's math keeps its warm start: after new votes
/// through the API, the published analysis still has Pol.is's groups (participant 3 with
/// those who disagree, where a cold run puts it), carries the start, and a reader's
/// replay from the document gives the same bytes.
#[tokio::test(flavor = "multi_thread")]
async fn an_import_with_polis_math_publishes_polis_groups_after_new_votes_and_verifies() {
    let folder = tempfile::tempdir().expect("tempdir");
    polis_folder(folder.path(), None);
    let read = |dir: &std::path::Path| {
        mufakat_core::polis_csv::PolisExport::from_files(|n| std::fs::read_to_string(dir.join(n)).ok())
            .expect("reads")
    };
    let cold = read(folder.path()).analyse(&published::params()).expect("cold");
    let pos = |p: u32| cold.participants.iter().find(|x| x.id == p).expect("placed").position;
    let centre = |ps: &[u32]| {
        let n = ps.len() as f64;
        let s = ps.iter().fold([0.0, 0.0], |a, &p| [a[0] + pos(p)[0], a[1] + pos(p)[1]]);
        [s[0] / n, s[1] / n]
    };
    polis_folder(folder.path(), Some([centre(&[0, 1, 2]), centre(&[3, 4, 5, 6, 7])]));
    let export = read(folder.path());
    let math = export.math.as_ref().expect("math read");
    for b in common::backends().await {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_mufakat"))
            .arg("import")
            .arg(folder.path())
            .args(["--id", "p", "--database-url", &b.url])
            .output()
            .expect("runs");
        assert!(o.status.success(), "{}: {}", b.name, String::from_utf8_lossy(&o.stderr));
        let s = TestServer::start(&b.url, limits()).await;
        let admin = moderator(&s).await;
        let r = admin
            .post(s.api("/admin/conversations/p/reopen"))
            .header("x-mufakat-csrf", "1")
            .send()
            .await
            .expect("reopen");
        assert_eq!(r.status(), 200, "{}", b.name);
        // Four new participants, two in each camp.
        for p in 0..4u32 {
            let token = join(&s, "p").await;
            for st in 0..4u32 {
                let vote = if p % 2 == 0 { "agree" } else { "disagree" };
                let r = reqwest::Client::new()
                    .post(s.api("/conversations/p/votes"))
                    .header("x-participant-token", &token)
                    .json(&json!({"statement": st, "vote": vote}))
                    .send()
                    .await
                    .expect("vote");
                assert_eq!(r.status(), 200, "{}", b.name);
            }
        }
        let h = published_at_end(&s, "p").await;
        assert!(h.started, "{}: the head says the analysis starts from the import", b.name);
        let seq = h.published.expect("published");
        assert_eq!(seq, 32 + 16, "{}", b.name);
        let (status, _, bytes) = get_raw(&s.api(&format!("/conversations/p/analysis/{seq}")), &[]).await;
        assert_eq!(status, 200, "{}", b.name);
        let doc = published::read(&bytes).expect("a published analysis");
        let started = math.compare(&doc.analysis).groups_adjusted_rand_index;
        assert!(started >= 0.95, "{}: ARI with Pol.is's groups {started}", b.name);
        assert_eq!(doc.analysis.group_of(3), doc.analysis.group_of(4), "{}", b.name);
        assert_eq!(doc.start, export.warm_start(), "{}: the document carries the imported start", b.name);
        // The store keeps it with the conversation (`mufakat export`'s dump carries it).
        let dump = s.store.dump_conversation("p").await.expect("dump");
        let kept = dump.analysis_start.expect("a start kept");
        assert_eq!((Some(kept.warm_start), kept.params), (export.warm_start(), doc.params.clone()));
        // A cold run on the same log would not keep Pol.is's groups: the start is what does.
        let log = whole_log(&s, "p").await;
        let (cold, _) = published::run(&log[..seq as usize], &doc.statements).expect("analyses");
        let unstarted = math.compare(&cold).groups_adjusted_rand_index;
        assert!(unstarted < 0.95, "{}: a cold run's ARI {unstarted}", b.name);
        // "Verify in this browser": the reader's replay from the document, byte for byte.
        assert_eq!(
            published::verify(&bytes, &log),
            Ok(Verdict::Matches { seq, bytes: bytes.len() as u64 }),
            "{}",
            b.name
        );
        s.stop().await;
    }
}
