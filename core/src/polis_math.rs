//! Pol.is's own math for a conversation: `math-pca2.json`, the blob its math worker
//! writes and its API serves (`/api/v3/math/pca2`), read from a string (no file access).
//!
//! It carries Pol.is's PCA, base clusters (ids that persist across its updates, members,
//! centres), groups, in-conv set, repness and consensus lists. mufakat uses it twice:
//! - as a warm start ([`PolisMath::warm_start`]): our analysis starts from Pol.is's base
//!   clusters, in-conv set, axes and groups, so a conversation brought over from Pol.is
//!   keeps its groups (Pol.is's base clusters were built up over its whole update history
//!   and no single cold run recovers them; see BENCHMARKS.md "Pol.is's own math");
//! - as the reference of a stage-by-stage comparison ([`PolisMath::compare`]).
//!
//! The blob belongs to a conversation: [`PolisMath::check_fits`] refuses one whose
//! statement ids or participants do not match the export's votes.
//! Conventions: the blob's ids are Pol.is's `tid` (statement) and `pid` (participant),
//! the same numbers as the CSV export's comment-id and voter-id.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::analysis::Analysis;
use crate::cluster::adjusted_rand_index;
use crate::cluster::{self, KSmoother, Point};
use crate::model::{ParticipantId, StatementId};
use crate::repness::Direction;
use crate::result::{GroupCentre, KCentres, WarmStart};

/// The file name Pol.is's API data is saved under, and its role in an export folder.
pub const MATH_FILE: &str = "math-pca2.json";

/// Bounds on what is read: larger blobs are refused before parsing.
pub const MAX_MATH_BYTES: usize = 256 << 20;
pub const MAX_BASE_CLUSTERS: usize = 100_000;
pub const MAX_GROUPS: usize = 64;

/// Why a math blob could not be read or does not belong to the conversation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct PolisMathError {
    /// The top-level key at fault (`base-clusters`), if one is.
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for PolisMathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.key {
            Some(k) => write!(f, "{MATH_FILE}, key {k}: {}", self.message),
            None => write!(f, "{MATH_FILE}: {}", self.message),
        }
    }
}

fn err(key: Option<&str>, message: impl Into<String>) -> PolisMathError {
    PolisMathError { key: key.map(str::to_string), message: message.into() }
}

/// Pol.is's PCA: the centre and the two components, one entry per `tids` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolisPca {
    pub center: Vec<f64>,
    pub comps: [Vec<f64>; 2],
}

/// One of Pol.is's base clusters (its id persists across Pol.is's updates).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolisBaseCluster {
    pub id: u32,
    pub members: Vec<ParticipantId>,
    pub centre: Point,
}

/// One of Pol.is's groups: the base clusters it holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolisGroup {
    pub id: u32,
    pub base_clusters: Vec<u32>,
    pub centre: Point,
}

/// A statement in a group's representative list, and for which way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PolisListed {
    pub statement: StatementId,
    pub direction: Direction,
}

/// Pol.is's math blob, the parts mufakat reads.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PolisMath {
    /// Statements the math covers, in the order of `pca`'s entries.
    pub tids: Vec<StatementId>,
    pub pca: Option<PolisPca>,
    pub in_conv: Vec<ParticipantId>,
    pub base_clusters: Vec<PolisBaseCluster>,
    pub groups: Vec<PolisGroup>,
    /// Per group id: its representative statements, in Pol.is's order.
    pub repness: BTreeMap<u32, Vec<PolisListed>>,
    /// Consensus: agree then disagree statements, in Pol.is's order.
    pub consensus_agree: Vec<StatementId>,
    pub consensus_disagree: Vec<StatementId>,
    /// Votes per participant when the math ran.
    pub user_vote_counts: BTreeMap<ParticipantId, u32>,
    pub last_vote_timestamp: Option<i64>,
}

/// Reads one top-level key with serde, naming the key in any error.
fn take<T: serde::de::DeserializeOwned>(obj: &Map<String, Value>, key: &str) -> Result<T, PolisMathError> {
    let v = obj.get(key).ok_or_else(|| err(Some(key), "missing"))?;
    serde_json::from_value(v.clone()).map_err(|e| err(Some(key), e.to_string()))
}

