//! The opinion map and the consensus map as standalone SVG, shared by the CLI and the
//! browser so both export the same picture.
//!
//! Nothing personal is drawn: participants are anonymous dots coloured by group. Numbers
//! are printed with fixed precision, so the same analysis gives byte-identical files.

use std::fmt::Write;

use crate::analysis::Analysis;
use crate::graph::{EdgeKind, NodeKind};
use crate::polis_csv::group_letter;

/// Group colours by display order: the app's opinion-map palette (each at least 3:1 on
/// white), so the exported maps and the page agree.
pub const GROUP_COLOURS: [&str; 8] =
    ["#1f6fb2", "#b35900", "#6a3d9a", "#11734b", "#a3195b", "#5c6b00", "#00727a", "#8a4b00"];
const UNGROUPED: &str = "#7a8494";
const SIZE: f64 = 600.0;
const MARGIN: f64 = 30.0;

/// Colour of the group with display index `i`.
pub fn group_colour(i: usize) -> &'static str {
    GROUP_COLOURS.get(i).copied().unwrap_or(UNGROUPED)
}

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
        let colour = p.group.and_then(index_of).map_or(UNGROUPED, group_colour);
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
            l = group_letter(i).to_uppercase()
        );
    }
    out.push_str("</svg>\n");
    out
}

/// Groups (large, lettered) and statements (small, numbered) with their edges; edge
/// opacity is the group's agree probability. Consensus statements are green, bridges blue.
pub fn consensus_map(analysis: &Analysis) -> String {
    let mut out = String::new();
    header(&mut out, "Consensus map");
    let map = &analysis.map;
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
    let index_of = |g: u32| analysis.groups.iter().position(|x| x.id == g).unwrap_or(0);
    out.push_str("<g stroke-linecap=\"round\">\n");
    for e in &map.edges {
        let (Some(a), Some(b)) = (map.nodes.get(e.source), map.nodes.get(e.target)) else { continue };
        let (colour, opacity, dash) = match (e.kind, a.node, b.node) {
            (EdgeKind::GroupStatement, NodeKind::Group(g), _)
            | (EdgeKind::GroupStatement, _, NodeKind::Group(g)) => {
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
    for n in &map.nodes {
        let (x, y) = (f.x(position(n)[0]), f.y(position(n)[1]));
        match n.node {
            NodeKind::Group(g) => {
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
                    l = group_letter(i).to_uppercase()
                );
            }
            NodeKind::Statement(s) => {
                let colour = if map.consensus_core.contains(&s) {
                    "#2e7d32"
                } else if map.bridges.contains(&s) {
                    "#1565c0"
                } else {
                    "#9e9e9e"
                };
                let _ = writeln!(
                    out,
                    "<g><circle cx=\"{x:.2}\" cy=\"{y:.2}\" r=\"5\" fill=\"{colour}\"/>\
                     <text x=\"{tx:.2}\" y=\"{ty:.2}\" font-family=\"sans-serif\" font-size=\"9\" \
                     fill=\"#444444\">{s}</text></g>",
                    tx = x + 6.0,
                    ty = y + 3.0
                );
            }
        }
    }
    out.push_str("</svg>\n");
    out
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
        assert_eq!(c.matches("<circle").count(), a.map.nodes.len());
    }
}
