//! The server against a hostile client on the network: spoofed origin headers, login
//! guessing and storms, and connections that stall. SQLite only: none of this touches SQL
//! beyond what api.rs covers on every backend.

mod common;

use common::{conversation, moderator, unlimited, TestServer};
use mufakat_server::app::Limits;
use mufakat_server::login_guard::LoginLimits;
use std::time::Duration;

const SEEDS: &[&str] = &["Parks should stay open at night", "The market needs more shade"];

async fn sqlite() -> common::Backend {
    common::backends().await.remove(0)
}

async fn qr_with(s: &TestServer, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut r = reqwest::Client::new().get(s.api("/conversations/c/qr.svg"));
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    r.send().await.expect("qr")
}

#[tokio::test]
async fn qr_code_of_an_overlong_or_malformed_host_is_400_not_500() {
    let b = sqlite().await;
    let s = TestServer::start(&b.url, unlimited()).await;
    let admin = moderator(&s).await;
    conversation(&s, &admin, "c", SEEDS).await;
    let long = format!("{}.example", "a".repeat(2900));
    for host in [long.as_str(), "evil.example/phish?", "user@evil.example"] {
        let r = qr_with(&s, &[("host", host)]).await;
        assert_eq!(r.status(), 400, "Host {host:.40}");
        let body: serde_json::Value = r.json().await.expect("JSON error");
        assert_eq!(body["error"]["code"], "invalid_header");
    }
    s.stop().await;
}

#[tokio::test]
async fn qr_codes_for_two_hosts_differ_and_are_not_publicly_cached() {
    let b = sqlite().await;
    let s = TestServer::start(&b.url, unlimited()).await;
    let admin = moderator(&s).await;
    conversation(&s, &admin, "c", SEEDS).await;
    let mut bodies = Vec::new();
    for host in ["a.example", "b.example:8080"] {
        let r = qr_with(&s, &[("host", host), ("x-forwarded-proto", "https://evil.example/phish?")]).await;
        assert_eq!(r.status(), 200);
        let cache = r.headers()["cache-control"].to_str().unwrap().to_string();
        assert!(cache.contains("private") && !cache.contains("public"), "{cache}");
        assert!(r.headers()["vary"].to_str().unwrap().contains("Host"));
        bodies.push(r.text().await.unwrap());
    }
    assert_ne!(bodies[0], bodies[1]);
    // The proto header came from an untrusted peer: the link is the one without it.
    let plain = qr_with(&s, &[("host", "a.example")]).await.text().await.unwrap();
    assert_eq!(plain, bodies[0]);
    s.stop().await;
}

#[tokio::test]
async fn with_a_public_url_the_qr_code_ignores_the_host_and_may_be_cached() {
    let b = sqlite().await;
    let limits = Limits { public_url: Some("https://vote.example.org".parse().unwrap()), ..unlimited() };
    let s = TestServer::start(&b.url, limits).await;
    let admin = moderator(&s).await;
    conversation(&s, &admin, "c", SEEDS).await;
    let one = qr_with(&s, &[("host", "a.example")]).await;
    assert_eq!(one.headers()["cache-control"], "public, max-age=300");
    let one = one.text().await.unwrap();
    let long = "a".repeat(3000);
    let two = qr_with(&s, &[("host", long.as_str())]).await;
    assert_eq!(two.status(), 200);
    assert_eq!(one, two.text().await.unwrap());
    s.stop().await;
}

/// A built app in miniature: each page with an inline module script, as Trunk writes them.
fn tiny_dist() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let page = |script: &str| {
        format!(
            "<!DOCTYPE html><html><head><script type=\"module\">{script}</script></head><body></body></html>"
        )
    };
    std::fs::write(dir.path().join("index.html"), page("import init from '/app.js'; await init();")).unwrap();
    std::fs::create_dir(dir.path().join("console")).unwrap();
    std::fs::write(dir.path().join("console").join("index.html"), page("import init from '/console/c.js';"))
        .unwrap();
    std::fs::write(dir.path().join("app.js"), "export default function init() {}").unwrap();
    dir
}

fn sha256_source(script: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(script)))
}

