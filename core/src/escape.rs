//! Text from data (a Pol.is export, a participant's statement, an embedding site's xid) made
//! safe for each place it goes: one function per output format, and one check for every link
//! that comes from data. Every writer in the workspace goes through these, so a hostile byte
//! is handled once, the same way in the CLI, the server and the browser.
//!
//! - [`external_link`]: a URL from data that may become an `href`: `http(s)` only, a plain
//!   host, no credentials, no control characters (`javascript:`, `data:` and friends are
//!   refused, as OWASP's XSS prevention cheat sheet advises: allow-list the scheme).
//! - [`polis_source_link`]: the same, and the host must be pol.is (the CC BY attribution).
//! - [`csv_cell`] / [`csv_cell_read`]: a text cell a spreadsheet would run as a formula
//!   (`=`, `+`, `-`, `@`, tab, carriage return first: OWASP's CSV injection list) gets a
//!   leading `'`, which spreadsheets show as text; reading strips it again, so our own
//!   exports import back unchanged.
//! - [`xml_text`]: XML 1.0 escaping that also replaces the characters XML 1.0 forbids
//!   (C0 controls but tab, line feed and carriage return; U+FFFE, U+FFFF), which would make
//!   a GraphML or SVG file unreadable.
//! - [`dot_string`]: the inside of a Graphviz quoted string: quotes and backslashes escaped,
//!   control characters (NUL, BEL, ESC, C1) replaced.
//! - [`terminal_text`]: text for a terminal: control characters (ESC starts the sequences
//!   that move the cursor or rewrite the screen) and bidirectional overrides replaced.

/// The longest link from data we accept (browsers take longer ones; no real source does).
pub const MAX_LINK_BYTES: usize = 2048;

/// `url` when it is safe to use as a link target: an absolute `http` or `https` URL whose
/// host is a DNS name or an IPv4 address (optionally with a port), without user info, spaces
/// or control characters. Returns it with the scheme and host lower-cased; `None` otherwise.
pub fn external_link(url: &str) -> Option<String> {
    let url = url.trim();
    if url.is_empty() || url.len() > MAX_LINK_BYTES {
        return None;
    }
    // Characters that have no business in a link and that browsers strip or reinterpret
    // before parsing ("java\tscript:"), or that break out of an attribute elsewhere.
    if url.chars().any(|c| c.is_control() || c.is_whitespace() || matches!(c, '\\' | '"' | '<' | '>' | '`')) {
        return None;
    }
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return None;
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (authority, None),
    };
    if !valid_host(host)
        || port.is_some_and(|p| p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let mut out = format!("{scheme}://{}", host.to_ascii_lowercase());
    if let Some(p) = port {
        out.push(':');
        out.push_str(p);
    }
    out.push_str(tail);
    Some(out)
}

/// A host name of letters, digits and hyphens in dot-separated labels (IDNs come as
/// punycode), or an IPv4 address. No `@` (user info), no brackets, nothing else.
fn valid_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// A pol.is conversation link from an export's summary.csv `url`, safe to show and to link
/// (see [`external_link`]), with pol.is or one of its subdomains as the host.
pub fn polis_source_link(url: &str) -> Option<String> {
    let link = external_link(url)?;
    let host = link.split("://").nth(1)?.split(['/', '?', '#', ':']).next()?;
    (host == "pol.is" || host.ends_with(".pol.is")).then_some(link)
}

