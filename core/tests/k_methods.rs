#![cfg(not(target_arch = "wasm32"))]
//! Not checks: the measurements behind BENCHMARKS.md's "How sure are the groups?" ARI
//! table (issue 13), run with `--release -- --ignored --nocapture` and `MUFAKAT_POLIS_DATA`
//! / `MUFAKAT_MEASURE` naming the conversations (red-dwarf's fixtures converted by
//! `bench/reference/fixtures_to_csv.py`, and the shared open-data ones).
//!
//! `measure_k_methods`: ARI against Pol.is's groups of other ways to form groups from the
//! same map: base clusters or participants directly; first-distinct start (ours, Pol.is's)
//! or red-dwarf's (the first distinct points sorted by x); k by the silhouette over base
//! centres, over participants, or over base centres weighted by members, with the 0.05
//! tolerance or strict; with `CONS=1` also consensus clustering (co-association over 40
//! half resamples, average linkage cut at k). `probe_starts`: for each k, the distinct
//! k-means optima from 60 starts, by within-group sum of squares, with their silhouette
//! and ARI. `measure_participant_sets`: the same analysis clustering other participant
//! sets (everyone Pol.is grouped; Pol.is's pre-2017-10-31 vote count).

mod common;

use mufakat_core::cluster::{self, Point};
use mufakat_core::{analyse, AnalysisInput, AnalysisParams};

/// Per k: the group of every point.
type Runs = Vec<(usize, Vec<usize>)>;

fn kmeans_all(
    points: &[Point],
    weights: &[f64],
    start_of: &dyn Fn(usize) -> Vec<Point>,
    max_k: usize,
) -> Runs {
    (2..=max_k)
        .map(|k| {
            let c = cluster::kmeans(points, weights, start_of(k), 300);
            (k, c.assignment)
        })
        .collect()
}

fn sorted_unique(points: &[Point]) -> Vec<Point> {
    let mut u: Vec<Point> = points.to_vec();
    u.sort_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
    u.dedup();
    u
}

/// Silhouette of a partition of participants, each participant counting once.
fn sil(points: &[Point], a: &[usize]) -> f64 {
    let k = a.iter().copied().max().map_or(0, |m| m + 1);
    cluster::silhouette(points, a, k)
}

/// The conversations named in `MUFAKAT_MEASURE` (comma-separated).
fn measured_names() -> Vec<String> {
    std::env::var("MUFAKAT_MEASURE").map(|l| l.split(',').map(String::from).collect()).unwrap_or_default()
}

/// The participants our analysis clusters in one conversation: their places on the map and
/// their Pol.is group, where Pol.is placed them.
struct Clustered {
    points: Vec<Point>,
    polis: Vec<Option<u32>>,
    export: mufakat_core::polis_csv::PolisExport,
    analysis: mufakat_core::Analysis,
}

/// Analyses `name` (no stability resamples), or None when its files are absent.
fn clustered_with_polis(name: &str) -> Option<Clustered> {
    let export = common::load(name)?;
    let votes = export.vote_records();
    let statements = export.statement_meta();
    let input = AnalysisInput { votes: &votes, statements: &statements };
    let a = analyse(&input, &AnalysisParams::default().stability_resamples(0), None).expect("runs");
    let groups = export.polis_groups();
    let clustered: Vec<_> = a.participants.iter().filter(|p| p.in_conv).collect();
    let points = clustered.iter().map(|p| p.position).collect();
    let polis = clustered.iter().map(|p| groups.get(&p.id).copied()).collect();
    Some(Clustered { points, polis, export, analysis: a })
}

/// ARI of `labels` (one per clustered participant) against Pol.is's groups, over the
/// participants Pol.is placed.
fn ari_against(polis: &[Option<u32>], labels: &[usize]) -> f64 {
    let (x, y): (Vec<u32>, Vec<u32>) =
        polis.iter().zip(labels).filter_map(|(h, &l)| h.map(|h| (l as u32, h))).unzip();
    cluster::adjusted_rand_index(&x, &y)
}

