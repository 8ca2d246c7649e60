//! Hostile-client probe behind SECURITY.md's and BENCHMARKS.md's figures: what a login storm
//! costs the server and whether slowloris connections are closed. It talks to a running
//! `mufakat serve` on 127.0.0.1 (it refuses any other address) and reads the server's
//! memory from /proc/<pid>/status, so it runs on the server's machine. Bounded: at most
//! 2,000 logins or connections, at most 300 seconds.
//!
//!   # N concurrent wrong logins, all at once; peak RSS (VmRSS sampled every 10 ms, and
//!   # VmHWM), time until every answer is in, and the status counts. --clients gives each
//!   # login its own X-Forwarded-For address (start the server with --trusted-proxies
//!   # 127.0.0.1): a botnet rather than one address.
//!   cargo run --release -p mufakat-server --example probe -- logins \
//!       --addr 127.0.0.1:18091 --pid 12345 --count 200 [--clients]
//!
//!   # N connections that send one byte ("G") and then nothing; how many the server closed
//!   # within --seconds, and whether GET /healthz (a new connection every 2 s, 5 s timeout)
//!   # answered meanwhile.
//!   cargo run --release -p mufakat-server --example probe -- slowloris \
//!       --addr 127.0.0.1:18091 --count 500 --seconds 60
//!
//! Open files: the probe holds one descriptor per connection; `ulimit -n` must allow it.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const MAX_COUNT: usize = 2000;
const MAX_SECONDS: u64 = 300;

struct Args {
    mode: String,
    addr: SocketAddr,
    pid: Option<u32>,
    count: usize,
    seconds: u64,
    clients: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let mode = it.next().ok_or("usage: probe logins|slowloris --addr 127.0.0.1:PORT [...]")?;
    let mut a = Args {
        mode,
        addr: "127.0.0.1:8080".parse().unwrap(),
        pid: None,
        count: 200,
        seconds: 60,
        clients: false,
    };
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--addr" => a.addr = value()?.parse().map_err(|e| format!("--addr: {e}"))?,
            "--pid" => a.pid = Some(value()?.parse().map_err(|e| format!("--pid: {e}"))?),
            "--count" => a.count = value()?.parse().map_err(|e| format!("--count: {e}"))?,
            "--seconds" => a.seconds = value()?.parse().map_err(|e| format!("--seconds: {e}"))?,
            "--clients" => a.clients = true,
            other => return Err(format!("unknown flag {other}")),
        }
    }
    if !a.addr.ip().is_loopback() {
        return Err("the probe only talks to 127.0.0.1".into());
    }
    if a.count == 0 || a.count > MAX_COUNT || a.seconds == 0 || a.seconds > MAX_SECONDS {
        return Err(format!("--count 1..={MAX_COUNT}, --seconds 1..={MAX_SECONDS}"));
    }
    Ok(a)
}

