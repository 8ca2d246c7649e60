//! The analysis pipeline: votes → matrix → PCA → groups → statement scores → map.
//!
//! Shaped like a linfa algorithm: [`AnalysisParams`] with defaults and builder methods,
//! checked once, then [`analyse`] returning an [`Analysis`] or a typed [`AnalysisError`].
//! Deterministic for a seed: all randomness comes from one `Xoshiro256PlusPlus` seeded by
//! the params, and nothing iterates a hash map into the result. [`analyse_with_progress`]
//! reports each [`Stage`] so a Web Worker can show progress.
//!
//! Conventions: agree = +1, disagree = −1, pass = 0; percentages are 0–100; probabilities
//! are 0–1 and Laplace-smoothed where named `p*` (Pol.is's (n + 1)/(N + 2)).

use std::collections::{HashMap, HashSet};

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};

use crate::bridging::{self, BridgingParams};
use crate::cluster::{self, KSmoother, Point};
use crate::consensus;
use crate::graph;
use crate::matrix::{ColumnTally, VoteMatrix};
use crate::model::{Moderation, ParticipantId, StatementId, VoteRecord};
use crate::pca;
use crate::repness::{self, Direction, RepnessStats};
use crate::routing;
use crate::stability::{self, StabilityParams};

// The result types live in `result.rs`; their paths under `analysis::` stay as they were.
pub use crate::result::{
    Analysis, ConsensusEntry, ConsensusLists, Counts, Group, GroupCentre, GroupTally, KCentres, KScore,
    ParticipantPlacement, Representative, Stability, StatementScores, WarmStart,
};

/// What the analysis needs to know about a statement besides its votes.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementMeta {
    pub id: StatementId,
    #[serde(default)]
    pub moderation: Moderation,
    /// Pol.is `is_meta`: demographic-style statements kept out of the math.
    #[serde(default)]
    pub is_meta: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<ParticipantId>,
}

impl StatementMeta {
    pub fn new(id: StatementId) -> StatementMeta {
        StatementMeta { id, moderation: Moderation::Pending, is_meta: false, author: None }
    }

    /// Pol.is's `mod-out`: rejected or meta statements are zeroed in PCA and left out of
    /// repness and consensus.
    pub fn is_excluded(&self) -> bool {
        self.moderation == Moderation::Rejected || self.is_meta
    }
}

/// The analysis input: vote records in arrival order (a later record for the same
/// participant and statement wins) and the statements' metadata.
#[derive(Debug, Clone, Copy)]
pub struct AnalysisInput<'a> {
    pub votes: &'a [VoteRecord],
    pub statements: &'a [StatementMeta],
}

/// Tunable parameters, with Pol.is's constants as defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalysisParams {
    pub seed: u64,
    pub max_groups: usize,
    pub base_k: usize,
    /// Votes needed to be clustered, capped by the number of statements (Pol.is: 7).
    pub min_votes: usize,
    /// The first this many participants to vote are clustered whatever their vote count:
    /// Pol.is's greedy top-up to 15 as it plays out over the vote history.
    pub greedy_n: usize,
    /// Take the smallest k whose silhouette is within this of the best (0 = strict
    /// argmax as Pol.is). See [`cluster`] docs for why the default is 0.05.
    pub k_tolerance: f64,
    /// Front a group's "best agree" statement only when the group agrees with it more than
    /// the rest do (ra > 1). Pol.is (`false`) can front a statement every group agrees with
    /// alike, which then reads as the group's distinctive view. See [`repness::select`].
    #[serde(default = "distinctive_default")]
    pub distinctive_best_agree: bool,
    pub bridging: BridgingParams,
    /// Cluster stability (Hennig's clusterwise bootstrap) and its part in the choice of k:
    /// no degenerate groups, the stable k among near-equal ones. `resamples = 0` turns it
    /// off, which restores the choice before it. See [`stability`].
    #[serde(default)]
    pub stability: StabilityParams,
    /// A statement enters the consensus and bridging lists only when at least this many
    /// participants voted on it, and a group's representative list only when this many of
    /// the group did (5, as the demographic cells shown). Pol.is (`0`) lists a statement on
    /// a single vote: the demo's "most people disagree" showed 0 agrees and 1 disagree as
    /// "67% likely".
    #[serde(default = "min_voters_default")]
    pub min_voters: u32,
    /// How many threads the stability resamples may use (native only; the browser runs
    /// them one by one). Not a parameter of the result: every thread count gives the same
    /// analysis, so it is neither written with the parameters nor compared.
    #[serde(skip)]
    pub threads: Threads,
}

/// Threads the analysis may use; 1 (the default) runs everything on the caller's thread.
/// Equal to every other `Threads`, since the thread count never changes a result: two
/// [`AnalysisParams`] that differ only here give the same analysis and compare equal.
#[derive(Debug, Clone, Copy)]
pub struct Threads(pub usize);

impl Default for Threads {
    fn default() -> Self {
        Threads(1)
    }
}

impl PartialEq for Threads {
    fn eq(&self, _: &Threads) -> bool {
        true
    }
}

fn min_voters_default() -> u32 {
    5
}

fn distinctive_default() -> bool {
    true
}