#[test]
#[ignore]
fn measure_k_methods() {
    for name in &measured_names() {
        let Some(Clustered { points, polis, export, analysis: a }) = clustered_with_polis(name) else {
            continue;
        };
        let ari = |labels: &[usize]| ari_against(&polis, labels);
        let n = points.len();
        let ones = vec![1.0; n];
        let mut out = Vec::new();
        // Base clusters as the analysis.
        let base =
            cluster::kmeans(&points, &ones, cluster::first_distinct(&points, 100.min(n)), cluster::MAX_ITERS);
        let max_k = cluster::max_k(base.centres.len(), 5);
        let lift = |g: &[usize]| base.assignment.iter().map(|&b| g[b]).collect::<Vec<usize>>();
        let bases: Vec<(&str, Runs)> = vec![
            (
                "base-fd",
                kmeans_all(
                    &base.centres,
                    &base.weights,
                    &|k| cluster::first_distinct(&base.centres, k),
                    max_k,
                ),
            ),
            (
                "base-sx",
                kmeans_all(
                    &base.centres,
                    &base.weights,
                    &|k| sorted_unique(&base.centres)[..k].to_vec(),
                    max_k,
                ),
            ),
        ];
        for (label, runs) in &bases {
            let sils: Vec<f64> = runs
                .iter()
                .map(|(_, g)| cluster::silhouette(&base.centres, g, g.iter().max().map_or(0, |m| m + 1)))
                .collect();
            let psils: Vec<f64> = runs.iter().map(|(_, g)| sil(&points, &lift(g))).collect();
            let wsils: Vec<f64> = runs.iter().map(|(_, g)| wsil(&base.centres, &base.weights, g)).collect();
            for (rule, s) in [("bsil", &sils), ("psil", &psils), ("wsil", &wsils)] {
                for tol in [0.05, 0.0] {
                    let i = cluster::choose_k(s, tol).unwrap_or(0);
                    out.push(format!("{label}/{rule}/{tol}: k{} {:.3}", runs[i].0, ari(&lift(&runs[i].1))));
                }
            }
            out.push(format!(
                "{label} per k: {:?}",
                runs.iter()
                    .zip(&sils)
                    .zip(&psils)
                    .map(|(((k, g), s), ps)| format!(
                        "k{k} ari {:.3} bs {:.3} ps {:.3}",
                        ari(&lift(g)),
                        s,
                        ps
                    ))
                    .collect::<Vec<_>>()
            ));
        }
        let max_k = 5.min(n.saturating_sub(1));
        let directs: Vec<(&str, Runs)> = vec![
            ("dir-fd", kmeans_all(&points, &ones, &|k| cluster::first_distinct(&points, k), max_k)),
            ("dir-sx", kmeans_all(&points, &ones, &|k| sorted_unique(&points)[..k].to_vec(), max_k)),
        ];
        for (label, runs) in &directs {
            let psils: Vec<f64> = runs.iter().map(|(_, g)| sil(&points, g)).collect();
            for tol in [0.05, 0.0] {
                let i = cluster::choose_k(&psils, tol).unwrap_or(0);
                out.push(format!("{label}/{tol}: k{} {:.3}", runs[i].0, ari(&runs[i].1)));
            }
            out.push(format!(
                "{label} per k: {:?}",
                runs.iter()
                    .zip(&psils)
                    .map(|((k, g), ps)| format!("k{k} ari {:.3} ps {:.3}", ari(g), ps))
                    .collect::<Vec<_>>()
            ));
        }
        eprintln!(
            "== {name}: n {n}, analysis k {} ARI {:.3}",
            a.groups.len(),
            export.agreement_with_polis(&a).map_or(f64::NAN, |x| x.adjusted_rand_index)
        );
        let (votes, statements) = (export.vote_records(), export.statement_meta());
        let input = AnalysisInput { votes: &votes, statements: &statements };
        let on = analyse(&input, &AnalysisParams::default(), None).expect("runs");
        eprintln!(
            "  with stability: k {} ARI {:.3}",
            on.groups.len(),
            export.agreement_with_polis(&on).map_or(f64::NAN, |x| x.adjusted_rand_index)
        );
        if std::env::var("CONS").is_ok() {
            let line: Vec<String> =
                (2..=5).map(|k| format!("k{k} {:.3}", ari(&consensus(&points, k, 40, 7)))).collect();
            eprintln!("  consensus: {}", line.join(", "));
        }
        if std::env::var("QUIET").is_ok() {
            for l in out.iter().filter(|l| l.starts_with("base-fd/")) {
                eprintln!("  {l}");
            }
            continue;
        }
        for l in out {
            eprintln!("  {l}");
        }
    }
}

