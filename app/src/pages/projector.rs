//! Projector mode (`/p/<id>`): a read-only, full-screen page for a town hall. It uses only the
//! public participant API, so it shows nothing a participant could not see: the consensus map
//! computed in the browser by mufakat-core (wasm), the QR code to join, the counts, and a
//! rotating panel of the statements with the broadest agreement.
//!
//! Live: every event on the conversation's SSE stream schedules a refresh (at most one in
//! flight; events during it cause one more). The previous run's `WarmStart` is kept, so groups
//! keep their labels, colours and places between refreshes.

use std::collections::HashMap;
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use mufakat_core::analysis::{Analysis, AnalysisInput, AnalysisParams, StatementMeta, WarmStart};
use mufakat_core::api::events::LiveEvent;
use mufakat_core::api::outcomes::Outcome;
use mufakat_core::api::translations::shown;
use mufakat_core::api::{ConversationView, StatementView};
use mufakat_core::attribution::{CC_BY_NAME, CC_BY_URL};
use mufakat_core::votelog::LogReplica;
use mufakat_core::StatementId;
use mufakat_core::VoteRecord;
use send_wrapper::SendWrapper;

use super::NotFound;
use crate::client::{self, conversation_url, ApiError, LiveStream};
use crate::components::consensus_map::{map_model, shorten, ConsensusMapView, MapModel};
use crate::components::outcome_list::{self, OutcomeList};
use crate::i18n::{t, use_lang, Lang};

/// Statements carrying a number on the projected map.
const MAX_LABELS: usize = 8;
/// Statements in the rotating "broadest agreement" panel, and how long each stays.
const BROAD_COUNT: usize = 5;
const ROTATE_EVERY: Duration = Duration::from_secs(8);
/// Outcomes shown at once (the newest: at 1920x1080 one fits beside the map in wall-sized
/// type), and the characters of each text.
const OUTCOMES_SHOWN: usize = 1;
const OUTCOME_CHARS: usize = 140;
/// Refresh period while the live stream is down.
const POLL_OFFLINE: Duration = Duration::from_secs(5);

/// One refresh's result, kept whole so the page swaps it in at once (no flicker).
#[derive(Clone, Default)]
struct Snapshot {
    title: String,
    participants: u32,
    votes: usize,
    closed: bool,
    /// The statements with their translations, so texts follow the reader's language.
    statements: HashMap<StatementId, StatementView>,
    model: Option<MapModel>,
    /// Statements by agreement across groups, broadest first: (id, agree share in percent).
    broad: Vec<(StatementId, u32)>,
    /// The published outcomes, the latest change first.
    outcomes: Vec<Outcome>,
    /// Letters of the groups that are shaky (not stable under resampling); stable groups
    /// are not marked, so a projector only speaks up when a group may not hold.
    shaky: Vec<String>,
    /// The data came from a Pol.is export: the wall carries Pol.is's CC BY 4.0 attribution.
    from_polis: bool,
    updated_ms: f64,
}

impl Snapshot {
    /// A statement's text in the reader's language when translated, else the original.
    fn text(&self, id: StatementId, lang: Lang) -> String {
        self.statements
            .get(&id)
            .map(|s| shown(&s.text, &s.language, &s.translations, lang.tag()).text.to_string())
            .unwrap_or_default()
    }
}

/// Runs the analysis on the visible statements' votes. `NoVotes` is not an error here: the
/// map simply waits for the first votes.
fn analyse(
    conversation: &ConversationView,
    votes: &[VoteRecord],
    params: &AnalysisParams,
    previous: Option<&WarmStart>,
) -> Option<Analysis> {
    let visible: HashMap<StatementId, StatementMeta> = conversation
        .statements
        .iter()
        .map(|s| (s.id, StatementMeta { moderation: s.moderation, ..StatementMeta::new(s.id) }))
        .collect();
    let records: Vec<_> = votes.iter().filter(|r| visible.contains_key(&r.statement)).copied().collect();
    let metas: Vec<StatementMeta> =
        conversation.statements.iter().filter_map(|s| visible.get(&s.id).copied()).collect();
    let input = AnalysisInput { votes: &records, statements: &metas };
    match mufakat_core::analyse(&input, params, previous) {
        Ok(a) => Some(a),
        // A warm start from an earlier state that no longer fits: start afresh.
        Err(mufakat_core::AnalysisError::BadWarmStart(_)) => mufakat_core::analyse(&input, params, None).ok(),
        Err(_) => None,
    }
}

