#![cfg(not(target_arch = "wasm32"))]
//! Every variant of a Pol.is CSV export that Pol.is's exporters have written (the Clojure
//! `darwin/export.clj` of openData, the Node server's report downloads old and new) and
//! that tools re-saving them produce, read through `read_polis_files` into the same groups
//! as the plain openData shape, or refused with one line naming the file and the problem.
//! The conversation and its sentences are made up here; no real export's text is used.

mod common;

use std::collections::BTreeMap;

use mufakat_core::analysis::{Analysis, AnalysisParams};
use mufakat_core::polis_csv::{read_polis_files, PolisExport, ReadFilesError};

/// Statement texts with what breaks naive CSV: commas, quotes, line breaks, a leading quote.
const TEXTS: [&str; 9] = [
    "More trees, and benches, on the main road",
    "A car-free Sunday \"once a month\"",
    "Night buses to the station\nand back",
    "\"Quiet hours\" after ten",
    "A second football pitch",
    "Longer library hours, weekends too",
    "Fewer parking spaces downtown",
    "A bigger market; more stalls",
    "Bike lanes on every road",
];

/// One made-up conversation: (id, author, text, moderated) and votes (participant,
/// statement, vote, time in ms) in time order; three camps of 16 over 9 statements, with
/// ids that are neither contiguous nor in order and a statement moderated out.
struct Conv {
    comments: Vec<(u32, u32, &'static str, i8)>,
    votes: Vec<(u32, u32, i8, i64)>,
}

const IDS: [u32; 9] = [0, 3, 4, 7, 12, 13, 20, 21, 30];

fn conv() -> Conv {
    let comments = IDS
        .iter()
        .zip(TEXTS)
        .map(|(&id, t)| (id, (id * 5) % 7 + 100, t, if id == 21 { -1 } else { 1 }))
        .collect();
    let mut votes = Vec::new();
    let mut time = 1_651_071_094_558i64;
    for p in 0..48u32 {
        let pid = 100 + p * 3; // participant ids with gaps
        let camp = p % 3;
        for (i, &s) in IDS.iter().enumerate() {
            time += 1500 + i64::from((p * 13 + s * 7) % 11);
            if (p + s) % 5 == 0 {
                continue; // not everyone votes on everything
            }
            let vote = match (camp, i % 3) {
                _ if (p * 7 + s * 3) % 11 == 0 => 0,
                (c, j) if c as usize == j => 1,
                _ => -1,
            };
            votes.push((pid, s, vote, time));
        }
    }
    Conv { comments, votes }
}

fn quote(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) || s.starts_with(' ') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn line(cells: &[String]) -> String {
    cells.iter().map(|c| quote(c)).collect::<Vec<_>>().join(",") + "\n"
}

/// Latest vote per (participant, statement), participants in order of first vote.
fn matrix(c: &Conv) -> (Vec<u32>, BTreeMap<(u32, u32), i8>) {
    let mut order = Vec::new();
    let mut latest = BTreeMap::new();
    for &(p, s, v, _) in &c.votes {
        if !order.contains(&p) {
            order.push(p);
        }
        latest.insert((p, s), v);
    }
    (order, latest)
}

/// The openData shape (Clojure exporter): times in ms, every column quoted as needed.
fn plain(c: &Conv) -> Vec<(String, Vec<u8>)> {
    let mut comments =
        String::from("timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n");
    for &(id, author, text, m) in &c.comments {
        let cells = ["1651071094558", "Wed Apr 27 07:51:34 PDT 2022"].map(String::from);
        comments.push_str(&line(&[
            cells[0].clone(),
            cells[1].clone(),
            id.to_string(),
            author.to_string(),
            "0".into(),
            "0".into(),
            m.to_string(),
            text.to_string(),
        ]));
    }
    let mut votes = String::from("timestamp,datetime,comment-id,voter-id,vote\n");
    for &(p, s, v, t) in &c.votes {
        votes.push_str(&format!("{t},Wed Apr 27 07:51:34 PDT 2022,{s},{p},{v}\n"));
    }
    let (order, latest) = matrix(c);
    let mut pv = String::from("participant,group-id,n-comments,n-votes,n-agree,n-disagree");
    for id in IDS {
        pv.push_str(&format!(",{id}"));
    }
    pv.push('\n');
    for p in order {
        let cells: Vec<String> =
            IDS.iter().map(|&s| latest.get(&(p, s)).map(|v| v.to_string()).unwrap_or_default()).collect();
        let n = cells.iter().filter(|c| !c.is_empty()).count();
        pv.push_str(&format!("{p},{},0,{n},0,0,{}\n", p % 3, cells.join(",")));
    }
    let summary = "topic,Our street\nurl,https://pol.is/2madeup22\nviews,50\nvoters,48\nvoters-in-conv,48\n\
                   commenters,7\ncomments,9\ngroups,3\nconversation-description,\"What next,\nand when?\"\n";
    vec![
        ("comments.csv".into(), comments.into_bytes()),
        ("votes.csv".into(), votes.into_bytes()),
        ("participants-votes.csv".into(), pv.into_bytes()),
        ("summary.csv".into(), summary.as_bytes().to_vec()),
    ]
}

fn read(files: Vec<(String, Vec<u8>)>) -> Result<PolisExport, ReadFilesError> {
    read_polis_files(files, |_, b| Ok(b))
}

fn analyse(e: &PolisExport) -> Analysis {
    e.analyse(&AnalysisParams::default()).expect("analysis")
}

/// The groups as sets of participants (labels removed).
fn partition(a: &Analysis) -> Vec<Vec<u32>> {
    let mut groups: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for p in &a.participants {
        if let Some(g) = p.group {
            groups.entry(g).or_default().push(p.id);
        }
    }
    let mut v: Vec<Vec<u32>> = groups.into_values().collect();
    v.iter_mut().for_each(|m| m.sort_unstable());
    v.sort();
    v
}

fn file<'a>(files: &'a mut [(String, Vec<u8>)], name: &str) -> &'a mut Vec<u8> {
    &mut files.iter_mut().find(|f| f.0 == name).unwrap_or_else(|| panic!("no {name}")).1
}