/// The analysis's clustering re-done here: base clusters (first distinct), then groups for k.
fn pipeline(points: &[Point], k: usize) -> Option<Vec<usize>> {
    let ones = vec![1.0; points.len()];
    let base = cluster::kmeans(
        points,
        &ones,
        cluster::first_distinct(points, 100.min(points.len())),
        cluster::MAX_ITERS,
    );
    if base.centres.len() < k {
        return None;
    }
    let g = cluster::kmeans(
        &base.centres,
        &base.weights,
        cluster::first_distinct(&base.centres, k),
        cluster::MAX_ITERS,
    );
    Some(base.assignment.iter().map(|&b| g.assignment[b]).collect())
}

/// Co-association of participants over half-resamples, then average linkage cut at k.
pub fn consensus(points: &[Point], k: usize, b: usize, seed: u64) -> Vec<usize> {
    use rand::SeedableRng;
    let n = points.len();
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut same = vec![0u32; n * n];
    let mut both = vec![0u32; n * n];
    for _ in 0..b {
        let mut idx = rand::seq::index::sample(&mut rng, n, n / 2).into_vec();
        idx.sort_unstable();
        let sub: Vec<Point> = idx.iter().map(|&i| points[i]).collect();
        let Some(part) = pipeline(&sub, k) else { continue };
        for (x, &i) in idx.iter().enumerate() {
            for (y, &j) in idx.iter().enumerate() {
                both[i * n + j] += 1;
                if part[x] == part[y] {
                    same[i * n + j] += 1;
                }
            }
        }
    }
    let mut d: Vec<f64> =
        (0..n * n).map(|e| if both[e] == 0 { 0.5 } else { 1.0 - same[e] as f64 / both[e] as f64 }).collect();
    // Average linkage (Lance-Williams), naive.
    let mut size = vec![1usize; n];
    let mut alive = vec![true; n];
    let mut label: Vec<usize> = (0..n).collect();
    let mut clusters = n;
    while clusters > k {
        let (mut bi, mut bj, mut bd) = (0, 0, f64::INFINITY);
        for i in 0..n {
            if !alive[i] {
                continue;
            }
            for j in (i + 1)..n {
                if alive[j] && d[i * n + j] < bd {
                    bd = d[i * n + j];
                    bi = i;
                    bj = j;
                }
            }
        }
        for m in 0..n {
            if alive[m] && m != bi && m != bj {
                let v = (size[bi] as f64 * d[bi * n + m] + size[bj] as f64 * d[bj * n + m])
                    / (size[bi] + size[bj]) as f64;
                d[bi * n + m] = v;
                d[m * n + bi] = v;
            }
        }
        size[bi] += size[bj];
        alive[bj] = false;
        for l in label.iter_mut() {
            if *l == bj {
                *l = bi;
            }
        }
        clusters -= 1;
    }
    let mut ids: Vec<usize> = label.clone();
    ids.sort_unstable();
    ids.dedup();
    label.iter().map(|l| ids.binary_search(l).unwrap_or(0)).collect()
}

/// Silhouette with each point counted `w` times (members at their base centre).
pub fn wsil(points: &[Point], w: &[f64], a: &[usize]) -> f64 {
    let k = a.iter().copied().max().map_or(0, |m| m + 1);
    let n = points.len();
    let (mut total, mut wt) = (0.0, 0.0);
    for i in 0..n {
        let mut sum = vec![0.0; k];
        let mut cnt = vec![0.0; k];
        for j in 0..n {
            let d = ((points[i][0] - points[j][0]).powi(2) + (points[i][1] - points[j][1]).powi(2)).sqrt();
            let ww = if i == j { w[j] - 1.0 } else { w[j] };
            sum[a[j]] += ww * d;
            cnt[a[j]] += ww;
        }
        wt += w[i];
        let own = a[i];
        if cnt[own] <= 0.0 {
            continue;
        }
        let aa = sum[own] / cnt[own];
        let b = (0..k)
            .filter(|&g| g != own && cnt[g] > 0.0)
            .map(|g| sum[g] / cnt[g])
            .fold(f64::INFINITY, f64::min);
        if !b.is_finite() {
            continue;
        }
        let m = aa.max(b);
        if m > 0.0 {
            total += w[i] * (b - aa) / m;
        }
    }
    total / wt
}

