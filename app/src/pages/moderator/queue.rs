//! Moderation: the queue of statements awaiting a decision (one at a time by keyboard, j/k to
//! move, a/r to accept/reject; or many at once by selection), the full list of statements with
//! their states and votes, and a form to add seed statements.

use std::collections::HashSet;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos::wasm_bindgen::JsCast;
use mufakat_core::api::admin::{Decision, ModerationRequest, SeedResult, SeedStatements, StatementAdmin};
use mufakat_core::api::settings::SettingsChange;
use mufakat_core::{Moderation, StatementId};

use super::create::split_seeds;
use super::error_text;
use super::state::Console;
use crate::i18n::t;
use crate::keys::{is_chord, is_typing};

/// Sends a decision on `ids`; merges the answer and announces it.
fn decide(console: Console, ids: Vec<StatementId>, decision: Decision, reason: Option<String>) {
    if ids.is_empty() {
        return;
    }
    let n = ids.len();
    let body =
        ModerationRequest { statements: ids, decision, reason: reason.filter(|r| !r.trim().is_empty()) };
    spawn_local(async move {
        match crate::client::admin::<_, Vec<StatementAdmin>>(
            "POST",
            &console.path("/moderation"),
            Some(&body),
        )
        .await
        {
            Ok(updated) => {
                console.merge(updated);
                let msg = match decision {
                    Decision::Accept => (t().moderator.notice_accepted)(n),
                    Decision::Reject => (t().moderator.notice_rejected)(n),
                };
                console.notice.set(Some(msg));
                console.reload();
            }
            Err(e) => console.notice.set(Some(error_text(&e, t()).to_string())),
        }
    });
}

fn focus_item(id: StatementId) {
    if let Some(el) = document()
        .get_element_by_id(&format!("queue-{id}"))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

/// What a key does in the queue (j/k or the arrows move, a/r decide).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QueueKey {
    Next,
    Previous,
    Decide(Decision),
    /// To the rejection reason's field (Enter there rejects the current statement with it).
    Reason,
}

impl QueueKey {
    fn of(key: &str) -> Option<QueueKey> {
        match key {
            "j" | "ArrowDown" => Some(QueueKey::Next),
            "k" | "ArrowUp" => Some(QueueKey::Previous),
            "a" => Some(QueueKey::Decide(Decision::Accept)),
            "r" => Some(QueueKey::Decide(Decision::Reject)),
            "e" => Some(QueueKey::Reason),
            _ => None,
        }
    }
}

/// The queue's state: the pending statements (oldest first), the keyboard cursor, the
/// selection for bulk decisions and the reason a rejection will carry.
#[derive(Clone, Copy)]
struct Queue {
    console: Console,
    pending: Memo<Vec<StatementAdmin>>,
    cursor: RwSignal<Option<StatementId>>,
    selected: RwSignal<HashSet<StatementId>>,
    reason: RwSignal<String>,
}

impl Queue {
    fn new(console: Console) -> Queue {
        let pending = Memo::new(move |_| {
            console.statements.with(|all| {
                let mut p: Vec<StatementAdmin> =
                    all.iter().filter(|s| s.moderation == Moderation::Pending).cloned().collect();
                p.sort_by_key(|s| (s.created_at_ms, s.id));
                p
            })
        });
        let queue = Queue {
            console,
            pending,
            cursor: RwSignal::new(None),
            selected: RwSignal::new(HashSet::new()),
            reason: RwSignal::new(String::new()),
        };
        queue.keep_in_step();
        queue
    }

    /// Keeps the cursor on a pending statement and drops selections that left the queue.
    fn keep_in_step(self) {
        let Queue { pending, cursor, selected, .. } = self;
        Effect::new(move |_| {
            let ids: Vec<StatementId> = pending.with(|p| p.iter().map(|s| s.id).collect());
            if !cursor.get_untracked().is_some_and(|c| ids.contains(&c)) {
                cursor.set(ids.first().copied());
            }
            selected.update(|s| s.retain(|id| ids.contains(id)));
        });
    }

