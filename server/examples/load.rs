//! Load generator for the vote path: N simulated participants join a conversation and vote,
//! each on the statement the previous answer routed them to (re-voting on random statements
//! once they have seen everything). Open loop: together they aim at `--rate` votes per
//! second, each participant on its own schedule (a participant whose answer comes late sends
//! its next vote at once). `--rate 0` is a closed loop: every participant votes as fast as
//! the server answers (then latency is just participants ÷ throughput). Reports
//! acknowledged votes per second and client-side latency percentiles, from the moment a
//! vote is written to the socket to the moment its whole answer is read. Bounded: 127.0.0.1
//! only, at most 10,000 participants and 120 seconds.
//!
//! The generator shares the machine with the server, so its own cost per vote counts
//! against the server's figures: each participant keeps one HTTP/1.1 keep-alive connection
//! and writes its votes as ready-made requests, and the answer is read by Content-Length
//! and decoded into the one field used (the next statement's id). Joining goes through an
//! ordinary HTTP client; it is not measured.
//!
//!   cargo run --release -p mufakat-server --example load -- \
//!       --base http://127.0.0.1:18090 --conversation demo --participants 1000 --seconds 20
//!
//! Start the server with `--rate-per-address 0 --rate-per-participant 0` (one address sends
//! everything), or see `scripts/load.sh`, which does it all.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::Rng;
use serde_json::{json, Value};

struct Args {
    base: String,
    conversation: String,
    participants: usize,
    seconds: u64,
    warmup: u64,
    threads: usize,
    rate: f64,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        base: "http://127.0.0.1:8080".into(),
        conversation: "demo".into(),
        participants: 1000,
        seconds: 20,
        warmup: 3,
        threads: 1,
        rate: 10_000.0,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--base" => a.base = value()?,
            "--conversation" => a.conversation = value()?,
            "--participants" => {
                a.participants = value()?.parse().map_err(|e| format!("--participants: {e}"))?
            }
            "--seconds" => a.seconds = value()?.parse().map_err(|e| format!("--seconds: {e}"))?,
            "--warmup" => a.warmup = value()?.parse().map_err(|e| format!("--warmup: {e}"))?,
            "--rate" => a.rate = value()?.parse().map_err(|e| format!("--rate: {e}"))?,
            "--threads" => a.threads = value()?.parse().map_err(|e| format!("--threads: {e}"))?,
            other => return Err(format!("unknown flag {other}")),
        }
    }
    let host_ok = ["http://127.0.0.1:", "http://localhost:"].iter().any(|p| a.base.starts_with(p));
    if !host_ok {
        return Err("load tests run against 127.0.0.1 only".into());
    }
    if a.participants == 0 || a.participants > 10_000 || a.seconds == 0 || a.seconds > 120 || a.threads == 0 {
        return Err("participants 1..=10000, seconds 1..=120, threads >= 1".into());
    }
    Ok(a)
}

#[derive(Default)]
struct Tally {
    latencies_us: Vec<u32>,
    votes: u64,
    /// Votes acknowledged at any time, warm-up included.
    all_votes: u64,
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("mufakat-load: {e}");
            std::process::exit(2);
        }
    };
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(args.threads).enable_all().build();
    match rt {
        Ok(rt) => rt.block_on(run(args)),
        Err(e) => eprintln!("mufakat-load: {e}"),
    }
}

async fn run(args: Args) {
    let client =
        reqwest::Client::builder().pool_max_idle_per_host(args.participants).build().expect("client");
    let api = format!("{}/api/v1/conversations/{}", args.base, args.conversation);
    let view: Value = match client.get(&api).send().await {
        Ok(r) => r.json().await.unwrap_or(Value::Null),
        Err(e) => {
            eprintln!("mufakat-load: cannot reach {api}: {e}");
            return;
        }
    };
    let statements: Vec<u64> = view["statements"]
        .as_array()
        .map(|a| a.iter().filter_map(|s| s["id"].as_u64()).collect())
        .unwrap_or_default();
    if statements.is_empty() {
        eprintln!("mufakat-load: conversation {} has no statements", args.conversation);
        return;
    }
    // Join everyone first (not measured).
    let started = Instant::now();
    let mut tokens = Vec::with_capacity(args.participants);
    for chunk in (0..args.participants).collect::<Vec<_>>().chunks(100) {
        let joins = chunk.iter().map(|_| {
            let c = client.clone();
            let url = format!("{api}/participants");
            async move { c.post(url).json(&json!({})).send().await.ok()?.json::<Value>().await.ok() }
        });
        for j in futures_util::future::join_all(joins).await.into_iter().flatten() {
            if let Some(t) = j["token"].as_str() {
                tokens.push(t.to_string());
            }
        }
    }
    eprintln!("{} participants joined in {:.1?}", tokens.len(), started.elapsed());
    let errors = Arc::new(AtomicU64::new(0));
    let t0 = Instant::now();
    let measure_from = t0 + Duration::from_secs(args.warmup);
    let end = measure_from + Duration::from_secs(args.seconds);
    let interval = (args.rate > 0.0).then(|| Duration::from_secs_f64(tokens.len() as f64 / args.rate));
    let addr = args.base.trim_start_matches("http://").trim_end_matches('/').to_string();
    let path = format!("/api/v1/conversations/{}/votes", args.conversation);
    let tasks: Vec<_> = tokens
        .into_iter()
        .map(|token| {
            let (addr, path, statements, errors) =
                (addr.clone(), path.clone(), statements.clone(), errors.clone());
            let plan = Plan { interval, measure_from, end };
            tokio::spawn(participant(addr, path, token, statements, errors, plan))
        })
        .collect();
    let mut all = Tally::default();
    for t in tasks {
        if let Ok(t) = t.await {
            all.votes += t.votes;
            all.all_votes += t.all_votes;
            all.latencies_us.extend(t.latencies_us);
        }
    }
    all.latencies_us.sort_unstable();
    let pct = |p: f64| {
        let n = all.latencies_us.len();
        if n == 0 {
            return 0.0;
        }
        all.latencies_us[((n as f64 * p) as usize).min(n - 1)] as f64 / 1000.0
    };
    let rate = all.votes as f64 / args.seconds as f64;
    println!(
        "participants={} target_rate={} seconds={} votes_total={} votes={} votes_per_s={:.0} p50_ms={:.2} p90_ms={:.2} p99_ms={:.2} max_ms={:.2} errors={}",
        args.participants,
        args.rate,
        args.seconds,
        all.all_votes,
        all.votes,
        rate,
        pct(0.50),
        pct(0.90),
        pct(0.99),
        pct(1.0),
        errors.load(Ordering::Relaxed)
    );
}

