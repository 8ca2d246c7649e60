//! "Verify in this browser": the server publishes its analysis of the vote log's first `seq`
//! entries (docs/published-analysis.md); this fetches it, recomputes it in the analysis Web
//! Worker from the log this page holds, and says whether the two are the same bytes
//! (`mufakat_core::published::verify`). The result is announced (role=status).

use leptos::prelude::*;
use leptos::task::spawn_local;
use mufakat_core::published::Verdict;
use mufakat_core::votelog::LogReplica;

use crate::client;
use crate::i18n::t;
use crate::worker_client::{AnalysisWorker, Request, Response};

#[derive(Clone, PartialEq)]
enum Check {
    Idle,
    Working,
    NothingPublished,
    Done(Verdict),
    Failed(String),
}

#[component]
pub fn VerifyPublished(conversation: String, log: StoredValue<LogReplica>) -> impl IntoView {
    let state = RwSignal::new(Check::Idle);
    let worker = StoredValue::new_local(None::<AnalysisWorker>);
    let conversation = StoredValue::new(conversation);
    let r = move || t().report;
    let start = move |_| {
        if state.get_untracked() == Check::Working {
            return;
        }
        state.set(Check::Working);
        spawn_local(async move {
            let id = conversation.get_value();
            let fail = |e: client::ApiError| state.set(Check::Failed(format!("{e:?}")));
            let head = match client::analysis_head(&id).await {
                Ok(h) => h,
                Err(e) => return fail(e),
            };
            let Some(seq) = head.published else { return state.set(Check::NothingPublished) };
            let bytes = match client::published_analysis(&id, seq).await {
                Ok(Some(b)) => b,
                // Replaced by a newer one between the two requests: the next click takes it.
                Ok(None) => return state.set(Check::NothingPublished),
                Err(e) => return fail(e),
            };
            if let Err(e) = client::sync_log(&id, log, None).await {
                return fail(e);
            }
            let votes = log.with_value(|l| l.entries[..(seq as usize).min(l.entries.len())].to_vec());
            let spawned = AnalysisWorker::spawn(move |answer| match answer {
                Response::Verified { verdict } => {
                    state.set(Check::Done(verdict));
                    worker.set_value(None);
                }
                Response::Failed { message } => {
                    state.set(Check::Failed(message));
                    worker.set_value(None);
                }
                _ => {}
            });
            match spawned {
                Ok(w) => {
                    w.send(&Request::Verify { votes }, vec![("published".into(), bytes)]);
                    worker.set_value(Some(w));
                }
                Err(e) => state.set(Check::Failed(e)),
            }
        });
    };
    let outcome = move || match state.get() {
        Check::Idle => ("idle", String::new()),
        Check::Working => ("working", r().verify_working.to_string()),
        Check::NothingPublished => ("none", r().verify_none.to_string()),
        Check::Done(Verdict::Matches { seq, bytes }) => ("match", (r().verify_match)(seq, bytes)),
        Check::Done(Verdict::Differs { seq, at, .. }) => ("differs", (r().verify_differs)(seq, at)),
        Check::Failed(e) => ("failed", (r().verify_failed)(&e)),
    };
    view! {
        <section class="report-section verify" aria-labelledby="verify-heading" data-testid="verify">
            <h2 id="verify-heading">{move || r().verify_heading}</h2>
            <p class="muted">{move || r().verify_intro}</p>
            <button type="button" class="button" data-testid="verify-button" on:click=start
                disabled=move || state.get() == Check::Working>
                {move || r().verify_button}
            </button>
            <p role="status" aria-live="polite" data-testid="verify-result"
                class=move || format!("verify-result {}", outcome().0)
                data-outcome=move || outcome().0>
                {move || outcome().1}
            </p>
        </section>
    }
}
