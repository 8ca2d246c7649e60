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

mod plain;

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
    /// Statements known only by what the analysis needs, not by their words: on a public
    /// report (`/r/<id>`), the rejected, meta and unmoderated statements participants do not
    /// see, with their moderation and meta flag from the published analysis's head. Analysed
    /// as their flags say (a rejected or meta one is left out of the math, as Pol.is does),
    /// but no file gets a row of words for them (no comments.csv row). A comment of the same
    /// id wins.
    pub unlisted: Vec<StatementMeta>,
    /// Votes in chronological order (stable), so the latest vote wins.
    pub votes: Vec<PolisVote>,
    pub participants: Vec<PolisParticipant>,
    /// The conversation's outcomes (a stored conversation's; a Pol.is export has none),
    /// written to outcomes.csv and analysis.json.
    pub outcomes: Vec<crate::api::outcomes::Outcome>,
    /// Pol.is's own math (math-pca2.json), when the folder has it; checked to be this
    /// conversation's. The analysis warm-starts from it and compares itself with it.
    pub math: Option<crate::polis_math::PolisMath>,
    /// The statements' languages and translations (a stored conversation's; a Pol.is
    /// export has none), written to translations.csv.
    pub translations: Vec<crate::api::translations::StatementLanguages>,
    /// What the files did not say and the reader had to assume, each said once (the CLI's
    /// summary and the report page show them): no statement texts, no vote times, ….
    pub notes: Vec<String>,
    /// The conversation's settings, when the files give them (Pol.is's conversation.json).
    pub settings: Option<PolisSettings>,
}

/// The settings of a Pol.is conversation that matter to its analysis and its import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PolisSettings {
    /// Statements wait for a moderator before voters see them (`strict_moderation`).
    pub strict_moderation: bool,
    /// Participants may write statements (`write_type` other than 0).
    pub allow_statements: bool,
    /// The conversation takes votes (`is_active`).
    pub open: bool,
}

struct Table<'a> {
    text: &'a str,
    header: Vec<String>,
    /// Line of the header row (1 unless blank lines come first).
    header_line: u64,
    /// Each row with the byte where the reader began reading it: its line is counted only
    /// when an error needs it ([`Table::lines`]), so a good file is scanned once.
    rows: Vec<(u64, csv::StringRecord)>,
}

impl Table<'_> {
    /// A column by its Pol.is name, also as tools re-saving the file spell it (`Comment ID`,
    /// `comment_id`): letter case, spaces and underscores aside.
    fn col(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| same_column(h, name))
    }

    /// A row error's byte position (`line` as the row loops set it) turned into its line.
    fn lines(&self, mut e: PolisCsvError) -> PolisCsvError {
        e.line = Lines::new(self.text).of_byte(e.line);
        e
    }
}

/// Line numbers as an editor shows them (a line ends at `\n`, `\r\n` or a lone `\r`).
///
/// The csv reader's own record position is where it started reading, just past the
/// previous record's terminator: before any blank lines it then skips, and before the `\n`
/// of a `\r\n`. So its line is one early after a blank line and lags further behind in
/// every `\r\n` file. A record really starts at the first byte that ends no line.
pub(crate) struct Lines<'a> {
    text: &'a [u8],
    /// Bytes before `at` are counted; `at` is always a record's first byte.
    at: usize,
    line: u64,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(text: &'a str) -> Lines<'a> {
        Lines { text: text.as_bytes(), at: 0, line: 1 }
    }

    /// Line of the record the reader began reading at `position` (records in file order).
    pub(crate) fn of(&mut self, position: Option<&csv::Position>) -> u64 {
        let Some(p) = position else { return self.line };
        self.of_byte(p.byte())
    }

    /// Line of the record the reader began reading at byte `byte`.
    fn of_byte(&mut self, byte: u64) -> u64 {
        let mut start = usize::try_from(byte).unwrap_or(usize::MAX).min(self.text.len());
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

/// Whether header cell `h` names Pol.is's column `name`, letter case, spaces and
/// underscores aside.
fn same_column(h: &str, name: &str) -> bool {
    let h = h.trim();
    h.len() == name.len()
        && h.bytes().zip(name.bytes()).all(|(a, b)| match a {
            b' ' | b'_' => b == b'-',
            a => a.eq_ignore_ascii_case(&b),
        })
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

fn read_table<'a>(text: &'a str, file: &str) -> Result<Table<'a>, PolisCsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(err(file, 0, None, "file is empty"));
    }
    // openData keeps some large files in Git LFS: a clone without LFS holds only a pointer.
    if text.starts_with("version https://git-lfs.github.com/spec/") {
        return Err(err(file, 1, None, "is a Git LFS pointer, not the data (fetch it with `git lfs pull`)"));
    }
    // Lines are counted only for an error (from the start: errors end the reading).
    let line_of = |position: Option<&csv::Position>| Lines::new(text).of(position);
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut records = rdr.records();
    let (header, header_line, header_start): (Vec<String>, u64, u64) = match records.next() {
        Some(Ok(h)) => (
            h.iter().map(|s| s.trim().to_string()).collect(),
            line_of(h.position()),
            h.position().map_or(0, |p| p.byte()),
        ),
        Some(Err(e)) => return Err(err(file, line_of(e.position()), None, e.to_string())),
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
    let mut rows = Vec::new();
    let mut last_start = header_start;
    for rec in records {
        let rec = rec.map_err(|e| err(file, line_of(e.position()), None, e.to_string()))?;
        let start = rec.position().map_or(last_start, |p| p.byte());
        last_start = start;
        if rec.len() == 1 && rec.get(0).is_some_and(|s| s.trim().is_empty()) {
            continue; // blank line
        }
        if rec.len() != header.len() {
            if unclosed_quote(&text[usize::try_from(start).unwrap_or(0).min(text.len())..]).is_some() {
                break; // the unclosed quote is the error, named below
            }
            let line = line_of(rec.position());
            if rec.len() < header.len() {
                // The fields present fill the first columns: the next one is the first missing.
                return Err(err(
                    file,
                    line,
                    Some(&column_name(&header, rec.len())),
                    format!("expected {} fields as in the header, found {}", header.len(), rec.len()),
                ));
            }
            return Err(err(
                file,
                line,
                Some(&column_name(&header, header.len())),
                format!("{} fields, header has {}", rec.len(), header.len()),
            ));
        }
        rows.push((start, rec));
    }
    // A quote that never closes runs to the end of the file, so it opens in the last record
    // read: only that record's text needs the check, and the whole file only to name the line.
    let tail = &text[usize::try_from(last_start).unwrap_or(0).min(text.len())..];
    if unclosed_quote(tail).is_some() {
        if let Some((line, field)) = unclosed_quote(text) {
            return Err(err(
                file,
                line,
                Some(&column_name(&header, field)),
                "a quoted field opens here and is never closed",
            ));
        }
    }
    Ok(Table { text, header, header_line, rows })
}

fn require(t: &Table, file: &str, name: &str) -> Result<usize, PolisCsvError> {
    t.col(name).ok_or_else(|| {
        // A spreadsheet's re-save in some languages separates by `;` (or a tab): say so.
        let separator = match t.header.as_slice() {
            [only] => [';', '\t'].into_iter().find(|c| only.contains(*c)),
            _ => None,
        };
        let message = match separator {
            Some(c) => format!(
                "missing column `{name}` in the header, which is one column: the file is separated by `{}`, \
                 not by commas (save it again as CSV with commas)",
                c.escape_default()
            ),
            None => format!("missing column `{name}` in the header"),
        };
        err(file, t.header_line, Some(name), message)
    })
}

fn field(rec: &csv::StringRecord, idx: usize) -> &str {
    rec.get(idx).unwrap_or("").trim()
}

fn parse_num<T: std::str::FromStr>(s: &str, file: &str, line: u64, column: &str) -> Result<T, PolisCsvError> {
    // A data-frame library writes a column of numbers with gaps as floats: `1.0`, `-1.0`.
    let whole =
        s.strip_suffix(".0").filter(|w| w.trim_start_matches('-').bytes().all(|b| b.is_ascii_digit()));
    whole.unwrap_or(s).parse::<T>().map_err(|_| {
        let message = if s.is_empty() {
            "a number is required here".to_string()
        } else {
            format!("`{s}` is not a valid number")
        };
        err(file, line, Some(column), message)
    })
}

/// A `timestamp` cell: a whole number of milliseconds (or seconds, [`in_seconds`]) since the
/// epoch. A spreadsheet that opened the file and saved it again writes a column of numbers
/// too wide for its cells in scientific notation, as shown: `1.65107E+12`. Such a time has
/// lost its last digits (that one puts every vote of nearly three hours, 10⁷ ms, at one
/// time), and read as the rounded value it would reorder the votes: it is refused, saying
/// how to get a good file. One that still carries every digit down to the units
/// (`1.651071094558E+12`) is read exactly.
fn parse_time(s: &str, file: &str, line: u64, column: &str) -> Result<i64, PolisCsvError> {
    let plain = parse_num(s, file, line, column);
    let Some(sci) = plain.is_err().then(|| Scientific::of(s)).flatten() else { return plain };
    match sci.whole() {
        Whole::Exact(value) => Ok(value),
        Whole::Not => plain,
        Whole::Rounded { written, digits } => Err(err(
            file,
            line,
            Some(column),
            format!(
                "`{s}` is a time in scientific notation that keeps only {written} of its {digits} digits: \
                 the file was saved again by a spreadsheet, which rounded the times (the votes would come \
                 in the wrong order). Open the file as Pol.is exported it, format the `{column}` column \
                 as a number with no decimals, and save it as CSV again"
            ),
        )),
    }
}

/// A number in scientific notation, `[+-]d[.ddd]E[+-]dd` (either letter case, and `,` for
/// the point as some languages write it), as its digits and where its point goes.
struct Scientific<'a> {
    negative: bool,
    /// Digits before the point.
    int: &'a str,
    /// Digits after the point.
    frac: &'a str,
    exponent: i64,
}

