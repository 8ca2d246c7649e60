//! The vote log endpoints on every backend: the log replayed in arrival order gives the
//! current votes, segments and `since` refuse bad input, full segments are immutable with a
//! strong ETag, the tail answers 304 to its ETag, and a restarted process serves the same
//! log. With PostgreSQL, two processes serve the same log whichever took the votes.

mod common;

use std::collections::BTreeMap;
use std::io::Read;
use std::time::{Duration, Instant};

use common::{conversation, join, moderator, unlimited, TestServer};
use mufakat_core::api::VoteLogHead;
use mufakat_core::model::{Moderation, Vote};
use mufakat_core::votelog::{decode, LogChunk, LogReplica, SEGMENT_SIZE};
use mufakat_core::VoteRecord;
use mufakat_server::store::{Conversation, NewStatement};
use serde_json::{json, Value};

const SEEDS: &[&str] =
    &["Parks should stay open at night", "The market needs more shade", "Buses every ten minutes"];

async fn post_vote(base: &str, id: &str, token: &str, statement: u32, vote: &str) {
    let r = reqwest::Client::new()
        .post(format!("{base}/api/v1/conversations/{id}/votes"))
        .header("x-participant-token", token)
        .json(&json!({"statement": statement, "vote": vote}))
        .send()
        .await
        .expect("vote");
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
}

/// GET of a log URL without automatic decompression: (status, headers, body as sent).
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

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).expect("gzip");
    out
}

async fn chunk(base: &str, id: &str, segment: u64, since: Option<u64>) -> LogChunk {
    let q = since.map(|s| format!("?since={s}")).unwrap_or_default();
    let (status, _, body) = get_raw(&format!("{base}/api/v1/conversations/{id}/log/{segment}{q}"), &[]).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    decode(&body).expect("a log chunk")
}

/// The whole log as a page gets it: the head, then segment by segment.
async fn whole_log(base: &str, id: &str) -> Vec<VoteRecord> {
    let head: VoteLogHead = reqwest::get(format!("{base}/api/v1/conversations/{id}/log"))
        .await
        .expect("head")
        .json()
        .await
        .expect("head body");
    assert_eq!(head.segment_size, SEGMENT_SIZE);
    let mut replica = LogReplica::default();
    while replica.len() < head.next_seq {
        let req = replica.next_request();
        replica.append(chunk(base, id, req.segment, req.since).await).expect("continues the log");
    }
    replica.entries
}

/// Current votes (latest wins), sorted by participant and statement, as `/votes` lists them.
fn replay(log: &[VoteRecord]) -> Vec<(u32, u32, i8)> {
    let mut current = BTreeMap::new();
    for e in log {
        current.insert((e.participant, e.statement), e.vote.value());
    }
    current.into_iter().map(|((p, s), v)| (p, s, v)).collect()
}

async fn old_votes(base: &str, id: &str) -> Vec<(u32, u32, i8)> {
    let v: Value =
        reqwest::get(format!("{base}/api/v1/conversations/{id}/votes")).await.unwrap().json().await.unwrap();
    let col = |k: &str| {
        v[k].as_array().expect("array").iter().map(|x| x.as_i64().expect("int")).collect::<Vec<_>>()
    };
    let (p, s, vals) = (col("participants"), col("statements"), col("values"));
    let mut out: Vec<_> = (0..p.len()).map(|i| (p[i] as u32, s[i] as u32, vals[i] as i8)).collect();
    out.sort_unstable();
    out
}

#[tokio::test]
async fn the_log_replayed_in_arrival_order_gives_the_votes_of_the_old_endpoint() {
    for b in common::backends().await {
        let s = TestServer::start(&b.url, unlimited()).await;
        let admin = moderator(&s).await;
        conversation(&s, &admin, "c", SEEDS).await;
        let tokens = [join(&s, "c").await, join(&s, "c").await, join(&s, "c").await];
        // Interleaved participants, and changed votes.
        let plan = [
            (0, 0, "agree"),
            (1, 0, "disagree"),
            (0, 1, "pass"),
            (2, 2, "agree"),
            (0, 0, "disagree"),
            (1, 2, "pass"),
            (2, 2, "disagree"),
            (1, 0, "agree"),
        ];
        for (who, statement, vote) in plan {
            post_vote(&s.base, "c", &tokens[who], statement, vote).await;
        }
        let log = whole_log(&s.base, "c").await;
        let vote_of = |v: &str| match v {
            "agree" => Vote::Agree,
            "disagree" => Vote::Disagree,
            _ => Vote::Pass,
        };
        let expected: Vec<VoteRecord> = plan
            .iter()
            .map(|&(who, statement, v)| VoteRecord { participant: who as u32, statement, vote: vote_of(v) })
            .collect();
        assert_eq!(log, expected, "{}: the log is every vote in arrival order", b.name);
        assert_eq!(replay(&log), old_votes(&s.base, "c").await, "{}", b.name);
        s.stop().await;
    }
}

