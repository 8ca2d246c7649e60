//! votes.csv and participants-votes.csv in one pass, when they have the plain shape Pol.is
//! writes them in: no quotes, lines ending in `\n` or `\r\n`, no blank line before the end,
//! every row as long as the header, every cell read as a number or a vote where one is
//! asked. Cells are slices of the file's text, nothing is copied but the values kept.
//!
//! This is only a shortcut: for anything else (a quote anywhere, a lone `\r`, a blank or
//! ragged row, a cell that does not parse, a header the general reader refuses) it returns
//! `None` and the general reader (`read_table` and the csv crate, which tracks lines and
//! columns for its errors) reads the file, so every result and every error is the general
//! reader's. On a plain file both give the same rows (tested below on generated files);
//! the general reader takes more than twice the instructions (BENCHMARKS.md, "Reading
//! speed").

use super::{parse_num, parse_time, parse_vote, same_column, PolisParticipant, PolisVote};
use super::{StatementColumns, FIXED_PARTICIPANT_COLUMNS};
use crate::escape::csv_cell_read;
use crate::model::{StatementId, Vote};

/// A plain file read line by line: its header's cells (trimmed, as the general reader
/// keeps them), then each row's cells, in one pass over the bytes.
struct Plain<'a> {
    text: &'a str,
    /// The next line's first byte.
    at: usize,
    header: Vec<&'a str>,
}

/// Bytes that end a cell or make a file not plain: `,`, `\n`, `\r` and `"`.
const SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    t[b',' as usize] = true;
    t[b'\n' as usize] = true;
    t[b'\r' as usize] = true;
    t[b'"' as usize] = true;
    t
};

impl<'a> Plain<'a> {
    /// The header, when the text starts with one the general reader takes.
    fn new(text: &'a str) -> Option<Plain<'a>> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if text.starts_with("version https://git-lfs.github.com/spec/") {
            return None;
        }
        let mut plain = Plain { text, at: 0, header: Vec::new() };
        let mut header = Vec::new();
        if !plain.next_row(&mut header)? || header.iter().all(|h| h.trim().is_empty()) {
            return None;
        }
        plain.header = header.into_iter().map(str::trim).collect();
        // A column named twice is an error of the general reader's.
        for (i, h) in plain.header.iter().enumerate() {
            if !h.is_empty() && plain.header[..i].contains(h) {
                return None;
            }
        }
        Some(plain)
    }

    /// A column by its Pol.is name, as `Table::col`.
    fn col(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| same_column(h, name))
    }

    /// Reads the next line's cells into `cells` (cleared first): `Some(true)` when a line
    /// was read, `Some(false)` at the end, `None` when the line is not plain (a quote, or a
    /// `\r` not before `\n`). A line ends at `\n`, `\r\n` or the end of the text.
    fn next_row(&mut self, cells: &mut Vec<&'a str>) -> Option<bool> {
        let (text, bytes) = (self.text, self.text.as_bytes());
        cells.clear();
        if self.at >= bytes.len() {
            return Some(false);
        }
        let mut start = self.at;
        let mut i = start;
        loop {
            while i < bytes.len() && !SPECIAL[bytes[i] as usize] {
                i += 1;
            }
            // Cells end at ASCII bytes, so every slice here is on a character boundary.
            cells.push(&text[start..i]);
            match bytes.get(i) {
                None => {
                    self.at = i;
                    return Some(true);
                }
                Some(b',') => {
                    i += 1;
                    start = i;
                }
                Some(b'\n') => {
                    self.at = i + 1;
                    return Some(true);
                }
                Some(b'\r') if matches!(bytes.get(i + 1), None | Some(b'\n')) => {
                    self.at = i + 2;
                    return Some(true);
                }
                _ => return None,
            }
        }
    }
}

/// Pure ASCII digits (at most 18, so no overflow) as their value. Cells the Pol.is exports
/// hold are such; others (signs, `1.0`, spaces, too long) go to `parse_num`, which reads
/// these the same.
fn digits(cell: &str) -> Option<u64> {
    let b = cell.as_bytes();
    if b.is_empty() || b.len() > 18 {
        return None;
    }
    let mut v = 0u64;
    for &d in b {
        if !d.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u64::from(d - b'0');
    }
    Some(v)
}

/// A statement or participant id cell, as `parse_num::<u32>` of the trimmed cell reads it.
fn id_cell(cell: &str, file: &str, column: &str) -> Option<u32> {
    match digits(cell).map(u32::try_from) {
        Some(Ok(v)) => Some(v),
        _ => parse_num(cell.trim(), file, 0, column).ok(),
    }
}

/// A vote cell (`1`, `-1`, `0`), as `parse_vote` of the trimmed cell reads it.
fn vote_cell(cell: &str, file: &str) -> Option<Vote> {
    match cell {
        "1" => Some(Vote::Agree),
        "-1" => Some(Vote::Disagree),
        "0" => Some(Vote::Pass),
        _ => parse_vote(cell.trim(), file, 0, "vote").ok(),
    }
}

