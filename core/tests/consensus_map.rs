#![cfg(not(target_arch = "wasm32"))]
//! The consensus map's promises, on a conversation with planted groups and statements that
//! every group agrees with: what the consensus core and the bridges mean, where the layout puts
//! statements, and that the petgraph form is the same graph.

use mufakat_core::graph::{EdgeKind, NodeKind, CORE_AGREE};
use mufakat_core::repness::Direction;
use mufakat_core::synthetic::planted;
use mufakat_core::{analyse, Analysis, AnalysisInput, AnalysisParams, StatementId};

fn analysis(groups: u32, seed: u64) -> Analysis {
    let p = planted(450, 40, groups, 30, seed);
    let input = AnalysisInput { votes: &p.votes, statements: &p.statements };
    analyse(&input, &AnalysisParams::default().seed(seed), None).expect("analysis")
}

fn position(a: &Analysis, node: NodeKind) -> [f64; 2] {
    a.map.nodes.iter().find(|n| n.node == node).expect("node on the map").position
}

/// Each group's agree probability for `s`, read off the map's group–statement edges.
fn agree_weights(a: &Analysis, s: StatementId) -> Vec<f64> {
    let idx = a.map.nodes.iter().position(|n| n.node == NodeKind::Statement(s)).expect("statement node");
    a.map
        .edges
        .iter()
        .filter(|e| e.kind == EdgeKind::GroupStatement && (e.source == idx || e.target == idx))
        .map(|e| e.weight)
        .collect()
}

fn radius(p: [f64; 2]) -> f64 {
    (p[0] * p[0] + p[1] * p[1]).sqrt()
}

#[test]
fn the_consensus_core_is_what_every_group_agrees_with() {
    for (groups, seed) in [(2, 11), (3, 12)] {
        let a = analysis(groups, seed);
        let k = a.groups.len();
        assert!(k >= 2, "planted groups found ({k})");
        // A fifth of the planted statements are agreed by everyone: the core finds them.
        assert!(a.map.consensus_core.len() >= 4, "core {:?}", a.map.consensus_core);
        for &s in &a.map.consensus_core {
            let w = agree_weights(&a, s);
            assert_eq!(w.len(), k, "statement {s} has an edge to every group");
            assert!(w.iter().all(|&p| p >= CORE_AGREE), "statement {s}: {w:?}");
            assert!(!a.map.bridges.contains(&s), "statement {s} is core and bridge at once");
        }
        // And nothing outside the core has every group above the threshold.
        for n in &a.map.nodes {
            let NodeKind::Statement(s) = n.node else { continue };
            let w = agree_weights(&a, s);
            if w.len() == k && w.iter().all(|&p| p >= CORE_AGREE) {
                assert!(a.map.consensus_core.contains(&s), "statement {s} ({w:?}) left out of the core");
            }
        }
    }
}

#[test]
fn consensus_sits_in_the_middle_and_group_statements_near_their_group() {
    let a = analysis(3, 21);
    let core: Vec<f64> =
        a.map.consensus_core.iter().map(|&s| radius(position(&a, NodeKind::Statement(s)))).collect();
    let mean_core = core.iter().sum::<f64>() / core.len() as f64;
    let mut typical = Vec::new();
    for g in &a.groups {
        let here = position(&a, NodeKind::Group(g.id));
        for r in g.representative.iter().filter(|r| r.direction == Direction::Agree) {
            if a.map.consensus_core.contains(&r.statement) {
                continue;
            }
            let p = position(&a, NodeKind::Statement(r.statement));
            typical.push(radius(p));
            // Nearer its own group than any other group.
            let d = |q: [f64; 2]| ((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2)).sqrt();
            let own = d(here);
            for other in a.groups.iter().filter(|o| o.id != g.id) {
                let o = d(position(&a, NodeKind::Group(other.id)));
                assert!(
                    own < o,
                    "statement {} is typical of group {} but nearer group {}",
                    r.statement,
                    g.id,
                    other.id
                );
            }
        }
    }
    assert!(!typical.is_empty(), "groups have agree-representative statements");
    let mean_typical = typical.iter().sum::<f64>() / typical.len() as f64;
    assert!(mean_core < 0.5 * mean_typical, "core radius {mean_core:.3} vs typical {mean_typical:.3}");
}

#[test]
fn the_layout_is_deterministic_and_the_petgraph_form_is_the_same_graph() {
    let (a, b) = (analysis(3, 31), analysis(3, 31));
    assert_eq!(a.map, b.map);
    let g = a.map.to_graph();
    assert_eq!(g.node_count(), a.map.nodes.len());
    assert_eq!(g.edge_count(), a.map.edges.len());
    let k = a.groups.len();
    let statements = a.map.nodes.iter().filter(|n| matches!(n.node, NodeKind::Statement(_))).count();
    let group_edges = a.map.edges.iter().filter(|e| e.kind == EdgeKind::GroupStatement).count();
    assert_eq!(group_edges, k * statements, "one edge per group and statement");
    for e in &a.map.edges {
        assert!((0.0..=1.0).contains(&e.weight) && (0.0..=1.0).contains(&e.disagree_weight), "{e:?}");
        if e.kind == EdgeKind::GroupStatement {
            assert!(e.weight + e.disagree_weight <= 1.0 + 1e-9, "{e:?}");
        } else {
            // Co-vote edges join two statements.
            let both = [e.source, e.target].map(|i| matches!(a.map.nodes[i].node, NodeKind::Statement(_)));
            assert_eq!(both, [true, true], "{e:?}");
        }
    }
}