#[tokio::test]
async fn bad_since_and_missing_segments_are_refused_clearly() {
    for b in common::backends().await {
        let s = TestServer::start(&b.url, unlimited()).await;
        let admin = moderator(&s).await;
        conversation(&s, &admin, "c", SEEDS).await;
        let token = join(&s, "c").await;
        for st in 0..3 {
            post_vote(&s.base, "c", &token, st, "agree").await;
        }
        let url = |q: &str| s.api(&format!("/conversations/c/log/{q}"));
        for (q, status, field) in [
            ("0?since=-1", 400, "since"),
            ("0?since=abc", 400, "since"),
            ("0?since=", 400, "since"),
            ("0?since=3", 400, "since"),
            ("0?since=99999999999", 400, "since"),
            ("x", 400, "segment"),
            ("-1", 400, "segment"),
            ("1", 404, ""),
            ("7", 404, ""),
        ] {
            let r = reqwest::get(url(q)).await.unwrap();
            assert_eq!(r.status(), status, "{}: {q}", b.name);
            let body: Value = r.json().await.expect("a JSON error");
            if !field.is_empty() {
                assert_eq!(body["error"]["field"], field, "{}: {q}", b.name);
            }
            assert!(body["error"]["message"].as_str().is_some_and(|m| m.len() > 10), "{q}: {body}");
        }
        let r = reqwest::get(s.api("/conversations/nope/log/0")).await.unwrap();
        assert_eq!(r.status(), 404);
        // The last entry held is a valid `since`: nothing new, an empty chunk.
        assert_eq!(chunk(&s.base, "c", 0, Some(2)).await, LogChunk { first_seq: 3, entries: vec![] });
        s.stop().await;
    }
}

#[tokio::test]
async fn the_tail_answers_since_with_only_new_entries_and_304_to_its_etag() {
    for b in common::backends().await {
        let s = TestServer::start(&b.url, unlimited()).await;
        let admin = moderator(&s).await;
        conversation(&s, &admin, "c", SEEDS).await;
        let token = join(&s, "c").await;
        for st in 0..3 {
            post_vote(&s.base, "c", &token, st, "agree").await;
        }
        let url = s.api("/conversations/c/log/0");
        let (status, h, _) = get_raw(&url, &[]).await;
        assert_eq!(status, 200);
        assert_eq!(h["cache-control"], "no-cache", "{}: the tail must be revalidated", b.name);
        let etag = h["etag"].to_str().unwrap().to_string();
        assert!(!etag.starts_with("W/"), "a strong ETag");
        let (status, _, body) = get_raw(&url, &[("if-none-match", &etag)]).await;
        assert_eq!((status, body.len()), (304, 0), "{}", b.name);

        post_vote(&s.base, "c", &token, 0, "disagree").await;
        let (status, _, _) = get_raw(&url, &[("if-none-match", &etag)]).await;
        assert_eq!(status, 200, "{}: the tail grew, the old ETag must not match", b.name);
        let new = chunk(&s.base, "c", 0, Some(2)).await;
        assert_eq!(
            new,
            LogChunk {
                first_seq: 3,
                entries: vec![VoteRecord { participant: 0, statement: 0, vote: Vote::Disagree }]
            },
            "{}",
            b.name
        );
        s.stop().await;
    }
}

