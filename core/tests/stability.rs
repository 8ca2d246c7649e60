//! Cluster stability (Hennig's clusterwise bootstrap, `stability.rs`): planted groups
//! come out stable, pure noise does not, and the figures are deterministic for a seed.

use mufakat_core::synthetic::planted;
use mufakat_core::{analyse, Analysis, AnalysisInput, AnalysisParams};

fn run(
    participants: u32,
    statements: u32,
    groups: u32,
    each: u32,
    seed: u64,
    params: &AnalysisParams,
) -> Analysis {
    let conv = planted(participants, statements, groups, each, seed);
    let input = AnalysisInput { votes: &conv.votes, statements: &conv.statements };
    analyse(&input, params, None).expect("analysis runs")
}

#[test]
fn planted_well_separated_groups_come_out_stable() {
    for (groups, seed) in [(2, 1), (3, 2), (2, 3), (3, 4)] {
        let a = run(300, 40, groups, 30, seed, &AnalysisParams::default());
        let s = a.stability.as_ref().expect("stability is measured by default");
        assert_eq!(a.groups.len(), groups as usize, "seed {seed}: {:?}", a.k_scores);
        assert_eq!(s.groups.len(), a.groups.len());
        for g in &s.groups {
            assert!(g.jaccard > 0.85 && g.stable, "seed {seed}, {groups} groups: {s:?}");
        }
        // Nearly everyone stays with their group in nearly every resample.
        let stays: Vec<f64> = a.participants.iter().filter_map(|p| p.stays).collect();
        assert_eq!(stays.len(), a.participants.iter().filter(|p| p.group.is_some()).count());
        let mean = stays.iter().sum::<f64>() / stays.len() as f64;
        assert!(mean > 0.95, "seed {seed}: mean stay {mean}");
        let chosen: u32 = s.k_chosen.iter().map(|k| k.resamples).sum();
        assert_eq!(chosen as usize, s.resamples);
    }
}

#[test]
fn pure_noise_comes_out_unstable() {
    for seed in 1..=6 {
        // One planted "group": everyone votes alike up to chance, so any split is noise.
        let a = run(300, 40, 1, 30, seed, &AnalysisParams::default());
        let s = a.stability.as_ref().expect("stability is measured");
        let least = s.groups.iter().map(|g| g.jaccard).fold(f64::INFINITY, f64::min);
        // "k varies": at least one resample in 20 chooses another number of groups.
        let same_k = s.k_chosen.iter().find(|k| k.k == a.groups.len()).map_or(0, |k| k.resamples);
        let varies = (same_k as f64) < 0.95 * s.resamples as f64;
        assert!(least < 0.6 || varies, "seed {seed}: least stable group {least}, k chosen {:?}", s.k_chosen);
    }
}

#[test]
fn stability_is_deterministic_for_a_seed_and_can_be_turned_off() {
    let params = AnalysisParams::default().seed(5);
    let a = run(200, 30, 3, 20, 9, &params);
    let b = run(200, 30, 3, 20, 9, &params);
    assert_eq!(a.stability, b.stability);
    assert_eq!(a.participants, b.participants);
    let off = run(200, 30, 3, 20, 9, &params.clone().stability_resamples(0));
    assert!(off.stability.is_none());
    assert!(off.participants.iter().all(|p| p.stays.is_none()));
}

/// Not a check: prints the figures behind the choice of scheme (BENCHMARKS.md).
#[test]
#[ignore]
fn measure_schemes() {
    use mufakat_core::stability::{Resampling, StabilityParams};
    for scheme in [Resampling::Subset(0.8), Resampling::Subset(0.5), Resampling::Bootstrap] {
        for groups in [1, 2, 3] {
            let mut line = Vec::new();
            for seed in 1..=6 {
                let p = AnalysisParams::default().stability(StabilityParams {
                    scheme,
                    resamples: 40,
                    ..StabilityParams::default()
                });
                let a = run(300, 40, groups, 30, seed, &p);
                let s = a.stability.expect("measured");
                let least = s.groups.iter().map(|g| g.jaccard).fold(f64::INFINITY, f64::min);
                let top = s.k_chosen.iter().map(|k| k.resamples).max().unwrap_or(0);
                line.push(format!("k{} {:.2} ({}/40)", a.groups.len(), least, top));
            }
            eprintln!("{scheme:?} planted {groups}: {}", line.join(", "));
        }
    }
}