    fn len(self) -> usize {
        self.pending.with(|p| p.len())
    }

    /// The reason typed so far, cleared for the next rejection.
    fn take_reason(self) -> Option<String> {
        let r = self.reason.get_untracked();
        self.reason.set(String::new());
        Some(r)
    }

    fn move_to(self, id: StatementId) {
        self.cursor.set(Some(id));
        focus_item(id);
    }

    /// j/k/a/r/e anywhere on the console page, unless typed into a field or chorded. From
    /// outside the list, j/k first bring the focus to the current statement.
    fn on_key(self, ev: leptos::ev::KeyboardEvent) {
        if is_chord(&ev) || is_typing(&ev) {
            return;
        }
        let Some(key) = QueueKey::of(ev.key().as_str()) else { return };
        let ids: Vec<StatementId> = self.pending.with_untracked(|p| p.iter().map(|s| s.id).collect());
        let at = self.cursor.get_untracked().and_then(|c| ids.iter().position(|&i| i == c));
        let in_list =
            document().active_element().is_some_and(|el| el.closest(".queue-item").ok().flatten().is_some());
        if !in_list && matches!(key, QueueKey::Next | QueueKey::Previous) {
            if let Some(id) = at.and_then(|i| ids.get(i)).or(ids.first()) {
                self.move_to(*id);
                ev.prevent_default();
            }
            return;
        }
        match key {
            QueueKey::Reason => {
                if let Some(field) = document()
                    .get_element_by_id("reject-reason")
                    .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    let _ = field.focus();
                    ev.prevent_default();
                }
            }
            QueueKey::Next => {
                let next = at.map(|i| (i + 1).min(ids.len().saturating_sub(1))).unwrap_or(0);
                if let Some(&id) = ids.get(next) {
                    self.move_to(id);
                    ev.prevent_default();
                }
            }
            QueueKey::Previous => {
                let prev = at.map(|i| i.saturating_sub(1)).unwrap_or(0);
                if let Some(&id) = ids.get(prev) {
                    self.move_to(id);
                    ev.prevent_default();
                }
            }
            QueueKey::Decide(decision) => {
                let Some(i) = at else { return };
                // Move on to the next statement before this one leaves the list.
                let after = ids.get(i + 1).or_else(|| i.checked_sub(1).and_then(|p| ids.get(p))).copied();
                self.cursor.set(after);
                if let Some(id) = after {
                    focus_item(id);
                }
                let r = if decision == Decision::Reject { self.take_reason() } else { None };
                decide(self.console, vec![ids[i]], decision, r);
                ev.prevent_default();
            }
        }
    }

    /// Rejects the statement under the cursor with the reason typed, and moves on.
    fn reject_current(self) {
        let ids: Vec<StatementId> = self.pending.with_untracked(|p| p.iter().map(|s| s.id).collect());
        let Some(i) = self.cursor.get_untracked().and_then(|c| ids.iter().position(|&x| x == c)) else {
            return;
        };
        let after = ids.get(i + 1).or_else(|| i.checked_sub(1).and_then(|p| ids.get(p))).copied();
        self.cursor.set(after);
        if let Some(id) = after {
            focus_item(id);
        }
        decide(self.console, vec![ids[i]], Decision::Reject, self.take_reason());
    }

    /// Decides every selected statement still pending.
    fn decide_selected(self, decision: Decision) {
        let ids: Vec<StatementId> = self.selected.with_untracked(|s| {
            self.pending.with_untracked(|p| p.iter().filter(|x| s.contains(&x.id)).map(|x| x.id).collect())
        });
        let r = if decision == Decision::Reject { self.take_reason() } else { None };
        decide(self.console, ids, decision, r);
    }

    fn all_selected(self) -> bool {
        self.pending.with(|p| !p.is_empty() && self.selected.with(|s| p.iter().all(|x| s.contains(&x.id))))
    }
}

