//! How sure are the groups? Hennig's clusterwise bootstrap (Hennig 2007, "Cluster-wise
//! assessment of cluster stability"; R's `fpc::clusterboot`), applied to our clustering.
//!
//! The clustering (100 base clusters, weighted k-means for every k, the choice of k) is
//! re-run, cold, on `resamples` resamples of the clustered participants' map positions
//! (the map itself is not recomputed: the question is whether the *lines between groups*
//! hold, and `BENCHMARKS.md` shows the map is Pol.is's own). For each original group C
//! and resample X, the group's best match is the resample cluster D with the highest
//! Jaccard similarity |C∩X ∩ D| / |(C∩X) ∪ D|; a group's stability is the mean of that
//! over the resamples. Hennig's reading: ≥ 0.85 highly stable, ≥ 0.75 stable (a group we
//! call *stable*), ≤ 0.6 "dissolved". Besides, per participant, the share of resamples
//! (that hold them) in which they stay in their group's best match, and how often each k
//! was chosen.
//!
//! The same resamples give the stability of every k's clustering, which
//! [`crate::cluster::choose_k_stable`] uses to choose k.
//!
//! Resampling: by default half the participants drawn without replacement
//! (`Resampling::Subset(0.5)`, clusterboot's "subset" scheme with its default size), kept in
//! their original order (the k-means starts from the first distinct points, so order
//! matters as in the full run). Measured on planted conversations (300 participants, 6
//! seeds, B = 40; `tests/stability.rs`'s `measure_schemes`): every scheme gives planted
//! groups ≥ 0.94, while the least stable group of a pure-noise split scores 0.70–0.82 with
//! 80% subsets, 0.55–0.76 with the bootstrap and 0.53–0.77 (mostly ≈ 0.6) with half
//! subsets, which so tell noise from groups best. Deterministic for the seed.

use rand::seq::index::sample;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};

use crate::cluster::Point;

/// How participants are resampled.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "fraction")]
pub enum Resampling {
    /// Draw n participants with replacement (Efron's bootstrap; duplicates count twice).
    Bootstrap,
    /// Draw this share of participants without replacement.
    Subset(f64),
}

/// Stability's parameters (a field of `AnalysisParams`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StabilityParams {
    /// Resamples B; 0 turns stability off (and with it its part in the choice of k,
    /// which then is the rule before stability: `cluster::choose_k`).
    pub resamples: usize,
    pub scheme: Resampling,
    /// Mean Jaccard at or above which a group is called stable (Hennig: 0.75).
    pub stable_jaccard: f64,
    /// A group with fewer than this share of the clustered participants that is not
    /// stable is not a group: a k that makes one is not chosen (unless every k does).
    pub min_group_share: f64,
    /// A resample draws at most this many participants, so the cost stops growing with
    /// the conversation: a half of 20,000 participants took 300 ms a resample, a draw of
    /// 2,000 takes about a tenth of that (BENCHMARKS.md). Each participant is then drawn
    /// in fewer resamples, so their `stays` rests on fewer.
    #[serde(default = "max_drawn_default")]
    pub max_drawn: usize,
    /// Resample only where stability can change the choice of k: when several k fit
    /// almost equally well, or the k the silhouette picks has a group under
    /// `min_group_share`. Elsewhere the choice is the silhouette's anyway, and the figures
    /// are left out (`Analysis::stability` is `None`), for a page that shows groups but not
    /// how sure they are (the participant page, the published analysis). The groups are
    /// always those of the full measurement.
    #[serde(default)]
    pub only_to_choose: bool,
}

fn max_drawn_default() -> usize {
    2_000
}

impl Default for StabilityParams {
    fn default() -> Self {
        StabilityParams {
            resamples: 40,
            scheme: Resampling::Subset(0.5),
            stable_jaccard: 0.75,
            min_group_share: 0.05,
            max_drawn: max_drawn_default(),
            only_to_choose: false,
        }
    }
}

impl StabilityParams {
    pub fn check(&self) -> Result<(), String> {
        if self.resamples > 1000 {
            return Err(format!("stability resamples must be at most 1000, got {}", self.resamples));
        }
        if let Resampling::Subset(f) = self.scheme {
            if !(f > 0.0 && f < 1.0) {
                return Err(format!("stability subset fraction must be within (0, 1), got {f}"));
            }
        }
        if !(0.0..=1.0).contains(&self.stable_jaccard) {
            return Err(format!("stable_jaccard must be within 0..=1, got {}", self.stable_jaccard));
        }
        if self.max_drawn < 2 {
            return Err(format!("stability max_drawn must be at least 2, got {}", self.max_drawn));
        }
        if !(0.0..=1.0).contains(&self.min_group_share) {
            return Err(format!("min_group_share must be within 0..=1, got {}", self.min_group_share));
        }
        Ok(())
    }
}

