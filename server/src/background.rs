//! Background work, off the request path: `votes` live events a few times a second for
//! conversations that received votes, and the periodic analysis whose per-statement
//! priorities drive routing (`mufakat_core::routing`). On PostgreSQL the refresh also
//! re-reads counts, so that votes taken by other processes show up.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mufakat_core::api::events::LiveEvent;
use mufakat_core::{analyse, AnalysisInput, AnalysisParams, StatementMeta};

use crate::app::AppState;
use crate::live::ConvState;

/// How often `votes` events may go out per conversation.
const VOTES_EVENT_EVERY: Duration = Duration::from_millis(250);

pub fn spawn(st: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(VOTES_EVENT_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_analysis = Instant::now();
        loop {
            tick.tick().await;
            for conv in st.live.all() {
                if conv.votes_dirty.swap(false, Ordering::Relaxed) {
                    let t = conv.totals();
                    st.hub
                        .publish(&conv.id, LiveEvent::Votes { participants: t.participants, votes: t.votes })
                        .await;
                }
            }
            if last_analysis.elapsed() >= st.limits.analysis_every {
                last_analysis = Instant::now();
                for conv in st.live.all() {
                    let changed = conv.votes_since_analysis.swap(0, Ordering::Relaxed) > 0;
                    if changed || st.store.pg_pool().is_some() {
                        if let Err(e) = refresh(&st, &conv).await {
                            tracing::warn!(conversation = %conv.id, error = %e, "refresh failed");
                        }
                    }
                }
            }
        }
    })
}

/// Re-reads the conversation and recomputes routing priorities from a full analysis,
/// run on the blocking pool.
async fn refresh(st: &AppState, conv: &Arc<ConvState>) -> anyhow::Result<()> {
    let mark = conv.mark();
    let reloads = conv.reloads();
    let c = st.store.conversation(&conv.id).await?;
    let statements = st.store.statements(&conv.id).await?;
    let totals = st.store.totals(&conv.id).await?;
    let votes = st.store.votes(&conv.id).await?;
    let metas: Vec<StatementMeta> = statements
        .iter()
        .map(|s| StatementMeta { id: s.id, moderation: s.moderation, is_meta: s.is_meta, author: s.author })
        .collect();
    conv.refresh_unless_reloaded(reloads, mark, c, statements, totals);
    if votes.is_empty() {
        return Ok(());
    }
    let priorities = tokio::task::spawn_blocking(move || -> anyhow::Result<HashMap<_, _>> {
        let records = votes.records()?;
        let input = AnalysisInput { votes: &records, statements: &metas };
        let analysis = analyse(&input, &AnalysisParams::default(), None)?;
        Ok(analysis.statements.iter().map(|s| (s.id, s.priority)).collect())
    })
    .await??;
    conv.set_priorities(priorities);
    Ok(())
}
