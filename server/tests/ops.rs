//! What an operator runs the server with: JSON logs with the request id on every line of a
//! request.

mod common;

use std::io::BufRead;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

#[tokio::test]
async fn json_logs_put_the_request_id_on_every_line_of_a_request() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("m.sqlite").display());
    let mut child = Command::new(env!("CARGO_BIN_EXE_mufakat"))
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--database-url",
            &url,
            "--dist",
            "/nonexistent",
            "--log-format",
            "json",
        ])
        .env("RUST_LOG", "info,sqlx=warn,mufakat_server::logging=debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let base = std::io::BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find_map(|l| l.split("open ").nth(1).and_then(|r| r.split("/c/").next()).map(str::to_string))
        .expect("the server's URL");
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let stderr = child.stderr.take().expect("stderr");
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });

    let c = reqwest::Client::new();
    let r = c
        .get(format!("{base}/api/v1/conversations/demo"))
        .header("x-request-id", "probe-42.a_b")
        .send()
        .await
        .expect("request");
    assert_eq!(r.headers()["x-request-id"], "probe-42.a_b", "the proxy's id comes back");
    let r = c
        .get(format!("{base}/api/v1/conversations/nope"))
        .header("x-request-id", "<script>")
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), 404);
    let fresh = r.headers()["x-request-id"].to_str().expect("ascii").to_string();
    assert_eq!(fresh.len(), 16, "a hostile id is replaced: {fresh}");

    let deadline = Instant::now() + Duration::from_secs(10);
    let mut lines = Vec::new();
    let mut seen = (false, false);
    while Instant::now() < deadline && !(seen.0 && seen.1) {
        let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) else { continue };
        let v: Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
        let id = v["span"]["id"].as_str().unwrap_or_default().to_string();
        if id == "probe-42.a_b" {
            assert_eq!(v["fields"]["status"], 200, "{line}");
            assert_eq!(v["span"]["path"], "/api/v1/conversations/demo", "{line}");
            seen.0 = true;
        }
        if id == fresh {
            assert_eq!(v["fields"]["status"], 404, "{line}");
            seen.1 = true;
        }
        lines.push(line);
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(seen.0 && seen.1, "no log line carried the request ids: {lines:#?}");
    assert!(lines.iter().any(|l| l.contains("\"listening\"")), "the start is logged as JSON too: {lines:#?}");
}

/// A free loopback port (bound, then released for the server to take).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

fn metric(text: &str, name_and_labels: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name_and_labels).and_then(|v| v.trim().parse().ok()))
        .unwrap_or(0.0)
}

#[tokio::test]
async fn metrics_count_votes_by_outcome_streams_and_commits_on_their_own_address_only() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("m.sqlite").display());
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let server = common::Process::start(&url, &["--metrics-addr", &addr], &[]);
    let metrics_url = format!("http://{addr}/metrics");
    let scrape = || async {
        let r = reqwest::get(&metrics_url).await.expect("scrape");
        assert_eq!(r.status(), 200);
        r.text().await.expect("text")
    };
    let c = reqwest::Client::new();
    let joined: Value = c
        .post(server.api("/conversations/demo/participants"))
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("join")
        .json()
        .await
        .expect("json");
    let token = joined["token"].as_str().expect("token");
    let vote = |statement: u32| {
        c.post(server.api("/conversations/demo/votes"))
            .header("x-participant-token", token)
            .json(&serde_json::json!({"statement": statement, "vote": "agree"}))
            .send()
    };
    assert_eq!(vote(0).await.expect("vote").status(), 200);
    assert_eq!(vote(1).await.expect("vote").status(), 200);
    assert_eq!(vote(999_999).await.expect("vote").status(), 404);
    let events = c.get(server.api("/conversations/demo/events")).send().await.expect("events");
    assert_eq!(events.status(), 200);

    let text = scrape().await;
    assert_eq!(metric(&text, r#"mufakat_votes_total{outcome="accepted",reason=""}"#), 2.0, "{text}");
    assert_eq!(metric(&text, r#"mufakat_votes_total{outcome="refused",reason="not_found"}"#), 1.0, "{text}");
    assert_eq!(metric(&text, "mufakat_live_streams "), 1.0, "{text}");
    assert!(metric(&text, "mufakat_writer_batch_votes_count ") >= 2.0, "{text}");
    assert!(
        metric(
            &text,
            r#"mufakat_http_request_duration_seconds_count{route="/api/v1/conversations/{id}/votes",method="POST"}"#
        ) >= 3.0,
        "{text}"
    );
    assert!(!text.contains("/conversations/demo"), "a raw path became a label value");

    drop(events);
    let deadline = Instant::now() + Duration::from_secs(5);
    while metric(&scrape().await, "mufakat_live_streams ") != 0.0 {
        assert!(Instant::now() < deadline, "a closed stream is still counted");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The public address has no metrics.
    let public = reqwest::get(format!("{}/metrics", server.base)).await.expect("public");
    assert_eq!(public.status(), 404);
    assert_eq!(reqwest::get(format!("{}/readyz", server.base)).await.expect("ready").status(), 200);
}

#[tokio::test]
async fn a_stalled_connection_to_the_metrics_address_is_closed_after_the_header_timeout() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("m.sqlite").display());
    let addr = format!("127.0.0.1:{}", free_port());
    let _server = common::Process::start(&url, &["--metrics-addr", &addr, "--header-timeout", "1"], &[]);
    // The metrics listener answers once the process is up.
    let deadline = Instant::now() + Duration::from_secs(10);
    while reqwest::get(format!("http://{addr}/healthz")).await.is_err() {
        assert!(Instant::now() < deadline, "the metrics address never answered");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut c = tokio::net::TcpStream::connect(&addr).await.expect("connect");
    let start = Instant::now();
    c.write_all(b"G").await.expect("one byte");
    let mut buf = [0u8; 256];
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match c.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "a connection that sent one byte was still open after 5 s");
    assert!(
        start.elapsed() >= Duration::from_millis(900),
        "closed after {:?}, before the timeout",
        start.elapsed()
    );
}

/// Text logs written to a file or a pipe carry no colour codes, so `grep ' ERROR '` (as
/// scripts/api-fuzz.sh does) and log collectors see the level words.
#[test]
fn text_logs_to_a_pipe_are_plain_text() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("m.sqlite").display());
    let mut child = Command::new(env!("CARGO_BIN_EXE_mufakat"))
        .args(["serve", "--addr", "127.0.0.1:0", "--database-url", &url, "--dist", "/nonexistent"])
        .env("RUST_LOG", "info,sqlx=warn")
        .env_remove("NO_COLOR")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let stderr = child.stderr.take().expect("stderr");
    // The missing built pages give a warning at start.
    let warning = std::io::BufReader::new(stderr)
        .lines()
        .map_while(Result::ok)
        .find(|l| l.contains("WARN"))
        .expect("a warning line");
    let _ = child.kill();
    let _ = child.wait();
    assert!(!warning.contains('\u{1b}'), "colour codes in a piped log: {warning:?}");
    assert!(warning.contains(" WARN "), "{warning:?}");
}
