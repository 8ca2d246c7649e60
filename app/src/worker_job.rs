//! The worker's side of the protocol: unpack files, analyse, build the report.
//! Compiled into the worker binary only (the page never links the zip reader).

use std::io::Read;

use mufakat_core::analysis::{AnalysisInput, AnalysisParams};
use mufakat_core::polis_csv::{PolisComment, PolisExport, PolisVote};
use mufakat_core::published::Start;
use mufakat_core::report_files::{fingerprint, report_files};

use crate::worker_protocol::{Report, Request, Response, StatementText, Step, StoredConversation};

/// Share of the work done when `step` starts, 0–1.
fn share(step: Step) -> f64 {
    match step {
        Step::Loading => 0.0,
        Step::Reducing => 0.2,
        Step::Clustering => 0.5,
        Step::Scoring => 0.65,
        Step::BuildingMap => 0.85,
    }
}

/// Unpacks the dropped files: zips are opened (deflate or stored) and their CSV and JSON
/// entries taken by base name; other files are passed as they are, for
/// [`mufakat_core::polis_csv::read_polis_files`] to sort (the CLI's rule too).
pub fn unpack_files(files: Vec<(String, Vec<u8>)>) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
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
                let inner_lower = inner.to_ascii_lowercase();
                if !(inner_lower.ends_with(".csv") || inner_lower.ends_with(".json"))
                    || inner.starts_with('.')
                {
                    continue;
                }
                let mut data = Vec::new();
                entry.read_to_end(&mut data).map_err(|e| format!("{name}/{inner}: {e}"))?;
                out.push((inner, data));
            }
        } else {
            let base = name.rsplit(['/', '\\']).next().unwrap_or(&name).to_string();
            out.push((base, bytes));
        }
    }
    Ok(out)
}

/// Reads the dropped files as one conversation, with the CLI's reader: every shape it
/// takes, and its one-line errors naming the file as dropped.
pub fn read_dropped(files: Vec<(String, Vec<u8>)>) -> Result<PolisExport, String> {
    let files = unpack_files(files)?;
    mufakat_core::polis_csv::read_polis_files(files, |_, bytes| Ok(bytes)).map_err(|e| match e {
        mufakat_core::polis_csv::ReadFilesError::Conflict(conflict) => {
            let (first, second) = (&conflict.names[0], &conflict.names[1]);
            format!(
                "{first} and {second} could both be the export's {}: drop the files of one export at a time",
                conflict.role
            )
        }
        e => e.to_string(),
    })
}

/// Builds the report of an export, calling `progress` at each step. `start`: a stored
/// conversation's imported start (`StoredConversation::start`), which its analysis begins
/// from, with its parameters, as the server's published runs do.
pub fn build_report(
    export: &PolisExport,
    seed: u64,
    start: Option<&Start>,
    progress: &mut dyn FnMut(Step),
) -> Result<Report, String> {
    let analysis = match start {
        Some(s) => export.analyse_from(&s.params, Some(&s.warm_start), &mut |st| progress(st.into())),
        // With Pol.is's math (math-pca2.json), the analysis continues from Pol.is's groups,
        // as `mufakat analyze` does.
        None => {
            export.analyse_with_progress(&AnalysisParams::default().seed(seed), &mut |s| progress(s.into()))
        }
    }
    .map_err(|e| e.to_string())?;
    let files = report_files(export, &analysis);
    let json = files.iter().find(|f| f.0 == "analysis.json").map(|f| f.1.as_str()).unwrap_or("");
    let languages: std::collections::HashMap<_, _> =
        export.translations.iter().map(|s| (s.statement, s)).collect();
    let mut statements: Vec<StatementText> = export
        .comments
        .iter()
        .map(|c| {
            let translated = languages.get(&c.id);
            StatementText {
                id: c.id,
                text: c.body.clone(),
                moderation: c.moderation,
                is_meta: c.is_meta,
                language: translated.map(|s| s.language.clone()).unwrap_or_default(),
                translations: translated.map(|s| s.translations.clone()).unwrap_or_default(),
            }
        })
        .collect();
    statements.sort_by_key(|s| s.id);
    let mut unlisted: Vec<_> =
        export.unlisted.iter().map(|s| s.id).filter(|id| statements.iter().all(|s| s.id != *id)).collect();
    unlisted.sort_unstable();
    unlisted.dedup();
    let polis_agreement = export.agreement_with_polis(&analysis);
    Ok(Report {
        fingerprint: fingerprint(json),
        analysis,
        statements,
        unlisted,
        summary: export.summary.clone(),
        notes: export.notes.clone(),
        files,
        worker_memory: 0,
        polis_agreement,
    })
}

