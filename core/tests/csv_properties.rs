#![cfg(not(target_arch = "wasm32"))]
//! Property tests of the Pol.is CSV readers (`polis_csv`): any input gives rows or an
//! error naming the file, never a panic; a malformed export names the file, the line and
//! (when one cell is at fault) the column; a valid export reads back exactly as generated.
//! Every value here is generated: no text from real conversations.

use mufakat_core::escape::csv_cell_read;
use mufakat_core::polis_csv::{
    parse_comments, parse_participants_votes, parse_summary, parse_votes, write_votes, PolisComment,
    PolisCsvError, PolisExport, PolisParticipant, PolisVote,
};
use mufakat_core::{Moderation, Vote};
use proptest::prelude::*;
use proptest::sample::Index;

const COMMENTS: &str = "comments.csv";
const VOTES: &str = "votes.csv";
const PARTICIPANTS: &str = "participants-votes.csv";
const SUMMARY: &str = "summary.csv";

/// Runs the reader for `file` and keeps only the number of rows read.
fn parse(file: &str, text: &str) -> Result<usize, PolisCsvError> {
    match file {
        COMMENTS => parse_comments(text).map(|v| v.len()),
        VOTES => parse_votes(text).map(|v| v.len()),
        PARTICIPANTS => parse_participants_votes(text).map(|v| v.len()),
        _ => parse_summary(text).map(|v| v.len()),
    }
}

/// Lines as an editor counts them: each `\n`, `\r\n` or lone `\r` ends one.
fn editor_lines(text: &str) -> u64 {
    let b = text.as_bytes();
    let ends =
        (0..b.len()).filter(|&i| b[i] == b'\n' || (b[i] == b'\r' && b.get(i + 1) != Some(&b'\n'))).count();
    ends as u64 + 1
}

/// What any error must say: the file first, a line that exists, a non-empty column name.
fn check_error(file: &str, text: &str, e: &PolisCsvError) -> Result<(), TestCaseError> {
    prop_assert_eq!(&e.file, file);
    let shown = e.to_string();
    prop_assert!(shown.starts_with(file), "{}", shown);
    prop_assert!(e.line <= editor_lines(text), "line {} of {} lines: {}", e.line, editor_lines(text), shown);
    if e.line > 0 {
        prop_assert!(shown.contains(&format!(", line {}", e.line)), "{}", shown);
    }
    if let Some(c) = &e.column {
        prop_assert!(!c.is_empty(), "{}", shown);
        prop_assert!(shown.contains(&format!(", column {c}: ")), "{}", shown);
    }
    prop_assert!(!e.message.is_empty());
    Ok(())
}