impl Default for AnalysisParams {
    fn default() -> Self {
        AnalysisParams {
            seed: 0,
            max_groups: 5,
            base_k: cluster::BASE_K,
            min_votes: 7,
            greedy_n: 15,
            k_tolerance: 0.05,
            distinctive_best_agree: true,
            bridging: BridgingParams::default(),
            stability: StabilityParams::default(),
            min_voters: min_voters_default(),
            threads: Threads::default(),
        }
    }
}

impl AnalysisParams {
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    pub fn max_groups(mut self, k: usize) -> Self {
        self.max_groups = k;
        self
    }
    pub fn base_k(mut self, k: usize) -> Self {
        self.base_k = k;
        self
    }
    pub fn min_votes(mut self, n: usize) -> Self {
        self.min_votes = n;
        self
    }
    pub fn greedy_n(mut self, n: usize) -> Self {
        self.greedy_n = n;
        self
    }
    pub fn k_tolerance(mut self, t: f64) -> Self {
        self.k_tolerance = t;
        self
    }
    /// `false` restores Pol.is's choice of best-agree statement.
    pub fn distinctive_best_agree(mut self, on: bool) -> Self {
        self.distinctive_best_agree = on;
        self
    }
    pub fn bridging(mut self, b: BridgingParams) -> Self {
        self.bridging = b;
        self
    }
    pub fn stability(mut self, s: StabilityParams) -> Self {
        self.stability = s;
        self
    }
    /// Resample only where stability can change the choice of k (same groups, no figures
    /// elsewhere): [`StabilityParams::only_to_choose`].
    pub fn stability_only_to_choose(mut self, on: bool) -> Self {
        self.stability.only_to_choose = on;
        self
    }
    /// Voters a statement needs to be listed (consensus, bridging, representative); 0
    /// restores Pol.is.
    pub fn min_voters(mut self, n: u32) -> Self {
        self.min_voters = n;
        self
    }
    /// Run the stability resamples on up to `n` threads (native only): the same result,
    /// sooner on a machine with several cores.
    pub fn threads(mut self, n: usize) -> Self {
        self.threads = Threads(n.max(1));
        self
    }

    /// Stability resamples B; 0 turns stability off (and its part in choosing k).
    pub fn stability_resamples(mut self, b: usize) -> Self {
        self.stability.resamples = b;
        self
    }

