//! Moderation: the queue of statements awaiting a decision (one at a time by keyboard, j/k to
//! move, a/r to accept/reject; or many at once by selection), the full list of statements with
//! their states and votes, and a form to add seed statements.

use std::collections::HashSet;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos::wasm_bindgen::JsCast;
use mufakat_core::api::admin::{Decision, ModerationRequest, SeedResult, SeedStatements, StatementAdmin};
use mufakat_core::{Moderation, StatementId};

use super::console::Console;
use super::create::split_seeds;
use super::error_text;
use crate::i18n::t;

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

#[component]
pub(super) fn ModerationQueue(console: Console) -> impl IntoView {
    let pending = Memo::new(move |_| {
        console.statements.with(|all| {
            let mut p: Vec<StatementAdmin> =
                all.iter().filter(|s| s.moderation == Moderation::Pending).cloned().collect();
            p.sort_by_key(|s| (s.created_at_ms, s.id));
            p
        })
    });
    let cursor: RwSignal<Option<StatementId>> = RwSignal::new(None);
    let selected: RwSignal<HashSet<StatementId>> = RwSignal::new(HashSet::new());
    let reason = RwSignal::new(String::new());
    // Keep the cursor on a pending statement; drop selections that left the queue.
    Effect::new(move |_| {
        let ids: Vec<StatementId> = pending.with(|p| p.iter().map(|s| s.id).collect());
        if !cursor.get_untracked().is_some_and(|c| ids.contains(&c)) {
            cursor.set(ids.first().copied());
        }
        selected.update(|s| s.retain(|id| ids.contains(id)));
    });
    let take_reason = move || {
        let r = reason.get_untracked();
        reason.set(String::new());
        Some(r)
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        let typing = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
            .map(|el| {
                matches!(el.tag_name().as_str(), "TEXTAREA" | "SELECT")
                    || (el.tag_name() == "INPUT" && el.get_attribute("type").as_deref() != Some("checkbox"))
            })
            .unwrap_or(false);
        if typing {
            return;
        }
        let ids: Vec<StatementId> = pending.with_untracked(|p| p.iter().map(|s| s.id).collect());
        let at = cursor.get_untracked().and_then(|c| ids.iter().position(|&i| i == c));
        match ev.key().as_str() {
            "j" | "ArrowDown" => {
                let next = at.map(|i| (i + 1).min(ids.len().saturating_sub(1))).unwrap_or(0);
                if let Some(&id) = ids.get(next) {
                    cursor.set(Some(id));
                    focus_item(id);
                    ev.prevent_default();
                }
            }
            "k" | "ArrowUp" => {
                let prev = at.map(|i| i.saturating_sub(1)).unwrap_or(0);
                if let Some(&id) = ids.get(prev) {
                    cursor.set(Some(id));
                    focus_item(id);
                    ev.prevent_default();
                }
            }
            "a" | "r" => {
                let Some(i) = at else { return };
                let decision = if ev.key() == "a" { Decision::Accept } else { Decision::Reject };
                // Move on to the next statement before this one leaves the list.
                let after = ids.get(i + 1).or_else(|| i.checked_sub(1).and_then(|p| ids.get(p))).copied();
                cursor.set(after);
                if let Some(id) = after {
                    focus_item(id);
                }
                let r = if decision == Decision::Reject { take_reason() } else { None };
                decide(console, vec![ids[i]], decision, r);
                ev.prevent_default();
            }
            _ => {}
        }
    };
    let bulk = move |decision: Decision| {
        let ids: Vec<StatementId> = selected.with_untracked(|s| {
            pending.with_untracked(|p| p.iter().filter(|x| s.contains(&x.id)).map(|x| x.id).collect())
        });
        let r = if decision == Decision::Reject { take_reason() } else { None };
        decide(console, ids, decision, r);
    };
    let all_selected =
        move || pending.with(|p| !p.is_empty() && selected.with(|s| p.iter().all(|x| s.contains(&x.id))));
    view! {
        <section class="card queue" aria-labelledby="queue-title" data-testid="queue" on:keydown=on_key>
            <div class="section-head">
                <h2 id="queue-title">{move || (t().moderator.queue_title)(pending.with(|p| p.len()))}</h2>
            </div>
            <p class="hint" id="queue-keys">{move || t().moderator.queue_keys}</p>
            // Screen readers hear the queue grow and shrink as statements arrive live.
            <p class="visually-hidden" role="status" aria-live="polite">
                {move || (t().moderator.queue_title)(pending.with(|p| p.len()))}
            </p>
            <div class="bulk-bar">
                <label class="check">
                    <input type="checkbox" prop:checked=all_selected data-testid="select-all"
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            selected.set(if on { pending.with_untracked(|p| p.iter().map(|s| s.id).collect()) } else { HashSet::new() });
                        }/>
                    {move || t().moderator.select_all}
                </label>
                <label for="reject-reason" class="visually-hidden">{move || t().moderator.reason_label}</label>
                <input id="reject-reason" class="reason" placeholder=move || t().moderator.reason_label
                    prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))/>
                <button class="secondary" data-testid="bulk-accept"
                    disabled=move || selected.with(|s| s.is_empty()) on:click=move |_| bulk(Decision::Accept)>
                    {move || (t().moderator.accept_selected)(selected.with(|s| s.len()))}
                </button>
                <button class="secondary danger-text" data-testid="bulk-reject"
                    disabled=move || selected.with(|s| s.is_empty()) on:click=move |_| bulk(Decision::Reject)>
                    {move || (t().moderator.reject_selected)(selected.with(|s| s.len()))}
                </button>
            </div>
            <Show when=move || pending.with(|p| p.is_empty())>
                <p class="empty" data-testid="queue-empty">{move || t().moderator.queue_empty}</p>
            </Show>
            <ul class="queue-list" aria-describedby="queue-keys">
                <For each=move || pending.get() key=|s| s.id let:s>
                    {
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
                                <button class="reject" on:click=move |_| decide(console, vec![id], Decision::Reject, take_reason())>
                                    {move || t().moderator.reject}
                                </button>
                            </li>
                        }
                    }
                </For>
            </ul>
        </section>
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
                    <For each=shown key=|s| (s.id, s.moderation, s.counts.total()) let:s>
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
                                    <td>{s.text.clone()}
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
                                            }.into_any(),
                                            _ => view! {
                                                <button class="link-button" on:click=move |_| decide(console, vec![id], Decision::Accept, None)>
                                                    {move || t().moderator.accept}<span class="visually-hidden">" #"{id}</span>
                                                </button>
                                            }.into_any(),
                                        }}
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
                Some(&SeedStatements { texts }),
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
