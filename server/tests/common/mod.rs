//! Test harness shared by the integration tests: every store backend under test (a fresh
//! SQLite file always; a fresh PostgreSQL database when MUFAKAT_TEST_POSTGRES_URL is set, as
//! `scripts/with-postgres.sh` does), and real servers on 127.0.0.1 port 0.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use mufakat_server::app::{AppState, Limits, Server};
use mufakat_server::store::Store;
use rand::Rng;

pub const POSTGRES_ENV: &str = "MUFAKAT_TEST_POSTGRES_URL";

/// Writes past the test harness's output capture, so skip notices show in a passing run.
pub fn say(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// A store URL under test and what keeps it alive.
pub struct Backend {
    pub name: &'static str,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

static SKIP_NOTED: AtomicU32 = AtomicU32::new(0);

/// A fresh SQLite store, and a fresh PostgreSQL database when one is available.
pub async fn backends() -> Vec<Backend> {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("test.sqlite").display());
    let mut out = vec![Backend { name: "sqlite", url, _dir: Some(dir) }];
    match std::env::var(POSTGRES_ENV) {
        Ok(base) if !base.is_empty() => {
            out.push(Backend { name: "postgres", url: fresh_pg_database(&base).await, _dir: None })
        }
        _ => {
            if SKIP_NOTED.fetch_add(1, Ordering::Relaxed) == 0 {
                say(&format!("skipping the PostgreSQL runs: {POSTGRES_ENV} is not set (scripts/with-postgres.sh sets it)"));
            }
        }
    }
    out
}

/// The PostgreSQL base URL, or `None` after printing a visible skip line.
pub fn postgres_url(test: &str) -> Option<String> {
    match std::env::var(POSTGRES_ENV) {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            say(&format!("skipping {test}: {POSTGRES_ENV} is not set (scripts/with-postgres.sh sets it)"));
            None
        }
    }
}

/// Creates an empty database next to the one in `base` and returns its URL.
pub async fn fresh_pg_database(base: &str) -> String {
    let name = format!("t_{:016x}", rand::thread_rng().gen::<u64>());
    let pool = sqlx::PgPool::connect(base).await.expect("connect to the test PostgreSQL");
    // The name is ours (hex), not input: identifiers cannot be bound as parameters.
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&pool).await.expect("create database");
    pool.close().await;
    let (prefix, _) = base.rsplit_once('/').expect("database URL with a path");
    format!("{prefix}/{name}")
}

pub struct TestServer {
    pub base: String,
    pub store: Store,
    /// The running server's state (its counters, for tests that check a bound).
    pub state: AppState,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl TestServer {
    pub async fn start(url: &str, limits: Limits) -> TestServer {
        TestServer::start_with_dist(url, limits, None).await
    }

    /// A server that also serves the built app from `dist`.
    pub async fn start_with_dist(url: &str, limits: Limits, dist: Option<PathBuf>) -> TestServer {
        let store = Store::open(url).await.expect("open store");
        let server = Server::new(store.clone(), limits);
        let state = server.state.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let (stop, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(server.run(listener, dist, async move {
            let _ = rx.await;
        }));
        TestServer { base, store, state, stop: Some(stop), task }
    }

    pub fn api(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.base)
    }

    pub async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        let _ = self.task.await;
    }
}

/// Limits that never get in a test's way.
pub fn unlimited() -> Limits {
    Limits { per_address: 0.0, per_participant: 0.0, ..Limits::default() }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).build().expect("client")
}

/// Creates a moderator and returns a client logged in as them.
pub async fn moderator(s: &TestServer) -> reqwest::Client {
    let hash = mufakat_server::auth::hash_password("moderator-pass").expect("hash");
    s.store.create_admin("mod", &hash).await.expect("create admin");
    let c = client();
    let r = c
        .post(s.api("/admin/login"))
        .header("x-mufakat-csrf", "1")
        .json(&serde_json::json!({"username": "mod", "password": "moderator-pass"}))
        .send()
        .await
        .expect("login");
    assert_eq!(r.status(), 200, "login failed");
    c
}

/// Creates conversation `id` with seed statements through the admin API.
pub async fn conversation(s: &TestServer, admin: &reqwest::Client, id: &str, seeds: &[&str]) {
    let r = admin
        .post(s.api("/admin/conversations"))
        .header("x-mufakat-csrf", "1")
        .json(&serde_json::json!({"id": id, "title": "Test", "seeds": seeds}))
        .send()
        .await
        .expect("create");
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
}

/// Joins as a new participant; returns the token.
pub async fn join(s: &TestServer, id: &str) -> String {
    let r: serde_json::Value = client()
        .post(s.api(&format!("/conversations/{id}/participants")))
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("join")
        .json()
        .await
        .expect("join body");
    r["token"].as_str().expect("token").to_string()
}

/// Sends `body` (if any) to `path` as `admin`, with the CSRF header; the status and the
/// JSON answer (`Null` when it is not JSON).
pub async fn admin_send(
    s: &TestServer,
    admin: &reqwest::Client,
    method: reqwest::Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> (u16, serde_json::Value) {
    let mut r = admin.request(method, s.api(path)).header("x-mufakat-csrf", "1");
    if let Some(b) = body {
        r = r.json(&b);
    }
    let r = r.send().await.expect("request");
    let status = r.status().as_u16();
    let text = r.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::Null))
}