/// True when a spreadsheet would read a cell starting with this text as a formula.
fn formula_like(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// A free-text CSV cell (a statement, a title, an xid) as written to an export: prefixed
/// with `'` when it would start a formula. The CSV writer does the quoting.
pub fn csv_cell(text: &str) -> String {
    if formula_like(text) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// The inverse of [`csv_cell`] for a cell read from an export: `'=1+1` reads as `=1+1`.
/// Text that merely starts with `'` (not followed by a formula character) is kept.
pub fn csv_cell_read(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if formula_like(rest) => rest,
        _ => cell,
    }
}

/// Characters XML 1.0 does not allow anywhere in a document (production `Char`).
fn xml_forbidden(c: char) -> bool {
    let u = c as u32;
    (u < 0x20 && !matches!(c, '\t' | '\n' | '\r')) || u == 0xFFFE || u == 0xFFFF
}

/// Text for an XML element or a quoted attribute value (GraphML, SVG): the five special
/// characters escaped, characters XML 1.0 forbids replaced by U+FFFD.
pub fn xml_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if xml_forbidden(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// The inside of a Graphviz `"..."` string: `"` and `\` escaped, line breaks as spaces,
/// every other control character (C0, DEL, C1) replaced by U+FFFD.
pub fn dot_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Bidirectional embedding, override and isolate controls: they reorder what a reader sees
/// ("Trojan Source", CVE-2021-42574).
fn bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Text for a terminal: line breaks and tabs as spaces, every other control character and
/// bidirectional control replaced by U+FFFD, so a statement cannot move the cursor, change
/// colours, set the window title or reorder the line it is printed on.
pub fn terminal_text(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\n' | '\r' | '\t' => ' ',
            c if c.is_control() || bidi_control(c) => '\u{FFFD}',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_only_plain_http_and_https() {
        assert_eq!(external_link("https://pol.is/3phdex2kjf").as_deref(), Some("https://pol.is/3phdex2kjf"));
        assert_eq!(external_link("  HTTPS://Pol.IS/abc?x=1#y ").as_deref(), Some("https://pol.is/abc?x=1#y"));
        assert_eq!(
            external_link("http://127.0.0.1:8080/c/demo").as_deref(),
            Some("http://127.0.0.1:8080/c/demo")
        );
        for bad in [
            "javascript:void(fetch('/api/v1/admin/conversations'))//pol.is",
            "JaVaScRiPt:alert(1)//https://pol.is",
            "java\tscript://pol.is/",
            "data:text/html,<script>alert(1)</script>pol.is",
            "vbscript://pol.is",
            "//pol.is/abc",
            "https://evil.example\\@pol.is/",
            "https://user:pass@pol.is/",
            "https://pol.is@evil.example/",
            "https://pol.is/\"onmouseover=alert(1)",
            "https://pol.is/<script>",
            "https://pol .is/",
            "https://pol.is:99999999/",
            "https://pol.is:/",
            "https:///pol.is",
            "https://[::1]/",
            "https://-bad.example/",
            "https://ex\u{0}ample.org/",
            "",
        ] {
            assert_eq!(external_link(bad), None, "{bad:?} must be refused");
        }
        assert_eq!(external_link(&format!("https://pol.is/{}", "a".repeat(MAX_LINK_BYTES))), None);
    }

    #[test]
    fn the_attribution_link_must_point_at_pol_is() {
        assert!(polis_source_link("https://pol.is/3phdex2kjf").is_some());
        assert!(polis_source_link("https://www.pol.is/report/r1").is_some());
        assert_eq!(polis_source_link("https://evil.example/pol.is"), None);
        assert_eq!(polis_source_link("https://pol.is.evil.example/"), None);
        assert_eq!(polis_source_link("https://notpol.is/"), None);
        assert_eq!(
            polis_source_link(
                "javascript:void(fetch('/api/v1/admin/conversations',{method:'POST'}))//pol.is"
            ),
            None
        );
    }

    #[test]
    fn formula_cells_are_quoted_and_read_back_unchanged() {
        for text in ["=HYPERLINK(\"https://evil.example\",\"x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            let cell = csv_cell(text);
            assert!(cell.starts_with('\''), "{text:?} -> {cell:?}");
            assert_eq!(csv_cell_read(&cell), text);
        }
        for text in ["Lampu jalan", "'quoted' text", "a=b", " =spaced", ""] {
            assert_eq!(csv_cell(text), text);
            assert_eq!(csv_cell_read(text), text);
        }
    }

    #[test]
    fn xml_text_is_escaped_and_well_formed() {
        assert_eq!(xml_text("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(
            xml_text("x\u{0}\u{7}\u{1B}\u{FFFE}\u{FFFF}y"),
            "x\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}y"
        );
        assert_eq!(xml_text("tab\tline\ncr\r"), "tab\tline\ncr\r");
        assert_eq!(xml_text("Bahasa Indonesia 🇮🇩"), "Bahasa Indonesia 🇮🇩");
    }

    #[test]
    fn dot_strings_have_no_control_characters() {
        assert_eq!(dot_string("say \"hi\" \\ now"), "say \\\"hi\\\" \\\\ now");
        let s = dot_string("a\u{0}b\u{7}c\u{1B}[2Jd\u{7F}e\u{85}f\ng");
        assert!(!s.chars().any(char::is_control), "{s:?}");
        assert_eq!(s, "a\u{FFFD}b\u{FFFD}c\u{FFFD}[2Jd\u{FFFD}e\u{FFFD}f g");
    }

    #[test]
    fn terminal_text_cannot_drive_the_terminal() {
        let s = terminal_text("ok\u{1B}]0;pwned\u{7}\u{1B}[31mred\u{9B}2J \u{202E}txt.exe\nnext");
        assert!(!s.chars().any(|c| c.is_control() || bidi_control(c)), "{s:?}");
        assert!(s.contains("red") && s.ends_with(" next"));
    }
}
