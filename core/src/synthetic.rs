//! Synthetic conversations with planted opinion groups, for benches, examples and the
//! browser test. Every sentence and number is generated here; no real data.

use rand::seq::index::sample;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::analysis::StatementMeta;
use crate::model::{Vote, VoteRecord};

/// A generated conversation and the group each participant was planted in.
#[derive(Debug, Clone)]
pub struct Planted {
    pub votes: Vec<VoteRecord>,
    pub statements: Vec<StatementMeta>,
    /// Planted group per participant id (ids are 0..participants).
    pub truth: Vec<u32>,
}

/// `participants` people in `groups` planted groups vote on `votes_each` distinct
/// statements out of `statements`. Each group agrees with a statement with probability
/// 0.85, 0.15 or 0.5 (drawn per group and statement); a tenth of votes are passes. A
/// fifth of the statements are agreed by every group (consensus). Votes arrive in
/// rounds, so participants interleave as in a live conversation.
pub fn planted(participants: u32, statements: u32, groups: u32, votes_each: u32, seed: u64) -> Planted {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let groups = groups.max(1);
    let prefs: Vec<f64> = (0..groups * statements)
        .map(|i| {
            let s = i % statements;
            if s % 5 == 4 {
                0.9
            } else {
                [0.85, 0.15, 0.5][rng.gen_range(0..3)]
            }
        })
        .collect();
    let truth: Vec<u32> = (0..participants).map(|p| p % groups).collect();
    let k = votes_each.min(statements) as usize;
    let chosen: Vec<Vec<u32>> = (0..participants)
        .map(|_| sample(&mut rng, statements as usize, k).into_iter().map(|s| s as u32).collect())
        .collect();
    let mut votes = Vec::with_capacity(participants as usize * k);
    for round in 0..k {
        for (p, picks) in (0..participants).zip(&chosen) {
            let s = picks[round];
            let pa = prefs[(truth[p as usize] * statements + s) as usize];
            let x: f64 = rng.gen();
            let vote = if x < 0.1 {
                Vote::Pass
            } else if rng.gen::<f64>() < pa {
                Vote::Agree
            } else {
                Vote::Disagree
            };
            votes.push(VoteRecord { participant: p, statement: s, vote });
        }
    }
    let statements = (0..statements).map(StatementMeta::new).collect();
    Planted { votes, statements, truth }
}
