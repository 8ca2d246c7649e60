//! A quick tally of a vote list: how many participants, statements and votes of each kind.
//! Cheap enough to run on every update in the browser.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::model::{ParticipantId, StatementId, Vote, VoteRecord};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VoteSummary {
    pub participants: usize,
    pub statements: usize,
    pub votes: usize,
    pub agree: usize,
    pub disagree: usize,
    pub pass: usize,
}

/// Tallies current votes: a later record for the same (participant, statement) replaces
/// an earlier one, as everywhere in mufakat.
pub fn summarise(records: &[VoteRecord]) -> VoteSummary {
    let mut latest: BTreeMap<(ParticipantId, StatementId), Vote> = BTreeMap::new();
    for r in records {
        latest.insert((r.participant, r.statement), r.vote);
    }
    let mut s = VoteSummary { votes: latest.len(), ..Default::default() };
    let mut participants = HashSet::new();
    let mut statements = HashSet::new();
    for (&(p, st), &v) in &latest {
        participants.insert(p);
        statements.insert(st);
        match v {
            Vote::Agree => s.agree += 1,
            Vote::Disagree => s.disagree += 1,
            Vote::Pass => s.pass += 1,
        }
    }
    s.participants = participants.len();
    s.statements = statements.len();
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(p: u32, s: u32, vote: Vote) -> VoteRecord {
        VoteRecord { participant: p, statement: s, vote }
    }

    #[test]
    fn latest_vote_wins_in_the_tally() {
        let s = summarise(&[rec(0, 0, Vote::Agree), rec(0, 0, Vote::Disagree), rec(1, 0, Vote::Pass)]);
        assert_eq!((s.participants, s.statements, s.votes), (2, 1, 2));
        assert_eq!((s.agree, s.disagree, s.pass), (0, 1, 1));
    }

    #[test]
    fn empty_list_gives_zeros() {
        assert_eq!(summarise(&[]), VoteSummary::default());
    }
}
