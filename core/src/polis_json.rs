//! Pol.is's API JSON, as red-dwarf and other tools save a live conversation: `votes.json`,
//! `comments.json` and `conversation.json` (the math blob `math-pca2.json` is read
//! elsewhere). Read into the same [`PolisExport`] as the CSV export, by
//! [`crate::polis_csv::read_polis_files`].
//!
//! Field names as the API gives them, in both generations: `statement_id` / `tid`,
//! `participant_id` / `pid`, `moderated` / `mod`. Times are milliseconds since 1970
//! (`modified`) or ISO 8601 (`created`). Errors name the file and, for a record, its
//! position in the file's list (1-based), so malformed input never panics.

use serde::Deserialize;

use crate::model::{Moderation, ParticipantId, StatementId, Vote};
use crate::polis_csv::{PolisComment, PolisCsvError, PolisSettings, PolisVote};

fn json_err(file: &str, e: &serde_json::Error) -> PolisCsvError {
    let message = match e.classify() {
        serde_json::error::Category::Eof => {
            format!("the JSON ends early, at line {} column {} (the file is cut short)", e.line(), e.column())
        }
        serde_json::error::Category::Io => format!("could not be read: {e}"),
        _ => format!("not the Pol.is API's JSON: {e}"),
    };
    PolisCsvError { file: file.to_string(), line: 0, column: None, message }
}

fn record_err(file: &str, what: &str, index: usize, message: impl Into<String>) -> PolisCsvError {
    PolisCsvError {
        file: file.to_string(),
        line: 0,
        column: None,
        message: format!("{what} {} (of the list): {}", index + 1, message.into()),
    }
}

/// A number the API writes as an integer, a float (`1691740361800.0`) or a string.
#[derive(Deserialize)]
#[serde(untagged)]
enum Num {
    Int(i64),
    Float(f64),
    Text(String),
}

impl Num {
    fn as_i64(&self) -> Option<i64> {
        match self {
            Num::Int(i) => Some(*i),
            Num::Float(f) if f.is_finite() && f.fract() == 0.0 => Some(*f as i64),
            Num::Float(_) => None,
            Num::Text(s) => s.trim().parse::<i64>().ok().or_else(|| {
                let f: f64 = s.trim().parse().ok()?;
                (f.is_finite() && f.fract() == 0.0).then_some(f as i64)
            }),
        }
    }
}

#[derive(Deserialize)]
struct JsonVote {
    #[serde(alias = "pid")]
    participant_id: Option<i64>,
    #[serde(alias = "tid")]
    statement_id: Option<i64>,
    vote: Option<Num>,
    modified: Option<Num>,
}

#[derive(Deserialize)]
struct JsonComment {
    #[serde(alias = "tid")]
    statement_id: Option<i64>,
    txt: Option<String>,
    #[serde(alias = "pid")]
    participant_id: Option<i64>,
    #[serde(alias = "mod")]
    moderated: Option<i64>,
    is_meta: Option<bool>,
    is_seed: Option<bool>,
    created: Option<Num>,
    agree_count: Option<u32>,
    disagree_count: Option<u32>,
}

#[derive(Deserialize)]
struct JsonConversation {
    topic: Option<String>,
    description: Option<String>,
    conversation_id: Option<String>,
    strict_moderation: Option<bool>,
    /// 1: participants may write statements; 0: they may not.
    write_type: Option<i64>,
    is_active: Option<bool>,
}

fn id<T: TryFrom<i64>>(
    v: Option<i64>,
    file: &str,
    what: &str,
    index: usize,
    field: &str,
) -> Result<T, PolisCsvError> {
    let v = v.ok_or_else(|| record_err(file, what, index, format!("has no `{field}`")))?;
    T::try_from(v).map_err(|_| record_err(file, what, index, format!("`{field}` {v} is not a valid id")))
}

/// Milliseconds since 1970 from a number or an ISO 8601 time (`2023-08-11T06:33:28.174000Z`).
fn millis(n: &Num) -> Option<i64> {
    n.as_i64().or_else(|| match n {
        Num::Text(s) => iso_millis(s),
        _ => None,
    })
}

