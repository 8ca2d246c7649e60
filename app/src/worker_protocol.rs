//! Messages between the page and the analysis Web Worker, and the work the worker does.
//!
//! Shared by the app (`worker_client`) and the worker binary (`bin/analysis_worker.rs`).
//! Requests and responses travel as JSON strings; imported files travel as raw bytes
//! next to the request, so a zip or a CSV is never copied through JSON.

use mufakat_core::analysis::{Analysis, Stage, StatementMeta};
use mufakat_core::model::{Moderation, StatementId, VoteRecord};
use serde::{Deserialize, Serialize};

/// A statement's words and flags, for a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatementText {
    pub id: StatementId,
    pub text: String,
    pub moderation: Moderation,
    pub is_meta: bool,
    /// The original's language and its translations, from a dropped export's
    /// translations.csv (empty without one), so `/report` shows it in the reader's language.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub language: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub translations: Vec<mufakat_core::api::translations::Translation>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Request {
    /// Analyse votes only (any page): answers `Analysed`.
    Analyse { votes: Vec<VoteRecord>, statements: Vec<StatementMeta>, seed: u64 },
    /// Analyse imported Pol.is files (CSV or zip, bytes follow the request): answers `Report`.
    Import { names: Vec<String>, seed: u64 },
    /// Recompute the published analysis (its bytes follow the request) from the vote log's
    /// `votes` (at least its `seq` first entries) and compare byte for byte: answers `Verified`.
    Verify { votes: Vec<VoteRecord> },
    /// Analyse a stored conversation and build its report: answers `Report`.
    Conversation { conversation: StoredConversation, seed: u64 },
    /// The export files of a stored conversation whose analysis is done, now with the vote
    /// times and statement authors: answers `Files`. The analysis travels as the report's
    /// analysis.json (read back exactly), so the participant page, which shares this
    /// protocol, links no serializer of an `Analysis`.
    Files { conversation: StoredConversation, analysis_json: String },
}

/// A stored conversation as the report page (`/r/<id>`) reads it from the public API, for
/// its report and export files (`worker_job::conversation_export`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StoredConversation {
    pub title: String,
    pub description: String,
    /// summary.csv's `url`: the conversation's public link.
    pub url: String,
    /// Participants the server counts (everyone who joined): summary.csv's `views`.
    pub participants: u32,
    pub statements: Vec<StatementText>,
    /// The statements participants do not see (rejected, meta, unmoderated under strict
    /// moderation), known by their flags only: the published analysis's head lists every
    /// statement as the server analyses it (`GET …/analysis`), and the report analyses them
    /// the same way without their words, which are not public
    /// ([`mufakat_core::polis_csv::PolisExport::unlisted`]).
    #[serde(default)]
    pub unlisted: Vec<StatementMeta>,
    /// Where every run of a conversation imported with Pol.is's math starts
    /// (`AnalysisHead::started`), from the published document, so the report's groups are
    /// the published analysis's; `None` for a cold start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<mufakat_core::published::Start>,
    /// The vote log, in arrival order.
    pub votes: Vec<VoteRecord>,
    /// The public outcomes, for outcomes.csv and analysis.json.
    #[serde(default)]
    pub outcomes: Vec<mufakat_core::api::outcomes::Outcome>,
    /// When each vote of `votes` was cast (epoch ms), entry for entry (`…/log/{segment}/times`);
    /// empty until a download needs them.
    #[serde(default)]
    pub times: Vec<i64>,
    /// Who wrote each statement and when (`GET …/statements`); empty until a download
    /// needs them.
    #[serde(default)]
    pub origins: Vec<mufakat_core::api::StatementOrigin>,
}

/// Stages as the page names them; `loading` is reading and parsing the votes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Loading,
    Reducing,
    Clustering,
    Scoring,
    BuildingMap,
}

impl From<Stage> for Step {
    fn from(s: Stage) -> Step {
        match s {
            Stage::Reducing => Step::Reducing,
            Stage::Clustering => Step::Clustering,
            Stage::Scoring => Step::Scoring,
            Stage::BuildingMap => Step::BuildingMap,
        }
    }
}

/// Everything the report page shows and offers for download.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub analysis: Analysis,
    pub statements: Vec<StatementText>,
    /// Statements the analysis lists whose words the report does not have because they are
    /// not public (a stored conversation's rejected, meta or unmoderated ones): the page
    /// says so where it lists one, instead of showing no words.
    #[serde(default)]
    pub unlisted: Vec<StatementId>,
    /// summary.csv's key/value rows (topic, url, description, …).
    pub summary: Vec<(String, String)>,
    /// What the dropped files did not say and the reader assumed ([`PolisExport::notes`]).
    ///
    /// [`PolisExport::notes`]: mufakat_core::polis_csv::PolisExport::notes
    #[serde(default)]
    pub notes: Vec<String>,
    /// Export files (name, contents), identical to `mufakat analyze --out`.
    pub files: Vec<(String, String)>,
    /// Fingerprint of analysis.json, to compare with the CLI.
    pub fingerprint: String,
    /// The worker's wasm memory when the report was done, in bytes (for benchmarks).
    #[serde(default)]
    pub worker_memory: u64,
    /// Our groups against the ones Pol.is recorded in the export (participants-votes.csv
    /// `group-id`), when it has them: the same figures as `mufakat analyze` prints.
    #[serde(default)]
    pub polis_agreement: Option<mufakat_core::polis_csv::PolisAgreement>,
}

impl Report {
    pub fn summary_value(&self, key: &str) -> Option<&str> {
        self.summary.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
    pub fn text(&self, id: StatementId) -> Option<&StatementText> {
        self.statements.iter().find(|s| s.id == id)
    }
    /// The statement's words are not public (see [`Report::unlisted`]).
    pub fn is_unlisted(&self, id: StatementId) -> bool {
        self.unlisted.contains(&id)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Response {
    Ready,
    Progress {
        step: Step,
        share: f64,
    },
    Analysed {
        analysis: Box<Analysis>,
    },
    Report {
        report: Box<Report>,
    },
    Verified {
        verdict: mufakat_core::published::Verdict,
    },
    /// Export files (name, contents), as [`Report::files`].
    Files {
        files: Vec<(String, String)>,
    },
    Failed {
        message: String,
    },
}