fn take_opt<T: serde::de::DeserializeOwned>(
    obj: &Map<String, Value>,
    key: &str,
) -> Result<Option<T>, PolisMathError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => serde_json::from_value(v.clone()).map(Some).map_err(|e| err(Some(key), e.to_string())),
    }
}

#[derive(Deserialize)]
struct RawBase {
    id: Vec<u32>,
    members: Vec<Vec<ParticipantId>>,
    x: Vec<f64>,
    y: Vec<f64>,
}

#[derive(Deserialize)]
struct RawGroup {
    id: u32,
    members: Vec<u32>,
    center: [f64; 2],
}

#[derive(Deserialize)]
struct RawPca {
    center: Vec<f64>,
    comps: Vec<Vec<f64>>,
}

#[derive(Deserialize)]
struct RawRepness {
    tid: StatementId,
    #[serde(rename = "repful-for")]
    repful_for: String,
    #[serde(rename = "best-agree", default)]
    best_agree: bool,
}

#[derive(Deserialize)]
struct RawConsensusEntry {
    tid: StatementId,
}

#[derive(Deserialize)]
struct RawConsensus {
    #[serde(default)]
    agree: Vec<RawConsensusEntry>,
    #[serde(default)]
    disagree: Vec<RawConsensusEntry>,
}

/// A JSON object's keys as numbers (Pol.is writes `{"0": …, "12": …}`).
fn numeric_keys<T>(key: &str, map: BTreeMap<String, T>) -> Result<BTreeMap<u32, T>, PolisMathError> {
    map.into_iter()
        .map(|(k, v)| {
            k.parse::<u32>().map(|n| (n, v)).map_err(|_| err(Some(key), format!("{k:?} is not an id")))
        })
        .collect()
}

