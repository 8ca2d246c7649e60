//! `mufakat analyze` and `mufakat import` on exports shaped as users hand them over: zipped,
//! unzipped one folder down, piped into `head`, degenerate, or broken in every way found. Every
//! conversation here is made up.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_mufakat"));
    // As on machines that set it: errors must still be one line.
    c.env("RUST_BACKTRACE", "1").env("RUST_LIB_BACKTRACE", "1");
    c
}

/// Two camps of 20 over 8 statements, in openData's shape.
fn write_export(dir: &Path) {
    std::fs::create_dir_all(dir).expect("mkdir");
    let mut comments =
        String::from("timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n");
    for i in 0..8 {
        comments.push_str(&format!("1651071094558,,{i},0,0,0,1,\"Plan {i}, in short\"\n"));
    }
    let mut votes = String::from("timestamp,datetime,comment-id,voter-id,vote\n");
    let mut t = 1_651_071_094_558i64;
    for p in 0..40 {
        for s in 0..8 {
            t += 1000;
            let v = if (p % 2 == 0) == (s < 4) { 1 } else { -1 };
            votes.push_str(&format!("{t},,{s},{p},{v}\n"));
        }
    }
    std::fs::write(dir.join("comments.csv"), comments).expect("write");
    std::fs::write(dir.join("votes.csv"), votes).expect("write");
}

fn run(args: &[&str], dir: &Path) -> std::process::Output {
    bin().args(args).arg(dir).output().expect("runs")
}

/// The one error line of a failed run.
fn one_line_error(o: &std::process::Output, what: &str) -> String {
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(!o.status.success(), "{what}: succeeded");
    assert!(err.starts_with("error: "), "{what}: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{what}: {err}");
    assert!(!err.contains("panicked") && !err.to_lowercase().contains("backtrace"), "{what}: {err}");
    err
}

#[test]
fn analyze_into_a_pipe_closed_early_exits_quietly() {
    let tmp = tempfile::tempdir().expect("tmp");
    write_export(tmp.path());
    for json in [false, true] {
        let mut cmd = bin();
        cmd.arg("analyze").arg(tmp.path()).stdout(Stdio::piped()).stderr(Stdio::piped());
        if json {
            cmd.arg("--json");
        }
        let mut child = cmd.spawn().expect("spawns");
        // The reader goes away before the summary is written (`| head -0`).
        drop(child.stdout.take());
        let mut err = String::new();
        child.stderr.take().expect("stderr").read_to_string(&mut err).expect("reads");
        let status = child.wait().expect("waits");
        assert!(status.success(), "json {json}: {status:?}\n{err}");
        assert!(!err.contains("panicked") && !err.contains("Broken pipe"), "json {json}: {err}");
    }
}

#[test]
fn an_export_unzipped_into_its_own_folder_is_found_one_level_down() {
    let tmp = tempfile::tempdir().expect("tmp");
    // As Pol.is's export zip unpacks: the files in a folder named after the conversation.
    write_export(&tmp.path().join("one/2madeup22"));
    std::fs::create_dir_all(tmp.path().join("one/__MACOSX/2madeup22")).expect("mkdir");
    std::fs::write(tmp.path().join("one/__MACOSX/2madeup22/._votes.csv"), "junk").expect("write");
    let o = run(&["analyze"], &tmp.path().join("one"));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("40 participants"));
    // Two exports side by side: which one is meant is asked, not guessed.
    write_export(&tmp.path().join("two/a"));
    write_export(&tmp.path().join("two/b"));
    let err = one_line_error(&run(&["analyze"], &tmp.path().join("two")), "two exports");
    assert!(err.contains("2 folders in it hold some (a, b)"), "{err}");
}

