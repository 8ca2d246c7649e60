//! Whole-pipeline timings: the shared Pol.is conversations (skipped when absent) and
//! synthetic planted-groups conversations of 500k and 5M votes. Sample counts are kept
//! small so the run takes a few minutes on 2 cores.
//!
//! Pol.is data: Data was gathered using the Polis software (compdemocracy.org/polis) and
//! is sub-licensed under CC BY 4.0 with Attribution to The Computational Democracy Project.

use std::path::PathBuf;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use mufakat_core::polis_csv::PolisExport;
use mufakat_core::synthetic::planted;
use mufakat_core::{analyse, AnalysisInput, AnalysisParams};

fn data_dir() -> PathBuf {
    std::env::var_os("MUFAKAT_POLIS_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/polis"))
}

fn conversations(c: &mut Criterion) {
    let mut group = c.benchmark_group("polis");
    group.sample_size(10).measurement_time(Duration::from_secs(3));
    for name in [
        "brexit-consensus",
        "bg2050-volunteers",
        "scoop-hivemind.biodiversity",
        "austria-climate.5twd2jsnkf.2022-08-08",
    ] {
        let dir = data_dir().join(name);
        let Ok(export) = PolisExport::from_files(|f| std::fs::read_to_string(dir.join(f)).ok()) else {
            eprintln!("skipping: {} not found", dir.display());
            continue;
        };
        let votes = export.vote_records();
        let statements = export.statement_meta();
        group.bench_function(name, |b| {
            b.iter(|| {
                analyse(
                    &AnalysisInput { votes: &votes, statements: &statements },
                    &AnalysisParams::default(),
                    None,
                )
            })
        });
    }
    group.finish();
}

fn synthetic(c: &mut Criterion) {
    let mut group = c.benchmark_group("synthetic");
    group.sample_size(10).measurement_time(Duration::from_secs(10));
    for (participants, statements, each) in [(10_000u32, 1_000u32, 50u32), (100_000, 2_000, 50)] {
        let conv = planted(participants, statements, 3, each, 1);
        let name = format!("{participants}x{statements}_{}k_votes", conv.votes.len() / 1000);
        group.bench_function(name, |b| {
            b.iter(|| {
                analyse(
                    &AnalysisInput { votes: &conv.votes, statements: &conv.statements },
                    &AnalysisParams::default(),
                    None,
                )
            })
        });
    }
    group.finish();
}

criterion_group!(benches, conversations, synthetic);
criterion_main!(benches);
