#![cfg(not(target_arch = "wasm32"))]
//! Fidelity against Pol.is: our groups versus Pol.is's own `group-id` on real
//! conversations from the Pol.is open data (see ATTRIBUTION in tests/common).
//!
//! Pol.is's group-ids come from incremental runs (each warm-started from the last, with
//! k smoothed over 4 runs), so besides one cold run on all votes we replay the vote
//! history in `CHECKPOINTS` steps, chaining our warm start. The cold run must reach 0.8
//! on every conversation; the replay must stay above `REPLAY_FLOOR`.

mod common;

use mufakat_core::polis_csv::PolisExport;
use mufakat_core::{analyse, Analysis, AnalysisInput, AnalysisParams, VoteRecord};

/// Floors per conversation (ARI over participants both place in a group, one cold run).
const FLOORS: [(&str, f64); 4] = [
    ("brexit-consensus", 0.8),
    ("bg2050-volunteers", 0.8),
    ("scoop-hivemind.biodiversity", 0.8),
    ("austria-climate.5twd2jsnkf.2022-08-08", 0.8),
];

const CHECKPOINTS: usize = 10;
/// Floor for the warm-started replay: warm starts keep groups steady, which also means
/// a replay can settle in another local optimum than one cold run (see BENCHMARKS.md).
const REPLAY_FLOOR: f64 = 0.7;

fn ari_against_polis(export: &PolisExport, analysis: &Analysis) -> (f64, usize) {
    let a = export.agreement_with_polis(analysis).expect("the shared conversations carry Pol.is's groups");
    (a.adjusted_rand_index, a.participants)
}

/// Runs the analysis on growing prefixes of the (chronological) vote list.
fn replay(votes: &[VoteRecord], export: &PolisExport, params: &AnalysisParams) -> Analysis {
    let statements = export.statement_meta();
    let mut warm = None;
    let mut last = None;
    for step in 1..=CHECKPOINTS {
        let end = votes.len() * step / CHECKPOINTS;
        let input = AnalysisInput { votes: &votes[..end], statements: &statements };
        let a = analyse(&input, params, warm.as_ref()).expect("analysis runs");
        warm = Some(a.warm_start.clone());
        last = Some(a);
    }
    last.expect("at least one checkpoint")
}

#[test]
fn groups_match_polis_on_real_conversations() {
    let mut failures = Vec::new();
    let mut shown = false;
    for (name, floor) in FLOORS {
        let Some(export) = common::load(name) else { continue };
        if !shown {
            eprintln!("{}", common::ATTRIBUTION);
            shown = true;
        }
        let votes = export.vote_records();
        let statements = export.statement_meta();
        let params = AnalysisParams::default();
        let input = AnalysisInput { votes: &votes, statements: &statements };
        let cold = analyse(&input, &params, None).expect("analysis runs");
        let (cold_ari, _) = ari_against_polis(&export, &cold);
        let replayed = replay(&votes, &export, &params);
        let (ari, n) = ari_against_polis(&export, &replayed);
        let polis = export.polis_groups();
        let polis_k = polis.values().collect::<std::collections::BTreeSet<_>>().len();
        eprintln!(
            "{name}: ARI {ari:.3} replayed ({cold_ari:.3} cold) over {n} participants; \
             k replayed {} / cold {} / Pol.is {polis_k}; in-conv ours {} / Pol.is {}; cold silhouettes {:?}",
            replayed.counts.groups,
            cold.counts.groups,
            replayed.counts.in_conv,
            polis.len(),
            cold.k_scores.iter().map(|k| (k.k, (k.silhouette * 1000.0).round() / 1000.0)).collect::<Vec<_>>()
        );
        if cold_ari < floor {
            failures.push(format!("{name}: cold ARI {cold_ari:.3} < {floor}"));
        }
        if ari < REPLAY_FLOOR {
            failures.push(format!("{name}: replayed ARI {ari:.3} < {REPLAY_FLOOR}"));
        }
    }
    assert!(failures.is_empty(), "{failures:?}");
}

#[test]
fn text_summary_and_outputs_for_a_real_conversation() {
    let Some(export) = common::load("brexit-consensus") else { return };
    let analysis = export.analyse(&AnalysisParams::default().seed(7)).expect("analysis runs");
    let summary = mufakat_core::report::text_summary(&analysis, |id| export.statement_text(id));
    eprintln!("{summary}\n{}", common::ATTRIBUTION);
    assert!(summary.contains("Group A"));
    let outputs = mufakat_core::polis_csv::write_outputs(&export, &analysis);
    let again = mufakat_core::polis_csv::write_outputs(
        &export,
        &export.analyse(&AnalysisParams::default().seed(7)).unwrap(),
    );
    assert_eq!(outputs, again, "same data and seed give byte-identical files");
    let json = &outputs.iter().find(|(n, _)| n == "analysis.json").unwrap().1;
    assert!(json.contains("\"format\": \"mufakat-analysis\""));
    let back = mufakat_core::polis_csv::read_analysis_json(json).unwrap();
    assert_eq!(back.counts, analysis.counts);
    // Our participants-votes.csv reads back with our groups.
    let pv = &outputs.iter().find(|(n, _)| n == "participants-votes.csv").unwrap().1;
    let parsed = mufakat_core::polis_csv::parse_participants_votes(pv).unwrap();
    let clustered = parsed.iter().filter(|p| p.group.is_some()).count();
    assert_eq!(clustered, analysis.counts.in_conv);
}