#[test]
#[ignore]
fn probe_starts() {
    use rand::{Rng, SeedableRng};
    for name in &measured_names() {
        let Some(Clustered { points, polis, .. }) = clustered_with_polis(name) else {
            continue;
        };
        let ari = |labels: &[usize]| ari_against(&polis, labels);
        let n = points.len();
        let base = cluster::kmeans(
            &points,
            &vec![1.0; n],
            cluster::first_distinct(&points, 100.min(n)),
            cluster::MAX_ITERS,
        );
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(3);
        eprintln!("== {name}");
        for k in 2..=5 {
            let mut seen: Vec<(String, f64, f64, f64, usize)> = Vec::new();
            for s in 0..60 {
                let start: Vec<Point> = if s == 0 {
                    cluster::first_distinct(&base.centres, k)
                } else {
                    let mut idx = rand::seq::index::sample(&mut rng, base.centres.len(), k).into_vec();
                    idx.sort_unstable();
                    let _ = rng.gen::<u8>();
                    idx.iter().map(|&i| base.centres[i]).collect()
                };
                let g = cluster::kmeans(&base.centres, &base.weights, start, 300);
                let lab: Vec<usize> = base.assignment.iter().map(|&b| g.assignment[b]).collect();
                let wss: f64 = base
                    .centres
                    .iter()
                    .zip(&g.assignment)
                    .zip(&base.weights)
                    .map(|((p, &c), w)| {
                        w * ((p[0] - g.centres[c][0]).powi(2) + (p[1] - g.centres[c][1]).powi(2))
                    })
                    .sum();
                let key = format!("{:.4}", wss);
                if let Some(e) = seen.iter_mut().find(|e| e.0 == key) {
                    e.4 += 1;
                    continue;
                }
                let sil = cluster::silhouette(&base.centres, &g.assignment, g.centres.len());
                seen.push((key, wss, sil, ari(&lab), 1));
                if s == 0 {
                    eprintln!("  k{k} first-distinct: wss {wss:.2} sil {sil:.3} ari {:.3}", ari(&lab));
                }
            }
            seen.sort_by(|a, b| a.1.total_cmp(&b.1));
            for e in seen.iter().take(5) {
                eprintln!("  k{k} wss {:.2} sil {:.3} ari {:.3} (x{})", e.1, e.2, e.3, e.4);
            }
        }
    }
}

/// The participants a rule admits, given to the analysis as an earlier run's in-conv set
/// (a warm start with nothing else in it, so everything but who is clustered stays cold).
fn with_in_conv(in_conv: Vec<mufakat_core::ParticipantId>) -> mufakat_core::WarmStart {
    mufakat_core::WarmStart { in_conv, ..Default::default() }
}

/// Admission as Pol.is's math counted votes from its commit b68ca8b6 (2017-02-27) to
/// acd818c9 (2017-10-31): over the rating matrix whose moderated-out and meta columns are
/// set to 0 for everyone, so each such column that has a vote counts as a vote of every
/// participant. Replayed in arrival order with the statements of that time and the final
/// moderation state throughout (the export has no moderation times). Per participant
/// admitted: the index of the vote after which they were.
fn admitted_counting_zeroed_columns(
    votes: &[mufakat_core::VoteRecord],
    statements: &[mufakat_core::StatementMeta],
) -> std::collections::HashMap<mufakat_core::ParticipantId, usize> {
    use std::collections::{HashMap, HashSet};
    let excluded: HashSet<_> = statements.iter().filter(|s| s.is_excluded()).map(|s| s.id).collect();
    let mut columns = HashSet::new();
    let mut zeroed = 0usize;
    let mut kept: HashMap<_, HashSet<_>> = HashMap::new();
    let mut admitted = HashMap::new();
    for (i, v) in votes.iter().enumerate() {
        let new_zeroed = columns.insert(v.statement) && excluded.contains(&v.statement);
        zeroed += usize::from(new_zeroed);
        let own = kept.entry(v.participant).or_default();
        if !excluded.contains(&v.statement) {
            own.insert(v.statement);
        }
        let threshold = 7.min(columns.len());
        // A newly zeroed column counts for everyone at this update; otherwise only this
        // voter's count moved.
        let movers: Vec<_> = if new_zeroed { kept.keys().copied().collect() } else { vec![v.participant] };
        for p in movers {
            if kept[&p].len() + zeroed >= threshold {
                admitted.entry(p).or_insert(i);
            }
        }
    }
    admitted
}

