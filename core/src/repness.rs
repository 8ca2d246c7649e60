//! Representative statements per group, as Pol.is `repness.clj` and `stats.clj`
//! (A.8–A.9 of `shared/spec/polis-math.md`): Laplace-smoothed agree/disagree rates with
//! +1 pseudocounts, a one-proportion test against ½, a two-proportion test against the
//! rest of the participants, a 90% one-sided threshold, and Pol.is's selection order
//! (best agree first, up to 5, agrees before disagrees).
//!
//! Counts use agree = +1, disagree = −1, pass = 0; `seen` counts passes too.

use serde::{Deserialize, Serialize};

use crate::matrix::ColumnTally;

/// One-sided 90% critical value (`z-sig-90?`).
pub const Z90: f64 = 1.2816;
/// Representative statements shown per group.
pub const PICK_MAX: usize = 5;

/// Smoothed proportion (n + 1)/(N + 2).
pub fn smoothed(n: u32, seen: u32) -> f64 {
    (n as f64 + 1.0) / (seen as f64 + 2.0)
}

/// One-proportion z-score against ½: 2·sqrt(N+1)·((n+1)/(N+1) − ½).
pub fn prop_test(n: u32, seen: u32) -> f64 {
    let n1 = seen as f64 + 1.0;
    2.0 * n1.sqrt() * ((n as f64 + 1.0) / n1 - 0.5)
}

/// Two-proportion z-score with +1 on all four counts; 0 when the pooled rate is 1.
pub fn two_prop_test(succ_in: u32, n_in: u32, succ_out: u32, n_out: u32) -> f64 {
    let (s1, n1) = (succ_in as f64 + 1.0, n_in as f64 + 1.0);
    let (s2, n2) = (succ_out as f64 + 1.0, n_out as f64 + 1.0);
    let p1 = s1 / n1;
    let p2 = s2 / n2;
    let p = (s1 + s2) / (n1 + n2);
    let var = p * (1.0 - p) * (1.0 / n1 + 1.0 / n2);
    if p >= 1.0 || var <= 0.0 {
        0.0
    } else {
        (p1 - p2) / var.sqrt()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Agree,
    Disagree,
}

/// Repness statistics of one statement for one group.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RepnessStats {
    /// Column index of the statement.
    pub col: usize,
    pub in_group: ColumnTally,
    pub rest: ColumnTally,
    pub pa: f64,
    pub pd: f64,
    pub pat: f64,
    pub pdt: f64,
    pub ra: f64,
    pub rd: f64,
    pub rat: f64,
    pub rdt: f64,
}

impl RepnessStats {
    pub fn new(col: usize, g: ColumnTally, rest: ColumnTally) -> RepnessStats {
        let pa = smoothed(g.agree, g.seen);
        let pd = smoothed(g.disagree, g.seen);
        RepnessStats {
            col,
            in_group: g,
            rest,
            pa,
            pd,
            pat: prop_test(g.agree, g.seen),
            pdt: prop_test(g.disagree, g.seen),
            ra: pa / smoothed(rest.agree, rest.seen),
            rd: pd / smoothed(rest.disagree, rest.seen),
            rat: two_prop_test(g.agree, g.seen, rest.agree, rest.seen),
            rdt: two_prop_test(g.disagree, g.seen, rest.disagree, rest.seen),
        }
    }

    pub fn sufficient(&self) -> bool {
        (self.rat > Z90 && self.pat > Z90) || (self.rdt > Z90 && self.pdt > Z90)
    }

    pub fn direction(&self) -> Direction {
        if self.rat > self.rdt {
            Direction::Agree
        } else {
            Direction::Disagree
        }
    }

    /// repness · repness-test · p-success · p-test, in the statement's direction.
    pub fn metric(&self) -> f64 {
        match self.direction() {
            Direction::Agree => self.ra * self.rat * self.pa * self.pat,
            Direction::Disagree => self.rd * self.rdt * self.pd * self.pdt,
        }
    }

    fn agree_metric(&self) -> f64 {
        self.ra * self.rat * self.pa * self.pat
    }
}