/// One clustering run on a set of points: the chosen k, if any, and per k tried its
/// partition of the points (cluster index per point).
pub struct Runs {
    pub chosen_k: Option<usize>,
    pub partitions: Vec<(usize, Vec<usize>)>,
}

/// What the bootstrap measured, before labels are attached.
#[derive(Debug, Clone, PartialEq)]
pub struct Boot {
    pub resamples: usize,
    /// Per k of the original run (in its order): per cluster index, the mean Jaccard of
    /// its best match over the resamples where that k was also tried; NaN when no
    /// resample tried it (a half-size resample of a small conversation has fewer base
    /// clusters, so tries fewer k).
    pub per_k: Vec<(usize, Vec<f64>)>,
    /// (k, how many resamples chose it), by k; resamples that chose none are left out.
    pub k_chosen: Vec<(usize, u32)>,
    /// Per k of the original run (in its order), per point: (resamples in which it stayed
    /// in its cluster's best match, resamples that drew it and tried that k).
    pub stays: Vec<Vec<(u32, u32)>>,
}

/// Per original cluster: the sum of its best-match Jaccards and how many resamples held it.
struct Acc {
    jaccard_sum: Vec<f64>,
    count: Vec<u32>,
}

/// Best-match Jaccard of each original cluster against the resample's partition.
/// `members`: distinct original indices in the resample, `part`: their cluster in the
/// resample run (aligned with `members`). Returns per original cluster (Jaccard, index of
/// the best resample cluster), None when the cluster has no member in the resample.
fn best_matches(
    original: &[usize],
    k: usize,
    members: &[usize],
    part: &[usize],
) -> Vec<Option<(f64, usize)>> {
    let kr = part.iter().copied().max().map_or(0, |m| m + 1);
    let mut inter = vec![0u32; k * kr.max(1)];
    let mut size_c = vec![0u32; k];
    let mut size_d = vec![0u32; kr];
    for (&i, &d) in members.iter().zip(part) {
        let c = original[i];
        inter[c * kr + d] += 1;
        size_c[c] += 1;
        size_d[d] += 1;
    }
    (0..k)
        .map(|c| {
            if size_c[c] == 0 {
                return None;
            }
            (0..kr)
                .map(|d| {
                    let n = inter[c * kr + d] as f64;
                    (n / (size_c[c] as f64 + size_d[d] as f64 - n), d)
                })
                .fold(None, |best: Option<(f64, usize)>, x| match best {
                    Some(b) if b.0 >= x.0 => Some(b),
                    _ => Some(x),
                })
        })
        .collect()
}

/// The distinct indices a resample holds (sorted) and the points to cluster (sorted,
/// duplicates kept for the bootstrap).
fn draw(n: usize, scheme: Resampling, max_drawn: usize, rng: &mut Xoshiro256PlusPlus) -> Vec<usize> {
    let mut idx: Vec<usize> = match scheme {
        Resampling::Bootstrap => (0..n.min(max_drawn)).map(|_| rng.gen_range(0..n)).collect(),
        Resampling::Subset(f) => {
            let m = ((n as f64 * f).round() as usize).clamp(1, n).min(max_drawn.max(1));
            sample(rng, n, m).into_vec()
        }
    };
    idx.sort_unstable();
    idx
}

