//! Token-bucket rate limits, per client address and per participant token. A refused
//! request gets `429` with `Retry-After`. Limits are per process and set by flags.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

use crate::state::AppState;

struct Bucket {
    tokens: f64,
    at: Instant,
}

pub struct RateLimiter<K> {
    per_second: f64,
    burst: f64,
    buckets: Mutex<HashMap<K, Bucket>>,
}

impl<K: Hash + Eq> RateLimiter<K> {
    /// `per_second` requests sustained, `burst` at once; `per_second <= 0` disables the limit.
    pub fn new(per_second: f64, burst: f64) -> RateLimiter<K> {
        RateLimiter { per_second, burst: burst.max(1.0), buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one request's token, or says how long to wait for one.
    pub fn check(&self, key: K) -> Result<(), Duration> {
        if self.per_second <= 0.0 {
            return Ok(());
        }
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() > 100_000 {
            let full_after = Duration::from_secs_f64(self.burst / self.per_second);
            buckets.retain(|_, b| now.duration_since(b.at) < full_after);
        }
        let b = buckets.entry(key).or_insert(Bucket { tokens: self.burst, at: now });
        b.tokens = (b.tokens + now.duration_since(b.at).as_secs_f64() * self.per_second).min(self.burst);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - b.tokens) / self.per_second))
        }
    }

    /// Gives back the token one request took (an attempt that turned out not to count).
    pub fn refund(&self, key: &K) {
        if let Some(b) = self.buckets.lock().unwrap_or_else(|e| e.into_inner()).get_mut(key) {
            b.tokens = (b.tokens + 1.0).min(self.burst);
        }
    }

    /// Gives `key` a full bucket again (a moderator who logged in is no longer a guesser).
    pub fn forget(&self, key: &K) {
        self.buckets.lock().unwrap_or_else(|e| e.into_inner()).remove(key);
    }
}

/// The address a request is limited by. Behind a reverse proxy every request comes from the
/// proxy, so when the peer is one of `trusted` proxies the client is the right-most
/// `X-Forwarded-For` entry that is not itself a trusted proxy (entries further left can be
/// forged by the client). A malformed header falls back to the peer.
pub fn client_address(peer: IpAddr, forwarded_for: Option<&str>, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let Some(header) = forwarded_for else { return peer };
    let mut client = peer;
    for entry in header.rsplit(',') {
        match entry.trim().parse::<IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !trusted.contains(&ip) {
                    break;
                }
            }
            Err(_) => return peer,
        }
    }
    client
}

/// Extractor: the client address of a request (see [`client_address`]); the unspecified
/// address when the server was not given the peer (a router used without a listener).
pub struct ClientAddress(pub IpAddr);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(a)| a.ip())
            .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
        let forwarded = parts.headers.get("x-forwarded-for").and_then(|v| v.to_str().ok());
        Ok(ClientAddress(client_address(peer, forwarded, &st.limits.trusted_proxies)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_refusal_with_a_wait() {
        let l = RateLimiter::new(1.0, 3.0);
        for _ in 0..3 {
            assert!(l.check("a").is_ok());
        }
        let wait = l.check("a").unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(1));
        assert!(l.check("b").is_ok());
    }

    #[test]
    fn zero_rate_disables_the_limit() {
        let l = RateLimiter::new(0.0, 1.0);
        for _ in 0..100 {
            assert!(l.check(1).is_ok());
        }
    }

    #[test]
    fn forwarded_for_counts_only_behind_a_trusted_proxy() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let proxy = ip("127.0.0.1");
        let trusted = [proxy, ip("10.0.0.2")];
        // Not a trusted peer: the header is ignored (anyone can send one).
        assert_eq!(client_address(ip("203.0.113.9"), Some("198.51.100.1"), &trusted), ip("203.0.113.9"));
        // Trusted proxy: the client it saw.
        assert_eq!(client_address(proxy, Some("198.51.100.1"), &trusted), ip("198.51.100.1"));
        // A forged left-most entry is skipped; chained trusted proxies are walked through.
        assert_eq!(
            client_address(proxy, Some("6.6.6.6, 198.51.100.1, 10.0.0.2"), &trusted),
            ip("198.51.100.1")
        );
        assert_eq!(client_address(proxy, Some(" 2001:db8::7 "), &trusted), ip("2001:db8::7"));
        // No header, or garbage: the proxy itself.
        assert_eq!(client_address(proxy, None, &trusted), proxy);
        assert_eq!(client_address(proxy, Some("not-an-address"), &trusted), proxy);
        assert_eq!(client_address(proxy, Some("10.0.0.2"), &trusted), ip("10.0.0.2"));
    }
}
