//! The opinion map and the consensus map as standalone SVG, shared by the CLI and the
//! browser so both export the same picture.
//!
//! Nothing personal is drawn: participants are anonymous dots coloured by group. Numbers
//! are printed with fixed precision, so the same analysis gives byte-identical files.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::analysis::Analysis;
use crate::escape::xml_text;
use crate::graph::{EdgeKind, NodeKind};
use crate::legend::{group_colour, group_letter, UNGROUPED_COLOUR};
use crate::model::StatementId;

const SIZE: f64 = 600.0;
const MARGIN: f64 = 30.0;

fn header(out: &mut String, title: &str) {
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{SIZE}\" height=\"{SIZE}\" \
         viewBox=\"0 0 {SIZE} {SIZE}\" role=\"img\" aria-label=\"{title}\">"
    );
    let _ = writeln!(out, "<title>{title}</title>");
    let _ = writeln!(out, "<rect width=\"{SIZE}\" height=\"{SIZE}\" fill=\"#ffffff\"/>");
}

/// Maps points into the square canvas, keeping the aspect ratio and centring at 0.
struct Frame {
    scale: f64,
}

impl Frame {
    fn fit(points: impl Iterator<Item = [f64; 2]>) -> Frame {
        let extent = points.fold(0.0f64, |m, p| m.max(p[0].abs()).max(p[1].abs()));
        let half = (SIZE - 2.0 * MARGIN) / 2.0;
        Frame { scale: if extent > 0.0 { half / extent } else { 1.0 } }
    }
    fn x(&self, v: f64) -> f64 {
        SIZE / 2.0 + v * self.scale
    }
    /// SVG's y grows downward; the map's grows upward.
    fn y(&self, v: f64) -> f64 {
        SIZE / 2.0 - v * self.scale
    }
}

/// Participants as dots coloured by group, with each group's letter at its centre.
pub fn opinion_map(analysis: &Analysis) -> String {
    let mut out = String::new();
    header(&mut out, "Opinion map");
    let f = Frame::fit(analysis.participants.iter().map(|p| p.position));
    let _ = writeln!(
        out,
        "<g stroke=\"#dddddd\" stroke-width=\"1\"><line x1=\"{MARGIN}\" y1=\"{c}\" x2=\"{e}\" y2=\"{c}\"/>\
         <line x1=\"{c}\" y1=\"{MARGIN}\" x2=\"{c}\" y2=\"{e}\"/></g>",
        c = SIZE / 2.0,
        e = SIZE - MARGIN
    );
    let index_of = |g: u32| analysis.groups.iter().position(|x| x.id == g);
    out.push_str("<g fill-opacity=\"0.7\">\n");
    for p in &analysis.participants {
        let colour = p.group.and_then(index_of).map_or(UNGROUPED_COLOUR, group_colour);
        let _ = writeln!(
            out,
            "<circle cx=\"{:.2}\" cy=\"{:.2}\" r=\"3.5\" fill=\"{colour}\"/>",
            f.x(p.position[0]),
            f.y(p.position[1])
        );
    }
    out.push_str("</g>\n");
    for (i, g) in analysis.groups.iter().enumerate() {
        let (x, y) = (f.x(g.centre[0]), f.y(g.centre[1]));
        let _ = writeln!(
            out,
            "<g><circle cx=\"{x:.2}\" cy=\"{y:.2}\" r=\"14\" fill=\"#ffffff\" stroke=\"{c}\" stroke-width=\"3\"/>\
             <text x=\"{x:.2}\" y=\"{ty:.2}\" text-anchor=\"middle\" font-family=\"sans-serif\" \
             font-size=\"15\" font-weight=\"bold\" fill=\"{c}\">{l}</text></g>",
            c = group_colour(i),
            ty = y + 5.0,
            l = group_letter(i)
        );
    }
    out.push_str("</svg>\n");
    out
}

/// Groups (large, lettered) and statements with their edges; edge opacity is the group's
/// agree probability. Only the statements that tell the story are numbered and linked:
/// consensus (green), bridges (dark diamonds) and each group's representative statements (the
/// group's colour); the rest are faint dots, so a conversation with hundreds of statements
/// still reads. The full graph is in the GraphML/DOT exports.
pub fn consensus_map(analysis: &Analysis) -> String {
    consensus_map_in(analysis, &ConsensusMapWords::ENGLISH)
}

