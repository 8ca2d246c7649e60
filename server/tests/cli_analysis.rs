//! `mufakat analyze`, `import` and `export` on the real Pol.is conversations in
//! `../shared/data/polis` beside the checkout, or `MUFAKAT_POLIS_DATA` (skipped, with a message,
//! where the folder is absent).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use mufakat_core::polis_csv::{self, PolisExport};

/// The shared data beside the checkout, as the core's fidelity test finds it.
const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/polis");

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mufakat"))
}

fn conversations() -> Vec<PathBuf> {
    let dir = std::env::var("MUFAKAT_POLIS_DATA").unwrap_or_else(|_| DATA.to_string());
    let Ok(entries) = std::fs::read_dir(&dir) else {
        common::say(&format!("SKIPPED: {dir} is absent; the Pol.is conversation tests did not run"));
        return Vec::new();
    };
    let mut out: Vec<PathBuf> =
        entries.flatten().map(|e| e.path()).filter(|p| p.join("comments.csv").exists()).collect();
    out.sort();
    out
}

fn read_dir_export(dir: &Path) -> PolisExport {
    PolisExport::from_files(|n| std::fs::read_to_string(dir.join(n)).ok()).expect("export parses")
}

fn header(path: &Path) -> String {
    std::fs::read_to_string(path).expect("file").lines().next().unwrap_or("").to_string()
}

#[test]
fn analyze_writes_every_file_reproducibly_with_polis_columns() {
    for conv in conversations() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
        for out in [&a, &b] {
            let o = bin()
                .arg("analyze")
                .arg(&conv)
                .arg("--out")
                .arg(out)
                .arg("--seed")
                .arg("3")
                .output()
                .expect("runs");
            assert!(o.status.success(), "{}: {}", conv.display(), String::from_utf8_lossy(&o.stderr));
            let text = String::from_utf8_lossy(&o.stdout);
            assert!(text.contains("participants") && text.contains("Group A"), "{text}");
            assert!(text.contains("CC BY 4.0"), "attribution missing for {}", conv.display());
            // The shared conversations carry Pol.is's groups: the summary compares with them.
            let ari: f64 = text
                .split("adjusted Rand index ")
                .nth(1)
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|x| x.parse().ok())
                .unwrap_or_else(|| panic!("no agreement with Pol.is's groups in: {text}"));
            assert!((0.8..=1.0).contains(&ari), "{}: ARI {ari}", conv.display());
            // All four have two Pol.is groups, which one straight cut of our map separates far
            // better than putting everyone on the bigger group's side.
            let line = text
                .split("One straight line across our opinion map puts ")
                .nth(1)
                .unwrap_or_else(|| panic!("no straight-cut line in: {text}"));
            let percent = |s: &str| -> f64 {
                s.split('%')
                    .next()
                    .and_then(|x| x.parse().ok())
                    .unwrap_or_else(|| panic!("no share in: {line}"))
            };
            let (cut, none) = (percent(line), percent(line.split("against ").nth(1).unwrap_or("")));
            assert!(cut >= none && cut <= 100.0, "{}: straight cut {cut}% against {none}%", conv.display());
            assert!(
                (cut - none) / (100.0 - none) >= 0.8,
                "{}: straight cut {cut}% against {none}%",
                conv.display()
            );
        }
        let names = [
            "summary.csv",
            "comments.csv",
            "votes.csv",
            "participants-votes.csv",
            "comment-groups.csv",
            "analysis.json",
            "outcomes.csv",
            "translations.csv",
            "graph.graphml",
            "graph.dot",
            "opinion-map.svg",
            "consensus-map.svg",
            "opinion-map.png",
            "consensus-map.png",
        ];
        for n in names {
            let (x, y) = (std::fs::read(a.join(n)).expect(n), std::fs::read(b.join(n)).expect(n));
            assert!(!x.is_empty(), "{n} is empty");
            assert!(x == y, "{n} differs between two runs with the same seed ({})", conv.display());
        }
        assert_eq!(
            header(&a.join("comments.csv")),
            "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,is-meta,is-seed,comment-body"
        );
        assert_eq!(header(&a.join("votes.csv")), "timestamp,datetime,comment-id,voter-id,vote");
        // The xid column stays when the input had one (Austria's files do), as in Pol.is's.
        let xid = header(&conv.join("participants-votes.csv")).starts_with("participant,xid,");
        let expected = if xid { "participant,xid,group-id," } else { "participant,group-id," };
        assert!(header(&a.join("participants-votes.csv"))
            .starts_with(&format!("{expected}n-comments,n-votes,n-agree,n-disagree,")));
        let attribution = std::fs::read_to_string(a.join("ATTRIBUTION.txt")).expect("ATTRIBUTION.txt");
        assert!(attribution.starts_with("Data was gathered using the Polis software"), "{attribution}");
        assert!(attribution.contains("CC BY 4.0") && attribution.contains("pol.is/"), "{attribution}");
        assert!(header(&a.join("comment-groups.csv")).starts_with(
            "comment-id,comment,total-votes,total-agrees,total-disagrees,total-passes,group-a-votes"
        ));
        let summary = std::fs::read_to_string(a.join("summary.csv")).expect("summary");
        let keys: Vec<&str> =
            summary.lines().filter_map(|l| l.split(',').next()).filter(|k| !k.is_empty()).collect();
        assert!(
            keys.starts_with(&[
                "topic",
                "url",
                "views",
                "voters",
                "voters-in-conv",
                "commenters",
                "comments",
                "groups"
            ]),
            "{keys:?}"
        );
        let json = std::fs::read_to_string(a.join("analysis.json")).expect("json");
        let analysis = polis_csv::read_analysis_json(&json).expect("analysis.json reads back");
        assert_eq!(analysis.seed, 3);
        // The exported Pol.is files analyse again to the same groups.
        let again = read_dir_export(&a)
            .analyse(&mufakat_core::AnalysisParams::default().seed(3))
            .expect("re-analyse");
        let sizes = |x: &mufakat_core::Analysis| x.groups.iter().map(|g| g.size).collect::<Vec<_>>();
        assert_eq!(sizes(&again), sizes(&analysis), "{}", conv.display());
    }
}