/// `YYYY-MM-DDTHH:MM:SS[.fff…](Z|±HH:MM)` as milliseconds since 1970.
fn iso_millis(s: &str) -> Option<i64> {
    let s = s.trim();
    let num = |a: usize, b: usize| -> Option<i64> { s.get(a..b)?.parse().ok() };
    let (y, mo, d) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (h, mi, sec) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    if !matches!(s.as_bytes().get(10), Some(b'T' | b' ')) {
        return None;
    }
    let mut rest = s.get(19..)?;
    let mut ms = 0i64;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        let mut scaled: String = frac[..digits].chars().take(3).collect();
        while scaled.len() < 3 {
            scaled.push('0');
        }
        ms = scaled.parse().ok()?;
        rest = &frac[digits..];
    }
    let offset_min = match rest {
        "" | "Z" | "z" => 0,
        o if o.len() == 6 && matches!(o.as_bytes()[0], b'+' | b'-') => {
            let sign = if o.starts_with('-') { -1 } else { 1 };
            sign * (o.get(1..3)?.parse::<i64>().ok()? * 60 + o.get(4..6)?.parse::<i64>().ok()?)
        }
        _ => return None,
    };
    // Days since 1970-01-01 (proleptic Gregorian; Howard Hinnant's days_from_civil).
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if mo > 2 { mo - 3 } else { mo + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 24 + h) * 60 + mi) * 60_000 + sec * 1000 + ms - offset_min * 60_000)
}

/// Parses comments.json (a list of the API's comment objects).
pub fn parse_comments_json(text: &str) -> Result<Vec<PolisComment>, PolisCsvError> {
    const F: &str = "comments.json";
    let rows: Vec<JsonComment> = serde_json::from_str(text).map_err(|e| json_err(F, &e))?;
    let mut out = Vec::with_capacity(rows.len());
    for (i, c) in rows.into_iter().enumerate() {
        let moderation = match c.moderated {
            None => Moderation::Pending,
            Some(v) => i8::try_from(v)
                .ok()
                .and_then(Moderation::from_value)
                .ok_or_else(|| record_err(F, "comment", i, format!("`moderated` {v} is not -1, 0 or 1")))?,
        };
        let author = match c.participant_id {
            None => None,
            some => Some(id::<ParticipantId>(some, F, "comment", i, "participant_id")?),
        };
        out.push(PolisComment {
            timestamp: c.created.as_ref().and_then(millis),
            datetime: None,
            id: id::<StatementId>(c.statement_id, F, "comment", i, "statement_id")?,
            author,
            agrees: c.agree_count,
            disagrees: c.disagree_count,
            moderation,
            is_meta: c.is_meta.unwrap_or(false),
            is_seed: c.is_seed.unwrap_or(false),
            body: c.txt.unwrap_or_default(),
        });
    }
    Ok(out)
}

/// Parses votes.json (a list of the API's vote objects), in the order of `modified`
/// (stable, so the file's order decides ties and votes without a time).
pub fn parse_votes_json(text: &str) -> Result<Vec<PolisVote>, PolisCsvError> {
    const F: &str = "votes.json";
    let rows: Vec<JsonVote> = serde_json::from_str(text).map_err(|e| json_err(F, &e))?;
    let mut out = Vec::with_capacity(rows.len());
    for (i, v) in rows.into_iter().enumerate() {
        let value = v.vote.as_ref().and_then(Num::as_i64);
        let vote = value
            .and_then(|x| i8::try_from(x).ok())
            .and_then(Vote::from_value)
            .ok_or_else(|| record_err(F, "vote", i, "`vote` is not 1, 0 or -1"))?;
        out.push(PolisVote {
            timestamp: v.modified.as_ref().and_then(millis),
            statement: id(v.statement_id, F, "vote", i, "statement_id")?,
            participant: id(v.participant_id, F, "vote", i, "participant_id")?,
            vote,
        });
    }
    out.sort_by_key(|v| v.timestamp.unwrap_or(i64::MIN));
    Ok(out)
}

