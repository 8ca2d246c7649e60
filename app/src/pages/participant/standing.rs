//! "Where you stand": once the participant has voted on enough statements to be placed
//! (min(7, statements), polis-math A.3), the page fetches the conversation's vote log (once,
//! then only the new entries: `client::sync_log`), runs mufakat-core's analysis in the
//! browser (wasm) on the whole log in arrival order and shows the opinion map with "you are
//! here", the participant's group, what that group agrees on more than others, and what
//! every group agrees on. New votes (live events, own votes) refresh it at most every few
//! seconds, and never sooner than ten times the last analysis took, so a slow phone is not
//! kept busy; the analysis runs in its own task after the download, between frames, so
//! typing and voting never wait for it. It uses the published analysis's parameters
//! (stability resampled only where it decides the number of groups). Above the server's
//! `participant_max_votes` (`GET …/analysis`), where a cheap phone would take seconds, the
//! page downloads neither the log nor computes: it shows the analysis the server published
//! (docs/published-analysis.md).

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use mufakat_core::analysis::{Group, Representative};
use mufakat_core::repness::Direction;
use mufakat_core::votelog::LogReplica;
use mufakat_core::{analyse, Analysis, AnalysisInput, AnalysisParams, StatementMeta, VoteRecord, WarmStart};

use super::session::Session;
use crate::components::opinion_map::{groups_of, points_of, OpinionMap};
use crate::i18n::t;
use mufakat_core::legend::{group_colour, group_letter};

/// Least time between two analyses.
const REFRESH_EVERY_MS: f64 = 3000.0;
/// Least time between two analyses, in multiples of the last one's duration.
const COST_FACTOR: f64 = 10.0;
const ANALYSIS_MARK: &str = "mufakat-analysis-start";
/// Statements listed per section.
const LISTED: usize = 4;

/// Throttles analysis runs: one pending at most, and none sooner than [`REFRESH_EVERY_MS`]
/// after the last.
#[derive(Clone, Copy)]
struct Runner {
    session: Session,
    analysis: RwSignal<Option<Analysis>>,
    pending: StoredValue<bool>,
    last_run: StoredValue<f64>,
    /// How long the last analysis took, in ms.
    last_cost: StoredValue<f64>,
    warm: StoredValue<Option<WarmStart>>,
    /// The parameters: the defaults, or an imported start's (`AnalysisHead::started`).
    params: StoredValue<AnalysisParams>,
    /// The conversation's vote log as fetched so far.
    log: StoredValue<LogReplica>,
    /// The seq of the server's published analysis shown, when it is one.
    published: RwSignal<Option<u64>>,
}

impl Runner {
    fn schedule(self) {
        if self.pending.get_value() {
            return;
        }
        self.pending.set_value(true);
        let gap = REFRESH_EVERY_MS.max(COST_FACTOR * self.last_cost.get_value());
        // Never at once: the pages that a `votes` event reaches together spread their syncs.
        let spread = crate::client::sync_spread().as_millis() as f64;
        let wait = (self.last_run.get_value() + gap - js_sys::Date::now()).max(spread);
        set_timeout(move || spawn_local(self.run()), Duration::from_millis(wait as u64));
    }

