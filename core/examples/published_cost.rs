//! What publishing a cold analysis costs next to the background's warm-started one
//! (BENCHMARKS.md, "Published analysis"). Run:
//! `cargo run --release -p mufakat-core --example published_cost`
//!
//! For each size: a warm run on the whole log started from a run on all but the last 1,000
//! entries (what the background does between two refreshes), then a cold run and the
//! document's serialisation (what publishing adds), medians of 3.

use std::time::Instant;

use mufakat_core::published;
use mufakat_core::synthetic::planted;
use mufakat_core::{analyse, AnalysisInput};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    for (participants, votes_each) in [(2_000u32, 50u32), (20_000, 50)] {
        let p = planted(participants, 300, 3, votes_each, 1);
        let statements = published::statements_for_analysis(p.statements.iter().copied());
        let n = p.votes.len();
        let before = &p.votes[..n - 1000];
        let prev =
            analyse(&AnalysisInput { votes: before, statements: &statements }, &published::params(), None)
                .expect("analyses");
        let (mut warm, mut cold, mut ser) = (Vec::new(), Vec::new(), Vec::new());
        let mut size = 0;
        for _ in 0..3 {
            let t = Instant::now();
            let input = AnalysisInput { votes: &p.votes, statements: &statements };
            let _ = analyse(&input, &published::params(), Some(&prev.warm_start)).expect("analyses");
            warm.push(t.elapsed().as_secs_f64() * 1000.0);
            let t = Instant::now();
            let a = analyse(&input, &published::params(), None).expect("analyses");
            cold.push(t.elapsed().as_secs_f64() * 1000.0);
            let t = Instant::now();
            size = published::document(n as u64, &statements, &a).len();
            ser.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        println!(
            "{n} votes ({participants} x 300): warm {:.0} ms, cold {:.0} ms, document {:.0} ms, {:.2} MB",
            median(warm),
            median(cold),
            median(ser),
            size as f64 / 1e6
        );
    }
}