fn edit(files: &mut [(String, Vec<u8>)], name: &str, f: impl FnOnce(&str) -> String) {
    let bytes = file(files, name);
    let text = String::from_utf8(bytes.clone()).expect("utf-8");
    *bytes = f(&text).into_bytes();
}

fn same_groups_as_plain(variant: Vec<(String, Vec<u8>)>, what: &str) -> PolisExport {
    let base = analyse(&read(plain(&conv())).expect("plain reads"));
    assert!(base.counts.groups >= 2, "the plain conversation has groups");
    let e = read(variant).unwrap_or_else(|e| panic!("{what}: {e}"));
    let a = analyse(&e);
    assert_eq!(partition(&a), partition(&base), "{what}: groups");
    e
}

#[test]
fn the_plain_shape_reads_its_texts_and_moderation() {
    let e = read(plain(&conv())).expect("reads");
    let texts: Vec<&str> = e.comments.iter().map(|c| c.body.as_str()).collect();
    assert_eq!(texts, TEXTS);
    assert_eq!(e.summary_value("conversation-description"), Some("What next,\nand when?"));
}

#[test]
fn a_byte_order_mark_and_crlf_line_ends_on_every_file_read_the_same() {
    let mut files = plain(&conv());
    for (_, bytes) in &mut files {
        let text = String::from_utf8(bytes.clone()).expect("utf-8").replace('\n', "\r\n");
        *bytes = [b"\xef\xbb\xbf".as_slice(), text.as_bytes()].concat();
    }
    let e = same_groups_as_plain(files, "BOM + CRLF");
    // A line break inside a quoted text is kept as the file has it.
    assert_eq!(e.comments[2].body, "Night buses to the station\r\nand back");
}

#[test]
fn no_final_line_end_and_trailing_blank_lines_read_the_same() {
    let mut files = plain(&conv());
    edit(&mut files, "votes.csv", |t| t.trim_end().to_string());
    edit(&mut files, "participants-votes.csv", |t| format!("{t}\n\n  \n"));
    edit(&mut files, "summary.csv", |t| t.trim_end().to_string());
    same_groups_as_plain(files, "line ends");
}

