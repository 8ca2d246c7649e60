//! Pol.is export files, read and written as strings (file access belongs to the server).
//!
//! Formats as `shared/spec/polis-export.md` (B.1 openData, B.2 live server). Columns are
//! found by header name, so both comments.csv variants (8 openData columns, or with
//! is-meta / is-seed / importance / group-informed-consensus) parse. Vote sign:
//! agree = +1, disagree = −1, pass = 0, as Pol.is exports and as mufakat stores.
//! Errors name the file, the line and the column; malformed input never panics.

use std::collections::HashMap;
use std::fmt;

use crate::analysis::StatementMeta;
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
    pub xid: Option<String>,
    /// Pol.is's own group, when it clustered this participant.
    pub group: Option<u32>,
    pub votes: Vec<(StatementId, Vote)>,
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
}

struct Table {
    header: Vec<String>,
    rows: Vec<(u64, csv::StringRecord)>,
}

impl Table {
    fn col(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h.trim() == name)
    }
}

fn read_table(text: &str, file: &str) -> Result<Table, PolisCsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(err(file, 0, None, "file is empty"));
    }
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut records = rdr.records();
    let header: Vec<String> = match records.next() {
        Some(Ok(h)) => h.iter().map(|s| s.trim().to_string()).collect(),
        Some(Err(e)) => return Err(err(file, 1, None, e.to_string())),
        None => return Err(err(file, 0, None, "file is empty")),
    };
    let mut rows = Vec::new();
    for rec in records {
        let rec = rec.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            err(file, line, None, e.to_string())
        })?;
        let line = rec.position().map_or(0, |p| p.line());
        if rec.len() == 1 && rec.get(0).is_some_and(|s| s.trim().is_empty()) {
            continue; // blank line
        }
        if rec.len() != header.len() {
            return Err(err(
                file,
                line,
                None,
                format!("expected {} fields as in the header, found {}", header.len(), rec.len()),
            ));
        }
        rows.push((line, rec));
    }
    Ok(Table { header, rows })
}

fn require(t: &Table, file: &str, name: &str) -> Result<usize, PolisCsvError> {
    t.col(name).ok_or_else(|| err(file, 1, Some(name), format!("missing column `{name}` in the header")))
}

fn field(rec: &csv::StringRecord, idx: usize) -> &str {
    rec.get(idx).unwrap_or("").trim()
}

fn parse_num<T: std::str::FromStr>(s: &str, file: &str, line: u64, column: &str) -> Result<T, PolisCsvError> {
    s.parse::<T>().map_err(|_| err(file, line, Some(column), format!("`{s}` is not a valid number")))
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
            body: rec.get(body).unwrap_or("").to_string(),
        });
    }
    Ok(out)
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
    let mut vote_cols = Vec::new();
    for (i, h) in t.header.iter().enumerate() {
        if fixed.contains(&h.as_str()) {
            continue;
        }
        let id: StatementId = parse_num(h, F, 1, h)?;
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
            xid: xid.map(|i| field(rec, i).to_string()).filter(|s| !s.is_empty()),
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
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| err(F, e.position().map_or(0, |p| p.line()), None, e.to_string()))?;
        let line = rec.position().map_or(0, |p| p.line());
        match rec.len() {
            1 if rec.get(0).is_some_and(|s| s.trim().is_empty()) => {}
            2 => out.push((field(&rec, 0).to_string(), rec.get(1).unwrap_or("").to_string())),
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
        let participants_text = read("participants-votes.csv").or_else(|| read("participant-votes.csv"));
        let participants = match participants_text {
            Some(t) => parse_participants_votes(&t)?,
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
        Ok(PolisExport { summary, comments, votes, participants })
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

    /// A summary.csv value by key.
    pub fn summary_value(&self, key: &str) -> Option<&str> {
        self.summary.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}