    async fn run(self) {
        self.last_run.set_value(js_sys::Date::now());
        let id = self.session.id.get_value();
        // Where the server's published analysis is, and the statements as the analysis
        // takes them (rejected and meta ones too), so that what this page computes is what
        // the server publishes for the same log.
        let head = crate::client::analysis_head(&id).await;
        let Ok(head) = head else {
            self.pending.set_value(false);
            return;
        };
        if head.log_len > head.participant_max_votes {
            // Too large for a cheap phone: show what the server published.
            self.show_published(&id, head.published).await;
            self.pending.set_value(false);
            return;
        }
        let target = self.session.log_entries.get_value();
        let synced = crate::client::sync_log(&id, self.log, Some(target)).await;
        self.pending.set_value(false);
        if synced.is_err() {
            return;
        }
        let mut records = self.log.with_value(|l| l.entries.clone());
        // Votes still queued on this device count too: appended, they win over older ones.
        if let Some(me) = self.session.me.get_untracked() {
            self.session.my_votes.with_untracked(|mine| {
                records.extend(mine.iter().map(|&(statement, vote)| VoteRecord {
                    participant: me,
                    statement,
                    vote,
                }));
            });
        }
        if head.started && self.warm.get_value().is_none() {
            // An imported conversation: begin where the server's runs begin (the published
            // document carries the start), so the groups are Pol.is's from the first run.
            if let Some(seq) = head.published {
                if let Ok(Some(bytes)) = crate::client::published_analysis(&id, seq).await {
                    if let Ok(doc) = mufakat_core::published::read(&bytes) {
                        self.params.set_value(doc.params);
                        self.warm.set_value(doc.start);
                    }
                }
            }
        }
        let metas: Vec<StatementMeta> = head.statements;
        // Yield a frame so the page stays responsive, then compute.
        request_animation_frame(move || {
            let input = AnalysisInput { votes: &records, statements: &metas };
            let previous = self.warm.get_value();
            // Timed as a `mufakat-analysis` performance measure (devtools, benchmarks).
            let perf = web_sys::window().and_then(|w| w.performance());
            if let Some(p) = &perf {
                let _ = p.mark(ANALYSIS_MARK);
            }
            let started = js_sys::Date::now();
            // The published analysis's parameters (stability only where it decides k), or
            // an imported start's.
            let result = analyse(&input, &self.params.get_value(), previous.as_ref());
            self.last_cost.set_value(js_sys::Date::now() - started);
            if let Some(p) = &perf {
                let _ = p.measure_with_start_mark("mufakat-analysis", ANALYSIS_MARK);
            }
            if let Ok(a) = result {
                self.warm.set_value(Some(a.warm_start.clone()));
                self.published.set(None);
                self.analysis.set(Some(a));
            }
        });
    }

    /// Shows the published analysis at `seq` (unless it is shown already); its reading is
    /// timed like an analysis, so the page waits ten times as long before the next.
    async fn show_published(self, id: &str, seq: Option<u64>) {
        let Some(seq) = seq else { return };
        if self.published.get_untracked() == Some(seq) {
            return;
        }
        let Ok(Some(bytes)) = crate::client::published_analysis(id, seq).await else { return };
        let started = js_sys::Date::now();
        let doc = mufakat_core::published::read(&bytes);
        self.last_cost.set_value(js_sys::Date::now() - started);
        if let Ok(doc) = doc {
            self.published.set(Some(seq));
            self.analysis.set(Some(doc.analysis));
        }
    }
}

#[component]
pub fn WhereYouStand(session: Session) -> impl IntoView {
    let runner = Runner {
        session,
        analysis: RwSignal::new(None),
        pending: StoredValue::new(false),
        last_run: StoredValue::new(0.0),
        last_cost: StoredValue::new(0.0),
        warm: StoredValue::new(None),
        params: StoredValue::new(mufakat_core::published::params()),
        log: StoredValue::new(LogReplica::default()),
        published: RwSignal::new(None),
    };
    let voted = move || session.my_votes.with(|v| v.len());
    let placed = Memo::new(move |_| {
        session.me.get().is_some() && session.threshold() > 0 && voted() >= session.threshold()
    });
    Effect::new(move |_| {
        session.server_changed.track();
        session.my_votes.track();
        if placed.get() {
            runner.schedule();
        }
    });
    let p = move || t().participant;
    let to_go = move || session.threshold().saturating_sub(voted());
    // Closed: "vote on N more" cannot be done any more, so the section waits for nobody.
    let shown = move || placed.get() || !session.conversation.with(|c| c.closed);
    view! {
        <Show when=shown>
        <section class="panel standing" aria-labelledby="standing-heading" data-testid="standing">
            <h2 id="standing-heading">{move || p().standing_heading}</h2>
            <Show when=move || placed.get() fallback=move || view! {
                <p data-testid="standing-locked">{move || (p().standing_locked)(to_go())}</p>
                <progress max=move || session.threshold() value=voted
                    aria-label=move || p().standing_progress_label></progress>
            }>
                {move || match runner.analysis.get() {
                    None => view! { <p class="loading">{move || p().standing_computing}</p> }.into_any(),
                    Some(a) => view! { <Standing session analysis=a published=runner.published.get_untracked()/> }.into_any(),
                }}
            </Show>
        </section>
        </Show>
    }
}