#[test]
fn an_export_zip_is_read_as_it_is_and_imported() {
    use std::io::Write;
    let tmp = tempfile::tempdir().expect("tmp");
    let folder = tmp.path().join("folder");
    write_export(&folder);
    // As Pol.is's export zip: the files in a folder, and macOS's copies beside them.
    let zip_path = tmp.path().join("2madeup22.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path).expect("create"));
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for name in ["comments.csv", "votes.csv"] {
        for entry in [format!("2madeup22/{name}"), format!("__MACOSX/2madeup22/._{name}")] {
            zip.start_file(entry, stored).expect("entry");
            zip.write_all(&std::fs::read(folder.join(name)).expect("read")).expect("write");
        }
    }
    zip.finish().expect("zip");
    let (from_zip, from_folder) = (run(&["analyze"], &zip_path), run(&["analyze"], &folder));
    assert!(from_zip.status.success(), "{}", String::from_utf8_lossy(&from_zip.stderr));
    assert_eq!(from_zip.stdout, from_folder.stdout);
    let db = format!("sqlite://{}", tmp.path().join("store.sqlite").display());
    let o = bin().arg("import").arg(&zip_path).args(["--database-url", &db]).output().expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("as conversation 2madeup22: 8 statements"));
}

#[test]
fn degenerate_exports_print_no_nan() {
    let tmp = tempfile::tempdir().expect("tmp");
    let comments = |n: u32, moderated: i8| {
        let mut c =
            String::from("timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n");
        for i in 0..n {
            c.push_str(&format!("1651071094558,,{i},0,0,0,{moderated},Plan {i}\n"));
        }
        c
    };
    let votes = |rows: &[(u32, u32, i8)]| {
        let mut v = String::from("timestamp,datetime,comment-id,voter-id,vote\n");
        for (i, (p, s, vote)) in rows.iter().enumerate() {
            v.push_str(&format!("{},,{s},{p},{vote}\n", 1_651_071_100_000i64 + i as i64));
        }
        v
    };
    let grid = |people: u32, n: u32, f: fn(u32, u32) -> i8| -> Vec<(u32, u32, i8)> {
        (0..people).flat_map(|p| (0..n).map(move |s| (p, s, f(p, s)))).collect()
    };
    // (folder, comments.csv, votes as (participant, statement, vote))
    type Case<'a> = (&'a str, String, Vec<(u32, u32, i8)>);
    let cases: Vec<Case> = vec![
        ("one-participant", comments(4, 1), grid(1, 4, |_, s| if s % 2 == 0 { 1 } else { -1 })),
        ("one-statement", comments(1, 1), grid(12, 1, |p, _| if p % 2 == 0 { 1 } else { -1 })),
        ("all-pass", comments(5, 1), grid(12, 5, |_, _| 0)),
        ("all-agree", comments(5, 1), grid(12, 5, |_, _| 1)),
        ("two-identical", comments(5, 1), grid(2, 5, |_, s| if s < 2 { 1 } else { -1 })),
        ("wide", comments(30, 1), grid(3, 30, |p, s| if (p + s) % 3 == 0 { 1 } else { -1 })),
        ("all-moderated-out", comments(5, -1), grid(12, 5, |p, _| if p % 2 == 0 { 1 } else { -1 })),
    ];
    for (name, c, v) in cases {
        let dir = tmp.path().join(name);
        std::fs::create_dir(&dir).expect("mkdir");
        std::fs::write(dir.join("comments.csv"), c).expect("write");
        std::fs::write(dir.join("votes.csv"), votes(&v)).expect("write");
        let out = dir.join("out");
        let o = bin().arg("analyze").arg(&dir).arg("--out").arg(&out).output().expect("runs");
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(o.status.success(), "{name}: {}", String::from_utf8_lossy(&o.stderr));
        assert!(!text.contains("NaN") && !text.contains("inf"), "{name}:\n{text}");
        for f in std::fs::read_dir(&out).expect("out").flatten() {
            if f.path().extension().is_some_and(|e| e == "png") {
                continue;
            }
            let body = std::fs::read_to_string(f.path()).expect("text file");
            assert!(!body.contains("NaN") && !body.contains("Infinity"), "{name}: {}", f.path().display());
        }
        let o = bin().arg("analyze").arg(&dir).arg("--json").output().expect("runs");
        let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("analysis.json parses");
        assert!(json["analysis"]["counts"]["groups"].as_u64().is_some(), "{name}: {json}");
    }
    // No votes at all: one line saying so, naming the folder.
    let dir = tmp.path().join("no-votes");
    std::fs::create_dir(&dir).expect("mkdir");
    std::fs::write(dir.join("comments.csv"), comments(3, 1)).expect("write");
    std::fs::write(dir.join("votes.csv"), votes(&[])).expect("write");
    let err = one_line_error(&run(&["analyze"], &dir), "no votes");
    assert!(
        err.ends_with(&format!("analysing {}: the conversation has no votes yet\n", dir.display())),
        "{err}"
    );
}

