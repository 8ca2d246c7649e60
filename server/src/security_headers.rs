//! Response headers that tell the browser what the app may do: a Content-Security-Policy for
//! the app's pages, framing rules, `nosniff` and a referrer policy.
//!
//! The policy allows what the built app needs and nothing else: its own scripts and wasm
//! (`'wasm-unsafe-eval'` to compile it), the inline module script Trunk writes into each
//! `index.html` by its SHA-256 (read from the built files when the server starts, so a
//! rebuilt app needs no code change), inline style attributes (Leptos sets bar widths and
//! group colours with `style=`), images from the app, `data:` and `blob:` (the report's PNG
//! and SVG downloads), requests and the analysis worker from the same origin only.
//!
//! The moderator console, projector and report (`/admin`, `/p`, `/report`, `/r`) may not be
//! framed at all (a framed console could be clickjacked into moderating). Participant pages
//! (`/c/...`) may be framed by the origins in `--embed-origins` (default `'self'`), so a site
//! that signs in its residents by xid can embed the conversation.

use axum::http::{header, HeaderValue, Response};
use base64::Engine;
use sha2::{Digest, Sha256};
use tower_http::set_header::{MakeHeaderValue, SetResponseHeader};

/// The CSP keyword for "this server".
pub const SELF: &str = "'self'";

/// Parses one `--embed-origins` entry: `self` or `'self'`, `none` or `'none'`, or an origin
/// such as `https://kelurahan.example.go.id` (scheme, host, optional port; `*.` allowed in
/// front of the host as CSP allows), never anything that could end or extend the policy.
pub fn parse_embed_origin(s: &str) -> Result<String, String> {
    let s = s.trim();
    match s.trim_matches('\'') {
        "self" => return Ok(SELF.to_string()),
        "none" => return Ok("'none'".to_string()),
        _ => {}
    }
    let rest = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://"));
    let ok = rest.is_some_and(|host| {
        let host = host.strip_suffix('/').unwrap_or(host);
        let host = host.strip_prefix("*.").unwrap_or(host);
        crate::origin::valid_host(host)
    });
    if !ok {
        return Err(format!(
            "{s:?} is not an origin such as https://kelurahan.example.go.id (or self, or none)"
        ));
    }
    Ok(s.trim_end_matches('/').to_ascii_lowercase())
}

/// `'sha256-...'` of every inline `<script>` (one without `src`) in an HTML page, as CSP
/// hashes them: over the exact text between the tags.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(start) = lower[at..].find("<script").map(|i| at + i) {
        let Some(tag_end) = lower[start..].find('>').map(|i| start + i) else { break };
        let Some(close) = lower[tag_end..].find("</script").map(|i| tag_end + i) else { break };
        let tag = &lower[start..tag_end];
        if !tag.contains(" src=") && !tag.contains("\tsrc=") && !tag.contains("\nsrc=") {
            let body = &html[tag_end + 1..close];
            let digest = Sha256::digest(body.as_bytes());
            out.push(format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(digest)));
        }
        at = close + "</script".len();
    }
    out
}

/// The Content-Security-Policy of a page whose inline scripts hash to `script_hashes`,
/// framed by `frame_ancestors` (`'none'`, or CSP sources).
pub fn page_policy(script_hashes: &[String], frame_ancestors: &[String]) -> String {
    let mut script_src = vec!["'self'".to_string(), "'wasm-unsafe-eval'".to_string()];
    script_src.extend(script_hashes.iter().cloned());
    let frame_ancestors =
        if frame_ancestors.is_empty() { "'none'".to_string() } else { frame_ancestors.join(" ") };
    [
        "default-src 'self'".to_string(),
        format!("script-src {}", script_src.join(" ")),
        "style-src 'self' 'unsafe-inline'".to_string(),
        "img-src 'self' data: blob:".to_string(),
        "connect-src 'self'".to_string(),
        "worker-src 'self'".to_string(),
        "object-src 'none'".to_string(),
        "base-uri 'none'".to_string(),
        "form-action 'self'".to_string(),
        format!("frame-ancestors {frame_ancestors}"),
    ]
    .join("; ")
}

/// The inline script hashes of the built page at `path`; none when it is not there (the
/// server then serves no page from it anyway).
pub fn hashes_of_file(path: &std::path::Path) -> Vec<String> {
    match std::fs::read_to_string(path) {
        Ok(html) => inline_script_hashes(&html),
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "no built page to read inline script hashes from");
            Vec::new()
        }
    }
}

