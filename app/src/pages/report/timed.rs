//! A stored conversation's export files that need what the page does not load for its
//! report: when each vote was cast (`…/log/{segment}/times`) and who wrote each statement
//! (`GET …/statements`). They are fetched on the first download of such a file, not on
//! page load, and the files built again in the analysis worker from the report's
//! analysis.json (no second analysis); then votes.csv, comments.csv and participants-votes.csv are the
//! moderator's export's, byte for byte (docs/polis-export.md, "The report page").

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use mufakat_core::api::StatementOrigins;

use super::downloads::save_text;
use crate::client::{self, conversation_url};
use crate::i18n::t;
use crate::worker_client::{AnalysisWorker, Report, Request, Response, StoredConversation};

/// The files that differ once times and authors are known.
pub const TIMED_FILES: [&str; 4] = ["summary.csv", "comments.csv", "votes.csv", "participants-votes.csv"];

#[derive(Clone, PartialEq)]
enum State {
    Idle,
    Working,
    Ready,
    Failed(String),
}

/// Provided by `/r/<id>` as context; the report's download buttons ask it for the
/// [`TIMED_FILES`].
#[derive(Clone, Copy)]
pub struct TimedFiles {
    /// The conversation id and what the report was built from (no times, no authors).
    source: StoredValue<Option<(String, StoredConversation)>>,
    files: StoredValue<Vec<(String, String)>>,
    state: RwSignal<State>,
    worker: StoredValue<Option<AnalysisWorker>, LocalStorage>,
}

impl TimedFiles {
    pub fn provide() -> TimedFiles {
        let t = TimedFiles {
            source: StoredValue::new(None),
            files: StoredValue::new(Vec::new()),
            state: RwSignal::new(State::Idle),
            worker: StoredValue::new_local(None),
        };
        provide_context(t);
        t
    }

    /// What the report of conversation `id` is being built from.
    pub fn set_source(self, id: String, conversation: StoredConversation) {
        self.source.set_value(Some((id, conversation)));
        self.files.set_value(Vec::new());
        self.state.set(State::Idle);
    }

    /// Saves `name` with times and authors: at once when they are here, else after
    /// fetching them (the first such download of the page).
    pub fn download(self, name: String, report: Arc<Report>) {
        let ready = self.files.with_value(|f| f.iter().find(|(n, _)| *n == name).map(|(_, c)| c.clone()));
        if let Some(contents) = ready {
            return save_text(&name, &contents);
        }
        if self.state.get_untracked() == State::Working {
            return;
        }
        let Some((id, mut conversation)) = self.source.get_value() else { return };
        self.state.set(State::Working);
        spawn_local(async move {
            let origins = client::get::<StatementOrigins>(&conversation_url(&id, "/statements"), None).await;
            let times = client::log_times(&id, conversation.votes.len() as u64).await;
            let (origins, times) = match (origins, times) {
                (Ok(o), Ok(t)) => (o, t),
                (Err(e), _) | (_, Err(e)) => return self.state.set(State::Failed(format!("{e:?}"))),
            };
            conversation.times = times;
            conversation.origins = origins.statements;
            let analysis_json = report
                .files
                .iter()
                .find(|(n, _)| n == "analysis.json")
                .map(|(_, c)| c.clone())
                .unwrap_or_default();
            let request = Request::Files { conversation, analysis_json };
            let spawned = AnalysisWorker::spawn(move |answer| match answer {
                Response::Files { files } => {
                    if let Some((_, contents)) = files.iter().find(|(n, _)| *n == name) {
                        save_text(&name, contents);
                    }
                    self.files.set_value(files);
                    self.state.set(State::Ready);
                    self.worker.set_value(None);
                }
                Response::Failed { message } => {
                    self.state.set(State::Failed(message));
                    self.worker.set_value(None);
                }
                _ => {}
            });
            match spawned {
                Ok(w) => {
                    w.send(&request, Vec::new());
                    self.worker.set_value(Some(w));
                }
                Err(e) => self.state.set(State::Failed(e)),
            }
        });
    }

    pub fn busy(self) -> bool {
        self.state.get() == State::Working
    }
}

/// What fetching the times is doing, for screen readers and everyone.
#[component]
pub fn TimedStatus(timed: TimedFiles) -> impl IntoView {
    let text = move || match timed.state.get() {
        State::Idle => String::new(),
        State::Working => t().report.times_working.to_string(),
        State::Ready => t().report.times_ready.to_string(),
        State::Failed(e) => (t().report.times_failed)(&e),
    };
    let outcome = move || match timed.state.get() {
        State::Idle => "idle",
        State::Working => "working",
        State::Ready => "ready",
        State::Failed(_) => "failed",
    };
    view! {
        <p class="muted" role="status" aria-live="polite" data-testid="timed-status" data-state=outcome>{text}</p>
    }
}