/// VmRSS and VmHWM of `pid`, in KiB.
fn memory_kib(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status.lines().find(|l| l.starts_with(name))?.split_whitespace().nth(1)?.parse::<u64>().ok()
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

fn mib(kib: u64) -> String {
    format!("{:.0} MiB", kib as f64 / 1024.0)
}

/// One wrong login on its own connection; the status code, or 0 for no answer.
async fn wrong_login(addr: SocketAddr, i: usize, clients: bool) -> u16 {
    let body = format!(r#"{{"username":"admin","password":"wrong-{i}"}}"#);
    let forwarded = if clients {
        format!("x-forwarded-for: 10.{}.{}.{}\r\n", i / 65536 % 256, i / 256 % 256, i % 256)
    } else {
        String::new()
    };
    let req = format!(
        "POST /api/v1/admin/login HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\nx-mufakat-csrf: 1\r\n{forwarded}content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let attempt = async {
        let mut s = TcpStream::connect(addr).await.ok()?;
        s.write_all(req.as_bytes()).await.ok()?;
        let mut head = Vec::new();
        let mut buf = [0u8; 1024];
        while !head.windows(2).any(|w| w == b"\r\n") {
            let n = s.read(&mut buf).await.ok()?;
            if n == 0 {
                break;
            }
            head.extend_from_slice(&buf[..n]);
        }
        String::from_utf8_lossy(&head).split_whitespace().nth(1)?.parse().ok()
    };
    tokio::time::timeout(Duration::from_secs(MAX_SECONDS), attempt).await.ok().flatten().unwrap_or(0)
}

async fn logins(a: &Args) {
    let pid = a.pid;
    let before = pid.and_then(memory_kib);
    let peak = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicUsize::new(0));
    let sampler = {
        let (peak, done, count) = (peak.clone(), done.clone(), a.count);
        tokio::spawn(async move {
            while done.load(Ordering::Relaxed) < count {
                if let Some((rss, _)) = pid.and_then(memory_kib) {
                    peak.fetch_max(rss, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
    };
    let start = Instant::now();
    let tasks: Vec<_> = (0..a.count)
        .map(|i| {
            let (addr, clients, done) = (a.addr, a.clients, done.clone());
            tokio::spawn(async move {
                let status = wrong_login(addr, i, clients).await;
                done.fetch_add(1, Ordering::Relaxed);
                status
            })
        })
        .collect();
    let mut counts = BTreeMap::<u16, usize>::new();
    for t in tasks {
        *counts.entry(t.await.unwrap_or(0)).or_default() += 1;
    }
    let took = start.elapsed();
    let _ = sampler.await;
    let after = pid.and_then(memory_kib);
    let counts: Vec<String> = counts.iter().map(|(s, n)| format!("{s}: {n}")).collect();
    println!(
        "logins={} clients={} all_answered_after={:.1}s statuses={{{}}} rss_before={} rss_peak_sampled={} vm_hwm={}",
        a.count,
        if a.clients { "distinct" } else { "one" },
        took.as_secs_f64(),
        counts.join(", "),
        before.map(|(r, _)| mib(r)).unwrap_or("?".into()),
        if pid.is_some() { mib(peak.load(Ordering::Relaxed)) } else { "?".into() },
        after.map(|(_, h)| mib(h)).unwrap_or("?".into()),
    );
}

/// Sends `GET /healthz` on a new connection; the time to the answer if it said ok.
async fn healthz(addr: SocketAddr) -> Option<Duration> {
    let start = Instant::now();
    let check = async {
        let mut s = TcpStream::connect(addr).await.ok()?;
        s.write_all(b"GET /healthz HTTP/1.1\r\nhost: probe\r\nconnection: close\r\n\r\n").await.ok()?;
        let mut out = Vec::new();
        s.read_to_end(&mut out).await.ok()?;
        String::from_utf8_lossy(&out).ends_with("ok").then(|| start.elapsed())
    };
    tokio::time::timeout(Duration::from_secs(5), check).await.ok().flatten()
}

async fn slowloris(a: &Args) {
    let window = Duration::from_secs(a.seconds);
    let start = Instant::now();
    let closed = Arc::new(AtomicUsize::new(0));
    let mut opened = 0;
    let mut held = Vec::new();
    for _ in 0..a.count {
        let Ok(Ok(mut s)) = tokio::time::timeout(Duration::from_secs(2), TcpStream::connect(a.addr)).await
        else {
            continue;
        };
        if s.write_all(b"G").await.is_err() {
            continue;
        }
        opened += 1;
        let closed = closed.clone();
        held.push(tokio::spawn(async move {
            let mut buf = [0u8; 256];
            loop {
                match tokio::time::timeout_at((start + window).into(), s.read(&mut buf)).await {
                    Err(_) => return, // still open at the end of the window
                    Ok(Ok(0)) | Ok(Err(_)) => {
                        closed.fetch_add(1, Ordering::Relaxed);
                        return;
                    }
                    Ok(Ok(_)) => {} // e.g. a 408 or 400 before the close
                }
            }
        }));
    }
    let opened_after = start.elapsed();
    let (mut asked, mut answered, mut slowest) = (0, 0, Duration::ZERO);
    while start.elapsed() + Duration::from_secs(5) < window {
        asked += 1;
        if let Some(t) = healthz(a.addr).await {
            answered += 1;
            slowest = slowest.max(t);
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    for h in held {
        let _ = h.await;
    }
    println!(
        "slowloris={} opened={} (in {:.1}s) closed_by_server_within_{}s={} healthz_answered={}/{} slowest_healthz={:.2}s",
        a.count,
        opened,
        opened_after.as_secs_f64(),
        a.seconds,
        closed.load(Ordering::Relaxed),
        answered,
        asked,
        slowest.as_secs_f64()
    );
}

#[tokio::main]
async fn main() {
    let a = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    match a.mode.as_str() {
        "logins" => logins(&a).await,
        "slowloris" => slowloris(&a).await,
        other => {
            eprintln!("unknown mode {other}: logins or slowloris");
            std::process::exit(2);
        }
    }
}
