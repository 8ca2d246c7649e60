//! Pol.is export files, read and written as strings (file access belongs to the server).
//!
//! Formats as `shared/spec/polis-export.md` (B.1 openData, B.2 live server). Columns are
//! found by header name, so both comments.csv variants (8 openData columns, or with
//! is-meta / is-seed / importance / group-informed-consensus) parse. Vote sign:
//! agree = +1, disagree = −1, pass = 0, as Pol.is exports and as mufakat stores.
//! Errors name the file, the line and the column; malformed input never panics.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use crate::analysis::{Analysis, AnalysisParams, StatementMeta};
use crate::escape::{csv_cell, csv_cell_read};
use crate::legend::group_letter;
use crate::model::{Moderation, ParticipantId, StatementId, Vote, VoteRecord};

/// Where and why a file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct PolisCsvError {
    pub file: String,
    /// 1-based line (0 when the whole file is at fault).
    pub line: u64,
    /// Column header name, when one column is at fault.
    pub column: Option<String>,
    pub message: String,
}

impl fmt::Display for PolisCsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ", line {}", self.line)?;
        }
        if let Some(c) = &self.column {
            write!(f, ", column {c}")?;
        }
        write!(f, ": {}", self.message)
    }
}

fn err(file: &str, line: u64, column: Option<&str>, message: impl Into<String>) -> PolisCsvError {
    PolisCsvError {
        file: file.to_string(),
        line,
        column: column.map(str::to_string),
        message: message.into(),
    }
}

/// A comment (statement) row.
#[derive(Debug, Clone, PartialEq)]
pub struct PolisComment {
    pub timestamp: Option<i64>,
    pub datetime: Option<String>,
    pub id: StatementId,
    pub author: Option<ParticipantId>,
    pub agrees: Option<u32>,
    pub disagrees: Option<u32>,
    pub moderation: Moderation,
    pub is_meta: bool,
    pub is_seed: bool,
    pub body: String,
}

/// A votes.csv row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PolisVote {
    pub timestamp: Option<i64>,
    pub statement: StatementId,
    pub participant: ParticipantId,
    pub vote: Vote,
}

/// A participants-votes.csv row.
#[derive(Debug, Clone, PartialEq)]
pub struct PolisParticipant {
    pub participant: ParticipantId,
    /// The embedding site's id; `Some("")` when the file has the column but not this
    /// participant's (Pol.is writes the column when asked, empty or not).
    pub xid: Option<String>,
    /// Pol.is's own group, when it clustered this participant.
    pub group: Option<u32>,
    pub votes: Vec<(StatementId, Vote)>,
}

/// Our groups against Pol.is's own, from [`PolisExport::agreement_with_polis`].
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PolisAgreement {
    /// Adjusted Rand index over `participants` (1: the same partition).
    pub adjusted_rand_index: f64,
    /// Participants both place in a group.
    pub participants: usize,
    /// Groups Pol.is made.
    pub polis_groups: usize,
    /// With two Pol.is groups among them: how well one straight line across our opinion
    /// map separates those participants by Pol.is group
    /// ([`crate::cluster::straight_cut_agreement`]). A share near 1, well above the bigger
    /// group's share, while the ARI is low means the map agrees with Pol.is and only the
    /// line between the groups falls elsewhere.
    pub straight_cut: Option<crate::cluster::StraightCut>,
}

/// A conversation's export directory, parsed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PolisExport {
    /// summary.csv key/value rows, in file order.
    pub summary: Vec<(String, String)>,
    pub comments: Vec<PolisComment>,
    /// Votes in chronological order (stable), so the latest vote wins.
    pub votes: Vec<PolisVote>,
    pub participants: Vec<PolisParticipant>,
    /// The conversation's outcomes (a stored conversation's; a Pol.is export has none),
    /// written to outcomes.csv and analysis.json.
    pub outcomes: Vec<crate::api::outcomes::Outcome>,
    /// Pol.is's own math (math-pca2.json), when the folder has it; checked to be this
    /// conversation's. The analysis warm-starts from it and compares itself with it.
    pub math: Option<crate::polis_math::PolisMath>,
}

struct Table {
    header: Vec<String>,
    /// Line of the header row (1 unless blank lines come first).
    header_line: u64,
    rows: Vec<(u64, csv::StringRecord)>,
}

impl Table {
    fn col(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h.trim() == name)
    }
}

/// Line numbers as an editor shows them (a line ends at `\n`, `\r\n` or a lone `\r`).
///
/// The csv reader's own record position is where it started reading, just past the
/// previous record's terminator: before any blank lines it then skips, and before the `\n`
/// of a `\r\n`. So its line is one early after a blank line and lags further behind in
/// every `\r\n` file. A record really starts at the first byte that ends no line.
struct Lines<'a> {
    text: &'a [u8],
    /// Bytes before `at` are counted; `at` is always a record's first byte.
    at: usize,
    line: u64,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Lines<'a> {
        Lines { text: text.as_bytes(), at: 0, line: 1 }
    }

    /// Line of the record the reader began reading at `position` (records in file order).
    fn of(&mut self, position: Option<&csv::Position>) -> u64 {
        let Some(p) = position else { return self.line };
        let mut start = usize::try_from(p.byte()).unwrap_or(usize::MAX).min(self.text.len());
        while start < self.text.len() && matches!(self.text[start], b'\r' | b'\n') {
            start += 1;
        }
        for i in self.at..start {
            match self.text[i] {
                b'\n' => self.line += 1,
                b'\r' if self.text.get(i + 1) != Some(&b'\n') => self.line += 1,
                _ => {}
            }
        }
        self.at = self.at.max(start);
        self.line
    }
}

/// A column's name for an error: its header name, or its 1-based position (`#6`) when the
/// header leaves it unnamed.
fn column_name(header: &[String], index: usize) -> String {
    match header.get(index) {
        Some(h) if !h.is_empty() => h.clone(),
        _ => format!("#{}", index + 1),
    }
}