#[tokio::test]
async fn pages_carry_a_csp_with_their_inline_script_hash_and_framing_rules() {
    let b = sqlite().await;
    let dist = tiny_dist();
    let limits =
        Limits { embed_origins: vec!["'self'".into(), "https://kelurahan.example".into()], ..unlimited() };
    let s = TestServer::start_with_dist(&b.url, limits, Some(dist.path().to_path_buf())).await;
    let get = |path: &str| reqwest::get(format!("{}{path}", s.base));

    let page = get("/c/demo").await.unwrap();
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains(&sha256_source("import init from '/app.js'; await init();")), "{csp}");
    assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval'"), "{csp}");
    assert!(csp.contains("object-src 'none'") && csp.contains("base-uri 'none'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'self' https://kelurahan.example"), "{csp}");
    // The embedding site is not 'self', so X-Frame-Options (which cannot name it) is left out.
    assert!(page.headers().get("x-frame-options").is_none());
    assert_eq!(page.headers()["x-content-type-options"], "nosniff");
    assert_eq!(page.headers()["referrer-policy"], "same-origin");

    for path in ["/admin", "/admin/login", "/p/demo", "/report", "/r/demo"] {
        let r = get(path).await.unwrap();
        let csp = r.headers()["content-security-policy"].to_str().unwrap().to_string();
        assert!(csp.contains(&sha256_source("import init from '/console/c.js';")), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(r.headers()["x-frame-options"], "DENY", "{path}");
    }

    // Scripts get nosniff but no page policy; API answers too, errors included.
    let js = get("/app.js").await.unwrap();
    assert!(js.headers().get("content-security-policy").is_none());
    assert_eq!(js.headers()["x-content-type-options"], "nosniff");
    for path in ["/healthz", "/api/v1/conversations/none"] {
        assert_eq!(get(path).await.unwrap().headers()["x-content-type-options"], "nosniff", "{path}");
    }
    s.stop().await;
}

#[tokio::test]
async fn participant_pages_are_framed_by_this_origin_only_by_default() {
    let b = sqlite().await;
    let dist = tiny_dist();
    let s = TestServer::start_with_dist(&b.url, unlimited(), Some(dist.path().to_path_buf())).await;
    let r = reqwest::get(format!("{}/c/demo", s.base)).await.unwrap();
    let csp = r.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.ends_with("frame-ancestors 'self'"), "{csp}");
    assert_eq!(r.headers()["x-frame-options"], "SAMEORIGIN");
    s.stop().await;
}