impl PolisMath {
    /// Parses `math-pca2.json`. Every error names the key at fault; nothing panics.
    pub fn parse(text: &str) -> Result<PolisMath, PolisMathError> {
        if text.len() > MAX_MATH_BYTES {
            return Err(err(None, format!("larger than {} MiB", MAX_MATH_BYTES >> 20)));
        }
        let value: Value = serde_json::from_str(text).map_err(|e| err(None, format!("not JSON: {e}")))?;
        let Value::Object(obj) = value else {
            return Err(err(None, "not a JSON object"));
        };
        let tids: Vec<StatementId> = take(&obj, "tids")?;
        let in_conv: Vec<ParticipantId> = take(&obj, "in-conv")?;
        let pca = match take_opt::<RawPca>(&obj, "pca")? {
            None => None,
            Some(p) => {
                let [a, b]: [Vec<f64>; 2] = p
                    .comps
                    .try_into()
                    .map_err(|c: Vec<Vec<f64>>| err(Some("pca"), format!("{} comps, expected 2", c.len())))?;
                if p.center.len() != tids.len() || a.len() != tids.len() || b.len() != tids.len() {
                    return Err(err(
                        Some("pca"),
                        format!(
                            "center and comps need one entry per tid ({}), got {}, {} and {}",
                            tids.len(),
                            p.center.len(),
                            a.len(),
                            b.len()
                        ),
                    ));
                }
                Some(PolisPca { center: p.center, comps: [a, b] })
            }
        };
        let raw: RawBase = take(&obj, "base-clusters")?;
        let n = raw.id.len();
        if raw.members.len() != n || raw.x.len() != n || raw.y.len() != n {
            return Err(err(Some("base-clusters"), "id, members, x and y differ in length"));
        }
        if n > MAX_BASE_CLUSTERS {
            return Err(err(Some("base-clusters"), format!("more than {MAX_BASE_CLUSTERS} base clusters")));
        }
        let base_clusters: Vec<PolisBaseCluster> = (0..n)
            .map(|i| PolisBaseCluster {
                id: raw.id[i],
                members: raw.members[i].clone(),
                centre: [raw.x[i], raw.y[i]],
            })
            .collect();
        let mut seen_member = HashSet::new();
        for b in &base_clusters {
            if let Some(p) = b.members.iter().find(|p| !seen_member.insert(**p)) {
                return Err(err(Some("base-clusters"), format!("participant {p} is in two base clusters")));
            }
        }
        let base_ids: HashSet<u32> = base_clusters.iter().map(|b| b.id).collect();
        if base_ids.len() != n {
            return Err(err(Some("base-clusters"), "an id is used twice"));
        }
        let raw_groups: Vec<RawGroup> = take(&obj, "group-clusters")?;
        if raw_groups.len() > MAX_GROUPS {
            return Err(err(Some("group-clusters"), format!("more than {MAX_GROUPS} groups")));
        }
        let groups: Vec<PolisGroup> = raw_groups
            .into_iter()
            .map(|g| PolisGroup { id: g.id, base_clusters: g.members, centre: g.center })
            .collect();
        let mut in_group = HashSet::new();
        for g in &groups {
            for b in &g.base_clusters {
                if !base_ids.contains(b) {
                    return Err(err(
                        Some("group-clusters"),
                        format!("group {} names base cluster {b}, which is not in base-clusters", g.id),
                    ));
                }
                if !in_group.insert(*b) {
                    return Err(err(Some("group-clusters"), format!("base cluster {b} is in two groups")));
                }
            }
        }
        let repness_raw: BTreeMap<String, Vec<RawRepness>> = take_opt(&obj, "repness")?.unwrap_or_default();
        let mut repness = BTreeMap::new();
        for (g, list) in numeric_keys("repness", repness_raw)? {
            let listed = list
                .into_iter()
                .map(|r| {
                    // Pol.is's fallback "best agree" entry keeps the repful-for of the
                    // side its statistics came from, but is shown as agreement (its
                    // n-agree): red-dwarf's 50-participant fixture lists #15 so, with
                    // 7 of 10 agreeing and repful-for "disagree".
                    let direction = match r.repful_for.as_str() {
                        _ if r.best_agree => Direction::Agree,
                        "agree" => Direction::Agree,
                        "disagree" => Direction::Disagree,
                        other => {
                            return Err(err(
                                Some("repness"),
                                format!("repful-for {other:?} is neither agree nor disagree"),
                            ))
                        }
                    };
                    Ok(PolisListed { statement: r.tid, direction })
                })
                .collect::<Result<Vec<_>, _>>()?;
            repness.insert(g, listed);
        }
        let consensus: Option<RawConsensus> = take_opt(&obj, "consensus")?;
        let (consensus_agree, consensus_disagree) = consensus
            .map(|c| (c.agree.iter().map(|e| e.tid).collect(), c.disagree.iter().map(|e| e.tid).collect()))
            .unwrap_or_default();
        let counts: BTreeMap<String, u32> = take_opt(&obj, "user-vote-counts")?.unwrap_or_default();
        let user_vote_counts = numeric_keys("user-vote-counts", counts)?;
        let last_vote_timestamp = take_opt::<f64>(&obj, "lastVoteTimestamp")?.map(|t| t as i64);
        Ok(PolisMath {
            tids,
            pca,
            in_conv,
            base_clusters,
            groups,
            repness,
            consensus_agree,
            consensus_disagree,
            user_vote_counts,
            last_vote_timestamp,
        })
    }

    /// Pol.is's group of every participant it grouped (participant → base cluster → group).
    pub fn group_of_participant(&self) -> HashMap<ParticipantId, u32> {
        let group_of_base: HashMap<u32, u32> =
            self.groups.iter().flat_map(|g| g.base_clusters.iter().map(move |b| (*b, g.id))).collect();
        self.base_clusters
            .iter()
            .filter_map(|b| group_of_base.get(&b.id).map(|g| (b, *g)))
            .flat_map(|(b, g)| b.members.iter().map(move |p| (*p, g)))
            .collect()
    }

