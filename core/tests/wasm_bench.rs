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