/// The words of the consensus map (its title and the legend's four keys), so a page can draw
/// it in its reader's language; the exported file is in English.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConsensusMapWords {
    pub title: &'static str,
    pub consensus: &'static str,
    pub bridges: &'static str,
    pub typical: &'static str,
    pub other: &'static str,
}

impl ConsensusMapWords {
    pub const ENGLISH: ConsensusMapWords = ConsensusMapWords {
        title: "Consensus map",
        consensus: "every group agrees",
        bridges: "bridges groups",
        typical: "typical of a group (its colour)",
        other: "other statements",
    };
}

/// [`consensus_map`] with the title and legend in `words`.
pub fn consensus_map_in(analysis: &Analysis, words: &ConsensusMapWords) -> String {
    let mut out = String::new();
    header(&mut out, &xml_text(words.title));
    let map = &analysis.map;
    let index_of = |g: u32| analysis.groups.iter().position(|x| x.id == g).unwrap_or(0);
    // Statement → the first group it is representative of.
    let mut typical_of: BTreeMap<StatementId, usize> = BTreeMap::new();
    for (i, g) in analysis.groups.iter().enumerate() {
        for r in &g.representative {
            typical_of.entry(r.statement).or_insert(i);
        }
    }
    let notable = |s: StatementId| {
        map.consensus_core.contains(&s) || map.bridges.contains(&s) || typical_of.contains_key(&s)
    };
    // With two groups the map's layout is a line between them; spread statements
    // sideways by their overall agreement so they can be told apart.
    let spread = analysis.groups.len() <= 2;
    let position = |n: &crate::graph::MapNode| -> [f64; 2] {
        match n.node {
            NodeKind::Statement(s) if spread => {
                let p = analysis.statement(s).map_or(0.5, |x| x.agree_probability);
                [n.position[0] + (p - 0.5) * 1.6, n.position[1]]
            }
            _ => n.position,
        }
    };
    let f = Frame::fit(map.nodes.iter().map(position));
    out.push_str("<g stroke-linecap=\"round\">\n");
    for e in &map.edges {
        let (Some(a), Some(b)) = (map.nodes.get(e.source), map.nodes.get(e.target)) else { continue };
        let (colour, opacity, dash) = match (e.kind, a.node, b.node) {
            (EdgeKind::GroupStatement, NodeKind::Group(g), NodeKind::Statement(s))
            | (EdgeKind::GroupStatement, NodeKind::Statement(s), NodeKind::Group(g)) => {
                if !notable(s) {
                    continue;
                }
                (group_colour(index_of(g)), (e.weight - 0.5).max(0.0) * 1.6, "")
            }
            _ => ("#555555", 0.6, " stroke-dasharray=\"4 3\""),
        };
        if opacity <= 0.02 {
            continue;
        }
        let _ = writeln!(
            out,
            "<line x1=\"{:.2}\" y1=\"{:.2}\" x2=\"{:.2}\" y2=\"{:.2}\" stroke=\"{colour}\" \
             stroke-opacity=\"{:.3}\" stroke-width=\"1.5\"{dash}/>",
            f.x(position(a)[0]),
            f.y(position(a)[1]),
            f.x(position(b)[0]),
            f.y(position(b)[1]),
            opacity.min(1.0)
        );
    }
    out.push_str("</g>\n");
    // Faint statements first, so the numbered ones are drawn over them.
    let statements = map.nodes.iter().filter_map(|n| match n.node {
        NodeKind::Statement(s) => Some((n, s)),
        NodeKind::Group(_) => None,
    });
    let (numbered, faint): (Vec<_>, Vec<_>) = statements.partition(|(_, s)| notable(*s));
    for (n, _) in faint {
        let (x, y) = (f.x(position(n)[0]), f.y(position(n)[1]));
        let _ = writeln!(out, "<circle cx=\"{x:.2}\" cy=\"{y:.2}\" r=\"2.5\" fill=\"#c8c8c8\"/>");
    }
    // Marks first, then labels placed around them so that no two overlap (greedy, in a fixed
    // order: the same analysis gives the same picture).
    let marks: Vec<(f64, f64, StatementId)> =
        numbered.iter().map(|(n, s)| (f.x(position(n)[0]), f.y(position(n)[1]), *s)).collect();
    for &(x, y, s) in &marks {
        if map.bridges.contains(&s) && !map.consensus_core.contains(&s) {
            // A diamond, so a bridge is told from a group's statement by shape, not colour alone.
            let _ = writeln!(
                out,
                "<path d=\"M{x:.2},{t:.2} L{r:.2},{y:.2} L{x:.2},{b:.2} L{l:.2},{y:.2} Z\" fill=\"{BRIDGE}\" \
                 stroke=\"#ffffff\" stroke-width=\"1.5\"/>",
                t = y - 7.5,
                b = y + 7.5,
                l = x - 7.5,
                r = x + 7.5
            );
        } else {
            let colour = if map.consensus_core.contains(&s) {
                CONSENSUS
            } else {
                typical_of.get(&s).map_or("#9e9e9e", |&i| group_colour(i))
            };
            let _ = writeln!(
                out,
                "<circle cx=\"{x:.2}\" cy=\"{y:.2}\" r=\"6\" fill=\"{colour}\" stroke=\"#ffffff\" stroke-width=\"1.5\"/>"
            );
        }
    }
    for (tx, ty, anchor, s) in place_labels(&marks) {
        let _ = writeln!(
            out,
            "<text x=\"{tx:.2}\" y=\"{ty:.2}\" text-anchor=\"{anchor}\" font-family=\"sans-serif\" font-size=\"11\" \
             font-weight=\"bold\" fill=\"#222222\" paint-order=\"stroke\" stroke=\"#ffffff\" stroke-width=\"3\">{s}</text>"
        );
    }
    for n in &map.nodes {
        let NodeKind::Group(g) = n.node else { continue };
        let (x, y) = (f.x(position(n)[0]), f.y(position(n)[1]));
        let i = index_of(g);
        let size = analysis.groups.get(i).map_or(0, |x| x.size);
        let _ = writeln!(
            out,
            "<g><circle cx=\"{x:.2}\" cy=\"{y:.2}\" r=\"18\" fill=\"{c}\"/>\
             <text x=\"{x:.2}\" y=\"{ty:.2}\" text-anchor=\"middle\" font-family=\"sans-serif\" \
             font-size=\"16\" font-weight=\"bold\" fill=\"#ffffff\">{l}</text>\
             <text x=\"{sx:.2}\" y=\"{ty:.2}\" font-family=\"sans-serif\" \
             font-size=\"11\" fill=\"#333333\">{size}</text></g>",
            c = group_colour(i),
            ty = y + 5.5,
            sx = x + 22.0,
            l = group_letter(i)
        );
    }
    legend(&mut out, words);
    out.push_str("</svg>\n");
    out
}

