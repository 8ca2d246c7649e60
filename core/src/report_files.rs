//! Every file of a report's export, in one place: their names, media types and what each
//! holds ([`EXPORT_FILES`]), and their contents ([`report_files`]), so `mufakat analyze
//! --out`, `mufakat export`, the moderator's download and the browser's report page offer
//! the same files and write exactly the same bytes. A new export file is a row here and a
//! writer in [`report_files`]; the server, the CLI, the app and the OpenAPI text read the
//! list.

use crate::analysis::Analysis;
use crate::polis_csv::{write_outputs, PolisExport};
use crate::{graph_export, svg};

/// One export file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportFile {
    pub name: &'static str,
    /// The media type without parameters (text types are sent and saved as UTF-8).
    pub media_type: &'static str,
    pub description: &'static str,
    /// Also offered by the moderator's download of a stored conversation
    /// (`GET /api/v1/admin/conversations/{id}/export/{file}`) and `mufakat export`: the
    /// Pol.is files, `analysis.json`, `outcomes.csv` and `translations.csv`, written by
    /// [`write_outputs`].
    pub moderator: bool,
}

/// Every export file, in the order [`report_files`] writes them.
pub const EXPORT_FILES: [ExportFile; 12] = [
    ExportFile {
        name: "summary.csv",
        media_type: "text/csv",
        description: "Pol.is summary: topic, counts and the number of groups",
        moderator: true,
    },
    ExportFile {
        name: "comments.csv",
        media_type: "text/csv",
        description: "Pol.is comments: every statement with its votes and moderation",
        moderator: true,
    },
    ExportFile {
        name: "votes.csv",
        media_type: "text/csv",
        description: "Pol.is votes: every vote of the history with its time",
        moderator: true,
    },
    ExportFile {
        name: "participants-votes.csv",
        media_type: "text/csv",
        description: "Pol.is participants-votes: each participant's group and latest votes",
        moderator: true,
    },
    ExportFile {
        name: "comment-groups.csv",
        media_type: "text/csv",
        description: "Pol.is comment-groups: each statement's votes per group",
        moderator: true,
    },
    ExportFile {
        name: "analysis.json",
        media_type: "application/json",
        description: "the whole analysis (docs/analysis-json.md)",
        moderator: true,
    },
    ExportFile {
        name: "outcomes.csv",
        media_type: "text/csv",
        description: "the outcomes: each response to a statement or to the conversation, its status and date",
        moderator: true,
    },
    ExportFile {
        name: "translations.csv",
        media_type: "text/csv",
        description:
            "every translation of a statement: its language, who wrote it, the text (docs/translations.md)",
        moderator: true,
    },
    ExportFile {
        name: "graph.graphml",
        media_type: "application/graphml+xml",
        description: "the consensus map as a GraphML graph",
        moderator: false,
    },
    ExportFile {
        name: "graph.dot",
        media_type: "text/vnd.graphviz",
        description: "the consensus map as a Graphviz DOT graph",
        moderator: false,
    },
    ExportFile {
        name: "opinion-map.svg",
        media_type: "image/svg+xml",
        description: "the opinion map as SVG",
        moderator: false,
    },
    ExportFile {
        name: "consensus-map.svg",
        media_type: "image/svg+xml",
        description: "the consensus map as SVG",
        moderator: false,
    },
];

impl ExportFile {
    /// The HTTP `Content-Type`: text types declare UTF-8.
    pub fn content_type(&self) -> String {
        if self.media_type.starts_with("text/") {
            format!("{}; charset=utf-8", self.media_type)
        } else {
            self.media_type.to_string()
        }
    }
}

/// How many of [`EXPORT_FILES`] a moderator can download.
pub const MODERATOR_FILE_COUNT: usize = {
    let mut n = 0;
    let mut i = 0;
    while i < EXPORT_FILES.len() {
        if EXPORT_FILES[i].moderator {
            n += 1;
        }
        i += 1;
    }
    n
};

/// The names of the files a moderator can download, in list order.
pub const MODERATOR_FILES: [&str; MODERATOR_FILE_COUNT] = {
    let mut out = [""; MODERATOR_FILE_COUNT];
    let (mut i, mut j) = (0, 0);
    while i < EXPORT_FILES.len() {
        if EXPORT_FILES[i].moderator {
            out[j] = EXPORT_FILES[i].name;
            j += 1;
        }
        i += 1;
    }
    out
};

/// The export file named `name`, if there is one.
pub fn export_file(name: &str) -> Option<&'static ExportFile> {
    EXPORT_FILES.iter().find(|f| f.name == name)
}

/// The moderator's files as prose, "a, b … or z", for the OpenAPI text.
pub fn moderator_file_names() -> String {
    match MODERATOR_FILES.split_last() {
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// (file name, contents) in the order of [`EXPORT_FILES`]: the Pol.is CSVs, analysis.json,
/// the consensus graph as GraphML and DOT, and the two maps as SVG.
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

#[cfg(test)]
mod tests {
    use super::*;

    use crate::graph_export::tests::small_analysis;

    #[test]
    fn the_report_writes_every_listed_file_in_list_order() {
        let files = report_files(&PolisExport::default(), &small_analysis());
        let names: Vec<String> = files.into_iter().map(|(n, _)| n).collect();
        let listed: Vec<&str> = EXPORT_FILES.iter().map(|f| f.name).collect();
        assert_eq!(names, listed);
    }

    #[test]
    fn the_moderator_files_are_the_ones_write_outputs_writes() {
        let files = write_outputs(&PolisExport::default(), &small_analysis());
        let written: Vec<String> = files.into_iter().map(|(n, _)| n).collect();
        assert_eq!(written, MODERATOR_FILES);
    }

    #[test]
    fn moderator_file_names_read_as_a_list_ending_in_or() {
        assert_eq!(
            moderator_file_names(),
            "summary.csv, comments.csv, votes.csv, participants-votes.csv, comment-groups.csv, analysis.json, outcomes.csv or translations.csv"
        );
    }

    #[test]
    fn every_listed_file_has_a_media_type_and_a_description() {
        for f in EXPORT_FILES {
            assert!(f.media_type.contains('/'), "{f:?}");
            assert!(!f.description.is_empty(), "{f:?}");
            assert_eq!(export_file(f.name), Some(&f));
        }
        assert_eq!(
            export_file("votes.csv").map(|f| f.content_type()).as_deref(),
            Some("text/csv; charset=utf-8")
        );
        assert_eq!(
            export_file("analysis.json").map(|f| f.content_type()).as_deref(),
            Some("application/json")
        );
        assert_eq!(export_file("nothing.csv"), None);
    }
}