    fn check(&self) -> Result<(), AnalysisError> {
        if !(2..=8).contains(&self.max_groups) {
            return Err(AnalysisError::InvalidParams(format!(
                "max_groups must be 2..=8, got {}",
                self.max_groups
            )));
        }
        if self.base_k < 2 {
            return Err(AnalysisError::InvalidParams(format!(
                "base_k must be at least 2, got {}",
                self.base_k
            )));
        }
        if !(0.0..=1.0).contains(&self.k_tolerance) {
            return Err(AnalysisError::InvalidParams(format!(
                "k_tolerance must be within 0..=1, got {}",
                self.k_tolerance
            )));
        }
        self.stability.check().map_err(AnalysisError::InvalidParams)?;
        self.bridging.check().map_err(AnalysisError::InvalidParams)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnalysisError {
    #[error("invalid analysis parameters: {0}")]
    InvalidParams(String),
    #[error("the conversation has no votes yet")]
    NoVotes,
    #[error("warm start does not fit this conversation: {0}")]
    BadWarmStart(String),
}

/// Pipeline stages, reported in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Reducing,
    Clustering,
    Scoring,
    BuildingMap,
}

/// Runs the whole analysis. `previous` is the last run's [`WarmStart`], if any.
pub fn analyse(
    input: &AnalysisInput<'_>,
    params: &AnalysisParams,
    previous: Option<&WarmStart>,
) -> Result<Analysis, AnalysisError> {
    analyse_with_progress(input, params, previous, &mut |_| {})
}

/// [`analyse`], calling `progress` at the start of each stage. The pipeline, one named
/// stage a line: matrix → PCA → groups → repness → consensus → bridging → statement
/// scores → consensus map.
pub fn analyse_with_progress(
    input: &AnalysisInput<'_>,
    params: &AnalysisParams,
    previous: Option<&WarmStart>,
    progress: &mut dyn FnMut(Stage),
) -> Result<Analysis, AnalysisError> {
    params.check()?;
    if input.votes.is_empty() {
        return Err(AnalysisError::NoVotes);
    }
    progress(Stage::Reducing);
    let columns = vote_matrix(input, params);
    let reduced = reduce(&columns, params, previous);
    progress(Stage::Clustering);
    let clustering = groups(&columns, &reduced, params, previous);
    progress(Stage::Scoring);
    let tallies = GroupTallies::count(&columns.m, &clustering);
    let groups = representatives(&columns, &clustering, &tallies, params);
    let consensus = consensus_lists(&columns, params);
    let bridging = bridging::fit(&columns.m, &columns.excluded, &reduced.positions, &params.bridging);
    let statements = statement_scores(&columns, &reduced, &tallies, &bridging);
    let bridging = bridging_list(&statements, params);
    progress(Stage::BuildingMap);
    let map = graph::build(&columns.m, &groups, &statements, &clustering.group_of_row);
    Ok(Analysis {
        seed: params.seed,
        counts: Counts {
            participants: columns.m.n_participants(),
            statements: columns.m.n_statements(),
            votes: columns.m.n_votes(),
            in_conv: clustering.clustered.len(),
            groups: groups.len(),
        },
        participants: placements(&columns, &reduced, &clustering),
        groups,
        statements,
        consensus,
        bridging,
        map,
        k_scores: clustering.grouping.k_scores.clone(),
        eigenvalues: reduced.comps.eigenvalues,
        stability: clustering.grouping.stability.clone(),
        warm_start: warm_start(&columns, &reduced, clustering),
    })
}

/// The matrix stage's output: the vote matrix and what each of its columns is.
struct Columns {
    m: VoteMatrix,
    /// Per row: reached the vote threshold at some point of the history.
    admitted: Vec<bool>,
    /// Per column: the statement's metadata (defaults for a statement only votes name).
    metas: Vec<StatementMeta>,
    /// Per column: current votes over everyone.
    tallies: Vec<ColumnTally>,
    /// Per column: left out of the math (rejected or meta).
    excluded: Vec<bool>,
    /// Per column: voted on and not excluded, the columns PCA reads.
    active: Vec<bool>,
    /// Columns with at least one vote, and those of them zeroed as excluded.
    n_columns: usize,
    zeroed: usize,
}

/// Stage 1, matrix: the latest vote per participant and statement, in arrival order.
fn vote_matrix(input: &AnalysisInput<'_>, params: &AnalysisParams) -> Columns {
    let order: Vec<StatementId> = input.statements.iter().map(|s| s.id).collect();
    let (m, admitted) = VoteMatrix::from_records_with_admission(input.votes, &order, params.min_votes);
    let meta_by_id: HashMap<StatementId, StatementMeta> =
        input.statements.iter().map(|s| (s.id, *s)).collect();
    let metas: Vec<StatementMeta> = m
        .statements()
        .iter()
        .map(|id| meta_by_id.get(id).copied().unwrap_or(StatementMeta::new(*id)))
        .collect();
    let d = m.n_statements();
    let tallies = m.column_tallies(|_| true);
    let excluded: Vec<bool> = metas.iter().map(|s| s.is_excluded()).collect();
    let voted: Vec<bool> = tallies.iter().map(|t| t.seen > 0).collect();
    let active: Vec<bool> = (0..d).map(|c| voted[c] && !excluded[c]).collect();
    let n_columns = voted.iter().filter(|v| **v).count();
    let zeroed = (0..d).filter(|&c| voted[c] && excluded[c]).count();
    Columns { m, admitted, metas, tallies, excluded, active, n_columns, zeroed }
}

/// The PCA stage's output.
struct Reduced {
    comps: pca::Components,
    /// Per row: the participant's place on the map.
    positions: Vec<Point>,
    /// Per column: the statement's projection (A.6).
    statement_proj: Vec<Point>,
}

/// Stage 2, PCA: two axes (warm-started from the previous run's, aligned to its signs) and
/// everyone's place on them. The only stage that draws random numbers.
fn reduce(columns: &Columns, params: &AnalysisParams, previous: Option<&WarmStart>) -> Reduced {
    let m = &columns.m;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(params.seed);
    let start = previous.filter(|p| !p.statements.is_empty()).map(|p| {
        let idx: HashMap<StatementId, usize> =
            p.statements.iter().enumerate().map(|(i, s)| (*s, i)).collect();
        let pad = |axis: &Vec<f64>| -> Vec<f64> {
            m.statements()
                .iter()
                .map(|s| idx.get(s).and_then(|&i| axis.get(i).copied()).unwrap_or(1.0))
                .collect()
        };
        [pad(&p.axes[0]), pad(&p.axes[1])]
    });
    let comps = pca::principal_components(m, &columns.active, start.as_ref(), &mut rng);
    let positions = pca::project_participants(m, &columns.active, &comps, columns.n_columns, columns.zeroed);
    let statement_proj = pca::project_statements(&comps, columns.n_columns);
    Reduced { comps, positions, statement_proj }
}

/// The groups stage's output.
struct Clustering {
    /// Per row: admitted to clustering.
    in_conv: Vec<bool>,
    /// The admitted rows, in row order.
    clustered: Vec<usize>,
    grouping: Grouping,
    /// Per row: the group label, if clustered into one.
    group_of_row: Vec<Option<u32>>,
    /// Per row: how often they stayed with their group under resampling.
    stays_of_row: Vec<Option<f64>>,
    /// The base clusters' members, when they were given ([`WarmStart::base_members`]).
    base_members: Vec<Vec<ParticipantId>>,
}

/// Stage 3, groups: who is clustered (A.3), then base clusters, k and stable labels (A.7).
fn groups(
    columns: &Columns,
    reduced: &Reduced,
    params: &AnalysisParams,
    previous: Option<&WarmStart>,
) -> Clustering {
    let m = &columns.m;
    let in_conv = select_in_conv(m, &columns.admitted, params, columns.n_columns, previous);
    let clustered: Vec<usize> = (0..m.n_participants()).filter(|&r| in_conv[r]).collect();
    let points: Vec<Point> = clustered.iter().map(|&r| reduced.positions[r]).collect();
    let ids: Vec<ParticipantId> = clustered.iter().map(|&r| m.participants()[r]).collect();
    let given = previous.and_then(|p| given_base_clusters(&points, &ids, p));
    let kept = given.is_some();
    let candidates = candidate_runs(&points, params, previous, given);
    // Base clusters given as they are stay so: the next run keeps their members too.
    let mut base_members: Vec<Vec<ParticipantId>> =
        if kept { vec![Vec::new(); candidates.base.centres.len()] } else { Vec::new() };
    if kept {
        for (&b, &id) in candidates.base.assignment.iter().zip(&ids) {
            base_members[b].push(id);
        }
    }
    let boot =
        match params.stability.only_to_choose && !stability_can_choose(points.len(), &candidates, params) {
            true => None,
            false => stability_boot(&points, &candidates, params),
        };
    let grouping = choose_groups(&points, candidates, boot.as_ref(), params, previous);
    let mut group_of_row: Vec<Option<u32>> = vec![None; m.n_participants()];
    let mut stays_of_row: Vec<Option<f64>> = vec![None; m.n_participants()];
    for (i, &r) in clustered.iter().enumerate() {
        group_of_row[r] = grouping.participant_group.get(i).copied().flatten();
        stays_of_row[r] = grouping.stays.get(i).copied().flatten();
    }
    Clustering { in_conv, clustered, grouping, group_of_row, stays_of_row, base_members }
}

/// Votes per group and column, the counts repness, consensus and the scores read.
struct GroupTallies {
    /// The shown groups' labels, in label order; `per_group` and `sizes` follow it.
    labels: Vec<u32>,
    per_group: Vec<Vec<ColumnTally>>,
    sizes: Vec<u32>,
}

impl GroupTallies {
    fn count(m: &VoteMatrix, clustering: &Clustering) -> GroupTallies {
        let labels: Vec<u32> = clustering.grouping.groups.iter().map(|g| g.id).collect();
        let slot: HashMap<u32, usize> = labels.iter().enumerate().map(|(i, l)| (*l, i)).collect();
        let mut per_group = vec![vec![ColumnTally::default(); m.n_statements()]; labels.len()];
        let mut sizes = vec![0u32; labels.len()];
        for (row, g) in clustering.group_of_row.iter().enumerate() {
            if let Some(&s) = g.as_ref().and_then(|g| slot.get(g)) {
                sizes[s] += 1;
                for (c, v) in m.row(row) {
                    per_group[s][c].add(v);
                }
            }
        }
        GroupTallies { labels, per_group, sizes }
    }

