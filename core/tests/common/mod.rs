//! Shared helpers for integration tests: locating the Pol.is open data and scoring groups.
#![allow(dead_code)]

use std::path::PathBuf;

use mufakat_core::polis_csv::PolisExport;

pub const CONVERSATIONS: [&str; 4] = [
    "brexit-consensus",
    "bg2050-volunteers",
    "scoop-hivemind.biodiversity",
    "austria-climate.5twd2jsnkf.2022-08-08",
];

/// Attribution required wherever results from these conversations are shown.
pub const ATTRIBUTION: &str = "Data was gathered using the Polis software (compdemocracy.org/polis) and is \
sub-licensed under CC BY 4.0 with Attribution to The Computational Democracy Project. \
Source: https://github.com/compdemocracy/openData";

/// Prints a line that shows in `cargo test`'s output even when the test passes (the test
/// harness captures `eprintln!`, not writes to the stderr handle).
pub fn say(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}

pub fn data_dir() -> PathBuf {
    std::env::var_os("MUFAKAT_POLIS_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/polis"))
}

/// Loads one conversation, or prints why not and returns None.
pub fn load(name: &str) -> Option<PolisExport> {
    let dir = data_dir().join(name);
    if !dir.is_dir() {
        say(&format!("SKIPPED: Pol.is conversation {} not found (set MUFAKAT_POLIS_DATA)", dir.display()));
        return None;
    }
    let export = PolisExport::from_files(|f| std::fs::read_to_string(dir.join(f)).ok());
    match export {
        Ok(e) => Some(e),
        Err(e) => panic!("{name}: {e}"),
    }
}

/// Path of the first null in the analysis's JSON (NaN and infinity serialise as null),
/// leaving out the fields that are null by design; `None` when every figure is finite.
pub fn first_null(a: &mufakat_core::Analysis) -> Option<String> {
    fn walk(v: &serde_json::Value, path: String) -> Option<String> {
        match v {
            serde_json::Value::Null => Some(path),
            serde_json::Value::Array(x) => {
                x.iter().enumerate().find_map(|(i, v)| walk(v, format!("{path}[{i}]")))
            }
            serde_json::Value::Object(o) => o
                .iter()
                .filter(|(k, _)| !matches!(k.as_str(), "k_smoother" | "group" | "author"))
                .find_map(|(k, v)| walk(v, format!("{path}.{k}"))),
            _ => None,
        }
    }
    walk(&serde_json::to_value(a).expect("serialises"), String::new())
}