/// The letters of the shown groups that stability calls shaky.
fn shaky_groups(analysis: &Analysis) -> Vec<String> {
    let Some(st) = &analysis.stability else { return Vec::new() };
    analysis
        .groups
        .iter()
        .enumerate()
        .filter(|(_, g)| st.group(g.id).is_some_and(|s| !s.stable))
        .map(|(i, _)| mufakat_core::legend::group_letter(i))
        .collect()
}

/// Broadest agreement: the consensus list first, then the statements whose least-agreeing
/// group agrees most.
fn broadest(analysis: &Analysis) -> Vec<(StatementId, u32)> {
    let mut out: Vec<(StatementId, u32)> = analysis
        .consensus
        .agree
        .iter()
        .map(|c| (c.statement, (c.probability * 100.0).round() as u32))
        .collect();
    let mut rest: Vec<(StatementId, f64, f64)> = analysis
        .statements
        .iter()
        .filter(|s| !s.excluded && s.agree > s.disagree && !out.iter().any(|o| o.0 == s.id))
        .map(|s| {
            let floor = s
                .groups
                .iter()
                .map(|g| (g.agree as f64 + 1.0) / (g.seen() as f64 + 2.0))
                .fold(f64::INFINITY, f64::min);
            (s.id, if floor.is_finite() { floor } else { 0.0 }, s.agree_probability)
        })
        .collect();
    rest.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    out.extend(rest.into_iter().map(|(id, _, p)| (id, (p * 100.0).round() as u32)));
    out.truncate(BROAD_COUNT);
    out
}

