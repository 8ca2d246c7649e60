//! What an analysis returns: [`Analysis`] and the types it is made of, including the
//! consensus map's plain form ([`ConsensusMap`]). Kept apart from the pipeline
//! (`analysis.rs`) and the map's builder (`graph.rs`) so that those two do not import
//! each other: both read and write these types, and this module imports neither.
//!
//! Conventions: agree = +1, disagree = −1, pass = 0; percentages are 0–100; probabilities
//! are 0–1 and Laplace-smoothed where named `p*` (Pol.is's (n + 1)/(N + 2)).

use serde::{Deserialize, Serialize};

use crate::bridging::BridgingScore;
use crate::cluster::{KSmoother, Point};
use crate::model::{ParticipantId, StatementId};
use crate::repness::Direction;

/// Everything the next run needs to keep the map and the groups steady.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WarmStart {
    /// Statement ids of the axes' entries.
    pub statements: Vec<StatementId>,
    pub axes: [Vec<f64>; 2],
    /// Participants admitted to clustering; once in, they stay in (Pol.is).
    pub in_conv: Vec<ParticipantId>,
    pub base_centres: Vec<Point>,
    /// Members of each of `base_centres`, given only by a warm start from Pol.is's math
    /// (`polis_math.rs`): the next run then takes these base clusters as they are
    /// (participants not listed join the nearest) instead of re-running base k-means, so
    /// Pol.is's base clusters, built over its whole update history, carry over exactly.
    /// Empty in our own runs' warm starts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub base_members: Vec<Vec<ParticipantId>>,
    /// Group centres for every k tried, so each k warm-starts from itself.
    pub group_centres: Vec<KCentres>,
    /// The shown groups' labels and centres, to keep labels stable.
    pub groups: Vec<GroupCentre>,
    pub k_smoother: Option<KSmoother>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KCentres {
    pub k: usize,
    pub centres: Vec<Point>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GroupCentre {
    pub id: u32,
    pub centre: Point,
}

/// A participant on the map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParticipantPlacement {
    pub id: ParticipantId,
    pub position: Point,
    pub group: Option<u32>,
    pub in_conv: bool,
    pub votes: u32,
    /// Share of the stability resamples that drew this participant in which they stayed
    /// with their group (0–1); absent when not grouped or stability is off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stays: Option<f64>,
}

/// A statement that characterises a group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Representative {
    pub statement: StatementId,
    pub direction: Direction,
    /// Share of the group voting in `direction`, 0–100, over the group's votes on it.
    pub in_group_percent: f64,
    /// The same share among everyone else who was clustered.
    pub out_group_percent: f64,
    /// Smoothed probability of `direction` in the group.
    pub probability: f64,
    /// Votes of the group's members on the statement, the figures above rest on.
    #[serde(default)]
    pub group_votes: u32,
    /// Pol.is's repness metric (ratio · test · probability · test).
    pub metric: f64,
    /// Two-proportion z against the rest.
    pub z: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub id: u32,
    pub size: u32,
    pub centre: Point,
    pub representative: Vec<Representative>,
}

/// Counts of one statement's votes within one group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupTally {
    pub group: u32,
    pub agree: u32,
    pub disagree: u32,
    pub pass: u32,
}

impl GroupTally {
    pub fn seen(&self) -> u32 {
        self.agree + self.disagree + self.pass
    }
}

