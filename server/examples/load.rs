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
//! Viewers (`--viewers N`) are pages watching the conversation: each first loads the whole
//! vote log (not measured), then syncs on every `votes` live event of its own event stream
//! (`--shared-events`: one stream for all), over its own keep-alive connection, revalidating
//! with the last answer's ETag as a browser's cache does; it decodes the tail chunks it gets
//! and only the head of full segments. `--idle`: no voters, viewers sync back to back with
//! nothing new (304s). `--server-pid PID` reports the server's CPU time in the measured
//! window, per vote and per sync.
//!
//! `--base` given more than once spreads participants and viewers over several servers
//! (participant or viewer i on server i mod n), e.g. two processes on one PostgreSQL.
//!
//! Start the server with `--rate-per-address 0 --rate-per-participant 0` (one address sends
//! everything), or see `scripts/load.sh`, which does it all.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::Rng;
use serde_json::{json, Value};

struct Args {
    /// Servers to spread participants and viewers over (`--base` again for each).
    bases: Vec<String>,
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
    /// `idle`: no voters; the viewers sync back to back with nothing new (each a 304), to
    /// measure what a sync that finds nothing costs the server.
    idle: bool,
    /// One live event stream for all viewers instead of one each (a lighter generator).
    shared_events: bool,
    /// The server's process id: its CPU time in the measured window is reported.
    server_pid: Option<u32>,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        bases: Vec::new(),
        conversation: "demo".into(),
        participants: 1000,
        seconds: 20,
        warmup: 3,
        threads: 1,
        rate: 10_000.0,
        viewers: 0,
        sync: "log".into(),
        idle: false,
        shared_events: false,
        server_pid: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--base" => a.bases.push(value()?),
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
            "--idle" => a.idle = true,
            "--shared-events" => a.shared_events = true,
            "--server-pid" => {
                a.server_pid = Some(value()?.parse().map_err(|e| format!("--server-pid: {e}"))?)
            }
            other => return Err(format!("unknown flag {other}")),
        }
    }
    if a.bases.is_empty() {
        a.bases.push("http://127.0.0.1:8080".into());
    }
    let host_ok =
        a.bases.iter().all(|b| ["http://127.0.0.1:", "http://localhost:"].iter().any(|p| b.starts_with(p)));
    if !host_ok {
        return Err("load tests run against 127.0.0.1 only".into());
    }
    if a.participants == 0 || a.participants > 10_000 || a.seconds == 0 || a.seconds > 120 || a.threads == 0 {
        return Err("participants 1..=10000, seconds 1..=120, threads >= 1".into());
    }
    if a.viewers > 2_000 || !matches!(a.sync.as_str(), "log" | "votes") {
        return Err("viewers 0..=2000, sync log or votes".into());
    }
    if a.idle && (a.viewers == 0 || a.sync != "log") {
        return Err("--idle needs viewers and --sync log".into());
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
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.participants + args.viewers)
        .build()
        .expect("client");
    let conv_path = format!("/api/v1/conversations/{}", args.conversation);
    let api = format!("{}{conv_path}", args.bases[0]);
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
    let voters = if args.idle { 0 } else { args.participants };
    let mut tokens = Vec::with_capacity(voters);
    // Participant i joins and votes through server i mod n, viewer i watches through it.
    let server_of = |i: usize| args.bases[i % args.bases.len()].clone();
    let addr_of = |i: usize| server_of(i).trim_start_matches("http://").trim_end_matches('/').to_string();
    for chunk in (0..voters).collect::<Vec<_>>().chunks(100) {
        let joins = chunk.iter().map(|&i| {
            let c = client.clone();
            let url = format!("{}{conv_path}/participants", server_of(i));
            async move {
                let j = c.post(url).json(&json!({})).send().await.ok()?.json::<Value>().await.ok()?;
                Some((i, j["token"].as_str()?.to_string()))
            }
        });
        tokens.extend(futures_util::future::join_all(joins).await.into_iter().flatten());
    }
    eprintln!("{} participants joined in {:.1?}", tokens.len(), started.elapsed());
    // Every viewer loads the whole log first (not measured), as a page does on opening.
    let started = Instant::now();
    let mut pages = Vec::with_capacity(args.viewers);
    let mut load_errors = 0u64;
    for chunk in (0..args.viewers).collect::<Vec<_>>().chunks(50) {
        let loads = chunk.iter().map(|&i| {
            let mut page = Page::new(addr_of(i), conv_path.clone(), args.sync.clone(), client.clone());
            async move { page.sync().await.map(|_| page) }
        });
        for p in futures_util::future::join_all(loads).await {
            match p {
                Ok(p) => pages.push(p),
                Err(e) => {
                    load_errors += 1;
                    eprintln!("mufakat-load: a viewer could not load the log: {e}");
                }
            }
        }
    }
    if args.viewers > 0 {
        let held = pages.first().map_or(0, |p| p.have);
        eprintln!("{} viewers loaded the log ({held} entries) in {:.1?}", pages.len(), started.elapsed());
    }
    let errors = Arc::new(AtomicU64::new(0));
    let t0 = Instant::now();
    let measure_from = t0 + Duration::from_secs(args.warmup);
    let end = measure_from + Duration::from_secs(args.seconds);
    let plan_of = |n: usize| Plan {
        interval: (args.rate > 0.0).then(|| Duration::from_secs_f64(n as f64 / args.rate)),
        measure_from,
        end,
    };
    let plan = plan_of(tokens.len().max(1));
    let path = format!("{conv_path}/votes");
    let tasks: Vec<_> = tokens
        .into_iter()
        .map(|(i, token)| {
            let (addr, path, statements, errors) =
                (addr_of(i), path.clone(), statements.clone(), errors.clone());
            tokio::spawn(participant(addr, path, token, statements, errors, plan))
        })
        .collect();
    let (events_tx, events_rx) = tokio::sync::watch::channel(0u64);
    let shared = (args.viewers > 0 && args.shared_events && !args.idle)
        .then(|| tokio::spawn(follow_events(addr_of(0), args.conversation.clone(), events_tx)));
    let viewers: Vec<_> = pages
        .into_iter()
        .map(|page| {
            let (addr, conversation) = (page.addr.clone(), args.conversation.clone());
            let (shared, idle, rx) = (args.shared_events, args.idle, events_rx.clone());
            tokio::spawn(async move {
                if shared || idle {
                    return viewer(page, rx, plan, idle).await;
                }
                // Each page has its own live event stream, as in a browser.
                let (tx, rx) = tokio::sync::watch::channel(0u64);
                let events = tokio::spawn(follow_events(addr, conversation, tx));
                let out = viewer(page, rx, plan, false).await;
                events.abort();
                out
            })
        })
        .collect();
    let cpu = args.server_pid.map(|pid| {
        tokio::spawn(async move {
            tokio::time::sleep_until(measure_from.into()).await;
            let before = cpu_seconds(pid);
            tokio::time::sleep_until(end.into()).await;
            Some(cpu_seconds(pid)? - before?)
        })
    });
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
    let (mut bytes, mut not_modified) = (0u64, 0u64);
    for v in viewers {
        if let Ok((t, b, nm)) = v.await {
            syncs.votes += t.votes;
            syncs.all_votes += t.all_votes;
            syncs.latencies_us.extend(t.latencies_us);
            bytes += b;
            not_modified += nm;
        }
    }
    if let Some(l) = shared {
        l.abort();
    }
    let server_cpu = match cpu {
        Some(c) => c.await.ok().flatten(),
        None => None,
    };
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
            "viewers={} sync={} syncs={} syncs_not_modified={} sync_p50_ms={:.2} sync_p99_ms={:.2} sync_max_ms={:.2} sync_errors={} load_errors={} sync_bytes_per_sync={:.0}",
            args.viewers,
            args.sync,
            n,
            not_modified,
            q(0.50),
            q(0.99),
            q(1.0),
            syncs.all_votes,
            load_errors,
            if n > 0 { bytes as f64 / n as f64 } else { 0.0 }
        );
    }
    let rate = all.votes as f64 / args.seconds as f64;
    println!(
        "participants={} target_rate={} seconds={} votes_total={} votes={} votes_per_s={:.0} p50_ms={:.2} p90_ms={:.2} p99_ms={:.2} max_ms={:.2} errors={}",
        voters,
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
    if let Some(cpu) = server_cpu {
        let per = |n: u64| if n > 0 { cpu * 1e6 / n as f64 } else { 0.0 };
        println!(
            "window_server_cpu_s={cpu:.2} server_cpu_share={:.3} server_cpu_us_per_sync={:.1} server_cpu_us_per_vote={:.1}",
            cpu / args.seconds as f64,
            per(syncs.latencies_us.len() as u64),
            per(all.votes)
        );
    }
}

