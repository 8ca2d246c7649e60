//! Opinion groups: Pol.is's two-level k-means (A.3 and A.7 of `shared/spec/polis-math.md`,
//! `conversation.clj` and `clusters.clj`).
//!
//! 1. Base clusters: k-means with k = 100 on the 2-D projections of in-conversation
//!    participants, cold-started from the first k distinct points (deterministic, as
//!    Pol.is), warm-started from the previous centres ("clean start").
//! 2. Groups: *weighted* k-means over base-cluster centres (weight = members) for every
//!    k in 2..=max-k, max-k = min(5, 2 + ⌊n_base / 12⌋), each k warm-started from that k's
//!    previous centres; k chosen by the silhouette over base-cluster centres and smoothed
//!    across runs with a buffer of 4.
//!
//! Choice of k differs in one point: Pol.is takes the strict best silhouette each run
//! and relies on the smoother, whose first runs can only pick k = 2 (max-k stays 2
//! until there are 12 base clusters), so in practice it favours the small k it started
//! with. A single cold run has no such history, so by default we take the smallest k
//! whose silhouette is within 0.05 of the best (`AnalysisParams::k_tolerance`; 0 gives
//! Pol.is's strict rule). Silhouettes over ≤ 100 base centres vary by a few hundredths
//! between runs anyway, and fewer groups are easier to read and jump less. With no more
//! participants than base clusters (each is then its own base cluster) the rule is the
//! strict best, as Pol.is's and red-dwarf's ([`k_tolerance_for`]).
//!
//! The k-means is our own small Lloyd loop rather than linfa-clustering's `KMeans`:
//! Pol.is's behaviour depends on details linfa does not expose together (sample weights
//! with a precomputed first-distinct-points start, dropping clusters that fall empty, and
//! the "every centre moved < 0.01" stop rule). A test checks that on unweighted data with
//! the same start it lands on the same partition as linfa's `KMeans`.

use serde::{Deserialize, Serialize};

/// A point in the 2-D opinion map.
pub type Point = [f64; 2];

pub const BASE_K: usize = 100;
pub const MAX_ITERS: usize = 100;
/// Pol.is stops when every centre moved less than this.
pub const CONVERGENCE: f64 = 0.01;
/// Pol.is's `group-k-buffer`.
pub const K_BUFFER: u32 = 4;

fn dist2(a: Point, b: Point) -> f64 {
    (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)
}

/// Index of the nearest centre (ties: the lower index).
pub fn nearest(p: Point, centres: &[Point]) -> usize {
    let mut best = 0;
    let mut best_d = f64::INFINITY;
    for (i, &c) in centres.iter().enumerate() {
        let d = dist2(p, c);
        if d < best_d {
            best_d = d;
            best = i;
        }
    }
    best
}