#[test]
fn every_class_of_bad_input_is_one_line_naming_what_is_wrong() {
    let tmp = tempfile::tempdir().expect("tmp");
    let db = format!("sqlite://{}", tmp.path().join("store.sqlite").display());
    let header = "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n";
    // (folder, its files, what the error says)
    type Case<'a> = (&'a str, Vec<(&'a str, Vec<u8>)>, &'a str);
    let cases: Vec<Case> = vec![
        ("empty-folder", vec![], "no Pol.is export file here"),
        ("empty-file", vec![("comments.csv", vec![]), ("votes.csv", b"x".to_vec())], "comments.csv: file is empty"),
        (
            "semicolons",
            vec![("votes.csv", b"timestamp;datetime;comment-id;voter-id;vote\n1;x;0;0;1\n".to_vec())],
            "votes.csv, line 1, column comment-id: missing column `comment-id` in the header, which is one column: \
             the file is separated by `;`",
        ),
        (
            "binary",
            vec![("votes.csv", vec![0x50, 0x4b, 0x03, 0x04, 0xff, 0x00, 0x9c, 0x10, b'\n', 0x01])],
            "votes.csv, line 1, column comment-id: missing column",
        ),
        (
            "bad-cell",
            vec![
                ("comments.csv", format!("{header}1,,0,0,0,0,1,Plant trees\n").into_bytes()),
                ("votes.csv", b"timestamp,datetime,comment-id,voter-id,vote\n1,,0,zero,1\n".to_vec()),
            ],
            "votes.csv, line 2, column voter-id: `zero` is not a valid number",
        ),
        (
            "vote-of-two",
            vec![("votes.csv", b"timestamp,datetime,comment-id,voter-id,vote\n1,,0,0,2\n".to_vec())],
            "votes.csv, line 2, column vote: vote `2` is not 1, 0 or -1",
        ),
        (
            "lfs-pointer",
            vec![("votes.csv", b"version https://git-lfs.github.com/spec/v1\noid sha256:00\nsize 9\n".to_vec())],
            "votes.csv, line 1: is a Git LFS pointer",
        ),
        (
            "cut-short",
            vec![
                ("comments.csv", format!("{header}1,,0,0,0,0,1,\"Plant trees\n").into_bytes()),
                ("votes.csv", b"timestamp,datetime,comment-id,voter-id,vote\n1,,0,0,1\n".to_vec()),
            ],
            "comments.csv, line 2, column comment-body: a quoted field opens here and is never closed",
        ),
    ];
    for (name, files, expected) in cases {
        let dir = tmp.path().join(name);
        std::fs::create_dir(&dir).expect("mkdir");
        for (file, bytes) in files {
            std::fs::write(dir.join(file), bytes).expect("write");
        }
        for command in ["analyze", "import"] {
            let mut cmd = bin();
            cmd.arg(command).arg(&dir);
            if command == "import" {
                cmd.args(["--id", name, "--database-url", &db]);
            }
            let err = one_line_error(&cmd.output().expect("runs"), name);
            assert!(err.contains(expected), "{name}, {command}: {err}");
        }
    }
    // Not a folder, and a folder that is not there.
    let file = tmp.path().join("export.zip");
    std::fs::write(&file, b"PK").expect("write");
    for (path, expected) in [
        (file.as_path(), "export.zip: not a readable zip file"),
        (Path::new("/nonexistent/polis"), "neither a directory nor a zip file"),
    ] {
        let err = one_line_error(&run(&["analyze"], path), "path");
        assert!(err.contains(expected), "{err}");
    }
    // --out onto a file.
    let good = tmp.path().join("good");
    write_export(&good);
    let o = bin().arg("analyze").arg(&good).arg("--out").arg(&file).output().expect("runs");
    let err = one_line_error(&o, "--out onto a file");
    assert!(err.contains("export.zip"), "{err}");
}