/// A stored conversation as a Pol.is export, so its report has the moderator's export's
/// files (`server/src/export.rs`'s `dump_to_export`): the log's votes with their times,
/// the statements with their authors and times once fetched (docs/polis-export.md says
/// what a public report's files leave out).
pub fn conversation_export(c: StoredConversation) -> PolisExport {
    let origins: std::collections::HashMap<_, _> = c.origins.iter().map(|o| (o.id, o)).collect();
    let mut votes: Vec<PolisVote> = c
        .votes
        .into_iter()
        .map(|v| PolisVote {
            timestamp: None,
            statement: v.statement,
            participant: v.participant,
            vote: v.vote,
        })
        .collect();
    // Times come entry for entry; a shorter list (never sent) leaves the rest without.
    for (v, t) in votes.iter_mut().zip(&c.times) {
        v.timestamp = Some(*t);
    }
    PolisExport {
        summary: vec![
            ("topic".into(), c.title),
            ("url".into(), c.url),
            ("views".into(), c.participants.to_string()),
            ("conversation-description".into(), c.description),
        ],
        comments: c
            .statements
            .into_iter()
            .map(|s| {
                let origin = origins.get(&s.id);
                PolisComment {
                    timestamp: origin.map(|o| o.created_at),
                    datetime: None,
                    id: s.id,
                    author: origin.and_then(|o| o.author),
                    agrees: None,
                    disagrees: None,
                    moderation: s.moderation,
                    is_meta: s.is_meta,
                    is_seed: origin.is_some_and(|o| o.is_seed),
                    body: s.text,
                }
            })
            .collect(),
        unlisted: c.unlisted,
        votes,
        participants: Vec::new(),
        outcomes: c.outcomes,
        ..PolisExport::default()
    }
}

/// Handles one request, reporting progress through `send`; returns the final answer.
pub fn handle(request: Request, files: Vec<(String, Vec<u8>)>, send: &mut dyn FnMut(Response)) -> Response {
    let mut progress = |step: Step| {
        let share = share(step);
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
            let export = match read_dropped(files) {
                Ok(e) => e,
                Err(message) => return Response::Failed { message },
            };
            match build_report(&export, seed, None, &mut progress) {
                Ok(r) => Response::Report { report: Box::new(r) },
                Err(message) => Response::Failed { message },
            }
        }
        Request::Verify { votes } => {
            let Some((_, published)) = files.first() else {
                return Response::Failed { message: "no published analysis to verify".into() };
            };
            match mufakat_core::published::verify(published, &votes) {
                Ok(verdict) => Response::Verified { verdict },
                Err(e) => Response::Failed { message: e.to_string() },
            }
        }
        Request::Conversation { conversation, seed } => {
            let start = conversation.start.clone();
            let export = conversation_export(conversation);
            match build_report(&export, seed, start.as_ref(), &mut progress) {
                Ok(r) => Response::Report { report: Box::new(r) },
                Err(message) => Response::Failed { message },
            }
        }
        Request::Files { conversation, analysis_json } => {
            match mufakat_core::polis_csv::read_analysis_json(&analysis_json) {
                Ok(analysis) => {
                    Response::Files { files: report_files(&conversation_export(conversation), &analysis) }
                }
                Err(message) => Response::Failed { message },
            }
        }
    }
}