/// A JavaScript `Date.toString()`, as the Node server writes `datetime` (no commas in it).
const JS_DATE: &str = "Wed Apr 27 2022 07:51:34 GMT-0700 (Pacific Daylight Time)";

/// The Node server's report downloads (2023-2024): file names with the download prefix,
/// `participant-votes.csv`, times in seconds, votes ordered by statement then participant,
/// comments by velocity (here: reversed), summary.csv without `views` nor a final line end.
/// `quoted`: whether comment-body is quoted (later versions) or written raw (earlier ones,
/// so commas and line breaks of a text split it over fields and lines). `flip`: the
/// earliest versions wrote the database's sign (agree = -1).
fn node_export(c: &Conv, quoted: bool, flip: bool) -> Vec<(String, Vec<u8>)> {
    let sign = if flip { -1 } else { 1 };
    let mut comments =
        String::from("timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n");
    for &(id, author, text, m) in c.comments.iter().rev() {
        let body = if quoted { format!("\"{}\"", text.replace('"', "\"\"")) } else { text.to_string() };
        comments.push_str(&format!("1651071094,{JS_DATE},{id},{author},0,0,{m},{body}\n"));
    }
    let mut by_statement = c.votes.clone();
    by_statement.sort_by_key(|&(p, s, _, _)| (s, p));
    let mut votes = String::from("timestamp,datetime,comment-id,voter-id,vote\n");
    for (p, s, v, t) in by_statement {
        votes.push_str(&format!("{},{JS_DATE},{s},{p},{}\n", t / 1000, v * sign));
    }
    let (mut order, latest) = matrix(c);
    order.sort_unstable();
    let mut pv = String::from("participant,group-id,n-comments,n-votes,n-agree,n-disagree");
    for id in IDS {
        pv.push_str(&format!(",{id}"));
    }
    pv.push('\n');
    for p in order {
        let cells: Vec<String> = IDS
            .iter()
            .map(|&s| latest.get(&(p, s)).map(|v| (v * sign).to_string()).unwrap_or_default())
            .collect();
        pv.push_str(&format!("{p},,0,0,0,0,{}\n", cells.join(",")));
    }
    let summary = "topic,\"Our street\"\nurl,undefined://pol.is/2madeup22\nvoters,48\nvoters-in-conv,48\n\
                   commenters,7\ncomments,9\ngroups,3\nconversation-description,\"What \"\"next\"\"?\"";
    let prefix = "2024-10-23-1530-2madeup22-";
    vec![
        (format!("{prefix}comments.csv"), comments.into_bytes()),
        (format!("{prefix}votes.csv"), votes.into_bytes()),
        (format!("{prefix}participant-votes.csv"), pv.into_bytes()),
        (format!("{prefix}summary.csv"), summary.as_bytes().to_vec()),
    ]
}

#[test]
fn the_node_servers_downloads_with_quoted_texts_read_the_same() {
    let e = same_groups_as_plain(node_export(&conv(), true, false), "Node, quoted");
    let mut texts: Vec<(u32, &str)> = e.comments.iter().map(|c| (c.id, c.body.as_str())).collect();
    texts.sort_unstable();
    assert_eq!(texts.iter().map(|t| t.1).collect::<Vec<_>>(), TEXTS);
    assert_eq!(e.summary_value("conversation-description"), Some("What \"next\"?"));
    // `undefined://` (no X-Forwarded-Proto at Pol.is's proxy) is https, so the CC BY
    // attribution can link the conversation.
    assert_eq!(e.summary_value("url"), Some("https://pol.is/2madeup22"));
    assert!(mufakat_core::attribution::polis_attribution(e.summary_value("url")).is_some());
}