#[component]
pub fn ProjectorPage() -> impl IntoView {
    let params = use_params_map();
    let id = Signal::derive(move || params.read().get("id").unwrap_or_default());
    crate::pages::document_title(move || format!("{} · {}", t().moderator.projector_page, id.get()));
    let snapshot: RwSignal<Option<Result<Snapshot, ApiError>>> = RwSignal::new(None);
    let connected = RwSignal::new(false);
    let warm: StoredValue<Option<WarmStart>> = StoredValue::new(None);
    // Refresh scheduling: `busy` while one runs, `again` when an event arrived meanwhile.
    let busy = StoredValue::new(false);
    let again = StoredValue::new(false);

    /// What a refresh carries along: the log fetched so far, the last analysis's cost, the
    /// parameters (an imported start's, `AnalysisHead::started`, or the defaults), and the
    /// log's length in the last `votes` event (the log is synced up to it).
    #[derive(Clone, Copy)]
    struct Sync {
        log: StoredValue<LogReplica>,
        cost_ms: StoredValue<f64>,
        params: StoredValue<AnalysisParams>,
        target: StoredValue<u64>,
    }
    let sync = Sync {
        log: StoredValue::new(LogReplica::default()),
        cost_ms: StoredValue::new(0.0),
        params: StoredValue::new(AnalysisParams::default()),
        target: StoredValue::new(0),
    };

    fn refresh(
        id: String,
        snapshot: RwSignal<Option<Result<Snapshot, ApiError>>>,
        warm: StoredValue<Option<WarmStart>>,
        busy: StoredValue<bool>,
        again: StoredValue<bool>,
        sync: Sync,
    ) {
        if busy.get_value() {
            again.set_value(true);
            return;
        }
        busy.set_value(true);
        spawn_local(async move {
            let started = js_sys_now();
            let conversation = client::get::<ConversationView>(&conversation_url(&id, ""), None).await;
            // Only the entries added since the last refresh travel.
            let synced = client::sync_log(&id, sync.log, Some(sync.target.get_value())).await;
            let outcomes = outcome_list::load(&id).await;
            if warm.get_value().is_none() {
                // An imported conversation (Pol.is's math): begin where the server's runs
                // begin, from the start its published document carries.
                if let Ok(head) = client::analysis_head(&id).await {
                    if let (true, Some(seq)) = (head.started, head.published) {
                        if let Ok(Some(bytes)) = client::published_analysis(&id, seq).await {
                            if let Ok(doc) = mufakat_core::published::read(&bytes) {
                                sync.params.set_value(doc.params);
                                warm.set_value(doc.start);
                            }
                        }
                    }
                }
            }
            match (conversation, synced) {
                (Ok(c), Ok(_)) => {
                    let previous = warm.get_value();
                    let params = sync.params.get_value();
                    let t0 = js_sys_now();
                    let (analysis, votes) = sync.log.with_value(|l| {
                        let current: std::collections::HashSet<(u32, u32)> =
                            l.entries.iter().map(|e| (e.participant, e.statement)).collect();
                        (analyse(&c, &l.entries, &params, previous.as_ref()), current.len())
                    });
                    sync.cost_ms.set_value(js_sys_now() - t0);
                    let model = analysis.as_ref().map(|a| map_model(a, MAX_LABELS));
                    let broad = analysis.as_ref().map(broadest).unwrap_or_default();
                    let shaky = analysis.as_ref().map(shaky_groups).unwrap_or_default();
                    if let Some(a) = analysis {
                        warm.set_value(Some(a.warm_start));
                    }
                    let statements = c.statements.iter().map(|s| (s.id, s.clone())).collect();
                    snapshot.set(Some(Ok(Snapshot {
                        title: c.title,
                        participants: c.participants,
                        votes,
                        closed: c.closed,
                        statements,
                        model,
                        broad,
                        outcomes,
                        shaky,
                        from_polis: c.from_polis,
                        updated_ms: js_sys_now(),
                    })));
                }
                (Err(e), _) | (_, Err(e)) => {
                    // Keep showing the last good map when a refresh fails.
                    if !matches!(snapshot.get_untracked(), Some(Ok(_))) || e.status() == Some(404) {
                        snapshot.set(Some(Err(e)));
                    }
                }
            }
            // The next refresh starts no sooner than ten times the analysis took after this
            // one started, so a large conversation does not keep the projector's CPU busy.
            let wait = (started + 10.0 * sync.cost_ms.get_value() - js_sys_now()).max(0.0);
            let next = move || {
                busy.set_value(false);
                if again.get_value() {
                    again.set_value(false);
                    refresh(id, snapshot, warm, busy, again, sync);
                }
            };
            if wait > 0.0 {
                set_timeout(next, Duration::from_millis(wait as u64));
            } else {
                next();
            }
        });
    }

    let stream: StoredValue<Option<SendWrapper<LiveStream>>> = StoredValue::new(None);
    Effect::new(move |_| {
        let id = id.get();
        refresh(id.clone(), snapshot, warm, busy, again, sync);
        let on_event = {
            let id = id.clone();
            move |event| {
                if let LiveEvent::Votes { entries, .. } = event {
                    sync.target.set_value(entries);
                }
                // After a random wait, so that the pages an event reaches together do not
                // all ask at once (`client::sync_spread`).
                let id = id.clone();
                set_timeout(move || refresh(id, snapshot, warm, busy, again, sync), client::sync_spread());
            }
        };
        let opened = LiveStream::open(&id, on_event, move |up| connected.set(up));
        stream.set_value(opened.map(SendWrapper::new));
    });
    // Without the live stream (a proxy that buffers SSE, a server restart), poll instead.
    let poll = set_interval_with_handle(
        move || {
            if !connected.get_untracked() {
                refresh(id.get_untracked(), snapshot, warm, busy, again, sync);
            }
        },
        POLL_OFFLINE,
    )
    .ok();
    on_cleanup(move || {
        stream.set_value(None);
        if let Some(p) = poll {
            p.clear();
        }
    });

    // The page is full-screen: the app's top bar is hidden while it is shown. Not on an
    // error: "not found" needs the top bar and the page's margins like any other page.
    Effect::new(move |_| set_projector_mode(!snapshot.with(|s| matches!(s, Some(Err(_))))));
    on_cleanup(|| set_projector_mode(false));

    move || match snapshot.get() {
        None => view! { <p class="loading projector-loading">{move || t().loading}</p> }.into_any(),
        Some(Err(e)) if e.status() == Some(404) => view! { <NotFound/> }.into_any(),
        Some(Err(_)) => view! { <p class="error" role="alert">{move || t().error_network}</p> }.into_any(),
        Some(Ok(_)) => view! { <Projector id=id snapshot=snapshot connected=connected/> }.into_any(),
    }
}

