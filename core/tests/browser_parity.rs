//! The same analysis natively and in a browser (wasm32, headless Chrome) must give the
//! same groups. Both runs check one fingerprint of the planted fixture's partition,
//! computed natively; `core/run-wasm-tests.sh` runs the browser half.

use mufakat_core::synthetic::planted;
use mufakat_core::{analyse, AnalysisInput, AnalysisParams};

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// FNV-1a over (participant, group) pairs, plus the group count.
fn groups_fingerprint() -> (usize, u64) {
    let c = planted(600, 60, 3, 30, 2024);
    let a = analyse(
        &AnalysisInput { votes: &c.votes, statements: &c.statements },
        &AnalysisParams::default().seed(7),
        None,
    )
    .expect("analysis runs");
    let mut h: u64 = 0xcbf29ce484222325;
    for p in &a.participants {
        for x in [p.id, p.group.map_or(u32::MAX, |g| g)] {
            for b in x.to_le_bytes() {
                h ^= b as u64;
                h = h.wrapping_mul(0x100000001b3);
            }
        }
    }
    (a.groups.len(), h)
}

const EXPECTED: (usize, u64) = (3, 942011023355818923);

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn native_groups_match_the_recorded_fingerprint() {
    assert_eq!(groups_fingerprint(), EXPECTED);
}

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen_test::wasm_bindgen_test]
fn browser_groups_match_the_native_fingerprint() {
    assert_eq!(groups_fingerprint(), EXPECTED);
}