const CONSENSUS: &str = "#2e7d32";
const BRIDGE: &str = "#212121";

/// The box (x0, y0, x1, y1) of an 11 px label `width` wide, drawn at (tx, ty) with `anchor`.
fn label_box(tx: f64, ty: f64, anchor: &str, width: f64) -> [f64; 4] {
    let x0 = match anchor {
        "start" => tx,
        "end" => tx - width,
        _ => tx - width / 2.0,
    };
    [x0, ty - 10.0, x0 + width, ty + 1.0]
}

/// Label boxes for statement numbers (11 px bold digits): beside the mark, else on the other
/// side, above, below, or further out, whichever first overlaps no other label or mark.
/// Returns (x, y, text-anchor, statement) per mark.
fn place_labels(marks: &[(f64, f64, StatementId)]) -> Vec<(f64, f64, &'static str, StatementId)> {
    type Box4 = [f64; 4];
    let overlaps = |a: &Box4, b: &Box4| a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
    let mut taken: Vec<Box4> = marks.iter().map(|&(x, y, _)| [x - 6.0, y - 6.0, x + 6.0, y + 6.0]).collect();
    let mut order: Vec<usize> = (0..marks.len()).collect();
    order.sort_by(|&a, &b| marks[a].1.total_cmp(&marks[b].1).then(marks[a].0.total_cmp(&marks[b].0)));
    let mut out = vec![(0.0, 0.0, "start", 0); marks.len()];
    for i in order {
        let (x, y, s) = marks[i];
        let w = 7.0 * s.to_string().len() as f64;
        // (text x, baseline y, anchor); the box is computed from them.
        let mut candidates = vec![
            (x + 8.0, y + 4.0, "start"),
            (x - 8.0, y + 4.0, "end"),
            (x, y - 9.0, "middle"),
            (x, y + 17.0, "middle"),
        ];
        for k in 1..=4 {
            let d = 11.0 * k as f64;
            candidates.extend([(x + 8.0, y + 4.0 + d, "start"), (x + 8.0, y + 4.0 - d, "start")]);
            candidates.extend([(x - 8.0, y + 4.0 + d, "end"), (x - 8.0, y + 4.0 - d, "end")]);
        }
        let boxed = |&(tx, ty, anchor): &(f64, f64, &str)| label_box(tx, ty, anchor, w);
        let inside = |b: &Box4| b[0] >= 0.0 && b[1] >= 0.0 && b[2] <= SIZE && b[3] <= SIZE;
        let pick = candidates
            .iter()
            .find(|c| {
                let b = boxed(c);
                inside(&b) && !taken.iter().any(|t| overlaps(&b, t))
            })
            .unwrap_or(&candidates[0]);
        taken.push(boxed(pick));
        out[i] = (pick.0, pick.1, pick.2, s);
    }
    out
}