/// votes.csv's rows in file order (not yet sorted by time), or `None` when the file is not
/// plain or any row would be an error (the general reader then says which).
pub(super) fn votes(text: &str) -> Option<Vec<PolisVote>> {
    const F: &str = "votes.csv";
    let mut plain = Plain::new(text)?;
    let n = plain.header.len();
    let ts = plain.col("timestamp");
    let (cid, vid, vote) = (plain.col("comment-id")?, plain.col("voter-id")?, plain.col("vote")?);
    let mut out = Vec::with_capacity(text.len() / 48);
    let mut cells = Vec::with_capacity(n);
    while plain.next_row(&mut cells)? {
        if cells.len() != n {
            return None;
        }
        let timestamp = match ts.map(|t| cells[t]) {
            None => None,
            Some(cell) => match digits(cell).and_then(|v| i64::try_from(v).ok()) {
                Some(v) => Some(v),
                None => match cell.trim() {
                    "" => None,
                    s => Some(parse_time(s, F, 0, "timestamp").ok()?),
                },
            },
        };
        out.push(PolisVote {
            timestamp,
            statement: id_cell(cells[cid], F, "comment-id")?,
            participant: id_cell(cells[vid], F, "voter-id")?,
            vote: vote_cell(cells[vote], F)?,
        });
    }
    Some(out)
}

/// What a participants-votes.csv column holds, for [`participants_votes`].
#[derive(Clone, Copy)]
enum Cell {
    Participant,
    Xid,
    Group,
    Vote(StatementId),
    Other,
}

/// participants-votes.csv's rows and statement columns, as the general reader returns
/// them, or `None` when the file is not plain or the general reader would refuse it.
pub(super) fn participants_votes(text: &str) -> Option<(Vec<PolisParticipant>, StatementColumns)> {
    const F: &str = "participants-votes.csv";
    let mut plain = Plain::new(text)?;
    let pid = plain.col("participant")?;
    let (gid, xid) = (plain.col("group-id"), plain.col("xid"));
    let mut kinds = vec![Cell::Other; plain.header.len()];
    let mut columns: StatementColumns = Vec::new();
    for (i, h) in plain.header.iter().enumerate() {
        kinds[i] = if i == pid {
            Cell::Participant
        } else if Some(i) == gid {
            Cell::Group
        } else if Some(i) == xid {
            Cell::Xid
        } else {
            Cell::Other
        };
        if FIXED_PARTICIPANT_COLUMNS.iter().any(|f| same_column(h, f))
            || h.is_empty()
            || h.starts_with("Unnamed:")
        {
            continue;
        }
        let bare = h.strip_prefix("comment-").unwrap_or(h);
        let id: StatementId = parse_num(bare, F, 0, "").ok()?;
        if columns.iter().any(|c| c.1 == id) {
            return None;
        }
        kinds[i] = Cell::Vote(id);
        columns.push((h.to_string(), id));
    }
    let mut out = Vec::new();
    let mut cells = Vec::with_capacity(kinds.len());
    while plain.next_row(&mut cells)? {
        if cells.len() != kinds.len() {
            return None;
        }
        let (mut participant, mut xid_cell, mut group) = (None, None, None);
        let mut votes = Vec::new();
        for (&cell, &kind) in cells.iter().zip(&kinds) {
            match kind {
                Cell::Vote(_) if cell.is_empty() => {}
                Cell::Vote(id) => {
                    let cell = cell.trim();
                    if !cell.is_empty() {
                        votes.push((id, vote_cell(cell, F)?));
                    }
                }
                Cell::Participant => participant = Some(id_cell(cell, F, "participant")?),
                Cell::Xid => xid_cell = Some(csv_cell_read(cell.trim()).to_string()),
                Cell::Group => {
                    group = match cell.trim() {
                        "" => None,
                        s => Some(parse_num(s, F, 0, "group-id").ok()?),
                    }
                }
                Cell::Other => {}
            }
        }
        out.push(PolisParticipant { participant: participant?, xid: xid_cell, group, votes });
    }
    Some((out, columns))
}

#[cfg(test)]
mod tests {
    use super::super::{parse_participants_votes_general, parse_votes_general};
    use super::*;
    use proptest::prelude::*;

    const VOTES: &str = "timestamp,datetime,comment-id,voter-id,vote\n\
        1651045893819,Wed Apr 27 00:51:33 PDT 2022,0,1,-1\n\
        1651046019628,Wed Apr 27 00:53:39 PDT 2022,0,3,1\n";
    const PARTICIPANTS: &str = "participant,xid,group-id,n-comments,n-votes,n-agree,n-disagree,0,1,2\n\
        1,,0,0,2,1,1,-1,1,\n\
        3,'=x,,1,1,1,0,, 1 ,\n";