/// Every score of one statement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatementScores {
    pub id: StatementId,
    /// Left out of the math (rejected or meta).
    pub excluded: bool,
    pub is_meta: bool,
    /// Current votes over all participants.
    pub agree: u32,
    pub disagree: u32,
    pub pass: u32,
    pub groups: Vec<GroupTally>,
    /// Smoothed whole-population agree probability (A.10).
    pub agree_probability: f64,
    /// Group-informed consensus, agree and disagree (A.11).
    pub gic: f64,
    pub gic_disagree: f64,
    pub bridging: BridgingScore,
    /// Spread of the groups' smoothed agree rates: max − min, 0–1.
    pub divisiveness: f64,
    /// Norm of the statement's projection (A.6).
    pub extremity: f64,
    pub projection: Point,
    /// Routing priority (A.12).
    pub priority: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ConsensusEntry {
    pub statement: StatementId,
    /// Smoothed probability of the direction over everyone.
    pub probability: f64,
    pub z: f64,
    /// Votes on the statement (agree, disagree and pass), the probability rests on.
    #[serde(default)]
    pub votes: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConsensusLists {
    pub agree: Vec<ConsensusEntry>,
    pub disagree: Vec<ConsensusEntry>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KScore {
    pub k: usize,
    pub silhouette: f64,
}

/// How sure the groups are: Hennig's clusterwise bootstrap (`stability.rs`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stability {
    /// Resamples run (B).
    pub resamples: usize,
    /// Per shown group, in `groups` order.
    pub groups: Vec<GroupStability>,
    /// How many resamples chose each k (by k).
    pub k_chosen: Vec<KCount>,
    /// Per k tried: its least stable group's mean Jaccard, and whether it has a
    /// degenerate group (small and not stable), which rules that k out.
    pub k_stability: Vec<KStability>,
    /// The numbers of groups whose silhouettes are within `k_tolerance` of the best, when
    /// there are several: "2 and 3 groups fit almost equally well". Empty otherwise.
    pub near_equal_k: Vec<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GroupStability {
    pub group: u32,
    /// Mean Jaccard similarity of the group to its best match across resamples, 0–1.
    pub jaccard: f64,
    /// `jaccard` at or above `StabilityParams::stable_jaccard` (0.75): "stable", else "shaky".
    pub stable: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KCount {
    pub k: usize,
    pub resamples: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KStability {
    pub k: usize,
    pub min_jaccard: f64,
    pub degenerate: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub participants: usize,
    pub statements: usize,
    pub votes: usize,
    pub in_conv: usize,
    pub groups: usize,
}

/// The result: serialisable for the browser and `analysis.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    pub seed: u64,
    pub counts: Counts,
    pub participants: Vec<ParticipantPlacement>,
    pub groups: Vec<Group>,
    pub statements: Vec<StatementScores>,
    pub consensus: ConsensusLists,
    /// Statements flagged as bridging, best first.
    pub bridging: Vec<StatementId>,
    pub map: ConsensusMap,
    /// Silhouette of every k tried; the k shown is `counts.groups`.
    pub k_scores: Vec<KScore>,
    /// Variance captured by the two axes (eigenvalues of XᵀX).
    pub eigenvalues: [f64; 2],
    /// How sure the groups are; absent when stability is off or nothing was clustered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stability: Option<Stability>,
    pub warm_start: WarmStart,
}

impl Stability {
    /// The stability of group `id`, if measured.
    pub fn group(&self, id: u32) -> Option<&GroupStability> {
        self.groups.iter().find(|g| g.group == id)
    }
}

impl Analysis {
    pub fn statement(&self, id: StatementId) -> Option<&StatementScores> {
        self.statements.iter().find(|s| s.id == id)
    }

    pub fn group_of(&self, participant: ParticipantId) -> Option<u32> {
        self.participants.iter().find(|p| p.id == participant).and_then(|p| p.group)
    }
}

// The consensus map, flattened for serde (built by `graph::build`).

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "lowercase")]
pub enum NodeKind {
    Group(u32),
    Statement(StatementId),
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MapNode {
    pub node: NodeKind,
    pub position: Point,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgeKind {
    GroupStatement,
    CoVote,
}

/// An edge between `nodes[source]` and `nodes[target]`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MapEdge {
    pub source: usize,
    pub target: usize,
    pub kind: EdgeKind,
    pub weight: f64,
    /// For group–statement edges, the disagree probability; 0 otherwise.
    pub disagree_weight: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConsensusMap {
    pub nodes: Vec<MapNode>,
    pub edges: Vec<MapEdge>,
    pub consensus_core: Vec<StatementId>,
    pub bridges: Vec<StatementId>,
}