#[test]
fn unquoted_statement_texts_of_the_early_node_server_are_read_whole() {
    let mut files = node_export(&conv(), false, false);
    // Blank and white-space lines between rows are no part of a text.
    let name = files[0].0.clone();
    edit(&mut files, &name, |t| t.replacen("\n1651071094,", "\n  \n\n1651071094,", 3) + " \n");
    let e = same_groups_as_plain(files, "Node, raw texts");
    let mut texts: Vec<(u32, &str)> = e.comments.iter().map(|c| (c.id, c.body.as_str())).collect();
    texts.sort_unstable();
    assert_eq!(texts.iter().map(|t| t.1).collect::<Vec<_>>(), TEXTS);
    assert!(e.notes.iter().any(|n| n.contains("not quoted")), "{:?}", e.notes);
}

#[test]
fn votes_in_the_databases_sign_give_the_same_groups() {
    // Agree and disagree swapped everywhere: the map is mirrored, the groups are the same.
    same_groups_as_plain(node_export(&conv(), true, true), "database sign");
}

#[test]
fn times_in_seconds_are_read_as_times() {
    let e = read(node_export(&conv(), true, false)).expect("reads");
    // 2022, not January 1970: seconds are turned into milliseconds.
    assert!(e.votes.iter().all(|v| v.timestamp.is_some_and(|t| t > 1_600_000_000_000)), "votes");
    assert!(e.comments.iter().all(|c| c.timestamp == Some(1_651_071_094_000)), "comments");
    // Milliseconds stay as they are.
    let e = read(plain(&conv())).expect("reads");
    assert_eq!(e.votes[0].timestamp, Some(conv().votes[0].3));
}

/// The Node server of 2025 names the matrix's columns `comment-<id>` and writes a pass as
/// an empty cell.
fn newest_node_matrix(files: &mut [(String, Vec<u8>)]) {
    let name =
        files.iter().find(|f| f.0.ends_with("participant-votes.csv")).map(|f| f.0.clone()).expect("pv");
    edit(files, &name, |t| {
        let mut lines = t.lines();
        let header = lines.next().unwrap_or_default();
        let header: Vec<String> = header
            .split(',')
            .map(|h| if h.parse::<u32>().is_ok() { format!("comment-{h}") } else { h.to_string() })
            .collect();
        let mut out = header.join(",") + "\n";
        for l in lines {
            let cells: Vec<&str> =
                l.split(',').enumerate().map(|(i, c)| if i >= 6 && c == "0" { "" } else { c }).collect();
            out.push_str(&(cells.join(",") + "\n"));
        }
        out
    });
}

#[test]
fn matrix_columns_named_comment_id_are_read() {
    let mut files = node_export(&conv(), true, false);
    newest_node_matrix(&mut files);
    same_groups_as_plain(files.clone(), "comment-<id> columns");
    // Alone, the matrix still reads (passes are lost with it, as Pol.is wrote them).
    let alone: Vec<_> = files.into_iter().filter(|f| f.0.ends_with("participant-votes.csv")).collect();
    let e = read(alone).expect("matrix alone");
    assert_eq!(e.comments.len(), IDS.len());
}

#[test]
fn revotes_are_read_with_the_latest_winning() {
    // Before each vote, the same participant gave the opposite answer a second earlier:
    // the history Pol.is's votes table keeps and its votes.csv lists.
    let mut c = conv();
    c.votes = c.votes.iter().flat_map(|&(p, s, v, t)| [(p, s, -v, t - 1000), (p, s, v, t)]).collect();
    let files = plain(&c);
    same_groups_as_plain(files.clone(), "revotes");
    // Listed by statement and participant (as both exporters do), not by time.
    let mut files = files;
    edit(&mut files, "votes.csv", |t| {
        let mut lines: Vec<&str> = t.lines().collect();
        let header = lines.remove(0);
        lines.sort_by_key(|l| {
            let f: Vec<i64> = l.split(',').filter_map(|x| x.parse().ok()).collect();
            (f[1], f[2], f[0])
        });
        format!("{header}\n{}\n", lines.join("\n"))
    });
    same_groups_as_plain(files, "revotes by statement");
}