    /// Checks that the blob is this conversation's: every statement it covers is one of
    /// `statements`, and the participants it names voted here at least as often as it
    /// counted (a later export only adds votes). Up to 5% of them (at least one) may
    /// differ: Pol.is keeps counting votes on statements later deleted (red-dwarf's
    /// 50-participant fixture counts 4 votes for participant 50, none of which is in
    /// votes.json). A blob from another conversation fails on most of them.
    pub fn check_fits(
        &self,
        statements: &BTreeSet<StatementId>,
        votes_of: &HashMap<ParticipantId, u32>,
    ) -> Result<(), PolisMathError> {
        if let Some(t) = self.tids.iter().find(|t| !statements.contains(t)) {
            return Err(err(
                Some("tids"),
                format!(
                    "statement {t} is not one of the conversation's; is the file from another conversation?"
                ),
            ));
        }
        let mut named: BTreeSet<ParticipantId> = self.user_vote_counts.keys().copied().collect();
        named.extend(self.in_conv.iter().copied());
        named.extend(self.base_clusters.iter().flat_map(|b| b.members.iter().copied()));
        let off: Vec<(ParticipantId, u32, u32)> = named
            .iter()
            .filter_map(|p| {
                let here = votes_of.get(p).copied().unwrap_or(0);
                let there = self.user_vote_counts.get(p).copied().unwrap_or(1);
                (there > here).then_some((*p, there, here))
            })
            .collect();
        let allowed = (named.len() / 20).max(1);
        if off.len() > allowed {
            let (p, there, here) = off[0];
            return Err(err(
                None,
                format!(
                    "{} of the {} participants it names have fewer votes here than it counted \
                     (participant {p}: {there} there, {here} here); is it from another conversation?",
                    off.len(),
                    named.len()
                ),
            ));
        }
        Ok(())
    }

    /// The analysis's warm start from Pol.is's state: its axes (so the map keeps Pol.is's
    /// signs), in-conv set, base clusters as they are (members and centres), group centres
    /// and labels, and a k smoother that has settled on Pol.is's k (it switches only after
    /// another k wins four runs in a row, as in Pol.is).
    pub fn warm_start(&self) -> WarmStart {
        let (statements, axes) = match &self.pca {
            Some(p) => (self.tids.clone(), p.comps.clone()),
            None => (Vec::new(), [Vec::new(), Vec::new()]),
        };
        let k = self.groups.len();
        let group_centres: Vec<Point> = self.groups.iter().map(|g| g.centre).collect();
        WarmStart {
            statements,
            axes,
            in_conv: self.in_conv.clone(),
            base_centres: self.base_clusters.iter().map(|b| b.centre).collect(),
            base_members: self.base_clusters.iter().map(|b| b.members.clone()).collect(),
            group_centres: if k >= 2 { vec![KCentres { k, centres: group_centres }] } else { Vec::new() },
            groups: self.groups.iter().map(|g| GroupCentre { id: g.id, centre: g.centre }).collect(),
            k_smoother: (k >= 2).then_some(KSmoother {
                last_k: k as u32,
                last_k_count: cluster::K_BUFFER,
                smoothed_k: k as u32,
            }),
        }
    }
}

/// Two lists (or sets) of the same kind compared: what both have, what only one has.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Overlap<T> {
    pub same: Vec<T>,
    pub only_ours: Vec<T>,
    pub only_polis: Vec<T>,
}

impl<T: Ord + Copy> Overlap<T> {
    fn of(ours: &[T], polis: &[T]) -> Overlap<T> {
        let (a, b): (BTreeSet<T>, BTreeSet<T>) =
            (ours.iter().copied().collect(), polis.iter().copied().collect());
        Overlap {
            same: a.intersection(&b).copied().collect(),
            only_ours: a.difference(&b).copied().collect(),
            only_polis: b.difference(&a).copied().collect(),
        }
    }
}

/// One of Pol.is's groups' representative statements against those of our group that
/// holds most of its members (statement and direction must both match).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupListComparison {
    pub polis_group: u32,
    pub our_group: Option<u32>,
    pub statements: Overlap<PolisListed>,
}