/// Not a check: the figures behind the stability rows of BENCHMARKS.md (run with
/// `--release -- --ignored --nocapture`): ARI with stability off and on, the groups'
/// stability, and what stability costs.
#[test]
#[ignore]
fn measure_stability() {
    // MUFAKAT_MEASURE names other folders of the data dir (comma-separated), e.g. red-dwarf's
    // fixtures converted by bench/reference/fixtures_to_csv.py.
    let names: Vec<String> = match std::env::var("MUFAKAT_MEASURE") {
        Ok(list) => list.split(',').map(String::from).collect(),
        Err(_) => FLOORS.iter().map(|f| f.0.to_string()).collect(),
    };
    for name in &names {
        let name = name.as_str();
        let Some(export) = common::load(name) else { continue };
        let votes = export.vote_records();
        let statements = export.statement_meta();
        let input = AnalysisInput { votes: &votes, statements: &statements };
        let time = |p: &AnalysisParams| {
            let mut best = f64::INFINITY;
            let mut out = None;
            for _ in 0..5 {
                let t = std::time::Instant::now();
                let a = analyse(&input, p, None).expect("analysis runs");
                best = best.min(t.elapsed().as_secs_f64() * 1000.0);
                out = Some(a);
            }
            (out.expect("ran"), best)
        };
        // What the small-sample guard (min_voters) takes off the lists.
        let polis_lists = analyse(&input, &AnalysisParams::default().min_voters(0), None).expect("runs");
        let ours_lists = analyse(&input, &AnalysisParams::default(), None).expect("runs");
        let reps = |a: &Analysis| {
            a.groups
                .iter()
                .map(|g| g.representative.iter().map(|r| r.statement).collect::<Vec<_>>())
                .collect::<Vec<_>>()
        };
        let cons = |a: &Analysis| {
            (
                a.consensus.agree.iter().map(|e| e.statement).collect::<Vec<_>>(),
                a.consensus.disagree.iter().map(|e| e.statement).collect::<Vec<_>>(),
            )
        };
        eprintln!(
            "{name}: min_voters 5 vs 0: representatives {:?} vs {:?}; consensus {:?} vs {:?}; bridging {:?} vs {:?}",
            reps(&ours_lists),
            reps(&polis_lists),
            cons(&ours_lists),
            cons(&polis_lists),
            ours_lists.bridging,
            polis_lists.bridging
        );
        let (off, t_off) = time(&AnalysisParams::default().stability_resamples(0));
        let (on, t_on) = time(&AnalysisParams::default());
        let (lean, t_lean) = time(&AnalysisParams::default().stability_only_to_choose(true));
        let of = |a: &Analysis| a.participants.iter().map(|p| p.group).collect::<Vec<_>>();
        assert_eq!(of(&lean), of(&on), "{name}: only_to_choose changed the groups");
        eprintln!(
            "{name}: only to choose: {t_lean:.1} ms, {}",
            if lean.stability.is_some() { "measured" } else { "skipped" }
        );
        let sizes = |a: &Analysis| a.groups.iter().map(|g| g.size.to_string()).collect::<Vec<_>>().join("+");
        let s = on.stability.as_ref().expect("measured");
        eprintln!(
            "{name}: {} votes; off: k {} ({}) ARI {:.3} {t_off:.1} ms; on: k {} ({}) ARI {:.3} {t_on:.1} ms; \
             jaccard {:?}; k chosen {:?}; per k {:?}; near-equal {:?}",
            votes.len(),
            off.groups.len(),
            sizes(&off),
            ari_against_polis(&export, &off).0,
            on.groups.len(),
            sizes(&on),
            ari_against_polis(&export, &on).0,
            s.groups.iter().map(|g| (g.jaccard * 1000.0).round() / 1000.0).collect::<Vec<_>>(),
            s.k_chosen.iter().map(|k| (k.k, k.resamples)).collect::<Vec<_>>(),
            s.k_stability.iter().map(|k| (k.k, (k.min_jaccard * 100.0).round() / 100.0, k.degenerate)).collect::<Vec<_>>(),
            s.near_equal_k
        );
    }
}