async fn login_cookie(s: &TestServer, headers: &[(&str, &str)]) -> String {
    let mut r = reqwest::Client::new()
        .post(s.api("/admin/login"))
        .header("x-mufakat-csrf", "1")
        .json(&serde_json::json!({"username": "mod", "password": "moderator-pass"}));
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    let r = r.send().await.expect("login");
    assert_eq!(r.status(), 200);
    r.headers()["set-cookie"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn session_cookie_is_secure_when_the_public_origin_is_https() {
    let b = sqlite().await;
    let limits = Limits { trusted_proxies: vec!["127.0.0.1".parse().unwrap()], ..unlimited() };
    let s = TestServer::start(&b.url, limits).await;
    moderator(&s).await;
    let plain = login_cookie(&s, &[]).await;
    assert!(!plain.contains("Secure"), "{plain}");
    let proxied = login_cookie(&s, &[("x-forwarded-proto", "https")]).await;
    assert!(proxied.contains("; Secure") && proxied.contains("HttpOnly"), "{proxied}");
    s.stop().await;

    // Not behind a trusted proxy: the header is anyone's and changes nothing; --public-url does.
    let b = sqlite().await;
    let s = TestServer::start(&b.url, unlimited()).await;
    moderator(&s).await;
    assert!(!login_cookie(&s, &[("x-forwarded-proto", "https")]).await.contains("Secure"));
    s.stop().await;
    let b = sqlite().await;
    let limits = Limits { public_url: Some("https://vote.example.org".parse().unwrap()), ..unlimited() };
    let s = TestServer::start(&b.url, limits).await;
    moderator(&s).await;
    assert!(login_cookie(&s, &[]).await.contains("; Secure"));
    s.stop().await;
}

fn login_limits(f: impl FnOnce(&mut LoginLimits)) -> Limits {
    let mut login = LoginLimits::default();
    f(&mut login);
    Limits { login, trusted_proxies: vec!["127.0.0.1".parse().unwrap()], ..unlimited() }
}

async fn add_moderator(s: &TestServer, username: &str, password: &str) {
    let hash = mufakat_server::auth::hash_password(password).expect("hash");
    s.store.create_admin(username, &hash).await.expect("create admin");
}

/// A login from `client` (an address behind the trusted test proxy).
async fn login_from(s: &TestServer, client: &str, username: &str, password: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(s.api("/admin/login"))
        .header("x-mufakat-csrf", "1")
        .header("x-forwarded-for", client)
        .json(&serde_json::json!({"username": username, "password": password}))
        .send()
        .await
        .expect("login")
}

fn retry_after(r: &reqwest::Response) -> u64 {
    r.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok()).unwrap_or(0)
}

#[tokio::test]
async fn the_eleventh_rapid_wrong_login_from_an_address_gets_429_with_retry_after() {
    let b = sqlite().await;
    let s = TestServer::start(&b.url, login_limits(|_| {})).await;
    add_moderator(&s, "mod", "moderator-pass").await;
    for i in 0..10 {
        // Different usernames: this is the address's limit, not a username's.
        let r = login_from(&s, "198.51.100.1", &format!("guess{i}"), "wrong").await;
        assert_eq!(r.status(), 401, "attempt {}", i + 1);
    }
    let r = login_from(&s, "198.51.100.1", "mod", "moderator-pass").await;
    assert_eq!(r.status(), 429);
    let wait = retry_after(&r);
    assert!((1..=12).contains(&wait), "Retry-After {wait}");
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    // Another address is not held back, and the right password works there.
    assert_eq!(login_from(&s, "198.51.100.2", "mod", "moderator-pass").await.status(), 200);
    s.stop().await;
}

#[tokio::test]
async fn a_username_is_locked_after_its_failures_and_opens_again_after_the_wait() {
    let b = sqlite().await;
    let limits = login_limits(|l| {
        l.per_address_per_minute = 0.0;
        // One failure forgiven every 4 s: slow enough that three checks on a loaded machine
        // do not earn one back, short enough to wait out.
        l.failures_per_user = 3.0;
        l.failure_window = std::time::Duration::from_secs(12);
    });
    let s = TestServer::start(&b.url, limits).await;
    add_moderator(&s, "mod", "moderator-pass").await;
    add_moderator(&s, "other", "other-pass").await;
    for i in 0..3 {
        // From ever new addresses: the lock is the username's.
        let r = login_from(&s, &format!("198.51.100.{i}"), "mod", "wrong").await;
        assert_eq!(r.status(), 401);
    }
    // Locked even for the right password (else the lock would tell a guesser when they hit).
    let r = login_from(&s, "198.51.100.9", "mod", "moderator-pass").await;
    assert_eq!(r.status(), 429);
    let wait = retry_after(&r);
    assert!(wait >= 1, "Retry-After {wait}");
    assert_eq!(r.json::<serde_json::Value>().await.unwrap()["error"]["code"], "login_locked");
    assert_eq!(login_from(&s, "198.51.100.9", "other", "other-pass").await.status(), 200);
    tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
    assert_eq!(login_from(&s, "198.51.100.0", "mod", "moderator-pass").await.status(), 200);
    s.stop().await;
}

#[tokio::test]
async fn a_storm_of_concurrent_wrong_logins_never_runs_more_password_checks_than_the_pool() {
    let b = sqlite().await;
    let limits = login_limits(|l| {
        l.workers = 2;
        l.queue = 8;
        l.per_address_per_minute = 0.0;
    });
    let s = TestServer::start(&b.url, limits).await;
    add_moderator(&s, "mod", "moderator-pass").await;
    add_moderator(&s, "other", "other-pass").await;
    let mut storm = Vec::new();
    for i in 0..100 {
        // Known and unknown usernames alike: both go through the pool.
        let user = if i % 2 == 0 { "mod".to_string() } else { format!("ghost{i}") };
        let client = format!("10.0.{}.{}", i / 250, i % 250);
        let base = s.api("/admin/login");
        storm.push(tokio::spawn(async move {
            let r = reqwest::Client::new()
                .post(base)
                .header("x-mufakat-csrf", "1")
                .header("x-forwarded-for", client)
                .json(&serde_json::json!({"username": user, "password": "wrong"}))
                .send()
                .await
                .expect("login");
            let busy_retry = r.status() == 503 && retry_after(&r) >= 1;
            (r.status().as_u16(), busy_retry)
        }));
    }
    let mut counts = std::collections::BTreeMap::<u16, usize>::new();
    for t in storm {
        let (status, busy_retry) = t.await.unwrap();
        assert!(matches!(status, 401 | 429 | 503), "status {status}");
        if status == 503 {
            assert!(busy_retry, "503 without Retry-After");
        }
        *counts.entry(status).or_default() += 1;
    }
    let high = s.state.logins.pool.high_water();
    assert!((1..=2).contains(&high), "{high} password checks ran at once; counts {counts:?}");
    assert!(counts.get(&503).is_some_and(|&n| n > 0), "the queue never overflowed: {counts:?}");
    // The storm is over: the right password works for another moderator.
    assert_eq!(login_from(&s, "198.51.100.7", "other", "other-pass").await.status(), 200);
    s.stop().await;
}

fn conn_limits(f: impl FnOnce(&mut Limits)) -> Limits {
    let mut l = Limits {
        header_timeout: Duration::from_secs(1),
        request_timeout: Duration::from_secs(1),
        ..unlimited()
    };
    f(&mut l);
    l
}

async fn tcp(s: &TestServer) -> tokio::net::TcpStream {
    tokio::net::TcpStream::connect(s.base.trim_start_matches("http://")).await.expect("connect")
}

/// Reads until the server closes the connection; how long that took, or `None` if it
/// stayed open for `limit`. What it sent on the way is returned too.
async fn until_closed(stream: &mut tokio::net::TcpStream, limit: Duration) -> (Option<Duration>, String) {
    use tokio::io::AsyncReadExt;
    let start = std::time::Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout_at(tokio::time::Instant::from_std(start + limit), stream.read(&mut buf))
            .await
        {
            Err(_) => return (None, String::from_utf8_lossy(&got).into_owned()),
            Ok(Ok(0)) | Ok(Err(_)) => {
                return (Some(start.elapsed()), String::from_utf8_lossy(&got).into_owned())
            }
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
        }
    }
}