#[test]
fn json_flag_prints_the_versioned_analysis() {
    let Some(conv) = conversations().into_iter().next() else { return };
    let o = bin().arg("analyze").arg(&conv).arg("--json").output().expect("runs");
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(polis_csv::read_analysis_json(&text).is_ok());
}

/// Pol.is's report page downloads the files as `<time>-<conversation id>-<file>.csv`: a
/// folder of those analyses as the plain names do, and errors name the file on disk.
#[test]
fn files_named_as_polis_downloads_them_are_found() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("download");
    std::fs::create_dir(&dir).expect("mkdir");
    let prefix = "2024-10-23-1530-2arcefpshi-";
    std::fs::write(
        dir.join(format!("{prefix}comments.csv")),
        "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n\
         1,x,0,0,0,0,1,Parks first\n1,x,1,0,0,0,1,Buses first\n1,x,2,1,0,0,1,Both\n",
    )
    .expect("write");
    let mut votes = String::from("timestamp,datetime,comment-id,voter-id,vote\n");
    for p in 0..20 {
        for c in 0..3 {
            votes.push_str(&format!(
                "{},x,{c},{p},{}\n",
                10 + p * 3 + c,
                if (p + c) % 2 == 0 { 1 } else { -1 }
            ));
        }
    }
    std::fs::write(dir.join(format!("{prefix}votes.csv")), &votes).expect("write");
    std::fs::write(dir.join(format!("{prefix}summary.csv")), "topic,Transport\n").expect("write");
    std::fs::write(dir.join("notes.txt"), "not part of the export").expect("write");
    let o = bin().arg("analyze").arg(&dir).output().expect("runs");
    let (out, err) = (String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(o.status.success(), "{err}");
    assert!(out.contains("20 participants") && out.contains("3 statements"), "{out}");

    // An error names the file as it is on disk.
    std::fs::write(dir.join(format!("{prefix}votes.csv")), format!("{votes}99,x,0,0,maybe\n"))
        .expect("write");
    let o = bin().arg("analyze").arg(&dir).output().expect("runs");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(err.contains(&format!("{prefix}votes.csv, line 62, column vote")), "{err}");

    // Two exports in one folder: which votes file is meant cannot be guessed.
    std::fs::write(dir.join(format!("{prefix}votes.csv")), &votes).expect("write");
    std::fs::write(dir.join("2024-11-02-0900-2arcefpshi-votes.csv"), &votes).expect("write");
    let o = bin().arg("analyze").arg(&dir).output().expect("runs");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(
        err.contains("2 files could be the export's votes.csv") && err.contains("one export per folder"),
        "{err}"
    );
    // Pol.is downloads participant-votes.csv (singular): its errors name that file too.
    std::fs::remove_file(dir.join("2024-11-02-0900-2arcefpshi-votes.csv")).expect("rm");
    std::fs::write(
        dir.join(format!("{prefix}participant-votes.csv")),
        "participant,group-id,n-comments,n-votes,n-agree,n-disagree,0,1,2\nsomeone,0,0,3,2,1,1,1,-1\n",
    )
    .expect("write");
    let o = bin().arg("analyze").arg(&dir).output().expect("runs");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(err.contains(&format!("{prefix}participant-votes.csv, line 2")), "{err}");
}