#[component]
pub(super) fn ModerationQueue(console: Console) -> impl IntoView {
    let queue = Queue::new(console);
    // The keys work wherever the focus is on the page (not only inside the list).
    let keys = window_event_listener(leptos::ev::keydown, move |ev| queue.on_key(ev));
    on_cleanup(move || keys.remove());
    view! {
        <section class="card queue" aria-labelledby="queue-title" data-testid="queue">
            <div class="section-head">
                <h2 id="queue-title">{move || (t().moderator.queue_title)(queue.len())}</h2>
            </div>
            <p class="hint" id="queue-keys">{move || t().moderator.queue_keys}</p>
            // Screen readers hear the queue grow and shrink as statements arrive live.
            <p class="visually-hidden" role="status" aria-live="polite">
                {move || (t().moderator.queue_title)(queue.len())}
            </p>
            <BulkBar queue/>
            <Show when=move || queue.pending.with(|p| p.is_empty())>
                <p class="empty" data-testid="queue-empty">{move || t().moderator.queue_empty}</p>
            </Show>
            <ul class="queue-list" aria-describedby="queue-keys">
                <For each=move || queue.pending.get() key=|s| s.id let:s>
                    <QueueItem queue statement=s/>
                </For>
            </ul>
        </section>
    }
}

/// Select all, the rejection reason, and accept or reject the selection.
#[component]
fn BulkBar(queue: Queue) -> impl IntoView {
    let Queue { pending, selected, reason, .. } = queue;
    view! {
        <div class="bulk-bar">
            <label class="check">
                <input type="checkbox" prop:checked=move || queue.all_selected() data-testid="select-all"
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        selected.set(if on { pending.with_untracked(|p| p.iter().map(|s| s.id).collect()) } else { HashSet::new() });
                    }/>
                {move || t().moderator.select_all}
            </label>
            <label for="reject-reason" class="visually-hidden">{move || t().moderator.reason_label}</label>
            <input id="reject-reason" class="reason" placeholder=move || t().moderator.reason_label
                aria-describedby="queue-keys"
                prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))
                on:keydown=move |ev| {
                    // Enter rejects the current statement with this reason, and goes back to it.
                    if ev.key() == "Enter" {
                        ev.prevent_default();
                        queue.reject_current();
                    }
                }/>
            <button class="secondary" data-testid="bulk-accept"
                disabled=move || selected.with(|s| s.is_empty()) on:click=move |_| queue.decide_selected(Decision::Accept)>
                {move || (t().moderator.accept_selected)(selected.with(|s| s.len()))}
            </button>
            <button class="secondary danger-text" data-testid="bulk-reject"
                disabled=move || selected.with(|s| s.is_empty()) on:click=move |_| queue.decide_selected(Decision::Reject)>
                {move || (t().moderator.reject_selected)(selected.with(|s| s.len()))}
            </button>
        </div>
    }
}

