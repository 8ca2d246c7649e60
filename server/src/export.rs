//! Moderator exports: the Pol.is export files (`summary.csv`, `comments.csv`, `votes.csv`,
//! `participants-votes.csv`, `comment-groups.csv`) and `analysis.json`, written by
//! `mufakat_core::polis_csv` from the store's current votes and a fresh analysis.

use std::collections::BTreeMap;

use mufakat_core::polis_csv::{self, PolisComment, PolisExport, PolisParticipant, PolisVote};
use mufakat_core::AnalysisParams;

use crate::error::AppError;
use crate::store::Store;

/// The named export file of a conversation, as (file name, contents).
pub async fn file(store: &Store, id: &str, name: &str) -> Result<(String, String), AppError> {
    const FILES: [&str; 6] = [
        "summary.csv",
        "comments.csv",
        "votes.csv",
        "participants-votes.csv",
        "comment-groups.csv",
        "analysis.json",
    ];
    if !FILES.contains(&name) {
        return Err(AppError::not_found("export file"));
    }
    let c = store.conversation(id).await?;
    let statements = store.statements(id).await?;
    let votes = store.votes(id).await?.records().map_err(AppError::internal)?;
    let mut by_participant: BTreeMap<u32, Vec<_>> = BTreeMap::new();
    for v in &votes {
        by_participant.entry(v.participant).or_default().push((v.statement, v.vote));
    }
    let export = PolisExport {
        summary: vec![("topic".into(), c.title.clone()), ("conversation-description".into(), c.description)],
        comments: statements
            .iter()
            .map(|s| PolisComment {
                timestamp: Some(s.created_at_ms / 1000),
                datetime: None,
                id: s.id,
                author: s.author,
                agrees: Some(s.counts.agree),
                disagrees: Some(s.counts.disagree),
                moderation: s.moderation,
                is_meta: s.is_meta,
                is_seed: s.is_seed,
                body: s.text.clone(),
            })
            .collect(),
        votes: votes
            .iter()
            .map(|v| PolisVote {
                timestamp: None,
                statement: v.statement,
                participant: v.participant,
                vote: v.vote,
            })
            .collect(),
        participants: by_participant
            .into_iter()
            .map(|(participant, votes)| PolisParticipant { participant, xid: None, group: None, votes })
            .collect(),
    };
    let analysis = tokio::task::spawn_blocking(move || {
        let a = export.analyse(&AnalysisParams::default());
        (export, a)
    })
    .await
    .map_err(AppError::internal)?;
    let (export, analysis) = analysis;
    let analysis = analysis.map_err(|e| {
        AppError::new(axum::http::StatusCode::CONFLICT, "no_analysis", format!("nothing to export yet: {e}"))
    })?;
    polis_csv::write_outputs(&export, &analysis)
        .into_iter()
        .find(|(n, _)| n == name)
        .ok_or_else(|| AppError::not_found("export file"))
}
