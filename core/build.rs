//! Gives the browser parity test (`tests/browser_parity.rs`) one real Pol.is conversation,
//! brexit-consensus, copied from the shared data folder (`MUFAKAT_POLIS_DATA`, default
//! `../shared/data/polis` beside the checkout) into OUT_DIR at build time, since a wasm32 test
//! in the browser cannot read files. Nothing is copied into the repository. Where the folder is
//! absent (a fresh clone), the files are empty, `polis_parity_data` is not set, and the test
//! says it skipped.

use std::path::PathBuf;

fn main() {
    println!("cargo:rustc-check-cfg=cfg(polis_parity_data)");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=MUFAKAT_POLIS_DATA");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let data = match std::env::var("MUFAKAT_POLIS_DATA") {
        Ok(d) => PathBuf::from(d),
        Err(_) => PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"))
            .join("../../shared/data/polis"),
    };
    let dir = data.join("brexit-consensus");
    let files = ["comments.csv", "votes.csv"];
    let texts: Vec<Option<String>> =
        files.iter().map(|f| std::fs::read_to_string(dir.join(f)).ok()).collect();
    let found = texts.iter().all(Option::is_some);
    for (f, text) in files.iter().zip(&texts) {
        let text = if found { text.as_deref().unwrap_or("") } else { "" };
        std::fs::write(out.join(format!("parity-{f}")), text).expect("write to OUT_DIR");
        if found {
            // Only files that exist: a missing one would make Cargo rerun this every build.
            println!("cargo:rerun-if-changed={}", dir.join(f).display());
        }
    }
    if found {
        println!("cargo:rustc-cfg=polis_parity_data");
    }
}
