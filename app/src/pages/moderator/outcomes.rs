//! Outcomes in the console: publish one for the whole conversation (a button here) or for a
//! statement (its row's Outcome button in the statement list opens the same form), edit and
//! delete the published ones. Every control is a native button, select, textarea or date
//! input, so the form works with the keyboard alone; opening it moves the focus into it and
//! closing it (Cancel, Escape, saved) returns the focus to where the moderator came from.

use leptos::prelude::*;
use leptos::task::spawn_local;
use mufakat_core::api::outcomes::{
    is_valid_date, Outcome, OutcomeId, OutcomeInput, OutcomeStatus, MAX_OUTCOME_CHARS,
};
use mufakat_core::model::StatementId;

use super::error_text;
use super::state::Console;
use crate::client::{self, ApiError};
use crate::i18n::t;

/// The outcome being written: a new one (`id` None) or an edit.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeDraft {
    pub id: Option<OutcomeId>,
    pub statement: Option<StatementId>,
    pub status: OutcomeStatus,
    pub text: String,
    pub date: String,
    /// The element id to focus again when the form closes.
    pub return_focus: String,
}

impl OutcomeDraft {
    /// A new outcome, dated today.
    pub fn new(statement: Option<StatementId>, return_focus: &str) -> OutcomeDraft {
        OutcomeDraft {
            id: None,
            statement,
            status: OutcomeStatus::UnderStudy,
            text: String::new(),
            date: today(),
            return_focus: return_focus.to_string(),
        }
    }

    fn edit(o: &Outcome) -> OutcomeDraft {
        OutcomeDraft {
            id: Some(o.id),
            statement: o.statement,
            status: o.status,
            text: o.text.clone(),
            date: o.date.clone(),
            return_focus: format!("outcome-edit-{}", o.id),
        }
    }
}

/// Today in the browser's time zone, `YYYY-MM-DD`.
fn today() -> String {
    let d = js_sys::Date::new_0();
    format!("{:04}-{:02}-{:02}", d.get_full_year(), d.get_month() + 1, d.get_date())
}

fn focus(id: &str) {
    let id = id.to_string();
    // After the view has rendered the element.
    set_timeout(
        move || {
            if let Some(el) = document().get_element_by_id(&id) {
                use wasm_bindgen::JsCast;
                if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                    let _ = el.focus();
                }
            }
        },
        std::time::Duration::from_millis(0),
    );
}

/// Opens the form for a new outcome on `statement` (`None`: the whole conversation).
pub(super) fn open_new(console: Console, statement: Option<StatementId>, return_focus: &str) {
    console.outcome_draft.set(Some(OutcomeDraft::new(statement, return_focus)));
    focus("outcome-status");
}

/// Reloads the published outcomes.
pub(super) fn reload(console: Console) {
    spawn_local(async move {
        let id = console.id.get_untracked();
        let list = crate::components::outcome_list::load(&id).await;
        if console.outcomes.with_untracked(|o| *o != list) {
            console.outcomes.set(list);
        }
    });
}

fn close(console: Console) {
    let back = console.outcome_draft.with_untracked(|d| d.as_ref().map(|d| d.return_focus.clone()));
    console.outcome_draft.set(None);
    if let Some(back) = back {
        focus(&back);
    }
}