#[test]
fn malformed_csv_names_file_line_and_column_without_panicking() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        tmp.path().join("comments.csv"),
        "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n1,x,0,0,0,0,1,Hello\n",
    )
    .expect("write");
    std::fs::write(
        tmp.path().join("votes.csv"),
        "timestamp,datetime,comment-id,voter-id,vote\n1,x,0,0,1\n2,x,0,1,yes\n",
    )
    .expect("write");
    let o = bin().arg("analyze").arg(tmp.path()).output().expect("runs");
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("votes.csv, line 3, column vote"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    // A missing directory and an unknown conversation are errors too, not panics.
    let o = bin().args(["analyze", "/nonexistent/dir"]).output().expect("runs");
    assert!(!o.status.success() && !String::from_utf8_lossy(&o.stderr).contains("panicked"));
    let db = format!("sqlite://{}", tmp.path().join("s.sqlite").display());
    let o = bin().args(["analyze", "no-such-conversation", "--database-url", &db]).output().expect("runs");
    assert!(!o.status.success() && !String::from_utf8_lossy(&o.stderr).contains("panicked"));
}

#[test]
fn import_then_export_gives_back_the_same_statements_and_votes() {
    for conv in conversations() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let db = format!("sqlite://{}", tmp.path().join("store.sqlite").display());
        let o = bin()
            .arg("import")
            .arg(&conv)
            .args(["--id", "imported", "--database-url", &db])
            .output()
            .expect("runs");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        // A second import under the same id is refused and loses nothing.
        let o = bin()
            .arg("import")
            .arg(&conv)
            .args(["--id", "imported", "--database-url", &db])
            .output()
            .expect("runs");
        assert!(!o.status.success());
        let out = tmp.path().join("out");
        let o = bin()
            .args(["export", "imported", "--database-url", &db, "--out"])
            .arg(&out)
            .output()
            .expect("runs");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let (before, after) = (read_dir_export(&conv), read_dir_export(&out));
        let statements = |e: &PolisExport| {
            let mut v: Vec<_> =
                e.comments.iter().map(|c| (c.id, c.author, c.moderation, c.body.clone())).collect();
            v.sort_by_key(|x| x.0);
            v.dedup_by_key(|x| x.0);
            v
        };
        assert_eq!(statements(&before), statements(&after), "statements of {}", conv.display());
        let votes = |e: &PolisExport| {
            e.votes.iter().map(|v| (v.timestamp, v.participant, v.statement, v.vote)).collect::<Vec<_>>()
        };
        assert_eq!(votes(&before), votes(&after), "votes of {}", conv.display());
        eprintln!("round trip ok: {}", conv.display());
    }
}

#[test]
fn admin_create_makes_a_moderator_who_can_sign_in_and_refuses_bad_input() {
    use std::io::Write;
    let tmp = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", tmp.path().join("store.sqlite").display());
    let create = |name: &str, password: &str| {
        let mut child = bin()
            .args(["admin", "create", "--username", name, "--password-stdin", "--database-url", &url])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("runs");
        child.stdin.take().expect("stdin").write_all(format!("{password}\n").as_bytes()).expect("write");
        child.wait_with_output().expect("exits")
    };
    let o = create("siti", "a long passphrase");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("created moderator siti"));
    // The same name again, and a short password: clear refusals, nothing changed.
    let o = create("siti", "another long one");
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("already exists"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = create("budi", "short");
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("at least 8 characters"));
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    rt.block_on(async {
        let store = mufakat_server::store::Store::open(&url).await.expect("store opens");
        let hash = store.admin_password_hash("siti").await.expect("query").expect("siti exists");
        assert!(mufakat_server::auth::verify_password("a long passphrase", &hash));
        assert!(!mufakat_server::auth::verify_password("another long one", &hash));
        assert_eq!(store.admin_password_hash("budi").await.expect("query"), None);
    });
}

