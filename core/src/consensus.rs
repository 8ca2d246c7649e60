//! Consensus across the whole conversation.
//!
//! * Global consensus (A.10 of `shared/spec/polis-math.md`, `select-consensus-comments`):
//!   over every participant, statements with pa > ½ and pat > 1.2816, ranked by pa·pat,
//!   top 5; the same with disagrees.
//! * Group-informed consensus (A.11): GIC(j) = Π_g (A_g + 1)/(S_g + 2), and the disagree
//!   analogue. It shrinks with the number of groups, so values are comparable only
//!   between runs with the same k.

use serde::{Deserialize, Serialize};

use crate::matrix::ColumnTally;
use crate::repness::{prop_test, smoothed, Z90};

/// Statements per direction in the consensus lists.
pub const CONSENSUS_MAX: usize = 5;

/// A statement in a consensus list (`col` is the matrix column).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConsensusPick {
    pub col: usize,
    pub p: f64,
    pub z: f64,
}

/// Global agree and disagree lists over `tallies` (all participants), skipping excluded columns.
pub fn global_consensus(
    tallies: &[ColumnTally],
    excluded: &[bool],
) -> (Vec<ConsensusPick>, Vec<ConsensusPick>) {
    let pick = |agree: bool| {
        let mut v: Vec<ConsensusPick> = tallies
            .iter()
            .enumerate()
            .filter(|(c, _)| !excluded[*c])
            .filter_map(|(col, t)| {
                let n = if agree { t.agree } else { t.disagree };
                let p = smoothed(n, t.seen);
                let z = prop_test(n, t.seen);
                (p > 0.5 && z > Z90).then_some(ConsensusPick { col, p, z })
            })
            .collect();
        v.sort_by(|a, b| (b.p * b.z).total_cmp(&(a.p * a.z)).then(a.col.cmp(&b.col)));
        v.truncate(CONSENSUS_MAX);
        v
    };
    (pick(true), pick(false))
}

/// Group-informed consensus (agree, disagree) for one statement from its per-group tallies.
pub fn group_informed(per_group: &[ColumnTally]) -> (f64, f64) {
    if per_group.is_empty() {
        return (0.0, 0.0);
    }
    per_group
        .iter()
        .fold((1.0, 1.0), |(a, d), t| (a * smoothed(t.agree, t.seen), d * smoothed(t.disagree, t.seen)))
}

/// Kind of consensus list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConsensusKind {
    Agree,
    Disagree,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadly_agreed_statement_is_global_consensus() {
        let tallies = [
            ColumnTally { agree: 40, disagree: 2, seen: 45 },
            ColumnTally { agree: 20, disagree: 20, seen: 45 },
            ColumnTally { agree: 1, disagree: 40, seen: 45 },
        ];
        let (a, d) = global_consensus(&tallies, &[false; 3]);
        assert_eq!(a.iter().map(|p| p.col).collect::<Vec<_>>(), vec![0]);
        assert_eq!(d.iter().map(|p| p.col).collect::<Vec<_>>(), vec![2]);
        let (_, d) = global_consensus(&tallies, &[false, false, true]);
        assert!(d.is_empty());
    }

    #[test]
    fn gic_is_the_product_of_smoothed_group_rates() {
        let g =
            [ColumnTally { agree: 8, disagree: 0, seen: 8 }, ColumnTally { agree: 3, disagree: 5, seen: 8 }];
        let (a, _) = group_informed(&g);
        assert!((a - 0.9 * 0.4).abs() < 1e-12);
    }
}
