//! The consensus map as GraphML (Gephi, yEd, networkx) and Graphviz DOT.
//!
//! Both writers are deterministic: nodes and edges in the map's order, numbers printed
//! with fixed precision, so the same analysis gives byte-identical files.

use std::fmt::Write;

use crate::analysis::Analysis;
use crate::escape::{dot_string, xml_text};
use crate::graph::{EdgeKind, NodeKind};
use crate::legend::group_letter;
use crate::model::StatementId;

/// Stable node id: `g<label>` for a group, `s<id>` for a statement.
pub fn node_id(kind: NodeKind) -> String {
    match kind {
        NodeKind::Group(g) => format!("g{g}"),
        NodeKind::Statement(s) => format!("s{s}"),
    }
}

/// Human label: "Group A" (letter by display order) or "#12".
pub fn node_label(analysis: &Analysis, kind: NodeKind) -> String {
    match kind {
        NodeKind::Group(g) => {
            let i = analysis.groups.iter().position(|x| x.id == g).unwrap_or(g as usize);
            format!("Group {}", group_letter(i))
        }
        NodeKind::Statement(s) => format!("#{s}"),
    }
}

fn edge_kind(k: EdgeKind) -> &'static str {
    match k {
        EdgeKind::GroupStatement => "group_statement",
        EdgeKind::CoVote => "co_vote",
    }
}

fn role(analysis: &Analysis, kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Group(_) => "group",
        NodeKind::Statement(s) if analysis.map.consensus_core.contains(&s) => "consensus",
        NodeKind::Statement(s) if analysis.map.bridges.contains(&s) => "bridge",
        NodeKind::Statement(_) => "statement",
    }
}

/// GraphML with node attributes kind, label, text, role, x, y and edge attributes
/// kind, weight (agree probability or co-vote share) and disagree_weight.
pub fn graphml(analysis: &Analysis, text_of: impl Fn(StatementId) -> Option<String>) -> String {
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str("<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n");
    for (id, on, name, ty) in [
        ("d0", "node", "kind", "string"),
        ("d1", "node", "label", "string"),
        ("d2", "node", "text", "string"),
        ("d3", "node", "role", "string"),
        ("d4", "node", "x", "double"),
        ("d5", "node", "y", "double"),
        ("d6", "edge", "kind", "string"),
        ("d7", "edge", "weight", "double"),
        ("d8", "edge", "disagree_weight", "double"),
    ] {
        let _ = writeln!(out, "  <key id=\"{id}\" for=\"{on}\" attr.name=\"{name}\" attr.type=\"{ty}\"/>");
    }
    out.push_str("  <graph id=\"consensus-map\" edgedefault=\"undirected\">\n");
    let map = &analysis.map;
    for n in &map.nodes {
        let kind = match n.node {
            NodeKind::Group(_) => "group",
            NodeKind::Statement(_) => "statement",
        };
        let text = match n.node {
            NodeKind::Statement(s) => text_of(s).unwrap_or_default(),
            NodeKind::Group(g) => {
                let size = analysis.groups.iter().find(|x| x.id == g).map_or(0, |x| x.size);
                format!("{size} participants")
            }
        };
        let _ = writeln!(
            out,
            "    <node id=\"{}\"><data key=\"d0\">{kind}</data><data key=\"d1\">{}</data>\
             <data key=\"d2\">{}</data><data key=\"d3\">{}</data><data key=\"d4\">{:.4}</data>\
             <data key=\"d5\">{:.4}</data></node>",
            node_id(n.node),
            xml_text(&node_label(analysis, n.node)),
            xml_text(&text),
            role(analysis, n.node),
            n.position[0],
            n.position[1]
        );
    }
    for (i, e) in map.edges.iter().enumerate() {
        let (Some(a), Some(b)) = (map.nodes.get(e.source), map.nodes.get(e.target)) else { continue };
        let _ = writeln!(
            out,
            "    <edge id=\"e{i}\" source=\"{}\" target=\"{}\"><data key=\"d6\">{}</data>\
             <data key=\"d7\">{:.4}</data><data key=\"d8\">{:.4}</data></edge>",
            node_id(a.node),
            node_id(b.node),
            edge_kind(e.kind),
            e.weight,
            e.disagree_weight
        );
    }
    out.push_str("  </graph>\n</graphml>\n");
    out
}

