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
