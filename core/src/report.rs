//! A readable terminal summary of an analysis, for `mufakat analyze` and logs.

use std::fmt::Write;

use crate::analysis::Analysis;
use crate::legend::group_letter;
use crate::model::StatementId;
use crate::repness::Direction;

const WIDTH: usize = 90;

fn clip(text: &str) -> String {
    let one_line: String =
        crate::escape::terminal_text(text).split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= WIDTH {
        one_line
    } else {
        let mut s: String = one_line.chars().take(WIDTH - 1).collect();
        s.push('…');
        s
    }
}

/// "2 and 3 groups fit almost equally well" when several k do (`Stability::near_equal_k`).
pub fn near_equal_line(ks: &[usize]) -> Option<String> {
    match ks {
        [] | [_] => None,
        [rest @ .., last] => {
            let rest: Vec<String> = rest.iter().map(|k| k.to_string()).collect();
            Some(format!("{} and {last} groups fit almost equally well", rest.join(", ")))
        }
    }
}

/// Participants, groups and sizes, how sure each group is (stability), top representative statements per group, consensus
/// and bridging statements. `text_of` gives a statement's text (or `None`).
pub fn text_summary(analysis: &Analysis, text_of: impl Fn(StatementId) -> Option<String>) -> String {
    let label = |id: StatementId| match text_of(id) {
        Some(t) => format!("#{id} {}", clip(&t)),
        None => format!("#{id}"),
    };
    let c = &analysis.counts;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} participants ({} clustered), {} statements, {} votes, {} groups (seed {})",
        c.participants, c.in_conv, c.statements, c.votes, c.groups, analysis.seed
    );
    if let Some(st) = &analysis.stability {
        if let Some(line) = near_equal_line(&st.near_equal_k) {
            let _ = writeln!(out, "{line}");
        }
        let chosen: Vec<String> =
            st.k_chosen.iter().map(|k| format!("{} groups in {}", k.k, k.resamples)).collect();
        let _ =
            writeln!(out, "Stability over {} resamples of participants: {}", st.resamples, chosen.join(", "));
    }
    for (i, g) in analysis.groups.iter().enumerate() {
        let sure = match analysis.stability.as_ref().and_then(|s| s.group(g.id)) {
            Some(s) => format!(", {} (Jaccard {:.2})", if s.stable { "stable" } else { "shaky" }, s.jaccard),
            None => String::new(),
        };
        let _ = writeln!(out, "\nGroup {} (id {}): {} participants{sure}", group_letter(i), g.id, g.size);
        for r in g.representative.iter().take(3) {
            let verb = match r.direction {
                Direction::Agree => "agree",
                Direction::Disagree => "disagree",
            };
            let _ = writeln!(
                out,
                "  {:>3.0}% {verb} (others {:>3.0}%, {} votes in the group)  {}",
                r.in_group_percent,
                r.out_group_percent,
                r.group_votes,
                label(r.statement)
            );
        }
    }
    if !analysis.consensus.agree.is_empty() || !analysis.consensus.disagree.is_empty() {
        let _ = writeln!(out, "\nConsensus");
        for e in &analysis.consensus.agree {
            let _ = writeln!(
                out,
                "  agree    p={:.2} ({} votes)  {}",
                e.probability,
                e.votes,
                label(e.statement)
            );
        }
        for e in &analysis.consensus.disagree {
            let _ = writeln!(
                out,
                "  disagree p={:.2} ({} votes)  {}",
                e.probability,
                e.votes,
                label(e.statement)
            );
        }
    }
    if !analysis.bridging.is_empty() {
        let _ = writeln!(out, "\nBridging (agreed across the opinion axis)");
        for &id in analysis.bridging.iter().take(5) {
            if let Some(s) = analysis.statement(id) {
                let votes = s.agree + s.disagree + s.pass;
                let _ =
                    writeln!(out, "  intercept {:+.2} ({votes} votes)  {}", s.bridging.intercept, label(id));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synthetic::planted;
    use crate::{analyse, AnalysisInput, AnalysisParams};

    #[test]
    fn the_summary_says_how_sure_each_group_is() {
        let conv = planted(200, 30, 2, 20, 1);
        let input = AnalysisInput { votes: &conv.votes, statements: &conv.statements };
        let a = analyse(&input, &AnalysisParams::default(), None).expect("analysis runs");
        let text = text_summary(&a, |_| None);
        assert!(text.contains("participants, stable (Jaccard "), "{text}");
        assert!(text.contains("Stability over 40 resamples of participants: 2 groups in"), "{text}");
        let off = analyse(&input, &AnalysisParams::default().stability_resamples(0), None).expect("runs");
        assert!(!text_summary(&off, |_| None).contains("Stability"));
    }

    #[test]
    fn near_equal_numbers_of_groups_read_as_a_sentence() {
        assert_eq!(near_equal_line(&[2, 3]).as_deref(), Some("2 and 3 groups fit almost equally well"));
        assert_eq!(near_equal_line(&[2, 3, 4]).as_deref(), Some("2, 3 and 4 groups fit almost equally well"));
        assert_eq!(near_equal_line(&[2]), None);
    }
}