/// Graphviz DOT: groups as boxes, statements as ellipses (consensus green, bridges
/// blue), positions pinned (`pos`, for `neato -n`), edges weighted.
pub fn dot(analysis: &Analysis, text_of: impl Fn(StatementId) -> Option<String>) -> String {
    let mut out = String::from("graph consensus_map {\n  graph [overlap=false, splines=true];\n");
    let map = &analysis.map;
    for n in &map.nodes {
        let label = node_label(analysis, n.node);
        let (shape, colour) = match role(analysis, n.node) {
            "group" => ("box", "#0f5c4d"),
            "consensus" => ("ellipse", "#2e7d32"),
            "bridge" => ("ellipse", "#1565c0"),
            _ => ("ellipse", "#777777"),
        };
        let tooltip = match n.node {
            NodeKind::Statement(s) => text_of(s).unwrap_or_default(),
            NodeKind::Group(_) => label.clone(),
        };
        let _ = writeln!(
            out,
            "  {} [label=\"{}\", tooltip=\"{}\", shape={shape}, color=\"{colour}\", pos=\"{:.1},{:.1}!\"];",
            node_id(n.node),
            dot_string(&label),
            dot_string(&tooltip),
            n.position[0] * 300.0 + 0.0,
            n.position[1] * 300.0 + 0.0
        );
    }
    for e in &map.edges {
        let (Some(a), Some(b)) = (map.nodes.get(e.source), map.nodes.get(e.target)) else { continue };
        let style = match e.kind {
            EdgeKind::GroupStatement => "solid",
            EdgeKind::CoVote => "dashed",
        };
        let _ = writeln!(
            out,
            "  {} -- {} [kind={}, weight={:.4}, penwidth={:.2}, style={style}];",
            node_id(a.node),
            node_id(b.node),
            edge_kind(e.kind),
            e.weight,
            0.2 + 2.0 * e.weight
        );
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::{analyse, synthetic, AnalysisInput, AnalysisParams};

    pub(crate) fn small_analysis() -> Analysis {
        let p = synthetic::planted(60, 20, 2, 15, 7);
        let input = AnalysisInput { votes: &p.votes, statements: &p.statements };
        analyse(&input, &AnalysisParams::default(), None).expect("synthetic analysis")
    }

    #[test]
    fn graphml_and_dot_are_well_formed_and_stable() {
        let a = small_analysis();
        let g1 = graphml(&a, |s| Some(format!("statement <{s}> & \"q\"")));
        let g2 = graphml(&a, |s| Some(format!("statement <{s}> & \"q\"")));
        assert_eq!(g1, g2);
        assert!(g1.contains("&lt;") && !g1.contains("<0>"));
        assert_eq!(g1.matches("<node ").count(), a.map.nodes.len());
        assert_eq!(g1.matches("<edge ").count(), a.map.edges.len());
        let d = dot(&a, |_| Some("say \"hi\"".into()));
        assert!(d.starts_with("graph consensus_map {") && d.trim_end().ends_with('}'));
        assert!(d.contains("\\\"hi\\\""));
        assert_eq!(d.matches(" -- ").count(), a.map.edges.len());
    }

    #[test]
    fn hostile_statement_text_keeps_graphml_valid_xml_and_dot_free_of_controls() {
        let a = small_analysis();
        let hostile = |_| Some("x\u{0}\u{7}\u{1B}[2J\u{FFFE}\u{FFFF}\u{85}y</data><script>".to_string());
        let g = graphml(&a, hostile);
        let forbidden = |c: char| {
            ((c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
        };
        assert!(!g.chars().any(forbidden), "GraphML holds a character XML 1.0 forbids");
        assert!(!g.contains("<script>") && g.contains("&lt;/data&gt;&lt;script&gt;"));
        let d = dot(&a, hostile);
        assert!(!d.chars().any(|c| c.is_control() && c != '\n'), "DOT holds a control character");
    }
}
