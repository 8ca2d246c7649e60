#![cfg(not(target_arch = "wasm32"))]
//! Property tests of the analysis: invariances, determinism, bounds and degenerate input.

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};

use mufakat_core::synthetic::planted;
use mufakat_core::{
    analyse, Analysis, AnalysisError, AnalysisInput, AnalysisParams, StatementMeta, Vote, VoteRecord,
};
use proptest::prelude::*;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

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

fn all_finite(a: &Analysis) -> bool {
    let null = common::first_null(a);
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

/// A planted conversation: (participants, statements, groups, seed). Everyone votes on
/// two thirds of the statements, so everyone has the 7 votes clustering needs whatever
/// order the votes arrive in.
fn planted_strategy() -> impl Strategy<Value = (u32, u32, u32, u64)> {
    (30u32..=90, 12u32..=24, 2u32..=4, any::<u64>())
}

/// Every participant's latest vote per statement: what "latest vote wins" keeps.
fn latest_votes(votes: &[VoteRecord]) -> BTreeMap<(u32, u32), Vote> {
    votes.iter().map(|v| ((v.participant, v.statement), v.vote)).collect()
}

/// Each statement's current agree, disagree and pass counts, by (mapped-back) id.
fn tallies(a: &Analysis, map_back: impl Fn(u32) -> u32) -> BTreeMap<u32, (u32, u32, u32)> {
    a.statements.iter().map(|s| (map_back(s.id), (s.agree, s.disagree, s.pass))).collect()
}

/// Largest change in the distance between two participants' map positions: zero for a
/// rotation or reflection of the map (PCA axes have no sign of their own).
fn distance_change(a: &Analysis, b: &Analysis, map_back: impl Fn(u32) -> u32) -> f64 {
    let pos: HashMap<u32, [f64; 2]> = a.participants.iter().map(|p| (p.id, p.position)).collect();
    let other: Vec<(u32, [f64; 2])> = b.participants.iter().map(|p| (map_back(p.id), p.position)).collect();
    let dist = |x: [f64; 2], y: [f64; 2]| ((x[0] - y[0]).powi(2) + (x[1] - y[1]).powi(2)).sqrt();
    let mut worst = 0.0f64;
    for (i, &(p, x)) in other.iter().enumerate() {
        for &(q, y) in &other[..i] {
            worst = worst.max((dist(pos[&p], pos[&q]) - dist(x, y)).abs());
        }
    }
    worst
}

/// Puts a superseded record (a different vote) before about a fifth of the records, so
/// the latest vote has something to win against.
fn with_superseded(votes: &[VoteRecord], rng: &mut Xoshiro256PlusPlus) -> Vec<VoteRecord> {
    let mut out = Vec::with_capacity(votes.len() * 6 / 5);
    for v in votes {
        if rng.gen_bool(0.2) {
            let others: Vec<Vote> =
                [Vote::Agree, Vote::Disagree, Vote::Pass].into_iter().filter(|x| *x != v.vote).collect();
            out.push(VoteRecord { vote: others[rng.gen_range(0..2)], ..*v });
        }
        out.push(*v);
    }
    out
}

/// Shuffles each participant's records among that participant's own places in the list
/// (so who votes when, and the order participants first appear, stay as they were), then
/// gives every (participant, statement)'s last record the vote that was latest before.
fn shuffle_within_participants(votes: &[VoteRecord], rng: &mut Xoshiro256PlusPlus) -> Vec<VoteRecord> {
    let latest = latest_votes(votes);
    let mut own: BTreeMap<u32, Vec<VoteRecord>> = BTreeMap::new();
    for v in votes {
        own.entry(v.participant).or_default().push(*v);
    }
    for records in own.values_mut() {
        records.shuffle(rng);
        let mut seen = HashSet::new();
        for r in records.iter_mut().rev() {
            if seen.insert(r.statement) {
                r.vote = latest[&(r.participant, r.statement)];
            }
        }
    }
    let mut next: HashMap<u32, usize> = HashMap::new();
    votes
        .iter()
        .map(|v| {
            let i = next.entry(v.participant).or_default();
            *i += 1;
            own[&v.participant][*i - 1]
        })
        .collect()
}

/// Gathers each participant's records together, participants in order of first vote
/// (a stable sort, so each participant's own order is kept).
fn one_participant_after_another(votes: &[VoteRecord]) -> Vec<VoteRecord> {
    let mut rank: HashMap<u32, usize> = HashMap::new();
    for v in votes {
        let n = rank.len();
        rank.entry(v.participant).or_insert(n);
    }
    let mut out = votes.to_vec();
    out.sort_by_key(|v| rank[&v.participant]);
    out
}

/// First-seen order of participants in a list of records.
fn arrival_order(votes: &[VoteRecord]) -> Vec<u32> {
    let mut seen = HashSet::new();
    votes.iter().map(|v| v.participant).filter(|p| seen.insert(*p)).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// New ids in no particular order (participants and statements), and the statement
    /// metadata listed in another order (so the matrix's columns are permuted): the same
    /// people end up together, with the same tallies and the same map up to rotation.
    #[test]
    fn relabelling_participants_and_statements_keeps_the_groups(
        (n, d, k, seed) in planted_strategy(),
        shuffle_seed in any::<u64>(),
    ) {
        let c = planted(n, d, k, d * 2 / 3, seed);
        let base = run(&c.votes, &c.statements, 3).unwrap();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(shuffle_seed);
        let mut participant_ids: Vec<u32> = (0..n).map(|p| 1_000_000 + p * 37).collect();
        participant_ids.shuffle(&mut rng);
        let mut statement_ids: Vec<u32> = (0..d).map(|s| 5_000 + s * 11).collect();
        statement_ids.shuffle(&mut rng);
        let back_p: HashMap<u32, u32> = participant_ids.iter().enumerate().map(|(i, &p)| (p, i as u32)).collect();
        let back_s: HashMap<u32, u32> = statement_ids.iter().enumerate().map(|(i, &s)| (s, i as u32)).collect();
        let votes: Vec<VoteRecord> = c.votes.iter().map(|v| VoteRecord {
            participant: participant_ids[v.participant as usize],
            statement: statement_ids[v.statement as usize],
            vote: v.vote,
        }).collect();
        let mut statements: Vec<StatementMeta> =
            c.statements.iter().map(|s| StatementMeta::new(statement_ids[s.id as usize])).collect();
        statements.shuffle(&mut rng);
        let other = run(&votes, &statements, 3).unwrap();
        prop_assert_eq!(partition(&base, |p| p), partition(&other, |p| back_p[&p]));
        prop_assert_eq!(base.groups.len(), other.groups.len());
        prop_assert_eq!(tallies(&base, |s| s), tallies(&other, |s| back_s[&s]));
        let moved = distance_change(&base, &other, |p| back_p[&p]);
        prop_assert!(moved < 1e-3, "distances between participants changed by {}", moved);
    }

    /// Reordering each participant's own votes (superseded votes included, the latest
    /// still winning), and optionally letting each participant vote in one go, keeps the
    /// order participants first appear in, so nothing may change: same group labels, same
    /// tallies, same map.
    #[test]
    fn reordering_votes_within_participants_keeps_the_groups(
        (n, d, k, seed) in planted_strategy(),
        shuffle_seed in any::<u64>(),
        one_after_another in any::<bool>(),
    ) {
        let c = planted(n, d, k, d * 2 / 3, seed);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(shuffle_seed);
        let votes = with_superseded(&c.votes, &mut rng);
        let mut reordered = shuffle_within_participants(&votes, &mut rng);
        if one_after_another {
            reordered = one_participant_after_another(&reordered);
        }
        prop_assert_eq!(latest_votes(&votes), latest_votes(&reordered));
        prop_assert_eq!(arrival_order(&votes), arrival_order(&reordered));
        let base = run(&votes, &c.statements, 3).unwrap();
        let other = run(&reordered, &c.statements, 3).unwrap();
        let groups = |a: &Analysis| a.participants.iter().map(|p| (p.id, p.group)).collect::<Vec<_>>();
        prop_assert_eq!(groups(&base), groups(&other));
        prop_assert_eq!(tallies(&base, |s| s), tallies(&other, |s| s));
        for (p, q) in base.participants.iter().zip(&other.participants) {
            let moved = (p.position[0] - q.position[0]).abs().max((p.position[1] - q.position[1]).abs());
            prop_assert!(moved < 1e-9, "participant {} moved by {}", p.id, moved);
        }
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
                check_bridging(&a)?;
                check_representative(&a)?;
                check_consensus(&a)?;
                let clustered: u32 = a.groups.iter().map(|g| g.size).sum();
                prop_assert_eq!(clustered as usize, a.participants.iter().filter(|p| p.group.is_some()).count());
            }
        }
    }
}

