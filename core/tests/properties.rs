#![cfg(not(target_arch = "wasm32"))]
//! Property tests of the analysis: invariances, determinism, bounds and degenerate input.

use mufakat_core::synthetic::planted;
use mufakat_core::{
    analyse, Analysis, AnalysisError, AnalysisInput, AnalysisParams, StatementMeta, Vote, VoteRecord,
};
use proptest::prelude::*;

fn run(votes: &[VoteRecord], statements: &[StatementMeta], seed: u64) -> Result<Analysis, AnalysisError> {
    analyse(&AnalysisInput { votes, statements }, &AnalysisParams::default().seed(seed), None)
}

/// Partition of participant ids (as sorted lists of members), label names removed.
fn partition(a: &Analysis, map_back: impl Fn(u32) -> u32) -> Vec<Vec<u32>> {
    let mut groups: std::collections::BTreeMap<u32, Vec<u32>> = Default::default();
    for p in &a.participants {
        if let Some(g) = p.group {
            groups.entry(g).or_default().push(map_back(p.id));
        }
    }
    let mut v: Vec<Vec<u32>> = groups
        .into_values()
        .map(|mut m| {
            m.sort_unstable();
            m
        })
        .collect();
    v.sort();
    v
}

/// Path of the first null (NaN or infinity serialise as null) in the JSON, if any.
fn first_null(a: &Analysis) -> Option<String> {
    let json = serde_json::to_value(a).unwrap();
    fn walk(v: &serde_json::Value, path: String) -> Option<String> {
        match v {
            serde_json::Value::Null => Some(path),
            serde_json::Value::Array(x) => {
                x.iter().enumerate().find_map(|(i, v)| walk(v, format!("{path}[{i}]")))
            }
            serde_json::Value::Object(o) => o
                .iter()
                .filter(|(k, _)| !matches!(k.as_str(), "k_smoother" | "group" | "author"))
                .find_map(|(k, v)| walk(v, format!("{path}.{k}"))),
            _ => None,
        }
    }
    walk(&json, String::new())
}

fn all_finite(a: &Analysis) -> bool {
    let null = first_null(a);
    if let Some(p) = &null {
        eprintln!("non-finite value at {p}");
    }
    null.is_none()
}