#[tokio::test]
async fn a_connection_that_sends_one_byte_and_stalls_is_closed_after_the_header_timeout() {
    use tokio::io::AsyncWriteExt;
    let b = sqlite().await;
    let s = TestServer::start(&b.url, conn_limits(|_| {})).await;
    let mut c = tcp(&s).await;
    c.write_all(b"G").await.unwrap();
    let (closed, _) = until_closed(&mut c, Duration::from_secs(5)).await;
    let closed = closed.expect("a stalled connection was still open after 5 s");
    assert!(closed >= Duration::from_millis(900), "closed after {closed:?}, before the timeout");
    s.stop().await;
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_header_timeout() {
    use tokio::io::AsyncWriteExt;
    let b = sqlite().await;
    let s = TestServer::start(&b.url, conn_limits(|_| {})).await;
    let mut c = tcp(&s).await;
    c.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let (closed, got) = until_closed(&mut c, Duration::from_secs(5)).await;
    assert!(got.starts_with("HTTP/1.1 200") && got.ends_with("ok"), "{got}");
    let closed = closed.expect("an idle keep-alive connection was still open after 5 s");
    assert!(closed >= Duration::from_millis(900), "closed after {closed:?}");
    s.stop().await;
}

#[tokio::test]
async fn a_request_body_that_stalls_is_answered_408() {
    use tokio::io::AsyncWriteExt;
    let b = sqlite().await;
    let s = TestServer::start(&b.url, conn_limits(|_| {})).await;
    let mut c = tcp(&s).await;
    let head = "POST /api/v1/conversations/demo/participants HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{";
    c.write_all(head.as_bytes()).await.unwrap();
    let (closed, got) = until_closed(&mut c, Duration::from_secs(5)).await;
    assert!(got.starts_with("HTTP/1.1 408"), "{got:?}");
    // The same JSON error body as every other refusal, saying what happened.
    assert!(got.to_ascii_lowercase().contains("content-type: application/json"), "{got:?}");
    assert!(got.contains(r#""code":"request_timeout""#), "{got:?}");
    assert!(closed.is_some(), "the connection stayed open");
    s.stop().await;
}

#[tokio::test]
async fn with_every_connection_slot_stalled_healthz_answers_once_they_time_out() {
    use tokio::io::AsyncWriteExt;
    let b = sqlite().await;
    let s = TestServer::start(&b.url, conn_limits(|l| l.max_connections = 4)).await;
    let mut stalled = Vec::new();
    for _ in 0..4 {
        let mut c = tcp(&s).await;
        c.write_all(b"G").await.unwrap();
        stalled.push(c);
    }
    let started = std::time::Instant::now();
    let health = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().unwrap();
    let r = health.get(format!("{}/healthz", s.base)).send().await.expect("healthz with every slot stalled");
    assert_eq!(r.text().await.unwrap(), "ok");
    // It waited for a slot (the stalled ones' header timeout), not for ever.
    assert!(started.elapsed() < Duration::from_secs(4), "{:?}", started.elapsed());
    s.stop().await;
}

#[tokio::test]
async fn the_live_event_stream_outlives_the_request_timeout() {
    let b = sqlite().await;
    let s = TestServer::start(&b.url, conn_limits(|_| {})).await;
    let admin = moderator(&s).await;
    conversation(&s, &admin, "c", SEEDS).await;
    let mut events = common::Events::open(&s.api("/conversations/c/events")).await;
    assert!(events.next(Duration::from_secs(2)).await.is_some(), "no first event");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let token = common::join(&s, "c").await;
    let r = reqwest::Client::new()
        .post(s.api("/conversations/c/votes"))
        .header("x-participant-token", &token)
        .json(&serde_json::json!({"statement": 0, "vote": "agree"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let seen = events.wait_for("votes", Duration::from_secs(5), |d| d["votes"] == 1).await;
    assert!(seen.is_some(), "the stream ended or went quiet after the request timeout");
    s.stop().await;
}

#[tokio::test]
async fn shutdown_ends_live_streams_and_keeps_every_acknowledged_vote() {
    let b = sqlite().await;
    let s = TestServer::start(&b.url, unlimited()).await;
    let admin = moderator(&s).await;
    conversation(&s, &admin, "c", SEEDS).await;
    let mut events = common::Events::open(&s.api("/conversations/c/events")).await;
    assert!(events.next(Duration::from_secs(2)).await.is_some());
    let mut acknowledged = 0;
    let mut votes = Vec::new();
    for _ in 0..20 {
        let token = common::join(&s, "c").await;
        let url = s.api("/conversations/c/votes");
        votes.push(tokio::spawn(async move {
            reqwest::Client::new()
                .post(url)
                .header("x-participant-token", token)
                .json(&serde_json::json!({"statement": 1, "vote": "disagree"}))
                .send()
                .await
                .map(|r| r.status() == 200)
                .unwrap_or(false)
        }));
    }
    let stopped = tokio::time::timeout(Duration::from_secs(10), s.stop());
    let (stopped, _) = tokio::join!(stopped, async {
        for v in votes {
            if v.await.unwrap() {
                acknowledged += 1;
            }
        }
    });
    assert!(stopped.is_ok(), "the server did not stop within 10 s");
    // What the stream sent before it ended is read, then it has ended (not gone quiet).
    let draining = std::time::Instant::now();
    while events.next(Duration::from_secs(5)).await.is_some() {}
    assert!(draining.elapsed() < Duration::from_secs(4), "the event stream outlived the server");
    let store = mufakat_server::store::Store::open(&b.url).await.expect("reopen the store");
    let stored = store.votes("c").await.expect("votes").values.len();
    common::say(&format!("shutdown: {acknowledged} votes acknowledged, {stored} stored"));
    assert!(stored >= acknowledged, "{acknowledged} acknowledged, {stored} stored");
}

#[tokio::test]
async fn a_client_that_stops_reading_is_dropped_and_does_not_hold_up_shutdown() {
    use tokio::io::AsyncWriteExt;
    let b = sqlite().await;
    let s = TestServer::start(&b.url, conn_limits(|l| l.write_timeout = Duration::from_secs(1))).await;
    let openapi = reqwest::get(s.api("/openapi.json")).await.unwrap().bytes().await.unwrap().len();
    // Ask for more than the kernel buffers between us hold (a small receive window here, a
    // few MiB of send buffer there), pipelined, and never read.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut c = socket.connect(s.base.trim_start_matches("http://").parse().unwrap()).await.unwrap();
    let wanted = 16 << 20;
    let request = "GET /api/v1/openapi.json HTTP/1.1\r\nhost: x\r\n\r\n".repeat(wanted / openapi + 1);
    c.write_all(request.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let stopped = tokio::time::timeout(Duration::from_secs(5), s.stop()).await;
    assert!(stopped.is_ok(), "shutdown waited for a client that stopped reading");
    drop(c);
}