#[derive(Clone, Copy)]
struct Plan {
    /// Time between one participant's votes; `None`: as fast as answers come.
    interval: Option<Duration>,
    measure_from: Instant,
    end: Instant,
}

async fn participant(
    addr: String,
    path: String,
    token: String,
    statements: Vec<u64>,
    errors: Arc<AtomicU64>,
    plan: Plan,
) -> Tally {
    let Plan { interval, measure_from, end } = plan;
    let mut tally = Tally::default();
    let mut next: Option<u64> = None;
    let words = ["agree", "disagree", "pass"];
    let mut conn: Option<Connection> = None;
    // Spread the participants' schedules over one interval.
    let mut due =
        Instant::now() + interval.map_or(Duration::ZERO, |i| i.mul_f64(rand::thread_rng().gen::<f64>()));
    loop {
        if interval.is_some() {
            tokio::time::sleep_until(due.into()).await;
            due += interval.unwrap_or_default();
        }
        let now = Instant::now();
        if now >= end {
            break;
        }
        let (statement, word) = {
            let mut rng = rand::thread_rng();
            let s = next.unwrap_or_else(|| statements[rng.gen_range(0..statements.len())]);
            (s, words[rng.gen_range(0..3)])
        };
        let body = format!(r#"{{"statement":{statement},"vote":"{word}"}}"#);
        let request = format!(
            "POST {path} HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\n\
             x-participant-token: {token}\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        let sent = Instant::now();
        let answer = match conn.as_mut() {
            Some(c) => c.exchange(request.as_bytes()).await,
            None => match Connection::open(&addr).await {
                Ok(c) => conn.insert(c).exchange(request.as_bytes()).await,
                Err(e) => Err(e),
            },
        };
        let done = Instant::now();
        let ok = match answer {
            Ok((200, body)) => match serde_json::from_slice::<VoteAnswer>(&body) {
                Ok(a) => {
                    next = a.next.statement.map(|s| s.id);
                    true
                }
                Err(_) => false,
            },
            Ok(_) => false,
            Err(_) => {
                conn = None; // reconnect on the next vote
                false
            }
        };
        if !ok {
            errors.fetch_add(1, Ordering::Relaxed);
            next = None;
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        }
        tally.all_votes += 1;
        if sent >= measure_from && done <= end {
            tally.votes += 1;
            tally.latencies_us.push(done.duration_since(sent).as_micros().min(u32::MAX as u128) as u32);
        }
    }
    tally
}

/// The part of a vote's answer the generator uses.
#[derive(serde::Deserialize)]
struct VoteAnswer {
    next: NextAnswer,
}

#[derive(serde::Deserialize)]
struct NextAnswer {
    statement: Option<StatementAnswer>,
}

#[derive(serde::Deserialize)]
struct StatementAnswer {
    id: u64,
}

/// One keep-alive HTTP/1.1 connection: a request out, its answer (status and body) back.
struct Connection {
    stream: tokio::net::TcpStream,
    buf: Vec<u8>,
}

impl Connection {
    async fn open(addr: &str) -> std::io::Result<Connection> {
        let stream = tokio::net::TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Connection { stream, buf: Vec::with_capacity(4096) })
    }

    async fn exchange(&mut self, request: &[u8]) -> std::io::Result<(u16, Vec<u8>)> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string());
        self.stream.write_all(request).await?;
        self.buf.clear();
        let mut chunk = [0u8; 4096];
        // Headers first, then as much body as Content-Length says.
        let (head_end, status, length) = loop {
            let n = self.stream.read(&mut chunk).await?;
            if n == 0 {
                return Err(bad("connection closed"));
            }
            self.buf.extend_from_slice(&chunk[..n]);
            if let Some(at) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = std::str::from_utf8(&self.buf[..at]).map_err(|_| bad("headers"))?;
                let status = head.get(9..12).and_then(|s| s.parse().ok()).ok_or_else(|| bad("status"))?;
                let length = head
                    .lines()
                    .find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        k.eq_ignore_ascii_case("content-length").then(|| v.trim().parse::<usize>().ok())?
                    })
                    .ok_or_else(|| bad("no content-length"))?;
                break (at + 4, status, length);
            }
        };
        while self.buf.len() < head_end + length {
            let n = self.stream.read(&mut chunk).await?;
            if n == 0 {
                return Err(bad("connection closed"));
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
        Ok((status, self.buf[head_end..head_end + length].to_vec()))
    }
}