/// The key, in the bottom-left corner (no dot is drawn there: the frame keeps a margin).
fn legend(out: &mut String, words: &ConsensusMapWords) {
    let keys = [
        (CONSENSUS, words.consensus, false),
        (BRIDGE, words.bridges, true),
        ("#6a6a6a", words.typical, false),
        ("#c8c8c8", words.other, false),
    ];
    for (row, (colour, text, diamond)) in keys.iter().enumerate() {
        let y = SIZE - 10.0 - 13.0 * (keys.len() - 1 - row) as f64;
        let cy = y - 3.5;
        if *diamond {
            let _ = write!(
                out,
                "<path d=\"M12,{t:.2} L17,{cy:.2} L12,{b:.2} L7,{cy:.2} Z\" fill=\"{colour}\"/>",
                t = cy - 5.0,
                b = cy + 5.0
            );
        } else {
            let _ = write!(out, "<circle cx=\"12\" cy=\"{cy:.2}\" r=\"4\" fill=\"{colour}\"/>");
        }
        let _ = writeln!(
            out,
            "<text x=\"20\" y=\"{y:.2}\" font-family=\"sans-serif\" font-size=\"10\" fill=\"#333333\">{text}</text>",
            text = xml_text(text)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph_export::tests::small_analysis;

    #[test]
    fn maps_are_deterministic_and_draw_every_participant_and_node() {
        let a = small_analysis();
        let m = opinion_map(&a);
        assert_eq!(m, opinion_map(&a));
        assert!(m.starts_with("<svg") && m.trim_end().ends_with("</svg>"));
        assert_eq!(m.matches("r=\"3.5\"").count(), a.participants.len());
        let c = consensus_map(&a);
        assert_eq!(c, consensus_map(&a));
        // Every node (circles, bridges as diamonds), plus the legend's four keys.
        assert_eq!(c.matches("<circle").count() + c.matches("<path").count(), a.map.nodes.len() + 4);
    }

    #[test]
    fn consensus_map_speaks_the_words_it_is_given() {
        let a = small_analysis();
        assert_eq!(consensus_map(&a), consensus_map_in(&a, &ConsensusMapWords::ENGLISH));
        let words = ConsensusMapWords {
            title: "Peta <mufakat>",
            consensus: "semua kelompok setuju",
            bridges: "menjembatani kelompok",
            typical: "khas satu kelompok",
            other: "pernyataan lain",
        };
        let c = consensus_map_in(&a, &words);
        assert!(c.contains(">semua kelompok setuju</text>") && c.contains(">pernyataan lain</text>"));
        assert!(c.contains("<title>Peta &lt;mufakat&gt;</title>"), "escaped");
        assert!(!c.contains("every group agrees"));
    }

    #[test]
    fn statement_labels_do_not_overlap_where_there_is_room() {
        // Six marks crowded within a few pixels, as consensus statements often are.
        let marks: Vec<(f64, f64, StatementId)> =
            (0..6).map(|i| (300.0 + i as f64, 300.0 + 2.0 * i as f64, 10 + i)).collect();
        let placed = place_labels(&marks);
        assert_eq!(placed, place_labels(&marks), "deterministic");
        // Two-digit labels, 14 px wide.
        let boxes: Vec<[f64; 4]> =
            placed.iter().map(|&(x, y, anchor, _)| label_box(x, y, anchor, 14.0)).collect();
        for (i, a) in boxes.iter().enumerate() {
            for b in &boxes[i + 1..] {
                let overlap = a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
                assert!(!overlap, "{a:?} overlaps {b:?}");
            }
        }
    }
}