fn js_sys_now() -> f64 {
    leptos::prelude::window().performance().map(|p| p.time_origin() + p.now()).unwrap_or(0.0)
}

fn set_projector_mode(on: bool) {
    if let Some(root) = document().document_element() {
        let classes = root.class_list();
        let _ = if on { classes.add_1("projector-mode") } else { classes.remove_1("projector-mode") };
    }
}

#[component]
fn Projector(
    id: Signal<String>,
    snapshot: RwSignal<Option<Result<Snapshot, ApiError>>>,
    connected: RwSignal<bool>,
) -> impl IntoView {
    let snap =
        move || snapshot.with(|s| s.as_ref().and_then(|s| s.as_ref().ok()).cloned().unwrap_or_default());
    let model = Signal::derive(move || {
        snapshot.with(|s| s.as_ref().and_then(|s| s.as_ref().ok()).and_then(|s| s.model.clone()))
    });
    let texts = Signal::derive(move || {
        let lang = use_lang().get();
        snapshot.with(|s| {
            s.as_ref()
                .and_then(|s| s.as_ref().ok())
                .map(|s| s.statements.keys().map(|&id| (id, s.text(id, lang))).collect())
                .unwrap_or_default()
        })
    });
    let join_url = move || {
        let origin = leptos::prelude::window().location().origin().unwrap_or_default();
        format!("{origin}/c/{}", id.get())
    };
    // A clock for "updated N seconds ago" and for the rotating panel.
    let now = RwSignal::new(js_sys_now());
    let tick = set_interval_with_handle(move || now.set(js_sys_now()), Duration::from_secs(1)).ok();
    let rotation = RwSignal::new(0usize);
    let rotate = set_interval_with_handle(move || rotation.update(|r| *r += 1), ROTATE_EVERY).ok();
    on_cleanup(move || {
        tick.into_iter().chain(rotate).for_each(|h| h.clear());
    });
    let fullscreen = move |_| {
        if let Some(root) = document().document_element() {
            let _ = root.request_fullscreen();
        }
    };

    view! {
        <section class="projector" aria-labelledby="projector-title"
            data-testid="projector" data-votes=move || snap().votes data-updated=move || snap().updated_ms>
            <header class="projector-head">
                <h1 id="projector-title">{move || snap().title}</h1>
                <div class="projector-tools">
                    <super::LanguageSwitch/>
                    <button class="fullscreen" on:click=fullscreen>{move || t().moderator.projector_fullscreen}</button>
                </div>
            </header>
            <div class="projector-body">
                <div class="projector-map">
                    {move || match model.get() {
                        Some(_) => view! { <ConsensusMapView model=model texts=texts/> }.into_any(),
                        None => view! { <p class="map-waiting" data-testid="map-waiting">{move || t().moderator.projector_waiting}</p> }.into_any(),
                    }}
                    {move || {
                        let shaky = snap().shaky;
                        (!shaky.is_empty()).then(|| view! {
                            <p class="projector-shaky" data-testid="projector-shaky">
                                {move || (t().moderator.projector_shaky)(&shaky)}
                            </p>
                        })
                    }}
                </div>
                <aside class="projector-side">
                    <div class="join">
                        <img class="qr" src=move || conversation_url(&id.get(), "/qr.svg")
                            alt=move || t().moderator.share_qr_alt width="260" height="260"/>
                        <p class="join-text">{move || t().moderator.projector_join}</p>
                        <p class="join-url">{join_url}</p>
                    </div>
                    <dl class="counts">
                        <div><dt>{move || t().moderator.stat_participants}</dt>
                            <dd data-testid="projector-participants">{move || snap().participants}</dd></div>
                        <div><dt>{move || t().moderator.stat_votes}</dt>
                            <dd data-testid="projector-votes">{move || snap().votes}</dd></div>
                    </dl>
                    <BroadPanel snapshot=snapshot rotation=rotation/>
                    <Show when=move || snapshot.with(|s| matches!(s, Some(Ok(s)) if !s.outcomes.is_empty()))>
                        <section class="projector-outcomes" aria-labelledby="projector-outcomes-heading"
                            data-testid="projector-outcomes">
                            <h2 id="projector-outcomes-heading">{move || t().outcomes.heading}</h2>
                            <OutcomeList outcomes=Signal::derive(move || snap().outcomes)
                                limit=OUTCOMES_SHOWN cut=OUTCOME_CHARS/>
                        </section>
                    </Show>
                    <p class="updated" data-testid="projector-updated" aria-live="off">
                        {move || {
                            let s = snap();
                            let seconds = ((now.get() - s.updated_ms) / 1000.0).max(0.0) as u32;
                            (t().moderator.projector_updated)(seconds)
                        }}
                        {move || (!connected.get()).then(|| view! { <span class="offline">{move || t().moderator.projector_offline}</span> })}
                        {move || snap().closed.then(|| view! { <span class="closed-tag">{move || t().moderator.state_closed}</span> })}
                    </p>
                    // `Show`, not a closure over the snapshot: the line stays put between refreshes.
                    <Show when=move || snapshot.with(|s| matches!(s, Some(Ok(s)) if s.from_polis))>
                        <p class="projector-attribution" data-testid="projector-attribution">
                            {move || t().report.attribution_text}" "
                            <a href=CC_BY_URL rel="license noopener">{CC_BY_NAME}</a>
                        </p>
                    </Show>
                </aside>
            </div>
        </section>
    }
}