/// The first `k` distinct points, in order (Pol.is's cold start).
pub fn first_distinct(points: &[Point], k: usize) -> Vec<Point> {
    let mut out: Vec<Point> = Vec::with_capacity(k);
    for &p in points {
        if out.len() == k {
            break;
        }
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

/// A clustering: centres and, for every point, the index of its centre.
#[derive(Debug, Clone, PartialEq)]
pub struct Clustering {
    pub centres: Vec<Point>,
    pub assignment: Vec<usize>,
    /// Sum of member weights per cluster.
    pub weights: Vec<f64>,
}

/// Hamerly's per-point bounds for [`kmeans`]: `upper[i]` ≥ the distance from point i to
/// its assigned centre, `lower[i]` ≤ its distance to any other centre.
struct Bounds {
    upper: Vec<f64>,
    lower: Vec<f64>,
    /// No assignment yet: the first pass checks every centre.
    fresh: bool,
}

/// Centres sorted by x, to find a point's nearest two centres without checking them all:
/// the search walks out from the point's x and stops on each side once the x distance
/// alone exceeds the second-best distance.
struct ByX {
    /// (x, index) by x.
    order: Vec<(f64, usize)>,
}

impl ByX {
    fn new(centres: &[Point]) -> ByX {
        let mut order: Vec<(f64, usize)> = centres.iter().enumerate().map(|(k, c)| (c[0], k)).collect();
        // Keys are distinct (the index breaks ties), so an unstable sort gives the one order.
        order.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        ByX { order }
    }

    /// The nearest centre (ties: the lower index, as [`nearest`]), its squared distance
    /// and the squared distance of the next nearest (infinite with one centre).
    fn nearest_two(&self, p: Point, centres: &[Point]) -> (usize, f64, f64) {
        let mut near = NearestTwo { best: usize::MAX, best_d: f64::INFINITY, second_d: f64::INFINITY };
        let start = self.order.partition_point(|&(x, _)| x < p[0]);
        let (mut left, mut right) = (start, start);
        let (mut left_open, mut right_open) = (true, true);
        while left_open || right_open {
            if right_open {
                match self.order.get(right) {
                    // fl(dx²) ≤ fl(dist²), so a centre past second_d in x alone is past it.
                    Some(&(x, k)) if (x - p[0]).powi(2) <= near.second_d => {
                        near.visit(k, dist2(p, centres[k]));
                        right += 1;
                    }
                    _ => right_open = false,
                }
            }
            if left_open {
                match left.checked_sub(1).map(|l| self.order[l]) {
                    Some((x, k)) if (x - p[0]).powi(2) <= near.second_d => {
                        near.visit(k, dist2(p, centres[k]));
                        left -= 1;
                    }
                    _ => left_open = false,
                }
            }
        }
        (near.best, near.best_d, near.second_d)
    }
}

impl ByX {
    /// Per centre, half the distance to its nearest other centre (infinite with one
    /// centre). Walks out from each centre in x order and stops on each side once the x
    /// distance alone exceeds the nearest found: the minimum of the same distances as
    /// checking every pair (a minimum does not depend on the order it is taken in), in
    /// about k log k instead of k² (half the assignment step's time with 100 centres).
    fn half_gaps(&self, centres: &[Point]) -> Vec<f64> {
        let mut gap = vec![f64::INFINITY; centres.len()];
        for (pos, &(x, a)) in self.order.iter().enumerate() {
            let mut nearest = f64::INFINITY;
            for &(xk, k) in &self.order[pos + 1..] {
                if (xk - x).powi(2) > nearest {
                    break;
                }
                nearest = nearest.min(dist2(centres[a], centres[k]));
            }
            for &(xk, k) in self.order[..pos].iter().rev() {
                if (xk - x).powi(2) > nearest {
                    break;
                }
                nearest = nearest.min(dist2(centres[a], centres[k]));
            }
            gap[a] = 0.5 * nearest.sqrt();
        }
        gap
    }
}

struct NearestTwo {
    best: usize,
    best_d: f64,
    second_d: f64,
}

impl NearestTwo {
    fn visit(&mut self, k: usize, d: f64) {
        if d < self.best_d || (d == self.best_d && k < self.best) {
            self.second_d = self.best_d;
            self.best_d = d;
            self.best = k;
        } else if d < self.second_d {
            self.second_d = d;
        }
    }
}

/// Relative margin kept between the bounds before a point is skipped: far above the
/// rounding in the bounds, so a skipped point's centre is certainly the nearest.
const BOUND_SLACK: f64 = 1e-9;

impl Bounds {
    fn new(n: usize) -> Bounds {
        Bounds { upper: vec![f64::INFINITY; n], lower: vec![0.0; n], fresh: true }
    }

    /// Assigns every point to its nearest centre (ties: the lower index), checking all
    /// centres only for points whose bounds do not settle it.
    fn assign(&mut self, points: &[Point], centres: &[Point], assignment: &mut [usize]) {
        let fresh = std::mem::replace(&mut self.fresh, false);
        let by_x = ByX::new(centres);
        // Half the distance from each centre to its nearest other centre: a point nearer
        // than that to its own centre is nearer to it than to any other.
        let half_gap = by_x.half_gaps(centres);
        for (i, &p) in points.iter().enumerate() {
            if !fresh {
                let bound = self.lower[i].max(half_gap[assignment[i]]);
                if self.upper[i] * (1.0 + BOUND_SLACK) < bound {
                    continue;
                }
                self.upper[i] = dist2(p, centres[assignment[i]]).sqrt();
                if self.upper[i] * (1.0 + BOUND_SLACK) < bound {
                    continue;
                }
            }
            let (best, best_d, second_d) = by_x.nearest_two(p, centres);
            assignment[i] = best;
            self.upper[i] = best_d.sqrt();
            self.lower[i] = second_d.sqrt();
        }
    }

    /// Centre `k` moved by `shift[k]` (`assignment` still in the old numbering): the
    /// own centre can be that much farther, any other that much nearer. Dropping centres
    /// only makes the nearest other centre farther, so it needs nothing here.
    fn centres_moved(&mut self, assignment: &[usize], shift: &[f64]) {
        // The farthest-moving centre, and how far the farthest other one moved.
        let (mut top, mut top_shift, mut next_shift) = (usize::MAX, 0.0f64, 0.0f64);
        for (k, &d) in shift.iter().enumerate() {
            if d > top_shift {
                next_shift = top_shift;
                top_shift = d;
                top = k;
            } else if d > next_shift {
                next_shift = d;
            }
        }
        for (i, &a) in assignment.iter().enumerate() {
            self.upper[i] += shift[a];
            self.lower[i] -= if a == top { next_shift } else { top_shift };
        }
    }
}

/// Weighted Lloyd k-means from the given start centres. Clusters that fall empty are
/// dropped (as Pol.is); iteration stops when every centre moved < [`CONVERGENCE`].
///
/// The assignment step skips points that provably keep their centre (Hamerly's bounds:
/// an upper bound on the distance to the own centre, a lower bound on the distance to
/// every other, moved on by how far the centres moved). A point is only skipped when its
/// centre is strictly the nearest with a margin far above rounding, so the assignments,
/// and so the result, are exactly those of the plain loop that checks every centre.
pub fn kmeans(points: &[Point], weights: &[f64], start: Vec<Point>, max_iters: usize) -> Clustering {
    let mut centres = start;
    if points.is_empty() || centres.is_empty() {
        return Clustering { centres: Vec::new(), assignment: vec![0; points.len()], weights: Vec::new() };
    }
    let mut bounds = Bounds::new(points.len());
    let mut assignment = vec![0usize; points.len()];
    for _ in 0..max_iters.max(1) {
        bounds.assign(points, &centres, &mut assignment);
        let mut sums = vec![[0.0f64; 3]; centres.len()];
        for (i, &p) in points.iter().enumerate() {
            let w = weights[i];
            let s = &mut sums[assignment[i]];
            s[0] += w * p[0];
            s[1] += w * p[1];
            s[2] += w;
        }
        // Drop empty clusters and renumber.
        let mut remap = vec![usize::MAX; centres.len()];
        let mut new_centres = Vec::with_capacity(centres.len());
        let mut moved = 0.0f64;
        let mut shift = vec![0.0f64; centres.len()];
        let mut count = vec![0usize; centres.len()];
        for &a in &assignment {
            count[a] += 1;
        }
        for (i, s) in sums.iter().enumerate() {
            if count[i] == 0 {
                continue;
            }
            let c = if s[2] > 0.0 { [s[0] / s[2], s[1] / s[2]] } else { centres[i] };
            shift[i] = dist2(c, centres[i]).sqrt();
            moved = moved.max(shift[i]);
            remap[i] = new_centres.len();
            new_centres.push(c);
        }
        let dropped = new_centres.len() != centres.len();
        bounds.centres_moved(&assignment, &shift);
        for a in assignment.iter_mut() {
            *a = remap[*a];
        }
        centres = new_centres;
        if !dropped && moved < CONVERGENCE {
            break;
        }
    }
    // Final assignment consistent with the final centres.
    bounds.assign(points, &centres, &mut assignment);
    let mut w = vec![0.0; centres.len()];
    for (i, &a) in assignment.iter().enumerate() {
        w[a] += weights[i];
    }
    let keep: Vec<usize> = (0..centres.len()).filter(|&i| w[i] > 0.0 || points.is_empty()).collect();
    if keep.len() != centres.len() {
        let mut remap = vec![usize::MAX; centres.len()];
        for (n, &o) in keep.iter().enumerate() {
            remap[o] = n;
        }
        centres = keep.iter().map(|&i| centres[i]).collect();
        for a in assignment.iter_mut() {
            *a = remap[*a];
        }
        w = keep.iter().map(|&i| w[i]).collect();
    }
    Clustering { centres, assignment, weights: w }
}

/// Pol.is's "clean start" for a warm run: keep the previous centres that still attract
/// points, merge identical ones, then split off the point farthest from its centre until
/// there are `k` centres (or no distinct point is left).
pub fn clean_start(points: &[Point], previous: &[Point], k: usize) -> Vec<Point> {
    let mut centres: Vec<Point> = Vec::new();
    for &c in previous {
        if !centres.contains(&c) {
            centres.push(c);
        }
    }
    centres.truncate(k);
    if centres.is_empty() {
        return first_distinct(points, k);
    }
    // Recentre on the new points, dropping centres that attract none.
    let ones = vec![1.0; points.len()];
    let mut centres = kmeans(points, &ones, centres, 1).centres;
    while centres.len() < k {
        let mut far: Option<(f64, Point)> = None;
        for &p in points {
            let d = dist2(p, centres[nearest(p, &centres)]);
            if d > 0.0 && far.is_none_or(|(fd, _)| d > fd) {
                far = Some((d, p));
            }
        }
        match far {
            Some((_, p)) => centres.push(p),
            None => break,
        }
    }
    centres
}

/// Mean silhouette over points (Pol.is: over base-cluster centres), unweighted;
/// a singleton cluster scores 0. Returns −1 when fewer than two clusters.
pub fn silhouette(points: &[Point], assignment: &[usize], k: usize) -> f64 {
    silhouette_of(&PairDistances::new(points), assignment, k)
}

/// The distance between every two of a set of points, computed once for the silhouettes of
/// every k's partition of the same base centres ([`silhouette_of`]).
pub struct PairDistances {
    n: usize,
    /// Row-major n × n; the diagonal is 0 and never read.
    d: Vec<f64>,
}

impl PairDistances {
    pub fn new(points: &[Point]) -> PairDistances {
        let n = points.len();
        let mut d = vec![0.0; n * n];
        for i in 0..n {
            for j in i + 1..n {
                // dist2 is symmetric to the bit: (a − b)² = (b − a)².
                let x = dist2(points[i], points[j]).sqrt();
                d[i * n + j] = x;
                d[j * n + i] = x;
            }
        }
        PairDistances { n, d }
    }
}

/// [`silhouette`] from the points' distances: the same sums in the same order, so the
/// same value to the bit.
pub fn silhouette_of(distances: &PairDistances, assignment: &[usize], k: usize) -> f64 {
    let n = distances.n;
    if k < 2 || n < 2 {
        return -1.0;
    }
    let mut total = 0.0;
    let mut size = vec![0usize; k];
    for &a in &assignment[..n] {
        size[a] += 1;
    }
    let mut sum = vec![0.0; k];
    for i in 0..n {
        sum.iter_mut().for_each(|s| *s = 0.0);
        let row = &distances.d[i * n..(i + 1) * n];
        for (j, (&d, &a)) in row.iter().zip(assignment).enumerate() {
            if i != j {
                sum[a] += d;
            }
        }
        let own = assignment[i];
        // Others in each cluster: everyone in it, but i in its own.
        let cnt = |g: usize| size[g] - usize::from(g == own);
        if cnt(own) == 0 {
            continue; // singleton: 0
        }
        let a = sum[own] / cnt(own) as f64;
        let b = (0..k)
            .filter(|&g| g != own && cnt(g) > 0)
            .map(|g| sum[g] / cnt(g) as f64)
            .fold(f64::INFINITY, f64::min);
        if !b.is_finite() {
            continue;
        }
        let m = a.max(b);
        if m > 0.0 {
            total += (b - a) / m;
        }
    }
    total / n as f64
}

/// How well one straight line across the map separates two labelled sets of points.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StraightCut {
    /// The largest share of points one straight line puts on the side of their label.
    pub share: f64,
    /// The share with no line at all (everyone on the bigger set's side): `share` can
    /// never be below it, so it is the figure to read `share` against.
    pub bigger_set: f64,
}

/// [`StraightCut`] of labelled points, searched over 180 directions 1° apart and every
/// cut along each: `share` is 1 when a line separates the two sets and about
/// `bigger_set` when they are mixed. Used to tell, when our groups differ from Pol.is's,
/// whether the map or the line between groups differs. `None` with fewer than two points
/// or only one label among them.
pub fn straight_cut_agreement(points: &[Point], labels: &[bool]) -> Option<StraightCut> {
    let n = points.len().min(labels.len());
    let total_true = labels[..n].iter().filter(|l| **l).count();
    if n < 2 || total_true == 0 || total_true == n {
        return None;
    }
    let mut best = 0usize;
    let mut along: Vec<(f64, bool)> = Vec::with_capacity(n);
    for deg in 0..180 {
        let (sin, cos) = f64::from(deg).to_radians().sin_cos();
        along.clear();
        along.extend((0..n).map(|i| (points[i][0] * cos + points[i][1] * sin, labels[i])));
        along.sort_by(|a, b| a.0.total_cmp(&b.0));
        // Cut after the first i points (only between distinct positions): the true ones on
        // one side and the false ones on the other, or the other way round.
        let mut true_before = 0usize;
        for i in 0..=n {
            if i > 0 {
                true_before += usize::from(along[i - 1].1);
            }
            if i > 0 && i < n && along[i - 1].0 == along[i].0 {
                continue;
            }
            let right = true_before + (n - i) - (total_true - true_before);
            best = best.max(right).max(n - right);
        }
    }
    Some(StraightCut {
        share: best as f64 / n as f64,
        bigger_set: total_true.max(n - total_true) as f64 / n as f64,
    })
}

/// Adjusted Rand index between two labellings of the same items: 1 for the same partition
/// (whatever the label names), about 0 for chance agreement. Used to compare our groups
/// with Pol.is's own.
pub fn adjusted_rand_index(a: &[u32], b: &[u32]) -> f64 {
    use std::collections::BTreeMap;
    let n = a.len().min(b.len()) as f64;
    let mut table: BTreeMap<(u32, u32), f64> = BTreeMap::new();
    let mut ra: BTreeMap<u32, f64> = BTreeMap::new();
    let mut rb: BTreeMap<u32, f64> = BTreeMap::new();
    for (&x, &y) in a.iter().zip(b) {
        *table.entry((x, y)).or_default() += 1.0;
        *ra.entry(x).or_default() += 1.0;
        *rb.entry(y).or_default() += 1.0;
    }
    let pairs = |x: f64| x * (x - 1.0) / 2.0;
    let index: f64 = table.values().map(|&v| pairs(v)).sum();
    let sa: f64 = ra.values().map(|&v| pairs(v)).sum();
    let sb: f64 = rb.values().map(|&v| pairs(v)).sum();
    if n < 2.0 {
        return 1.0;
    }
    let expected = sa * sb / pairs(n);
    let max = (sa + sb) / 2.0;
    if (max - expected).abs() < 1e-12 {
        return 1.0;
    }
    (index - expected) / (max - expected)
}

/// Pol.is's `group-k-smoother` state, carried between runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KSmoother {
    pub last_k: u32,
    pub last_k_count: u32,
    pub smoothed_k: u32,
}

