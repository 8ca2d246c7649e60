//! The server against a hostile client on the network: spoofed origin headers, login
//! guessing and storms, and connections that stall. SQLite only: none of this touches SQL
//! beyond what api.rs covers on every backend.

mod common;

use common::{conversation, moderator, unlimited, TestServer};
use mufakat_server::app::Limits;

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
