//! Peak-memory probe: generates a planted conversation and analyses it once.
//! Run under `/usr/bin/time -v` and compare "Maximum resident set size" with the vote
//! list size printed here.
//!
//! `cargo run --release -p mufakat-core --example bench_mem -- 100000 2000 50`

use std::time::Instant;

use mufakat_core::synthetic::planted;
use mufakat_core::{analyse, AnalysisInput, AnalysisParams, VoteRecord};

fn main() {
    let args: Vec<u32> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let (participants, statements, each) = (
        args.first().copied().unwrap_or(100_000),
        args.get(1).copied().unwrap_or(2_000),
        args.get(2).copied().unwrap_or(50),
    );
    let conv = planted(participants, statements, 3, each, 1);
    let list_bytes = conv.votes.len() * std::mem::size_of::<VoteRecord>();
    let start = Instant::now();
    let a = analyse(
        &AnalysisInput { votes: &conv.votes, statements: &conv.statements },
        &AnalysisParams::default(),
        None,
    )
    .expect("analysis runs");
    println!(
        "votes {} ({:.1} MiB as VoteRecord list), groups {}, analysis {:.2} s",
        conv.votes.len(),
        list_bytes as f64 / (1024.0 * 1024.0),
        a.groups.len(),
        start.elapsed().as_secs_f64()
    );
}
