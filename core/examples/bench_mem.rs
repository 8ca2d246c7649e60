//! Peak-memory probe: generates a planted conversation and analyses it once.
//! Run under `/usr/bin/time -v` and compare "Maximum resident set size" with the vote
//! list size printed here.
//!
//! `cargo run --release -p mufakat-core --example bench_mem -- 100000 2000 50`

use std::time::Instant;

use mufakat_core::synthetic::planted;
use mufakat_core::{analyse_with_progress, AnalysisInput, AnalysisParams, Stage, VoteRecord};

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
    let mut stages: Vec<(Stage, Instant)> = Vec::new();
    let a = analyse_with_progress(
        &AnalysisInput { votes: &conv.votes, statements: &conv.statements },
        &AnalysisParams::default(),
        None,
        &mut |s| stages.push((s, Instant::now())),
    )
    .expect("analysis runs");
    let end = Instant::now();
    for (i, (s, t)) in stages.iter().enumerate() {
        let next = stages.get(i + 1).map_or(end, |n| n.1);
        println!("  {s:?}: {:.3} s", (next - *t).as_secs_f64());
    }
    println!(
        "votes {} ({:.1} MiB as VoteRecord list), groups {}, analysis {:.2} s",
        conv.votes.len(),
        list_bytes as f64 / (1024.0 * 1024.0),
        a.groups.len(),
        start.elapsed().as_secs_f64()
    );
}
