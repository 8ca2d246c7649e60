//! Invariants of ARCHITECTURE.md checked by reading the server's source: only
//! `server/src/store/` holds SQL.

use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The string literals of a Rust source (plain, byte and raw), each with the line it
/// starts on; comments, char literals and lifetimes are skipped.
fn string_literals(src: &str) -> Vec<(usize, String)> {
    let c: Vec<char> = src.chars().collect();
    let (mut i, mut line, mut out) = (0, 1, Vec::new());
    let at = |i: usize| c.get(i).copied().unwrap_or('\0');
    while i < c.len() {
        match (c[i], at(i + 1)) {
            ('\n', _) => {
                line += 1;
                i += 1;
            }
            ('/', '/') => {
                while i < c.len() && c[i] != '\n' {
                    i += 1;
                }
            }
            ('/', '*') => {
                let mut depth = 0;
                loop {
                    match (at(i), at(i + 1)) {
                        ('\0', _) => break,
                        ('/', '*') => (depth, i) = (depth + 1, i + 2),
                        ('*', '/') => {
                            (depth, i) = (depth - 1, i + 2);
                            if depth == 0 {
                                break;
                            }
                        }
                        (ch, _) => {
                            line += usize::from(ch == '\n');
                            i += 1;
                        }
                    }
                }
            }
            ('\'', next) => {
                // A char literal ('x', '\n', '"'), or a lifetime ('a) that ends no literal.
                if next == '\\' {
                    i += 2;
                    while i < c.len() && c[i] != '\'' {
                        i += 1;
                    }
                    i += 1;
                } else if at(i + 2) == '\'' {
                    i += 3;
                } else {
                    i += 1;
                }
            }
            ('r', '#' | '"') if i == 0 || !(c[i - 1].is_alphanumeric() || c[i - 1] == '_') => {
                let mut j = i + 1;
                while at(j) == '#' {
                    j += 1;
                }
                if at(j) != '"' {
                    i += 1;
                    continue;
                }
                let close: String = std::iter::once('"').chain(std::iter::repeat_n('#', j - i - 1)).collect();
                let rest: String = c[j + 1..].iter().collect();
                let end = rest.find(&close).map_or(rest.len(), |e| e);
                let text = &rest[..end];
                out.push((line, text.to_string()));
                line += text.matches('\n').count();
                i = j + 1 + text.chars().count() + close.chars().count();
            }
            ('"', _) => {
                let (start, mut text) = (line, String::new());
                i += 1;
                while i < c.len() && c[i] != '"' {
                    if c[i] == '\\' {
                        text.push(c[i]);
                        i += 1;
                    }
                    line += usize::from(at(i) == '\n');
                    text.push(at(i));
                    i += 1;
                }
                out.push((start, text));
                i += 1;
            }
            _ => i += 1,
        }
    }
    out
}

/// The SQL a string literal holds, if any: a statement's opening words (`SELECT `,
/// `INSERT INTO `, `UPDATE <table> SET `, `DELETE FROM `, upper case as the store writes
/// them) or a call of `pg_notify`.
fn sql_in(text: &str) -> Option<&'static str> {
    let words: Vec<&str> =
        text.split(|ch: char| !(ch.is_alphanumeric() || ch == '_')).filter(|w| !w.is_empty()).collect();
    let at = |i: usize| words.get(i).copied().unwrap_or("");
    let select = text.match_indices("SELECT").any(|(i, _)| {
        let before = text[..i].chars().next_back().is_none_or(|ch| !(ch.is_alphanumeric() || ch == '_'));
        before && text[i + 6..].starts_with(char::is_whitespace)
    });
    if select {
        return Some("SELECT");
    }
    for (i, w) in words.iter().enumerate() {
        match *w {
            "INSERT" if at(i + 1) == "INTO" => return Some("INSERT INTO"),
            "DELETE" if at(i + 1) == "FROM" => return Some("DELETE FROM"),
            "UPDATE" if at(i + 2) == "SET" => return Some("UPDATE ... SET"),
            "pg_notify" => return Some("pg_notify"),
            _ => {}
        }
    }
    None
}

/// Every string literal with SQL in the server's source outside `store/`, as
/// `file:line: keyword`.
fn sql_outside_store(src: &Path) -> (usize, Vec<String>) {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let store = src.join("store");
    let mut found = Vec::new();
    let scanned = files.iter().filter(|f| !f.starts_with(&store)).count();
    for file in files.iter().filter(|f| !f.starts_with(&store)) {
        let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for (line, literal) in string_literals(&text) {
            if let Some(keyword) = sql_in(&literal) {
                found.push(format!("{}:{line}: {keyword}", file.display()));
            }
        }
    }
    (scanned, found)
}

#[test]
fn sql_lives_only_in_the_store() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let (scanned, found) = sql_outside_store(&src);
    assert!(scanned >= 20, "only {scanned} files scanned under {}", src.display());
    assert!(
        found.is_empty(),
        "SQL outside server/src/store/ (move it into the store):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_sql_finder_sees_literals_and_skips_comments_and_prose() {
    let src = r##"
        // SELECT id FROM t: a comment
        /* UPDATE t SET a = 1 /* nested */ DELETE FROM t */
        let quote = '"'; let lifetime: &'static str = "Select a file";
        let q = "SELECT pg_notify($1, $2)";
        let r = r#"INSERT INTO conversations (id) VALUES ($1)"#;
        let u = "UPDATE conversations SET closed = $1 \
                 WHERE id = $2";
        let d = "DELETE FROM admin_sessions WHERE expires_at < $1";
        let prose = "an UPDATE to the settings; INSERT a coin";
    "##;
    let found: Vec<(usize, Option<&str>)> = string_literals(src)
        .iter()
        .map(|(line, t)| (*line, sql_in(t)))
        .filter(|(_, k)| k.is_some())
        .collect();
    assert_eq!(
        found,
        vec![
            (5, Some("SELECT")),
            (6, Some("INSERT INTO")),
            (7, Some("UPDATE ... SET")),
            (9, Some("DELETE FROM"))
        ]
    );
}