/// The analysis seen from one participant.
#[component]
fn Standing(session: Session, analysis: Analysis, published: Option<u64>) -> impl IntoView {
    let p = move || t().participant;
    let me = session.me.get_untracked();
    // Nothing about groups until there is another group to compare with: with one voter
    // (one group) "100% of your group agreed, 0% of the others" had no others.
    let comparable = analysis.groups.len() >= 2;
    let my_group = me.and_then(|m| analysis.group_of(m)).filter(|_| comparable);
    let group = my_group.and_then(|g| analysis.groups.iter().find(|x| x.id == g).cloned());
    let n_participants = analysis.participants.len();
    let n_groups = if comparable { analysis.groups.len() } else { 0 };
    let points = points_of(&analysis);
    let groups = if comparable { groups_of(&analysis) } else { Vec::new() };
    let description = move || {
        let mut d = (p().map_description)(n_participants, n_groups);
        if let Some(g) = my_group {
            d.push(' ');
            d.push_str(&(p().you_are_in)(&group_letter(g as usize)));
        }
        d
    };
    let legend = analysis
        .groups
        .iter()
        .filter(|_| comparable)
        .map(|g| {
            let (id, size) = (g.id, g.size);
            let mine = Some(id) == my_group;
            view! {
                <li class:mine=mine>
                    <span class="swatch" style=format!("background:{}", group_colour(id as usize))></span>
                    {move || (p().group_size)(&group_letter(id as usize), size, mine)}
                </li>
            }
        })
        .collect_view();
    let consensus: Vec<(String, f64)> = analysis
        .consensus
        .agree
        .iter()
        .filter_map(|c| session.statement_text(c.statement).map(|text| (text, c.probability * 100.0)))
        .take(LISTED)
        .collect();
    view! {
        <figure class="map-figure">
            <OpinionMap points=points groups=groups
                title=Signal::derive(move || p().map_title.to_string())
                description=Signal::derive(description)
                you=me
                you_label=Signal::derive(move || p().you_marker.to_string())/>
            <figcaption>
                <ul class="legend">{legend}</ul>
            </figcaption>
        </figure>
        <p class="you-are-in" data-testid="your-group">
            {move || match my_group {
                Some(g) => (p().you_are_in)(&group_letter(g as usize)),
                None if !comparable => p().groups_later.to_string(),
                None => p().no_group.to_string(),
            }}
        </p>
        {group.map(|g| view! { <GroupAgrees session group=g/> })}
        <h3>{move || p().consensus_heading}</h3>
        {if consensus.is_empty() {
            view! { <p class="muted">{move || p().consensus_none}</p> }.into_any()
        } else {
            view! {
                <ul class="statement-list" data-testid="consensus">
                    {consensus.into_iter().map(|(text, pct)| view! {
                        <li><span class="statement-quote">{text}</span>
                            <span class="figure">{move || (p().consensus_share)(pct.round() as u32)}</span></li>
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
        <p class="muted" data-testid="standing-source"
            data-source=if published.is_some() { "published" } else { "browser" }
            data-seq=published.map(|s| s.to_string())>
            {move || match published {
                Some(n) => (p().published_note)(n),
                None => p().analysis_note.to_string(),
            }}
        </p>
    }
}

/// What the participant's group thinks more than the others: its representative statements.
#[component]
fn GroupAgrees(session: Session, group: Group) -> impl IntoView {
    let p = move || t().participant;
    let letter = group_letter(group.id as usize);
    let rows: Vec<(String, Representative)> = group
        .representative
        .iter()
        // Only what sets the group apart: Pol.is also falls back to the group's strongest
        // view, which may be everyone's.
        .filter(|r| r.in_group_percent > r.out_group_percent)
        .filter_map(|r| session.statement_text(r.statement).map(|text| (text, r.clone())))
        .take(LISTED)
        .collect();
    view! {
        <h3>{move || (p().group_heading)(&letter)}</h3>
        {if rows.is_empty() {
            view! { <p class="muted">{move || p().group_none}</p> }.into_any()
        } else {
            view! {
                <ul class="statement-list" data-testid="group-statements">
                    {rows.into_iter().map(|(text, r)| {
                        let agree = r.direction == Direction::Agree;
                        let (in_pct, out_pct) = (r.in_group_percent.round() as u32, r.out_group_percent.round() as u32);
                        view! {
                            <li class:agree=agree class:disagree=!agree>
                                <span class="statement-quote">{text}</span>
                                <span class="figure">{move || (p().group_share)(agree, in_pct, out_pct)}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}