/// conversation.json: the summary rows it gives (topic, url, description) and the settings
/// that matter to the analysis and to an import.
pub fn parse_conversation_json(text: &str) -> Result<(Vec<(String, String)>, PolisSettings), PolisCsvError> {
    const F: &str = "conversation.json";
    let c: JsonConversation = serde_json::from_str(text).map_err(|e| json_err(F, &e))?;
    let mut summary = vec![("topic".to_string(), c.topic.unwrap_or_default())];
    if let Some(id) = c.conversation_id.filter(|s| !s.is_empty()) {
        summary.push(("url".into(), format!("https://pol.is/{id}")));
    }
    summary.push(("conversation-description".into(), c.description.unwrap_or_default()));
    let settings = PolisSettings {
        strict_moderation: c.strict_moderation.unwrap_or(false),
        allow_statements: c.write_type.is_none_or(|w| w != 0),
        open: c.is_active.unwrap_or(true),
    };
    Ok((summary, settings))
}

/// Whether the votes use the database's sign (agree = −1) rather than the export's
/// (agree = +1), judged against the comments' own `agree_count`s: `None` when the
/// comments carry no counts or both readings fit equally.
pub fn flipped_sign(comments: &[PolisComment], votes: &[PolisVote]) -> Option<bool> {
    let agrees: u64 = comments.iter().filter_map(|c| c.agrees).map(u64::from).sum();
    let disagrees: u64 = comments.iter().filter_map(|c| c.disagrees).map(u64::from).sum();
    if comments.iter().all(|c| c.agrees.is_none()) {
        return None;
    }
    let plus = votes.iter().filter(|v| v.vote == Vote::Agree).count() as u64;
    let minus = votes.iter().filter(|v| v.vote == Vote::Disagree).count() as u64;
    let as_is = agrees.abs_diff(plus) + disagrees.abs_diff(minus);
    let flipped = agrees.abs_diff(minus) + disagrees.abs_diff(plus);
    match as_is.cmp(&flipped) {
        std::cmp::Ordering::Less => Some(false),
        std::cmp::Ordering::Greater => Some(true),
        std::cmp::Ordering::Equal => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_times_are_read_as_milliseconds() {
        assert_eq!(iso_millis("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(iso_millis("2023-08-11T06:33:28.174000Z"), Some(1_691_735_608_174));
        assert_eq!(iso_millis("2023-08-11T08:33:28.174+02:00"), Some(1_691_735_608_174));
        assert_eq!(iso_millis("yesterday"), None);
    }

    #[test]
    fn both_generations_of_field_names_are_read() {
        let old = r#"[{"tid":3,"pid":1,"txt":"Bike lanes on every road","mod":-1,"is_meta":false,"created":"1500000000000"}]"#;
        let new = r#"[{"statement_id":3,"participant_id":1,"txt":"Bike lanes on every road","moderated":-1,"is_meta":true,"active":true}]"#;
        let (o, n) = (parse_comments_json(old).unwrap(), parse_comments_json(new).unwrap());
        assert_eq!((o[0].id, o[0].author, o[0].moderation), (3, Some(1), Moderation::Rejected));
        assert_eq!(o[0].timestamp, Some(1_500_000_000_000));
        assert!(n[0].is_meta && !o[0].is_meta);
        let v = parse_votes_json(r#"[{"pid":2,"tid":3,"vote":-1,"modified":20.0},{"participant_id":2,"statement_id":4,"vote":1,"modified":10}]"#).unwrap();
        assert_eq!((v[0].statement, v[0].vote), (4, Vote::Agree), "sorted by time");
        assert_eq!((v[1].participant, v[1].vote), (2, Vote::Disagree));
    }

    #[test]
    fn a_cut_short_file_says_so() {
        let e = parse_votes_json(r#"[{"pid":2,"tid":3,"vote":-1},{"pid":2,"ti"#).unwrap_err();
        assert_eq!(e.file, "votes.json");
        assert!(e.to_string().contains("ends early"), "{e}");
        let e = parse_votes_json(r#"[{"pid":2,"tid":3,"vote":7}]"#).unwrap_err();
        assert_eq!(e.to_string(), "votes.json: vote 1 (of the list): `vote` is not 1, 0 or -1");
        let e = parse_comments_json(r#"{"txt":"not a list"}"#).unwrap_err();
        assert!(e.to_string().starts_with("comments.json: not the Pol.is API's JSON"), "{e}");
    }
}
