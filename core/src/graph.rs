//! The consensus map: a graph of groups and statements, and a deterministic layout.
//!
//! Built with petgraph, then flattened into [`ConsensusMap`] (plain vectors) for serde.
//! * A node per group and per statement that is not left out of the math.
//! * Group–statement edges: `weight` is the group's smoothed agree probability
//!   (A + 1)/(S + 2), `disagree_weight` the disagree one.
//! * Statement–statement edges between "notable" statements (representative, consensus
//!   or bridging; at most [`MAX_NOTABLE`]) that are strongly co-voted: at least
//!   [`MIN_CO_VOTERS`] people voted agree/disagree on both and at least
//!   [`CO_VOTE_AGREEMENT`] of them voted the same way on the two. Weight: that share.
//! * Derived: the consensus core (every group's agree probability ≥ [`CORE_AGREE`]) and
//!   bridges (agreed by ≥ 2 groups but not all, or flagged by the bridging model).
//!
//! Layout: groups on the unit circle in label order, starting at the top; a statement
//! sits at Σ_g (p_g − p̄)·pos_g, so a statement every group agrees with equally sits in
//! the middle and one only a group agrees with moves toward that group; a small fixed
//! golden-angle offset by statement order keeps coincident statements apart.

use std::collections::HashMap;

use crate::cluster::Point;
use crate::matrix::VoteMatrix;
use crate::model::StatementId;
use crate::repness::smoothed;
use crate::result::{Group, StatementScores};
use petgraph::graph::{NodeIndex, UnGraph};
use petgraph::visit::EdgeRef;
// The map's plain types live in `result.rs`; their paths under `graph::` stay as they were.
pub use crate::result::{ConsensusMap, EdgeKind, MapEdge, MapNode, NodeKind};

pub const MAX_NOTABLE: usize = 60;
pub const MIN_CO_VOTERS: u32 = 5;
pub const CO_VOTE_AGREEMENT: f64 = 0.8;
pub const CORE_AGREE: f64 = 0.6;

impl ConsensusMap {
    /// The petgraph form, for graph algorithms on the map.
    pub fn to_graph(&self) -> UnGraph<MapNode, MapEdge> {
        let mut g = UnGraph::with_capacity(self.nodes.len(), self.edges.len());
        let idx: Vec<NodeIndex> = self.nodes.iter().map(|n| g.add_node(*n)).collect();
        for e in &self.edges {
            if let (Some(&a), Some(&b)) = (idx.get(e.source), idx.get(e.target)) {
                g.add_edge(a, b, *e);
            }
        }
        g
    }
}