/// Where a quoted field opens that never closes: its line and field index, if any.
///
/// The csv reader takes everything after such a quote, to the end of the file, as one
/// field, so a comment missing its closing quote would silently swallow every row after
/// it. This follows the reader's rules: a quote opens a quoted field only as a field's first
/// character, `""` inside is a quote, and a quote elsewhere in an unquoted field is text.
fn unclosed_quote(text: &str) -> Option<(u64, usize)> {
    let bytes = text.as_bytes();
    let (mut line, mut field, mut field_start, mut open) = (1u64, 0usize, true, None);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let newline = b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
        match open {
            Some(_) => {
                if b == b'"' {
                    if bytes.get(i + 1) == Some(&b'"') {
                        i += 1;
                    } else {
                        open = None;
                        field_start = false;
                    }
                }
            }
            None => match b {
                b'"' if field_start => open = Some((line, field)),
                b',' => {
                    field += 1;
                    field_start = true;
                }
                b'\r' | b'\n' => {
                    field = 0;
                    field_start = true;
                }
                _ => field_start = false,
            },
        }
        if newline {
            line += 1;
        }
        i += 1;
    }
    open
}

fn read_table(text: &str, file: &str) -> Result<Table, PolisCsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(err(file, 0, None, "file is empty"));
    }
    // openData keeps some large files in Git LFS: a clone without LFS holds only a pointer.
    if text.starts_with("version https://git-lfs.github.com/spec/") {
        return Err(err(file, 1, None, "is a Git LFS pointer, not the data (fetch it with `git lfs pull`)"));
    }
    let mut lines = Lines::new(text);
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut records = rdr.records();
    let (header, header_line): (Vec<String>, u64) = match records.next() {
        Some(Ok(h)) => (h.iter().map(|s| s.trim().to_string()).collect(), lines.of(h.position())),
        Some(Err(e)) => return Err(err(file, lines.of(e.position()), None, e.to_string())),
        None => return Err(err(file, 0, None, "file is empty")),
    };
    for (i, h) in header.iter().enumerate() {
        if !h.is_empty() && header[..i].contains(h) {
            return Err(err(
                file,
                header_line,
                Some(h.as_str()),
                format!("column `{h}` appears twice in the header"),
            ));
        }
    }
    if let Some((line, field)) = unclosed_quote(text) {
        return Err(err(
            file,
            line,
            Some(&column_name(&header, field)),
            "a quoted field opens here and is never closed",
        ));
    }
    let mut rows = Vec::new();
    for rec in records {
        let rec = rec.map_err(|e| err(file, lines.of(e.position()), None, e.to_string()))?;
        let line = lines.of(rec.position());
        if rec.len() == 1 && rec.get(0).is_some_and(|s| s.trim().is_empty()) {
            continue; // blank line
        }
        if rec.len() < header.len() {
            // The fields present fill the first columns: the next one is the first missing.
            return Err(err(
                file,
                line,
                Some(&column_name(&header, rec.len())),
                format!("expected {} fields as in the header, found {}", header.len(), rec.len()),
            ));
        }
        if rec.len() > header.len() {
            return Err(err(
                file,
                line,
                Some(&column_name(&header, header.len())),
                format!("{} fields, header has {}", rec.len(), header.len()),
            ));
        }
        rows.push((line, rec));
    }
    Ok(Table { header, header_line, rows })
}

fn require(t: &Table, file: &str, name: &str) -> Result<usize, PolisCsvError> {
    t.col(name)
        .ok_or_else(|| err(file, t.header_line, Some(name), format!("missing column `{name}` in the header")))
}

fn field(rec: &csv::StringRecord, idx: usize) -> &str {
    rec.get(idx).unwrap_or("").trim()
}

fn parse_num<T: std::str::FromStr>(s: &str, file: &str, line: u64, column: &str) -> Result<T, PolisCsvError> {
    s.parse::<T>().map_err(|_| {
        let message = if s.is_empty() {
            "a number is required here".to_string()
        } else {
            format!("`{s}` is not a valid number")
        };
        err(file, line, Some(column), message)
    })
}

fn parse_opt<T: std::str::FromStr>(
    rec: &csv::StringRecord,
    idx: Option<usize>,
    file: &str,
    line: u64,
    column: &str,
) -> Result<Option<T>, PolisCsvError> {
    match idx.map(|i| field(rec, i)) {
        None | Some("") => Ok(None),
        Some(s) => parse_num(s, file, line, column).map(Some),
    }
}

fn parse_bool(s: &str, file: &str, line: u64, column: &str) -> Result<bool, PolisCsvError> {
    match s.to_ascii_lowercase().as_str() {
        "" | "false" | "f" | "0" => Ok(false),
        "true" | "t" | "1" => Ok(true),
        _ => Err(err(file, line, Some(column), format!("`{s}` is not true or false"))),
    }
}

fn parse_vote(s: &str, file: &str, line: u64, column: &str) -> Result<Vote, PolisCsvError> {
    let v: i8 = parse_num(s, file, line, column)?;
    Vote::from_value(v).ok_or_else(|| err(file, line, Some(column), format!("vote `{s}` is not 1, 0 or -1")))
}

/// Parses comments.csv (either variant).
pub fn parse_comments(text: &str) -> Result<Vec<PolisComment>, PolisCsvError> {
    const F: &str = "comments.csv";
    let t = read_table(text, F)?;
    let id = require(&t, F, "comment-id")?;
    let body = require(&t, F, "comment-body")?;
    let (ts, dt, author) = (t.col("timestamp"), t.col("datetime"), t.col("author-id"));
    let (agrees, disagrees, moderated) = (t.col("agrees"), t.col("disagrees"), t.col("moderated"));
    let (is_meta, is_seed) = (t.col("is-meta"), t.col("is-seed"));
    let mut out = Vec::with_capacity(t.rows.len());
    for (line, rec) in &t.rows {
        let line = *line;
        let moderation = match parse_opt::<i8>(rec, moderated, F, line, "moderated")? {
            None => Moderation::Pending,
            Some(v) => Moderation::from_value(v)
                .ok_or_else(|| err(F, line, Some("moderated"), format!("`{v}` is not -1, 0 or 1")))?,
        };
        out.push(PolisComment {
            timestamp: parse_opt(rec, ts, F, line, "timestamp")?,
            datetime: dt.map(|i| field(rec, i).to_string()).filter(|s| !s.is_empty()),
            id: parse_num(field(rec, id), F, line, "comment-id")?,
            author: parse_opt(rec, author, F, line, "author-id")?,
            agrees: parse_opt(rec, agrees, F, line, "agrees")?,
            disagrees: parse_opt(rec, disagrees, F, line, "disagrees")?,
            moderation,
            is_meta: match is_meta {
                Some(i) => parse_bool(field(rec, i), F, line, "is-meta")?,
                None => false,
            },
            is_seed: match is_seed {
                Some(i) => parse_bool(field(rec, i), F, line, "is-seed")?,
                None => false,
            },
            body: csv_cell_read(rec.get(body).unwrap_or("")).to_string(),
        });
    }
    Ok(out)
}