/// The moderator's download and `mufakat export` write the same bytes: vote times in
/// milliseconds on every row, statements' too, formula-like statements defused.
#[tokio::test(flavor = "multi_thread")]
async fn http_export_is_byte_identical_to_the_cli_export() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let db = format!("sqlite://{}", tmp.path().join("store.sqlite").display());
    let s = common::TestServer::start(&db, common::unlimited()).await;
    let admin = common::moderator(&s).await;
    let seeds = ["=1+1 more benches in the park", "The market should open at six", "Buses every ten minutes"];
    common::conversation(&s, &admin, "market", &seeds).await;
    for p in 0..6 {
        let token = common::join(&s, "market").await;
        for statement in 0..3 {
            let vote = if (statement == 0) == (p % 2 == 0) { "agree" } else { "disagree" };
            let r = common::client()
                .post(s.api("/conversations/market/votes"))
                .header("x-participant-token", &token)
                .json(&serde_json::json!({"statement": statement, "vote": vote}))
                .send()
                .await
                .expect("vote");
            assert_eq!(r.status(), 200);
        }
    }
    let outcome = mufakat_core::api::outcomes::OutcomeInput {
        statement: Some(0),
        status: mufakat_core::api::outcomes::OutcomeStatus::Adopted,
        text: "=2+2 benches by May".into(),
        date: "2026-03-01".into(),
    };
    s.store.add_outcome("market", &outcome).await.expect("outcome");
    let out = tmp.path().join("cli");
    let o =
        bin().args(["export", "market", "--database-url", &db, "--out"]).arg(&out).output().expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for name in mufakat_server::export::FILES {
        let r = admin
            .get(s.api(&format!("/admin/conversations/market/export/{name}")))
            .send()
            .await
            .expect("get");
        assert_eq!(r.status(), 200, "{name}");
        let http = r.text().await.expect("body");
        let cli = std::fs::read_to_string(out.join(name)).expect("CLI file");
        assert_eq!(http, cli, "{name} differs between the download and `mufakat export`");
    }
    let votes = std::fs::read_to_string(out.join("votes.csv")).expect("votes.csv");
    for line in votes.lines().skip(1) {
        let ms: i64 = line.split(',').next().and_then(|t| t.parse().ok()).expect("a timestamp on every vote");
        assert!(ms > 1_600_000_000_000, "vote time in milliseconds: {line}");
    }
    let comments = std::fs::read_to_string(out.join("comments.csv")).expect("comments.csv");
    assert!(comments.contains(",'=1+1 more benches"), "formula-like statement defused:\n{comments}");
    let outcomes = std::fs::read_to_string(out.join("outcomes.csv")).expect("outcomes.csv");
    assert!(outcomes.contains(",'=2+2 benches by May,"), "the outcome, defused:\n{outcomes}");
    s.stop().await;
}

#[test]
fn an_error_is_one_line_without_a_backtrace_even_with_rust_backtrace_set() {
    let tmp = tempfile::tempdir().expect("tmp");
    std::fs::write(tmp.path().join("comments.csv"), "not,a,header\n").expect("write");
    for args in [vec!["analyze", "/nonexistent/dir"], vec!["analyze", tmp.path().to_str().expect("utf-8")]] {
        let o = bin()
            .args(&args)
            .env("RUST_BACKTRACE", "1")
            .env("RUST_LIB_BACKTRACE", "1")
            .output()
            .expect("runs");
        assert!(!o.status.success());
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.starts_with("error: "), "{err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(!err.to_lowercase().contains("backtrace"), "{err}");
    }
}

/// A made-up export folder (two camps of four) with a math blob: `tids` and
/// `user-vote-counts` as given.
fn folder_with_math(dir: &Path, tids: &str, counts: &str) {
    let mut votes = String::from("timestamp,datetime,comment-id,voter-id,vote\n");
    for p in 0..8 {
        for s in 0..4 {
            votes.push_str(&format!("{},,{s},{p},{}\n", 10 * p + s, if p < 4 { 1 } else { -1 }));
        }
    }
    std::fs::write(dir.join("votes.csv"), votes).expect("write");
    std::fs::write(
        dir.join("comments.csv"),
        "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n\
         1,,0,0,4,4,1,a\n1,,1,0,4,4,1,b\n1,,2,0,4,4,1,c\n1,,3,0,4,4,1,d\n",
    )
    .expect("write");
    let math = format!(
        r#"{{"tids": {tids}, "in-conv": [0,1,2,3,4,5,6,7],
            "base-clusters": {{"id": [1, 2], "members": [[0,1,2,3],[4,5,6,7]], "x": [1.0,-1.0], "y": [0.0,0.0], "count": [4,4]}},
            "group-clusters": [{{"id": 0, "members": [1], "center": [1.0,0.0]}}, {{"id": 1, "members": [2], "center": [-1.0,0.0]}}],
            "user-vote-counts": {counts}}}"#
    );
    std::fs::write(dir.join("2024-10-23-1530-abc-math-pca2.json"), math).expect("write");
}

#[test]
fn polis_math_in_the_folder_is_compared_stage_by_stage_and_a_foreign_one_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let own = r#"{"0":4,"1":4,"2":4,"3":4,"4":4,"5":4,"6":4,"7":4}"#;
    folder_with_math(tmp.path(), "[0,1,2,3]", own);
    let o = bin().arg("analyze").arg(tmp.path()).output().expect("runs");
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(text.contains("Compared with Pol.is's own math"), "{text}");
    assert!(
        text.contains("groups: 2 ours, 2 Pol.is's; adjusted Rand index 1.000 over 8 participants"),
        "{text}"
    );
    let o = bin().arg("analyze").arg(tmp.path()).arg("--json").output().expect("runs");
    assert!(String::from_utf8_lossy(&o.stdout).contains("\"polis_comparison\""));
    // Another conversation's blob: an error naming the file; nothing imported.
    let foreign = tempfile::tempdir().expect("tempdir");
    folder_with_math(foreign.path(), "[0,1,2,3,57]", own);
    let db = format!("sqlite://{}", tmp.path().join("s.sqlite").display());
    let o = bin()
        .arg("import")
        .arg(foreign.path())
        .args(["--id", "x", "--database-url", &db])
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(err.contains("math-pca2.json") && err.contains("statement 57"), "{err}");
    let o = bin().args(["analyze", "x", "--database-url", &db]).output().expect("runs");
    assert!(!o.status.success(), "nothing was imported");
    let other = r#"{"0":9,"1":9,"2":9,"3":9,"4":9,"5":4,"6":4,"7":4}"#;
    folder_with_math(foreign.path(), "[0,1,2,3]", other);
    let o = bin().arg("analyze").arg(foreign.path()).output().expect("runs");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && err.contains("another conversation"), "{err}");
}

