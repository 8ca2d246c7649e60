//! Every file of a report's export, in one place so `mufakat analyze --out`, `mufakat
//! export` and the browser's report page write exactly the same bytes.

use crate::analysis::Analysis;
use crate::polis_csv::{write_outputs, PolisExport};
use crate::{graph_export, svg};

/// (file name, contents) in a fixed order: the Pol.is CSVs, analysis.json, the consensus
/// graph as GraphML and DOT, and the two maps as SVG.
pub fn report_files(export: &PolisExport, analysis: &Analysis) -> Vec<(String, String)> {
    let text = |id| export.statement_text(id);
    let mut files = write_outputs(export, analysis);
    files.push(("graph.graphml".into(), graph_export::graphml(analysis, text)));
    files.push(("graph.dot".into(), graph_export::dot(analysis, text)));
    files.push(("opinion-map.svg".into(), svg::opinion_map(analysis)));
    files.push(("consensus-map.svg".into(), svg::consensus_map(analysis)));
    files
}

/// FNV-1a 64 of a text, as 16 hex digits: a cheap fingerprint to compare the browser's
/// and the CLI's analysis.json without shipping the file around.
pub fn fingerprint(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}