#[test]
fn extra_columns_and_participants_who_never_voted_change_nothing() {
    let mut files = plain(&conv());
    // is-meta, is-seed and importance before the text, as the newer exporter lists them.
    let mut comments = String::from(
        "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,is-meta,is-seed,importance,comment-body\n",
    );
    for &(id, author, text, m) in &conv().comments {
        let cells = ["1651071094558", "", &id.to_string(), &author.to_string(), "3", "1", &m.to_string()];
        let mut cells: Vec<String> = cells.map(String::from).to_vec();
        cells.extend(["false", "f", "0", text].map(String::from));
        comments.push_str(&line(&cells));
    }
    *file(&mut files, "comments.csv") = comments.into_bytes();
    edit(&mut files, "votes.csv", |t| {
        t.lines()
            .enumerate()
            .map(|(i, l)| format!("{l},{}\n", if i == 0 { "important" } else { "" }))
            .collect()
    });
    edit(&mut files, "participants-votes.csv", |t| {
        let mut lines = t.lines();
        let header = lines.next().unwrap_or_default().replacen("participant,", "participant,xid,", 1);
        let mut out = format!("{header}\n");
        for l in lines {
            out.push_str(&l.replacen(',', ",someone@example.org,", 1));
            out.push('\n');
        }
        // Two who joined and never voted, one of them an author.
        out.push_str(&format!("900,,,0,0,0,0{}\n", ",".repeat(IDS.len())));
        out.push_str(&format!("101,,,1,0,0,0{}\n", ",".repeat(IDS.len())));
        out
    });
    files.push((
        "stats-history.csv".into(),
        b"n-votes,n-comments,n-visitors,n-voters,n-commenters\n".to_vec(),
    ));
    files.push(("comment-groups.csv".into(), b"comment-id,comment,total-votes\n".to_vec()));
    files.push(("participant-importance.csv".into(), Vec::new()));
    let e = same_groups_as_plain(files, "extra columns");
    assert_eq!(e.participants.iter().filter(|p| p.votes.is_empty()).count(), 2);
}

/// One line naming the file, for a folder that is no readable export.
fn refused(files: Vec<(String, Vec<u8>)>) -> String {
    let e = read(files).map(|_| ()).expect_err("refused").to_string();
    assert_eq!(e.lines().count(), 1, "{e}");
    e
}

