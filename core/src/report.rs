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

/// A count with its noun, singular for one: "1 participant", "0 votes", "12 groups".
pub fn count(n: u64, one: &str, many: &str) -> String {
    match n {
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
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
        "{} ({} clustered), {}, {}, {} (seed {})",
        count(c.participants as u64, "participant", "participants"),
        c.in_conv,
        count(c.statements as u64, "statement", "statements"),
        count(c.votes as u64, "vote", "votes"),
        count(c.groups as u64, "group", "groups"),
        analysis.seed
    );
    if let Some(st) = &analysis.stability {
        if let Some(line) = near_equal_line(&st.near_equal_k) {
            let _ = writeln!(out, "{line}");
        }
        let chosen: Vec<String> = st
            .k_chosen
            .iter()
            .map(|k| format!("{} in {}", count(k.k as u64, "group", "groups"), k.resamples))
            .collect();
        let _ = writeln!(
            out,
            "Stability over {} of participants: {}",
            count(st.resamples as u64, "resample", "resamples"),
            chosen.join(", ")
        );
    }
    for (i, g) in analysis.groups.iter().enumerate() {
        let sure = match analysis.stability.as_ref().and_then(|s| s.group(g.id)) {
            Some(s) => format!(", {} (Jaccard {:.2})", if s.stable { "stable" } else { "shaky" }, s.jaccard),
            None => String::new(),
        };
        let size = count(u64::from(g.size), "participant", "participants");
        let _ = writeln!(out, "\nGroup {} (id {}): {size}{sure}", group_letter(i), g.id);
        for r in g.representative.iter().take(3) {
            let verb = match r.direction {
                Direction::Agree => "agree",
                Direction::Disagree => "disagree",
            };
            let _ = writeln!(
                out,
                "  {:>3.0}% {verb} (others {:>3.0}%, {} in the group)  {}",
                r.in_group_percent,
                r.out_group_percent,
                count(u64::from(r.group_votes), "vote", "votes"),
                label(r.statement)
            );
        }
    }
    if !analysis.consensus.agree.is_empty() || !analysis.consensus.disagree.is_empty() {
        let _ = writeln!(out, "\nConsensus");
        for e in &analysis.consensus.agree {
            let _ = writeln!(
                out,
                "  agree    p={:.2} ({})  {}",
                e.probability,
                count(u64::from(e.votes), "vote", "votes"),
                label(e.statement)
            );
        }
        for e in &analysis.consensus.disagree {
            let _ = writeln!(
                out,
                "  disagree p={:.2} ({})  {}",
                e.probability,
                count(u64::from(e.votes), "vote", "votes"),
                label(e.statement)
            );
        }
    }
    if !analysis.bridging.is_empty() {
        let _ = writeln!(out, "\nBridging (agreed across the opinion axis)");
        for &id in analysis.bridging.iter().take(5) {
            if let Some(s) = analysis.statement(id) {
                let votes = count(u64::from(s.agree + s.disagree + s.pass), "vote", "votes");
                let _ = writeln!(out, "  intercept {:+.2} ({votes})  {}", s.bridging.intercept, label(id));
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
    fn a_group_of_one_reads_as_one_participant() {
        let conv = planted(40, 10, 2, 10, 1);
        let input = AnalysisInput { votes: &conv.votes, statements: &conv.statements };
        let mut a = analyse(&input, &AnalysisParams::default().stability_resamples(0), None).expect("runs");
        a.counts.participants = 1;
        a.counts.votes = 1;
        a.groups.truncate(1);
        a.groups[0].size = 1;
        a.counts.groups = 1;
        let text = text_summary(&a, |_| None);
        assert!(text.starts_with("1 participant ("), "{text}");
        assert!(text.contains(", 1 vote, 1 group (seed"), "{text}");
        assert!(text.contains("): 1 participant\n"), "{text}");
        let plural_one = |w: &str| text.starts_with(&format!("1 {w}")) || text.contains(&format!(" 1 {w}"));
        assert!(!plural_one("participants") && !plural_one("votes") && !plural_one("groups"), "{text}");
        a.groups[0].size = 2;
        assert!(text_summary(&a, |_| None).contains("): 2 participants\n"));
    }

    #[test]
    fn counts_take_the_singular_for_one_only() {
        assert_eq!(count(0, "vote", "votes"), "0 votes");
        assert_eq!(count(1, "vote", "votes"), "1 vote");
        assert_eq!(count(21, "vote", "votes"), "21 votes");
    }

    #[test]
    fn near_equal_numbers_of_groups_read_as_a_sentence() {
        assert_eq!(near_equal_line(&[2, 3]).as_deref(), Some("2 and 3 groups fit almost equally well"));
        assert_eq!(near_equal_line(&[2, 3, 4]).as_deref(), Some("2, 3 and 4 groups fit almost equally well"));
        assert_eq!(near_equal_line(&[2]), None);
    }
}