fn vote_strategy() -> impl Strategy<Value = Vec<VoteRecord>> {
    prop::collection::vec((0u32..25, 0u32..12, -1i8..=1), 0..300).prop_map(|v| {
        v.into_iter()
            .map(|(p, s, x)| VoteRecord {
                participant: p,
                statement: s,
                vote: Vote::from_value(x).unwrap_or(Vote::Pass),
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn relabelling_participants_and_statements_keeps_the_groups(seed in 0u64..1000, shift in 1u32..1000) {
        let c = planted(60, 20, 2, 12, seed);
        let base = run(&c.votes, &c.statements, 3).unwrap();
        // New ids: participants p → 7p + shift (order of first appearance kept),
        // statements reversed.
        let relabelled: Vec<VoteRecord> = c.votes.iter().map(|v| VoteRecord {
            participant: v.participant * 7 + shift,
            statement: 1000 - v.statement,
            vote: v.vote,
        }).collect();
        let statements: Vec<StatementMeta> = c.statements.iter().map(|s| StatementMeta::new(1000 - s.id)).collect();
        let other = run(&relabelled, &statements, 3).unwrap();
        prop_assert_eq!(partition(&base, |p| p), partition(&other, |p| (p - shift) / 7));
    }

    #[test]
    fn same_seed_gives_byte_identical_json(votes in vote_strategy(), seed in 0u64..50) {
        let statements: Vec<StatementMeta> = (0..12).map(StatementMeta::new).collect();
        let a = run(&votes, &statements, seed);
        let b = run(&votes, &statements, seed);
        match (a, b) {
            (Ok(a), Ok(b)) => prop_assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap()),
            (Err(a), Err(b)) => prop_assert_eq!(a, b),
            _ => prop_assert!(false, "results differ"),
        }
    }

    #[test]
    fn scores_stay_within_bounds_and_finite(votes in vote_strategy(), seed in 0u64..50) {
        let mut statements: Vec<StatementMeta> = (0..12).map(StatementMeta::new).collect();
        statements[3].moderation = mufakat_core::Moderation::Rejected;
        statements[5].is_meta = true;
        match run(&votes, &statements, seed) {
            Err(AnalysisError::NoVotes) => prop_assert!(votes.is_empty()),
            Err(e) => prop_assert!(false, "unexpected error {e}"),
            Ok(a) => {
                prop_assert!(all_finite(&a));
                prop_assert!(a.groups.len() <= 5);
                for s in &a.statements {
                    prop_assert!((0.0..=1.0).contains(&s.agree_probability));
                    prop_assert!((0.0..=1.0).contains(&s.gic) && (0.0..=1.0).contains(&s.gic_disagree));
                    prop_assert!((0.0..=1.0).contains(&s.divisiveness));
                    prop_assert!(s.extremity >= 0.0 && s.priority >= 0.0);
                    if s.excluded {
                        prop_assert!(!s.bridging.bridging);
                        prop_assert!(a.consensus.agree.iter().chain(&a.consensus.disagree).all(|c| c.statement != s.id));
                    }
                }
                for g in &a.groups {
                    for r in &g.representative {
                        prop_assert!((0.0..=100.0).contains(&r.in_group_percent));
                        prop_assert!((0.0..=100.0).contains(&r.out_group_percent));
                        prop_assert!(r.statement != 3 && r.statement != 5);
                    }
                }
                let clustered: u32 = a.groups.iter().map(|g| g.size).sum();
                prop_assert_eq!(clustered as usize, a.participants.iter().filter(|p| p.group.is_some()).count());
            }
        }
    }
}

fn rec(p: u32, s: u32, vote: Vote) -> VoteRecord {
    VoteRecord { participant: p, statement: s, vote }
}

#[test]
fn no_votes_is_a_typed_error() {
    assert_eq!(run(&[], &[StatementMeta::new(0)], 0).unwrap_err(), AnalysisError::NoVotes);
}

#[test]
fn degenerate_conversations_give_finite_results() {
    let statements: Vec<StatementMeta> = (0..4).map(StatementMeta::new).collect();
    let one_participant: Vec<VoteRecord> = (0..4).map(|s| rec(0, s, Vote::Agree)).collect();
    let one_statement: Vec<VoteRecord> =
        (0..30).map(|p| rec(p, 0, if p % 2 == 0 { Vote::Agree } else { Vote::Disagree })).collect();
    let all_pass: Vec<VoteRecord> =
        (0..30).flat_map(|p| (0..4).map(move |s| rec(p, s, Vote::Pass))).collect();
    let identical: Vec<VoteRecord> =
        (0..30).flat_map(|p| (0..4).map(move |s| rec(p, s, Vote::Agree))).collect();
    for (name, votes) in [
        ("one participant", one_participant),
        ("one statement", one_statement),
        ("all pass", all_pass),
        ("identical", identical),
    ] {
        let a = run(&votes, &statements, 1).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(all_finite(&a), "{name}");
        assert!(a.groups.len() <= 2, "{name}: {} groups", a.groups.len());
    }
}

#[test]
fn invalid_params_are_refused() {
    let votes = [rec(0, 0, Vote::Agree)];
    let e = analyse(
        &AnalysisInput { votes: &votes, statements: &[] },
        &AnalysisParams::default().max_groups(1),
        None,
    );
    assert!(matches!(e, Err(AnalysisError::InvalidParams(_))));
}

#[test]
fn planted_groups_are_recovered() {
    let c = planted(300, 40, 3, 25, 11);
    let a = run(&c.votes, &c.statements, 0).unwrap();
    assert_eq!(a.groups.len(), 3);
    let mut agree = 0;
    for p in &a.participants {
        for q in &a.participants {
            if p.id < q.id {
                let same_truth = c.truth[p.id as usize] == c.truth[q.id as usize];
                agree += usize::from(same_truth == (p.group == q.group));
            }
        }
    }
    let pairs = 300 * 299 / 2;
    assert!(agree as f64 / pairs as f64 > 0.95, "pair agreement {}", agree as f64 / pairs as f64);
}

#[test]
fn warm_start_keeps_group_labels_as_votes_arrive() {
    let c = planted(200, 30, 2, 20, 5);
    let cut = c.votes.len() * 8 / 10;
    let params = AnalysisParams::default();
    let first =
        analyse(&AnalysisInput { votes: &c.votes[..cut], statements: &c.statements }, &params, None).unwrap();
    let second = analyse(
        &AnalysisInput { votes: &c.votes, statements: &c.statements },
        &params,
        Some(&first.warm_start),
    )
    .unwrap();
    let mut same = 0;
    let mut both = 0;
    for p in &first.participants {
        if let (Some(a), Some(b)) = (p.group, second.group_of(p.id)) {
            both += 1;
            same += usize::from(a == b);
        }
    }
    assert!(same as f64 / both as f64 > 0.95, "{same}/{both} kept their group label");
    // The map does not flip: participants keep the sign of their first coordinate.
    let kept = first
        .participants
        .iter()
        .filter(|p| p.position[0].abs() > 0.5)
        .filter(|p| {
            second
                .participants
                .iter()
                .find(|q| q.id == p.id)
                .is_some_and(|q| q.position[0] * p.position[0] > 0.0)
        })
        .count();
    let strong = first.participants.iter().filter(|p| p.position[0].abs() > 0.5).count();
    assert!(kept as f64 >= 0.95 * strong as f64);
}

#[test]
fn progress_reports_every_stage_in_order() {
    use mufakat_core::Stage;
    let c = planted(40, 10, 2, 8, 1);
    let mut stages = Vec::new();
    mufakat_core::analyse_with_progress(
        &AnalysisInput { votes: &c.votes, statements: &c.statements },
        &AnalysisParams::default(),
        None,
        &mut |s| stages.push(s),
    )
    .unwrap();
    assert_eq!(stages, vec![Stage::Reducing, Stage::Clustering, Stage::Scoring, Stage::BuildingMap]);
}