/// Bytes of any kind, read as UTF-8 the forgiving way.
fn lossy_text() -> impl Strategy<Value = String> {
    prop::collection::vec(any::<u8>(), 0..400).prop_map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// Text made of what CSV parsing turns on (separators, quotes, line ends, digits, signs),
/// after a header the reader knows, so parsing gets past the header.
fn csv_like_text() -> impl Strategy<Value = String> {
    let headers = prop_oneof![
        Just("timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"),
        Just("timestamp,comment-id,author-id,agrees,disagrees,moderated,is-meta,is-seed,comment-body\n"),
        Just("timestamp,datetime,comment-id,voter-id,vote\n"),
        Just("participant,xid,group-id,n-comments,n-votes,n-agree,n-disagree,0,1,2\n"),
        Just("participant,group-id,n-comments,n-votes,n-agree,n-disagree,7,3\n"),
        Just("topic,a\nurl,b\n"),
        Just(""),
    ];
    (headers, "[0-9,\"\r\n .aetrufls\u{feff}é-]{0,200}").prop_map(|(h, body)| format!("{h}{body}"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_text_reads_or_gives_an_error_naming_the_file(
        text in prop_oneof![lossy_text(), any::<String>(), csv_like_text()],
    ) {
        for file in [COMMENTS, VOTES, PARTICIPANTS, SUMMARY] {
            if let Err(e) = parse(file, &text) {
                check_error(file, &text, &e)?;
            }
        }
    }

    #[test]
    fn any_set_of_files_reads_or_gives_an_error_naming_one_of_them(
        files in prop::collection::vec(prop::option::of(prop_oneof![csv_like_text(), lossy_text()]), 5),
    ) {
        let names = [COMMENTS, VOTES, PARTICIPANTS, "participant-votes.csv", SUMMARY];
        let read = |name: &str| names.iter().position(|n| *n == name).and_then(|i| files[i].clone());
        if let Err(e) = PolisExport::from_files(read) {
            prop_assert!(names.contains(&e.file.as_str()), "{}", e);
            prop_assert!(e.to_string().starts_with(&e.file), "{}", e);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Generated exports.

/// One generated file: header and rows as written (quoting included), and how it is laid
/// out on lines.
#[derive(Debug, Clone)]
struct Doc {
    file: &'static str,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    /// Columns whose cells are read as numbers, votes or flags.
    checked: Vec<usize>,
    /// Of those, the columns holding −1, 0 or 1 (votes, moderation).
    ranged: Vec<usize>,
    /// Some field is quoted (comment bodies), so an unclosed quote's reach is unknown.
    quoted: bool,
    layout: Layout,
}

/// Line ends, byte-order mark, blank lines ("" or spaces) before rows, final line end.
#[derive(Debug, Clone)]
struct Layout {
    crlf: bool,
    bom: bool,
    blank_before: Vec<Option<&'static str>>,
    final_newline: bool,
}

fn layout() -> impl Strategy<Value = Layout> {
    let blank = prop_oneof![6 => Just(None), 1 => Just(Some("")), 1 => Just(Some("   "))];
    (any::<bool>(), any::<bool>(), prop::collection::vec(blank, 16), any::<bool>()).prop_map(
        |(crlf, bom, blank_before, final_newline)| Layout { crlf, bom, blank_before, final_newline },
    )
}

/// The rendered text, each row's first line and byte offset.
struct Rendered {
    text: String,
    lines: Vec<u64>,
    offsets: Vec<usize>,
}

impl Doc {
    fn render(&self) -> Rendered {
        let nl = if self.layout.crlf { "\r\n" } else { "\n" };
        let mut text = String::from(if self.layout.bom { "\u{feff}" } else { "" });
        text.push_str(&self.header.join(","));
        let mut line = 1;
        let (mut lines, mut offsets) = (Vec::new(), Vec::new());
        for (i, row) in self.rows.iter().enumerate() {
            text.push_str(nl);
            line += 1;
            if let Some(blank) = self.layout.blank_before.get(i).copied().flatten() {
                text.push_str(blank);
                text.push_str(nl);
                line += 1;
            }
            lines.push(line);
            offsets.push(text.len());
            let row = row.join(",");
            line += row.matches('\n').count() as u64;
            text.push_str(&row);
        }
        if self.layout.final_newline {
            text.push_str(nl);
        }
        Rendered { text, lines, offsets }
    }
}

/// A quoted CSV field (quotes doubled), as Pol.is writes comment bodies.
fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

#[derive(Debug, Clone)]
struct GenVote {
    timestamp: Option<i64>,
    datetime: String,
    statement: u32,
    participant: u32,
    vote: i8,
}

fn gen_votes() -> impl Strategy<Value = Vec<GenVote>> {
    let vote = (
        prop::option::weighted(0.9, 0i64..2_000_000_000_000),
        "[A-Za-z0-9:]{0,12}",
        0u32..2000,
        0u32..5000,
        -1i8..=1,
    )
        .prop_map(|(timestamp, datetime, statement, participant, vote)| GenVote {
            timestamp,
            datetime,
            statement,
            participant,
            vote,
        });
    prop::collection::vec(vote, 1..12)
}

fn votes_doc(votes: &[GenVote], layout: Layout) -> Doc {
    let rows = votes
        .iter()
        .map(|v| {
            vec![
                v.timestamp.map(|t| t.to_string()).unwrap_or_default(),
                v.datetime.clone(),
                v.statement.to_string(),
                v.participant.to_string(),
                v.vote.to_string(),
            ]
        })
        .collect();
    Doc {
        file: VOTES,
        header: ["timestamp", "datetime", "comment-id", "voter-id", "vote"].map(String::from).to_vec(),
        rows,
        checked: vec![0, 2, 3, 4],
        ranged: vec![4],
        quoted: false,
        layout,
    }
}

#[derive(Debug, Clone)]
struct GenComment {
    timestamp: i64,
    datetime: String,
    id: u32,
    author: Option<u32>,
    agrees: Option<u32>,
    disagrees: Option<u32>,
    moderated: i8,
    /// (is-meta, is-seed) cells, when the file has those columns.
    flags: (&'static str, &'static str),
    body: String,
}

fn gen_comments() -> impl Strategy<Value = (bool, Vec<GenComment>)> {
    let flag = prop::sample::select(vec!["true", "false", "", "t", "f", "0", "1", "TRUE"]);
    let comment = (
        (0i64..2_000_000_000_000, "[A-Za-z0-9:]{0,12}", 0u32..500, prop::option::of(0u32..5000)),
        (prop::option::of(0u32..1000), prop::option::of(0u32..1000), -1i8..=1, (flag.clone(), flag)),
        "[a-zA-Z0-9 ,.;:'\"\n!?éüß-]{0,30}",
    )
        .prop_map(|((timestamp, datetime, id, author), (agrees, disagrees, moderated, flags), body)| {
            GenComment { timestamp, datetime, id, author, agrees, disagrees, moderated, flags, body }
        });
    (any::<bool>(), prop::collection::vec(comment, 1..10))
}

fn comments_doc(extra: bool, comments: &[GenComment], layout: Layout) -> Doc {
    let opt = |x: Option<u32>| x.map(|v| v.to_string()).unwrap_or_default();
    let mut header: Vec<String> =
        ["timestamp", "datetime", "comment-id", "author-id", "agrees", "disagrees", "moderated"]
            .map(String::from)
            .to_vec();
    let mut checked = vec![0, 2, 3, 4, 5, 6];
    if extra {
        header.extend(["is-meta", "is-seed"].map(String::from));
        checked.extend([7, 8]);
    }
    header.push("comment-body".into());
    let rows = comments
        .iter()
        .map(|c| {
            let mut row = vec![
                c.timestamp.to_string(),
                c.datetime.clone(),
                c.id.to_string(),
                opt(c.author),
                opt(c.agrees),
                opt(c.disagrees),
                c.moderated.to_string(),
            ];
            if extra {
                row.extend([c.flags.0.to_string(), c.flags.1.to_string()]);
            }
            row.push(quote(&c.body));
            row
        })
        .collect();
    Doc { file: COMMENTS, header, rows, checked, ranged: vec![6], quoted: true, layout }
}

#[derive(Debug, Clone)]
struct GenParticipant {
    participant: u32,
    xid: String,
    group: Option<u32>,
    /// One cell per statement column: −1, 0, 1 or not voted.
    votes: Vec<Option<i8>>,
}

fn gen_participants() -> impl Strategy<Value = (bool, Vec<u32>, Vec<GenParticipant>)> {
    (any::<bool>(), prop::collection::btree_set(0u32..300, 1..8)).prop_flat_map(|(with_xid, statements)| {
        let n = statements.len();
        let participant = (
            0u32..5000,
            "[a-zA-Z0-9-]{0,8}",
            prop::option::of(0u32..5),
            prop::collection::vec(prop::option::of(-1i8..=1), n),
        )
            .prop_map(|(participant, xid, group, votes)| GenParticipant {
                participant,
                xid,
                group,
                votes,
            });
        (
            Just(with_xid),
            Just(statements.into_iter().collect::<Vec<_>>()),
            prop::collection::vec(participant, 1..10),
        )
    })
}

fn participants_doc(with_xid: bool, statements: &[u32], people: &[GenParticipant], layout: Layout) -> Doc {
    let mut header: Vec<String> = vec!["participant".into()];
    if with_xid {
        header.push("xid".into());
    }
    let fixed = header.len();
    header.extend(["group-id", "n-comments", "n-votes", "n-agree", "n-disagree"].map(String::from));
    let first_vote = header.len();
    header.extend(statements.iter().map(|s| s.to_string()));
    let mut checked = vec![0, fixed];
    checked.extend(first_vote..header.len());
    let ranged = (first_vote..header.len()).collect();
    let rows = people
        .iter()
        .map(|p| {
            let mut row = vec![p.participant.to_string()];
            if with_xid {
                row.push(p.xid.clone());
            }
            let voted = p.votes.iter().flatten().count();
            row.extend([
                p.group.map(|g| g.to_string()).unwrap_or_default(),
                "0".into(),
                voted.to_string(),
                p.votes.iter().flatten().filter(|v| **v > 0).count().to_string(),
                p.votes.iter().flatten().filter(|v| **v < 0).count().to_string(),
            ]);
            row.extend(p.votes.iter().map(|v| v.map(|x| x.to_string()).unwrap_or_default()));
            row
        })
        .collect();
    Doc { file: PARTICIPANTS, header, rows, checked, ranged, quoted: false, layout }
}

/// Any of the three tabular files, valid.
fn any_doc() -> impl Strategy<Value = Doc> {
    prop_oneof![
        (gen_votes(), layout()).prop_map(|(v, l)| votes_doc(&v, l)),
        (gen_comments(), layout()).prop_map(|((extra, c), l)| comments_doc(extra, &c, l)),
        (gen_participants(), layout()).prop_map(|((x, s, p), l)| participants_doc(x, &s, &p, l)),
    ]
}

// ---------------------------------------------------------------------------------------
// One mutation of a valid file, and the error it must produce.

#[derive(Debug, Clone)]
enum Mutation {
    /// Remove one field from a row.
    DropField { row: Index, col: Index },
    /// Insert one field into a row.
    AddField { row: Index, col: Index },
    /// Replace a read cell with something that is not a valid value for it.
    Garbage { row: Index, cell: Index, text: String },
    /// A vote or moderation value other than −1, 0, 1.
    OutOfRange { row: Index, cell: Index, value: i8 },
    /// A `"` inside a read cell (after its first character, so it is kept literally).
    StrayQuote { row: Index, cell: Index, at: Index },
    /// A `"` opening a field and never closed: the rest of the file becomes that field.
    UnclosedQuote { row: Index, col: Index },
    /// The file ends inside a row, before its last field.
    Truncate { row: Index, at: Index },
    /// One column's name given to an extra column too (with valid cells).
    DuplicateColumn { col: Index, at: Index },
    /// Nothing but white space.
    Empty { text: &'static str },
}

/// Text that no reader accepts in a numeric, vote or flag cell: never a number (the
/// 20-digit one overflows every type read), true/false/t/f, or blank.
fn garbage() -> impl Strategy<Value = String> {
    prop_oneof!["x[a-z]{0,3}", "[0-9]{1,3}[a-z]", "[0-9]\\.[1-9]", "[1-9][0-9]{19}", "--1", "1 2"]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let i = any::<Index>;
    prop_oneof![
        (i(), i()).prop_map(|(row, col)| Mutation::DropField { row, col }),
        (i(), i()).prop_map(|(row, col)| Mutation::AddField { row, col }),
        (i(), i(), garbage()).prop_map(|(row, cell, text)| Mutation::Garbage { row, cell, text }),
        (i(), i(), prop_oneof![2i8..=99, -99i8..=-2]).prop_map(|(row, cell, value)| Mutation::OutOfRange {
            row,
            cell,
            value
        }),
        (i(), i(), i()).prop_map(|(row, cell, at)| Mutation::StrayQuote { row, cell, at }),
        (i(), i()).prop_map(|(row, col)| Mutation::UnclosedQuote { row, col }),
        (i(), i()).prop_map(|(row, at)| Mutation::Truncate { row, at }),
        (i(), i()).prop_map(|(col, at)| Mutation::DuplicateColumn { col, at }),
        prop::sample::select(vec!["", "\n", "  \r\n\t", "\u{feff}"])
            .prop_map(|text| Mutation::Empty { text }),
    ]
}

/// The error a mutation must give: (line, column).
type Expected = (u64, Option<String>);

fn named(doc: &Doc, col: usize) -> Option<String> {
    Some(doc.header.get(col).cloned().unwrap_or_else(|| format!("#{}", col + 1)))
}

/// Applies `m` to `doc`; returns the text and the expected error, or `None` when this
/// mutation cannot apply to this file (then the case is skipped).
fn apply(doc: &Doc, m: &Mutation) -> Option<(String, Expected)> {
    let mut d = doc.clone();
    let n = d.header.len();
    let rows = d.rows.len();
    let line = |r: usize| doc.render().lines[r];
    Some(match m {
        Mutation::DropField { row, col } => {
            let r = row.index(rows);
            d.rows[r].remove(col.index(n));
            // The fields left fill the first columns: the last column is the one missing.
            (d.render().text, (line(r), named(doc, n - 1)))
        }
        Mutation::AddField { row, col } => {
            let r = row.index(rows);
            d.rows[r].insert(col.index(n + 1), "7".into());
            (d.render().text, (line(r), Some(format!("#{}", n + 1))))
        }
        Mutation::Garbage { row, cell, text } => {
            let (r, c) = (row.index(rows), d.checked[cell.index(d.checked.len())]);
            d.rows[r][c] = text.clone();
            (d.render().text, (line(r), named(doc, c)))
        }
        Mutation::OutOfRange { row, cell, value } => {
            let (r, c) = (row.index(rows), d.ranged[cell.index(d.ranged.len())]);
            d.rows[r][c] = value.to_string();
            (d.render().text, (line(r), named(doc, c)))
        }
        Mutation::StrayQuote { row, cell, at } => {
            let r = row.index(rows);
            let cells: Vec<usize> = d.checked.iter().copied().filter(|&c| !d.rows[r][c].is_empty()).collect();
            if cells.is_empty() {
                return None;
            }
            let c = cells[cell.index(cells.len())];
            let value = &mut d.rows[r][c];
            value.insert(1 + at.index(value.len()), '"');
            (d.render().text, (line(r), named(doc, c)))
        }
        Mutation::UnclosedQuote { row, col } => {
            if d.quoted {
                return None;
            }
            // The reader would take the rest of the file as this one field; the parser
            // names where the quote opens instead.
            let (r, c) = (row.index(rows), col.index(n));
            d.rows[r][c].insert(0, '"');
            (d.render().text, (line(r), named(doc, c)))
        }
        Mutation::Truncate { row, at } => {
            let r = row.index(rows);
            let rendered = d.render();
            // Only fields before the last one are cut into (they hold no quotes).
            let before_last = d.rows[r][..n - 1].join(",").len();
            let keep = 1 + at.index(before_last);
            let start = rendered.offsets[r];
            let kept = &rendered.text[start..start + keep];
            let fields = kept.matches(',').count() + 1;
            (rendered.text[..start + keep].to_string(), (line(r), named(doc, fields)))
        }
        Mutation::DuplicateColumn { col, at } => {
            let (c, at) = (col.index(n), at.index(n + 1));
            let name = d.header[c].clone();
            d.header.insert(at, name.clone());
            for row in &mut d.rows {
                let copy = row[c].clone();
                row.insert(at, copy);
            }
            (d.render().text, (1, Some(name)))
        }
        Mutation::Empty { text } => (text.to_string(), (0, None)),
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn a_valid_generated_file_reads_without_error(doc in any_doc()) {
        let text = doc.render().text;
        prop_assert_eq!(parse(doc.file, &text).map_err(|e| e.to_string()), Ok(doc.rows.len()));
    }

    #[test]
    fn one_mutation_is_reported_with_file_line_and_column(doc in any_doc(), m in mutation()) {
        // A mutation that does not apply to this file is rejected (proptest draws another
        // case and fails on too many rejects), not counted as a pass.
        let Some((text, (line, column))) = apply(&doc, &m) else {
            return Err(TestCaseError::reject("the mutation does not apply to this file"));
        };
        let e = match parse(doc.file, &text) {
            Ok(rows) => return Err(TestCaseError::fail(format!("read {rows} rows from {text:?}"))),
            Err(e) => e,
        };
        check_error(doc.file, &text, &e)?;
        prop_assert_eq!((e.line, e.column.clone()), (line, column), "{} in {:?}", e, text);
    }
}

// ---------------------------------------------------------------------------------------
// Round trips.

fn to_vote(v: i8) -> Vote {
    Vote::from_value(v).unwrap_or(Vote::Pass)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// votes.csv reads back as exactly the votes written, in time order (ties and rows
    /// without a time keep file order), and so does our own writer's output.
    #[test]
    fn generated_votes_read_back_exactly(votes in gen_votes(), layout in layout()) {
        let text = votes_doc(&votes, layout).render().text;
        let mut expected: Vec<PolisVote> = votes
            .iter()
            .map(|v| PolisVote { timestamp: v.timestamp, statement: v.statement, participant: v.participant, vote: to_vote(v.vote) })
            .collect();
        expected.sort_by_key(|v| v.timestamp.unwrap_or(i64::MIN));
        let parsed = parse_votes(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&parsed, &expected);
        let export = PolisExport { votes: parsed, ..PolisExport::default() };
        prop_assert_eq!(parse_votes(&write_votes(&export)).map_err(|e| e.to_string()), Ok(expected));
    }

    /// comments.csv (either layout) reads back as the comments written, bodies byte for
    /// byte (quotes, commas and line breaks included) but for the one escape our writers add:
    /// a `'` before a formula character is dropped (`mufakat_core::escape::csv_cell_read`).
    #[test]
    fn generated_comments_read_back_exactly((extra, comments) in gen_comments(), layout in layout()) {
        let text = comments_doc(extra, &comments, layout).render().text;
        let flag = |s: &str| matches!(s.to_ascii_lowercase().as_str(), "true" | "t" | "1");
        let expected: Vec<PolisComment> = comments
            .iter()
            .map(|c| PolisComment {
                timestamp: Some(c.timestamp),
                datetime: Some(c.datetime.clone()).filter(|d| !d.is_empty()),
                id: c.id,
                author: c.author,
                agrees: c.agrees,
                disagrees: c.disagrees,
                moderation: Moderation::from_value(c.moderated).unwrap_or_default(),
                is_meta: extra && flag(c.flags.0),
                is_seed: extra && flag(c.flags.1),
                body: csv_cell_read(&c.body).to_string(),
            })
            .collect();
        prop_assert_eq!(parse_comments(&text).map_err(|e| e.to_string()), Ok(expected));
    }

    /// participants-votes.csv reads back as the participants and votes written; empty
    /// cells are "not voted".
    #[test]
    fn generated_participants_votes_read_back_exactly((with_xid, statements, people) in gen_participants(), layout in layout()) {
        let text = participants_doc(with_xid, &statements, &people, layout).render().text;
        let expected: Vec<PolisParticipant> = people
            .iter()
            .map(|p| PolisParticipant {
                participant: p.participant,
                xid: with_xid.then(|| csv_cell_read(&p.xid).to_string()),
                group: p.group,
                votes: statements.iter().zip(&p.votes).filter_map(|(&s, v)| Some((s, to_vote((*v)?)))).collect(),
            })
            .collect();
        prop_assert_eq!(parse_participants_votes(&text).map_err(|e| e.to_string()), Ok(expected));
    }

    /// In a whole export with one bad file, that file is the one named.
    #[test]
    fn the_malformed_file_of_an_export_is_the_one_named(
        (extra, comments) in gen_comments(),
        votes in gen_votes(),
        (with_xid, statements, people) in gen_participants(),
        which in 0usize..3,
        row in any::<Index>(),
        cell in any::<Index>(),
        text in garbage(),
    ) {
        let plain = || Layout { crlf: false, bom: false, blank_before: Vec::new(), final_newline: true };
        // The participants' columns name statements of comments.csv, as in one real export
        // (a column for a statement comments.csv lacks is refused: the files do not belong together).
        let mut comments = comments;
        for &s in &statements {
            if !comments.iter().any(|c| c.id == s) {
                let mut c = comments[0].clone();
                c.id = s;
                comments.push(c);
            }
        }
        let docs = [
            comments_doc(extra, &comments, plain()),
            votes_doc(&votes, plain()),
            participants_doc(with_xid, &statements, &people, plain()),
        ];
        let valid: Vec<String> = docs.iter().map(|d| d.render().text).collect();
        let read = |files: &[String]| {
            let files = files.to_vec();
            move |name: &str| [COMMENTS, VOTES, PARTICIPANTS].iter().position(|n| *n == name).map(|i| files[i].clone())
        };
        let export = PolisExport::from_files(read(&valid)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(export.votes.len(), votes.len());
        let mutation = Mutation::Garbage { row, cell, text };
        let Some((bad, (line, column))) = apply(&docs[which], &mutation) else {
            return Err(TestCaseError::reject("the mutation does not apply to this file"));
        };
        let mut files = valid.clone();
        files[which] = bad;
        let e = match PolisExport::from_files(read(&files)) {
            Ok(_) => return Err(TestCaseError::fail("a bad cell was read")),
            Err(e) => e,
        };
        prop_assert_eq!((e.file.as_str(), e.line, e.column), (docs[which].file, line, column));
    }
}
