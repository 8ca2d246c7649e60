//! Messages between the page and the analysis Web Worker, and the work the worker does.
//!
//! Shared by the app (`worker_client`) and the worker binary (`bin/analysis_worker.rs`).
//! Requests and responses travel as JSON strings; imported files travel as raw bytes
//! next to the request, so a zip or a CSV is never copied through JSON.

use std::collections::BTreeMap;
use std::io::Read;

use mufakat_core::analysis::{Analysis, AnalysisInput, AnalysisParams, Stage, StatementMeta};
use mufakat_core::model::{Moderation, StatementId, VoteRecord};
use mufakat_core::polis_csv::{PolisComment, PolisExport, PolisVote};
use mufakat_core::report_files::{fingerprint, report_files};
use serde::{Deserialize, Serialize};

/// A statement's words and flags, for a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatementText {
    pub id: StatementId,
    pub text: String,
    pub moderation: Moderation,
    pub is_meta: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Request {
    /// Analyse votes only (any page): answers `Analysed`.
    Analyse { votes: Vec<VoteRecord>, statements: Vec<StatementMeta>, seed: u64 },
    /// Analyse imported Pol.is files (CSV or zip, bytes follow the request): answers `Report`.
    Import { names: Vec<String>, seed: u64 },
    /// Analyse a stored conversation and build its report: answers `Report`.
    Conversation {
        title: String,
        description: String,
        statements: Vec<StatementText>,
        votes: Vec<VoteRecord>,
        seed: u64,
    },
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

impl Step {
    /// Share of the work done when this step starts, 0–1.
    pub fn share(self) -> f64 {
        match self {
            Step::Loading => 0.0,
            Step::Reducing => 0.2,
            Step::Clustering => 0.5,
            Step::Scoring => 0.65,
            Step::BuildingMap => 0.85,
        }
    }
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
    /// summary.csv's key/value rows (topic, url, description, …).
    pub summary: Vec<(String, String)>,
    /// Export files (name, contents), identical to `mufakat analyze --out`.
    pub files: Vec<(String, String)>,
    /// Fingerprint of analysis.json, to compare with the CLI.
    pub fingerprint: String,
}

impl Report {
    pub fn summary_value(&self, key: &str) -> Option<&str> {
        self.summary.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
    pub fn text(&self, id: StatementId) -> Option<&StatementText> {
        self.statements.iter().find(|s| s.id == id)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Response {
    Ready,
    Progress { step: Step, share: f64 },
    Analysed { analysis: Box<Analysis> },
    Report { report: Box<Report> },
    Failed { message: String },
}

/// Unpacks the dropped files into CSV texts by base name; zips are opened (deflate or stored).
pub fn collect_files(files: Vec<(String, Vec<u8>)>) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    for (name, bytes) in files {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".zip") {
            let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
                .map_err(|e| format!("{name}: not a readable zip file ({e})"))?;
            for i in 0..archive.len() {
                let mut entry = archive.by_index(i).map_err(|e| format!("{name}: {e}"))?;
                if entry.is_dir() {
                    continue;
                }
                let inner = entry.name().rsplit('/').next().unwrap_or("").to_string();
                if !inner.to_ascii_lowercase().ends_with(".csv") || inner.starts_with("._") {
                    continue;
                }
                let mut data = Vec::new();
                entry.read_to_end(&mut data).map_err(|e| format!("{name}/{inner}: {e}"))?;
                out.insert(inner, String::from_utf8_lossy(&data).into_owned());
            }
        } else {
            let base = name.rsplit(['/', '\\']).next().unwrap_or(&name).to_string();
            out.insert(base, String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    Ok(out)
}

/// Builds the report of an export, calling `progress` at each step.
pub fn build_report(
    export: &PolisExport,
    seed: u64,
    progress: &mut dyn FnMut(Step),
) -> Result<Report, String> {
    let votes = export.vote_records();
    let metas = export.statement_meta();
    let params = AnalysisParams::default().seed(seed);
    let input = AnalysisInput { votes: &votes, statements: &metas };
    let analysis = mufakat_core::analyse_with_progress(&input, &params, None, &mut |s| progress(s.into()))
        .map_err(|e| e.to_string())?;
    let files = report_files(export, &analysis);
    let json = files.iter().find(|f| f.0 == "analysis.json").map(|f| f.1.as_str()).unwrap_or("");
    let mut statements: Vec<StatementText> = export
        .comments
        .iter()
        .map(|c| StatementText {
            id: c.id,
            text: c.body.clone(),
            moderation: c.moderation,
            is_meta: c.is_meta,
        })
        .collect();
    statements.sort_by_key(|s| s.id);
    Ok(Report {
        fingerprint: fingerprint(json),
        analysis,
        statements,
        summary: export.summary.clone(),
        files,
    })
}

/// A stored conversation as a Pol.is export, so its report has the same files.
pub fn conversation_export(
    title: String,
    description: String,
    statements: Vec<StatementText>,
    votes: Vec<VoteRecord>,
) -> PolisExport {
    PolisExport {
        summary: vec![
            ("topic".into(), title),
            ("url".into(), String::new()),
            ("conversation-description".into(), description),
        ],
        comments: statements
            .into_iter()
            .map(|s| PolisComment {
                timestamp: None,
                datetime: None,
                id: s.id,
                author: None,
                agrees: None,
                disagrees: None,
                moderation: s.moderation,
                is_meta: s.is_meta,
                is_seed: false,
                body: s.text,
            })
            .collect(),
        votes: votes
            .into_iter()
            .map(|v| PolisVote {
                timestamp: None,
                statement: v.statement,
                participant: v.participant,
                vote: v.vote,
            })
            .collect(),
        participants: Vec::new(),
    }
}

/// Handles one request, reporting progress through `send`; returns the final answer.
pub fn handle(request: Request, files: Vec<(String, Vec<u8>)>, send: &mut dyn FnMut(Response)) -> Response {
    let mut progress = |step: Step| {
        let share = step.share();
        send(Response::Progress { step, share });
    };
    progress(Step::Loading);
    match request {
        Request::Analyse { votes, statements, seed } => {
            let params = AnalysisParams::default().seed(seed);
            let input = AnalysisInput { votes: &votes, statements: &statements };
            match mufakat_core::analyse_with_progress(&input, &params, None, &mut |s| progress(s.into())) {
                Ok(a) => Response::Analysed { analysis: Box::new(a) },
                Err(e) => Response::Failed { message: e.to_string() },
            }
        }
        Request::Import { seed, .. } => {
            let texts = match collect_files(files) {
                Ok(t) => t,
                Err(message) => return Response::Failed { message },
            };
            let export = match PolisExport::from_files(|n| texts.get(n).cloned()) {
                Ok(e) => e,
                Err(e) => return Response::Failed { message: e.to_string() },
            };
            match build_report(&export, seed, &mut progress) {
                Ok(r) => Response::Report { report: Box::new(r) },
                Err(message) => Response::Failed { message },
            }
        }
        Request::Conversation { title, description, statements, votes, seed } => {
            let export = conversation_export(title, description, statements, votes);
            match build_report(&export, seed, &mut progress) {
                Ok(r) => Response::Report { report: Box::new(r) },
                Err(message) => Response::Failed { message },
            }
        }
    }
}