    #[test]
    fn a_file_as_polis_writes_it_is_read_plainly_and_as_the_general_reader_does() {
        assert_eq!(votes(VOTES), Some(parse_votes_general(VOTES).unwrap()));
        assert_eq!(votes(VOTES).map(|v| v.len()), Some(2));
        let crlf = VOTES.replace('\n', "\r\n");
        assert_eq!(votes(&crlf), Some(parse_votes_general(&crlf).unwrap()));
        let read = participants_votes(PARTICIPANTS);
        assert_eq!(read, Some(parse_participants_votes_general(PARTICIPANTS).unwrap()));
        assert_eq!(read.map(|(p, _)| p[1].xid.clone()), Some(Some("=x".to_string())));
    }

    #[test]
    fn anything_unusual_is_left_to_the_general_reader() {
        for text in [
            "timestamp,datetime,comment-id,voter-id,vote\n1,\"Wed\",0,1,1\n", // a quote
            "timestamp,datetime,comment-id,voter-id,vote\n1,a\rb,0,1,1\n",    // a lone \r
            "timestamp,datetime,comment-id,voter-id,vote\n\n1,a,0,1,1\n",     // a blank line
            "timestamp,datetime,comment-id,voter-id,vote\n1,a,0,1\n",         // a short row
            "timestamp,datetime,comment-id,voter-id,vote\n1,a,0,x,1\n",       // not a number
            "timestamp,datetime,comment-id,voter-id,vote\n1,a,0,1,2\n",       // not a vote
            "timestamp,datetime,comment-id,voter-id,vote\n1.65E+12,a,0,1,1\n", // a rounded time
            "timestamp,comment-id,comment-id,voter-id,vote\n1,0,0,1,1\n",     // a column twice
            "timestamp,datetime,voter-id,vote\n1,a,1,1\n",                    // a column missing
            "",
        ] {
            assert_eq!(votes(text), None, "{text:?}");
        }
        assert_eq!(participants_votes("participant,group-id,0,0\n1,0,1,1\n"), None);
        // A time a spreadsheet wrote with every digit is read, as the general reader reads it.
        let exact = "timestamp,datetime,comment-id,voter-id,vote\n1.651045893819E+12,a,0,1,1\n";
        assert_eq!(votes(exact), Some(parse_votes_general(exact).unwrap()));
        assert_eq!(votes(exact).map(|v| v[0].timestamp), Some(Some(1_651_045_893_819)));
        assert_eq!(participants_votes("participant,group-id,x\n1,0,1\n"), None);
    }

    /// A cell of the kinds the files hold, and a few they should not.
    fn cell() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => Just(String::new()),
            4 => (-1i8..=1).prop_map(|v| v.to_string()),
            3 => (0u32..2000).prop_map(|v| v.to_string()),
            1 => Just("1.0".to_string()),
            1 => Just(" -1 ".to_string()),
            1 => Just("1651045893819".to_string()),
            1 => Just("1.651045893819E+12".to_string()),
            1 => Just("1.65E+12".to_string()),
            1 => Just("Wed Apr 27".to_string()),
            1 => Just("'=1".to_string()),
            1 => Just("x".to_string()),
            1 => "[ \r\"a0-]{1,3}",
        ]
    }

    /// A file: a header, rows of about its width, `\n` or `\r\n` line ends.
    fn file(header: &'static str) -> impl Strategy<Value = String> {
        let width = header.split(',').count();
        let row = prop::collection::vec(cell(), width - 1..=width + 1);
        (prop::collection::vec(row, 0..6), any::<bool>(), any::<bool>()).prop_map(
            move |(rows, crlf, last)| {
                let end = if crlf { "\r\n" } else { "\n" };
                let mut text = format!("{header}{end}");
                let lines: Vec<String> = rows.iter().map(|r| r.join(",")).collect();
                text.push_str(&lines.join(end));
                if last && !lines.is_empty() {
                    text.push_str(end);
                }
                text
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn plain_votes_are_the_general_readers(
            text in prop_oneof![
                file("timestamp,datetime,comment-id,voter-id,vote"),
                file("comment-id,voter-id,vote"),
                file("vote,Voter ID, timestamp ,comment_id"),
            ]
        ) {
            if let Some(read) = votes(&text) {
                prop_assert_eq!(Ok(read), parse_votes_general(&text));
            }
        }

        #[test]
        fn plain_participants_votes_are_the_general_readers(
            text in prop_oneof![
                file("participant,xid,group-id,n-comments,n-votes,n-agree,n-disagree,0,1,2"),
                file("participant,group-id,n-comments,n-votes,n-agree,n-disagree,comment-7,3"),
                file(",participant,Unnamed: 1,5"),
            ]
        ) {
            if let Some(read) = participants_votes(&text) {
                prop_assert_eq!(Ok(read), parse_participants_votes_general(&text));
            }
        }
    }
}
