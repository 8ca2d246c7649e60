//! Small-sample guards, documented departures from Pol.is (`AnalysisParams::min_voters`):
//! a statement is listed (consensus, bridging, representative) only on enough votes, and
//! each listed figure says how many votes it rests on.

use mufakat_core::analysis::StatementMeta;
use mufakat_core::{analyse, AnalysisInput, AnalysisParams, Vote, VoteRecord};

/// The demo's case: 12 participants agree with statements 0–3; statement 9 has a single
/// vote, a disagree.
fn one_vote_statement() -> (Vec<VoteRecord>, Vec<StatementMeta>) {
    let mut votes = Vec::new();
    for p in 0..12u32 {
        for s in 0..4u32 {
            let vote = if (p + s) % 5 == 0 { Vote::Pass } else { Vote::Agree };
            votes.push(VoteRecord { participant: p, statement: s, vote });
        }
    }
    votes.push(VoteRecord { participant: 0, statement: 9, vote: Vote::Disagree });
    let statements = [0u32, 1, 2, 3, 9].iter().map(|&s| StatementMeta::new(s)).collect();
    (votes, statements)
}

#[test]
fn a_statement_with_one_vote_is_not_listed_as_what_most_people_disagree_with() {
    let (votes, statements) = one_vote_statement();
    let input = AnalysisInput { votes: &votes, statements: &statements };
    let polis = analyse(&input, &AnalysisParams::default().min_voters(0), None).expect("runs");
    let listed = |a: &mufakat_core::Analysis| a.consensus.disagree.iter().any(|e| e.statement == 9);
    assert!(listed(&polis), "Pol.is's rule lists it on one vote: {:?}", polis.consensus);
    let ours = analyse(&input, &AnalysisParams::default(), None).expect("runs");
    assert!(!listed(&ours), "{:?}", ours.consensus);
    // What is listed says how many votes it rests on.
    assert!(!ours.consensus.agree.is_empty());
    for e in ours.consensus.agree.iter().chain(&ours.consensus.disagree) {
        let s = ours.statement(e.statement).expect("listed statements are scored");
        assert_eq!(e.votes, s.agree + s.disagree + s.pass);
        assert!(e.votes >= 5);
    }
}

#[test]
fn representative_statements_rest_on_enough_votes_of_the_group() {
    let conv = mufakat_core::synthetic::planted(60, 40, 2, 6, 3);
    let input = AnalysisInput { votes: &conv.votes, statements: &conv.statements };
    let polis = analyse(&input, &AnalysisParams::default().min_voters(0), None).expect("runs");
    let ours = analyse(&input, &AnalysisParams::default(), None).expect("runs");
    let thin = |a: &mufakat_core::Analysis| {
        a.groups.iter().flat_map(|g| &g.representative).filter(|r| r.group_votes < 5).count()
    };
    assert!(thin(&polis) > 0, "with 6 votes each of 40, some picks rest on few votes");
    assert_eq!(thin(&ours), 0);
    // Every pick that remains is one Pol.is's rule made too.
    for (g, p) in ours.groups.iter().zip(&polis.groups) {
        for r in &g.representative {
            assert!(r.group_votes >= 5);
        }
        assert!(g.representative.len() <= p.representative.len() + 1, "{g:?}");
    }
}
