//! The analyst report: `/report` analyses a Pol.is export dropped into the page, `/r/<id>`
//! a stored conversation. The analysis runs in the analysis Web Worker
//! (`worker_client`), so the page stays responsive; nothing imported is uploaded.

mod downloads;
mod import;
mod map;
mod sections;
mod timed;
mod verify;

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use mufakat_core::analysis::StatementMeta;
use mufakat_core::api::admin::GroupDemographics;
use mufakat_core::api::{ConversationView, StatementView};
use mufakat_core::published::Start;
use mufakat_core::votelog::LogReplica;

use crate::client::{self, conversation_url};
use crate::components::outcome_list::{self, OutcomeList};
use crate::i18n::{t, Catalogue};
use crate::worker_client::{
    AnalysisWorker, Report, Request, Response, StatementText, Step, StoredConversation,
};

pub use import::ImportPage;

/// The seed of every report: the CLI's default, so both give the same files.
pub const SEED: u64 = 0;

/// What a report page is doing: its progress, failure or finished report.
#[derive(Clone, Copy)]
pub struct Run {
    pub progress: RwSignal<Option<(Step, f64)>>,
    pub error: RwSignal<Option<String>>,
    pub report: RwSignal<Option<Arc<Report>>>,
    worker: StoredValue<Option<AnalysisWorker>, LocalStorage>,
}

impl Run {
    pub fn new() -> Run {
        Run {
            progress: RwSignal::new(None),
            error: RwSignal::new(None),
            report: RwSignal::new(None),
            worker: StoredValue::new_local(None),
        }
    }

    /// Sends `request` to a fresh worker; progress and the result land in the signals.
    pub fn start(self, request: Request, files: Vec<(String, Vec<u8>)>) {
        self.report.set(None);
        self.error.set(None);
        self.progress.set(Some((Step::Loading, 0.0)));
        let spawned = AnalysisWorker::spawn(move |r| match r {
            Response::Progress { step, share } => self.progress.set(Some((step, share))),
            Response::Report { report } => {
                self.progress.set(None);
                self.report.set(Some(Arc::new(*report)));
                self.worker.set_value(None);
            }
            Response::Failed { message } => {
                self.progress.set(None);
                self.error.set(Some(message));
                self.worker.set_value(None);
            }
            Response::Analysed { .. }
            | Response::Verified { .. }
            | Response::Files { .. }
            | Response::Ready => {}
        });
        match spawned {
            Ok(w) => {
                w.send(&request, files);
                self.worker.set_value(Some(w));
            }
            Err(e) => {
                self.progress.set(None);
                self.error.set(Some(e));
            }
        }
    }
}

pub fn step_name(c: &Catalogue, step: Step) -> &'static str {
    match step {
        Step::Loading => c.report.step_loading,
        Step::Reducing => c.report.step_reducing,
        Step::Clustering => c.report.step_clustering,
        Step::Scoring => c.report.step_scoring,
        Step::BuildingMap => c.report.step_building_map,
    }
}

/// The stage and share done, as text and a progress bar.
#[component]
pub fn Progress(run: Run) -> impl IntoView {
    move || {
        run.progress.get().map(|(step, share)| {
            let pct = (share * 100.0).round() as u32;
            view! {
                <div class="report-progress" role="status" data-testid="report-progress" data-step=format!("{step:?}")>
                    <p>{move || (t().report.progress)(step_name(t(), step), pct)}</p>
                    <progress max="100" value=pct.to_string()></progress>
                </div>
            }
        })
    }
}

#[component]
pub fn Failure(run: Run) -> impl IntoView {
    move || {
        run.error.get().map(|message| {
            view! {
                <div class="report-error" role="alert" data-testid="report-error">
                    <p><strong>{move || t().report.failed}</strong></p>
                    <pre>{message}</pre>
                </div>
            }
        })
    }
}

/// The conversation's public link (its participant page), summary.csv's `url` in the
/// report's files.
fn public_link(id: &str) -> String {
    let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
    format!("{origin}/c/{id}")
}

/// The statements of a stored conversation's report: the ones participants see, with their
/// words, and every other one the server's analysis takes (`AnalysisHead::statements`:
/// rejected, meta, unmoderated under strict moderation) by its flags alone, since its words
/// are not public. The flags of both come from the head, as the published analysis's do.
fn analysed_statements(
    shown: Vec<StatementView>,
    analysed: Vec<StatementMeta>,
) -> (Vec<StatementText>, Vec<StatementMeta>) {
    let flags = |id| analysed.iter().find(|m| m.id == id);
    let statements: Vec<StatementText> = shown
        .into_iter()
        .map(|s| {
            let f = flags(s.id);
            StatementText {
                id: s.id,
                moderation: f.map_or(s.moderation, |m| m.moderation),
                is_meta: f.is_some_and(|m| m.is_meta),
                text: s.text,
                language: String::new(),
                translations: Vec::new(),
            }
        })
        .collect();
    let unlisted = analysed
        .iter()
        .filter(|m| statements.iter().all(|s| s.id != m.id))
        .map(|m| StatementMeta { author: None, ..*m })
        .collect();
    (statements, unlisted)
}