/// The headers an app page gets.
#[derive(Clone)]
pub struct PageHeaders {
    pub csp: HeaderValue,
    /// `X-Frame-Options`, for browsers that predate `frame-ancestors`; none when the page
    /// may be framed by other origins (the header cannot list them).
    pub frame_options: Option<HeaderValue>,
}

impl PageHeaders {
    /// Pages framed by nobody.
    pub fn unframed(script_hashes: &[String]) -> PageHeaders {
        PageHeaders {
            csp: header_value(&page_policy(script_hashes, &[])),
            frame_options: Some(HeaderValue::from_static("DENY")),
        }
    }

    /// Pages framed by `embed_origins` (CSP sources, `'self'` by default).
    pub fn embeddable(script_hashes: &[String], embed_origins: &[String]) -> PageHeaders {
        let only_self = embed_origins.iter().all(|o| o == SELF);
        PageHeaders {
            csp: header_value(&page_policy(script_hashes, embed_origins)),
            frame_options: only_self.then(|| HeaderValue::from_static("SAMEORIGIN")),
        }
    }

    /// `svc` (which serves the app's files) with these headers on its HTML answers (pages);
    /// other files (scripts, wasm, styles, and the analysis worker, whose own policy would
    /// come from its response) are left as they are.
    pub fn wrap<S>(&self, svc: S) -> SetResponseHeader<SetResponseHeader<S, HtmlOnly>, HtmlOnly> {
        let csp = SetResponseHeader::overriding(
            svc,
            header::CONTENT_SECURITY_POLICY,
            HtmlOnly(Some(self.csp.clone())),
        );
        SetResponseHeader::overriding(csp, header::X_FRAME_OPTIONS, HtmlOnly(self.frame_options.clone()))
    }
}

/// A header value for HTML responses only.
#[derive(Clone)]
pub struct HtmlOnly(Option<HeaderValue>);

impl<B> MakeHeaderValue<Response<B>> for HtmlOnly {
    fn make_header_value(&mut self, resp: &Response<B>) -> Option<HeaderValue> {
        let html = resp
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        if html {
            self.0.clone()
        } else {
            None
        }
    }
}

/// Policies are built from hashes and checked origins, so they are valid header text; the
/// fallback (a policy that allows nothing) only guards against a mistake here.
fn header_value(policy: &str) -> HeaderValue {
    HeaderValue::from_str(policy).unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_hashed_and_external_ones_are_not() {
        let html = r#"<html><head><script type="module" src="/a.js"></script>
<SCRIPT type="module">import init from '/app.js';
await init();</SCRIPT></head><body><script>x()</script></body></html>"#;
        let hashes = inline_script_hashes(html);
        assert_eq!(hashes.len(), 2);
        let expected = |body: &str| {
            format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(Sha256::digest(body)))
        };
        assert_eq!(hashes[0], expected("import init from '/app.js';\nawait init();"));
        assert_eq!(hashes[1], expected("x()"));
        // A known vector: CSP's hash of `alert('Hello, world.');`.
        assert_eq!(
            inline_script_hashes("<script>alert('Hello, world.');</script>"),
            vec!["'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='".to_string()]
        );
    }

    #[test]
    fn embed_origins_are_origins_or_keywords_only() {
        assert_eq!(parse_embed_origin("self").unwrap(), "'self'");
        assert_eq!(parse_embed_origin("'self'").unwrap(), "'self'");
        assert_eq!(
            parse_embed_origin("https://Kelurahan.example.go.id/").unwrap(),
            "https://kelurahan.example.go.id"
        );
        assert_eq!(parse_embed_origin("https://*.example.org:8443").unwrap(), "https://*.example.org:8443");
        for bad in [
            "*",
            "https://a.example; script-src *",
            "javascript:x",
            "a.example",
            "https://a.example/path",
            "'unsafe-inline'",
        ] {
            assert!(parse_embed_origin(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn policy_names_every_directive_the_app_relies_on() {
        let p = page_policy(&["'sha256-abc'".to_string()], &[]);
        for part in [
            "script-src 'self' 'wasm-unsafe-eval' 'sha256-abc'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "img-src 'self' data: blob:",
        ] {
            assert!(p.contains(part), "{part} missing from {p}");
        }
        let embed = page_policy(&[], &["'self'".to_string(), "https://a.example".to_string()]);
        assert!(embed.ends_with("frame-ancestors 'self' https://a.example"), "{embed}");
    }
}
