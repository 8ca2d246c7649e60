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
//! and only the head of full segments. As the pages do (`client::sync_log`), a viewer waits
//! a random time up to `--spread-ms` (default 250, the pages' `SYNC_SPREAD_MS`) after an
//! event, then asks for the log up to the event's `entries` (a closed range,
//! `?since=&until=`; to the log's end from servers whose events do not carry it).
//! `--old-page`: as pages did before (no wait, `?since=` to the log's end), for servers
//! before the range. Reported: sync latency (request to answer) and "fresh" (event received
//! to its entries in hand, the wait included), per event. `--idle`: no voters, viewers sync
//! back to back with nothing new (304s). `--server-pid PID` reports the server's CPU time in
//! the measured window, per vote and per sync. Failed votes and syncs are counted by
//! reason, and the first few printed as they happen.
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
    /// Most a viewer waits, at random, after an event before it syncs.
    spread: Duration,
    /// Viewers sync as pages did before the closed range: at once, to the log's end.
    old_page: bool,
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
        spread: Duration::from_millis(250),
        old_page: false,
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
            "--spread-ms" => {
                a.spread = Duration::from_millis(value()?.parse().map_err(|e| format!("--spread-ms: {e}"))?)
            }
            "--old-page" => a.old_page = true,
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
    if a.spread > Duration::from_secs(10) {
        return Err("--spread-ms 0..=10000".into());
    }
    if a.old_page {
        a.spread = Duration::ZERO;
    }
    Ok(a)
}

#[derive(Default)]
struct Tally {
    latencies_us: Vec<u32>,
    votes: u64,
    /// Votes acknowledged at any time, warm-up included.
    all_votes: u64,
    /// Viewers: from a `votes` event received to its entries in hand (the wait included).
    fresh_us: Vec<u32>,
}

/// Why requests failed: a count by reason (and phase), the first few printed as they happen.
struct Failures {
    by_reason: std::sync::Mutex<std::collections::BTreeMap<String, u64>>,
    printed: AtomicU64,
    measure_from: Instant,
}

impl Failures {
    fn new(measure_from: Instant) -> Failures {
        Failures { by_reason: Default::default(), printed: AtomicU64::new(0), measure_from }
    }

    /// `what` failed (a vote, a sync) for `reason` (no varying figures: it is a count's
    /// key); `detail` is printed with the first few.
    fn record(&self, what: &str, reason: &str, detail: &str) {
        let now = Instant::now();
        let phase = if now < self.measure_from { "warm-up" } else { "measured" };
        if self.printed.fetch_add(1, Ordering::Relaxed) < 8 {
            let at = now.saturating_duration_since(self.measure_from).as_secs_f64()
                - self.measure_from.saturating_duration_since(now).as_secs_f64();
            eprintln!(
                "mufakat-load: a {what} failed at {at:+.2} s from the window's start: {reason} {detail}"
            );
        }
        let mut m = self.by_reason.lock().unwrap_or_else(|e| e.into_inner());
        *m.entry(format!("{what} ({phase}): {reason}")).or_default() += 1;
    }

    fn report(&self) {
        let m = self.by_reason.lock().unwrap_or_else(|e| e.into_inner());
        for (reason, n) in m.iter() {
            eprintln!("mufakat-load: failures: {n} × {reason}");
        }
    }
}