/// The export files [`PolisExport::from_files`] reads, longest first (so that
/// `participant-votes.csv` is not taken for `votes.csv`).
/// `math-pca2.json` is Pol.is's own math (`polis_math.rs`), saved from its API.
const EXPORT_FILE_NAMES: [&str; 6] = [
    "participants-votes.csv",
    "participant-votes.csv",
    crate::polis_math::MATH_FILE,
    "comments.csv",
    "summary.csv",
    "votes.csv",
];

/// Which export file a file name is, as the name [`PolisExport::from_files`] asks for.
/// Pol.is's report page downloads the files with a time and the conversation's id in
/// front (`2024-10-23-1530-2arcefpshi-comments.csv`): any prefix ending in `-` or `_` is
/// accepted, in any letter case, and a path in front is ignored. Hidden files (`.…`, such
/// as the `._comments.csv` macOS leaves on other disks) and other names give `None`.
pub fn export_file_role(name: &str) -> Option<&'static str> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name).to_ascii_lowercase();
    if base.starts_with('.') {
        return None;
    }
    // The longest name the file ends with decides; `xparticipants-votes.csv` is nothing.
    let canonical = EXPORT_FILE_NAMES.into_iter().find(|c| base.ends_with(c))?;
    let prefix = &base[..base.len() - canonical.len()];
    (prefix.is_empty() || prefix.ends_with(['-', '_'])).then_some(canonical)
}

/// Dropped or listed files, sorted by the export file each is ([`export_file_role`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilesByRole<T> {
    /// The one file for each export file found, as (its own name, its contents or path).
    pub by_role: BTreeMap<&'static str, (String, T)>,
    /// Files that are none of the export's, in the order given.
    pub others: Vec<(String, T)>,
}

/// Two or more files that could each be the same export file: the reader cannot tell
/// which to take, so it takes none. `names` are in the order given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleConflict {
    pub role: &'static str,
    pub names: Vec<String>,
}

/// Sorts `files` (name, contents or path) by export file, the one rule the CLI's export
/// folder and the browser's dropped files both follow. Two candidates for one export
/// file are refused; with several such conflicts, the one whose export file name comes
/// first in alphabetical order is reported.
pub fn files_by_role<T>(
    files: impl IntoIterator<Item = (String, T)>,
) -> Result<FilesByRole<T>, RoleConflict> {
    let mut candidates: BTreeMap<&'static str, Vec<(String, T)>> = BTreeMap::new();
    let mut others = Vec::new();
    for (name, item) in files {
        match export_file_role(&name) {
            Some(role) => candidates.entry(role).or_default().push((name, item)),
            None => others.push((name, item)),
        }
    }
    if let Some((role, found)) = candidates.iter().find(|(_, found)| found.len() > 1) {
        return Err(RoleConflict { role, names: found.iter().map(|(n, _)| n.clone()).collect() });
    }
    let by_role = candidates.into_iter().filter_map(|(role, mut found)| Some((role, found.pop()?))).collect();
    Ok(FilesByRole { by_role, others })
}

/// Parses votes.csv, returning votes in chronological order (ties keep file order).
pub fn parse_votes(text: &str) -> Result<Vec<PolisVote>, PolisCsvError> {
    const F: &str = "votes.csv";
    let t = read_table(text, F)?;
    let ts = t.col("timestamp");
    let cid = require(&t, F, "comment-id")?;
    let vid = require(&t, F, "voter-id")?;
    let vote = require(&t, F, "vote")?;
    let mut out = Vec::with_capacity(t.rows.len());
    for (line, rec) in &t.rows {
        let line = *line;
        out.push(PolisVote {
            timestamp: parse_opt(rec, ts, F, line, "timestamp")?,
            statement: parse_num(field(rec, cid), F, line, "comment-id")?,
            participant: parse_num(field(rec, vid), F, line, "voter-id")?,
            vote: parse_vote(field(rec, vote), F, line, "vote")?,
        });
    }
    out.sort_by_key(|v| v.timestamp.unwrap_or(i64::MIN));
    Ok(out)
}

/// Parses participants-votes.csv (or the live server's participant-votes.csv).
pub fn parse_participants_votes(text: &str) -> Result<Vec<PolisParticipant>, PolisCsvError> {
    const F: &str = "participants-votes.csv";
    let t = read_table(text, F)?;
    let pid = require(&t, F, "participant")?;
    let gid = require(&t, F, "group-id")?;
    let xid = t.col("xid");
    let fixed = ["participant", "xid", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree"];
    let mut vote_cols: Vec<(usize, StatementId)> = Vec::new();
    for (i, h) in t.header.iter().enumerate() {
        if fixed.contains(&h.as_str()) {
            continue;
        }
        let name = column_name(&t.header, i);
        let id: StatementId = parse_num(h, F, t.header_line, &name)?;
        if let Some(&(j, _)) = vote_cols.iter().find(|c| c.1 == id) {
            let first = &t.header[j];
            return Err(err(
                F,
                t.header_line,
                Some(&name),
                format!("comment {id} already has column `{first}`"),
            ));
        }
        vote_cols.push((i, id));
    }
    let mut out = Vec::with_capacity(t.rows.len());
    for (line, rec) in &t.rows {
        let line = *line;
        let mut votes = Vec::new();
        for &(i, id) in &vote_cols {
            let cell = field(rec, i);
            if !cell.is_empty() {
                votes.push((id, parse_vote(cell, F, line, &t.header[i])?));
            }
        }
        out.push(PolisParticipant {
            participant: parse_num(field(rec, pid), F, line, "participant")?,
            xid: xid.map(|i| csv_cell_read(field(rec, i)).to_string()),
            group: parse_opt(rec, Some(gid), F, line, "group-id")?,
            votes,
        });
    }
    Ok(out)
}

/// Parses summary.csv: key,value rows without a header.
pub fn parse_summary(text: &str) -> Result<Vec<(String, String)>, PolisCsvError> {
    const F: &str = "summary.csv";
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(err(F, 0, None, "file is empty"));
    }
    let mut lines = Lines::new(text);
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| err(F, lines.of(e.position()), None, e.to_string()))?;
        let line = lines.of(rec.position());
        match rec.len() {
            1 if rec.get(0).is_some_and(|s| s.trim().is_empty()) => {}
            2 => out.push((field(&rec, 0).to_string(), csv_cell_read(rec.get(1).unwrap_or("")).to_string())),
            n => return Err(err(F, line, None, format!("expected key,value, found {n} fields"))),
        }
    }
    Ok(out)
}