/// Runs the clusterwise bootstrap. `original`: the full run's partitions per k (cluster
/// index per point); `cluster`: the clustering to re-run on a resample's points, which
/// returns its chosen k and its partition for every k tried. The resamples are drawn in
/// order from the seed's stream, clustered on up to `threads` threads
/// ([`cluster_resamples`]) and tallied in order, so the result is the same for every
/// thread count.
pub fn clusterboot(
    points: &[Point],
    original: &[(usize, Vec<usize>)],
    params: &StabilityParams,
    seed: u64,
    threads: usize,
    cluster: &(dyn Fn(&[Point]) -> Runs + Sync),
) -> Boot {
    let n = points.len();
    let mut stays: Vec<Vec<(u32, u32)>> = original.iter().map(|_| vec![(0, 0); n]).collect();
    let mut acc: Vec<Acc> =
        original.iter().map(|(k, _)| Acc { jaccard_sum: vec![0.0; *k], count: vec![0; *k] }).collect();
    let mut k_count: Vec<(usize, u32)> = Vec::new();
    if n < 2 || params.resamples == 0 {
        return Boot { resamples: 0, per_k: Vec::new(), k_chosen: Vec::new(), stays: Vec::new() };
    }
    // Its own stream, so the bootstrap does not shift the PCA's random numbers.
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed ^ 0x5eed_b007_c105_7e25);
    let draws: Vec<Vec<usize>> =
        (0..params.resamples).map(|_| draw(n, params.scheme, params.max_drawn, &mut rng)).collect();
    let clustered = cluster_resamples(points, &draws, threads, cluster);
    for (drawn, runs) in draws.iter().zip(&clustered) {
        if let Some(k) = runs.chosen_k {
            match k_count.iter_mut().find(|(kk, _)| *kk == k) {
                Some(e) => e.1 += 1,
                None => k_count.push((k, 1)),
            }
        }
        // Distinct members, with their resample cluster (copies of a point share it).
        let mut members: Vec<usize> = Vec::with_capacity(drawn.len());
        let mut first: Vec<usize> = Vec::with_capacity(drawn.len());
        for (j, &i) in drawn.iter().enumerate() {
            if members.last() != Some(&i) {
                members.push(i);
                first.push(j);
            }
        }
        for (((k, orig), a), stays) in original.iter().zip(acc.iter_mut()).zip(stays.iter_mut()) {
            let Some((_, part)) = runs.partitions.iter().find(|(kk, _)| kk == k) else { continue };
            let part: Vec<usize> = first.iter().map(|&j| part[j]).collect();
            let best = best_matches(orig, *k, &members, &part);
            for (c, b) in best.iter().enumerate() {
                if let Some((jac, _)) = b {
                    a.jaccard_sum[c] += jac;
                    a.count[c] += 1;
                }
            }
            for (&i, &d) in members.iter().zip(&part) {
                let s = &mut stays[i];
                s.1 += 1;
                if best[orig[i]].map(|b| b.1) == Some(d) {
                    s.0 += 1;
                }
            }
        }
    }
    k_count.sort_unstable();
    let per_k = original
        .iter()
        .zip(&acc)
        .map(|((k, _), a)| {
            let means = a
                .jaccard_sum
                .iter()
                .zip(&a.count)
                .map(|(s, &c)| if c == 0 { f64::NAN } else { s / c as f64 })
                .collect();
            (*k, means)
        })
        .collect();
    Boot { resamples: params.resamples, per_k, k_chosen: k_count, stays }
}

/// Clusters every resample's points, in resample order. The resamples are independent
/// (each a cold clustering of its own points), so natively they are shared out among up
/// to `threads` threads, each taking the next resample not yet taken; the results are put
/// back in resample order, so what the caller sums up, in that order, is the same for any
/// thread count. In the browser (wasm32, no threads) and with `threads <= 1`, one by one.
fn cluster_resamples(
    points: &[Point],
    draws: &[Vec<usize>],
    threads: usize,
    cluster: &(dyn Fn(&[Point]) -> Runs + Sync),
) -> Vec<Runs> {
    let run = |drawn: &Vec<usize>| {
        let sub: Vec<Point> = drawn.iter().map(|&i| points[i]).collect();
        cluster(&sub)
    };
    #[cfg(not(target_arch = "wasm32"))]
    if threads > 1 && draws.len() > 1 {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let next = AtomicUsize::new(0);
        let work = || {
            let mut done = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(drawn) = draws.get(i) else { return done };
                done.push((i, run(drawn)));
            }
        };
        let mut slots: Vec<Option<Runs>> = draws.iter().map(|_| None).collect();
        std::thread::scope(|s| {
            let helpers: Vec<_> = (1..threads.min(draws.len())).map(|_| s.spawn(work)).collect();
            let mut all = work();
            for h in helpers {
                // A panic in a helper is a bug in the clustering: raise it here as it is.
                all.extend(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
            }
            for (i, runs) in all {
                slots[i] = Some(runs);
            }
        });
        // Every index below draws.len() was taken by exactly one thread.
        debug_assert!(slots.iter().all(Option::is_some));
        return slots.into_iter().flatten().collect();
    }
    let _ = threads;
    draws.iter().map(run).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn best_match_is_the_highest_jaccard() {
        // Original clusters {0,1,2} and {3,4}; the resample drops 2 and splits 3 from 4.
        let original = [0, 0, 0, 1, 1];
        let members = [0, 1, 3, 4];
        let part = [0, 0, 1, 2];
        let b = best_matches(&original, 2, &members, &part);
        assert_eq!(b[0], Some((1.0, 0)));
        assert_eq!(b[1], Some((0.5, 1)));
    }

    #[test]
    fn subsets_hold_the_share_asked_and_are_sorted() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        let d = draw(100, Resampling::Subset(0.8), 2_000, &mut rng);
        assert_eq!(d.len(), 80);
        assert!(d.windows(2).all(|w| w[0] < w[1]));
        let b = draw(100, Resampling::Bootstrap, 2_000, &mut rng);
        assert_eq!(b.len(), 100);
        assert_eq!(draw(10_000, Resampling::Subset(0.5), 2_000, &mut rng).len(), 2_000);
        let b = draw(100, Resampling::Bootstrap, 2_000, &mut rng);
        assert_eq!(b.len(), 100);
        assert!(b.windows(2).all(|w| w[0] <= w[1]));
    }
}