/// A `votes` event's closed range (`?since=&until=`): the same entries as the `since`
/// answer up to there, the same bytes (and ETag) for every reader and after more votes,
/// immutable; bad ranges are refused with the field named.
#[tokio::test]
async fn a_closed_range_is_a_since_answer_cut_at_until_the_same_bytes_for_every_reader() {
    for b in common::backends().await {
        let s = TestServer::start(&b.url, unlimited()).await;
        let admin = moderator(&s).await;
        conversation(&s, &admin, "c", SEEDS).await;
        let tokens = [join(&s, "c").await, join(&s, "c").await];
        for (i, st) in [0, 1, 2, 0, 1, 2].into_iter().enumerate() {
            post_vote(&s.base, "c", &tokens[i % 2], st, ["agree", "pass", "disagree"][i % 3]).await;
        }
        let since = chunk(&s.base, "c", 0, Some(1)).await;
        assert_eq!((since.first_seq, since.entries.len()), (2, 4), "{}", b.name);
        let url = s.api("/conversations/c/log/0?since=1&until=5");
        let (status, h, body) = get_raw(&url, &[]).await;
        assert_eq!(status, 200, "{}: {}", b.name, String::from_utf8_lossy(&body));
        let range = decode(&body).expect("a log chunk");
        assert_eq!(range, LogChunk { first_seq: 2, entries: since.entries[..3].to_vec() }, "{}", b.name);
        assert_eq!(h["cache-control"], "public, max-age=31536000, immutable", "{}", b.name);
        let etag = h["etag"].to_str().unwrap().to_string();
        assert!(!etag.starts_with("W/"), "a strong ETag: {etag}");
        // From the segment's start, too.
        let from_start =
            decode(&get_raw(&s.api("/conversations/c/log/0?until=2"), &[]).await.2).expect("chunk");
        assert_eq!(from_start.first_seq, 0);
        assert_eq!(from_start.entries.len(), 2);

        // More votes: the range is the same bytes, the same ETag; a second reader too.
        post_vote(&s.base, "c", &tokens[0], 2, "agree").await;
        let (_, h2, body2) = get_raw(&url, &[]).await;
        assert_eq!((&body2, &h2["etag"]), (&body, &h["etag"]), "{}: the range changed", b.name);
        let (status, _, empty) = get_raw(&url, &[("if-none-match", &etag)]).await;
        assert_eq!((status, empty.len()), (304, 0), "{}", b.name);

        let bad = |q: &'static str| {
            let url = s.api(&format!("/conversations/c/log/{q}"));
            async move {
                let r = reqwest::get(url).await.unwrap();
                (r.status().as_u16(), r.json::<Value>().await.expect("a JSON error"))
            }
        };
        for q in [
            "0?since=3&until=3",
            "0?since=3&until=2",
            "0?since=3&until=4",
            "0?until=0",
            "0?since=1&until=abc",
            "0?since=1&until=-4",
            "0?since=1&until=",
            "0?since=1&until=8",
            "0?since=1&until=99999999999",
        ] {
            let (status, body) = bad(q).await;
            assert_eq!(status, 400, "{}: {q}: {body}", b.name);
            assert_eq!(body["error"]["field"], "until", "{}: {q}", b.name);
            assert!(body["error"]["message"].as_str().is_some_and(|m| m.len() > 10), "{q}: {body}");
        }
        s.stop().await;
    }
}

/// Readers holding the same entries that sync on one `votes` event ask for the same range
/// and get the same bytes, gzipped once; a range into the next segment is refused, and
/// `LogReplica::request_towards` never asks for one.
#[tokio::test]
async fn readers_syncing_on_one_event_get_one_encoding_of_the_range() {
    let b = common::backends().await.remove(0);
    let s = TestServer::start(&b.url, unlimited()).await;
    let n = SEGMENT_SIZE as usize + 3_000;
    big_conversation(&s.store, "big", n).await;
    let (target, have) = (SEGMENT_SIZE + 2_500, 60_000u64);
    let log = whole_log(&s.base, "big").await;
    let mut answers = Vec::new();
    for _ in 0..3 {
        let mut replica = LogReplica { entries: log[..have as usize].to_vec() };
        let mut got = Vec::new();
        while let Some(req) = replica.request_towards(target) {
            let url = s.api(&format!("/conversations/big/log/{}{}", req.segment, req.query()));
            let (status, h, body) = get_raw(&url, &[("accept-encoding", "gzip")]).await;
            assert_eq!(status, 200, "{url}: {}", String::from_utf8_lossy(&body));
            assert_eq!(h["cache-control"], "public, max-age=31536000, immutable", "{url}");
            let plain = if h.get("content-encoding").is_some() { gunzip(&body) } else { body.clone() };
            replica.append(decode(&plain).expect("chunk")).expect("continues the copy");
            got.push((url, h["etag"].to_str().unwrap().to_string(), body));
        }
        assert!(replica.entries[..] == log[..target as usize], "synced exactly up to the event's entries");
        answers.push(got);
    }
    assert_eq!(answers[0].len(), 2, "the rest of segment 0, then segment 1 up to the target");
    assert!(answers.iter().all(|a| *a == answers[0]), "readers got different bytes");
    assert!(answers[0][1].2.len() > 100 && answers[0][1].1.ends_with("-gz\""), "the range was not gzipped");
    let r = reqwest::get(s.api(&format!("/conversations/big/log/0?since={}&until={}", have - 1, target)))
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "a range past its segment's end");
    s.stop().await;
}