impl KSmoother {
    /// Feeds this run's best k; returns the k to show.
    pub fn update(previous: Option<KSmoother>, this_k: u32) -> KSmoother {
        match previous {
            None => KSmoother { last_k: this_k, last_k_count: 1, smoothed_k: this_k },
            Some(p) => {
                let count = if p.last_k == this_k { p.last_k_count + 1 } else { 1 };
                let smoothed = if count >= K_BUFFER { this_k } else { p.smoothed_k };
                KSmoother { last_k: this_k, last_k_count: count, smoothed_k: smoothed }
            }
        }
    }
}

/// The choice of k, before smoothing: given the silhouettes of k = 2, 3, … in order, the
/// index of the smallest k whose silhouette is within `tolerance` of the best (0 = the
/// strict best, as Pol.is; see the module doc for why not). `None` when no k was tried.
/// NaN silhouettes (a k whose clustering fell apart) are never chosen.
pub fn choose_k(silhouettes: &[f64], tolerance: f64) -> Option<usize> {
    let top = silhouettes.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    silhouettes.iter().position(|&s| s >= top - tolerance)
}

/// The silhouette tolerance for choosing k among `participants` clustered through
/// `base_k` base clusters: `tolerance` where base clusters summarise participants, 0 (the
/// strict best, as Pol.is and red-dwarf) where there are no more participants than base
/// clusters, so that each is its own base cluster. The tolerance stands in for what a
/// single cold run lacks: silhouettes measured over base *centres*, which move from run
/// to run and count a base cluster of one as much as one of thirty. With each participant
/// its own base cluster the silhouette is the participants' own and does not move, and
/// on red-dwarf's small fixtures the tolerance is what parted us from Pol.is's groups
/// (BENCHMARKS.md: 25 and 23 participants, ARI 0.584 → 0.633 and 0.455 → 1.000).
pub fn k_tolerance_for(tolerance: f64, participants: usize, base_k: usize) -> f64 {
    if participants <= base_k {
        0.0
    } else {
        tolerance
    }
}