/// One pending statement: its selection box, text, origin, and accept and reject.
#[component]
fn QueueItem(queue: Queue, statement: StatementAdmin) -> impl IntoView {
    let Queue { console, cursor, selected, .. } = queue;
    let s = statement;
    let id = s.id;
    view! {
        <li id=format!("queue-{id}") class="queue-item" class:current=move || cursor.get() == Some(id)
            tabindex=move || if cursor.get() == Some(id) { "0" } else { "-1" }
            data-testid="queue-item" data-statement-id=id
            on:focus=move |_| cursor.set(Some(id))>
            <input type="checkbox" id=format!("sel-{id}")
                prop:checked=move || selected.with(|x| x.contains(&id))
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    selected.update(|x| { if on { x.insert(id); } else { x.remove(&id); } });
                }/>
            <label for=format!("sel-{id}") class="queue-text">{s.text.clone()}</label>
            <span class="tag">{move || if s.is_seed { t().moderator.origin_seed } else { t().moderator.origin_participant }}</span>
            <button class="accept" on:click=move |_| decide(console, vec![id], Decision::Accept, None)>
                {move || t().moderator.accept}
            </button>
            <button class="reject" on:click=move |_| decide(console, vec![id], Decision::Reject, queue.take_reason())>
                {move || t().moderator.reject}
            </button>
        </li>
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Filter {
    All,
    State(Moderation),
}

#[component]
pub(super) fn StatementList(console: Console) -> impl IntoView {
    let filter = RwSignal::new(Filter::All);
    let shown = move || {
        let f = filter.get();
        console.statements.with(|all| {
            let mut v: Vec<StatementAdmin> = all
                .iter()
                .filter(|s| f == Filter::All || f == Filter::State(s.moderation))
                .cloned()
                .collect();
            v.sort_by_key(|s| s.id);
            v
        })
    };
    let count = move |f: Filter| {
        console
            .statements
            .with(|all| all.iter().filter(|s| f == Filter::All || f == Filter::State(s.moderation)).count())
    };
    let tab = move |f: Filter, label: fn() -> &'static str| {
        view! {
            <button class="tab" aria-pressed=move || (filter.get() == f).to_string() on:click=move |_| filter.set(f)>
                {move || label()}" "<span class="count">{move || count(f)}</span>
            </button>
        }
    };
    view! {
        <section class="card statements" aria-labelledby="statements-title" data-testid="statements">
            <div class="section-head">
                <h2 id="statements-title">{move || t().moderator.statements_title}</h2>
                <div class="tabs" role="group" aria-label=move || t().moderator.filter_label>
                    {tab(Filter::All, || t().moderator.filter_all)}
                    {tab(Filter::State(Moderation::Pending), || t().moderator.stat_pending)}
                    {tab(Filter::State(Moderation::Accepted), || t().moderator.stat_accepted)}
                    {tab(Filter::State(Moderation::Rejected), || t().moderator.stat_rejected)}
                </div>
            </div>
            <table class="data-table">
                <thead><tr>
                    <th scope="col" class="num">"#"</th>
                    <th scope="col">{move || t().moderator.col_statement}</th>
                    <th scope="col">{move || t().moderator.col_state}</th>
                    <th scope="col" class="num">{move || t().participant.agree}</th>
                    <th scope="col" class="num">{move || t().participant.disagree}</th>
                    <th scope="col" class="num">{move || t().moderator.col_pass}</th>
                    <th scope="col"><span class="visually-hidden">{move || t().moderator.col_action}</span></th>
                </tr></thead>
                <tbody>
                    <For each=shown key=|s| (s.id, s.moderation, s.counts.total(), s.translations.len()) let:s>
                        {
                            let id = s.id;
                            let state = s.moderation;
                            let (label, class) = match state {
                                Moderation::Accepted => (t().moderator.stat_accepted, "state accepted"),
                                Moderation::Pending => (t().moderator.stat_pending, "state pending"),
                                Moderation::Rejected => (t().moderator.stat_rejected, "state rejected"),
                            };
                            let reason = s.reason.clone();
                            view! {
                                <tr data-testid="statement-row" data-statement-id=id data-state=format!("{state:?}").to_lowercase()>
                                    <td class="num">{id}</td>
                                    <td><span lang=s.language.clone()>{s.text.clone()}</span>
                                        " "<span class="lang-tags" data-testid="languages">
                                            {std::iter::once(s.language.clone()).chain(s.translations.iter().map(|x| x.language.clone()))
                                                .map(|l| view! { <span class="tag">{l}</span> }).collect_view()}
                                        </span>
                                        {reason.map(|r| view! { <span class="reason-note">{move || t().moderator.reason_prefix}" "{r.clone()}</span> })}
                                    </td>
                                    <td><span class=class>{label}</span></td>
                                    <td class="num">{s.counts.agree}</td>
                                    <td class="num">{s.counts.disagree}</td>
                                    <td class="num">{s.counts.pass}</td>
                                    <td>
                                        {match state {
                                            Moderation::Accepted => view! {
                                                <button class="link-button" on:click=move |_| decide(console, vec![id], Decision::Reject, None)>
                                                    {move || t().moderator.reject}<span class="visually-hidden">" #"{id}</span>
                                                </button>
                                                <PinButton console id/>
                                            }.into_any(),
                                            _ => view! {
                                                <button class="link-button" on:click=move |_| decide(console, vec![id], Decision::Accept, None)>
                                                    {move || t().moderator.accept}<span class="visually-hidden">" #"{id}</span>
                                                </button>
                                            }.into_any(),
                                        }}
                                        {(state != Moderation::Rejected).then(|| view! {
                                            " "<button id=format!("outcome-for-{id}") class="link-button" data-testid="outcome-for"
                                                on:click=move |_| super::outcomes::open_new(console, Some(id), &format!("outcome-for-{id}"))>
                                                {move || t().outcomes.add_for_statement}<span class="visually-hidden">" #"{id}</span>
                                            </button>
                                        })}
                                    </td>
                                </tr>
                            }
                        }
                    </For>
                </tbody>
            </table>
        </section>
    }
}