/// Statements that exist and are not excluded: the only ones a list may name.
fn usable(a: &Analysis) -> HashMap<u32, &mufakat_core::analysis::StatementScores> {
    a.statements.iter().filter(|s| !s.excluded).map(|s| (s.id, s)).collect()
}

/// Bridging scores (see `bridging.rs`). Alternating least squares lowers the loss at every
/// step, from μ = mean agreement with every intercept and statement factor 0 and the user
/// factors standardised (loss μ(1 − μ) + λ_i·μ² + λ_f at most), so the statement
/// penalties λ_f·mean(f_s²) + λ_i·mean(i_s²) cannot exceed that; and a flagged statement
/// meets every part of the documented rule that the analysis exposes.
fn check_bridging(a: &Analysis) -> Result<(), TestCaseError> {
    let p = AnalysisParams::default().bridging;
    let usable = usable(a);
    let (mut agrees, mut ratings) = (0u32, 0u32);
    for s in &a.statements {
        let b = &s.bridging;
        prop_assert!(b.intercept.is_finite() && b.factor.is_finite(), "statement {}: {:?}", s.id, b);
        if s.excluded {
            prop_assert_eq!(b, &mufakat_core::bridging::BridgingScore::default());
        } else {
            prop_assert_eq!(b.ratings, s.agree + s.disagree, "statement {}", s.id);
            agrees += s.agree;
            ratings += b.ratings;
        }
    }
    let rated = a.statements.iter().filter(|s| s.bridging.ratings > 0).count().max(1) as f64;
    if ratings > 0 {
        let mu = agrees as f64 / ratings as f64;
        let start_loss = mu * (1.0 - mu) + p.lambda_intercept * mu * mu + p.lambda_factor;
        let penalty: f64 = a
            .statements
            .iter()
            .map(|s| {
                p.lambda_factor * s.bridging.factor.powi(2)
                    + p.lambda_intercept * s.bridging.intercept.powi(2)
            })
            .sum::<f64>()
            / rated;
        prop_assert!(
            penalty <= start_loss + 1e-9,
            "statement penalties {} above the starting loss {}",
            penalty,
            start_loss
        );
    }
    // τ as documented: the percentile of the eligible intercepts, never below min_intercept.
    let mut eligible: Vec<f64> = usable
        .values()
        .filter(|s| s.bridging.ratings >= p.min_ratings)
        .map(|s| s.bridging.intercept)
        .collect();
    eligible.sort_by(f64::total_cmp);
    let tau = match eligible.len() {
        0 => p.min_intercept,
        n => eligible[((n - 1) as f64 * p.percentile).round() as usize].max(p.min_intercept),
    };
    let mut flagged: Vec<&mufakat_core::analysis::StatementScores> = Vec::new();
    for s in a.statements.iter().filter(|s| s.bridging.bridging) {
        let b = &s.bridging;
        prop_assert!(!s.excluded && b.ratings >= p.min_ratings, "statement {}: {:?}", s.id, b);
        prop_assert!(b.factor.abs() < p.factor_limit, "statement {}: {:?}", s.id, b);
        prop_assert!(b.intercept >= tau, "statement {}: intercept {} below τ = {}", s.id, b.intercept, tau);
        // Net agrees at least 1 on each side of the factor axis: two agrees at least.
        prop_assert!(s.agree >= 2, "statement {}: {} agrees", s.id, s.agree);
        flagged.push(s);
    }
    flagged.sort_by(|x, y| y.bridging.intercept.total_cmp(&x.bridging.intercept).then(x.id.cmp(&y.id)));
    let expected: Vec<u32> = flagged.iter().map(|s| s.id).collect();
    prop_assert_eq!(&a.bridging, &expected);
    Ok(())
}