/// What is known of one k's clustering when choosing k with stability.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KFit {
    pub silhouette: f64,
    /// Has a group of few participants that is not stable under resampling.
    pub degenerate: bool,
    /// Every group is stable under resampling.
    pub stable: bool,
}

/// The choice of k with stability (`stability.rs`), before smoothing; the k's in order
/// 2, 3, …. A k that makes a degenerate group (a few participants, e.g. < 5%, that do
/// not stay together when participants are resampled) is not a candidate, unless every
/// k does. Among the candidates, those within `tolerance` of the best silhouette fit
/// almost equally well; of them the smallest stable k is chosen, else the smallest (the
/// rule of [`choose_k`]). So the choice only differs from [`choose_k`]'s where that
/// would show a degenerate group, or a shaky clustering when a stable one fits as well.
pub fn choose_k_stable(fits: &[KFit], tolerance: f64) -> Option<usize> {
    let candidates: Vec<usize> = {
        let ok: Vec<usize> = (0..fits.len()).filter(|&i| !fits[i].degenerate).collect();
        if ok.is_empty() {
            (0..fits.len()).collect()
        } else {
            ok
        }
    };
    let near =
        near_equal(fits.iter().map(|f| f.silhouette).collect::<Vec<_>>().as_slice(), &candidates, tolerance);
    near.iter().copied().find(|&i| fits[i].stable).or(near.first().copied())
}