/// Shows a statement first to everyone, or stops doing so.
#[component]
fn PinButton(console: Console, id: StatementId) -> impl IntoView {
    let pinned = move || {
        console
            .conversation
            .with(|c| c.as_ref().and_then(|c| c.as_ref().ok()).and_then(|c| c.pinned_statement))
            == Some(id)
    };
    view! {
        <button class="link-button" aria-pressed=move || pinned().to_string() data-testid="pin"
            on:click=move |_| console.save_settings(SettingsChange {
                pinned_statement: Some((!pinned()).then_some(id)),
                ..Default::default()
            })>
            {move || if pinned() { t().moderator.unpin } else { t().moderator.pin }}
            <span class="visually-hidden">" #"{id}</span>
        </button>
    }
}

/// Paste seed statements, one per line; refused ones are listed with the reason.
#[component]
pub(super) fn SeedForm(console: Console) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let refused: RwSignal<Vec<(String, String)>> = RwSignal::new(Vec::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let texts = text.with_untracked(|t| split_seeds(t));
        if texts.is_empty() {
            return;
        }
        spawn_local(async move {
            match crate::client::admin::<_, SeedResult>(
                "POST",
                &console.path("/statements"),
                Some(&SeedStatements { texts, language: None }),
            )
            .await
            {
                Ok(r) => {
                    let added = r.added.len();
                    console.merge(r.added);
                    refused.set(r.refused.into_iter().map(|x| (x.text, x.code)).collect());
                    text.set(String::new());
                    console.notice.set(Some((t().moderator.notice_seeded)(added)));
                    console.reload();
                }
                Err(e) => console.notice.set(Some(error_text(&e, t()).to_string())),
            }
        });
    };
    view! {
        <section class="card seeds" aria-labelledby="seeds-title">
            <h2 id="seeds-title">{move || t().moderator.seeds_title}</h2>
            <form class="stack" on:submit=submit>
                <label for="more-seeds">{move || t().moderator.field_seeds}</label>
                <textarea id="more-seeds" rows="4" aria-describedby="more-seeds-hint"
                    prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                <p class="hint" id="more-seeds-hint">{move || (t().moderator.seeds_count)(text.with(|s| split_seeds(s).len()))}</p>
                <button type="submit" class="secondary">{move || t().moderator.seeds_button}</button>
            </form>
            <Show when=move || refused.with(|r| !r.is_empty())>
                <div class="callout" role="status">
                    <p>{move || t().moderator.seeds_refused}</p>
                    <ul>{move || refused.get().into_iter().map(|(text, code)| view! { <li>{text}" "<span class="tag">{code}</span></li> }).collect_view()}</ul>
                </div>
            </Show>
        </section>
    }
}
