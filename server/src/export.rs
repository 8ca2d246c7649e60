//! Stored conversations as Pol.is export files (`summary.csv`, `comments.csv`, `votes.csv`,
//! `participants-votes.csv`, `comment-groups.csv`), `analysis.json`, `outcomes.csv` and
//! `translations.csv`, written by
//! `mufakat_core::polis_csv`. The moderator's download (HTTP) and `mufakat export` (CLI) both
//! go through [`dump_to_export`], so they write the same bytes: every vote of the history
//! with its time in milliseconds, statements with theirs.

use mufakat_core::polis_csv::{self, PolisComment, PolisExport, PolisParticipant, PolisVote};
use mufakat_core::AnalysisParams;

use crate::error::AppError;
use crate::store::{ConversationDump, Store, StoreError};

/// The files a moderator can download, by name (`mufakat_core::report_files` lists them).
pub use mufakat_core::report_files::MODERATOR_FILES as FILES;

/// The named export file of a conversation, as (file name, contents), with the analysis the
/// CLI runs by default (seed 0).
pub async fn file(store: &Store, id: &str, name: &str) -> Result<(String, String), AppError> {
    if !FILES.contains(&name) {
        return Err(AppError::not_found("export file"));
    }
    let export = stored_export(store, id).await?;
    let (export, analysis) = tokio::task::spawn_blocking(move || {
        let a = export.analyse(&AnalysisParams::default().seed(0));
        (export, a)
    })
    .await
    .map_err(AppError::internal)?;
    let analysis = analysis.map_err(|e| {
        AppError::new(axum::http::StatusCode::CONFLICT, "no_analysis", format!("nothing to export yet: {e}"))
    })?;
    polis_csv::write_outputs(&export, &analysis)
        .into_iter()
        .find(|(n, _)| n == name)
        .ok_or_else(|| AppError::not_found("export file"))
}

/// A stored conversation as an export: [`dump_to_export`] with its public outcomes
/// (outcomes.csv, analysis.json).
pub async fn stored_export(store: &Store, id: &str) -> Result<PolisExport, StoreError> {
    let mut export = dump_to_export(&store.dump_conversation(id).await?);
    export.outcomes = store.outcomes(id).await?;
    Ok(export)
}

/// The stored conversation as a Pol.is export (current moderation, full vote history,
/// statement languages and translations).
pub fn dump_to_export(dump: &ConversationDump) -> PolisExport {
    let c = &dump.conversation.settings;
    PolisExport {
        summary: vec![
            ("topic".into(), c.title.clone()),
            ("url".into(), dump.source_url.clone().unwrap_or_default()),
            ("conversation-description".into(), c.description.clone()),
        ],
        comments: dump
            .statements
            .iter()
            .map(|s| PolisComment {
                timestamp: Some(s.created_at),
                datetime: None,
                id: s.id,
                author: s.author,
                agrees: None,
                disagrees: None,
                moderation: s.moderation,
                is_meta: s.is_meta,
                is_seed: s.is_seed,
                body: s.text.clone(),
            })
            .collect(),
        votes: dump
            .votes
            .iter()
            .map(|v| PolisVote {
                timestamp: Some(v.at),
                statement: v.statement,
                participant: v.participant,
                vote: v.vote,
            })
            .collect(),
        participants: dump
            .participants
            .iter()
            .map(|(id, xid)| PolisParticipant {
                participant: *id,
                xid: xid.clone(),
                group: None,
                votes: Vec::new(),
            })
            .collect(),
        translations: dump.translations.clone(),
        ..PolisExport::default()
    }
}