/// Runs `mufakat` with `args`, asserting success; returns stdout.
fn run_ok(args: &[&str]) -> String {
    let o = bin().args(args).output().expect("runs");
    assert!(o.status.success(), "mufakat {args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A CSV file's rows as records, header first.
fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let mut rdr =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).from_path(path).expect("csv file");
    rdr.records().map(|r| r.expect("record").iter().map(str::to_string).collect()).collect()
}

/// Column `name` of a table (header first) by participant or comment id in column `key`.
fn column_by(rows: &[Vec<String>], key: &str, name: &str) -> std::collections::BTreeMap<String, String> {
    let k = rows[0].iter().position(|h| h == key).unwrap_or_else(|| panic!("no {key} in {:?}", rows[0]));
    let c = rows[0].iter().position(|h| h == name).unwrap_or_else(|| panic!("no {name} in {:?}", rows[0]));
    rows[1..].iter().map(|r| (r[k].clone(), r[c].clone())).collect()
}

/// Pol.is's columns, as the shared openData files have them, are all in a stored
/// conversation's export, in Pol.is's order, and filled: times with their `datetime`, the
/// authors of participants' statements, each participant's `n-comments`, and summary.csv's
/// every key (the pol.is `url` kept through the import).
#[test]
fn a_stored_conversations_export_has_every_polis_column_filled() {
    for conv in conversations() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let db = format!("sqlite://{}", tmp.path().join("store.sqlite").display());
        let out = tmp.path().join("out");
        let dir = conv.to_str().expect("utf-8 path");
        run_ok(&["import", dir, "--id", "imported", "--database-url", &db]);
        run_ok(&["export", "imported", "--database-url", &db, "--out", out.to_str().expect("utf-8")]);
        let name = conv.display();

        // summary.csv: Pol.is's keys in Pol.is's order, each with a value.
        let (theirs, ours) = (csv_rows(&conv.join("summary.csv")), csv_rows(&out.join("summary.csv")));
        let keys = |rows: &[Vec<String>]| rows.iter().map(|r| r[0].clone()).collect::<Vec<_>>();
        assert_eq!(keys(&ours), keys(&theirs), "{name}: summary.csv keys");
        for row in &ours {
            assert!(!row[1].is_empty(), "{name}: summary.csv {} is empty", row[0]);
        }
        assert_eq!(ours[1], theirs[1], "{name}: the pol.is url survives the import");

        // comments.csv and votes.csv: Pol.is's columns in order (the newer exporter's
        // group-informed-consensus aside, docs/polis-export.md), timestamps with datetimes.
        for file in ["comments.csv", "votes.csv"] {
            let (theirs, ours) = (csv_rows(&conv.join(file)), csv_rows(&out.join(file)));
            let wanted: Vec<&String> =
                theirs[0].iter().filter(|h| h.as_str() != "group-informed-consensus").collect();
            let mut at = ours[0].iter();
            for h in &wanted {
                assert!(
                    at.any(|o| o == *h),
                    "{name}: {file} lacks {h} or has it out of order: {:?}",
                    ours[0]
                );
            }
            let (ts, dt) = (
                ours[0].iter().position(|h| h == "timestamp").expect("timestamp"),
                ours[0].iter().position(|h| h == "datetime").expect("datetime"),
            );
            for row in &ours[1..] {
                assert!(
                    row[ts].parse::<i64>().is_ok() && row[dt].contains(" UTC "),
                    "{name}: {file} row {row:?}"
                );
            }
        }
        let (theirs, ours) = (csv_rows(&conv.join("comments.csv")), csv_rows(&out.join("comments.csv")));
        assert_eq!(
            column_by(&ours, "comment-id", "author-id"),
            column_by(&theirs, "comment-id", "author-id"),
            "{name}: author-id"
        );

        // participants-votes.csv: the same fixed columns, n-comments per participant.
        let (theirs, ours) =
            (csv_rows(&conv.join("participants-votes.csv")), csv_rows(&out.join("participants-votes.csv")));
        // An xid column of empty cells (austria-climate's) is not kept: a store keeps no empty xid.
        let xids = theirs[0]
            .iter()
            .position(|h| h == "xid")
            .is_some_and(|x| theirs[1..].iter().any(|r| !r[x].is_empty()));
        let fixed = |h: &[String]| {
            h.iter()
                .take_while(|c| c.parse::<u32>().is_err())
                .filter(|c| xids || c.as_str() != "xid")
                .cloned()
                .collect::<Vec<_>>()
        };
        assert_eq!(fixed(&ours[0]), fixed(&theirs[0]), "{name}: participants-votes.csv columns");
        let (ours_n, theirs_n) =
            (column_by(&ours, "participant", "n-comments"), column_by(&theirs, "participant", "n-comments"));
        let differing: Vec<_> = theirs_n.iter().filter(|(p, n)| ours_n.get(*p) != Some(*n)).collect();
        assert!(
            differing.is_empty(),
            "{name}: n-comments differ for {} participants, e.g. {:?}",
            differing.len(),
            &differing[..differing.len().min(5)]
        );
    }
}

