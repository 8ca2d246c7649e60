//! The 5-million-vote analysis timed inside a browser (wasm32, headless Chromium), for
//! BENCHMARKS.md. It only measures when built with `MUFAKAT_WASM_BENCH=1` (a compile-time
//! switch, so the test command's wasm run stays fast):
//!
//! ```sh
//! MUFAKAT_WASM_BENCH=1 CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
//!   CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_USE_BROWSER=1 \
//!   cargo test -p mufakat-core --release --target wasm32-unknown-unknown --test wasm_bench -- --nocapture
//! ```

#![cfg(target_arch = "wasm32")]

use mufakat_core::synthetic::planted;
use mufakat_core::{analyse, AnalysisInput, AnalysisParams};
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn five_million_votes_in_the_browser() {
    if option_env!("MUFAKAT_WASM_BENCH").is_none() {
        console_log!("skipping: build with MUFAKAT_WASM_BENCH=1 to time 5M votes in wasm");
        return;
    }
    // The same input as the native criterion bench: 100,000 × 2,000, 50 votes each, 3 groups.
    for (participants, statements, each) in [(10_000, 1_000, 50), (100_000, 2_000, 50)] {
        let conv = planted(participants, statements, 3, each, 1);
        let input = AnalysisInput { votes: &conv.votes, statements: &conv.statements };
        let mut times = Vec::new();
        let mut groups = 0;
        for _ in 0..3 {
            let start = js_sys::Date::now();
            let a = analyse(&input, &AnalysisParams::default().seed(7), None).expect("analysis runs");
            times.push(js_sys::Date::now() - start);
            groups = a.groups.len();
        }
        times.sort_by(f64::total_cmp);
        console_log!(
            "wasm {participants} x {statements}, {} votes: median {:.0} ms (runs {:?}), {groups} groups",
            conv.votes.len(),
            times[1],
            times
        );
    }
}

/// Stability's cost on austria-climate (Pol.is open data, CC BY 4.0, The Computational
/// Democracy Project; 62k votes, copied by `build.rs` when built with
/// `MUFAKAT_WASM_BENCH=1`): the analysis with and without it, in the browser.
#[wasm_bindgen_test]
fn stability_on_austria_climate_in_the_browser() {
    #[cfg(not(wasm_bench_data))]
    console_log!(
        "skipping: build with MUFAKAT_WASM_BENCH=1 and the shared Pol.is data to time stability in wasm"
    );
    #[cfg(wasm_bench_data)]
    {
        let files = [
            ("comments.csv", include_str!(concat!(env!("OUT_DIR"), "/bench-comments.csv"))),
            ("votes.csv", include_str!(concat!(env!("OUT_DIR"), "/bench-votes.csv"))),
        ];
        let export = mufakat_core::polis_csv::PolisExport::from_files(|name| {
            files.iter().find(|f| f.0 == name).map(|f| f.1.to_string())
        })
        .expect("austria-climate parses");
        let votes = export.vote_records();
        let statements = export.statement_meta();
        let input = AnalysisInput { votes: &votes, statements: &statements };
        for resamples in [0, 40] {
            let params = AnalysisParams::default().stability_resamples(resamples);
            let mut times = Vec::new();
            for _ in 0..5 {
                let start = js_sys::Date::now();
                analyse(&input, &params, None).expect("analysis runs");
                times.push(js_sys::Date::now() - start);
            }
            times.sort_by(f64::total_cmp);
            console_log!(
                "wasm austria-climate, {} votes, B = {resamples}: median {:.0} ms, best {:.0} ms (runs {:?})",
                votes.len(),
                times[2],
                times[0],
                times
            );
        }
    }
}
