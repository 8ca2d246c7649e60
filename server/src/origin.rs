//! The public origin of a request (`https://vote.example.org`), the one place that decides
//! what the participant link in a QR code starts with and whether the session cookie gets
//! `Secure`.
//!
//! Whom we believe, in order:
//! 1. `--public-url`, when set: links use it and every request header is ignored.
//! 2. Otherwise `X-Forwarded-Proto` and `X-Forwarded-Host`, but only from a peer listed in
//!    `--trusted-proxies` (anyone else can send them), and only well-formed: the proto is
//!    `http` or `https`, the host a hostname or IP literal with an optional port.
//! 3. Otherwise `Host` (validated the same way) over plain `http`: the server speaks no TLS
//!    itself, so a request that reached it directly came over HTTP.
//!
//! A malformed value is a 400 naming the header, never a link built from it.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};

use crate::error::AppError;
use crate::state::AppState;

/// Longest host (with its port) we build a link from: a 253-byte DNS name and ":65535".
pub const MAX_HOST_BYTES: usize = 260;

/// A scheme and an authority (host with optional port), without a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub https: bool,
    /// Lowercase host, with `:port` when one was given.
    pub host: String,
}

impl Origin {
    /// `https://host` + `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        let scheme = if self.https { "https" } else { "http" };
        format!("{scheme}://{}{path}", self.host)
    }
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.url(""))
    }
}

/// Parses `--public-url`: `http(s)://host[:port]`, with at most a trailing `/`.
impl FromStr for Origin {
    type Err = String;

    fn from_str(s: &str) -> Result<Origin, String> {
        let (https, rest) = if let Some(r) = s.strip_prefix("https://") {
            (true, r)
        } else if let Some(r) = s.strip_prefix("http://") {
            (false, r)
        } else {
            return Err(format!("{s:?} must start with https:// or http://"));
        };
        let host = rest.strip_suffix('/').unwrap_or(rest);
        if !valid_host(host) {
            return Err(format!(
                "{s:?} must be an origin such as https://vote.example.org (a host and optional port, no path)"
            ));
        }
        Ok(Origin { https, host: host.to_ascii_lowercase() })
    }
}

/// Whether `s` is a hostname, an IPv4 literal or a bracketed IPv6 literal, with an optional
/// `:port`, and nothing else: no userinfo (`@`), path, query, fragment or spaces.
pub fn valid_host(s: &str) -> bool {
    if s.is_empty() || s.len() > MAX_HOST_BYTES {
        return false;
    }
    let (name, port) = if let Some(rest) = s.strip_prefix('[') {
        let Some((ip, after)) = rest.split_once(']') else { return false };
        if ip.parse::<Ipv6Addr>().is_err() {
            return false;
        }
        match after {
            "" => return true,
            _ => match after.strip_prefix(':') {
                Some(port) => return valid_port(port),
                None => return false,
            },
        }
    } else {
        match s.split_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (s, None),
        }
    };
    if port.is_some_and(|p| !valid_port(p)) {
        return false;
    }
    name.parse::<Ipv4Addr>().is_ok() || valid_dns_name(name)
}

fn valid_port(p: &str) -> bool {
    !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u16>().is_ok()
}

/// Labels of letters, digits, `-` and `_` (1 to 63 bytes, no `-` at either end), 253 bytes
/// in all.
fn valid_dns_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// The first value of a header that proxies may send as a comma-separated chain (the
/// left-most is what the client asked for).
fn first_value<'h>(headers: &'h HeaderMap, name: &str) -> Result<Option<&'h str>, AppError> {
    match headers.get(name) {
        None => Ok(None),
        Some(v) => match v.to_str() {
            Ok(s) => Ok(Some(s.split(',').next().unwrap_or("").trim())),
            Err(_) => Err(bad_header(name)),
        },
    }
}

fn bad_header(name: &str) -> AppError {
    AppError::bad_request("invalid_header", format!("the {name} header is not a valid value for a link"))
}

/// What a request says about its own origin, and who sent it.
pub struct OriginInputs<'a> {
    /// `--public-url`.
    pub public_url: Option<&'a Origin>,
    /// The TCP peer, when known.
    pub peer: Option<IpAddr>,
    /// `--trusted-proxies`.
    pub trusted_proxies: &'a [IpAddr],
    pub headers: &'a HeaderMap,
    /// The request target's authority (absolute-form requests), used when `Host` is absent.
    pub uri_authority: Option<&'a str>,
}

impl OriginInputs<'_> {
    fn behind_trusted_proxy(&self) -> bool {
        self.peer.is_some_and(|p| self.trusted_proxies.contains(&p))
    }

    /// Whether links to this server are `https` (for the cookie's `Secure`).
    pub fn https(&self) -> Result<bool, AppError> {
        if let Some(o) = self.public_url {
            return Ok(o.https);
        }
        if !self.behind_trusted_proxy() {
            return Ok(false);
        }
        match first_value(self.headers, "x-forwarded-proto")? {
            None => Ok(false),
            Some(p) if p.eq_ignore_ascii_case("https") => Ok(true),
            Some(p) if p.eq_ignore_ascii_case("http") => Ok(false),
            Some(_) => Err(bad_header("X-Forwarded-Proto")),
        }
    }

    /// The public origin of the request.
    pub fn origin(&self) -> Result<Origin, AppError> {
        if let Some(o) = self.public_url {
            return Ok(o.clone());
        }
        let https = self.https()?;
        let forwarded =
            if self.behind_trusted_proxy() { first_value(self.headers, "x-forwarded-host")? } else { None };
        let (host, name) = match forwarded {
            Some(h) => (Some(h), "X-Forwarded-Host"),
            None => match self.headers.get(header::HOST) {
                Some(v) => (Some(v.to_str().map_err(|_| bad_header("Host"))?), "Host"),
                None => (self.uri_authority, "Host"),
            },
        };
        let host = host.ok_or_else(|| {
            AppError::bad_request("invalid_header", "the request has no Host header to build a link from")
        })?;
        if !valid_host(host) {
            return Err(AppError::bad_request(
                "invalid_header",
                format!("the {name} header must be a hostname or IP address with an optional port, at most {MAX_HOST_BYTES} bytes"),
            ));
        }
        Ok(Origin { https, host: host.to_ascii_lowercase() })
    }
}