/// GETs `url` as the participant holding `token`; the JSON answer.
pub async fn get_as(url: &str, token: &str) -> serde_json::Value {
    client()
        .get(url)
        .header("x-participant-token", token)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("JSON answer")
}

/// A `mufakat serve` process of the built binary.
pub struct Process {
    pub base: String,
    pub child: std::process::Child,
}

impl Process {
    /// Starts `mufakat serve` on 127.0.0.1 port 0 over `url` and waits for its URL line.
    pub fn start(url: &str, extra: &[&str], env: &[(&str, &str)]) -> Process {
        use std::io::BufRead;
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_mufakat"));
        cmd.args(["serve", "--addr", "127.0.0.1:0", "--database-url", url, "--dist", "/nonexistent"])
            .args(extra)
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::inherit());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn mufakat");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = std::io::BufReader::new(stdout).lines();
        let base = loop {
            let line = lines.next().expect("server exited before printing its URL").expect("read stdout");
            if let Some(rest) = line.split("open ").nth(1) {
                let url = rest.split_whitespace().next().expect("url");
                break url.trim_end_matches(|c| c != '/').trim_end_matches('/').to_string();
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        let base = base.rsplit_once("/c").map(|(b, _)| b.to_string()).unwrap_or(base);
        Process { base, child }
    }

    pub fn api(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.base)
    }

    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// Two `mufakat serve` processes on one fresh PostgreSQL database at `url`, and conversation
/// `c` with `seeds` created through the first: (first, second, its moderator's client).
pub async fn two_processes(url: &str, seeds: &[&str]) -> (Process, Process, reqwest::Client) {
    let a = Process::start(url, &["--no-demo"], &[("MUFAKAT_ADMIN_PASSWORD", "two-process-pass")]);
    let b = Process::start(url, &["--no-demo"], &[]);
    let admin = client();
    let login = serde_json::json!({"username": "admin", "password": "two-process-pass"});
    let r =
        admin.post(a.api("/admin/login")).header("x-mufakat-csrf", "1").json(&login).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let body = serde_json::json!({"id": "c", "title": "Two processes", "seeds": seeds});
    let r = admin
        .post(a.api("/admin/conversations"))
        .header("x-mufakat-csrf", "1")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    (a, b, admin)
}

/// Votes acknowledged by the server: (participant, statement, value).
pub type Acked = std::sync::Arc<std::sync::Mutex<Vec<(u32, u32, i8)>>>;

/// One simulated participant of the demo: joins, then votes on statements 0, 1, ... in
/// order until stopped or refused, recording each acknowledged vote.
pub async fn vote_in_order(base: String, statements: u32, acked: Acked) {
    use rand::Rng;
    use serde_json::{json, Value};
    let c = reqwest::Client::new();
    let Ok(r) =
        c.post(format!("{base}/api/v1/conversations/demo/participants")).json(&json!({})).send().await
    else {
        return;
    };
    let Ok(joined) = r.json::<Value>().await else { return };
    if joined.get("token").is_none() {
        say(&format!("join refused: {joined}"));
    }
    let (Some(token), Some(p)) = (joined["token"].as_str(), joined["participant"].as_u64()) else { return };
    for s in 0..statements {
        let (word, value) = [("agree", 1), ("disagree", -1), ("pass", 0)][rand::thread_rng().gen_range(0..3)];
        let sent = c
            .post(format!("{base}/api/v1/conversations/demo/votes"))
            .header("x-participant-token", token)
            .json(&json!({"statement": s, "vote": word}))
            .send()
            .await;
        match sent {
            Ok(r) if r.status() == 200 => acked.lock().unwrap().push((p as u32, s, value)),
            Ok(r) => {
                say(&format!("vote refused: {} {}", r.status(), r.text().await.unwrap_or_default()));
                return;
            }
            Err(_) => return,
        }
    }
}

/// A live event stream: `next()` gives (event name, JSON data).
pub struct Events {
    stream: std::pin::Pin<Box<dyn futures_util::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>,
    buf: String,
}

impl Events {
    pub async fn open(url: &str) -> Events {
        let r = reqwest::get(url).await.expect("events");
        assert_eq!(r.status(), 200);
        Events { stream: Box::pin(r.bytes_stream()), buf: String::new() }
    }

    /// The next event within `within`, or `None`.
    pub async fn next(&mut self, within: std::time::Duration) -> Option<(String, serde_json::Value)> {
        use futures_util::StreamExt;
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let mut name = String::new();
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        name = v.trim().to_string();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim());
                    }
                }
                if name.is_empty() {
                    continue; // keep-alive comment
                }
                return Some((name, serde_json::from_str(&data).expect("event JSON")));
            }
            let chunk = tokio::time::timeout_at(deadline, self.stream.next()).await.ok()??.ok()?;
            self.buf.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// Waits for an event named `name` whose data satisfies `pred`.
    pub async fn wait_for(
        &mut self,
        name: &str,
        within: std::time::Duration,
        pred: impl Fn(&serde_json::Value) -> bool,
    ) -> Option<serde_json::Value> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let (n, data) = self.next(left).await?;
            if n == name && pred(&data) {
                return Some(data);
            }
        }
    }
}