#[test]
fn empty_and_cut_files_are_refused_with_one_line_naming_the_file() {
    let with = |name: &str, text: &str| {
        let mut files = plain(&conv());
        *file(&mut files, name) = text.as_bytes().to_vec();
        files
    };
    for name in ["comments.csv", "votes.csv", "participants-votes.csv", "summary.csv"] {
        let e = refused(with(name, ""));
        assert!(e.starts_with(name) && e.contains("empty"), "{e}");
    }
    let e = refused(with("votes.csv", "timestamp,datetime,comment-id,voter-id,vote\n1651071094558,x,0,100"));
    assert!(e.starts_with("votes.csv, line 2"), "{e}");
    let e = refused(with("comments.csv", "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n1,x,0,1,0,0,1,\"A tree"));
    assert!(e.starts_with("comments.csv, line 2") && e.contains("never closed"), "{e}");
    // Separated by semicolons (a spreadsheet's re-save in some languages): the header says so.
    let e = refused(with("votes.csv", "timestamp;datetime;comment-id;voter-id;vote\n1;x;0;100;1\n"));
    assert!(e.starts_with("votes.csv, line 1") && e.contains("`;`"), "{e}");
    // A spreadsheet's UTF-16 save reads as the same text.
    let mut files = plain(&conv());
    let votes = file(&mut files, "votes.csv");
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(String::from_utf8(votes.clone()).expect("utf-8").encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    *votes = utf16;
    same_groups_as_plain(files, "UTF-16");
}

/// votes.csv as a spreadsheet saves it again with the times shown in scientific notation
/// to `significant` digits (`1.65107E+12`, rounded as the spreadsheet rounds).
fn times_resaved(text: &str, significant: usize) -> String {
    let mut lines = text.lines();
    let mut out = format!("{}\n", lines.next().expect("header"));
    for line in lines {
        let (time, rest) = line.split_once(',').expect("a row");
        let time: i64 = time.parse().expect("a time");
        // f64 holds these times exactly (under 2^53).
        let shown = format!("{:.*E}", significant - 1, time as f64).replace('E', "E+");
        out.push_str(&format!("{shown},{rest}\n"));
    }
    out
}

#[test]
fn times_a_spreadsheet_rounded_are_refused_and_times_with_every_digit_read() {
    let mut files = plain(&conv());
    edit(&mut files, "votes.csv", |t| times_resaved(t, 6));
    let e = refused(files);
    assert!(
        e.starts_with("votes.csv, line 2, column timestamp: `1.65107E+12` is a time in scientific notation"),
        "{e}"
    );
    assert!(e.contains("keeps only 6 of its 13 digits") && e.contains("as a number with no decimals"), "{e}");
    let mut files = plain(&conv());
    edit(&mut files, "votes.csv", |t| times_resaved(t, 13));
    let resaved = String::from_utf8_lossy(file(&mut files, "votes.csv")).into_owned();
    assert!(resaved.lines().skip(1).all(|l| l.starts_with("1.65107") && l.contains("E+12,")), "{resaved}");
    let e = same_groups_as_plain(files, "times in scientific notation with every digit");
    let times = |e: &PolisExport| e.votes.iter().map(|v| v.timestamp).collect::<Vec<_>>();
    assert_eq!(times(&e), times(&read(plain(&conv())).expect("plain reads")));
}

#[test]
fn a_header_only_votes_file_is_a_conversation_without_votes() {
    let mut files = plain(&conv());
    *file(&mut files, "votes.csv") = b"timestamp,datetime,comment-id,voter-id,vote\n".to_vec();
    files.retain(|f| f.0 != "participants-votes.csv");
    let e = read(files).expect("reads");
    assert!(e.votes.is_empty());
    let err = e.analyse(&AnalysisParams::default()).expect_err("no votes");
    assert_eq!(err.to_string(), "the conversation has no votes yet");
}

// ---------------------------------------------------------------------------------------
// Degenerate conversations and random small exports, through the reader and every output.

/// Every output a reader sees: analysis.json, the text summary and the report's files.
fn outputs(e: &PolisExport, a: &Analysis) -> Vec<(String, String)> {
    let mut files = mufakat_core::report_files::report_files(e, a);
    files.push(("summary".into(), mufakat_core::report::text_summary(a, |id| e.statement_text(id))));
    files.push(("analysis.json".into(), mufakat_core::polis_csv::export_analysis_json(e, a)));
    files
}

/// What any readable export must give: an analysis (or "no votes" when it has none) with
/// finite numbers everywhere, a parseable analysis.json, k within bounds, every participant
/// in a group that exists.
fn check_outputs(e: &PolisExport, what: &str) -> Result<(), String> {
    let params = AnalysisParams::default();
    let a = match e.analyse(&params) {
        Ok(a) => a,
        Err(err) if e.votes.is_empty() && err.to_string() == "the conversation has no votes yet" => {
            return Ok(())
        }
        Err(err) => return Err(format!("{what}: analysis failed: {err}")),
    };
    if let Some(path) = common::first_null(&a) {
        return Err(format!("{what}: not a finite number at {path}"));
    }
    let k = a.counts.groups;
    if k > params.max_groups || k > a.counts.participants || a.groups.len() != k {
        return Err(format!(
            "{what}: {k} groups ({} listed) for {} participants",
            a.groups.len(),
            a.counts.participants
        ));
    }
    let ids: Vec<u32> = a.groups.iter().map(|g| g.id).collect();
    if let Some(p) = a.participants.iter().find(|p| p.group.is_some_and(|g| !ids.contains(&g))) {
        return Err(format!("{what}: participant {} in group {:?}, not among {ids:?}", p.id, p.group));
    }
    for (name, text) in outputs(e, &a) {
        if text.contains("NaN") || text.contains("inf%") || text.contains("Infinity") {
            return Err(format!("{what}: {name} shows a non-number:\n{text}"));
        }
    }
    let json = mufakat_core::polis_csv::export_analysis_json(e, &a);
    serde_json::from_str::<serde_json::Value>(&json)
        .map_err(|err| format!("{what}: analysis.json: {err}"))?;
    Ok(())
}

/// Statements as (id, moderated, is-meta).
type Statements = Vec<(u32, i8, bool)>;
/// Votes as (participant, statement, vote), in time order.
type Votes = Vec<(u32, u32, i8)>;

/// An export in openData's shape from (participant, statement, vote) triples in time order.
fn export_of(statements: &[(u32, i8, bool)], votes: &[(u32, u32, i8)]) -> Vec<(String, Vec<u8>)> {
    let mut comments = String::from(
        "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,is-meta,comment-body\n",
    );
    for (i, &(id, m, meta)) in statements.iter().enumerate() {
        comments.push_str(&format!(
            "{},,{id},0,0,0,{m},{meta},\"Statement, number {i}\"\n",
            1_651_071_094_558i64 + i as i64
        ));
    }
    let mut v = String::from("timestamp,datetime,comment-id,voter-id,vote\n");
    for (i, &(p, s, vote)) in votes.iter().enumerate() {
        v.push_str(&format!("{},,{s},{p},{vote}\n", 1_651_071_100_000i64 + i as i64 * 1000));
    }
    vec![("comments.csv".into(), comments.into_bytes()), ("votes.csv".into(), v.into_bytes())]
}

#[test]
fn degenerate_conversations_give_finite_outputs_or_say_there_are_no_votes() {
    let open = |ids: std::ops::Range<u32>| ids.map(|id| (id, 1i8, false)).collect::<Vec<_>>();
    let all = |people: u32, statements: u32, vote: &dyn Fn(u32, u32) -> i8| {
        (0..people)
            .flat_map(|p| (0..statements).map(move |s| (p, s)))
            .map(|(p, s)| (p, s, vote(p, s)))
            .collect::<Vec<_>>()
    };
    let cases: Vec<(&str, Statements, Votes)> = vec![
        ("one participant", open(0..4), all(1, 4, &|_, s| if s % 2 == 0 { 1 } else { -1 })),
        ("one statement", open(0..1), all(20, 1, &|p, _| if p % 2 == 0 { 1 } else { -1 })),
        ("one vote", open(0..3), vec![(7, 2, 1)]),
        ("every vote a pass", open(0..5), all(20, 5, &|_, _| 0)),
        ("everyone agrees on everything", open(0..5), all(20, 5, &|_, _| 1)),
        ("two identical participants", open(0..5), all(2, 5, &|_, s| if s < 2 { 1 } else { -1 })),
        (
            "more statements than participants",
            open(0..40),
            all(3, 40, &|p, s| if (p + s) % 3 == 0 { 1 } else { -1 }),
        ),
        (
            "every statement moderated out",
            (0..5).map(|id| (id, -1, false)).collect(),
            all(20, 5, &|p, _| if p % 2 == 0 { 1 } else { -1 }),
        ),
        (
            "every statement meta",
            (0..5).map(|id| (id, 1, true)).collect(),
            all(20, 5, &|p, _| if p % 2 == 0 { 1 } else { -1 }),
        ),
        ("no votes", open(0..3), vec![]),
    ];
    for (what, statements, votes) in cases {
        let e = read(export_of(&statements, &votes)).unwrap_or_else(|e| panic!("{what}: {e}"));
        check_outputs(&e, what).unwrap_or_else(|e| panic!("{e}"));
    }
}

mod random_exports {
    use super::*;
    use proptest::prelude::*;

    fn statements() -> impl Strategy<Value = Statements> {
        prop::collection::btree_map(0u32..40, (-1i8..=1, prop::bool::weighted(0.15)), 1..7)
            .prop_map(|m| m.into_iter().map(|(id, (m, meta))| (id, m, meta)).collect())
    }

    fn export() -> impl Strategy<Value = (Statements, Votes, u8)> {
        statements().prop_flat_map(|st| {
            let ids: Vec<u32> = st.iter().map(|s| s.0).collect();
            let vote = (0u32..12, prop::sample::select(ids), -1i8..=1);
            (Just(st), prop::collection::vec(vote, 0..60), 0u8..4)
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

        /// Any small export, in any of the shapes (all files, no comments.csv, the matrix
        /// alone, its votes listed by statement), reads and gives finite outputs.
        #[test]
        fn any_small_export_reads_and_gives_finite_outputs((st, votes, shape) in export()) {
            let mut files = export_of(&st, &votes);
            let (order, latest) = {
                let c = Conv { comments: Vec::new(), votes: votes.iter().map(|&(p, s, v)| (p, s, v, 0)).collect() };
                matrix(&c)
            };
            let ids: Vec<u32> = st.iter().map(|s| s.0).collect();
            let mut pv = format!("participant,group-id,n-comments,n-votes,n-agree,n-disagree,{}\n",
                ids.iter().map(u32::to_string).collect::<Vec<_>>().join(","));
            for p in order {
                let cells: Vec<String> = ids.iter().map(|&s| latest.get(&(p, s)).map(|v| v.to_string()).unwrap_or_default()).collect();
                pv.push_str(&format!("{p},,0,0,0,0,{}\n", cells.join(",")));
            }
            files.push(("participants-votes.csv".into(), pv.into_bytes()));
            match shape {
                1 => files.retain(|f| f.0 != "comments.csv"),
                2 => files.retain(|f| f.0 == "participants-votes.csv"),
                3 => edit(&mut files, "votes.csv", |t| {
                    let mut lines: Vec<&str> = t.lines().collect();
                    let header = lines.remove(0);
                    lines.sort_by_key(|l| l.split(',').nth(2).and_then(|s| s.parse::<u32>().ok()));
                    format!("{header}\n{}\n", lines.join("\n"))
                }),
                _ => {}
            }
            match read(files) {
                Ok(e) => check_outputs(&e, &format!("shape {shape}")).map_err(TestCaseError::fail)?,
                Err(e) => {
                    let e = e.to_string();
                    // Only the matrix alone with no participant rows has nothing to read.
                    prop_assert!(e.lines().count() == 1, "{}", e);
                    prop_assert!(shape == 2 && votes.is_empty(), "refused: {}", e);
                }
            }
        }
    }
}

#[test]
fn headers_spelled_by_other_tools_are_read() {
    // `Comment ID`, `voter_id`, `COMMENT-BODY`: as spreadsheets and data-frame tools rename them.
    let mut files = plain(&conv());
    for name in ["comments.csv", "votes.csv", "participants-votes.csv"] {
        edit(&mut files, name, |t| {
            let (header, rest) = t.split_once('\n').unwrap_or((t, ""));
            let header = header
                .split(',')
                .enumerate()
                .map(|(i, h)| match i % 3 {
                    0 => h.replace('-', " ").to_uppercase(),
                    1 => h.replace('-', "_"),
                    _ => h.to_string(),
                })
                .collect::<Vec<_>>()
                .join(",");
            format!("{header}\n{rest}")
        });
    }
    same_groups_as_plain(files, "renamed headers");
}

#[test]
fn a_matrix_resaved_by_a_data_frame_library_reads_as_the_original() {
    // pandas' `to_csv`: the row index first, floats where a column has gaps, and here the
    // group-id column dropped.
    let alone = |files: Vec<(String, Vec<u8>)>| -> Vec<(String, Vec<u8>)> {
        files.into_iter().filter(|f| f.0 == "participants-votes.csv").collect()
    };
    let original = alone(plain(&conv()));
    let mut resaved = original.clone();
    edit(&mut resaved, "participants-votes.csv", |t| {
        let mut out = String::new();
        for (i, l) in t.lines().enumerate() {
            let cells: Vec<String> = l
                .split(',')
                .enumerate()
                .filter(|&(j, _)| j != 1)
                .map(|(j, c)| if i > 0 && j >= 6 && !c.is_empty() { format!("{c}.0") } else { c.to_string() })
                .collect();
            let index = if i == 0 { String::new() } else { (i - 1).to_string() };
            out.push_str(&format!("{index},{}\n", cells.join(",")));
        }
        out
    });
    let (a, b) = (read(original).expect("original"), read(resaved).expect("re-saved"));
    assert_eq!(a.votes, b.votes);
    assert_eq!(partition(&analyse(&a)), partition(&analyse(&b)));
}
