//! The domain: conversations hold statements; participants vote on statements.

use serde::{Deserialize, Serialize};

/// A participant's dense index within one conversation (assigned by the store, 0-based).
pub type ParticipantId = u32;
/// A statement's index within one conversation (Pol.is calls it `tid` / `comment-id`).
pub type StatementId = u32;

/// A vote. Agree = +1, disagree = −1, pass = 0 (the Pol.is *export* sign).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Vote {
    Agree,
    Disagree,
    Pass,
}

impl Vote {
    /// The numeric value used in matrices and exports: agree = +1, disagree = −1, pass = 0.
    pub fn value(self) -> i8 {
        match self {
            Vote::Agree => 1,
            Vote::Disagree => -1,
            Vote::Pass => 0,
        }
    }

    /// The inverse of [`Vote::value`]; `None` for anything but −1, 0, +1.
    pub fn from_value(v: i8) -> Option<Vote> {
        match v {
            1 => Some(Vote::Agree),
            -1 => Some(Vote::Disagree),
            0 => Some(Vote::Pass),
            _ => None,
        }
    }
}

/// One vote as the analysis sees it. In a list of records, a later record for the same
/// participant and statement replaces an earlier one (latest vote wins).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoteRecord {
    pub participant: ParticipantId,
    pub statement: StatementId,
    pub vote: Vote,
}

/// Moderation state of a statement: Pol.is `mod` −1 / 0 / 1.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Moderation {
    Rejected,
    #[default]
    Pending,
    Accepted,
}

impl Moderation {
    pub fn value(self) -> i8 {
        match self {
            Moderation::Rejected => -1,
            Moderation::Pending => 0,
            Moderation::Accepted => 1,
        }
    }

    pub fn from_value(v: i8) -> Option<Moderation> {
        match v {
            -1 => Some(Moderation::Rejected),
            0 => Some(Moderation::Pending),
            1 => Some(Moderation::Accepted),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vote_values_round_trip_with_agree_positive() {
        for v in [Vote::Agree, Vote::Disagree, Vote::Pass] {
            assert_eq!(Vote::from_value(v.value()), Some(v));
        }
        assert_eq!(Vote::Agree.value(), 1);
        assert_eq!(Vote::from_value(2), None);
    }

    #[test]
    fn vote_serialises_as_lowercase_word() {
        assert_eq!(serde_json::to_string(&Vote::Agree).unwrap(), "\"agree\"");
    }
}