/// Issue 13's participant-set lead: who is clustered, and what it does to the groups. Per
/// conversation, our cold run against the same run clustering (a) also everyone Pol.is
/// grouped (the set no rule can beat: Pol.is's own), (b) everyone the pre-2017-10-31 count
/// admits. ARI over the participants both place in a group, and over those our cold run
/// compared, so a larger set is not scored on different people.
#[test]
#[ignore]
fn measure_participant_sets() {
    for name in &measured_names() {
        let Some(export) = common::load(name) else { continue };
        let votes = export.vote_records();
        let statements = export.statement_meta();
        let input = AnalysisInput { votes: &votes, statements: &statements };
        let params = AnalysisParams::default();
        let polis = export.polis_groups();
        let cold = analyse(&input, &params, None).expect("runs");
        let compared: std::collections::HashSet<_> = cold
            .participants
            .iter()
            .filter(|p| p.group.is_some() && polis.contains_key(&p.id))
            .map(|p| p.id)
            .collect();
        let report = |label: &str, a: &mufakat_core::Analysis| {
            let agreement = export.agreement_with_polis(a).expect("Pol.is's groups");
            let (x, y): (Vec<u32>, Vec<u32>) = a
                .participants
                .iter()
                .filter(|p| compared.contains(&p.id))
                .filter_map(|p| Some((p.group?, *polis.get(&p.id)?)))
                .unzip();
            let moved = a
                .participants
                .iter()
                .zip(&cold.participants)
                .map(|(p, q)| {
                    (p.position[0] - q.position[0]).abs().max((p.position[1] - q.position[1]).abs())
                })
                .fold(0.0f64, f64::max);
            let sizes: Vec<u32> = a.groups.iter().map(|g| g.size).collect();
            eprintln!(
                "  {label}: in-conv {} (Pol.is {}), k {} {sizes:?}, ARI {:.3} over {} / {:.3} over cold's {}; \
                 largest move on the map {moved:.1e}; silhouettes {:?}",
                a.counts.in_conv,
                polis.len(),
                a.groups.len(),
                agreement.adjusted_rand_index,
                agreement.participants,
                cluster::adjusted_rand_index(&x, &y),
                x.len(),
                a.k_scores.iter().map(|k| (k.k, (k.silhouette * 1000.0).round() / 1000.0)).collect::<Vec<_>>()
            );
        };
        eprintln!("== {name}");
        report("cold (ours)", &cold);
        let with_polis = with_in_conv(polis.keys().copied().collect());
        report("+ Pol.is's grouped", &analyse(&input, &params, Some(&with_polis)).expect("runs"));
        let old_count = admitted_counting_zeroed_columns(&votes, &statements);
        // The old count up to some vote and today's after: the range of switch times that
        // give Pol.is's set exactly, if any (everyone Pol.is has and we do not must be in by
        // then, no one Pol.is lacks yet).
        let ours: std::collections::HashSet<_> =
            cold.participants.iter().filter(|p| p.in_conv).map(|p| p.id).collect();
        let needed: Option<Vec<usize>> =
            polis.keys().filter(|p| !ours.contains(p)).map(|p| old_count.get(p).copied()).collect();
        let too_many = old_count.iter().filter(|(p, _)| !polis.contains_key(p)).map(|(_, &i)| i).min();
        if let Some(needed) = needed.filter(|n| !n.is_empty()) {
            let from = needed.iter().copied().max().unwrap_or(0);
            let stamp = |i: usize| export.votes.get(i).and_then(|v| v.timestamp);
            eprintln!(
                "  old count until after vote {from} (t {:?}) and before vote {too_many:?} (t {:?}) gives Pol.is's set: {}",
                stamp(from),
                too_many.and_then(stamp),
                too_many.is_none_or(|t| t > from)
            );
        }
        let zeroed = with_in_conv(old_count.keys().copied().collect());
        report("+ zeroed columns count", &analyse(&input, &params, Some(&zeroed)).expect("runs"));
        // The same sets with the strict best silhouette, which the tolerance can hide.
        let strict = params.clone().k_tolerance(0.0);
        report("cold, strict k", &analyse(&input, &strict, None).expect("runs"));
        report("+ Pol.is's grouped, strict k", &analyse(&input, &strict, Some(&with_polis)).expect("runs"));
        report("+ zeroed columns count, strict k", &analyse(&input, &strict, Some(&zeroed)).expect("runs"));
    }
}