/// Our analysis against Pol.is's own math, stage by stage (docs/analysis-json.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolisComparison {
    /// Map: cosine between our axis and Pol.is's component, per component, over the
    /// statements both cover (1 = the same direction, −1 = flipped).
    pub map_cosine: [f64; 2],
    /// Participants clustered (in-conv): counts of both, ours only, Pol.is's only.
    pub clustered_same: usize,
    pub clustered_only_ours: usize,
    pub clustered_only_polis: usize,
    /// Base clusters: how many each has, and the largest distance from one of Pol.is's
    /// base centres to the nearest of ours (0 when ours are Pol.is's).
    pub base_clusters_ours: usize,
    pub base_clusters_polis: usize,
    pub base_centre_max_distance: f64,
    /// Groups: how many each made, and the adjusted Rand index over the participants both
    /// put in a group (1 = the same groups).
    pub groups_ours: usize,
    pub groups_polis: usize,
    pub groups_compared_participants: usize,
    pub groups_adjusted_rand_index: f64,
    /// Representative statements per Pol.is group.
    pub representative: Vec<GroupListComparison>,
    /// Consensus lists.
    pub consensus_agree: Overlap<StatementId>,
    pub consensus_disagree: Overlap<StatementId>,
}

fn cosine(a: &[f64], b: &[f64]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f64 = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    let nb: f64 = b.iter().map(|x| x * x).sum::<f64>().sqrt();
    if na == 0.0 || nb == 0.0 {
        0.0
    } else {
        dot / (na * nb)
    }
}

impl PolisMath {
    /// Compares `analysis` with this math, stage by stage.
    pub fn compare(&self, analysis: &Analysis) -> PolisComparison {
        let ws = &analysis.warm_start;
        let ours_at: HashMap<StatementId, usize> =
            ws.statements.iter().enumerate().map(|(i, s)| (*s, i)).collect();
        let map_cosine = match &self.pca {
            Some(p) => [0, 1].map(|j| {
                let (mut a, mut b) = (Vec::new(), Vec::new());
                for (i, t) in self.tids.iter().enumerate() {
                    if let Some(v) = ours_at.get(t).and_then(|&o| ws.axes[j].get(o)) {
                        a.push(*v);
                        b.push(p.comps[j][i]);
                    }
                }
                cosine(&a, &b)
            }),
            None => [0.0, 0.0],
        };
        let our_in: Vec<ParticipantId> =
            analysis.participants.iter().filter(|p| p.in_conv).map(|p| p.id).collect();
        let clustered = Overlap::of(&our_in, &self.in_conv);
        let base_centre_max_distance = self
            .base_clusters
            .iter()
            .map(|b| {
                ws.base_centres
                    .iter()
                    .map(|c| ((c[0] - b.centre[0]).powi(2) + (c[1] - b.centre[1]).powi(2)).sqrt())
                    .fold(f64::INFINITY, f64::min)
            })
            .fold(0.0, f64::max);
        let theirs = self.group_of_participant();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        // Per Pol.is group: how many of its members are in each of our groups.
        let mut overlap: BTreeMap<u32, BTreeMap<u32, usize>> = BTreeMap::new();
        for p in &analysis.participants {
            if let (Some(g), Some(&h)) = (p.group, theirs.get(&p.id)) {
                a.push(g);
                b.push(h);
                *overlap.entry(h).or_default().entry(g).or_default() += 1;
            }
        }
        let representative = self
            .groups
            .iter()
            .map(|g| {
                let our_group = overlap.get(&g.id).and_then(|m| {
                    m.iter().max_by_key(|(id, n)| (**n, std::cmp::Reverse(**id))).map(|(id, _)| *id)
                });
                let ours: Vec<PolisListed> = our_group
                    .and_then(|id| analysis.groups.iter().find(|x| x.id == id))
                    .map(|x| {
                        x.representative
                            .iter()
                            .map(|r| PolisListed { statement: r.statement, direction: r.direction })
                            .collect()
                    })
                    .unwrap_or_default();
                let polis: Vec<PolisListed> = self.repness.get(&g.id).cloned().unwrap_or_default();
                GroupListComparison { polis_group: g.id, our_group, statements: Overlap::of(&ours, &polis) }
            })
            .collect();
        let ids = |l: &[crate::result::ConsensusEntry]| l.iter().map(|e| e.statement).collect::<Vec<_>>();
        PolisComparison {
            map_cosine,
            clustered_same: clustered.same.len(),
            clustered_only_ours: clustered.only_ours.len(),
            clustered_only_polis: clustered.only_polis.len(),
            base_clusters_ours: ws.base_centres.len(),
            base_clusters_polis: self.base_clusters.len(),
            base_centre_max_distance: if base_centre_max_distance.is_finite() {
                base_centre_max_distance
            } else {
                0.0
            },
            groups_ours: analysis.groups.len(),
            groups_polis: self.groups.len(),
            groups_compared_participants: a.len(),
            groups_adjusted_rand_index: if a.is_empty() { 0.0 } else { adjusted_rand_index(&a, &b) },
            representative,
            consensus_agree: Overlap::of(&ids(&analysis.consensus.agree), &self.consensus_agree),
            consensus_disagree: Overlap::of(&ids(&analysis.consensus.disagree), &self.consensus_disagree),
        }
    }
}

