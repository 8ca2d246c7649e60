//! Outcomes: what the body that runs a consultation says it will do about what residents
//! said, attached to one statement or to the whole conversation.
//!
//! Routes (the server implements them):
//! - `GET /api/v1/conversations/{id}/outcomes` → `Vec<Outcome>` (public; newest change first)
//! - `GET /api/v1/conversations/{id}/outcomes.atom` (public; the same as an Atom feed)
//! - `POST /api/v1/admin/conversations/{id}/outcomes` [`OutcomeInput`] → [`Outcome`] (201)
//! - `PUT /api/v1/admin/conversations/{id}/outcomes/{outcome}` [`OutcomeInput`] → [`Outcome`]
//! - `DELETE /api/v1/admin/conversations/{id}/outcomes/{outcome}` → 204
//!
//! An outcome names a statement that exists and is not rejected, or none (the whole
//! conversation). An outcome whose statement is rejected later is no longer public.

use serde::{Deserialize, Serialize};

use crate::model::StatementId;

/// An outcome's number, 0, 1, 2 … within its conversation.
pub type OutcomeId = u32;

/// Longest outcome text, in characters once trimmed and NFC-normalised: a short paragraph
/// (a statement is at most [`crate::api::MAX_STATEMENT_CHARS`]; an answer to it needs more).
pub const MAX_OUTCOME_CHARS: usize = 1000;

/// Where an outcome stands. A short fixed list, so residents can compare consultations:
/// - `adopted`: it will be done (say when in the text);
/// - `partly_adopted`: some of it will be done;
/// - `under_study`: no decision yet (say until when);
/// - `not_possible`: it cannot be done (say why);
/// - `no_action`: nothing will be done about it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeStatus {
    Adopted,
    PartlyAdopted,
    UnderStudy,
    NotPossible,
    NoAction,
}

impl OutcomeStatus {
    pub const ALL: [OutcomeStatus; 5] = [
        OutcomeStatus::Adopted,
        OutcomeStatus::PartlyAdopted,
        OutcomeStatus::UnderStudy,
        OutcomeStatus::NotPossible,
        OutcomeStatus::NoAction,
    ];

    /// The wire name (`adopted`, `partly_adopted` …), also the stored value and the CSV's.
    pub fn as_str(self) -> &'static str {
        match self {
            OutcomeStatus::Adopted => "adopted",
            OutcomeStatus::PartlyAdopted => "partly_adopted",
            OutcomeStatus::UnderStudy => "under_study",
            OutcomeStatus::NotPossible => "not_possible",
            OutcomeStatus::NoAction => "no_action",
        }
    }

    pub fn parse(s: &str) -> Option<OutcomeStatus> {
        OutcomeStatus::ALL.into_iter().find(|o| o.as_str() == s)
    }

    /// An English label, for the feed and the CSV (the app has its own, in both languages).
    pub fn label(self) -> &'static str {
        match self {
            OutcomeStatus::Adopted => "Adopted",
            OutcomeStatus::PartlyAdopted => "Partly adopted",
            OutcomeStatus::UnderStudy => "Under study",
            OutcomeStatus::NotPossible => "Not possible",
            OutcomeStatus::NoAction => "No action",
        }
    }
}

/// The body of creating or editing an outcome.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutcomeInput {
    /// The statement it answers (accepted or pending, not rejected); absent or `null` for
    /// the whole conversation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement: Option<StatementId>,
    pub status: OutcomeStatus,
    /// Counted once trimmed and NFC-normalised ([`MAX_OUTCOME_CHARS`]); not blank.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 1000))]
    pub text: String,
    /// The date of the decision, `YYYY-MM-DD` (a real calendar date).
    #[cfg_attr(feature = "openapi", schema(example = "2026-03-01", pattern = r"^\d{4}-\d{2}-\d{2}$"))]
    pub date: String,
}

/// An outcome as everyone sees it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub id: OutcomeId,
    /// The statement it answers; `None` for the whole conversation.
    pub statement: Option<StatementId>,
    /// That statement's text, so a reader (the feed, the CSV) needs nothing else.
    pub statement_text: Option<String>,
    pub status: OutcomeStatus,
    pub text: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// When it was published, in ms since the epoch.
    pub published_at_ms: i64,
    /// When it was last changed (= `published_at_ms` until edited): what a returning
    /// participant compares with the mark their device kept.
    pub updated_at_ms: i64,
}

/// Whether `date` is `YYYY-MM-DD` and a real day of the Gregorian calendar (year 1000 to 9999).
pub fn is_valid_date(date: &str) -> bool {
    let b = date.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |n, &c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
    };
    let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10)) else {
        return false;
    };
    (1000..=9999).contains(&y) && (1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m)
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        2 if (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Milliseconds since the epoch as an RFC 3339 UTC time, `2026-03-01T08:30:00Z` (Atom's
/// date construct).
pub fn rfc3339(ms: i64) -> String {
    let t = UtcTime::from_ms(ms);
    format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", t.year, t.month, t.day, t.hour, t.minute, t.second)
}

/// A UTC calendar time, to the second, from milliseconds since the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UtcTime {
    pub year: i64,
    /// 1 = January.
    pub month: i64,
    pub day: i64,
    pub hour: i64,
    pub minute: i64,
    pub second: i64,
    /// 0 = Sunday.
    pub weekday: i64,
}

impl UtcTime {
    /// Days to civil date by Howard Hinnant's `civil_from_days`.
    pub fn from_ms(ms: i64) -> UtcTime {
        let secs = ms.div_euclid(1000);
        let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
        // 1970-01-01 was a Thursday.
        let weekday = (days + 4).rem_euclid(7);
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        UtcTime {
            year: y,
            month: m,
            day: d,
            hour: rest / 3600,
            minute: rest % 3600 / 60,
            second: rest % 60,
            weekday,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_must_be_real_calendar_days() {
        for ok in ["2026-03-01", "2024-02-29", "2000-02-29", "2026-12-31"] {
            assert!(is_valid_date(ok), "{ok}");
        }
        for bad in [
            "2026-02-29",
            "1900-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-04-31",
            "26-03-01",
            "2026/03/01",
            "",
            "2026-03-1",
            "２０２６-03-01",
            "0999-01-01",
        ] {
            assert!(!is_valid_date(bad), "{bad}");
        }
    }

    #[test]
    fn times_are_written_as_rfc3339_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_772_354_245_999), "2026-03-01T08:37:25Z");
    }

    #[test]
    fn statuses_read_back_from_their_wire_names() {
        for s in OutcomeStatus::ALL {
            assert_eq!(OutcomeStatus::parse(s.as_str()), Some(s));
            let json = serde_json::to_string(&s).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
        }
        assert_eq!(OutcomeStatus::parse("done"), None);
    }
}