/// A conversation with `n` votes written straight to the store (as `mufakat import` does):
/// 2,000 participants over 300 statements, each voting in a random order, interleaved.
async fn big_conversation(store: &mufakat_server::store::Store, id: &str, n: usize) {
    use rand::seq::SliceRandom;
    use rand::{Rng, SeedableRng};
    store.create_conversation(&Conversation::new(id, "Big")).await.expect("create");
    for i in 0..300 {
        let text = format!("Statement number {i} about the {} budget", ["city", "park", "bus"][i % 3]);
        let s = NewStatement {
            text: &text,
            language: "en",
            author: None,
            moderation: Moderation::Accepted,
            is_seed: true,
        };
        store.add_statement(id, &s).await.expect("statement");
    }
    let participants = 2_000u32;
    for _ in 0..participants {
        store.join(id, None, None).await.expect("join");
    }
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let mut orders: Vec<Vec<u32>> = (0..participants)
        .map(|_| {
            let mut o: Vec<u32> = (0..300).collect();
            o.shuffle(&mut rng);
            o
        })
        .collect();
    let mut votes = Vec::with_capacity(n);
    // A few dozen participants online at a time, each voting through their own order.
    let mut online: Vec<u32> = (0..40).collect();
    let mut next_p = 40u32;
    while votes.len() < n {
        let k = rng.gen_range(0..online.len());
        let p = online[k];
        match orders[p as usize].pop() {
            Some(st) if rng.gen_bool(0.97) => {
                let group = p % 2 == st % 2;
                let vote = match rng.gen_range(0..10) {
                    0..=5 if group => Vote::Agree,
                    0..=5 => Vote::Disagree,
                    6 | 7 => Vote::Pass,
                    _ if group => Vote::Disagree,
                    _ => Vote::Agree,
                };
                votes.push((p, st, vote));
            }
            _ => {
                online[k] = next_p % participants;
                next_p += 1;
            }
        }
    }
    for chunk in votes.chunks(20_000) {
        store.cast_votes_bulk(id, chunk).await.expect("votes");
    }
}