fn smoothed(n: u32, seen: u32) -> f64 {
    (n as f64 + 1.0) / (seen as f64 + 2.0)
}

fn percent(n: u32, seen: u32) -> f64 {
    if seen == 0 {
        0.0
    } else {
        100.0 * n as f64 / seen as f64
    }
}

/// Representative statements: within bounds, and the numbers are the group's own tallies.
fn check_representative(a: &Analysis) -> Result<(), TestCaseError> {
    use mufakat_core::repness::Direction;
    let usable = usable(a);
    for g in &a.groups {
        let mut seen_ids = HashSet::new();
        for r in &g.representative {
            prop_assert!(seen_ids.insert(r.statement), "group {}: statement {} twice", g.id, r.statement);
            let Some(s) = usable.get(&r.statement) else {
                return Err(TestCaseError::fail(format!(
                    "group {}: statement {} missing or excluded",
                    g.id, r.statement
                )));
            };
            prop_assert!((0.0..=1.0).contains(&r.probability), "{:?}", r);
            prop_assert!((0.0..=100.0).contains(&r.in_group_percent), "{:?}", r);
            prop_assert!((0.0..=100.0).contains(&r.out_group_percent), "{:?}", r);
            prop_assert!(r.z.is_finite() && r.metric.is_finite(), "{:?}", r);
            let pick = |t: &mufakat_core::analysis::GroupTally| match r.direction {
                Direction::Agree => t.agree,
                Direction::Disagree => t.disagree,
            };
            let (mut out_n, mut out_seen) = (0, 0);
            for t in s.groups.iter().filter(|t| t.group != g.id) {
                out_n += pick(t);
                out_seen += t.seen();
            }
            let Some(own) = s.groups.iter().find(|t| t.group == g.id) else {
                return Err(TestCaseError::fail(format!(
                    "statement {} has no tally for group {}",
                    s.id, g.id
                )));
            };
            prop_assert!(
                (r.probability - smoothed(pick(own), own.seen())).abs() < 1e-12,
                "{:?} {:?}",
                r,
                own
            );
            prop_assert!(
                (r.in_group_percent - percent(pick(own), own.seen())).abs() < 1e-9,
                "{:?} {:?}",
                r,
                own
            );
            prop_assert!((r.out_group_percent - percent(out_n, out_seen)).abs() < 1e-9, "{:?}", r);
        }
    }
    Ok(())
}