impl PolisComparison {
    /// The comparison as lines of text, one stage a line (the CLI's summary).
    pub fn text(&self) -> String {
        let list = |v: &[StatementId]| {
            if v.is_empty() {
                "none".to_string()
            } else {
                v.iter().map(|t| format!("#{t}")).collect::<Vec<_>>().join(" ")
            }
        };
        let listed = |v: &[PolisListed]| {
            if v.is_empty() {
                "none".to_string()
            } else {
                v.iter()
                    .map(|l| {
                        format!("#{}{}", l.statement, if l.direction == Direction::Agree { "+" } else { "-" })
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            }
        };
        let mut out = String::from("Compared with Pol.is's own math (math-pca2.json), stage by stage:\n");
        out.push_str(&format!(
            "  map: cosine with Pol.is's components {:.4} and {:.4} (1 = the same axis)\n",
            self.map_cosine[0], self.map_cosine[1]
        ));
        out.push_str(&format!(
            "  participants clustered: {} in both, {} only ours, {} only Pol.is's\n",
            self.clustered_same, self.clustered_only_ours, self.clustered_only_polis
        ));
        out.push_str(&format!(
            "  base clusters: {} ours, {} Pol.is's; farthest Pol.is centre from ours {:.2e}\n",
            self.base_clusters_ours, self.base_clusters_polis, self.base_centre_max_distance
        ));
        out.push_str(&format!(
            "  groups: {} ours, {} Pol.is's; adjusted Rand index {:.3} over {} participants\n",
            self.groups_ours,
            self.groups_polis,
            self.groups_adjusted_rand_index,
            self.groups_compared_participants
        ));
        for g in &self.representative {
            let ours = g.our_group.map(|id| crate::legend::group_letter(id as usize)).unwrap_or("-".into());
            out.push_str(&format!(
                "  representative, Pol.is group {} (ours {ours}): same {}; only ours {}; only Pol.is's {}\n",
                g.polis_group,
                listed(&g.statements.same),
                listed(&g.statements.only_ours),
                listed(&g.statements.only_polis)
            ));
        }
        for (name, o) in [("agree", &self.consensus_agree), ("disagree", &self.consensus_disagree)] {
            out.push_str(&format!(
                "  consensus {name}: same {}; only ours {}; only Pol.is's {}\n",
                list(&o.same),
                list(&o.only_ours),
                list(&o.only_polis)
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::polis_csv::PolisExport;
    use serde_json::json;

    /// Eight participants, four statements: 0–3 agree with everything, 4–7 disagree.
    fn export(math: Option<String>) -> Result<PolisExport, crate::polis_csv::PolisCsvError> {
        let comments = "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n\
            1,,0,0,4,4,1,a\n1,,1,0,4,4,1,b\n1,,2,0,4,4,1,c\n1,,3,0,4,4,1,d\n";
        let mut votes = String::from("timestamp,datetime,comment-id,voter-id,vote\n");
        for p in 0..8 {
            for s in 0..4 {
                let v = if p < 4 { 1 } else { -1 };
                votes.push_str(&format!("{},,{s},{p},{v}\n", 10 * p + s));
            }
        }
        PolisExport::from_files(|name| match name {
            "comments.csv" => Some(comments.to_string()),
            "votes.csv" => Some(votes.clone()),
            MATH_FILE => math.clone(),
            _ => None,
        })
    }

    /// A math blob over `export()`'s conversation whose two base clusters are {0, 1, 2}
    /// and {3, …, 7}: participant 3 sits with those who disagree, as Pol.is's history
    /// may have left them, at the centres given.
    fn blob(centres: [Point; 2]) -> serde_json::Value {
        json!({
            "tids": [0, 1, 2, 3],
            "in-conv": [0, 1, 2, 3, 4, 5, 6, 7],
            "pca": {"center": [0.0, 0.0, 0.0, 0.0], "comps": [[0.5, 0.5, 0.5, 0.5], [0.5, -0.5, 0.5, -0.5]]},
            "base-clusters": {"id": [7, 12], "members": [[0, 1, 2], [3, 4, 5, 6, 7]],
                "x": [centres[0][0], centres[1][0]], "y": [centres[0][1], centres[1][1]], "count": [3, 5]},
            "group-clusters": [{"id": 0, "members": [7], "center": centres[0]},
                               {"id": 1, "members": [12], "center": centres[1]}],
            "repness": {"0": [{"tid": 0, "repful-for": "agree"}],
                        "1": [{"tid": 0, "repful-for": "disagree"}, {"tid": 1, "repful-for": "disagree", "best-agree": true}]},
            "consensus": {"agree": [], "disagree": []},
            "user-vote-counts": {"0": 4, "1": 4, "2": 4, "3": 4, "4": 4, "5": 4, "6": 4, "7": 4},
            "lastVoteTimestamp": 80
        })
    }

    #[test]
    fn the_math_blob_is_read_with_base_clusters_groups_and_lists() {
        let m = PolisMath::parse(&blob([[1.0, 0.0], [-1.0, 0.0]]).to_string()).expect("parses");
        assert_eq!(m.tids, vec![0, 1, 2, 3]);
        assert_eq!(m.base_clusters[1].id, 12);
        assert_eq!(m.base_clusters[1].members, vec![3, 4, 5, 6, 7]);
        assert_eq!(m.groups[1].base_clusters, vec![12]);
        assert_eq!(m.group_of_participant()[&3], 1);
        // A "best agree" entry is agreement whatever its repful-for says.
        assert_eq!(
            m.repness[&1],
            vec![
                PolisListed { statement: 0, direction: Direction::Disagree },
                PolisListed { statement: 1, direction: Direction::Agree }
            ]
        );
        assert_eq!(m.user_vote_counts[&5], 4);
    }

    #[test]
    fn a_broken_blob_is_refused_naming_the_key() {
        let mut b = blob([[1.0, 0.0], [-1.0, 0.0]]);
        b.as_object_mut().expect("object").remove("base-clusters");
        let e = PolisMath::parse(&b.to_string()).expect_err("no base clusters");
        assert_eq!(e.to_string(), "math-pca2.json, key base-clusters: missing");
        let mut b = blob([[1.0, 0.0], [-1.0, 0.0]]);
        b["in-conv"] = json!(["x"]);
        let e = PolisMath::parse(&b.to_string()).expect_err("bad in-conv");
        assert_eq!(e.key.as_deref(), Some("in-conv"), "{e}");
        let mut b = blob([[1.0, 0.0], [-1.0, 0.0]]);
        b["group-clusters"][1]["members"] = json!([99]);
        let e = PolisMath::parse(&b.to_string()).expect_err("unknown base cluster");
        assert!(e.to_string().contains("base cluster 99"), "{e}");
        let text = blob([[1.0, 0.0], [-1.0, 0.0]]).to_string();
        let e = PolisMath::parse(&text[..text.len() / 2]).expect_err("truncated");
        assert!(e.to_string().starts_with("math-pca2.json: not JSON"), "{e}");
    }

    #[test]
    fn a_blob_from_another_conversation_is_refused_and_nothing_is_read() {
        // Other ids: a statement this conversation does not have.
        let mut b = blob([[1.0, 0.0], [-1.0, 0.0]]);
        b["tids"] = json!([0, 1, 2, 3, 40]);
        b["pca"] = json!({"center": [0, 0, 0, 0, 0], "comps": [[1, 0, 0, 0, 0], [0, 1, 0, 0, 0]]});
        let e = export(Some(b.to_string())).expect_err("other statements");
        assert_eq!(e.file, "math-pca2.json");
        assert!(e.message.contains("statement 40"), "{e}");
        // The same ids but other participants' vote counts.
        let mut b = blob([[1.0, 0.0], [-1.0, 0.0]]);
        b["user-vote-counts"] =
            json!({"0": 9, "1": 9, "2": 9, "3": 4, "4": 4, "5": 4, "6": 4, "7": 4, "8": 3});
        let e = export(Some(b.to_string())).expect_err("other participants");
        assert!(e.message.contains("another conversation"), "{e}");
        // Its own blob is read.
        assert!(export(Some(blob([[1.0, 0.0], [-1.0, 0.0]]).to_string())).expect("own").math.is_some());
    }

    #[test]
    fn the_analysis_keeps_polis_base_clusters_and_groups_and_compares_itself() {
        let cold = export(None).expect("export").analyse(&Default::default()).expect("cold");
        let pos = |p: u32| cold.participants.iter().find(|x| x.id == p).expect("placed").position;
        assert_eq!(cold.group_of(3), cold.group_of(0), "a cold run puts 3 with those who agree");
        let mean = |ps: &[u32]| {
            let n = ps.len() as f64;
            let s = ps.iter().fold([0.0, 0.0], |a, &p| [a[0] + pos(p)[0], a[1] + pos(p)[1]]);
            [s[0] / n, s[1] / n]
        };
        let centres = [mean(&[0, 1, 2]), mean(&[3, 4, 5, 6, 7])];
        let e = export(Some(blob(centres).to_string())).expect("export with math");
        let warm = e.analyse(&Default::default()).expect("warm");
        assert_eq!(warm.group_of(3), warm.group_of(4), "Pol.is's base cluster is kept");
        assert_eq!(warm.group_of(3), Some(1), "with Pol.is's label");
        assert_eq!(warm.group_of(0), Some(0));
        let c = e.math.as_ref().expect("math").compare(&warm);
        assert_eq!(c.groups_adjusted_rand_index, 1.0);
        assert_eq!((c.clustered_same, c.clustered_only_ours, c.clustered_only_polis), (8, 0, 0));
        assert_eq!((c.base_clusters_ours, c.base_clusters_polis), (2, 2));
        assert!(c.base_centre_max_distance < 1e-12);
        assert!(c.text().contains("adjusted Rand index 1.000"), "{}", c.text());
        let json = crate::polis_csv::export_analysis_json(&e, &warm);
        assert!(json.contains("\"polis_comparison\""), "analysis.json carries the comparison");
    }

    /// The browser's `/report` runs `analyse_with_progress` (for its progress bar): with
    /// Pol.is's math it too continues from Pol.is's groups, as `mufakat analyze` does.
    #[test]
    fn the_analysis_with_progress_continues_from_polis_math_too() {
        let cold = export(None).expect("export").analyse(&Default::default()).expect("cold");
        let pos = |p: u32| cold.participants.iter().find(|x| x.id == p).expect("placed").position;
        let centre = |ps: &[u32]| {
            let n = ps.len() as f64;
            let s = ps.iter().fold([0.0, 0.0], |a, &p| [a[0] + pos(p)[0], a[1] + pos(p)[1]]);
            [s[0] / n, s[1] / n]
        };
        let e =
            export(Some(blob([centre(&[0, 1, 2]), centre(&[3, 4, 5, 6, 7])]).to_string())).expect("export");
        let mut stages = Vec::new();
        let with_progress =
            e.analyse_with_progress(&Default::default(), &mut |s| stages.push(s)).expect("runs");
        assert_eq!(with_progress.group_of(3), with_progress.group_of(4), "Pol.is's base cluster is kept");
        assert_eq!(with_progress, e.analyse(&Default::default()).expect("warm"));
        assert_eq!(stages.first(), Some(&crate::analysis::Stage::Reducing));
    }
}