/// Not a check: what stability costs at a million votes (BENCHMARKS.md; run with
/// `--release -- --ignored --nocapture`).
#[test]
#[ignore]
fn measure_cost_at_a_million_votes() {
    // The participant page's sizes (standing-bench: participants × 300 statements, 50
    // votes each; its threshold is 50,000 votes), then 1M votes.
    let sizes: &[(u32, u32)] = match std::env::var("MUFAKAT_COST_SIZES") {
        Ok(_) => &[(500, 300), (1_000, 300), (20_000, 1_000)],
        Err(_) => &[(20_000, 1_000)],
    };
    for &(participants, statements) in sizes {
        let conv = planted(participants, statements, 3, 50, 1);
        let input = AnalysisInput { votes: &conv.votes, statements: &conv.statements };
        let runs = [
            ("B = 0", AnalysisParams::default().stability_resamples(0)),
            ("B = 40", AnalysisParams::default()),
            ("B = 40 only to choose", AnalysisParams::default().stability_only_to_choose(true)),
        ];
        for (b, p) in runs {
            let mut best = f64::INFINITY;
            for _ in 0..3 {
                let t = std::time::Instant::now();
                analyse(&input, &p, None).expect("analysis runs");
                best = best.min(t.elapsed().as_secs_f64() * 1000.0);
            }
            eprintln!("{} votes, {b}: {best:.0} ms (best of 3)", conv.votes.len());
        }
    }
}

#[test]
fn a_conversation_with_no_more_participants_than_base_clusters_gets_the_best_silhouette() {
    // Small planted conversations where 3 groups fit a little better than 2 (by less than
    // `k_tolerance`): each participant is their own base cluster, so k is the strict best
    // silhouette, as Pol.is's and red-dwarf's (the tolerance would have shown 2 groups).
    for (n, each, seed) in [(24, 8, 1), (24, 12, 1), (30, 8, 4), (30, 12, 3)] {
        for params in [AnalysisParams::default().stability_resamples(0), AnalysisParams::default()] {
            let a = run(n, 30, 3, each, seed, &params);
            let s: Vec<f64> = a.k_scores.iter().map(|k| k.silhouette).collect();
            assert!(s[1] > s[0] && s[1] - s[0] < params.k_tolerance, "case ({n}, {each}, {seed}): {s:?}");
            let best = a.k_scores.iter().max_by(|x, y| x.silhouette.total_cmp(&y.silhouette)).map(|k| k.k);
            let degenerate =
                a.stability.as_ref().is_some_and(|st| st.k_stability.iter().any(|k| k.degenerate));
            if !degenerate {
                assert_eq!(Some(a.groups.len()), best, "case ({n}, {each}, {seed}): {s:?}");
            }
        }
    }
    // Above the base clusters' count the tolerance still applies: nothing changes there.
    let a = run(300, 40, 2, 30, 1, &AnalysisParams::default().stability_resamples(0));
    assert_eq!(a.groups.len(), 2);
}

#[test]
fn stability_only_to_choose_gives_the_same_groups_and_skips_clear_cases() {
    let full = AnalysisParams::default();
    let lean = AnalysisParams::default().stability_only_to_choose(true);
    let (mut skipped, mut measured) = (0, 0);
    for groups in 1..=3 {
        for seed in 1..=5 {
            let a = run(300, 40, groups, 30, seed, &full);
            let b = run(300, 40, groups, 30, seed, &lean);
            let of = |x: &Analysis| x.participants.iter().map(|p| p.group).collect::<Vec<_>>();
            assert_eq!(of(&a), of(&b), "{groups} groups, seed {seed}");
            assert_eq!(a.groups.len(), b.groups.len());
            match &b.stability {
                None => {
                    skipped += 1;
                    // Only where one k clearly fits best and has no small group.
                    let st = a.stability.as_ref().expect("measured");
                    assert!(st.near_equal_k.is_empty(), "{groups} groups, seed {seed}: {st:?}");
                }
                Some(s) => {
                    measured += 1;
                    assert_eq!(Some(s), a.stability.as_ref());
                }
            }
        }
    }
    // Planted well-separated groups are the clear cases; noise is not.
    assert!(skipped >= 5 && measured >= 1, "skipped {skipped}, measured {measured}");
}

#[test]
fn the_thread_count_changes_nothing_in_the_analysis() {
    // Noise as well as planted groups, so that resamples disagree and their order counts.
    for (groups, seed) in [(3, 2), (1, 4)] {
        let one = run(300, 40, groups, 30, seed, &AnalysisParams::default().threads(1));
        assert!(one.stability.is_some(), "seed {seed}: stability is measured");
        let json = mufakat_core::polis_csv::analysis_json(&one);
        for threads in [2, 3, 8, 64] {
            let many = run(300, 40, groups, 30, seed, &AnalysisParams::default().threads(threads));
            assert_eq!(many, one, "seed {seed}, {threads} threads");
            assert_eq!(mufakat_core::polis_csv::analysis_json(&many), json, "seed {seed}, {threads} threads");
        }
    }
}