/// What an I/O failure on a connection says about it: the error, and whether the connection
/// was new or reused (and how long it had been idle: the server closes idle ones).
fn io_reason(e: &std::io::Error, conn: Option<&Connection>) -> (String, String) {
    match conn {
        Some(c) if c.uses > 1 => (
            format!("{e} (a reused keep-alive connection)"),
            format!("(request {} on it, idle {} ms before)", c.uses, c.idle_before.as_millis()),
        ),
        Some(_) => (format!("{e} (its first request on a new connection)"), String::new()),
        None => (format!("{e} (connecting)"), String::new()),
    }
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
            let mut page =
                Page::new(addr_of(i), conv_path.clone(), args.sync.clone(), !args.old_page, client.clone());
            async move { page.sync(None).await.map(|_| page) }
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
    let failures = Arc::new(Failures::new(measure_from));
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
            let (addr, path, statements, errors, failures) =
                (addr_of(i), path.clone(), statements.clone(), errors.clone(), failures.clone());
            tokio::spawn(participant(addr, path, token, statements, errors, failures, plan))
        })
        .collect();
    let (events_tx, _) = tokio::sync::broadcast::channel::<VotesEvent>(EVENTS_QUEUED);
    let shared = (args.viewers > 0 && args.shared_events && !args.idle)
        .then(|| tokio::spawn(follow_events(addr_of(0), args.conversation.clone(), events_tx.clone())));
    let viewers: Vec<_> = pages
        .into_iter()
        .map(|page| {
            let (addr, conversation) = (page.addr.clone(), args.conversation.clone());
            let (shared, idle, rx) = (args.shared_events, args.idle, events_tx.subscribe());
            let how = Viewing { plan, idle, spread: args.spread, failures: failures.clone() };
            tokio::spawn(async move {
                if shared || idle {
                    return viewer(page, rx, how).await;
                }
                // Each page has its own live event stream, as in a browser.
                let (tx, rx) = tokio::sync::broadcast::channel(EVENTS_QUEUED);
                let events = tokio::spawn(follow_events(addr, conversation, tx));
                let out = viewer(page, rx, how).await;
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
            syncs.fresh_us.extend(t.fresh_us);
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
    syncs.fresh_us.sort_unstable();
    failures.report();
    if args.viewers > 0 {
        let n = syncs.latencies_us.len();
        let q = |p: f64| {
            if n == 0 {
                return 0.0;
            }
            syncs.latencies_us[((n as f64 * p) as usize).min(n - 1)] as f64 / 1000.0
        };
        let fresh = |p: f64| {
            let n = syncs.fresh_us.len();
            if n == 0 {
                return 0.0;
            }
            syncs.fresh_us[((n as f64 * p) as usize).min(n - 1)] as f64 / 1000.0
        };
        println!(
            "viewers={} sync={} page={} spread_ms={} syncs={} syncs_not_modified={} sync_p50_ms={:.2} sync_p99_ms={:.2} sync_max_ms={:.2} fresh_p50_ms={:.2} fresh_p99_ms={:.2} events_missed={} sync_errors={} load_errors={} sync_bytes_per_sync={:.0}",
            args.viewers,
            args.sync,
            if args.old_page { "old" } else { "range" },
            args.spread.as_millis(),
            n,
            not_modified,
            q(0.50),
            q(0.99),
            q(1.0),
            fresh(0.50),
            fresh(0.99),
            syncs.votes,
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
    failures: Arc<Failures>,
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
                Err(e) => {
                    failures.record("vote", "an answer that does not parse", &e.to_string());
                    false
                }
            },
            Ok((status, body)) => {
                let body = String::from_utf8_lossy(&body);
                failures.record(
                    "vote",
                    &format!("HTTP {status}"),
                    &body.chars().take(200).collect::<String>(),
                );
                false
            }
            Err(e) => {
                let (reason, detail) = io_reason(&e, conn.as_ref());
                failures.record("vote", &reason, &detail);
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
    /// Requests written on it, the current one included.
    uses: u64,
    /// How long it was idle before the current request.
    idle_before: Duration,
    last_answer: Option<Instant>,
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
        Ok(Connection {
            stream,
            buf: Vec::with_capacity(4096),
            uses: 0,
            idle_before: Duration::ZERO,
            last_answer: None,
        })
    }

    async fn exchange(&mut self, request: &[u8]) -> std::io::Result<(u16, Vec<u8>)> {
        self.exchange_full(request).await.map(|a| (a.status, a.body))
    }

    async fn exchange_full(&mut self, request: &[u8]) -> std::io::Result<Answer> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string());
        self.uses += 1;
        self.idle_before = self.last_answer.map_or(Duration::ZERO, |t| t.elapsed());
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
                    None => {
                        // Print what came instead (the generator reads only sized answers).
                        let shown: String = head.chars().take(400).collect::<String>().replace("\r\n", " | ");
                        return Err(bad(&format!("no content-length in a {status} answer [{shown}]")));
                    }
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
        self.last_answer = Some(Instant::now());
        Ok(Answer { status, etag, gzip, body: self.buf[head_end..head_end + length].to_vec() })
    }
}

/// A `votes` live event as a viewer got it: the log's length it carries (`entries`, 0 from
/// servers before it) and when it arrived.
#[derive(Clone, Copy, Debug)]
struct VotesEvent {
    entries: u64,
    at: Instant,
}

/// Events a viewer may fall behind by before it misses some (counted).
const EVENTS_QUEUED: usize = 256;

/// Follows the conversation's live events (raw SSE over one connection) and sends every
/// `votes` event, as the pages' EventSource gets it.
async fn follow_events(addr: String, conversation: String, tx: tokio::sync::broadcast::Sender<VotesEvent>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let Ok(mut stream) = tokio::net::TcpStream::connect(&addr).await else { return };
    let req = format!(
        "GET /api/v1/conversations/{conversation}/events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
    );
    if stream.write_all(req.as_bytes()).await.is_err() {
        return;
    }
    let mut lines = BufReader::new(stream).lines();
    let mut votes = false;
    while let Ok(Some(line)) = lines.next_line().await {
        let line = line.trim();
        if let Some(name) = line.strip_prefix("event:") {
            votes = name.trim() == "votes";
        } else if let (true, Some(data)) = (votes, line.strip_prefix("data:")) {
            let entries = serde_json::from_str::<Value>(data.trim())
                .ok()
                .and_then(|v| v["entries"].as_u64())
                .unwrap_or(0);
            let _ = tx.send(VotesEvent { entries, at: Instant::now() });
            votes = false;
        }
    }
}

/// How a viewer runs.
#[derive(Clone)]
struct Viewing {
    plan: Plan,
    idle: bool,
    /// Most it waits, at random, after an event before it syncs.
    spread: Duration,
    failures: Arc<Failures>,
}

/// One page watching: on an event, waits a random time up to `spread`, then syncs up to
/// the newest event's `entries` (one sync at a time; events during a wait or a sync are
/// served by the next), or syncs back to back when `idle`. Returns the syncs timed in the
/// window (`votes` = events missed, `all_votes` = errors, `fresh_us` = from each event to
/// its entries in hand), the bytes they read, and how many were 304s.
async fn viewer(
    mut page: Page,
    mut rx: tokio::sync::broadcast::Receiver<VotesEvent>,
    how: Viewing,
) -> (Tally, u64, u64) {
    use tokio::sync::broadcast::error::{RecvError, TryRecvError};
    let plan = how.plan;
    let mut tally = Tally::default();
    let mut bytes = 0u64;
    let not_modified_before = page.not_modified;
    loop {
        let mut events = Vec::new();
        if how.idle {
            if Instant::now() >= plan.end {
                break;
            }
        } else {
            match tokio::time::timeout_at(plan.end.into(), rx.recv()).await {
                Ok(Ok(e)) => events.push(e),
                Ok(Err(RecvError::Lagged(n))) => tally.votes += n,
                _ => break,
            }
            if !how.spread.is_zero() {
                let wait = how.spread.mul_f64(rand::thread_rng().gen::<f64>());
                tokio::time::sleep(wait).await;
            }
            // Every event received meanwhile is served by this sync.
            loop {
                match rx.try_recv() {
                    Ok(e) => events.push(e),
                    Err(TryRecvError::Lagged(n)) => tally.votes += n,
                    Err(_) => break,
                }
            }
        }
        let target = events.iter().map(|e| e.entries).max().filter(|&n| n > 0);
        let t = Instant::now();
        let result = page.sync(target).await;
        let done = Instant::now();
        let in_window = t >= plan.measure_from && t < plan.end;
        match result {
            Ok(b) if in_window => {
                tally.latencies_us.push(micros(done - t));
                tally.fresh_us.extend(events.iter().map(|e| micros(done - e.at)));
                bytes += b;
            }
            Err(e) => {
                if in_window {
                    tally.all_votes += 1;
                }
                how.failures.record("sync", &e.reason, &e.detail);
            }
            _ => {}
        }
    }
    (tally, bytes, page.not_modified - not_modified_before)
}

fn micros(d: Duration) -> u32 {
    d.as_micros().min(u32::MAX as u128) as u32
}

/// Why a sync failed: `reason` is a count's key, `detail` is printed with the first few.
#[derive(Debug)]
struct SyncError {
    reason: String,
    detail: String,
}

impl std::fmt::Display for SyncError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.reason, self.detail)
    }
}