impl PolisExport {
    /// Reads a conversation's files through `read(file_name)`, which returns `None` for
    /// a missing file. comments.csv is required; votes come from votes.csv or, when it
    /// is absent, from participants-votes.csv; summary.csv is optional.
    pub fn from_files(read: impl Fn(&str) -> Option<String>) -> Result<PolisExport, PolisCsvError> {
        let comments = match read("comments.csv") {
            Some(t) => parse_comments(&t)?,
            None => return Err(err("comments.csv", 0, None, "file not found")),
        };
        // Pol.is has written this file under both names; errors name the one read.
        let participants_file = ["participants-votes.csv", "participant-votes.csv"]
            .into_iter()
            .find_map(|name| read(name).map(|text| (name, text)));
        let participants = match participants_file {
            Some((name, t)) => parse_participants_votes(&t).map_err(|mut e| {
                e.file = name.to_string();
                e
            })?,
            None => Vec::new(),
        };
        let votes = match read("votes.csv") {
            Some(t) => parse_votes(&t)?,
            None if !participants.is_empty() => participants
                .iter()
                .flat_map(|p| {
                    p.votes.iter().map(|&(statement, vote)| PolisVote {
                        timestamp: None,
                        statement,
                        participant: p.participant,
                        vote,
                    })
                })
                .collect(),
            None => {
                return Err(err("votes.csv", 0, None, "neither votes.csv nor participants-votes.csv found"))
            }
        };
        let summary = match read("summary.csv") {
            Some(t) => parse_summary(&t)?,
            None => Vec::new(),
        };
        let mut export =
            PolisExport { summary, comments, votes, participants, outcomes: Vec::new(), math: None };
        if let Some(text) = read(crate::polis_math::MATH_FILE) {
            export.math = Some(export.read_math(&text).map_err(|e| PolisCsvError {
                file: crate::polis_math::MATH_FILE.to_string(),
                line: 0,
                column: None,
                message: match e.key {
                    Some(k) => format!("key {k}: {}", e.message),
                    None => e.message,
                },
            })?);
        }
        Ok(export)
    }

    /// Parses Pol.is's math blob and checks that it is this conversation's.
    pub fn read_math(
        &self,
        text: &str,
    ) -> Result<crate::polis_math::PolisMath, crate::polis_math::PolisMathError> {
        let math = crate::polis_math::PolisMath::parse(text)?;
        let statements =
            self.comments.iter().map(|c| c.id).chain(self.votes.iter().map(|v| v.statement)).collect();
        let mut votes_of: HashMap<ParticipantId, u32> = HashMap::new();
        let mut seen = std::collections::HashSet::new();
        for v in &self.votes {
            if seen.insert((v.participant, v.statement)) {
                *votes_of.entry(v.participant).or_default() += 1;
            }
        }
        math.check_fits(&statements, &votes_of)?;
        Ok(math)
    }

    /// Vote records for [`crate::analyse`], in chronological order.
    pub fn vote_records(&self) -> Vec<VoteRecord> {
        self.votes
            .iter()
            .map(|v| VoteRecord { participant: v.participant, statement: v.statement, vote: v.vote })
            .collect()
    }

    /// Statement metadata for [`crate::analyse`], ordered by comment id.
    pub fn statement_meta(&self) -> Vec<StatementMeta> {
        let mut v: Vec<StatementMeta> = self
            .comments
            .iter()
            .map(|c| StatementMeta {
                id: c.id,
                moderation: c.moderation,
                is_meta: c.is_meta,
                author: c.author,
            })
            .collect();
        v.sort_by_key(|s| s.id);
        v.dedup_by_key(|s| s.id);
        v
    }

    /// Pol.is's own group per participant (from participants-votes.csv).
    pub fn polis_groups(&self) -> HashMap<ParticipantId, u32> {
        self.participants.iter().filter_map(|p| p.group.map(|g| (p.participant, g))).collect()
    }

    /// How our groups agree with Pol.is's own (participants-votes.csv `group-id`), over the
    /// participants both place in a group; `None` when the export carries no groups.
    pub fn agreement_with_polis(&self, analysis: &Analysis) -> Option<PolisAgreement> {
        let polis = self.polis_groups();
        if polis.is_empty() {
            return None;
        }
        let (mut ours, mut theirs, mut positions) = (Vec::new(), Vec::new(), Vec::new());
        for p in &analysis.participants {
            if let (Some(g), Some(&h)) = (p.group, polis.get(&p.id)) {
                ours.push(g);
                theirs.push(h);
                positions.push(p.position);
            }
        }
        let mut groups: Vec<u32> = polis.values().copied().collect();
        groups.sort_unstable();
        groups.dedup();
        let straight_cut = (groups.len() == 2)
            .then(|| {
                let first: Vec<bool> = theirs.iter().map(|&h| h == groups[0]).collect();
                crate::cluster::straight_cut_agreement(&positions, &first)
            })
            .flatten();
        Some(PolisAgreement {
            adjusted_rand_index: crate::cluster::adjusted_rand_index(&ours, &theirs),
            participants: ours.len(),
            polis_groups: groups.len(),
            straight_cut,
        })
    }

