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

/// Participants, groups and sizes, top representative statements per group, consensus
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
    for (i, g) in analysis.groups.iter().enumerate() {
        let _ = writeln!(out, "\nGroup {} (id {}): {} participants", group_letter(i), g.id, g.size);
        for r in g.representative.iter().take(3) {
            let verb = match r.direction {
                Direction::Agree => "agree",
                Direction::Disagree => "disagree",
            };
            let _ = writeln!(
                out,
                "  {:>3.0}% {verb} (others {:>3.0}%)  {}",
                r.in_group_percent,
                r.out_group_percent,
                label(r.statement)
            );
        }
    }
    if !analysis.consensus.agree.is_empty() || !analysis.consensus.disagree.is_empty() {
        let _ = writeln!(out, "\nConsensus");
        for e in &analysis.consensus.agree {
            let _ = writeln!(out, "  agree    p={:.2}  {}", e.probability, label(e.statement));
        }
        for e in &analysis.consensus.disagree {
            let _ = writeln!(out, "  disagree p={:.2}  {}", e.probability, label(e.statement));
        }
    }
    if !analysis.bridging.is_empty() {
        let _ = writeln!(out, "\nBridging (agreed across the opinion axis)");
        for &id in analysis.bridging.iter().take(5) {
            if let Some(s) = analysis.statement(id) {
                let _ = writeln!(out, "  intercept {:+.2}  {}", s.bridging.intercept, label(id));
            }
        }
    }
    out
}