fn sync_error(reason: impl Into<String>) -> SyncError {
    SyncError { reason: reason.into(), detail: String::new() }
}

/// What a page keeps between syncs: its connection, the entries it holds (only their count
/// matters here) and, as a browser's HTTP cache does, the last answer's ETag to revalidate.
struct Page {
    addr: String,
    /// `/api/v1/conversations/{id}`
    path: String,
    sync: String,
    /// Sync up to an event's `entries` (a closed range), as pages do since it exists.
    range: bool,
    client: reqwest::Client,
    conn: Option<Connection>,
    have: u64,
    /// The last request's path and its answer's ETag.
    etag: Option<(String, String)>,
    not_modified: u64,
}

impl Page {
    fn new(addr: String, path: String, sync: String, range: bool, client: reqwest::Client) -> Page {
        Page { addr, path, sync, range, client, conn: None, have: 0, etag: None, not_modified: 0 }
    }

    /// One sync as a page does it (`client::sync_log`): up to `target` entries (an event's
    /// `entries`) in closed ranges, or to the log's end; returns the bytes read off the wire.
    async fn sync(&mut self, target: Option<u64>) -> Result<u64, SyncError> {
        use mufakat_core::votelog::{decode, LogRequest, SEGMENT_SIZE};
        if self.sync == "votes" {
            let url = format!("http://{}{}/votes", self.addr, self.path);
            let r = self.client.get(url).header("accept-encoding", "gzip").send().await;
            let r = r.map_err(|e| sync_error(e.to_string()))?;
            let status = r.status().as_u16();
            let body = r.bytes().await.map_err(|e| sync_error(e.to_string()))?;
            return if status == 200 {
                Ok(body.len() as u64)
            } else {
                Err(sync_error(format!("HTTP {status}")))
            };
        }
        let mut target = target.filter(|_| self.range);
        let mut read = 0u64;
        loop {
            // Only the count of entries held matters here: `LogReplica`'s rules.
            let req = match target {
                Some(t) => match LogRequest::towards(self.have, t) {
                    Some(r) => r,
                    None => return Ok(read),
                },
                None => LogRequest::after(self.have),
            };
            let url = format!("{}/log/{}{}", self.path, req.segment, req.query());
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
            let answer = match answer {
                Ok(a) => a,
                Err(e) => {
                    let (reason, detail) = io_reason(&e, self.conn.as_ref());
                    self.conn = None;
                    return Err(SyncError { reason, detail });
                }
            };
            read += answer.body.len() as u64;
            match answer.status {
                304 => {
                    self.not_modified += 1;
                    return Ok(read);
                }
                404 => return Ok(read),
                // A range this server does not have: to its log's end, as the page does.
                400 if req.until.is_some() => {
                    target = None;
                    continue;
                }
                200 => {}
                s => {
                    let body = String::from_utf8_lossy(&answer.body).chars().take(200).collect();
                    return Err(SyncError { reason: format!("HTTP {s}"), detail: body });
                }
            }
            if let Some(e) = answer.etag {
                self.etag = Some((url, e));
            }
            // A full segment: the count from its head is enough (the generator shares the
            // machine with the server); a tail or a range is decoded whole.
            let (first, n) = if req.since.is_none() && req.until.is_none() && answer.gzip {
                chunk_head(&answer.body).map_err(sync_error)?
            } else {
                let plain = if answer.gzip { gunzip(&answer.body).map_err(sync_error)? } else { answer.body };
                let chunk = decode(&plain).map_err(|e| sync_error(e.to_string()))?;
                (chunk.first_seq, chunk.entries.len() as u64)
            };
            self.have = self.have.max(first + n);
            let done = match target {
                Some(_) => n == 0,
                None => req.since.is_some() || n < SEGMENT_SIZE,
            };
            if done {
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