/// A fresh SQLite store at `db` with the demo conversation and, when the shared data is
/// there, brexit-consensus and bg2050-volunteers (which has a meta statement) imported
/// (said where they are not). Returns the ids.
fn store_with_demo_and_imports(db: &str) -> Vec<&'static str> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    rt.block_on(async {
        let store = mufakat_server::store::Store::open(db).await.expect("store opens");
        mufakat_server::demo::load(&store).await.expect("demo");
    });
    let mut ids = vec!["demo"];
    for (name, id) in [("brexit-consensus", "brexit"), ("bg2050-volunteers", "bg2050")] {
        match conversations().into_iter().find(|c| c.ends_with(name)) {
            Some(conv) => {
                run_ok(&["import", conv.to_str().expect("utf-8"), "--id", id, "--database-url", db]);
                ids.push(id);
            }
            None => common::say(&format!("SKIPPED: {name} is absent; the round trips did not run on it")),
        }
    }
    ids
}

/// Each participant's group in an analysis.json, by participant.
fn groups_of(json: &str) -> Vec<(u32, Option<u32>)> {
    let a = polis_csv::read_analysis_json(json).expect("analysis.json");
    let mut v: Vec<_> = a.participants.iter().map(|p| (p.id, p.group)).collect();
    v.sort_unstable();
    v
}

/// `mufakat export` then `mufakat analyze` on the files gives the stored conversation's
/// analysis (`mufakat analyze <id>`): the same groups, participant by participant, and the
/// same analysis.json byte for byte. Before, comments.csv had no is-meta column, so a meta
/// statement came back as an ordinary one.
#[test]
fn export_then_analyze_gives_the_stored_conversations_groups() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let db = format!("sqlite://{}", tmp.path().join("store.sqlite").display());
    for id in store_with_demo_and_imports(&db) {
        let stored = run_ok(&["analyze", id, "--json", "--database-url", &db]);
        let out = tmp.path().join(id);
        let out = out.to_str().expect("utf-8");
        run_ok(&["export", id, "--database-url", &db, "--out", out]);
        let again = run_ok(&["analyze", out, "--json"]);
        let groups = groups_of(&stored);
        assert!(groups.iter().any(|g| g.1 == Some(1)), "{id}: at least two groups");
        assert_eq!(groups, groups_of(&again), "{id}: groups differ after export");
        assert!(stored == again, "{id}: analysis.json differs after export");
    }
}

/// Export, import the files as a new conversation, export again: every file is the same,
/// byte for byte, translations.csv included (docs/polis-export.md lists what an import does
/// not carry: outcomes, and participants who neither voted nor wrote).
#[test]
fn export_import_export_is_byte_identical() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let db = format!("sqlite://{}", tmp.path().join("store.sqlite").display());
    for id in store_with_demo_and_imports(&db) {
        let (first, second) = (tmp.path().join(format!("{id}-1")), tmp.path().join(format!("{id}-2")));
        let again = format!("{id}-again");
        run_ok(&["export", id, "--database-url", &db, "--out", first.to_str().expect("utf-8")]);
        run_ok(&["import", first.to_str().expect("utf-8"), "--id", &again, "--database-url", &db]);
        run_ok(&["export", &again, "--database-url", &db, "--out", second.to_str().expect("utf-8")]);
        let mut names: Vec<String> = std::fs::read_dir(&first)
            .expect("first export")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert!(names.len() >= 13, "{id}: {names:?}");
        if id == "demo" {
            // The demo's statements are in Bahasa Indonesia or English, each translated.
            let translations =
                std::fs::read_to_string(first.join("translations.csv")).expect("translations.csv");
            assert!(translations.lines().any(|l| l.starts_with("0,id,en,")), "{translations}");
            assert!(translations.lines().any(|l| l.contains(",en,id,")), "{translations}");
        }
        for name in &names {
            let (a, b) = (std::fs::read(first.join(name)).expect(name), std::fs::read(second.join(name)));
            assert!(b.as_ref().is_ok_and(|b| *b == a), "{id}: {name} differs after export, import, export");
        }
    }
}