/// Consensus lists: at most five each, distinct, usable statements, and each entry passes
/// the documented test (smoothed probability above ½, one-proportion z above 1.2816).
fn check_consensus(a: &Analysis) -> Result<(), TestCaseError> {
    let usable = usable(a);
    for (agree, list) in [(true, &a.consensus.agree), (false, &a.consensus.disagree)] {
        prop_assert!(list.len() <= 5);
        let mut seen_ids = HashSet::new();
        for c in list {
            prop_assert!(seen_ids.insert(c.statement), "statement {} twice", c.statement);
            let Some(s) = usable.get(&c.statement) else {
                return Err(TestCaseError::fail(format!(
                    "consensus names statement {} missing or excluded",
                    c.statement
                )));
            };
            let n = if agree { s.agree } else { s.disagree };
            prop_assert!((0.0..=1.0).contains(&c.probability) && c.probability > 0.5, "{:?}", c);
            prop_assert!(
                (c.probability - smoothed(n, s.agree + s.disagree + s.pass)).abs() < 1e-12,
                "{:?}",
                c
            );
            prop_assert!(c.z.is_finite() && c.z > 1.2816, "{:?}", c);
        }
    }
    Ok(())
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

/// A.3 over the history: while fewer than 15 are in, Pol.is adds whoever has voted, and
/// they stay in. So the first 15 voters are clustered however few votes they cast; a
/// latecomer with as few votes is not.
#[test]
fn the_first_fifteen_voters_stay_in_the_clustering() {
    let statements: Vec<StatementMeta> = (0..10).map(StatementMeta::new).collect();
    // Participant 300 votes on all ten statements, then 100..103 once each (too few to be
    // admitted on vote counts, ten statements being voted on by then), then 30 vote on
    // everything, then 200 votes once.
    let mut votes: Vec<VoteRecord> = (0..10).map(|s| rec(300, s, Vote::Agree)).collect();
    votes.extend((0..3).map(|i| rec(100 + i, i, Vote::Agree)));
    for p in 0..30 {
        for s in 0..10 {
            votes.push(rec(p, s, if (p + s) % 3 == 0 { Vote::Disagree } else { Vote::Agree }));
        }
    }
    votes.push(rec(200, 0, Vote::Agree));
    let in_conv = |a: &Analysis, id: u32| a.participants.iter().find(|p| p.id == id).map(|p| p.in_conv);
    let a = run(&votes, &statements, 0).unwrap();
    for early in 100..103 {
        assert_eq!(in_conv(&a, early), Some(true), "early voter {early}");
        assert!(a.group_of(early).is_some(), "early voter {early} has a group");
    }
    assert_eq!(in_conv(&a, 200), Some(false), "a latecomer with one vote");
    assert_eq!(a.counts.in_conv, 34);
    // Without the top-up only the rule on vote counts applies.
    let strict = analyse(
        &AnalysisInput { votes: &votes, statements: &statements },
        &AnalysisParams::default().greedy_n(0),
        None,
    )
    .unwrap();
    assert_eq!(strict.counts.in_conv, 31);
    assert_eq!(in_conv(&strict, 100), Some(false));
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