/// `/r/<id>`: the report of a stored conversation.
#[component]
pub fn StoredReportPage() -> impl IntoView {
    let params = use_params_map();
    crate::pages::document_title(move || {
        format!("{} · {}", t().report.report_title, params.with(|p| p.get("id").unwrap_or_default()))
    });
    let run = Run::new();
    let demographics = RwSignal::new(None::<GroupDemographics>);
    // The whole vote log, in arrival order, as the CLI reads an export; kept for the check of
    // the server's published analysis.
    let log = StoredValue::new(LogReplica::default());
    let outcomes = RwSignal::new(Vec::new());
    let missing = RwSignal::new(false);
    // The conversation holds Pol.is data: the report carries its CC BY 4.0 attribution.
    let from_polis = RwSignal::new(false);
    // The exports keep each statement's original; the page shows the reader's language.
    let translated = sections::Translated::provide();
    // votes.csv and the other files with times and authors, fetched on their first download.
    let timed = timed::TimedFiles::provide();
    Effect::new(move |_| {
        let id = params.with(|p| p.get("id").unwrap_or_default());
        spawn_local(async move {
            outcomes.set(outcome_list::load(&id).await);
            // Moderators also get the groups' demographic answers (counted by the server);
            // anyone else would be refused (so is not asked), and the report goes on without them.
            if client::was_moderator() {
                let rest = format!("/conversations/{id}/demographics");
                demographics.set(client::admin::<(), GroupDemographics>("GET", &rest, None).await.ok());
            }
            let conversation = client::get::<ConversationView>(&conversation_url(&id, ""), None).await;
            let c = match conversation {
                Ok(c) => c,
                // The page's own "not found", in the reader's language (the catalogue read
                // here, outside the page's owner, was always English).
                Err(e) if e.status() == Some(404) => {
                    missing.set(true);
                    return;
                }
                Err(e) => {
                    run.error.set(Some(format!("{e:?}")));
                    return;
                }
            };
            // Every statement as the server's analysis takes it (rejected and meta ones too,
            // without their words), so the report's groups are the published analysis's.
            let head = match client::analysis_head(&id).await {
                Ok(h) => h,
                Err(e) => {
                    run.error.set(Some(format!("{e:?}")));
                    return;
                }
            };
            // A conversation imported with Pol.is's math: the server's every run begins from
            // the start its published document carries, and so does this one (without it,
            // should the document be gone, the report starts cold).
            let start = match (head.started, head.published) {
                (true, Some(seq)) => match client::published_analysis(&id, seq).await {
                    Ok(Some(bytes)) => mufakat_core::published::read(&bytes)
                        .ok()
                        .and_then(|doc| doc.start.map(|warm_start| Start { params: doc.params, warm_start })),
                    _ => None,
                },
                _ => None,
            };
            if let Err(e) = client::sync_log(&id, log, None).await {
                run.error.set(Some(format!("{e:?}")));
                return;
            }
            let votes = log.with_value(|l| l.entries.clone());
            translated.set(&c.statements);
            from_polis.set(c.from_polis);
            let (statements, unlisted) = analysed_statements(c.statements, head.statements);
            let conversation = StoredConversation {
                title: c.title,
                description: c.description,
                url: public_link(&id),
                participants: c.participants,
                statements,
                unlisted,
                start,
                votes,
                outcomes: outcomes.get_untracked(),
                times: Vec::new(),
                origins: Vec::new(),
            };
            timed.set_source(id, conversation.clone());
            run.start(Request::Conversation { conversation, seed: SEED }, Vec::new());
        });
    });
    view! {
        <Show when=move || missing.get()>
            <super::NotFound/>
        </Show>
        <section class="report" data-testid="stored-report" hidden=move || missing.get()>
            <Progress run/>
            <Failure run/>
            {move || run.report.get().map(|r| {
                let d = demographics.get_untracked();
                let id = params.with_untracked(|p| p.get("id").unwrap_or_default());
                let polis = from_polis.get_untracked();
                let report = match d {
                    Some(d) => view! { <sections::ReportView report=r demographics=d from_polis=polis/> }.into_any(),
                    None => view! { <sections::ReportView report=r from_polis=polis/> }.into_any(),
                };
                view! { {report} <verify::VerifyPublished conversation=id log/> }
            })}
            <Show when=move || outcomes.with(|o| !o.is_empty())>
                <section class="report-outcomes" aria-labelledby="report-outcomes-heading" data-testid="report-outcomes">
                    <h2 id="report-outcomes-heading">{move || t().outcomes.heading}</h2>
                    <OutcomeList outcomes=outcomes/>
                    <p class="outcomes-feed">
                        <a href=move || conversation_url(&params.with(|p| p.get("id").unwrap_or_default()), "/outcomes.atom")
                            type="application/atom+xml">{move || t().outcomes.feed_link}</a>
                    </p>
                </section>
            </Show>
        </section>
    }
}