/// The statements with the broadest agreement, one at a time, changing every few seconds.
/// The shown statement only re-renders (and fades in) when it changes, not on every refresh.
#[component]
fn BroadPanel(
    snapshot: RwSignal<Option<Result<Snapshot, ApiError>>>,
    rotation: RwSignal<usize>,
) -> impl IntoView {
    let current = Memo::new(move |_| {
        snapshot.with(|s| {
            let s = s.as_ref()?.as_ref().ok()?;
            if s.broad.is_empty() {
                return None;
            }
            let i = rotation.get() % s.broad.len();
            let id = s.broad[i].0;
            Some((id, s.text(id, use_lang().get())))
        })
    });
    let meta = move || {
        snapshot.with(|s| {
            let s = s.as_ref()?.as_ref().ok()?;
            let n = s.broad.len();
            let i = rotation.get() % n.max(1);
            let (_, pct) = s.broad.get(i)?;
            Some((t().moderator.projector_broad_meta)(*pct, i + 1, n))
        })
    };
    view! {
        <section class="broad" aria-labelledby="broad-heading">
            <h2 id="broad-heading">{move || t().moderator.projector_broad}</h2>
            {move || match current.get() {
                Some((id, text)) => view! {
                    <blockquote class="broad-statement" data-statement=id>
                        <p>{shorten(&text, 160)}</p>
                    </blockquote>
                }.into_any(),
                None => view! { <p class="muted">{move || t().moderator.projector_broad_none}</p> }.into_any(),
            }}
            <p class="broad-meta">{meta}</p>
            <ol class="broad-next" aria-label=move || t().moderator.projector_broad_next>
                {move || snapshot.with(|s| {
                    let Some(Ok(s)) = s else { return Vec::new() };
                    let n = s.broad.len();
                    let at = rotation.get() % n.max(1);
                    (1..n.min(3))
                        .map(|k| s.broad[(at + k) % n])
                        .map(|(id, pct)| {
                            let text = shorten(&s.text(id, use_lang().get()), 70);
                            view! { <li><span class="pct">{format!("{pct}%")}</span>" "{text}</li> }
                        })
                        .collect::<Vec<_>>()
                })}
            </ol>
        </section>
    }
}