fn inputs<'a>(parts: &'a Parts, st: &'a AppState) -> OriginInputs<'a> {
    OriginInputs {
        public_url: st.limits.public_url.as_ref(),
        peer: parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(a)| a.ip()),
        trusted_proxies: &st.limits.trusted_proxies,
        headers: &parts.headers,
        uri_authority: parts.uri.authority().map(|a| a.as_str()),
    }
}

/// Extractor: the request's public origin (400 when its headers cannot make one).
pub struct PublicOrigin(pub Origin);

impl FromRequestParts<AppState> for PublicOrigin {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, AppError> {
        inputs(parts, st).origin().map(PublicOrigin)
    }
}

/// Extractor: whether the request's public origin is `https`.
pub struct PublicHttps(pub bool);

impl FromRequestParts<AppState> for PublicHttps {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, AppError> {
        inputs(parts, st).https().map(PublicHttps)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                axum::http::HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn origin_of(
        public_url: Option<&Origin>,
        peer: &str,
        trusted: &[IpAddr],
        h: &HeaderMap,
    ) -> Result<Origin, AppError> {
        OriginInputs {
            public_url,
            peer: Some(ip(peer)),
            trusted_proxies: trusted,
            headers: h,
            uri_authority: None,
        }
        .origin()
    }

    #[test]
    fn forwarded_proto_from_an_untrusted_peer_does_not_change_the_link() {
        let h = headers(&[
            ("host", "vote.example.org"),
            ("x-forwarded-proto", "https://evil.example/phish?"),
            ("x-forwarded-host", "evil.example"),
        ]);
        let o = origin_of(None, "203.0.113.9", &[], &h).unwrap();
        assert_eq!(o.url("/c/demo"), "http://vote.example.org/c/demo");
        // The same headers from a proxy we trust: the proto is refused, not pasted in.
        let trusted = [ip("127.0.0.1")];
        let err = origin_of(None, "127.0.0.1", &trusted, &h).unwrap_err();
        assert_eq!((err.status.as_u16(), err.code), (400, "invalid_header"));
        assert!(err.message.contains("X-Forwarded-Proto"), "{}", err.message);
    }

    #[test]
    fn a_trusted_proxy_names_the_scheme_and_host() {
        let trusted = [ip("10.0.0.2")];
        let h = headers(&[
            ("host", "127.0.0.1:8080"),
            ("x-forwarded-proto", "HTTPS, http"),
            ("x-forwarded-host", "Vote.Example.org"),
        ]);
        assert_eq!(
            origin_of(None, "10.0.0.2", &trusted, &h).unwrap().url("/c/x"),
            "https://vote.example.org/c/x"
        );
        let bad = headers(&[("host", "a"), ("x-forwarded-host", "evil.example/phish?")]);
        assert_eq!(origin_of(None, "10.0.0.2", &trusted, &bad).unwrap_err().status.as_u16(), 400);
    }

    #[test]
    fn public_url_overrides_every_header() {
        let public: Origin = "https://Vote.example.org/".parse().unwrap();
        let h = headers(&[("host", "evil.example"), ("x-forwarded-proto", "http")]);
        let trusted = [ip("127.0.0.1")];
        let o = origin_of(Some(&public), "127.0.0.1", &trusted, &h).unwrap();
        assert_eq!(o.url("/c/demo"), "https://vote.example.org/c/demo");
        assert!("ftp://x".parse::<Origin>().is_err());
        assert!("https://vote.example.org/path".parse::<Origin>().is_err());
        assert!("https://user@vote.example.org".parse::<Origin>().is_err());
    }

    #[test]
    fn hosts_are_names_or_ip_literals_with_an_optional_port() {
        for good in [
            "localhost",
            "vote.example.org",
            "a-b_c.example:8080",
            "127.0.0.1:65535",
            "[::1]",
            "[2001:db8::7]:443",
        ] {
            assert!(valid_host(good), "{good}");
        }
        let long = format!("{}.org", "a".repeat(2900));
        for bad in [
            "",
            "evil.example/phish",
            "user@host",
            "host?x",
            "host#x",
            "ho st",
            "host:",
            "host:99999",
            "host:80:80",
            "-host",
            "a..b",
            "[::1",
            "[zz::1]",
            "[::1]x",
            long.as_str(),
        ] {
            assert!(!valid_host(bad), "{bad}");
        }
    }

    #[test]
    fn a_missing_or_overlong_host_is_a_400() {
        let none = HeaderMap::new();
        assert_eq!(origin_of(None, "127.0.0.1", &[], &none).unwrap_err().status.as_u16(), 400);
        let long = headers(&[("host", &"a".repeat(3000))]);
        assert_eq!(origin_of(None, "127.0.0.1", &[], &long).unwrap_err().status.as_u16(), 400);
    }
}