/// Pol.is `beats-best-agr?`.
fn beats_best_agree(s: &RepnessStats, best: Option<&RepnessStats>) -> bool {
    if s.in_group.agree == 0 && s.in_group.disagree == 0 {
        return false;
    }
    match best {
        Some(b) if b.ra > 1.0 => s.agree_metric() > b.agree_metric(),
        Some(b) => s.pa * s.pat > b.pa * b.pat,
        None => s.pat > Z90 || (s.ra > 1.0 && s.pa > 0.5),
    }
}

/// A selected representative statement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Selected {
    pub stats: RepnessStats,
    pub direction: Direction,
}

/// Pol.is's selection for one group over candidate statements (mod-out already removed).
///
/// With `distinctive`, only statements the group agrees with more than the rest (ra > 1) may
/// become the fronted best-agree: Pol.is's `beats-best-agr?` otherwise ends up fronting a
/// consensus statement (83% agree in the group, 84% outside) as what sets the group apart.
pub fn select(candidates: &[RepnessStats], distinctive: bool) -> Vec<Selected> {
    let mut best_agree: Option<&RepnessStats> = None;
    for s in candidates {
        if distinctive && s.ra <= 1.0 {
            continue;
        }
        if beats_best_agree(s, best_agree) {
            best_agree = Some(s);
        }
    }
    let mut sufficient: Vec<&RepnessStats> = candidates.iter().filter(|s| s.sufficient()).collect();
    let tag = |s: &RepnessStats, d: Direction| Selected { stats: *s, direction: d };
    if sufficient.is_empty() {
        if let Some(b) = best_agree {
            return vec![tag(b, Direction::Agree)];
        }
        let best = candidates.iter().fold(None::<&RepnessStats>, |acc, s| match acc {
            Some(a) if a.rat.max(a.rdt) >= s.rat.max(s.rdt) => Some(a),
            _ => Some(s),
        });
        return best.map(|b| vec![tag(b, b.direction())]).unwrap_or_default();
    }
    // Stable sort, descending by metric; ties keep statement order.
    sufficient.sort_by(|a, b| b.metric().total_cmp(&a.metric()));
    let mut picked: Vec<Selected> = Vec::new();
    if let Some(b) = best_agree {
        picked.push(tag(b, Direction::Agree));
    }
    for s in sufficient {
        if picked.len() >= PICK_MAX {
            break;
        }
        if best_agree.is_some_and(|b| b.col == s.col) {
            continue;
        }
        picked.push(tag(s, s.direction()));
    }
    picked.truncate(PICK_MAX);
    // Stable: agrees before disagrees.
    picked.sort_by_key(|s| s.direction != Direction::Agree);
    picked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(agree: u32, disagree: u32, seen: u32) -> ColumnTally {
        ColumnTally { agree, disagree, seen }
    }

    #[test]
    fn formulas_match_the_reference() {
        assert!((smoothed(3, 4) - 4.0 / 6.0).abs() < 1e-12);
        assert!((prop_test(3, 4) - 2.0 * 5f64.sqrt() * (4.0 / 5.0 - 0.5)).abs() < 1e-12);
        assert_eq!(two_prop_test(5, 5, 5, 5), 0.0);
    }

    #[test]
    fn a_statement_the_group_agrees_with_and_the_rest_rejects_is_selected() {
        let strong = RepnessStats::new(0, t(18, 1, 20), t(2, 17, 20));
        let bland = RepnessStats::new(1, t(10, 10, 20), t(10, 10, 20));
        let against = RepnessStats::new(2, t(1, 18, 20), t(17, 2, 20));
        for distinctive in [true, false] {
            let sel = select(&[bland, strong, against], distinctive);
            assert_eq!(
                sel.iter().map(|s| (s.stats.col, s.direction)).collect::<Vec<_>>(),
                vec![(0, Direction::Agree), (2, Direction::Disagree)]
            );
        }
    }

    #[test]
    fn a_statement_everyone_agrees_with_is_fronted_only_in_polis_mode() {
        // Seen first, agreed by nearly all inside and outside: Pol.is's best-agree.
        let everyone = RepnessStats::new(0, t(40, 2, 44), t(80, 4, 88));
        let distinct = RepnessStats::new(1, t(30, 10, 44), t(20, 60, 88));
        let cols = |sel: Vec<Selected>| sel.iter().map(|s| s.stats.col).collect::<Vec<_>>();
        assert_eq!(cols(select(&[everyone, distinct], false)), vec![0, 1]);
        assert_eq!(cols(select(&[everyone, distinct], true)), vec![1]);
    }
}
