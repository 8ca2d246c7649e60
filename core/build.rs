//! Gives the browser parity test (`tests/browser_parity.rs`) one real Pol.is conversation,
//! brexit-consensus, copied from the shared data folder (`MUFAKAT_POLIS_DATA`, default
//! `../shared/data/polis` beside the checkout) into OUT_DIR at build time, since a wasm32 test
//! in the browser cannot read files. Nothing is copied into the repository. Where the folder is
//! absent (a fresh clone), the files are empty, `polis_parity_data` is not set, and the test
//! says it skipped.
//!
//! Built with `MUFAKAT_WASM_BENCH=1`, it also copies austria-climate (62k votes) for
//! `tests/wasm_bench.rs`'s timing of stability in the browser (cfg `wasm_bench_data`).

use std::path::PathBuf;

fn main() {
    println!("cargo:rustc-check-cfg=cfg(polis_parity_data)");
    println!("cargo:rustc-check-cfg=cfg(wasm_bench_data)");
    println!("cargo:rerun-if-env-changed=MUFAKAT_WASM_BENCH");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=MUFAKAT_POLIS_DATA");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let data = match std::env::var("MUFAKAT_POLIS_DATA") {
        Ok(d) => PathBuf::from(d),
        Err(_) => PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"))
            .join("../../shared/data/polis"),
    };
    if copy(&data.join("brexit-consensus"), &out, "parity") {
        println!("cargo:rustc-cfg=polis_parity_data");
    }
    let bench = std::env::var_os("MUFAKAT_WASM_BENCH").is_some();
    let austria = match bench {
        true => data.join("austria-climate.5twd2jsnkf.2022-08-08"),
        false => out.join("absent"),
    };
    if copy(&austria, &out, "bench") {
        println!("cargo:rustc-cfg=wasm_bench_data");
    }
}

/// Copies a conversation's comments.csv and votes.csv into OUT_DIR as `<prefix>-<file>`
/// (empty files where the folder is absent); true when both were found.
fn copy(dir: &std::path::Path, out: &std::path::Path, prefix: &str) -> bool {
    let files = ["comments.csv", "votes.csv"];
    let texts: Vec<Option<String>> =
        files.iter().map(|f| std::fs::read_to_string(dir.join(f)).ok()).collect();
    let found = texts.iter().all(Option::is_some);
    for (f, text) in files.iter().zip(&texts) {
        let text = if found { text.as_deref().unwrap_or("") } else { "" };
        std::fs::write(out.join(format!("{prefix}-{f}")), text).expect("write to OUT_DIR");
        if found {
            // Only files that exist: a missing one would make Cargo rerun this every build.
            println!("cargo:rerun-if-changed={}", dir.join(f).display());
        }
    }
    found
}