#[tokio::test]
async fn a_full_segment_is_immutable_gzipped_once_and_the_same_after_a_restart() {
    let b = common::backends().await.remove(0);
    let s = TestServer::start(&b.url, unlimited()).await;
    let n = SEGMENT_SIZE as usize + 1_000;
    big_conversation(&s.store, "big", n).await;
    let url = s.api("/conversations/big/log/0");
    let (status, h, gz) = get_raw(&url, &[("accept-encoding", "gzip")]).await;
    assert_eq!(status, 200);
    assert_eq!(h["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(h["content-encoding"], "gzip");
    let etag = h["etag"].to_str().unwrap().to_string();
    assert!(!etag.starts_with("W/"), "a strong ETag: {etag}");
    let (status, h_plain, plain) = get_raw(&url, &[]).await;
    assert_eq!(status, 200);
    assert_ne!(h_plain["etag"], etag.as_str(), "two representations, two strong ETags");
    assert_eq!(gunzip(&gz), plain);
    let first = decode(&plain).expect("decodes");
    assert_eq!((first.first_seq, first.entries.len() as u64), (0, SEGMENT_SIZE));
    common::say(&format!(
        "segment of {} votes: {} bytes ({:.2} a vote), {} gzipped ({:.2} a vote)",
        SEGMENT_SIZE,
        plain.len(),
        plain.len() as f64 / SEGMENT_SIZE as f64,
        gz.len(),
        gz.len() as f64 / SEGMENT_SIZE as f64
    ));
    assert!(gz.len() as f64 / (SEGMENT_SIZE as f64) <= 3.0, "more than 3 bytes a vote after gzip");
    let (status, _, body) = get_raw(&url, &[("accept-encoding", "gzip"), ("if-none-match", &etag)]).await;
    assert_eq!((status, body.len()), (304, 0));
    let tail = chunk(&s.base, "big", 1, None).await;
    assert_eq!(tail.first_seq, SEGMENT_SIZE);
    assert_eq!(tail.entries.len(), 1_000);
    // A since inside the full segment is answered from it, and is immutable too.
    let part = chunk(&s.base, "big", 0, Some(SEGMENT_SIZE - 3)).await;
    assert_eq!(part.entries[..], first.entries[SEGMENT_SIZE as usize - 2..]);
    let log = whole_log(&s.base, "big").await;
    assert_eq!(log.len(), n);
    assert_eq!(replay(&log), old_votes(&s.base, "big").await);

    // A restarted process numbers the log the same way: the same bytes, the same ETag.
    s.stop().await;
    let s = TestServer::start(&b.url, unlimited()).await;
    let url = s.api("/conversations/big/log/0");
    let (status, h, again) = get_raw(&url, &[("accept-encoding", "gzip")]).await;
    assert_eq!(status, 200);
    assert_eq!(h["etag"], etag.as_str());
    assert_eq!(again, gz);
    s.stop().await;
}

#[tokio::test]
async fn two_processes_serve_the_same_log_whichever_took_the_votes() {
    let Some(base) = common::postgres_url("the two-process vote log test") else { return };
    let url = common::fresh_pg_database(&base).await;
    let (a, b, _admin) = common::two_processes(&url, SEEDS).await;
    // Both processes load the conversation (and its empty log) before any vote.
    assert!(whole_log(&a.base, "c").await.is_empty());
    assert!(whole_log(&b.base, "c").await.is_empty());
    let mut tokens = Vec::new();
    for _ in 0..6 {
        let j: Value = reqwest::Client::new()
            .post(a.api("/conversations/c/participants"))
            .json(&json!({}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        tokens.push(j["token"].as_str().unwrap().to_string());
    }
    // Votes through both processes at once, alternating.
    let mut tasks = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let base = if i.is_multiple_of(2) { a.base.clone() } else { b.base.clone() };
        let token = token.clone();
        tasks.push(tokio::spawn(async move {
            for st in 0..3u32 {
                post_vote(
                    &base,
                    "c",
                    &token,
                    st,
                    if (i as u32 + st).is_multiple_of(2) { "agree" } else { "disagree" },
                )
                .await;
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    // A reader that saw 18 entries on one process is answered by the other at once.
    let from_a = chunk(&a.base, "c", 0, Some(17)).await;
    let from_b = chunk(&b.base, "c", 0, Some(17)).await;
    assert_eq!((from_a.first_seq, from_b.first_seq), (18, 18));
    let deadline = Instant::now() + Duration::from_secs(3);
    let (la, lb) = loop {
        let (la, lb) = (whole_log(&a.base, "c").await, whole_log(&b.base, "c").await);
        if la.len() == 18 && lb.len() == 18 || Instant::now() > deadline {
            break (la, lb);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(la.len(), 18);
    assert_eq!(la, lb, "the two processes hold different logs");
    assert_eq!(replay(&la), old_votes(&a.base, "c").await);
    // The same bytes, hence the same ETag, from either process.
    let (_, ha, _) = get_raw(&a.api("/conversations/c/log/0"), &[]).await;
    let (_, hb, _) = get_raw(&b.api("/conversations/c/log/0"), &[]).await;
    assert_eq!(ha["etag"], hb["etag"]);
}

fn write(conv: &str, participant: u32, statement: u32) -> mufakat_server::store::VoteWrite {
    mufakat_server::store::VoteWrite {
        conversation: conv.into(),
        participant,
        statement,
        vote: Vote::Agree,
        at: 1,
    }
}

async fn two_conversations(url: &str) -> mufakat_server::store::Store {
    let store = mufakat_server::store::Store::open(url).await.expect("open");
    for id in ["a", "b"] {
        store.create_conversation(&Conversation::new(id, "Log")).await.expect("create");
        for text in SEEDS {
            let s = NewStatement {
                text,
                language: "en",
                author: None,
                moderation: Moderation::Accepted,
                is_seed: true,
            };
            store.add_statement(id, &s).await.expect("statement");
        }
    }
    store
}

#[tokio::test]
async fn the_store_numbers_each_conversations_log_densely_from_zero() {
    for b in common::backends().await {
        let store = two_conversations(&b.url).await;
        let seqs =
            store.write_votes(&[write("a", 0, 0), write("b", 0, 0), write("a", 1, 1)]).await.expect("batch");
        assert_eq!(seqs, vec![0, 0, 1], "{}", b.name);
        let seqs =
            store.write_votes(&[write("b", 2, 2), write("a", 2, 2), write("a", 2, 2)]).await.expect("batch");
        assert_eq!(seqs, vec![1, 2, 3], "{}", b.name);
        let a = store.vote_log("a", 0).await.expect("log");
        assert_eq!(a.iter().map(|(s, _)| *s).collect::<Vec<_>>(), vec![0, 1, 2, 3], "{}", b.name);
        assert_eq!(a[1].1, VoteRecord { participant: 1, statement: 1, vote: Vote::Agree });
        assert_eq!(store.vote_log("a", 2).await.expect("log").len(), 2);
    }
}

/// Two writers (two pools, as two processes have) on one conversation at once: every entry
/// gets its own number, none is skipped, and the log reads back whole.
#[tokio::test]
async fn concurrent_writers_number_one_log_without_gaps_or_repeats() {
    for b in common::backends().await {
        let first = two_conversations(&b.url).await;
        let second = mufakat_server::store::Store::open(&b.url).await.expect("second pool");
        let mut tasks = Vec::new();
        for (w, store) in [first.clone(), second].into_iter().enumerate() {
            tasks.push(tokio::spawn(async move {
                let mut seqs = Vec::new();
                for i in 0..20u32 {
                    let batch: Vec<_> = (0..10u32).map(|k| write("a", w as u32 * 100 + i, k % 3)).collect();
                    seqs.extend(store.write_votes(&batch).await.expect("batch"));
                }
                seqs
            }));
        }
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.expect("writer"));
        }
        all.sort_unstable();
        assert_eq!(all, (0..400).collect::<Vec<u64>>(), "{}", b.name);
        let log = first.vote_log("a", 0).await.expect("log");
        assert_eq!(log.iter().map(|(s, _)| *s).collect::<Vec<_>>(), (0..400).collect::<Vec<u64>>());
    }
}

/// History written before the vote log existed is numbered in arrival order by the migration.
#[tokio::test]
async fn the_migration_numbers_existing_history_per_conversation_in_arrival_order() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("old.sqlite");
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let pool = sqlx::SqlitePool::connect(&url).await.expect("open");
    for sql in [
        include_str!("../migrations/sqlite/0001_init.sql"),
        include_str!("../migrations/sqlite/0002_admin_questions_answers.sql"),
        include_str!("../migrations/sqlite/0003_participant_counter.sql"),
        include_str!("../migrations/sqlite/0004_xid_secret.sql"),
    ] {
        sqlx::raw_sql(sql).execute(&pool).await.expect("old schema");
    }
    for (i, conv) in ["x", "y", "x", "x", "y"].iter().enumerate() {
        sqlx::query("INSERT INTO vote_history (conversation_id, participant, statement, value, at) VALUES ($1, $2, 0, 1, 0)")
            .bind(conv)
            .bind(i as i64)
            .execute(&pool)
            .await
            .expect("old history");
    }
    sqlx::raw_sql(include_str!("../migrations/sqlite/0005_vote_log.sql"))
        .execute(&pool)
        .await
        .expect("migrate");
    let rows: Vec<(String, i64, i64)> =
        sqlx::query_as("SELECT conversation_id, participant, log_seq FROM vote_history ORDER BY seq")
            .fetch_all(&pool)
            .await
            .expect("read");
    assert_eq!(
        rows,
        vec![
            ("x".into(), 0, 0),
            ("y".into(), 1, 0),
            ("x".into(), 2, 1),
            ("x".into(), 3, 2),
            ("y".into(), 4, 1)
        ]
    );
    let next: Vec<(String, i64)> =
        sqlx::query_as("SELECT conversation_id, next_seq FROM vote_log_counters ORDER BY conversation_id")
            .fetch_all(&pool)
            .await
            .expect("read");
    assert_eq!(next, vec![("x".into(), 3), ("y".into(), 2)]);
}

/// The moderator's endpoints (the list, the statements, the dashboard, moderation, a
/// settings change) give vote counts from the vote log in memory, never from a count over
/// every vote through SQL: with the `votes` table out of reach they still answer, with the
/// right counts.
#[tokio::test]
async fn moderator_endpoints_count_votes_from_the_log_not_over_the_votes_table() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("t.sqlite").display());
    let s = TestServer::start(&url, unlimited()).await;
    let admin = moderator(&s).await;
    conversation(&s, &admin, "c", SEEDS).await;
    let tokens = [join(&s, "c").await, join(&s, "c").await];
    for (who, statement, vote) in [(0, 0, "agree"), (1, 0, "disagree"), (0, 1, "pass"), (0, 0, "disagree")] {
        post_vote(&s.base, "c", &tokens[who], statement, vote).await;
    }
    let mufakat_server::store::Store::Sqlite(sql) = &s.store else { unreachable!("opened as SQLite") };
    sqlx::query("ALTER TABLE votes RENAME TO votes_out_of_reach").execute(&sql.pool).await.expect("rename");

    let get = |path: &str| {
        let (admin, url) = (admin.clone(), s.api(path));
        async move {
            let r = admin.get(url).send().await.expect("get");
            assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
            r.json::<Value>().await.expect("json")
        }
    };
    let list = get("/admin/conversations").await;
    assert_eq!((list[0]["votes"].as_u64(), list[0]["participants"].as_u64()), (Some(3), Some(2)), "{list}");
    let statements = get("/admin/conversations/c/statements").await;
    let counts = |v: &Value, id: u64| {
        let s = v.as_array().expect("list").iter().find(|s| s["id"] == id).expect("statement").clone();
        (s["counts"]["agree"].as_u64(), s["counts"]["disagree"].as_u64(), s["counts"]["pass"].as_u64())
    };
    assert_eq!(counts(&statements, 0), (Some(0), Some(2), Some(0)), "{statements}");
    assert_eq!(counts(&statements, 1), (Some(0), Some(0), Some(1)), "{statements}");
    let stats = get("/admin/conversations/c/stats").await;
    assert_eq!((stats["votes"].as_u64(), stats["voters"].as_u64()), (Some(3), Some(2)), "{stats}");

    let r = admin
        .post(s.api("/admin/conversations/c/moderation"))
        .header("x-mufakat-csrf", "1")
        .json(&json!({"statements": [1], "decision": "reject"}))
        .send()
        .await
        .expect("moderate");
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
    let moderated: Value = r.json().await.expect("json");
    assert_eq!(counts(&moderated, 1), (Some(0), Some(0), Some(1)), "{moderated}");
    let r = admin
        .patch(s.api("/admin/conversations/c"))
        .header("x-mufakat-csrf", "1")
        .json(&json!({"pinned_statement": 0}))
        .send()
        .await
        .expect("settings");
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
    s.stop().await;
}

/// The dashboard's votes per hour are counted through SQL once; after that the writer keeps
/// them as it commits. With the vote history out of reach after a first visit (so any
/// `GROUP BY` over it fails), later votes are still counted, in the hour they were taken.
#[tokio::test]
async fn votes_per_hour_are_kept_by_the_writer_not_counted_over_the_history_each_visit() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("t.sqlite").display());
    let s = TestServer::start(&url, unlimited()).await;
    let admin = moderator(&s).await;
    conversation(&s, &admin, "c", SEEDS).await;
    let tokens = [join(&s, "c").await, join(&s, "c").await];
    post_vote(&s.base, "c", &tokens[0], 0, "agree").await;
    post_vote(&s.base, "c", &tokens[1], 0, "disagree").await;
    let stats = || {
        let (admin, url) = (admin.clone(), s.api("/admin/conversations/c/stats"));
        async move {
            let r = admin.get(url).send().await.expect("get");
            assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
            let v = r.json::<Value>().await.expect("json");
            let hours: Vec<(i64, u64)> = v["votes_per_hour"]
                .as_array()
                .expect("votes per hour")
                .iter()
                .map(|h| (h[0].as_i64().expect("hour"), h[1].as_u64().expect("votes")))
                .collect();
            hours
        }
    };
    let first = stats().await;
    assert_eq!(first.iter().map(|h| h.1).sum::<u64>(), 2, "{first:?}");
    // Three more votes (one a change of mind): counted by the writer.
    post_vote(&s.base, "c", &tokens[0], 1, "pass").await;
    post_vote(&s.base, "c", &tokens[1], 1, "agree").await;
    post_vote(&s.base, "c", &tokens[0], 0, "disagree").await;
    let mufakat_server::store::Store::Sqlite(sql) = &s.store else { unreachable!("opened as SQLite") };
    // What the store counts, then the history out of reach.
    let by_sql = s.store.votes_per_hour("c", 0, 5).await.expect("count");
    sqlx::query("ALTER TABLE vote_history RENAME TO vote_history_out_of_reach")
        .execute(&sql.pool)
        .await
        .expect("rename");
    let later = stats().await;
    assert_eq!(later.iter().map(|h| h.1).sum::<u64>(), 5, "{later:?}");
    assert_eq!(later, by_sql.iter().map(|&(h, n)| (h, u64::from(n))).collect::<Vec<_>>());
    assert!(later.iter().all(|h| h.0 % 3_600_000 == 0), "{later:?}");
    s.stop().await;
}

/// The times column of a CSV the moderator's export wrote (its first column, `timestamp`).
async fn export_times(s: &TestServer, admin: &reqwest::Client, file: &str) -> Vec<i64> {
    let r = admin.get(s.api(&format!("/admin/conversations/c/export/{file}"))).send().await.expect("export");
    assert_eq!(r.status(), 200);
    let text = r.text().await.expect("csv");
    text.lines().skip(1).map(|l| l.split(',').next().unwrap_or("").parse().expect("a time")).collect()
}

async fn log_times(url: &str) -> mufakat_core::votelog::TimesChunk {
    let (status, h, body) = get_raw(url, &[]).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert_eq!(h["content-type"], "application/vnd.mufakat.vote-log-times");
    mufakat_core::votelog::decode_times(&body).expect("a times chunk")
}

/// The times route gives the vote history's times in log order (those of the moderator's
/// votes.csv); the tail is revalidated with a strong ETag; bad input is refused clearly.
/// The statements route gives the authors and times of the moderator's comments.csv, of
/// the statements participants see only.
#[tokio::test]
async fn the_log_times_are_the_historys_in_log_order_and_bad_segments_are_refused() {
    for b in common::backends().await {
        let s = TestServer::start(&b.url, unlimited()).await;
        let admin = moderator(&s).await;
        conversation(&s, &admin, "c", SEEDS).await;
        let tokens = [join(&s, "c").await, join(&s, "c").await];
        for (who, statement, vote) in [(0, 0, "agree"), (1, 0, "disagree"), (0, 1, "pass"), (1, 2, "agree")] {
            post_vote(&s.base, "c", &tokens[who], statement, vote).await;
            tokio::time::sleep(Duration::from_millis(3)).await;
        }
        let url = s.api("/conversations/c/log/0/times");
        let times = log_times(&url).await;
        assert_eq!(times.first_seq, 0);
        assert_eq!(times.times, export_times(&s, &admin, "votes.csv").await, "{}", b.name);
        assert!(times.times.windows(2).all(|w| w[0] < w[1]), "{}: {:?}", b.name, times.times);

        let (_, h, _) = get_raw(&url, &[]).await;
        assert_eq!(h["cache-control"], "no-cache", "{}: the tail must be revalidated", b.name);
        let etag = h["etag"].to_str().unwrap().to_string();
        assert!(!etag.starts_with("W/"), "a strong ETag");
        let (status, _, body) = get_raw(&url, &[("if-none-match", &etag)]).await;
        assert_eq!((status, body.len()), (304, 0), "{}", b.name);
        post_vote(&s.base, "c", &tokens[0], 0, "disagree").await;
        let (status, _, _) = get_raw(&url, &[("if-none-match", &etag)]).await;
        assert_eq!(status, 200, "{}: the tail grew, the old ETag must not match", b.name);
        assert_eq!(log_times(&url).await.times, export_times(&s, &admin, "votes.csv").await, "{}", b.name);

        for (q, status) in [("x", 400), ("-1", 400), ("1.5", 400), ("1", 404), ("7", 404)] {
            let r = reqwest::get(s.api(&format!("/conversations/c/log/{q}/times"))).await.unwrap();
            assert_eq!(r.status(), status, "{}: {q}", b.name);
            let body: Value = r.json().await.expect("a JSON error");
            if status == 400 {
                assert_eq!(body["error"]["field"], "segment", "{}: {q}", b.name);
            }
            assert!(body["error"]["message"].as_str().is_some_and(|m| m.len() > 10), "{q}: {body}");
        }
        let r = reqwest::get(s.api("/conversations/nope/log/0/times")).await.unwrap();
        assert_eq!(r.status(), 404);

        // A participant's statement, and one the moderator rejects: only the first is listed.
        for text in ["Bike lanes on every main road", "Something the moderator rejects"] {
            let r = common::client()
                .post(s.api("/conversations/c/statements"))
                .header("x-participant-token", &tokens[1])
                .json(&json!({"text": text}))
                .send()
                .await
                .expect("post");
            assert!(r.status().is_success(), "{}", r.text().await.unwrap_or_default());
        }
        let reject = json!({"statements": [4], "decision": "reject"});
        let (status, body) = common::admin_send(
            &s,
            &admin,
            reqwest::Method::POST,
            "/admin/conversations/c/moderation",
            Some(reject),
        )
        .await;
        assert!((200..300).contains(&status), "{body}");
        let r = reqwest::get(s.api("/conversations/c/statements")).await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["cache-control"], "no-cache");
        let origins: mufakat_core::api::StatementOrigins = r.json().await.expect("origins");
        let listed: Vec<_> = origins.statements.iter().map(|o| (o.id, o.author, o.is_seed)).collect();
        assert_eq!(
            listed,
            vec![(0, None, true), (1, None, true), (2, None, true), (3, Some(1), false)],
            "{}",
            b.name
        );
        let created = export_times(&s, &admin, "comments.csv").await;
        assert_eq!(
            origins.statements.iter().map(|o| o.created_at).collect::<Vec<_>>(),
            created[..4],
            "{}",
            b.name
        );
        let r = reqwest::get(s.api("/conversations/nope/statements")).await.unwrap();
        assert_eq!(r.status(), 404);
        s.stop().await;
    }
}

/// A full segment's times are immutable with a strong ETag per representation, gzipped,
/// and the history's; the tail after it is the rest.
#[tokio::test]
async fn a_full_segments_times_are_immutable_and_the_historys() {
    for b in common::backends().await {
        let s = TestServer::start(&b.url, unlimited()).await;
        let n = SEGMENT_SIZE as usize + 1_000;
        big_conversation(&s.store, "big", n).await;
        let history: Vec<i64> =
            s.store.dump_conversation("big").await.expect("dump").votes.iter().map(|v| v.at).collect();
        let url = s.api("/conversations/big/log/0/times");
        let (status, h, gz) = get_raw(&url, &[("accept-encoding", "gzip")]).await;
        assert_eq!(status, 200);
        assert_eq!(h["cache-control"], "public, max-age=31536000, immutable", "{}", b.name);
        assert_eq!(h["content-encoding"], "gzip");
        let etag = h["etag"].to_str().unwrap().to_string();
        assert!(!etag.starts_with("W/"), "a strong ETag: {etag}");
        let (status, h_plain, plain) = get_raw(&url, &[]).await;
        assert_eq!(status, 200);
        assert_ne!(h_plain["etag"], etag.as_str(), "two representations, two strong ETags");
        assert_eq!(gunzip(&gz), plain);
        let full = mufakat_core::votelog::decode_times(&plain).expect("decodes");
        assert_eq!((full.first_seq, &full.times[..]), (0, &history[..SEGMENT_SIZE as usize]), "{}", b.name);
        let (status, _, body) = get_raw(&url, &[("accept-encoding", "gzip"), ("if-none-match", &etag)]).await;
        assert_eq!((status, body.len()), (304, 0));
        let tail = log_times(&s.api("/conversations/big/log/1/times")).await;
        assert_eq!((tail.first_seq, &tail.times[..]), (SEGMENT_SIZE, &history[SEGMENT_SIZE as usize..]));
        s.stop().await;
    }
}