/// `mufakat import` says the conversation is closed and how to open it, or with `--open`
/// opens it; votes on a statement comments.csv lacks are refused with both named, and
/// nothing is imported.
#[test]
fn import_says_it_is_closed_and_how_to_open_it_and_refuses_unknown_statements() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let db = format!("sqlite://{}", tmp.path().join("store.sqlite").display());
    let dir = tmp.path().join("export");
    std::fs::create_dir_all(&dir).expect("dir");
    let comments = "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n\
                    1500000000000,,0,0,0,0,1,Parks should open at six\n\
                    1500000000001,,1,0,0,0,1,Buses every ten minutes\n";
    std::fs::write(dir.join("comments.csv"), comments).expect("write");
    let votes = |extra: &str| {
        format!("timestamp,datetime,comment-id,voter-id,vote\n1500000001000,,0,0,1\n1500000002000,,1,1,-1\n{extra}")
    };
    std::fs::write(dir.join("votes.csv"), votes("1500000003000,,7,1,1\n")).expect("write");
    let d = dir.to_str().expect("utf-8");
    let o = bin().args(["import", d, "--id", "bad", "--database-url", &db]).output().expect("runs");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "{err}");
    assert!(err.contains("participant 1 voted on statement 7, which comments.csv does not have"), "{err}");
    let o = bin().args(["export", "bad", "--database-url", &db, "--out", d]).output().expect("runs");
    assert!(!o.status.success(), "nothing of the refused import is stored");

    std::fs::write(dir.join("votes.csv"), votes("")).expect("write");
    let said = run_ok(&["import", d, "--id", "closed", "--database-url", &db]);
    assert!(
        said.contains("It is closed") && said.contains("Reopen conversation") && said.contains("--open"),
        "{said}"
    );
    let said = run_ok(&["import", d, "--id", "open", "--open", "--database-url", &db]);
    assert!(said.contains("It is open"), "{said}");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    rt.block_on(async {
        let store = mufakat_server::store::Store::open(&db).await.expect("store opens");
        assert!(store.conversation("closed").await.expect("closed").closed);
        assert!(!store.conversation("open").await.expect("open").closed);
    });
}

/// `mufakat import` reads translations.csv back; a bad line of it (an unknown statement, an
/// unlisted language, a text over 280 characters) is refused naming the file and the line,
/// and nothing is imported.
#[test]
fn import_refuses_a_bad_translations_line_naming_it_and_imports_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let db = format!("sqlite://{}", tmp.path().join("store.sqlite").display());
    let dir = tmp.path().join("export");
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(
        dir.join("comments.csv"),
        "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n\
         1500000000000,,0,0,0,0,1,Taman dibuka pukul enam\n1500000000001,,1,0,0,0,1,Buses every ten minutes\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("votes.csv"),
        "timestamp,datetime,comment-id,voter-id,vote\n1500000001000,,0,0,1\n1500000002000,,1,1,-1\n",
    )
    .expect("write");
    let head = "comment-id,original-language,language,translated-by,text\n";
    let good = "0,id,en,moderator,Parks open at six\n1,en,id,author,Bus setiap sepuluh menit\n";
    let d = dir.to_str().expect("utf-8");
    let long = "a".repeat(281);
    for (bad, said) in [
        ("7,id,en,moderator,Who?\n", "translations.csv, line 4: there is no statement 7"),
        ("0,id,xx,moderator,Huh\n", "translations.csv, line 4: language \"xx\" is not one of"),
        (&format!("1,en,jv,moderator,{long}\n")[..], "translations.csv, line 4: the text has 281 characters"),
    ] {
        std::fs::write(dir.join("translations.csv"), format!("{head}{good}{bad}")).expect("write");
        let o = bin().args(["import", d, "--id", "bad", "--database-url", &db]).output().expect("runs");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success() && err.contains(said), "{said}: {err}");
        let o = bin().args(["export", "bad", "--database-url", &db, "--out", d]).output().expect("runs");
        assert!(!o.status.success(), "nothing of the refused import is stored");
    }
    std::fs::write(dir.join("translations.csv"), format!("{head}{good}")).expect("write");
    let said = run_ok(&["import", d, "--id", "good", "--database-url", &db]);
    assert!(said.contains("2 translations"), "{said}");
    let out = tmp.path().join("again");
    run_ok(&["export", "good", "--database-url", &db, "--out", out.to_str().expect("utf-8")]);
    let again = std::fs::read_to_string(out.join("translations.csv")).expect("translations.csv");
    assert_eq!(again, format!("{head}{good}"));
}