/// A process's CPU time (user + system), in seconds, from `/proc/<pid>/stat`.
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces): state is the first; utime and
    // stime are the 12th and 13th.
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    let hz = std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse::<f64>().ok())
        .unwrap_or(100.0);
    Some(ticks / hz)
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

/// An answer: status, the headers the generator reads, body.
struct Answer {
    status: u16,
    etag: Option<String>,
    gzip: bool,
    body: Vec<u8>,
}

impl Connection {
    async fn open(addr: &str) -> std::io::Result<Connection> {
        let stream = tokio::net::TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Connection { stream, buf: Vec::with_capacity(4096) })
    }

    async fn exchange(&mut self, request: &[u8]) -> std::io::Result<(u16, Vec<u8>)> {
        self.exchange_full(request).await.map(|a| (a.status, a.body))
    }

    async fn exchange_full(&mut self, request: &[u8]) -> std::io::Result<Answer> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string());
        self.stream.write_all(request).await?;
        self.buf.clear();
        let mut chunk = [0u8; 16384];
        // Headers first, then as much body as Content-Length says (none for a 304).
        let (head_end, status, length, etag, gzip) = loop {
            let n = self.stream.read(&mut chunk).await?;
            if n == 0 {
                return Err(bad("connection closed"));
            }
            self.buf.extend_from_slice(&chunk[..n]);
            if let Some(at) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = std::str::from_utf8(&self.buf[..at]).map_err(|_| bad("headers"))?;
                let status: u16 =
                    head.get(9..12).and_then(|s| s.parse().ok()).ok_or_else(|| bad("status"))?;
                let header = |name: &str| {
                    head.lines().find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        k.trim().eq_ignore_ascii_case(name).then(|| v.trim().to_string())
                    })
                };
                let length = match header("content-length").and_then(|v| v.parse::<usize>().ok()) {
                    Some(n) => n,
                    None if status == 304 || status == 204 => 0,
                    None => return Err(bad("no content-length")),
                };
                let gzip = header("content-encoding").is_some_and(|v| v.eq_ignore_ascii_case("gzip"));
                break (at + 4, status, length, header("etag"), gzip);
            }
        };
        while self.buf.len() < head_end + length {
            let n = self.stream.read(&mut chunk).await?;
            if n == 0 {
                return Err(bad("connection closed"));
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
        Ok(Answer { status, etag, gzip, body: self.buf[head_end..head_end + length].to_vec() })
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

/// One page watching: syncs on every event (one at a time; events during a sync make one
/// more), or back to back when `idle`. Returns the syncs timed in the window (`votes` =
/// count, `all_votes` = errors), the bytes they read, and how many were 304s.
async fn viewer(
    mut page: Page,
    mut rx: tokio::sync::watch::Receiver<u64>,
    plan: Plan,
    idle: bool,
) -> (Tally, u64, u64) {
    let mut tally = Tally::default();
    let mut bytes = 0u64;
    let not_modified_before = page.not_modified;
    loop {
        if idle {
            if Instant::now() >= plan.end {
                break;
            }
        } else {
            let Ok(Ok(())) = tokio::time::timeout_at(plan.end.into(), rx.changed()).await else { break };
        }
        let t = Instant::now();
        let result = page.sync().await;
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
    (tally, bytes, page.not_modified - not_modified_before)
}

/// What a page keeps between syncs: its connection, the entries it holds (only their count
/// matters here) and, as a browser's HTTP cache does, the last answer's ETag to revalidate.
struct Page {
    addr: String,
    /// `/api/v1/conversations/{id}`
    path: String,
    sync: String,
    client: reqwest::Client,
    conn: Option<Connection>,
    have: u64,
    /// The last request's path and its answer's ETag.
    etag: Option<(String, String)>,
    not_modified: u64,
}

impl Page {
    fn new(addr: String, path: String, sync: String, client: reqwest::Client) -> Page {
        Page { addr, path, sync, client, conn: None, have: 0, etag: None, not_modified: 0 }
    }

    /// One sync as a page does it; returns the bytes read off the wire.
    async fn sync(&mut self) -> Result<u64, String> {
        use mufakat_core::votelog::{decode, SEGMENT_SIZE};
        if self.sync == "votes" {
            let url = format!("http://{}{}/votes", self.addr, self.path);
            let r = self.client.get(url).header("accept-encoding", "gzip").send().await;
            let r = r.map_err(|e| e.to_string())?;
            let status = r.status().as_u16();
            let body = r.bytes().await.map_err(|e| e.to_string())?;
            return if status == 200 { Ok(body.len() as u64) } else { Err(format!("HTTP {status}")) };
        }
        let mut read = 0u64;
        loop {
            // Only the count of entries held matters here: `LogReplica::next_request`'s rule.
            let (segment, since) = if self.have.is_multiple_of(SEGMENT_SIZE) {
                (self.have / SEGMENT_SIZE, None)
            } else {
                (self.have / SEGMENT_SIZE, Some(self.have - 1))
            };
            let q = since.map(|s| format!("?since={s}")).unwrap_or_default();
            let url = format!("{}/log/{segment}{q}", self.path);
            let revalidate = match &self.etag {
                Some((u, e)) if *u == url => format!("if-none-match: {e}\r\n"),
                _ => String::new(),
            };
            let request = format!(
                "GET {url} HTTP/1.1\r\nhost: {}\r\naccept-encoding: gzip\r\n{revalidate}\r\n",
                self.addr
            );
            let answer = match self.conn.as_mut() {
                Some(c) => c.exchange_full(request.as_bytes()).await,
                None => match Connection::open(&self.addr).await {
                    Ok(c) => self.conn.insert(c).exchange_full(request.as_bytes()).await,
                    Err(e) => Err(e),
                },
            };
            let answer = answer.map_err(|e| {
                self.conn = None;
                e.to_string()
            })?;
            read += answer.body.len() as u64;
            match answer.status {
                304 => {
                    self.not_modified += 1;
                    return Ok(read);
                }
                404 => return Ok(read),
                200 => {}
                s => return Err(format!("HTTP {s}")),
            }
            if let Some(e) = answer.etag {
                self.etag = Some((url, e));
            }
            // A full segment: the count from its head is enough (the generator shares the
            // machine with the server); a tail is decoded whole.
            let (first, n) = if since.is_none() && answer.gzip {
                chunk_head(&answer.body)?
            } else {
                let plain = if answer.gzip { gunzip(&answer.body)? } else { answer.body };
                let chunk = decode(&plain).map_err(|e| e.to_string())?;
                (chunk.first_seq, chunk.entries.len() as u64)
            };
            self.have = self.have.max(first + n);
            if since.is_some() || n < SEGMENT_SIZE {
                return Ok(read);
            }
        }
    }
}

fn gunzip(body: &[u8]) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(body).read_to_end(&mut out).map_err(|e| e.to_string())?;
    Ok(out)
}

/// `first_seq` and `count` from the head of a gzipped chunk (docs/vote-log.md).
fn chunk_head(gz: &[u8]) -> Result<(u64, u64), String> {
    use std::io::Read;
    let mut head = Vec::with_capacity(32);
    flate2::read::GzDecoder::new(gz).take(32).read_to_end(&mut head).map_err(|e| e.to_string())?;
    if head.first() != Some(&1) {
        return Err("not a version 1 chunk".into());
    }
    let mut at = 1;
    let mut varint = || {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = *head.get(at).ok_or("short chunk head")?;
            at += 1;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("bad varint".to_string())
    };
    let first = varint()?;
    Ok((first, varint()?))
}