    /// A summary.csv value by key.
    pub fn summary_value(&self, key: &str) -> Option<&str> {
        self.summary.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

// ---------------------------------------------------------------------------------------
// Writers. Same data and seed give byte-identical output: rows in id order, fixed float
// formatting by serde_json / Rust's shortest round-trip printing.

/// Name and version of the JSON analysis format written by [`analysis_json`].
pub const ANALYSIS_FORMAT: &str = "mufakat-analysis";
pub const ANALYSIS_FORMAT_VERSION: u32 = 1;

fn csv_string(rows: Vec<Vec<String>>) -> String {
    let mut w = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
    for row in rows {
        // Writing to a Vec cannot fail for I/O reasons.
        let _ = w.write_record(&row);
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

/// participants-votes.csv with our group-id (empty when not clustered), and the `xid` column
/// when the imported export had one (B.1), so an embedding site can join the rows back.
pub fn write_participants_votes(export: &PolisExport, analysis: &Analysis) -> String {
    let xids: HashMap<ParticipantId, &str> =
        export.participants.iter().filter_map(|p| Some((p.participant, p.xid.as_deref()?))).collect();
    let with_xid = export.participants.iter().any(|p| p.xid.is_some());
    let mut statement_ids: Vec<StatementId> = analysis.statements.iter().map(|s| s.id).collect();
    statement_ids.sort_unstable();
    let col: HashMap<StatementId, usize> = statement_ids.iter().enumerate().map(|(i, s)| (*s, i)).collect();
    let mut authored: HashMap<ParticipantId, u32> = HashMap::new();
    for c in &export.comments {
        if let Some(a) = c.author {
            *authored.entry(a).or_default() += 1;
        }
    }
    // Latest vote per (participant, statement), in chronological order.
    let mut cells: HashMap<ParticipantId, Vec<Option<i8>>> = HashMap::new();
    for v in &export.votes {
        if let Some(&c) = col.get(&v.statement) {
            cells.entry(v.participant).or_insert_with(|| vec![None; statement_ids.len()])[c] =
                Some(v.vote.value());
        }
    }
    let mut participants: Vec<&crate::analysis::ParticipantPlacement> =
        analysis.participants.iter().collect();
    participants.sort_by_key(|p| p.id);
    let mut rows = Vec::with_capacity(participants.len() + 1);
    let mut header: Vec<String> = vec!["participant".into()];
    if with_xid {
        header.push("xid".into());
    }
    header.extend(["group-id", "n-comments", "n-votes", "n-agree", "n-disagree"].map(String::from));
    header.extend(statement_ids.iter().map(|s| s.to_string()));
    rows.push(header);
    let empty = vec![None; statement_ids.len()];
    for p in participants {
        let votes = cells.get(&p.id).unwrap_or(&empty);
        let n_votes = votes.iter().flatten().count();
        let n_agree = votes.iter().flatten().filter(|v| **v > 0).count();
        let n_disagree = votes.iter().flatten().filter(|v| **v < 0).count();
        let mut row = vec![p.id.to_string()];
        if with_xid {
            row.push(csv_cell(xids.get(&p.id).copied().unwrap_or_default()));
        }
        row.extend([
            p.group.map(|g| g.to_string()).unwrap_or_default(),
            authored.get(&p.id).copied().unwrap_or(0).to_string(),
            n_votes.to_string(),
            n_agree.to_string(),
            n_disagree.to_string(),
        ]);
        row.extend(votes.iter().map(|v| v.map(|x| x.to_string()).unwrap_or_default()));
        rows.push(row);
    }
    csv_string(rows)
}

/// comment-groups.csv (B.2): totals are sums over groups, so clustered participants only.
pub fn write_comment_groups(export: &PolisExport, analysis: &Analysis) -> String {
    let text: HashMap<StatementId, &str> = export.comments.iter().map(|c| (c.id, c.body.as_str())).collect();
    let mut header: Vec<String> =
        ["comment-id", "comment", "total-votes", "total-agrees", "total-disagrees", "total-passes"]
            .map(String::from)
            .to_vec();
    for (i, _) in analysis.groups.iter().enumerate() {
        // Pol.is writes the letter in lower case: group-a-votes.
        let l = group_letter(i).to_ascii_lowercase();
        for what in ["votes", "agrees", "disagrees", "passes"] {
            header.push(format!("group-{l}-{what}"));
        }
    }
    let mut statements: Vec<&crate::analysis::StatementScores> = analysis.statements.iter().collect();
    statements.sort_by_key(|s| s.id);
    let mut rows = vec![header];
    for s in statements {
        let (mut v, mut a, mut d, mut p) = (0u32, 0u32, 0u32, 0u32);
        let mut per = Vec::new();
        for g in &analysis.groups {
            let t = s
                .groups
                .iter()
                .find(|t| t.group == g.id)
                .copied()
                .unwrap_or(crate::analysis::GroupTally { group: g.id, agree: 0, disagree: 0, pass: 0 });
            v += t.seen();
            a += t.agree;
            d += t.disagree;
            p += t.pass;
            per.extend([t.seen(), t.agree, t.disagree, t.pass].map(|x| x.to_string()));
        }
        let mut row = vec![
            s.id.to_string(),
            csv_cell(text.get(&s.id).copied().unwrap_or("")),
            v.to_string(),
            a.to_string(),
            d.to_string(),
            p.to_string(),
        ];
        row.extend(per);
        rows.push(row);
    }
    csv_string(rows)
}

/// comments.csv in the 8-column openData layout, agrees/disagrees from current votes.
pub fn write_comments(export: &PolisExport, analysis: &Analysis) -> String {
    let mut comments: Vec<&PolisComment> = export.comments.iter().collect();
    comments.sort_by_key(|c| c.id);
    let mut rows = vec![[
        "timestamp",
        "datetime",
        "comment-id",
        "author-id",
        "agrees",
        "disagrees",
        "moderated",
        "comment-body",
    ]
    .map(String::from)
    .to_vec()];
    for c in comments {
        let (agree, disagree) = analysis.statement(c.id).map_or((0, 0), |s| (s.agree, s.disagree));
        rows.push(vec![
            c.timestamp.map(|t| t.to_string()).unwrap_or_default(),
            c.datetime.clone().unwrap_or_default(),
            c.id.to_string(),
            c.author.map(|a| a.to_string()).unwrap_or_default(),
            agree.to_string(),
            disagree.to_string(),
            c.moderation.value().to_string(),
            csv_cell(&c.body),
        ]);
    }
    csv_string(rows)
}

/// votes.csv: every vote record, chronological (agree = +1).
pub fn write_votes(export: &PolisExport) -> String {
    let mut rows =
        vec![["timestamp", "datetime", "comment-id", "voter-id", "vote"].map(String::from).to_vec()];
    for v in &export.votes {
        rows.push(vec![
            v.timestamp.map(|t| t.to_string()).unwrap_or_default(),
            String::new(),
            v.statement.to_string(),
            v.participant.to_string(),
            v.vote.value().to_string(),
        ]);
    }
    csv_string(rows)
}

/// summary.csv: key,value rows; topic, url and description come from the input summary.
pub fn write_summary(export: &PolisExport, analysis: &Analysis) -> String {
    let commenters: std::collections::BTreeSet<ParticipantId> =
        export.comments.iter().filter_map(|c| c.author).collect();
    let get = |k: &str| csv_cell(export.summary_value(k).unwrap_or(""));
    let rows = vec![
        vec!["topic".into(), get("topic")],
        vec!["url".into(), get("url")],
        vec!["voters".into(), analysis.counts.participants.to_string()],
        vec!["voters-in-conv".into(), analysis.counts.in_conv.to_string()],
        vec!["commenters".into(), commenters.len().to_string()],
        vec!["comments".into(), export.comments.len().to_string()],
        vec!["groups".into(), analysis.counts.groups.to_string()],
        vec!["conversation-description".into(), get("conversation-description")],
    ];
    csv_string(rows)
}

#[derive(serde::Serialize)]
struct VersionedAnalysis<'a> {
    format: &'static str,
    version: u32,
    analysis: &'a Analysis,
    /// Left out when there are none, so a file without outcomes is the same as before.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    outcomes: &'a [crate::api::outcomes::Outcome],
    /// The analysis against Pol.is's own math, when the export has math-pca2.json.
    #[serde(skip_serializing_if = "Option::is_none")]
    polis_comparison: Option<crate::polis_math::PolisComparison>,
}

/// The whole analysis as versioned JSON: `{"format":"mufakat-analysis","version":1,...}`.
pub fn analysis_json(analysis: &Analysis) -> String {
    analysis_json_with_outcomes(analysis, &[])
}

/// [`analysis_json`] with the conversation's outcomes under `outcomes` (docs/analysis-json.md).
pub fn analysis_json_with_outcomes(
    analysis: &Analysis,
    outcomes: &[crate::api::outcomes::Outcome],
) -> String {
    let doc = VersionedAnalysis {
        format: ANALYSIS_FORMAT,
        version: ANALYSIS_FORMAT_VERSION,
        analysis,
        outcomes,
        polis_comparison: None,
    };
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

/// analysis.json of an export's analysis: with its outcomes and, when the export has
/// Pol.is's math, the stage-by-stage comparison under `polis_comparison`.
pub fn export_analysis_json(export: &PolisExport, analysis: &Analysis) -> String {
    let doc = VersionedAnalysis {
        format: ANALYSIS_FORMAT,
        version: ANALYSIS_FORMAT_VERSION,
        analysis,
        outcomes: &export.outcomes,
        polis_comparison: export.math.as_ref().map(|m| m.compare(analysis)),
    };
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

/// Reads [`analysis_json`] back; refuses other formats and newer versions.
pub fn read_analysis_json(text: &str) -> Result<Analysis, String> {
    #[derive(serde::Deserialize)]
    struct Doc {
        format: String,
        version: u32,
        analysis: Analysis,
    }
    let doc: Doc = serde_json::from_str(text).map_err(|e| format!("analysis.json: {e}"))?;
    if doc.format != ANALYSIS_FORMAT || doc.version > ANALYSIS_FORMAT_VERSION {
        return Err(format!("analysis.json: unsupported format {} version {}", doc.format, doc.version));
    }
    Ok(doc.analysis)
}

/// Every output file, as (file name, contents), in a fixed order.
pub fn write_outputs(export: &PolisExport, analysis: &Analysis) -> Vec<(String, String)> {
    vec![
        ("summary.csv".into(), write_summary(export, analysis)),
        ("comments.csv".into(), write_comments(export, analysis)),
        ("votes.csv".into(), write_votes(export)),
        ("participants-votes.csv".into(), write_participants_votes(export, analysis)),
        ("comment-groups.csv".into(), write_comment_groups(export, analysis)),
        ("analysis.json".into(), export_analysis_json(export, analysis)),
        ("outcomes.csv".into(), crate::outcome_feed::outcomes_csv(&export.outcomes)),
    ]
}

impl PolisExport {
    /// Statement text by id.
    pub fn statement_text(&self, id: StatementId) -> Option<String> {
        self.comments.iter().find(|c| c.id == id).map(|c| c.body.clone())
    }

    /// Analyses this export: the usual entry point for `mufakat analyze <dir>`. With
    /// Pol.is's math, warm-started from it ([`PolisExport::warm_start`]).
    pub fn analyse(&self, params: &AnalysisParams) -> Result<Analysis, crate::analysis::AnalysisError> {
        self.analyse_with_progress(params, &mut |_| {})
    }

    /// [`PolisExport::analyse`], calling `progress` at each stage: what `mufakat analyze`
    /// and the browser's report (`/report`) run, so both continue from Pol.is's math.
    pub fn analyse_with_progress(
        &self,
        params: &AnalysisParams,
        progress: &mut dyn FnMut(crate::analysis::Stage),
    ) -> Result<Analysis, crate::analysis::AnalysisError> {
        let votes = self.vote_records();
        let statements = self.statement_meta();
        let warm = self.warm_start();
        crate::analysis::analyse_with_progress(
            &crate::analysis::AnalysisInput { votes: &votes, statements: &statements },
            &self.params_for(params),
            warm.as_ref(),
            progress,
        )
    }

    /// The warm start from Pol.is's math, when the export has it.
    pub fn warm_start(&self) -> Option<crate::analysis::WarmStart> {
        self.math.as_ref().map(|m| m.warm_start())
    }

    /// `params`, with Pol.is's strict best-silhouette choice of k when the analysis
    /// continues from Pol.is's math (the tolerance is for cold runs; see `cluster.rs`).
    pub fn params_for(&self, params: &AnalysisParams) -> AnalysisParams {
        match self.math {
            Some(_) => params.clone().k_tolerance(0.0),
            None => params.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMMENTS: &str =
        "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n\
        1000,Mon,0,1,2,0,1,\"Parks should stay open, always\"\n\
        1001,Mon,1,2,0,2,-1,Second fixture statement\n";
    const COMMENTS_EXTRA: &str =
        "timestamp,comment-id,author-id,agrees,disagrees,moderated,is-meta,is-seed,importance,comment-body\n\
        1000,4,0,1,0,1,true,false,0,\"A meta question\nspanning lines\"\n";

    #[test]
    fn both_comment_variants_parse_by_header_name() {
        let c = parse_comments(COMMENTS).unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].body, "Parks should stay open, always");
        assert_eq!(c[1].moderation, Moderation::Rejected);
        let c = parse_comments(COMMENTS_EXTRA).unwrap();
        assert!(c[0].is_meta && !c[0].is_seed);
        assert_eq!(c[0].id, 4);
        assert!(c[0].datetime.is_none());
    }

    #[test]
    fn missing_header_is_named() {
        let e = parse_votes("timestamp,comment-id,vote\n1,2,1\n").unwrap_err();
        assert_eq!(e.column.as_deref(), Some("voter-id"));
        assert!(e.to_string().contains("votes.csv"));
    }

    #[test]
    fn bad_number_names_line_and_column() {
        let e = parse_votes("timestamp,datetime,comment-id,voter-id,vote\n1,x,0,0,1\n2,x,1,zero,1\n")
            .unwrap_err();
        assert_eq!((e.line, e.column.as_deref()), (3, Some("voter-id")));
        let e = parse_votes("timestamp,datetime,comment-id,voter-id,vote\n1,x,0,0,2\n").unwrap_err();
        assert_eq!(e.column.as_deref(), Some("vote"));
    }

    #[test]
    fn ragged_rows_and_empty_files_are_errors() {
        let e = parse_votes("timestamp,datetime,comment-id,voter-id,vote\n1,x,0,0\n").unwrap_err();
        assert_eq!((e.line, e.column.as_deref()), (2, Some("vote")), "{e}");
        let e =
            parse_votes("timestamp,datetime,comment-id,voter-id,vote\n1,x,0,0,1\n2,x,0,0,1,7\n").unwrap_err();
        assert_eq!((e.line, e.column.as_deref()), (3, Some("#6")), "{e}");
        assert_eq!(e.to_string(), "votes.csv, line 3, column #6: 6 fields, header has 5");
        assert!(parse_votes("").is_err());
        assert!(parse_comments("\n\n").is_err());
        assert!(parse_summary("").is_err());
        assert!(parse_participants_votes("participant,group-id,n-votes,x\n").is_err());
        let lfs = "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a\nsize 123456\n";
        let e = parse_votes(lfs).unwrap_err();
        assert!(e.to_string().contains("Git LFS pointer"), "{e}");
    }

    #[test]
    fn lines_are_counted_as_an_editor_shows_them() {
        // Blank lines, a quoted field over two lines, and \r\n line ends: the bad row is
        // on line 6 in each case.
        for text in [
            "timestamp,datetime,comment-id,voter-id,vote\n1,x,0,0,1\n\n2,\"a\nb\",1,0,1\n3,x,2,0,9\n",
            "timestamp,datetime,comment-id,voter-id,vote\r\n1,x,0,0,1\r\n\r\n2,\"a\r\nb\",1,0,1\r\n3,x,2,0,9\r\n",
            "\n\ntimestamp,datetime,comment-id,voter-id,vote\n1,x,0,0,1\n2,x,1,0,1\n3,x,2,0,9\n",
        ] {
            let e = parse_votes(text).unwrap_err();
            assert_eq!((e.line, e.column.as_deref()), (6, Some("vote")), "{text:?}: {e}");
        }
        let e = parse_votes("\r\n\r\ntimestamp,comment-id,vote\r\n").unwrap_err();
        assert_eq!((e.line, e.column.as_deref()), (3, Some("voter-id")));
        let e = parse_summary("topic,x\r\nurl,y\r\n\r\nvoters,1,2\r\n").unwrap_err();
        assert_eq!(e.line, 4);
    }

    #[test]
    fn an_unclosed_quote_is_named_where_it_opens() {
        // Without the check, the body's field runs to the end of the file and the second
        // comment is silently lost.
        let text = "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n\
                    1,x,0,0,1,0,1,\"Taman \"\"hijau\"\", ya\"\n\
                    2,x,1,0,1,0,1,\"Lampu jalan\n\
                    3,x,2,0,1,0,1,Trotoar\n";
        let e = parse_comments(text).unwrap_err();
        assert_eq!((e.line, e.column.as_deref()), (3, Some("comment-body")), "{e}");
        assert!(e.to_string().contains("never closed"), "{e}");
        // A quote inside an unquoted field is text to the reader, and so to the check.
        let ok = parse_comments(
            "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n1,x,0,0,1,0,1,12\" layar\n",
        )
        .unwrap();
        assert_eq!(ok[0].body, "12\" layar");
    }

    #[test]
    fn a_column_named_twice_is_an_error() {
        let e = parse_votes("timestamp,vote,comment-id,voter-id,vote\n1,1,0,0,1\n").unwrap_err();
        assert_eq!((e.line, e.column.as_deref()), (1, Some("vote")));
        let e = parse_participants_votes("participant,group-id,0,1,00\n1,,1,1,1\n").unwrap_err();
        assert_eq!((e.line, e.column.as_deref()), (1, Some("00")), "{e}");
    }

    #[test]
    fn votes_are_rebuilt_from_participants_votes_when_votes_csv_is_absent() {
        let pv = "participant,group-id,n-comments,n-votes,n-agree,n-disagree,0,1\n7,0,0,2,1,1,1,-1\n8,,0,1,0,0,,0\n";
        let files = [("comments.csv", COMMENTS), ("participants-votes.csv", pv)];
        let e =
            PolisExport::from_files(|n| files.iter().find(|f| f.0 == n).map(|f| f.1.to_string())).unwrap();
        assert_eq!(e.votes.len(), 3);
        assert_eq!(e.polis_groups().get(&7), Some(&0));
        assert_eq!(e.votes[2].vote, Vote::Pass);
    }

    #[test]
    fn participants_votes_keeps_the_xid_column_when_the_input_had_one() {
        let pv = "participant,xid,group-id,n-comments,n-votes,n-agree,n-disagree,0,1\n\
                  7,site-7,0,0,2,1,1,1,-1\n8,,,0,1,0,0,,0\n";
        let files = [("comments.csv", COMMENTS), ("participants-votes.csv", pv)];
        let e =
            PolisExport::from_files(|n| files.iter().find(|f| f.0 == n).map(|f| f.1.to_string())).unwrap();
        let a = e.analyse(&AnalysisParams::default()).unwrap();
        let out = write_participants_votes(&e, &a);
        let mut lines = out.lines();
        assert!(lines.next().unwrap().starts_with("participant,xid,group-id,n-comments,"));
        assert!(lines.next().unwrap().starts_with("7,site-7,"));
        assert!(lines.next().unwrap().starts_with("8,,"));
        // Read back, the xid is the same.
        assert_eq!(parse_participants_votes(&out).unwrap()[0].xid.as_deref(), Some("site-7"));

        // A column of empty xids stays a column (Austria's files have one).
        let mut empty = e.clone();
        empty.participants.iter_mut().for_each(|p| p.xid = Some(String::new()));
        assert!(write_participants_votes(&empty, &a).starts_with("participant,xid,group-id,"));
        assert!(write_participants_votes(&empty, &a).contains("\n7,,"));

        // Without the column in the input, it is left out, as Pol.is does.
        let mut e = e;
        e.participants.iter_mut().for_each(|p| p.xid = None);
        assert!(write_participants_votes(&e, &a).starts_with("participant,group-id,"));
    }

    #[test]
    fn export_files_are_recognised_with_polis_download_prefixes() {
        let cases = [
            ("comments.csv", Some("comments.csv")),
            ("2024-10-23-1530-2arcefpshi-comments.csv", Some("comments.csv")),
            ("2024-10-23-1530-2arcefpshi-votes.csv", Some("votes.csv")),
            ("2024-10-23-1530-2arcefpshi-participant-votes.csv", Some("participant-votes.csv")),
            ("export/2024-10-23-1530-2arcefpshi-summary.csv", Some("summary.csv")),
            ("C:\\Downloads\\x_SUMMARY.CSV", Some("summary.csv")),
            ("participants-votes.csv", Some("participants-votes.csv")),
            ("math-pca2.json", Some("math-pca2.json")),
            ("fixtures/2arcefpshi-math-pca2.json", Some("math-pca2.json")),
            ("math-pca2.json.gz", None),
            ("myvotes.csv", None),
            ("xparticipants-votes.csv", None),
            ("._comments.csv", None),
            ("export/._2024-10-23-1530-x-votes.csv", None),
            ("2024-10-23-1530-x-comment-groups.csv", None),
            ("comments.csv.bak", None),
            ("notes.txt", None),
        ];
        for (name, role) in cases {
            assert_eq!(export_file_role(name), role, "{name}");
        }
    }

    #[test]
    fn votes_are_sorted_by_time_so_the_latest_wins() {
        let v = parse_votes("timestamp,datetime,comment-id,voter-id,vote\n5,,0,0,-1\n3,,0,0,1\n").unwrap();
        assert_eq!(v[1].vote, Vote::Disagree);
    }

    #[test]
    fn formula_statements_are_defused_in_the_csv_files_and_read_back_as_written() {
        let hostile = "=HYPERLINK(\"https://evil.example\",\"click\")";
        let comments = format!(
            "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n\
             1,,0,0,0,0,1,\"{}\"\n2,,1,0,0,0,1,@SUM(A1)\n3,,2,0,0,0,1,plain\n",
            hostile.replace('"', "\"\"")
        );
        let votes = "timestamp,datetime,comment-id,voter-id,vote\n1,,0,0,1\n1,,1,0,-1\n1,,2,0,1\n\
                     1,,0,1,-1\n1,,1,1,1\n1,,2,1,1\n";
        let summary = "topic,+1 for the park\nconversation-description,-rain\n";
        let read = |c: &str, v: &str, s: &str| {
            let (c, v, s) = (c.to_string(), v.to_string(), s.to_string());
            PolisExport::from_files(move |name| match name {
                "comments.csv" => Some(c.clone()),
                "votes.csv" => Some(v.clone()),
                "summary.csv" => Some(s.clone()),
                _ => None,
            })
            .unwrap()
        };
        let export = read(&comments, votes, summary);
        assert_eq!(export.comments[0].body, hostile);
        let analysis = export.analyse(&AnalysisParams::default()).unwrap();
        let written_comments = write_comments(&export, &analysis);
        let written_groups = write_comment_groups(&export, &analysis);
        let written_summary = write_summary(&export, &analysis);
        for written in [&written_comments, &written_groups, &written_summary] {
            let mut rdr =
                csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(written.as_bytes());
            for rec in rdr.records() {
                for cell in rec.unwrap().iter() {
                    let number = cell.parse::<f64>().is_ok();
                    assert!(
                        number || !cell.starts_with(['=', '+', '-', '@']),
                        "formula cell {cell:?} in\n{written}"
                    );
                }
            }
        }
        // Our own export imports back with the texts as they were.
        let again = read(&written_comments, &write_votes(&export), &written_summary);
        let bodies: Vec<&str> = again.comments.iter().map(|c| c.body.as_str()).collect();
        assert_eq!(bodies, [hostile, "@SUM(A1)", "plain"]);
        assert_eq!(again.summary_value("topic"), Some("+1 for the park"));
        assert_eq!(again.summary_value("conversation-description"), Some("-rain"));
    }

    #[test]
    fn files_are_sorted_by_the_export_file_they_are() {
        let files = vec![
            ("2024-10-23-1530-2arcefpshi-comments.csv".to_string(), 1),
            ("notes.txt".to_string(), 2),
            ("votes.csv".to_string(), 3),
            ("._votes.csv".to_string(), 4),
        ];
        let sorted = files_by_role(files).expect("no conflict");
        assert_eq!(
            sorted.by_role["comments.csv"],
            ("2024-10-23-1530-2arcefpshi-comments.csv".to_string(), 1)
        );
        assert_eq!(sorted.by_role["votes.csv"], ("votes.csv".to_string(), 3));
        assert_eq!(sorted.by_role.len(), 2);
        assert_eq!(sorted.others, vec![("notes.txt".to_string(), 2), ("._votes.csv".to_string(), 4)]);
    }

    #[test]
    fn two_candidates_for_one_export_file_are_refused_with_both_names() {
        let files = vec![
            ("b-votes.csv".to_string(), ()),
            ("comments.csv".to_string(), ()),
            ("a-votes.csv".to_string(), ()),
            ("x-comments.csv".to_string(), ()),
        ];
        let conflict = files_by_role(files).expect_err("two votes.csv");
        assert_eq!(conflict.role, "comments.csv");
        assert_eq!(conflict.names, ["comments.csv", "x-comments.csv"]);
        let conflict = files_by_role(vec![("b-votes.csv".to_string(), ()), ("a-votes.csv".to_string(), ())])
            .expect_err("two votes.csv");
        assert_eq!(
            (conflict.role, conflict.names),
            ("votes.csv", vec!["b-votes.csv".into(), "a-votes.csv".into()])
        );
    }
}