/// A made-up Pol.is API dump: 12 participants in two camps over 4 statements, statement 3
/// meta, as `votes.json`, `comments.json`, `conversation.json`.
fn json_dump(dir: &Path) {
    std::fs::create_dir_all(dir).expect("mkdir");
    let texts = ["Plant shade trees", "Close the market street", "Night buses", "I live by the river"];
    let comments: Vec<serde_json::Value> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| serde_json::json!({"statement_id": i, "participant_id": 0, "txt": t, "moderated": 1, "is_meta": i == 3, "active": true}))
        .collect();
    let mut votes = Vec::new();
    for p in 0..12u32 {
        for s in 0..4u32 {
            let v = if s == 3 || (s < 2) == (p < 6) { 1 } else { -1 };
            votes.push(serde_json::json!({"participant_id": p, "statement_id": s, "vote": v, "modified": 1_700_000_000_000u64 + u64::from(p * 4 + s)}));
        }
    }
    let write = |n: &str, v: &serde_json::Value| std::fs::write(dir.join(n), v.to_string()).expect("write");
    write("comments.json", &serde_json::Value::Array(comments));
    write("votes.json", &serde_json::Value::Array(votes));
    write(
        "conversation.json",
        &serde_json::json!({"topic": "Our street", "description": "What next", "conversation_id": "2madeupabc", "strict_moderation": true}),
    );
}

#[test]
fn a_polis_api_json_dump_is_analysed_and_imported_with_its_meta_statement() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dump = tmp.path().join("dump");
    json_dump(&dump);
    let o = bin().arg("analyze").arg(&dump).output().expect("runs");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.contains("12 participants") && out.contains("Group B"), "{out}");
    let db = format!("sqlite://{}", tmp.path().join("store.sqlite").display());
    let o = bin().arg("import").arg(&dump).args(["--database-url", &db]).output().expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // The id comes from conversation.json; the meta statement stays meta.
    let out_dir = tmp.path().join("out");
    let o = bin()
        .args(["export", "2madeupabc", "--database-url", &db, "--out"])
        .arg(&out_dir)
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let json = std::fs::read_to_string(out_dir.join("analysis.json")).expect("analysis.json");
    let analysis = polis_csv::read_analysis_json(&json).expect("reads");
    let meta = analysis.statement(3).expect("statement 3");
    assert!(meta.is_meta && meta.excluded, "{meta:?}");
    assert_eq!(analysis.counts.participants, 12);
}

#[test]
fn bad_input_is_one_line_naming_the_file_and_nothing_is_imported() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let db = format!("sqlite://{}", tmp.path().join("store.sqlite").display());
    // A good conversation first, so the store exists and is checked for leftovers.
    let good = tmp.path().join("good");
    json_dump(&good);
    let o =
        bin().arg("import").arg(&good).args(["--id", "good", "--database-url", &db]).output().expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let comments_csv = "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n\
                        1,,0,0,0,0,1,Plant shade trees\n1,,1,0,0,0,1,Night buses\n";
    let read = |n: &str| std::fs::read_to_string(good.join(n)).expect("read");
    // (folder, its files as (name, text), what the one-line error says)
    type Case<'a> = (&'a str, Vec<(&'a str, String)>, &'a str);
    let cases: Vec<Case> = vec![
        (
            "unknown-statement",
            vec![
                ("comments.json", read("comments.json")),
                ("votes.json", read("votes.json").replacen("\"statement_id\":2", "\"statement_id\":42", 1)),
            ],
            "votes.json: 1 vote(s) on statements comments.json does not have (first: statement 42",
        ),
        (
            "truncated",
            vec![
                ("comments.json", read("comments.json")),
                ("votes.json", read("votes.json")[..300].to_string()),
            ],
            "votes.json: the JSON ends early",
        ),
        (
            "columns",
            vec![
                ("comments.csv", comments_csv.to_string()),
                (
                    "participants-votes.csv",
                    "participant,group-id,n-comments,n-votes,n-agree,n-disagree,0,7\n0,,0,2,1,1,1,-1\n"
                        .to_string(),
                ),
            ],
            "participants-votes.csv, line 1, column 7: statement 7 is not in comments.csv",
        ),
        ("nothing", vec![("notes.txt", "a list of things".to_string())], "no Pol.is export file here"),
    ];
    for (name, files, expected) in cases {
        let dir = tmp.path().join(name);
        std::fs::create_dir(&dir).expect("mkdir");
        for (file, text) in files {
            std::fs::write(dir.join(file), text).expect("write");
        }
        for command in ["analyze", "import"] {
            let mut cmd = bin();
            cmd.arg(command).arg(&dir).env("RUST_BACKTRACE", "1");
            if command == "import" {
                cmd.args(["--id", name, "--database-url", &db]);
            }
            let o = cmd.output().expect("runs");
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(!o.status.success(), "{name}: {command} succeeded");
            assert_eq!(err.trim_end().lines().count(), 1, "{name}: {err}");
            assert!(err.contains(expected), "{name}: {err}");
        }
        // Nothing of it reached the store.
        let o = bin().args(["analyze", name, "--database-url", &db]).output().expect("runs");
        assert!(!o.status.success(), "{name} was imported");
    }
    let o = bin().args(["analyze", "good", "--database-url", &db]).output().expect("runs");
    assert!(o.status.success(), "the good conversation is still there");
}