    /// Column `c`'s tally in every group, in label order.
    fn column(&self, c: usize) -> Vec<ColumnTally> {
        self.per_group.iter().map(|t| t[c]).collect()
    }
}

/// Stage 4, repness: each group with the statements that characterise it (A.8, A.9).
fn representatives(
    columns: &Columns,
    clustering: &Clustering,
    tallies: &GroupTallies,
    params: &AnalysisParams,
) -> Vec<Group> {
    let (m, excluded) = (&columns.m, &columns.excluded);
    let group_tallies = &tallies.per_group;
    let mut groups_out = Vec::with_capacity(tallies.labels.len());
    for (s, g) in clustering.grouping.groups.iter().enumerate() {
        let candidates: Vec<RepnessStats> = (0..m.n_statements())
            .filter(|&c| !excluded[c] && group_tallies[s][c].seen >= params.min_voters)
            .map(|c| {
                let mut rest = ColumnTally::default();
                for (o, t) in group_tallies.iter().enumerate() {
                    if o != s {
                        rest.agree += t[c].agree;
                        rest.disagree += t[c].disagree;
                        rest.seen += t[c].seen;
                    }
                }
                RepnessStats::new(c, group_tallies[s][c], rest)
            })
            .collect();
        let representative = repness::select(&candidates, params.distinctive_best_agree)
            .into_iter()
            .map(|sel| representative(m, sel))
            .collect();
        groups_out.push(Group { id: g.id, size: tallies.sizes[s], centre: g.centre, representative });
    }
    groups_out
}

fn representative(m: &VoteMatrix, sel: repness::Selected) -> Representative {
    let st = sel.stats;
    let pct = |n: u32, seen: u32| if seen == 0 { 0.0 } else { 100.0 * n as f64 / seen as f64 };
    let (in_n, out_n, p, z) = match sel.direction {
        Direction::Agree => (st.in_group.agree, st.rest.agree, st.pa, st.rat),
        Direction::Disagree => (st.in_group.disagree, st.rest.disagree, st.pd, st.rdt),
    };
    Representative {
        statement: m.statements()[st.col],
        direction: sel.direction,
        in_group_percent: pct(in_n, st.in_group.seen),
        out_group_percent: pct(out_n, st.rest.seen),
        probability: p,
        group_votes: st.in_group.seen,
        metric: finite(st.metric()),
        z: finite(z),
    }
}

/// Stage 5, consensus: what most of everyone agrees or disagrees with (A.10).
/// Statements with fewer than `min_voters` votes are left out (a departure from Pol.is).
fn consensus_lists(columns: &Columns, params: &AnalysisParams) -> ConsensusLists {
    let left_out: Vec<bool> = (0..columns.excluded.len())
        .map(|c| columns.excluded[c] || columns.tallies[c].seen < params.min_voters)
        .collect();
    let (cons_agree, cons_disagree) = consensus::global_consensus(&columns.tallies, &left_out);
    let entry = |p: &consensus::ConsensusPick| ConsensusEntry {
        statement: columns.m.statements()[p.col],
        probability: p.p,
        z: p.z,
        votes: columns.tallies[p.col].seen,
    };
    ConsensusLists {
        agree: cons_agree.iter().map(entry).collect(),
        disagree: cons_disagree.iter().map(entry).collect(),
    }
}

/// Stage 6 (after bridging's own fit): every score of every statement, in column order.
fn statement_scores(
    columns: &Columns,
    reduced: &Reduced,
    tallies: &GroupTallies,
    bridging: &bridging::BridgingFit,
) -> Vec<StatementScores> {
    let (m, excluded, metas, all) = (&columns.m, &columns.excluded, &columns.metas, &columns.tallies);
    let mut statements_out = Vec::with_capacity(m.n_statements());
    for c in 0..m.n_statements() {
        let per_group = tallies.column(c);
        let (gic, gic_d) = if excluded[c] { (0.0, 0.0) } else { consensus::group_informed(&per_group) };
        let rates: Vec<f64> = per_group.iter().map(|t| repness::smoothed(t.agree, t.seen)).collect();
        let divisiveness = if rates.len() < 2 {
            0.0
        } else {
            rates.iter().cloned().fold(f64::MIN, f64::max) - rates.iter().cloned().fold(f64::MAX, f64::min)
        };
        let proj = reduced.statement_proj[c];
        let extremity = (proj[0] * proj[0] + proj[1] * proj[1]).sqrt();
        let group_sum = per_group.iter().fold(ColumnTally::default(), |mut a, t| {
            a.agree += t.agree;
            a.disagree += t.disagree;
            a.seen += t.seen;
            a
        });
        let priority = routing::priority(&routing::RoutingStats {
            agree: group_sum.agree,
            disagree: group_sum.disagree,
            seen: group_sum.seen,
            extremity,
            is_meta: metas[c].is_meta,
        });
        statements_out.push(StatementScores {
            id: m.statements()[c],
            excluded: excluded[c],
            is_meta: metas[c].is_meta,
            agree: all[c].agree,
            disagree: all[c].disagree,
            pass: all[c].pass(),
            groups: tallies
                .labels
                .iter()
                .zip(&per_group)
                .map(|(&group, t)| GroupTally { group, agree: t.agree, disagree: t.disagree, pass: t.pass() })
                .collect(),
            agree_probability: repness::smoothed(all[c].agree, all[c].seen),
            gic,
            gic_disagree: gic_d,
            bridging: bridging.scores[c],
            divisiveness,
            extremity: finite(extremity),
            projection: [finite(proj[0]), finite(proj[1])],
            priority: finite(priority),
        });
    }
    statements_out
}

/// The statements flagged as bridging, best (highest intercept) first, each with at least
/// `min_voters` votes.
fn bridging_list(statements: &[StatementScores], params: &AnalysisParams) -> Vec<StatementId> {
    let mut list: Vec<(f64, StatementId)> = statements
        .iter()
        .filter(|s| s.bridging.bridging && s.agree + s.disagree + s.pass >= params.min_voters)
        .map(|s| (s.bridging.intercept, s.id))
        .collect();
    list.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    list.into_iter().map(|(_, id)| id).collect()
}

/// Everyone on the map, in row order.
fn placements(columns: &Columns, reduced: &Reduced, clustering: &Clustering) -> Vec<ParticipantPlacement> {
    let m = &columns.m;
    (0..m.n_participants())
        .map(|r| ParticipantPlacement {
            id: m.participants()[r],
            position: [finite(reduced.positions[r][0]), finite(reduced.positions[r][1])],
            group: clustering.group_of_row[r],
            in_conv: clustering.in_conv[r],
            votes: m.row_len(r) as u32,
            stays: clustering.stays_of_row[r].map(finite),
        })
        .collect()
}

/// What the next run starts from.
fn warm_start(columns: &Columns, reduced: &Reduced, clustering: Clustering) -> WarmStart {
    let m = &columns.m;
    let grouping = clustering.grouping;
    WarmStart {
        statements: m.statements().to_vec(),
        axes: reduced.comps.axes.clone(),
        in_conv: clustering.clustered.iter().map(|&r| m.participants()[r]).collect(),
        base_centres: grouping.base_centres,
        base_members: clustering.base_members,
        group_centres: grouping.per_k_centres,
        groups: grouping.groups,
        k_smoother: grouping.smoother,
    }
}

fn finite(x: f64) -> f64 {
    if x.is_finite() {
        x
    } else {
        0.0
    }
}

/// In-conversation participants (A.3), as a live Pol.is reaches them over the vote
/// history ("once in, they stay in"): everyone who had at least min(min_votes, |C|)
/// votes at some point, everyone admitted by a previous run, and the first `greedy_n`
/// participants to vote. Pol.is tops the set up with the top voters whenever fewer than
/// 15 are in, and an update after each vote does so with everyone who has voted until 15
/// are in, so the first 15 voters stay in for good, whatever they do next. This is what
/// the Pol.is exports show: their grouped participants match this set exactly on
/// bg2050-volunteers, scoop-hivemind.biodiversity, ssis and vtaiwan (see BENCHMARKS.md).
fn select_in_conv(
    m: &VoteMatrix,
    admitted: &[bool],
    params: &AnalysisParams,
    n_columns: usize,
    previous: Option<&WarmStart>,
) -> Vec<bool> {
    let threshold = params.min_votes.min(n_columns).max(1);
    let before: HashSet<ParticipantId> =
        previous.map(|p| p.in_conv.iter().copied().collect()).unwrap_or_default();
    // Rows are numbered in order of each participant's first vote (for an export without
    // votes.csv, which has no vote times, in participant id order: Pol.is's join order).
    (0..m.n_participants())
        .map(|r| {
            m.row_len(r) >= threshold
                || admitted[r]
                || r < params.greedy_n
                || before.contains(&m.participants()[r])
        })
        .collect()
}

struct Grouping {
    /// Group label per clustered point (None only if clustering was impossible).
    participant_group: Vec<Option<u32>>,
    /// Per clustered point: how often they stayed with their group under resampling.
    stays: Vec<Option<f64>>,
    /// Shown groups in label order.
    groups: Vec<GroupCentre>,
    base_centres: Vec<Point>,
    per_k_centres: Vec<KCentres>,
    k_scores: Vec<KScore>,
    smoother: Option<KSmoother>,
    stability: Option<Stability>,
}

/// Base clusters and, for every k tried, the groups and their silhouette (A.7).
struct Candidates {
    base: cluster::Clustering,
    /// (k, groups over the base centres, silhouette), k = 2..=max-k.
    runs: Vec<(usize, cluster::Clustering, f64)>,
    /// The silhouette tolerance the choice of k uses here ([`cluster::k_tolerance_for`]).
    tolerance: f64,
}

impl Candidates {
    /// Per k: the group index of every point.
    fn partitions(&self) -> Vec<(usize, Vec<usize>)> {
        self.runs
            .iter()
            .map(|(k, g, _)| {
                (
                    *k,
                    self.base.assignment.iter().map(|&b| g.assignment.get(b).copied().unwrap_or(0)).collect(),
                )
            })
            .collect()
    }
}

/// Base clusters given by a warm start from Pol.is's math ([`WarmStart::base_members`]),
/// taken as they are: each clustered participant in the base cluster that lists them, one
/// not listed (new since) in the one with the nearest centre; centres as given. Pol.is's
/// centres are not the means of their members on its own map (on red-dwarf's 150ptpt
/// fixture, recentring them gives ARI 0.27 against Pol.is's groups instead of 1), so they
/// are kept; our axes start from Pol.is's components, so its map is ours. The run's warm
/// start lists the members again, so a live analysis keeps these base clusters, with new
/// participants joining them, rather than re-running base k-means. Base clusters left
/// without members are dropped, as k-means drops them. `None` when no members are listed.
fn given_base_clusters(
    points: &[Point],
    ids: &[ParticipantId],
    previous: &WarmStart,
) -> Option<cluster::Clustering> {
    if previous.base_members.is_empty() || previous.base_members.len() != previous.base_centres.len() {
        return None;
    }
    let listed: HashMap<ParticipantId, usize> = previous
        .base_members
        .iter()
        .enumerate()
        .flat_map(|(b, members)| members.iter().map(move |p| (*p, b)))
        .collect();
    let raw: Vec<usize> = points
        .iter()
        .zip(ids)
        .map(|(&p, id)| {
            listed.get(id).copied().unwrap_or_else(|| cluster::nearest(p, &previous.base_centres))
        })
        .collect();
    let mut count = vec![0.0f64; previous.base_centres.len()];
    raw.iter().for_each(|&b| count[b] += 1.0);
    let mut remap = vec![usize::MAX; count.len()];
    let (mut centres, mut weights) = (Vec::new(), Vec::new());
    for (b, &n) in count.iter().enumerate() {
        if n > 0.0 {
            remap[b] = centres.len();
            centres.push(previous.base_centres[b]);
            weights.push(n);
        }
    }
    let assignment = raw.iter().map(|&b| remap[b]).collect();
    Some(cluster::Clustering { centres, assignment, weights })
}

/// Base clusters (given, or by k-means), then weighted k-means over their centres for
/// every k, each warm-started from the previous run's centres where there are some.
fn candidate_runs(
    points: &[Point],
    params: &AnalysisParams,
    previous: Option<&WarmStart>,
    given: Option<cluster::Clustering>,
) -> Candidates {
    let kept = given.is_some();
    let base = given.unwrap_or_else(|| {
        let ones = vec![1.0; points.len()];
        let base_k = params.base_k.min(points.len());
        let base_start = match previous.filter(|p| !p.base_centres.is_empty()) {
            Some(p) => cluster::clean_start(points, &p.base_centres, base_k),
            None => cluster::first_distinct(points, base_k),
        };
        cluster::kmeans(points, &ones, base_start, cluster::MAX_ITERS)
    });
    let n_base = base.centres.len();
    let max_k = cluster::max_k(n_base, params.max_groups);
    let mut runs: Vec<(usize, cluster::Clustering, f64)> = Vec::new();
    // Every k's silhouette is over the same base centres: their distances once.
    let distances = cluster::PairDistances::new(&base.centres);
    for k in 2..=max_k {
        let prev = previous
            .and_then(|p| p.group_centres.iter().find(|c| c.k == k))
            .filter(|c| !c.centres.is_empty());
        let start = match prev {
            // Over given base clusters, the previous centres as they are: clean-start's
            // unweighted recentring moved above-100-ptpts' groups (ARI 0.89 against
            // Pol.is's after 5 new participants).
            Some(c) if kept && c.centres.len() == k => c.centres.clone(),
            Some(c) => cluster::clean_start(&base.centres, &c.centres, k),
            None => cluster::first_distinct(&base.centres, k),
        };
        let g = cluster::kmeans(&base.centres, &base.weights, start, cluster::MAX_ITERS);
        let s = cluster::silhouette_of(&distances, &g.assignment, g.centres.len());
        runs.push((k, g, s));
    }
    let tolerance = cluster::k_tolerance_for(params.k_tolerance, points.len(), params.base_k);
    Candidates { base, runs, tolerance }
}

/// Stage 3b, stability: the clusterwise bootstrap of every k's groups (`stability.rs`),
/// re-running [`candidate_runs`] cold and [`cluster::choose_k`] on each resample. `None`
/// when turned off or there is no k to measure.
fn stability_boot(
    points: &[Point],
    candidates: &Candidates,
    params: &AnalysisParams,
) -> Option<stability::Boot> {
    if params.stability.resamples == 0 || candidates.runs.is_empty() {
        return None;
    }
    let rerun = |sub: &[Point]| {
        let c = candidate_runs(sub, params, None, None);
        let silhouettes: Vec<f64> = c.runs.iter().map(|r| r.2).collect();
        stability::Runs {
            // The full run's rule, so the counts say how often that rule's choice holds.
            chosen_k: cluster::choose_k(&silhouettes, candidates.tolerance).map(|i| c.runs[i].0),
            partitions: c.partitions(),
        }
    };
    Some(stability::clusterboot(
        points,
        &candidates.partitions(),
        &params.stability,
        params.seed,
        params.threads.0,
        &rerun,
    ))
}

/// Whether stability can change the choice of k here: several k are within the tolerance
/// of the best silhouette, or the k chosen without stability has a group under
/// `min_group_share` of the participants. Otherwise [`cluster::choose_k_stable`] picks
/// what [`cluster::choose_k`] picks: that k is the best of all, so it is the best of the
/// candidates left once degenerate k's are ruled out, and it is not degenerate itself.
fn stability_can_choose(n: usize, candidates: &Candidates, params: &AnalysisParams) -> bool {
    let silhouettes: Vec<f64> = candidates.runs.iter().map(|r| r.2).collect();
    let all: Vec<usize> = (0..silhouettes.len()).collect();
    let near = cluster::near_equal(&silhouettes, &all, candidates.tolerance);
    let small = |i: usize| {
        let weights = &candidates.runs[i].1.weights;
        weights.iter().any(|&w| w < params.stability.min_group_share * n as f64)
    };
    near.len() > 1 || near.first().is_some_and(|&i| small(i))
}

/// Stage 3c: the choice of k (with stability when measured), smoothing and stable labels.
fn choose_groups(
    points: &[Point],
    candidates: Candidates,
    boot: Option<&stability::Boot>,
    params: &AnalysisParams,
    previous: Option<&WarmStart>,
) -> Grouping {
    let empty = Grouping {
        participant_group: vec![None; points.len()],
        stays: vec![None; points.len()],
        groups: Vec::new(),
        base_centres: Vec::new(),
        per_k_centres: Vec::new(),
        k_scores: Vec::new(),
        smoother: previous.and_then(|p| p.k_smoother),
        stability: None,
    };
    if points.is_empty() {
        return empty;
    }
    let Candidates { base, runs, tolerance } = candidates;
    let k_scores: Vec<KScore> = runs
        .iter()
        .map(|(k, _, s)| KScore { k: *k, silhouette: if s.is_finite() { *s } else { -1.0 } })
        .collect();
    let per_k_centres: Vec<KCentres> =
        runs.iter().map(|(k, g, _)| KCentres { k: *k, centres: g.centres.clone() }).collect();
    let silhouettes: Vec<f64> = runs.iter().map(|r| r.2).collect();
    let fits = boot.map(|b| k_fits(points.len(), &runs, b, &params.stability));
    let chosen = match &fits {
        Some(f) => cluster::choose_k_stable(f, tolerance),
        None => cluster::choose_k(&silhouettes, tolerance),
    };
    let best = chosen.map(|i| &runs[i]);
    let Some(best) = best else {
        // One base cluster or none: everyone clustered is one group.
        let centre = centroid(points);
        let label = cluster::stable_labels(&[centre], &previous.map(prev_groups).unwrap_or_default())[0];
        return Grouping {
            participant_group: vec![Some(label); points.len()],
            stays: vec![None; points.len()],
            groups: vec![GroupCentre { id: label, centre }],
            base_centres: base.centres,
            per_k_centres,
            k_scores,
            smoother: previous.and_then(|p| p.k_smoother),
            stability: None,
        };
    };
    let smoother = KSmoother::update(previous.and_then(|p| p.k_smoother), best.0 as u32);
    let shown_index = runs.iter().position(|r| r.0 == smoother.smoothed_k as usize).or(chosen).unwrap_or(0);
    let shown = &runs[shown_index];
    let g = &shown.1;
    let labels = cluster::stable_labels(&g.centres, &previous.map(prev_groups).unwrap_or_default());
    let participant_group = base
        .assignment
        .iter()
        .map(|&b| g.assignment.get(b).and_then(|&gi| labels.get(gi).copied()))
        .collect();
    let mut groups: Vec<GroupCentre> =
        labels.iter().zip(&g.centres).map(|(&id, &centre)| GroupCentre { id, centre }).collect();
    groups.sort_by_key(|g| g.id);
    let (stability, stays) = match (boot, &fits) {
        (Some(b), Some(f)) => {
            let all: Vec<usize> = (0..runs.len()).collect();
            let near = cluster::near_equal(&silhouettes, &all, params.k_tolerance);
            let summary =
                stability_summary(b, f, shown_index, &labels, &groups, &runs, &near, &params.stability);
            let stays = b
                .stays
                .get(shown_index)
                .map(|s| {
                    s.iter().map(|&(stay, seen)| (seen > 0).then(|| stay as f64 / seen as f64)).collect()
                })
                .unwrap_or_else(|| vec![None; points.len()]);
            (Some(summary), stays)
        }
        _ => (None, vec![None; points.len()]),
    };
    Grouping {
        participant_group,
        stays,
        groups,
        base_centres: base.centres.clone(),
        per_k_centres,
        k_scores,
        smoother: Some(smoother),
        stability,
    }
}

/// What stability says of each k's clustering, for [`cluster::choose_k_stable`].
fn k_fits(
    n: usize,
    runs: &[(usize, cluster::Clustering, f64)],
    boot: &stability::Boot,
    params: &StabilityParams,
) -> Vec<cluster::KFit> {
    runs.iter()
        .zip(&boot.per_k)
        .map(|((_, g, s), (_, jaccard))| {
            let small =
                |c: usize| g.weights.get(c).copied().unwrap_or(0.0) < params.min_group_share * n as f64;
            let j = |c: usize| jaccard.get(c).copied().unwrap_or(f64::NAN);
            let stable = |c: usize| j(c) >= params.stable_jaccard;
            // Measured and not stable (NaN: no resample tried this k, so nothing is known).
            let shaky = |c: usize| j(c) < params.stable_jaccard;
            cluster::KFit {
                silhouette: *s,
                degenerate: (0..g.centres.len()).any(|c| small(c) && shaky(c)),
                stable: (0..g.centres.len()).all(stable),
            }
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn stability_summary(
    boot: &stability::Boot,
    fits: &[cluster::KFit],
    shown_index: usize,
    labels: &[u32],
    groups: &[GroupCentre],
    runs: &[(usize, cluster::Clustering, f64)],
    near: &[usize],
    params: &StabilityParams,
) -> Stability {
    let jaccard = boot.per_k.get(shown_index).map(|p| p.1.clone()).unwrap_or_default();
    let of_label =
        |id: u32| labels.iter().position(|&l| l == id).and_then(|c| jaccard.get(c).copied()).unwrap_or(0.0);
    Stability {
        resamples: boot.resamples,
        groups: groups
            .iter()
            .map(|g| {
                let j = finite(of_label(g.id));
                crate::result::GroupStability { group: g.id, jaccard: j, stable: j >= params.stable_jaccard }
            })
            .collect(),
        k_chosen: boot.k_chosen.iter().map(|&(k, n)| crate::result::KCount { k, resamples: n }).collect(),
        k_stability: runs
            .iter()
            .zip(&boot.per_k)
            .zip(fits)
            .filter_map(|(((k, g, _), (_, j)), f)| {
                let least = j.iter().take(g.centres.len()).copied().fold(f64::INFINITY, f64::min);
                // f64::min skips NaN (not measured); a k no resample tried is left out.
                let measured = j.iter().take(g.centres.len()).any(|x| x.is_finite());
                measured.then(|| crate::result::KStability {
                    k: *k,
                    min_jaccard: finite(least),
                    degenerate: f.degenerate,
                })
            })
            .collect(),
        near_equal_k: if near.len() > 1 { near.iter().map(|&i| runs[i].0).collect() } else { Vec::new() },
    }
}

fn prev_groups(p: &WarmStart) -> Vec<(u32, Point)> {
    p.groups.iter().map(|g| (g.id, g.centre)).collect()
}

fn centroid(points: &[Point]) -> Point {
    let n = points.len().max(1) as f64;
    let s = points.iter().fold([0.0, 0.0], |a, p| [a[0] + p[0], a[1] + p[1]]);
    [s[0] / n, s[1] / n]
}