/// The indices among `candidates` whose silhouette is within `tolerance` of the best
/// among them, in order. NaN silhouettes are never near.
pub fn near_equal(silhouettes: &[f64], candidates: &[usize], tolerance: f64) -> Vec<usize> {
    let top = candidates.iter().map(|&i| silhouettes[i]).fold(f64::NEG_INFINITY, f64::max);
    candidates.iter().copied().filter(|&i| silhouettes[i] >= top - tolerance).collect()
}

/// max-k = min(max_groups, 2 + ⌊n_base / 12⌋).
pub fn max_k(n_base: usize, max_groups: usize) -> usize {
    max_groups.min(2 + n_base / 12)
}

/// Matches new group centres to previous labelled centres so labels stay stable.
/// Returns a label per new group: the previous label whose centre is nearest under the
/// best one-to-one matching (brute force; k ≤ 5 here), new labels for unmatched groups.
pub fn stable_labels(new: &[Point], previous: &[(u32, Point)]) -> Vec<u32> {
    let n = new.len();
    if previous.is_empty() || n > 8 {
        return (0..n as u32).collect();
    }
    let m = previous.len();
    // Try every injective map from the smaller side.
    let mut best: Option<(f64, Vec<Option<usize>>)> = None;
    let mut current = vec![None; n];
    let mut used = vec![false; m];
    fn search(
        i: usize,
        new: &[Point],
        previous: &[(u32, Point)],
        current: &mut Vec<Option<usize>>,
        used: &mut Vec<bool>,
        cost: f64,
        best: &mut Option<(f64, Vec<Option<usize>>)>,
    ) {
        if i == new.len() {
            let matched = current.iter().filter(|c| c.is_some()).count();
            let want = new.len().min(previous.len());
            if matched == want && best.as_ref().is_none_or(|(b, _)| cost < *b - 1e-12) {
                *best = Some((cost, current.clone()));
            }
            return;
        }
        for j in 0..previous.len() {
            if !used[j] {
                used[j] = true;
                current[i] = Some(j);
                search(i + 1, new, previous, current, used, cost + dist2(new[i], previous[j].1), best);
                used[j] = false;
                current[i] = None;
            }
        }
        if new.len() > previous.len() {
            search(i + 1, new, previous, current, used, cost, best);
        }
    }
    search(0, new, previous, &mut current, &mut used, 0.0, &mut best);
    let assignment = best.map(|b| b.1).unwrap_or_else(|| vec![None; n]);
    let mut taken: Vec<u32> = assignment.iter().flatten().map(|&j| previous[j].0).collect();
    let mut next = 0u32;
    assignment
        .iter()
        .map(|a| match a {
            Some(j) => previous[*j].0,
            None => {
                while taken.contains(&next) {
                    next += 1;
                }
                taken.push(next);
                next
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kmeans_separates_two_blobs_and_drops_empty_clusters() {
        let pts = vec![[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.1, 5.0]];
        let c = kmeans(&pts, &[1.0; 4], vec![[0.0, 0.0], [5.0, 5.0], [100.0, 100.0]], 100);
        assert_eq!(c.centres.len(), 2);
        assert_eq!(c.assignment, vec![0, 0, 1, 1]);
    }

    /// The plain Lloyd loop that checks every centre for every point, as `kmeans` was
    /// before it used bounds: the reference the bounded version must match exactly.
    fn plain_kmeans(
        points: &[Point],
        weights: &[f64],
        start: Vec<Point>,
        max_iters: usize,
    ) -> (Vec<Point>, Vec<usize>) {
        let mut centres = start;
        let mut assignment = vec![0usize; points.len()];
        for _ in 0..max_iters.max(1) {
            for (a, &p) in assignment.iter_mut().zip(points) {
                *a = nearest(p, &centres);
            }
            let mut sums = vec![[0.0f64; 3]; centres.len()];
            for (i, &p) in points.iter().enumerate() {
                let s = &mut sums[assignment[i]];
                s[0] += weights[i] * p[0];
                s[1] += weights[i] * p[1];
                s[2] += weights[i];
            }
            let mut count = vec![0usize; centres.len()];
            assignment.iter().for_each(|&a| count[a] += 1);
            let (mut next, mut remap, mut moved) = (Vec::new(), vec![usize::MAX; centres.len()], 0.0f64);
            for (i, s) in sums.iter().enumerate() {
                if count[i] > 0 {
                    let c = if s[2] > 0.0 { [s[0] / s[2], s[1] / s[2]] } else { centres[i] };
                    moved = moved.max(dist2(c, centres[i]).sqrt());
                    remap[i] = next.len();
                    next.push(c);
                }
            }
            let dropped = next.len() != centres.len();
            assignment.iter_mut().for_each(|a| *a = remap[*a]);
            centres = next;
            if !dropped && moved < CONVERGENCE {
                break;
            }
        }
        for (a, &p) in assignment.iter_mut().zip(points) {
            *a = nearest(p, &centres);
        }
        (centres, assignment)
    }

    #[test]
    fn bounded_kmeans_matches_the_plain_loop_exactly() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(7);
        for case in 0..12 {
            // Blobs plus noise, with repeated points (participants who voted alike) and,
            // in some cases, points on a coarse grid so that exact distance ties occur.
            let n = 300 + 200 * case;
            let grid = case % 3 == 0;
            let mut pts: Vec<Point> = (0..n)
                .map(|i| {
                    let blob = (i % 4) as f64;
                    let p = [blob * 2.0 + rng.gen_range(-1.5..1.5), blob - rng.gen_range(-1.5..1.5)];
                    if grid {
                        [(p[0] * 2.0).round() / 2.0, (p[1] * 2.0).round() / 2.0]
                    } else {
                        p
                    }
                })
                .collect();
            pts.extend(pts[..n / 10].to_vec());
            let weights: Vec<f64> =
                (0..pts.len()).map(|i| if case % 2 == 0 { 1.0 } else { 1.0 + (i % 5) as f64 }).collect();
            let k = [2, 5, 40, 100][case % 4];
            let start = first_distinct(&pts, k);
            let fast = kmeans(&pts, &weights, start.clone(), MAX_ITERS);
            let (centres, assignment) = plain_kmeans(&pts, &weights, start, MAX_ITERS);
            assert_eq!(fast.centres, centres, "case {case}: centres differ");
            assert_eq!(fast.assignment, assignment, "case {case}: assignments differ");
        }
    }

    #[test]
    fn half_gaps_are_those_of_checking_every_pair() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(11);
        for k in [1, 2, 3, 17, 100] {
            // On a coarse grid, so that equal x, equal distances and equal centres occur.
            let centres: Vec<Point> = (0..k)
                .map(|_| [rng.gen_range(-8i32..8) as f64 / 4.0, rng.gen_range(-8i32..8) as f64 / 4.0])
                .collect();
            let every_pair: Vec<f64> = (0..k)
                .map(|a| {
                    let nearest = (0..k)
                        .filter(|&b| b != a)
                        .map(|b| dist2(centres[a], centres[b]))
                        .fold(f64::INFINITY, f64::min);
                    0.5 * nearest.sqrt()
                })
                .collect();
            assert_eq!(ByX::new(&centres).half_gaps(&centres), every_pair, "k = {k}");
        }
    }

    #[test]
    fn weights_pull_the_centre() {
        let c = kmeans(&[[0.0, 0.0], [1.0, 0.0]], &[3.0, 1.0], vec![[0.5, 0.0]], 10);
        assert!((c.centres[0][0] - 0.25).abs() < 1e-12);
    }

    #[test]
    fn adjusted_rand_index_ignores_label_names_and_scores_chance_near_zero() {
        assert_eq!(adjusted_rand_index(&[0, 0, 1, 1, 2], &[7, 7, 3, 3, 9]), 1.0);
        // Contingency table [[1, 2, 0], [0, 1, 2]]: index Σ C(n_ij, 2) = 2, row pairs 6,
        // column pairs 4, expected 6 · 4 / C(6, 2) = 1.6, max (6 + 4) / 2 = 5.
        let ari = adjusted_rand_index(&[0, 0, 0, 1, 1, 1], &[0, 1, 1, 1, 2, 2]);
        assert!((ari - 0.4 / 3.4).abs() < 1e-12, "{ari}");
        assert!(adjusted_rand_index(&[0, 1, 0, 1], &[0, 0, 1, 1]) < 0.0);
    }

    #[test]
    fn k_smoother_switches_after_four_runs() {
        let mut s = KSmoother::update(None, 2);
        for _ in 0..3 {
            s = KSmoother::update(Some(s), 3);
            assert_eq!(s.smoothed_k, 2);
        }
        s = KSmoother::update(Some(s), 3);
        assert_eq!(s.smoothed_k, 3);
    }

    #[test]
    fn labels_follow_the_nearest_previous_group() {
        let labels =
            stable_labels(&[[5.0, 5.0], [0.0, 0.0], [9.0, 0.0]], &[(0, [0.1, 0.0]), (1, [5.0, 4.9])]);
        assert_eq!(labels, vec![1, 0, 2]);
    }

    #[test]
    fn silhouette_is_high_for_separated_clusters() {
        let pts = [[0.0, 0.0], [0.0, 0.1], [9.0, 9.0], [9.0, 9.1]];
        assert!(silhouette(&pts, &[0, 0, 1, 1], 2) > 0.9);
    }

    /// The silhouette as it was computed before the distance table: every distance anew,
    /// per point and per k.
    fn silhouette_direct(points: &[Point], assignment: &[usize], k: usize) -> f64 {
        let n = points.len();
        let mut total = 0.0;
        for i in 0..n {
            let (mut sum, mut cnt) = (vec![0.0; k], vec![0usize; k]);
            for j in (0..n).filter(|&j| j != i) {
                sum[assignment[j]] += dist2(points[i], points[j]).sqrt();
                cnt[assignment[j]] += 1;
            }
            let own = assignment[i];
            if cnt[own] == 0 {
                continue;
            }
            let a = sum[own] / cnt[own] as f64;
            let b = (0..k)
                .filter(|&g| g != own && cnt[g] > 0)
                .map(|g| sum[g] / cnt[g] as f64)
                .fold(f64::INFINITY, f64::min);
            if b.is_finite() && a.max(b) > 0.0 {
                total += (b - a) / a.max(b);
            }
        }
        total / n as f64
    }

    #[test]
    fn silhouettes_from_one_distance_table_are_the_direct_ones_to_the_bit() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(3);
        let points: Vec<Point> =
            (0..100).map(|_| [rng.gen_range(-2.0..2.0), rng.gen_range(-1.0..1.0)]).collect();
        let distances = PairDistances::new(&points);
        for k in 2..=5 {
            let g = kmeans(&points, &[1.0; 100], first_distinct(&points, k), MAX_ITERS);
            let direct = silhouette_direct(&points, &g.assignment, g.centres.len());
            assert_eq!(silhouette_of(&distances, &g.assignment, g.centres.len()).to_bits(), direct.to_bits());
        }
        // A singleton cluster scores 0 in both.
        let assignment: Vec<usize> = (0..100).map(|i| usize::from(i == 7)).collect();
        assert_eq!(
            silhouette_of(&distances, &assignment, 2).to_bits(),
            silhouette_direct(&points, &assignment, 2).to_bits()
        );
    }

    #[test]
    fn straight_cut_agreement_sees_a_line_and_a_mix() {
        // Two groups either side of the line y = x (no axis-parallel cut separates them).
        let mut points = Vec::new();
        let mut labels = Vec::new();
        for i in 0..20 {
            let t = f64::from(i) - 10.0;
            points.push([t, t + 1.0]);
            labels.push(true);
            points.push([t, t - 1.0]);
            labels.push(false);
        }
        let cut = |labels: &[bool]| straight_cut_agreement(&points, labels).expect("two labels");
        assert_eq!(cut(&labels), StraightCut { share: 1.0, bigger_set: 0.5 });
        // The same points, labels alternating along the line: no cut does much better than
        // putting everyone on one side.
        let mixed: Vec<bool> = (0..points.len()).map(|i| (i / 2) % 2 == 0).collect();
        let share = cut(&mixed).share;
        assert!(share < 0.65, "{share}");
        // One point in the middle of the other group costs exactly one point.
        let mut one_off = labels.clone();
        one_off[20] = !one_off[20];
        assert_eq!(cut(&one_off).share, 39.0 / 40.0);
        // A lopsided pair of sets: no line at all already puts 9 in 10 on their side.
        let few: Vec<bool> = (0..points.len()).map(|i| i % 10 == 0).collect();
        let c = cut(&few);
        assert_eq!(c.bigger_set, 0.9);
        assert!(c.share >= c.bigger_set && c.share < 1.0, "{c:?}");
        // Nothing to separate.
        assert_eq!(straight_cut_agreement(&points, &[true; 40]), None);
        assert_eq!(straight_cut_agreement(&points[..1], &[true]), None);
        assert_eq!(straight_cut_agreement(&[], &[]), None);
    }

    #[test]
    fn a_degenerate_k_is_passed_over_and_a_stable_k_preferred_among_near_equals() {
        let fit = |silhouette, degenerate, stable| KFit { silhouette, degenerate, stable };
        // k = 2 splits off a handful of shaky outliers: k = 3 is chosen though it fits less.
        let fits = [fit(0.60, true, false), fit(0.45, false, true), fit(0.30, false, false)];
        assert_eq!(choose_k_stable(&fits, 0.05), Some(1));
        // k = 2 and 3 fit almost equally; only 3 is stable.
        let fits = [fit(0.42, false, false), fit(0.43, false, true)];
        assert_eq!(choose_k_stable(&fits, 0.05), Some(1));
        // Both stable: the smaller, as choose_k.
        let fits = [fit(0.42, false, true), fit(0.43, false, true)];
        assert_eq!(choose_k_stable(&fits, 0.05), Some(0));
        // Every k degenerate: the rule without stability.
        let fits = [fit(0.42, true, false), fit(0.50, true, false)];
        assert_eq!(choose_k_stable(&fits, 0.05), choose_k(&[0.42, 0.50], 0.05));
        assert_eq!(choose_k_stable(&[], 0.05), None);
    }

    #[test]
    fn participants_who_are_their_own_base_clusters_get_the_strict_best_silhouette() {
        assert_eq!(k_tolerance_for(0.05, 27, BASE_K), 0.0);
        assert_eq!(k_tolerance_for(0.05, 100, BASE_K), 0.0);
        assert_eq!(k_tolerance_for(0.05, 101, BASE_K), 0.05);
        assert_eq!(k_tolerance_for(0.0, 500, BASE_K), 0.0);
    }

    #[test]
    fn the_smallest_k_within_the_tolerance_of_the_best_silhouette_is_chosen() {
        // brexit-consensus's shape: k = 3 wins by 0.01, k = 2 is within 0.05.
        assert_eq!(choose_k(&[0.42, 0.43, 0.30], 0.05), Some(0));
        assert_eq!(choose_k(&[0.42, 0.43, 0.30], 0.0), Some(1));
        assert_eq!(choose_k(&[0.20, 0.43, 0.40], 0.05), Some(1));
        assert_eq!(choose_k(&[f64::NAN, 0.30], 0.05), Some(1));
        assert_eq!(choose_k(&[], 0.05), None);
    }
}