/// Builds the map from the scored groups and statements.
pub fn build(
    m: &VoteMatrix,
    groups: &[Group],
    statements: &[StatementScores],
    _group_of_row: &[Option<u32>],
) -> ConsensusMap {
    let mut g: UnGraph<MapNode, MapEdge> = UnGraph::default();
    let k = groups.len();
    let group_pos: Vec<Point> = (0..k)
        .map(|i| {
            let angle = std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * i as f64 / k.max(1) as f64;
            let (sin, cos) = crate::portable::sin_cos(angle);
            [cos, sin]
        })
        .collect();
    let group_nodes: Vec<NodeIndex> = groups
        .iter()
        .zip(&group_pos)
        .map(|(gr, &position)| g.add_node(MapNode { node: NodeKind::Group(gr.id), position }))
        .collect();
    let mut statement_nodes: HashMap<StatementId, NodeIndex> = HashMap::new();
    let mut core = Vec::new();
    let mut bridges = Vec::new();
    let golden = std::f64::consts::PI * (3.0 - 5f64.sqrt());
    for (order, s) in statements.iter().filter(|s| !s.excluded).enumerate() {
        let probs: Vec<(f64, f64)> =
            s.groups.iter().map(|t| (smoothed(t.agree, t.seen()), smoothed(t.disagree, t.seen()))).collect();
        let mean = probs.iter().map(|p| p.0).sum::<f64>() / probs.len().max(1) as f64;
        let mut pos = [0.0, 0.0];
        for (p, gp) in probs.iter().zip(&group_pos) {
            pos[0] += (p.0 - mean) * gp[0];
            pos[1] += (p.0 - mean) * gp[1];
        }
        let r = (pos[0] * pos[0] + pos[1] * pos[1]).sqrt();
        if r > 0.9 {
            pos = [pos[0] * 0.9 / r, pos[1] * 0.9 / r];
        }
        let angle = golden * order as f64;
        let (sin, cos) = crate::portable::sin_cos(angle);
        pos[0] += 0.03 * cos;
        pos[1] += 0.03 * sin;
        let node = g.add_node(MapNode { node: NodeKind::Statement(s.id), position: pos });
        statement_nodes.insert(s.id, node);
        for (gi, p) in probs.iter().enumerate() {
            g.add_edge(
                group_nodes[gi],
                node,
                MapEdge {
                    source: 0,
                    target: 0,
                    kind: EdgeKind::GroupStatement,
                    weight: p.0,
                    disagree_weight: p.1,
                },
            );
        }
        let voted_enough = s.groups.iter().all(|t| t.seen() > 0);
        let agreeing = probs.iter().filter(|p| p.0 >= CORE_AGREE).count();
        if k > 0 && voted_enough && agreeing == k {
            core.push(s.id);
        } else if s.bridging.bridging || (k > 2 && agreeing >= 2) {
            bridges.push(s.id);
        }
    }
    // Notable statements, in a fixed order: representative, then core, then bridges.
    let mut notable: Vec<StatementId> = Vec::new();
    for id in groups
        .iter()
        .flat_map(|g| g.representative.iter().map(|r| r.statement))
        .chain(core.iter().copied())
        .chain(bridges.iter().copied())
    {
        if notable.len() < MAX_NOTABLE && !notable.contains(&id) && statement_nodes.contains_key(&id) {
            notable.push(id);
        }
    }
    let slot: HashMap<usize, usize> =
        notable.iter().enumerate().filter_map(|(i, id)| m.statement_col(*id).map(|c| (c, i))).collect();
    let n = notable.len();
    let mut co = vec![0u32; n * n];
    let mut same = vec![0u32; n * n];
    let mut cells: Vec<(usize, i8)> = Vec::new();
    for row in 0..m.n_participants() {
        cells.clear();
        cells.extend(m.row(row).filter(|&(_, v)| v != 0).filter_map(|(c, v)| slot.get(&c).map(|&i| (i, v))));
        for a in 0..cells.len() {
            for b in (a + 1)..cells.len() {
                let (i, j) = (cells[a].0.min(cells[b].0), cells[a].0.max(cells[b].0));
                co[i * n + j] += 1;
                if cells[a].1 == cells[b].1 {
                    same[i * n + j] += 1;
                }
            }
        }
    }
    for i in 0..n {
        for j in (i + 1)..n {
            let c = co[i * n + j];
            if c >= MIN_CO_VOTERS {
                let share = same[i * n + j] as f64 / c as f64;
                if share >= CO_VOTE_AGREEMENT {
                    if let (Some(&a), Some(&b)) =
                        (statement_nodes.get(&notable[i]), statement_nodes.get(&notable[j]))
                    {
                        g.add_edge(
                            a,
                            b,
                            MapEdge {
                                source: 0,
                                target: 0,
                                kind: EdgeKind::CoVote,
                                weight: share,
                                disagree_weight: 0.0,
                            },
                        );
                    }
                }
            }
        }
    }
    let nodes = g.node_weights().copied().collect();
    let edges = g
        .edge_references()
        .map(|e| MapEdge { source: e.source().index(), target: e.target().index(), ..*e.weight() })
        .collect();
    ConsensusMap { nodes, edges, consensus_core: core, bridges }
}