#[component]
pub(super) fn OutcomesPanel(console: Console) -> impl IntoView {
    reload(console);
    view! {
        <section class="card outcomes-panel" aria-labelledby="outcomes-title" data-testid="outcomes-panel">
            <h2 id="outcomes-title">{move || t().outcomes.console_heading}</h2>
            <p class="hint">{move || t().outcomes.console_help}</p>
            <button id="outcome-add-whole" class="secondary" data-testid="outcome-add-whole"
                on:click=move |_| open_new(console, None, "outcome-add-whole")>
                {move || t().outcomes.add_whole}
            </button>
            {move || console.outcome_draft.get().map(|d| view! { <OutcomeForm console draft=d/> })}
            <Show when=move || console.outcomes.with(|o| !o.is_empty())
                fallback=move || view! { <p class="empty">{move || t().outcomes.none}</p> }>
                <ul class="outcome-admin-list">
                    {move || console.outcomes.get().into_iter().map(|o| {
                        let id = o.id;
                        let edit_draft = OutcomeDraft::edit(&o);
                        let about = o.statement.map(|s| format!("#{s} ")).unwrap_or_default();
                        view! {
                            <li class="outcome-admin" data-testid="outcome-admin" data-outcome-id=id>
                                <p>
                                    <span class=format!("outcome-status status-{}", o.status.as_str())>{move || (t().outcomes.status)(o.status)}</span>
                                    " "<span class="muted">{about}{o.date.clone()}</span>
                                </p>
                                <p>{o.text.clone()}</p>
                                <div class="row-actions">
                                    <button id=format!("outcome-edit-{id}") class="link-button" on:click=move |_| {
                                        console.outcome_draft.set(Some(edit_draft.clone()));
                                        focus("outcome-status");
                                    }>
                                        {move || t().outcomes.edit}<span class="visually-hidden">" #"{id}</span>
                                    </button>
                                    <button class="link-button danger-text" on:click=move |_| delete(console, id)>
                                        {move || t().outcomes.delete}<span class="visually-hidden">" #"{id}</span>
                                    </button>
                                </div>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </Show>
        </section>
    }
}

fn delete(console: Console, id: OutcomeId) {
    spawn_local(async move {
        match client::admin_delete(&console.path(&format!("/outcomes/{id}"))).await {
            Ok(()) => {
                console.notice.set(Some(t().outcomes.deleted.to_string()));
                focus("outcome-add-whole");
                reload(console);
            }
            Err(e) => console.notice.set(Some(error_text(&e, t()).to_string())),
        }
    });
}

/// What went wrong with a refused outcome, in words.
fn refusal(e: &ApiError) -> &'static str {
    match e {
        ApiError::Server { code, .. } if code.starts_with("outcome_") => t().outcomes.error_text,
        ApiError::Server { code, .. } if code.starts_with("statement_") => t().outcomes.error_statement,
        e => error_text(e, t()),
    }
}

#[component]
fn OutcomeForm(console: Console, draft: OutcomeDraft) -> impl IntoView {
    let status = RwSignal::new(draft.status);
    let text = RwSignal::new(draft.text.clone());
    let date = RwSignal::new(draft.date.clone());
    let error = RwSignal::new(None::<&'static str>);
    let (id, statement) = (draft.id, draft.statement);
    let about = move || match statement {
        Some(s) => console
            .statements
            .with(|all| all.iter().find(|x| x.id == s).map(|x| format!("#{s} “{}”", x.text)))
            .unwrap_or_else(|| format!("#{s}")),
        None => t().outcomes.whole_conversation.to_string(),
    };
    let left = move || MAX_OUTCOME_CHARS as i64 - text.with(|s| s.trim().chars().count()) as i64;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = OutcomeInput {
            statement,
            status: status.get_untracked(),
            text: text.get_untracked(),
            date: date.get_untracked(),
        };
        if body.text.trim().is_empty() || left() < 0 {
            error.set(Some(t().outcomes.error_text));
            focus("outcome-text");
            return;
        }
        if !is_valid_date(&body.date) {
            error.set(Some(t().outcomes.error_date));
            focus("outcome-date");
            return;
        }
        spawn_local(async move {
            let answer = match id {
                None => client::admin::<_, Outcome>("POST", &console.path("/outcomes"), Some(&body)).await,
                Some(n) => {
                    client::admin::<_, Outcome>("PUT", &console.path(&format!("/outcomes/{n}")), Some(&body))
                        .await
                }
            };
            match answer {
                Ok(_) => {
                    let done = if id.is_none() { t().outcomes.published } else { t().outcomes.saved };
                    console.notice.set(Some(done.to_string()));
                    close(console);
                    reload(console);
                }
                Err(e) => error.set(Some(refusal(&e))),
            }
        });
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            close(console);
        }
    };
    view! {
        <form class="stack outcome-form" on:submit=submit on:keydown=on_key data-testid="outcome-form"
            aria-labelledby="outcome-form-title">
            <h3 id="outcome-form-title">
                {move || if id.is_none() { t().outcomes.form_heading_new } else { t().outcomes.form_heading_edit }}
            </h3>
            <p><strong>{move || t().outcomes.form_about}": "</strong>{about}</p>
            <label for="outcome-status">{move || t().outcomes.form_status}</label>
            <select id="outcome-status" data-testid="outcome-status"
                on:change=move |ev| {
                    if let Some(s) = OutcomeStatus::parse(&event_target_value(&ev)) {
                        status.set(s);
                    }
                }>
                {OutcomeStatus::ALL.into_iter().map(|s| view! {
                    <option value=s.as_str() selected=move || status.get() == s>{move || (t().outcomes.status)(s)}</option>
                }).collect_view()}
            </select>
            <label for="outcome-text">{move || t().outcomes.form_text}</label>
            <textarea id="outcome-text" rows="4" data-testid="outcome-text" aria-describedby="outcome-text-left"
                prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            <p class="hint" id="outcome-text-left" class:error=move || left() < 0>{move || (t().outcomes.chars_left)(left())}</p>
            <label for="outcome-date">{move || t().outcomes.form_date}</label>
            <input id="outcome-date" type="date" data-testid="outcome-date" required
                prop:value=move || date.get() on:input=move |ev| date.set(event_target_value(&ev))/>
            <p class="error" role="alert" data-testid="outcome-error">{move || error.get()}</p>
            <div class="row-actions">
                <button type="submit" class="primary" data-testid="outcome-submit">
                    {move || if id.is_none() { t().outcomes.publish } else { t().outcomes.save }}
                </button>
                <button type="button" class="secondary" on:click=move |_| close(console)>{move || t().outcomes.cancel}</button>
            </div>
        </form>
    }
}