/// What a number in scientific notation is as a whole number.
#[derive(Debug, PartialEq)]
enum Whole {
    /// Every digit down to the units was written (and any after them are zeros).
    Exact(i64),
    /// The last digits were not written: `written` significant digits of `digits`.
    Rounded { written: usize, digits: usize },
    /// Not a whole number, or too big for an `i64`.
    Not,
}

impl<'a> Scientific<'a> {
    fn of(s: &'a str) -> Option<Scientific<'a>> {
        let (mantissa, exponent) = s.split_once(['e', 'E'])?;
        let exponent = exponent.strip_prefix('+').unwrap_or(exponent);
        let exp_digits = exponent.strip_prefix('-').unwrap_or(exponent);
        let digits = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
        if exp_digits.is_empty() || exp_digits.len() > 4 || !digits(exp_digits) {
            return None;
        }
        let (negative, mantissa) = match mantissa.strip_prefix('-') {
            Some(m) => (true, m),
            None => (false, mantissa.strip_prefix('+').unwrap_or(mantissa)),
        };
        let (int, frac) = mantissa.split_once(['.', ',']).unwrap_or((mantissa, ""));
        if int.is_empty() || !digits(int) || !digits(frac) {
            return None;
        }
        Some(Scientific { negative, int, frac, exponent: exponent.parse().ok()? })
    }

    fn whole(&self) -> Whole {
        let all = format!("{}{}", self.int, self.frac);
        let leading = all.len() - all.trim_start_matches('0').len();
        if leading == all.len() {
            return Whole::Exact(0);
        }
        // Digits of `all` down to the units place.
        let units = self.int.len() as i64 + self.exponent;
        if units <= leading as i64 {
            return Whole::Not; // under 1
        }
        let units = units as usize;
        if units - leading > 19 {
            return Whole::Not; // too big for any time
        }
        if units > all.len() {
            return Whole::Rounded { written: all.len() - leading, digits: units - leading };
        }
        if all.as_bytes()[units..].iter().any(|&b| b != b'0') {
            return Whole::Not;
        }
        match all[leading..units].parse::<i64>() {
            Ok(v) if self.negative => Whole::Exact(-v),
            Ok(v) => Whole::Exact(v),
            Err(_) => Whole::Not,
        }
    }
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

/// A `timestamp` cell that may be blank ([`parse_time`]).
fn parse_time_opt(
    rec: &csv::StringRecord,
    idx: Option<usize>,
    file: &str,
    line: u64,
) -> Result<Option<i64>, PolisCsvError> {
    match idx.map(|i| field(rec, i)) {
        None | Some("") => Ok(None),
        Some(s) => parse_time(s, file, line, "timestamp").map(Some),
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

/// Parses comments.csv (either variant, and the early Node server's unquoted texts).
pub fn parse_comments(text: &str) -> Result<Vec<PolisComment>, PolisCsvError> {
    parse_comments_noted(text).map(|(comments, _)| comments)
}

/// [`parse_comments`], and whether the texts were unquoted ([`quote_raw_bodies`]).
fn parse_comments_noted(text: &str) -> Result<(Vec<PolisComment>, bool), PolisCsvError> {
    match parse_comments_quoted(text) {
        Ok(comments) => Ok((comments, false)),
        // Unquoted texts give rows of the wrong length, nothing else: any other error (a
        // quote that never closes, a cell that is no number) is the file's.
        Err(e) if !e.message.contains(" fields") || unclosed_quote(text).is_some() => Err(e),
        Err(e) => match quote_raw_bodies(text) {
            Some(fixed) => parse_comments_quoted(&fixed).map(|c| (c, true)).map_err(|_| e),
            None => Err(e),
        },
    }
}

const RAW_BODIES: &str = "the statement texts in comments.csv are not quoted (as Pol.is's Node server wrote them \
     for a while): each text was read to the end of its row, commas included, with the lines after it that start \
     no row";

/// comments.csv as Pol.is's Node server wrote it for a while, `comment-body` unquoted
/// (`String(row.txt)`): a text's commas split it over fields, its line breaks over lines.
/// When `comment-body` is the last column, each line whose first fields are a row's (a
/// statement id where `comment-id` is) starts a row whose text is the rest of the line; a
/// line that starts no row continues the text before it. Returned as quoted CSV with every
/// line break where it was (so errors name the same lines), or `None` when the text does not
/// fit that shape: a quote outside the texts, a text quoted whole (quoted CSV), a first line that
/// starts no row, a line that starts like a row but is not one (a number, or nothing,
/// before its first comma).
fn quote_raw_bodies(text: &str) -> Option<String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split_inclusive('\n').peekable();
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    while lines.peek().is_some_and(|l| l.trim().is_empty()) {
        out.push_str(lines.next()?);
    }
    let header_line = lines.next()?;
    if header_line.contains('"') {
        return None;
    }
    let header: Vec<&str> = header_line.trim_end_matches(['\r', '\n']).split(',').map(str::trim).collect();
    let n = header.len();
    let id = header.iter().position(|h| *h == "comment-id")?;
    if header.last() != Some(&"comment-body") || id + 1 >= n {
        return None;
    }
    let ts = header.iter().position(|h| *h == "timestamp");
    out.push_str(header_line);
    // Each row: its fields before the text, and the text with its line breaks.
    let mut rows: Vec<(&str, String)> = Vec::new();
    let mut pending = String::new(); // blank lines, kept until a text goes on after them
    for line in lines {
        if line.trim().is_empty() {
            pending.push_str(line);
            continue;
        }
        let fields: Vec<&str> = line.splitn(n, ',').collect();
        let starts_row = fields.len() == n
            && fields[..n - 1].iter().all(|f| !f.contains('"'))
            && fields[id].trim().parse::<StatementId>().is_ok()
            && ts.is_none_or(|t| fields[t].trim().is_empty() || fields[t].trim().parse::<f64>().is_ok());
        if starts_row {
            if let Some((_, body)) = rows.last_mut() {
                body.push_str(&std::mem::take(&mut pending));
            }
            let prefix_len = line.len() - fields[n - 1].len();
            rows.push((&line[..prefix_len], fields[n - 1].to_string()));
        } else {
            // A line that starts like a row (a number or nothing before its first comma) is a
            // broken row, not a text's next line.
            let first = fields[0].trim();
            if first.parse::<f64>().is_ok() || (fields.len() > 1 && first.is_empty()) {
                return None;
            }
            let (_, body) = rows.last_mut()?;
            body.push_str(&std::mem::take(&mut pending));
            body.push_str(line);
        }
    }
    for (prefix, body) in &rows {
        // The text without the line end and the blank (or white space) lines after it.
        let mut end = body.trim_end_matches(['\r', '\n']).len();
        while let Some(cut) = body[..end].rfind('\n').filter(|&cut| body[cut + 1..end].trim().is_empty()) {
            end = body[..cut].trim_end_matches('\r').len();
        }
        let text = &body[..end];
        // A text holding a whole quoted field (`"…"` between commas, line breaks or its ends)
        // was quoted: the file is quoted CSV, and its error is not unquoted texts.
        let starts = std::iter::once(0).chain(text.match_indices([',', '\n', '\r']).map(|(at, _)| at + 1));
        if starts.into_iter().any(|at| opens_quoted_field(&text[at..])) {
            return None;
        }
        out.push_str(prefix);
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
        out.push_str(&body[text.len()..]);
    }
    out.push_str(&pending);
    Some(out)
}

/// Whether `s` starts with one quoted CSV field (`"…"`, quotes inside doubled) that ends
/// where `s` does, at a comma or at a line break.
fn opens_quoted_field(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('"') else { return false };
    let bytes = rest.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'"' {
            if bytes.get(i + 1) == Some(&b'"') {
                i += 2;
                continue;
            }
            return matches!(bytes.get(i + 1), None | Some(b',' | b'\r' | b'\n'));
        }
        i += 1;
    }
    false
}

/// comments.csv as proper CSV (texts quoted where they need it).
fn parse_comments_quoted(text: &str) -> Result<Vec<PolisComment>, PolisCsvError> {
    const F: &str = "comments.csv";
    let t = read_table(text, F)?;
    let id = require(&t, F, "comment-id")?;
    let body = require(&t, F, "comment-body")?;
    let (ts, dt, author) = (t.col("timestamp"), t.col("datetime"), t.col("author-id"));
    let (agrees, disagrees, moderated) = (t.col("agrees"), t.col("disagrees"), t.col("moderated"));
    let (is_meta, is_seed) = (t.col("is-meta"), t.col("is-seed"));
    let mut out = Vec::with_capacity(t.rows.len());
    // `line` is the row's first byte here; `Table::lines` counts the line of an error.
    let mut rows = || -> Result<(), PolisCsvError> {
        for (line, rec) in &t.rows {
            let line = *line;
            let moderation = match parse_opt::<i8>(rec, moderated, F, line, "moderated")? {
                None => Moderation::Pending,
                Some(v) => Moderation::from_value(v)
                    .ok_or_else(|| err(F, line, Some("moderated"), format!("`{v}` is not -1, 0 or 1")))?,
            };
            out.push(PolisComment {
                timestamp: parse_time_opt(rec, ts, F, line)?,
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
        Ok(())
    };
    rows().map_err(|e| t.lines(e))?;
    Ok(out)
}

/// The export files [`PolisExport::from_files`] reads, longest first (so that
/// `participant-votes.csv` is not taken for `votes.csv`).
/// `math-pca2.json` is Pol.is's own math (`polis_math.rs`), saved from its API;
/// `translations.csv` our export's statement languages and translations.
const EXPORT_FILE_NAMES: [&str; 10] = [
    "participants-votes.csv",
    "participant-votes.csv",
    TRANSLATIONS_FILE,
    crate::polis_math::MATH_FILE,
    "comments.csv",
    "summary.csv",
    "votes.csv",
    "conversation.json",
    "comments.json",
    "votes.json",
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
    let mut out = match plain::votes(text) {
        Some(votes) => votes,
        None => parse_votes_general(text)?,
    };
    sort_by_time(&mut out);
    Ok(out)
}

/// Votes in time order, ties (and votes without a time, first) in file order. That is the
/// stable sort by time; it is done as the unstable sort of (time, position in the file),
/// pairs which are all distinct, so the order is the same, in half the instructions on
/// austria-climate's 62,000 votes (which Pol.is writes by statement, not by time).
fn sort_by_time(votes: &mut Vec<PolisVote>) {
    let mut keys: Vec<(i64, usize)> =
        votes.iter().enumerate().map(|(i, v)| (v.timestamp.unwrap_or(i64::MIN), i)).collect();
    if keys.windows(2).all(|w| w[0] <= w[1]) {
        return;
    }
    keys.sort_unstable();
    *votes = keys.iter().map(|&(_, i)| votes[i]).collect();
}

/// votes.csv's rows in file order, by the general reader (any CSV, errors with line and
/// column); [`plain::votes`] reads the usual file the same way, faster.
fn parse_votes_general(text: &str) -> Result<Vec<PolisVote>, PolisCsvError> {
    const F: &str = "votes.csv";
    let t = read_table(text, F)?;
    let ts = t.col("timestamp");
    let cid = require(&t, F, "comment-id")?;
    let vid = require(&t, F, "voter-id")?;
    let vote = require(&t, F, "vote")?;
    let mut out = Vec::with_capacity(t.rows.len());
    // `line` is the row's first byte here; `Table::lines` counts the line of an error.
    let mut rows = || -> Result<(), PolisCsvError> {
        for (line, rec) in &t.rows {
            let line = *line;
            out.push(PolisVote {
                timestamp: parse_time_opt(rec, ts, F, line)?,
                statement: parse_num(field(rec, cid), F, line, "comment-id")?,
                participant: parse_num(field(rec, vid), F, line, "voter-id")?,
                vote: parse_vote(field(rec, vote), F, line, "vote")?,
            });
        }
        Ok(())
    };
    rows().map_err(|e| t.lines(e))?;
    Ok(out)
}

/// Parses participants-votes.csv (or the live server's participant-votes.csv).
pub fn parse_participants_votes(text: &str) -> Result<Vec<PolisParticipant>, PolisCsvError> {
    parse_participants_votes_columns(text).map(|(participants, _)| participants)
}

/// participants-votes.csv's statement columns: (header name, statement id), in file order.
type StatementColumns = Vec<(String, StatementId)>;

/// participants-votes.csv's columns that are not statements (besides unnamed ones).
const FIXED_PARTICIPANT_COLUMNS: [&str; 7] =
    ["participant", "xid", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree"];

/// [`parse_participants_votes`] and the statement columns of its header, as (header name,
/// statement id) in the file's order.
fn parse_participants_votes_columns(
    text: &str,
) -> Result<(Vec<PolisParticipant>, StatementColumns), PolisCsvError> {
    match plain::participants_votes(text) {
        Some(read) => Ok(read),
        None => parse_participants_votes_general(text),
    }
}

/// [`parse_participants_votes_columns`] by the general reader (any CSV, errors with line
/// and column); [`plain::participants_votes`] reads the usual file the same way, faster.
fn parse_participants_votes_general(
    text: &str,
) -> Result<(Vec<PolisParticipant>, StatementColumns), PolisCsvError> {
    const F: &str = "participants-votes.csv";
    let t = read_table(text, F)?;
    let pid = require(&t, F, "participant")?;
    // Without group-id (a dataset that dropped it) the votes are still the matrix's.
    let gid = t.col("group-id");
    let xid = t.col("xid");
    let mut vote_cols: Vec<(usize, StatementId)> = Vec::new();
    for (i, h) in t.header.iter().enumerate() {
        // Pol.is's own columns, and unnamed ones (the row index a data-frame library writes
        // first, `Unnamed: 0` when read back, or a trailing comma's).
        if FIXED_PARTICIPANT_COLUMNS.iter().any(|f| same_column(h, f))
            || h.is_empty()
            || h.starts_with("Unnamed:")
        {
            continue;
        }
        let name = column_name(&t.header, i);
        // Pol.is's Node server of 2025 names the columns `comment-<id>`.
        let bare = h.strip_prefix("comment-").unwrap_or(h);
        let id: StatementId = parse_num(bare, F, t.header_line, &name)?;
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
    // `line` is the row's first byte here; `Table::lines` counts the line of an error.
    let mut rows = || -> Result<(), PolisCsvError> {
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
                group: parse_opt(rec, gid, F, line, "group-id")?,
                votes,
            });
        }
        Ok(())
    };
    rows().map_err(|e| t.lines(e))?;
    let columns = vote_cols.iter().map(|&(i, id)| (t.header[i].clone(), id)).collect();
    Ok((out, columns))
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

/// Pol.is's API JSON files, as [`export_file_role`] names them.
const JSON_FILES: [&str; 3] = ["votes.json", "comments.json", "conversation.json"];
/// The CSV export's files that carry statements or votes.
const CSV_DATA_FILES: [&str; 4] =
    ["comments.csv", "votes.csv", "participants-votes.csv", "participant-votes.csv"];

/// A statement known only by its id (no comments file): named "statement 12", counted.
fn statement_named_by_id(id: StatementId) -> PolisComment {
    PolisComment {
        timestamp: None,
        datetime: None,
        id,
        author: None,
        agrees: None,
        disagrees: None,
        moderation: Moderation::Accepted,
        is_meta: false,
        is_seed: false,
        body: format!("statement {id}"),
    }
}

const NO_TEXTS: &str = "no statement texts were given (no comments file): statements are named by their id \
     (\"statement 12\"), and all are counted, since which are meta or moderated out is not known";

/// Reads one conversation from its files by export file name: the CSV export (comments.csv,
/// votes.csv, participants-votes.csv, summary.csv; comments.csv and votes.csv may be
/// missing) or Pol.is's API JSON (votes.json, comments.json, conversation.json).
fn read_roles(read: &mut dyn FnMut(&'static str) -> Option<String>) -> Result<PolisExport, PolisCsvError> {
    let mut texts: BTreeMap<&'static str, String> = BTreeMap::new();
    for name in EXPORT_FILE_NAMES {
        if let Some(t) = read(name) {
            texts.insert(name, t);
        }
    }
    let json = JSON_FILES.into_iter().find(|f| texts.contains_key(f));
    let csv = CSV_DATA_FILES.into_iter().find(|f| texts.contains_key(f));
    let math = texts.remove(crate::polis_math::MATH_FILE);
    let translations = texts.remove(TRANSLATIONS_FILE);
    let mut export = match (json, csv) {
        (Some(j), Some(c)) => Err(err(
            j,
            0,
            None,
            format!(
                "Pol.is's API JSON and its CSV export ({c}) are both here; give the files of one of them"
            ),
        )),
        (Some(_), None) => read_json(texts),
        (None, _) => read_csv(texts),
    }?;
    if let Some(text) = math {
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
    if let Some(text) = translations {
        export.translations = read_translations(&export.comments, &text)?;
    }
    Ok(export)
}

/// Our export's statement languages and translations (docs/translations.md).
pub const TRANSLATIONS_FILE: &str = "translations.csv";

/// translations.csv read back for the statements `comments` holds; a bad row is named by line.
fn read_translations(
    comments: &[PolisComment],
    text: &str,
) -> Result<Vec<crate::api::translations::StatementLanguages>, PolisCsvError> {
    let known: std::collections::HashSet<StatementId> = comments.iter().map(|c| c.id).collect();
    crate::api::translations::read_export_csv(text, |id| known.contains(&id))
        .map_err(|e| err(TRANSLATIONS_FILE, e.line, None, e.message))
}

fn read_csv(mut texts: BTreeMap<&'static str, String>) -> Result<PolisExport, PolisCsvError> {
    let mut notes = Vec::new();
    let comments = match texts.remove("comments.csv") {
        Some(t) => {
            let (mut comments, raw) = parse_comments_noted(&t)?;
            if raw {
                notes.push(RAW_BODIES.to_string());
            }
            if in_seconds(comments.iter().map(|c| c.timestamp)) {
                comments.iter_mut().for_each(|c| c.timestamp = c.timestamp.map(|t| t * SECOND));
            }
            Some(comments)
        }
        None => None,
    };
    // Pol.is has written this file under both names; errors name the one read.
    let participants_file = ["participants-votes.csv", "participant-votes.csv"]
        .into_iter()
        .find_map(|name| texts.remove(name).map(|text| (name, text)));
    let (participants, columns) = match participants_file {
        Some((name, t)) => {
            let rename = |mut e: PolisCsvError| {
                e.file = name.to_string();
                e
            };
            let (participants, columns) = parse_participants_votes_columns(&t).map_err(rename)?;
            if let Some(comments) = &comments {
                let known: std::collections::HashSet<StatementId> = comments.iter().map(|c| c.id).collect();
                if let Some((column, id)) = columns.iter().find(|(_, id)| !known.contains(id)) {
                    return Err(err(
                        name,
                        1,
                        Some(column),
                        format!(
                            "statement {id} is not in comments.csv: the two files are not from the same export"
                        ),
                    ));
                }
            }
            (participants, columns.into_iter().map(|(_, id)| id).collect())
        }
        None => (Vec::new(), Vec::new()),
    };
    let votes = match texts.remove("votes.csv") {
        Some(t) => {
            let mut votes = parse_votes(&t)?;
            if in_seconds(votes.iter().map(|v| v.timestamp)) {
                votes.iter_mut().for_each(|v| v.timestamp = v.timestamp.map(|t| t * SECOND));
            }
            votes
        }
        None if participants_file_read(&participants, &columns) => {
            notes.push(
                "no vote times were given (no votes.csv): votes are read from participants-votes.csv, row by row \
                 in the file's order, and the rules that follow the order of arrival (which first voters stay \
                 in the groups) take that order"
                    .to_string(),
            );
            participants
                .iter()
                .flat_map(|p| {
                    p.votes.iter().map(|&(statement, vote)| PolisVote {
                        timestamp: None,
                        statement,
                        participant: p.participant,
                        vote,
                    })
                })
                .collect()
        }
        None => {
            return Err(match comments {
                Some(_) => err("votes.csv", 0, None, "neither votes.csv nor participants-votes.csv found"),
                None => err(
                    "comments.csv",
                    0,
                    None,
                    "no votes: the folder needs votes.csv or participants-votes.csv (or Pol.is's votes.json)",
                ),
            })
        }
    };
    let comments = match comments {
        Some(c) => c,
        None => {
            notes.push(NO_TEXTS.to_string());
            let mut ids: Vec<StatementId> = columns;
            ids.extend(votes.iter().map(|v| v.statement));
            ids.sort_unstable();
            ids.dedup();
            ids.into_iter().map(statement_named_by_id).collect()
        }
    };
    let mut summary = match texts.remove("summary.csv") {
        Some(t) => parse_summary(&t)?,
        None => Vec::new(),
    };
    // Pol.is's Node server writes `undefined://pol.is/<id>` when its proxy sent no
    // X-Forwarded-Proto: the conversation is at https.
    for (key, value) in &mut summary {
        if let (true, Some(rest)) = (key == "url", value.strip_prefix("undefined://")) {
            *value = format!("https://{rest}");
        }
    }
    Ok(PolisExport { summary, comments, votes, participants, notes, ..PolisExport::default() })
}

/// Whether a file's times are in seconds, as Pol.is's Node server writes its downloads'
/// `timestamp` (openData's files and the store count milliseconds): every time lies between
/// 2001 and 5138 read as seconds (as milliseconds: within 1970-1973). Then they are
/// multiplied by 1000 ([`SECOND`]).
fn in_seconds(mut times: impl Iterator<Item = Option<i64>>) -> bool {
    const SECONDS: std::ops::Range<i64> = 1_000_000_000..100_000_000_000;
    let mut any = false;
    times.all(|t| {
        any |= t.is_some();
        t.is_none_or(|t| SECONDS.contains(&t))
    }) && any
}

/// Milliseconds in a second.
const SECOND: i64 = 1000;

/// Whether participants-votes.csv was given (with a header naming statements or rows).
fn participants_file_read(participants: &[PolisParticipant], columns: &[StatementId]) -> bool {
    !participants.is_empty() || !columns.is_empty()
}

fn read_json(mut texts: BTreeMap<&'static str, String>) -> Result<PolisExport, PolisCsvError> {
    let mut notes = Vec::new();
    let comments =
        texts.remove("comments.json").map(|t| crate::polis_json::parse_comments_json(&t)).transpose()?;
    let mut votes = match texts.remove("votes.json") {
        Some(t) => crate::polis_json::parse_votes_json(&t)?,
        None => return Err(err("votes.json", 0, None, "file not found: Pol.is's API JSON needs votes.json")),
    };
    let (summary, settings) = match texts.remove("conversation.json") {
        Some(t) => {
            let (summary, settings) = crate::polis_json::parse_conversation_json(&t)?;
            (summary, Some(settings))
        }
        None => (Vec::new(), None),
    };
    let comments = match comments {
        Some(comments) => {
            let known: std::collections::HashSet<StatementId> = comments.iter().map(|c| c.id).collect();
            let unknown: Vec<&PolisVote> = votes.iter().filter(|v| !known.contains(&v.statement)).collect();
            if let Some(first) = unknown.first() {
                return Err(err(
                    "votes.json",
                    0,
                    None,
                    format!(
                        "{} vote(s) on statements comments.json does not have (first: statement {} by \
                         participant {}): the two files are not from the same conversation",
                        unknown.len(),
                        first.statement,
                        first.participant
                    ),
                ));
            }
            if crate::polis_json::flipped_sign(&comments, &votes) == Some(true) {
                notes.push(
                    "votes.json gives agree as -1 (the database's sign, judged by the comments' agree counts): \
                     read with agree as +1"
                        .to_string(),
                );
                for v in &mut votes {
                    v.vote = match v.vote {
                        Vote::Agree => Vote::Disagree,
                        Vote::Disagree => Vote::Agree,
                        Vote::Pass => Vote::Pass,
                    };
                }
            }
            comments
        }
        None => {
            notes.push(NO_TEXTS.to_string());
            let mut ids: Vec<StatementId> = votes.iter().map(|v| v.statement).collect();
            ids.sort_unstable();
            ids.dedup();
            ids.into_iter().map(statement_named_by_id).collect()
        }
    };
    Ok(PolisExport { summary, comments, votes, notes, settings, ..PolisExport::default() })
}

/// Why a set of files is not one Pol.is conversation ([`read_polis_files`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadFilesError {
    /// Two files could each be the same export file.
    #[error("{} files could be the export's {}: {}", .0.names.len(), .0.role, .0.names.join(", "))]
    Conflict(RoleConflict),
    /// None of the files is an export file; their names, in the order given.
    #[error("{}", nothing_recognised(.0))]
    NothingRecognised(Vec<String>),
    /// A file is malformed or one is missing; the file is named as it was given.
    #[error("{0}")]
    File(PolisCsvError),
}

fn nothing_recognised(names: &[String]) -> String {
    let expected =
        "no Pol.is export file here (comments.csv, votes.csv, participants-votes.csv, summary.csv, \
                    or the API's votes.json, comments.json, conversation.json)";
    match names.len() {
        0 => format!("{expected}: no files at all"),
        n if n <= 5 => format!("{expected}; found {}", names.join(", ")),
        n => format!("{expected}; found {} and {} more", names[..5].join(", "), n - 5),
    }
}

/// Bytes as text: invalid UTF-8 is replaced, not refused (as a spreadsheet would show it).
/// A file saved as UTF-16 (a spreadsheet's "Unicode text", with its byte-order mark) is
/// decoded as such.
fn text_of(bytes: Vec<u8>) -> String {
    let utf16 = |b: &[u8], unit: fn([u8; 2]) -> u16| {
        let units: Vec<u16> = b.chunks_exact(2).map(|c| unit([c[0], c[1]])).collect();
        String::from_utf16_lossy(&units)
    };
    match bytes.as_slice() {
        [0xFF, 0xFE, rest @ ..] => return utf16(rest, u16::from_le_bytes),
        [0xFE, 0xFF, rest @ ..] => return utf16(rest, u16::from_be_bytes),
        _ => {}
    }
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Reads one Pol.is conversation from a set of files, the one entry the CLI (a folder) and
/// the browser import (dropped files) share. Files are named as given (any path or Pol.is
/// download prefix, [`export_file_role`]); `load` turns the ones the reader needs into
/// bytes (the CLI reads them from disk, the browser has them) and is not called for others.
///
/// Shapes: the CSV export with or without comments.csv (statements then named by id) and
/// votes.csv (votes then from participants-votes.csv's matrix, in its order), and Pol.is's
/// API JSON (votes.json, comments.json with `is_meta` and moderation, conversation.json).
/// What a shape lacks is said once in [`PolisExport::notes`]. Errors name the file as given.
pub fn read_polis_files<T>(
    files: impl IntoIterator<Item = (String, T)>,
    mut load: impl FnMut(&str, T) -> Result<Vec<u8>, String>,
) -> Result<PolisExport, ReadFilesError> {
    let sorted = files_by_role(files).map_err(ReadFilesError::Conflict)?;
    if sorted.by_role.is_empty() {
        return Err(ReadFilesError::NothingRecognised(sorted.others.into_iter().map(|(n, _)| n).collect()));
    }
    let mut names: BTreeMap<&'static str, String> = BTreeMap::new();
    let mut texts: BTreeMap<&'static str, String> = BTreeMap::new();
    for (role, (name, item)) in sorted.by_role {
        let bytes = load(&name, item).map_err(|message| {
            ReadFilesError::File(PolisCsvError { file: name.clone(), line: 0, column: None, message })
        })?;
        texts.insert(role, text_of(bytes));
        names.insert(role, name);
    }
    read_roles(&mut |role| texts.remove(role)).map_err(|mut e| {
        // Name the file as it was given when Pol.is's download gave it a prefix.
        if let Some(name) = names.get(e.file.as_str()) {
            e.file = name.clone();
        }
        ReadFilesError::File(e)
    })
}

impl PolisExport {
    /// Reads a conversation's files through `read(file_name)`, which returns `None` for
    /// a missing file; file names are the export files' own ([`export_file_role`]). The
    /// shapes read and what each lacks are [`read_polis_files`]'s.
    pub fn from_files(read: impl Fn(&str) -> Option<String>) -> Result<PolisExport, PolisCsvError> {
        read_roles(&mut |name| read(name))
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

    /// Statement metadata for [`crate::analyse`], ordered by comment id: the comments', then
    /// the [`PolisExport::unlisted`] statements that have no comment.
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
            .chain(self.unlisted.iter().copied())
            .collect();
        // Stable: of two with one id, the comment (first in the chain) is kept.
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

/// A time as Pol.is's `datetime` column writes it, Java's `Date.toString()`
/// (`Wed Apr 27 07:51:34 PDT 2022`), here always in UTC (`Wed Apr 27 14:51:34 UTC 2022`):
/// Pol.is writes its server's local zone, which a store does not know.
pub fn polis_datetime(ms: i64) -> String {
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let t = crate::api::outcomes::UtcTime::from_ms(ms);
    let day = DAYS[t.weekday.rem_euclid(7) as usize];
    let month = MONTHS[(t.month - 1).clamp(0, 11) as usize];
    format!("{day} {month} {:02} {:02}:{:02}:{:02} UTC {}", t.day, t.hour, t.minute, t.second, t.year)
}

/// A row's `datetime`: from its timestamp (epoch ms) when it has one, else as it was read.
fn datetime_cell(timestamp: Option<i64>, read: Option<&str>) -> String {
    match (timestamp, read) {
        (Some(ms), _) => polis_datetime(ms),
        (None, Some(text)) => csv_cell(text),
        (None, None) => String::new(),
    }
}

/// comments.csv header: openData's 8 columns (B.1) with the newer exporter's `is-meta` and
/// `is-seed` before the body, so readers of either layout find what they look for by name.
pub const COMMENTS_HEADER: [&str; 10] = [
    "timestamp",
    "datetime",
    "comment-id",
    "author-id",
    "agrees",
    "disagrees",
    "moderated",
    "is-meta",
    "is-seed",
    "comment-body",
];

/// comments.csv (see [`COMMENTS_HEADER`]), agrees/disagrees from current votes.
pub fn write_comments(export: &PolisExport, analysis: &Analysis) -> String {
    let mut comments: Vec<&PolisComment> = export.comments.iter().collect();
    comments.sort_by_key(|c| c.id);
    let mut rows = vec![COMMENTS_HEADER.map(String::from).to_vec()];
    for c in comments {
        let (agree, disagree) = analysis.statement(c.id).map_or((0, 0), |s| (s.agree, s.disagree));
        rows.push(vec![
            c.timestamp.map(|t| t.to_string()).unwrap_or_default(),
            datetime_cell(c.timestamp, c.datetime.as_deref()),
            c.id.to_string(),
            c.author.map(|a| a.to_string()).unwrap_or_default(),
            agree.to_string(),
            disagree.to_string(),
            c.moderation.value().to_string(),
            c.is_meta.to_string(),
            c.is_seed.to_string(),
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
            datetime_cell(v.timestamp, None),
            v.statement.to_string(),
            v.participant.to_string(),
            v.vote.value().to_string(),
        ]);
    }
    csv_string(rows)
}

/// summary.csv: key,value rows in Pol.is's order (B.1). Topic, url and description come
/// from the input summary; `views` too when it has one (Pol.is counts visitors who never
/// voted), else the participants known (listed, voting or writing); the rest is counted.
pub fn write_summary(export: &PolisExport, analysis: &Analysis) -> String {
    let commenters: std::collections::BTreeSet<ParticipantId> =
        export.comments.iter().filter_map(|c| c.author).collect();
    let get = |k: &str| csv_cell(export.summary_value(k).unwrap_or(""));
    let views = match export.summary_value("views").and_then(|v| v.trim().parse::<u64>().ok()) {
        Some(v) => v.to_string(),
        None => {
            let known: std::collections::BTreeSet<ParticipantId> = export
                .participants
                .iter()
                .map(|p| p.participant)
                .chain(export.votes.iter().map(|v| v.participant))
                .chain(commenters.iter().copied())
                .collect();
            known.len().to_string()
        }
    };
    let rows = vec![
        vec!["topic".into(), get("topic")],
        vec!["url".into(), get("url")],
        vec!["views".into(), views],
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
        ("translations.csv".into(), crate::api::translations::write_csv(&export.translations)),
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
        self.analyse_from(&self.params_for(params), self.warm_start().as_ref(), progress)
    }

    /// The export's votes and statements analysed with `params` as they are, from `warm`
    /// (or cold): a stored conversation's report starts where the server's published runs
    /// do, from its imported start and with its parameters (`mufakat_core::published::Start`).
    pub fn analyse_from(
        &self,
        params: &AnalysisParams,
        warm: Option<&crate::analysis::WarmStart>,
        progress: &mut dyn FnMut(crate::analysis::Stage),
    ) -> Result<Analysis, crate::analysis::AnalysisError> {
        let votes = self.vote_records();
        let statements = self.statement_meta();
        crate::analysis::analyse_with_progress(
            &crate::analysis::AnalysisInput { votes: &votes, statements: &statements },
            params,
            warm,
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
    fn times_a_spreadsheet_rounded_into_scientific_notation_are_refused_saying_how_to_fix_them() {
        let votes = "timestamp,datetime,comment-id,voter-id,vote\n1651045893819,x,0,0,1\n1.65E+12,x,1,0,1\n";
        for e in [parse_votes(votes).unwrap_err(), parse_votes_general(votes).unwrap_err()] {
            assert_eq!((e.file.as_str(), e.line, e.column.as_deref()), ("votes.csv", 3, Some("timestamp")));
            let text = e.to_string();
            assert!(text.starts_with("votes.csv, line 3, column timestamp: `1.65E+12` is a time in scientific notation that keeps only 3 of its 13 digits"), "{text}");
            assert!(
                text.contains("saved again by a spreadsheet")
                    && text.contains("as a number with no decimals"),
                "{text}"
            );
        }
        let comments = "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n\
            1.65107e+12,Mon,0,1,2,0,1,A text\n";
        let e = parse_comments(comments).unwrap_err();
        assert_eq!((e.file.as_str(), e.line, e.column.as_deref()), ("comments.csv", 2, Some("timestamp")));
        assert!(e.message.contains("only 6 of its 13 digits"), "{e}");
        // Seconds, as the Node server writes them, rounded the same way.
        let e = parse_votes("timestamp,comment-id,voter-id,vote\n1.651E+09,0,0,1\n").unwrap_err();
        assert!(e.message.contains("only 4 of its 10 digits"), "{e}");
    }

    #[test]
    fn times_in_scientific_notation_with_every_digit_are_read_exactly() {
        let votes = "timestamp,datetime,comment-id,voter-id,vote\n1.651045893819E+12,x,0,0,1\n\
            1.6510458938200e12,x,1,0,1\n 1651045893821 ,x,2,0,1\n";
        let read = parse_votes(votes).unwrap();
        let times: Vec<_> = read.iter().map(|v| v.timestamp).collect();
        assert_eq!(times, [Some(1_651_045_893_819), Some(1_651_045_893_820), Some(1_651_045_893_821)]);
        assert_eq!(read, parse_votes_general(votes).unwrap());
        let comments = "timestamp,comment-id,comment-body\n1.651045893819E+12,0,A text\n";
        assert_eq!(parse_comments(comments).unwrap()[0].timestamp, Some(1_651_045_893_819));
    }

    #[test]
    fn scientific_notation_is_whole_only_with_every_digit_to_the_units() {
        let whole = |s: &str| Scientific::of(s).map(|n| n.whole());
        assert_eq!(whole("1.651045893819E+12"), Some(Whole::Exact(1_651_045_893_819)));
        assert_eq!(whole("-1.5E+1"), Some(Whole::Exact(-15)));
        assert_eq!(whole("0.0E+5"), Some(Whole::Exact(0)));
        assert_eq!(whole("0,0165E+14"), Some(Whole::Rounded { written: 3, digits: 13 }));
        assert_eq!(whole("1.6543210987E+12"), Some(Whole::Rounded { written: 11, digits: 13 }));
        assert_eq!(whole("1.65E+12"), Some(Whole::Rounded { written: 3, digits: 13 }));
        assert_eq!(whole("1.25E+1"), Some(Whole::Not)); // 12.5
        assert_eq!(whole("5E-1"), Some(Whole::Not));
        assert_eq!(whole("1E+30"), Some(Whole::Not)); // no i64
        for not in ["1.65", "E+12", "1.65E", "1.65E+", "1.6x5E+12", "1.65E+1.2", "--1E+3", "1E+12345"] {
            assert!(Scientific::of(not).is_none(), "{not}");
        }
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

    fn read_named(files: &[(&str, &str)]) -> Result<PolisExport, ReadFilesError> {
        read_polis_files(files.iter().map(|(n, t)| (n.to_string(), t.as_bytes().to_vec())), |_, b| Ok(b))
    }

    #[test]
    fn participants_votes_alone_names_statements_by_id_and_says_so_once() {
        let pv = "participant,group-id,n-comments,n-votes,n-agree,n-disagree,3,7\n\
                  1,0,0,2,1,1,1,-1\n0,1,0,1,0,0,,0\n";
        let e = read_named(&[("2024-10-23-1530-abc-participants-votes.csv", pv)]).expect("reads");
        let names: Vec<(u32, &str)> = e.comments.iter().map(|c| (c.id, c.body.as_str())).collect();
        assert_eq!(names, [(3, "statement 3"), (7, "statement 7")]);
        assert!(e.comments.iter().all(|c| c.moderation == Moderation::Accepted && !c.is_meta));
        // The matrix's order, row by row: participant 1 before participant 0.
        let votes: Vec<(u32, u32, Vote)> =
            e.votes.iter().map(|v| (v.participant, v.statement, v.vote)).collect();
        assert_eq!(votes, [(1, 3, Vote::Agree), (1, 7, Vote::Disagree), (0, 7, Vote::Pass)]);
        assert!(e.votes.iter().all(|v| v.timestamp.is_none()));
        assert_eq!(e.notes.len(), 2, "{:?}", e.notes);
        assert_eq!(e.notes.iter().filter(|n| n.contains("no statement texts")).count(), 1);
        assert_eq!(e.notes.iter().filter(|n| n.contains("no vote times")).count(), 1);
        // With comments.csv and votes.csv, nothing needs saying.
        let votes = "timestamp,datetime,comment-id,voter-id,vote\n1,,0,7,1\n";
        let full = read_named(&[("comments.csv", COMMENTS), ("votes.csv", votes)]).expect("reads");
        assert!(full.notes.is_empty(), "{:?}", full.notes);
    }

    #[test]
    fn votes_csv_alone_names_statements_by_id_and_keeps_its_times() {
        let votes = "timestamp,datetime,comment-id,voter-id,vote\n5,,4,0,1\n3,,2,0,-1\n";
        let e = read_named(&[("votes.csv", votes)]).expect("reads");
        assert_eq!(e.comments.iter().map(|c| c.id).collect::<Vec<_>>(), [2, 4]);
        assert_eq!(e.votes[0].timestamp, Some(3));
        assert_eq!(e.notes.len(), 1, "{:?}", e.notes);
    }

    #[test]
    fn a_participants_votes_column_for_a_statement_comments_csv_lacks_is_refused() {
        // COMMENTS has statements 0 and 1; column 5 belongs to another export.
        let pv = "participant,group-id,n-comments,n-votes,n-agree,n-disagree,0,5\n7,0,0,2,1,1,1,-1\n";
        let e = read_named(&[("x-comments.csv", COMMENTS), ("x-participants-votes.csv", pv)]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "x-participants-votes.csv, line 1, column 5: statement 5 is not in comments.csv: the two files are \
             not from the same export"
        );
        // Fewer columns than comments is what Pol.is writes (statements nobody saw): fine.
        let pv = "participant,group-id,n-comments,n-votes,n-agree,n-disagree,0\n7,0,0,1,1,0,1\n";
        assert!(read_named(&[("comments.csv", COMMENTS), ("participants-votes.csv", pv)]).is_ok());
    }

    #[test]
    fn a_folder_with_no_export_file_is_named_as_such() {
        let e = read_named(&[("notes.txt", "x"), ("stats-history.csv", "n-votes\n1\n")]).unwrap_err();
        assert!(matches!(e, ReadFilesError::NothingRecognised(_)));
        assert!(e.to_string().starts_with("no Pol.is export file here"), "{e}");
        assert!(e.to_string().ends_with("found notes.txt, stats-history.csv"), "{e}");
        assert!(read_named(&[]).unwrap_err().to_string().ends_with("no files at all"));
        let e = read_named(&[("summary.csv", "topic,x\n")]).unwrap_err();
        assert!(e.to_string().contains("no votes"), "{e}");
    }

    const JSON_COMMENTS: &str = r#"[
        {"statement_id":0,"participant_id":0,"txt":"Plant more trees","moderated":1,"is_meta":false,"is_seed":true,"agree_count":2,"disagree_count":1,"active":true,"created":"2023-08-11T06:33:28.174000Z"},
        {"statement_id":1,"participant_id":1,"txt":"I live in the north","moderated":1,"is_meta":true,"agree_count":1,"disagree_count":0,"active":true},
        {"statement_id":2,"participant_id":2,"txt":"Close the market street","moderated":-1,"is_meta":false,"agree_count":0,"disagree_count":0,"active":true}
    ]"#;
    const JSON_VOTES: &str = r#"[
        {"participant_id":0,"statement_id":0,"vote":1,"modified":1691740361800.0},
        {"participant_id":1,"statement_id":0,"vote":1,"modified":1691740361700.0},
        {"participant_id":2,"statement_id":0,"vote":-1,"modified":1691740361900.0},
        {"participant_id":1,"statement_id":1,"vote":1,"modified":1691740362000.0}
    ]"#;
    const JSON_CONVERSATION: &str = r#"{"topic":"Our street","description":"What next?","conversation_id":"2abcdefghi","strict_moderation":true,"write_type":1,"is_active":false}"#;

    #[test]
    fn polis_api_json_is_read_with_meta_moderation_and_settings() {
        let e = read_named(&[
            ("comments.json", JSON_COMMENTS),
            ("votes.json", JSON_VOTES),
            ("conversation.json", JSON_CONVERSATION),
        ])
        .expect("reads");
        assert!(e.notes.is_empty(), "{:?}", e.notes);
        assert_eq!(e.votes.iter().map(|v| v.participant).collect::<Vec<_>>(), [1, 0, 2, 1], "by time");
        let metas = e.statement_meta();
        assert!(metas[1].is_meta && metas[1].is_excluded(), "statement 1 is meta");
        assert!(metas[2].is_excluded() && !metas[2].is_meta, "statement 2 is moderated out");
        assert!(!metas[0].is_excluded());
        assert_eq!(e.summary_value("topic"), Some("Our street"));
        assert_eq!(e.summary_value("url"), Some("https://pol.is/2abcdefghi"));
        assert_eq!(e.summary_value("conversation-description"), Some("What next?"));
        assert_eq!(
            e.settings,
            Some(PolisSettings { strict_moderation: true, allow_statements: true, open: false })
        );
        assert_eq!(e.comments[0].timestamp, Some(1_691_735_608_174));
    }

    #[test]
    fn json_votes_with_the_database_sign_are_turned_round() {
        let flipped = JSON_VOTES
            .replace("\"vote\":1", "\"vote\":X")
            .replace("\"vote\":-1", "\"vote\":1")
            .replace("\"vote\":X", "\"vote\":-1");
        let e = read_named(&[("comments.json", JSON_COMMENTS), ("votes.json", &flipped)]).expect("reads");
        assert_eq!(e.votes.iter().filter(|v| v.vote == Vote::Agree).count(), 3);
        assert_eq!(e.notes.len(), 1, "{:?}", e.notes);
    }

    #[test]
    fn bad_json_dumps_are_refused_naming_the_file() {
        let unknown = JSON_VOTES.replace("\"statement_id\":1,", "\"statement_id\":9,");
        let e = read_named(&[("comments.json", JSON_COMMENTS), ("votes.json", &unknown)]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "votes.json: 1 vote(s) on statements comments.json does not have (first: statement 9 by participant 1): \
             the two files are not from the same conversation"
        );
        let cut = &JSON_COMMENTS[..JSON_COMMENTS.len() / 2];
        let e = read_named(&[("dump/comments.json", cut), ("dump/votes.json", JSON_VOTES)]).unwrap_err();
        assert!(e.to_string().starts_with("dump/comments.json: the JSON ends early"), "{e}");
        assert_eq!(e.to_string().lines().count(), 1);
        let e = read_named(&[("comments.json", JSON_COMMENTS)]).unwrap_err();
        assert!(e.to_string().starts_with("votes.json: file not found"), "{e}");
        let e =
            read_named(&[("votes.json", JSON_VOTES), ("votes.csv", "timestamp,comment-id,voter-id,vote\n")])
                .unwrap_err();
        assert!(e.to_string().contains("both here"), "{e}");
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
    fn datetime_is_written_as_polis_does_in_utc() {
        // openData's austria-climate, comment 122: 1651071094558 is "Wed Apr 27 07:51:34 PDT 2022".
        assert_eq!(polis_datetime(1_651_071_094_558), "Wed Apr 27 14:51:34 UTC 2022");
        assert_eq!(polis_datetime(0), "Thu Jan 01 00:00:00 UTC 1970");
        // Day of month zero-padded, as Java's Date.toString() writes it.
        assert_eq!(polis_datetime(1_651_401_080_922), "Sun May 01 10:31:20 UTC 2022");
    }

    /// A stored conversation: times, authors and flags, no datetime text, no summary counts.
    fn stored_like() -> PolisExport {
        let comment = |id, author, is_meta, is_seed| PolisComment {
            timestamp: Some(1_700_000_000_000 + i64::from(id)),
            datetime: None,
            id,
            author,
            agrees: None,
            disagrees: None,
            moderation: Moderation::Accepted,
            is_meta,
            is_seed,
            body: format!("statement {id}"),
        };
        let mut votes = Vec::new();
        for p in 0..6u32 {
            for s in 0..3u32 {
                let vote = if (s == 0) == (p % 2 == 0) { Vote::Agree } else { Vote::Disagree };
                votes.push(PolisVote {
                    timestamp: Some(1_700_000_100_000 + i64::from(p * 3 + s)),
                    statement: s,
                    participant: p,
                    vote,
                });
            }
        }
        PolisExport {
            summary: vec![("topic".into(), "Parks".into())],
            comments: vec![
                comment(0, None, false, true),
                comment(1, Some(4), false, false),
                comment(2, Some(4), true, false),
            ],
            votes,
            participants: (0..7)
                .map(|p| PolisParticipant { participant: p, xid: None, group: None, votes: Vec::new() })
                .collect(),
            ..PolisExport::default()
        }
    }

    #[test]
    fn unlisted_statements_are_analysed_by_their_flags_and_get_no_comment_row() {
        let mut e = stored_like();
        // Votes on statements 3 and 4, which no comment lists (a public report's rejected and
        // meta statements).
        for p in 0..6u32 {
            for statement in [3, 4] {
                let vote = if p % 2 == 0 { Vote::Agree } else { Vote::Disagree };
                e.votes.push(PolisVote { timestamp: None, statement, participant: p, vote });
            }
        }
        let excluded = |a: &Analysis, id| a.statement(id).map(|s| (s.excluded, s.is_meta));
        let unknown = e.analyse(&AnalysisParams::default()).unwrap();
        assert_eq!(excluded(&unknown, 3), Some((false, false)), "without flags: taken as pending");
        e.unlisted = vec![
            StatementMeta { moderation: Moderation::Rejected, ..StatementMeta::new(3) },
            StatementMeta { is_meta: true, ..StatementMeta::new(4) },
            // Listed as a comment too: the comment's flags win.
            StatementMeta { moderation: Moderation::Rejected, ..StatementMeta::new(1) },
        ];
        let a = e.analyse(&AnalysisParams::default()).unwrap();
        assert_eq!(excluded(&a, 3), Some((true, false)), "rejected: left out of the math");
        assert_eq!(excluded(&a, 4), Some((true, true)), "meta: left out of the math");
        assert_eq!(excluded(&a, 1), Some((false, false)));
        let ids: Vec<StatementId> = e.statement_meta().iter().map(|s| s.id).collect();
        assert_eq!(ids, [0, 1, 2, 3, 4]);
        let rows: Vec<String> = write_comments(&e, &a).lines().skip(1).map(str::to_string).collect();
        assert_eq!(rows.len(), 3, "no row without words: {rows:?}");
        let summary = parse_summary(&write_summary(&e, &a)).unwrap();
        assert!(summary.contains(&("comments".to_string(), "3".to_string())), "{summary:?}");
    }

    #[test]
    fn every_polis_column_is_filled_from_a_stored_conversation() {
        let e = stored_like();
        let a = e.analyse(&AnalysisParams::default()).unwrap();
        let comments = write_comments(&e, &a);
        let mut lines = comments.lines();
        assert_eq!(lines.next(), Some(COMMENTS_HEADER.join(",").as_str()));
        assert_eq!(
            lines.next(),
            Some("1700000000000,Tue Nov 14 22:13:20 UTC 2023,0,,3,3,1,false,true,statement 0")
        );
        assert_eq!(
            lines.next(),
            Some("1700000000001,Tue Nov 14 22:13:20 UTC 2023,1,4,3,3,1,false,false,statement 1")
        );
        assert!(lines.next().is_some_and(|l| l.contains(",2,4,") && l.ends_with(",true,false,statement 2")));
        let votes = write_votes(&e);
        assert!(
            votes.lines().skip(1).all(|l| l.contains(",Tue Nov 14 22:15:0") && l.contains(" UTC 2023,")),
            "{votes}"
        );
        let pv = write_participants_votes(&e, &a);
        let n_comments: Vec<&str> = pv.lines().skip(1).map(|l| l.split(',').nth(2).unwrap_or("")).collect();
        assert_eq!(n_comments, ["0", "0", "0", "0", "2", "0"], "{pv}");
        let summary = parse_summary(&write_summary(&e, &a)).unwrap();
        let keys: Vec<&str> = summary.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "topic",
                "url",
                "views",
                "voters",
                "voters-in-conv",
                "commenters",
                "comments",
                "groups",
                "conversation-description"
            ]
        );
        let value = |k: &str| summary.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
        // Participant 6 joined and never voted: a view, not a voter.
        assert_eq!(
            (value("views"), value("voters"), value("commenters"), value("comments")),
            (Some("7"), Some("6"), Some("1"), Some("3"))
        );
        // Read back, the flags and times are the same.
        let back = parse_comments(&comments).unwrap();
        assert_eq!(
            back.iter().map(|c| (c.timestamp, c.author, c.is_meta, c.is_seed)).collect::<Vec<_>>(),
            e.comments.iter().map(|c| (c.timestamp, c.author, c.is_meta, c.is_seed)).collect::<Vec<_>>()
        );
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
