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
    /// Pages watching the conversation: each syncs on every `votes` live event.
    viewers: usize,
    /// How a viewer syncs: `log` (the vote log, only new entries) or `votes` (every vote,
    /// as pages did before the log; the only way on servers without it).
    sync: String,
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
        viewers: 0,
        sync: "log".into(),
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
            "--viewers" => a.viewers = value()?.parse().map_err(|e| format!("--viewers: {e}"))?,
            "--sync" => a.sync = value()?,
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
    if a.viewers > 2_000 || !matches!(a.sync.as_str(), "log" | "votes") {
        return Err("viewers 0..=2000, sync log or votes".into());
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
    let (events_tx, events_rx) = tokio::sync::watch::channel(0u64);
    let listener = (args.viewers > 0)
        .then(|| tokio::spawn(follow_events(addr.clone(), args.conversation.clone(), events_tx)));
    let viewers: Vec<_> = (0..args.viewers)
        .map(|_| {
            let (client, api, sync, rx) = (client.clone(), api.clone(), args.sync.clone(), events_rx.clone());
            tokio::spawn(viewer(client, api, sync, rx, Plan { interval, measure_from, end }))
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
    let mut syncs = Tally::default();
    let mut bytes = 0u64;
    for v in viewers {
        if let Ok((t, b)) = v.await {
            syncs.votes += t.votes;
            syncs.all_votes += t.all_votes;
            syncs.latencies_us.extend(t.latencies_us);
            bytes += b;
        }
    }
    if let Some(l) = listener {
        l.abort();
    }
    syncs.latencies_us.sort_unstable();
    if args.viewers > 0 {
        let n = syncs.latencies_us.len();
        let q = |p: f64| {
            if n == 0 {
                return 0.0;
            }
            syncs.latencies_us[((n as f64 * p) as usize).min(n - 1)] as f64 / 1000.0
        };
        println!(
            "viewers={} sync={} syncs={} sync_p50_ms={:.2} sync_p99_ms={:.2} sync_max_ms={:.2} sync_errors={} sync_bytes_per_sync={:.0}",
            args.viewers,
            args.sync,
            n,
            q(0.50),
            q(0.99),
            q(1.0),
            syncs.all_votes,
            if n > 0 { bytes as f64 / n as f64 } else { 0.0 }
        );
    }
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

/// Follows the conversation's live events (raw SSE over one connection) and bumps `tx` on
/// every `votes` event, as the pages' EventSource does.
async fn follow_events(addr: String, conversation: String, tx: tokio::sync::watch::Sender<u64>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let Ok(mut stream) = tokio::net::TcpStream::connect(&addr).await else { return };
    let req = format!(
        "GET /api/v1/conversations/{conversation}/events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
    );
    if stream.write_all(req.as_bytes()).await.is_err() {
        return;
    }
    let mut lines = BufReader::new(stream).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if line.trim() == "event: votes" {
            tx.send_modify(|n| *n += 1);
        }
    }
}

/// One page watching: loads the votes once, then syncs on every event (one at a time; events
/// during a sync make one more). Returns the syncs timed in the window (`votes` = count,
/// `all_votes` = errors) and the bytes they read.
async fn viewer(
    client: reqwest::Client,
    api: String,
    sync: String,
    mut rx: tokio::sync::watch::Receiver<u64>,
    plan: Plan,
) -> (Tally, u64) {
    let mut tally = Tally::default();
    let mut have = 0u64;
    let mut bytes = 0u64;
    let _ = sync_once(&client, &api, &sync, &mut have).await;
    loop {
        let Ok(Ok(())) = tokio::time::timeout_at(plan.end.into(), rx.changed()).await else { break };
        let t = Instant::now();
        let result = sync_once(&client, &api, &sync, &mut have).await;
        let in_window = t >= plan.measure_from && t < plan.end;
        match result {
            Ok(b) if in_window => {
                tally.latencies_us.push(t.elapsed().as_micros().min(u32::MAX as u128) as u32);
                bytes += b;
            }
            Err(_) if in_window => tally.all_votes += 1,
            _ => {}
        }
    }
    (tally, bytes)
}

/// One sync as a page does it; returns the bytes read off the wire.
async fn sync_once(client: &reqwest::Client, api: &str, sync: &str, have: &mut u64) -> Result<u64, String> {
    use mufakat_core::votelog::{decode, SEGMENT_SIZE};
    use std::io::Read;
    let get = |url: String| async move {
        let r = client.get(url).header("accept-encoding", "gzip").send().await.map_err(|e| e.to_string())?;
        let status = r.status().as_u16();
        let gz = r.headers().get("content-encoding").is_some_and(|v| v == "gzip");
        let body = r.bytes().await.map_err(|e| e.to_string())?.to_vec();
        Ok::<_, String>((status, gz, body))
    };
    if sync == "votes" {
        let (status, _, body) = get(format!("{api}/votes")).await?;
        return if status == 200 { Ok(body.len() as u64) } else { Err(format!("HTTP {status}")) };
    }
    let mut read = 0u64;
    loop {
        // Only the count of entries held matters here: `LogReplica::next_request`'s rule.
        let (segment, since) = if have.is_multiple_of(SEGMENT_SIZE) {
            (*have / SEGMENT_SIZE, None)
        } else {
            (*have / SEGMENT_SIZE, Some(*have - 1))
        };
        let q = since.map(|s| format!("?since={s}")).unwrap_or_default();
        let (status, gz, body) = get(format!("{api}/log/{segment}{q}")).await?;
        read += body.len() as u64;
        if status == 404 {
            return Ok(read);
        }
        if status != 200 {
            return Err(format!("HTTP {status}"));
        }
        let plain = if gz {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(&body[..]).read_to_end(&mut out).map_err(|e| e.to_string())?;
            out
        } else {
            body
        };
        let chunk = decode(&plain).map_err(|e| e.to_string())?;
        let n = chunk.entries.len() as u64;
        *have = (*have).max(chunk.first_seq + n);
        if since.is_some() || n < SEGMENT_SIZE {
            return Ok(read);
        }
    }
}
