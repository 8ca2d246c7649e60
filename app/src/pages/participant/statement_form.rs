//! Posting a statement: a box with a live character counter (the server's limit), the
//! server's refusals in plain words, and the participant's own statements with their
//! moderation state. A refused or failed post keeps the text.

use leptos::prelude::*;
use leptos::task::spawn_local;
use mufakat_core::api::{PostStatementRequest, PostStatementResponse};
use mufakat_core::model::Moderation;

use super::notice::ErrorKind;
use super::session::Session;
use crate::client;
use crate::i18n::t;

#[component]
pub fn StatementForm(session: Session) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let sending = RwSignal::new(false);
    let result: RwSignal<Option<Result<Moderation, ErrorKind>>> = RwSignal::new(None);
    let limit = move || session.conversation.with(|c| c.max_statement_chars) as i64;
    let left = move || limit() - text.with(|t| t.trim().chars().count() as i64);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if sending.get_untracked() {
            return;
        }
        let Some(token) = session.token.get_untracked() else { return };
        let body = PostStatementRequest { text: text.get_untracked() };
        if body.text.trim().is_empty() {
            result.set(Some(Err(ErrorKind::Empty)));
            return;
        }
        sending.set(true);
        spawn_local(async move {
            match client::post::<_, PostStatementResponse>(&session.url("/statements"), Some(&token), &body)
                .await
            {
                Ok(r) => {
                    text.set(String::new());
                    result.set(Some(Ok(r.statement.moderation)));
                    session.reachable.set(true);
                    session.add_posted(r.statement);
                }
                Err(e) => {
                    let kind = ErrorKind::of(&e);
                    if kind == ErrorKind::Network {
                        session.reachable.set(false);
                    }
                    result.set(Some(Err(kind)));
                }
            }
            sending.set(false);
        });
    };
    let p = move || t().participant;
    let strict = move || session.conversation.with(|c| c.strict_moderation);
    view! {
        <section class="panel statement-form-panel">
            <form class="statement-form" on:submit=submit>
                <h2 id="post-heading"><label for="new-statement">{move || p().post_heading}</label></h2>
                <p class="muted" id="post-help">{move || p().post_help}</p>
                <textarea id="new-statement" name="text" rows="3"
                    placeholder=move || p().post_placeholder
                    aria-describedby="post-help chars-left"
                    aria-invalid=move || (left() < 0).to_string()
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                <div class="form-row">
                    <span id="chars-left" class="chars-left" class:over=move || left() < 0 data-testid="chars-left">
                        {move || (p().chars_left)(left())}
                    </span>
                    <button type="submit" class="primary" aria-disabled=move || sending.get().to_string()>
                        {move || p().post_button}
                    </button>
                </div>
                <p class="form-result" class:error=move || matches!(result.get(), Some(Err(_)))
                    role="status" aria-live="polite" data-testid="post-result">
                    {move || result.get().map(|r| match r {
                        Ok(Moderation::Pending) if strict() => p().posted_pending,
                        Ok(_) => p().posted,
                        Err(e) => e.text(t()),
                    })}
                </p>
            </form>
            <MyStatements session/>
        </section>
    }
}

/// The statements posted here (this visit or earlier, kept on the device), saying which still await a moderator.
#[component]
fn MyStatements(session: Session) -> impl IntoView {
    let p = move || t().participant;
    let strict = move || session.conversation.with(|c| c.strict_moderation);
    view! {
        <Show when=move || session.posted.with(|v| !v.is_empty())>
            <h3 class="my-statements-heading">{move || p().my_statements_heading}</h3>
            <ul class="my-statements" data-testid="my-statements">
                {move || session.posted.get().into_iter().map(|s| {
                    // Under open moderation a pending statement is already shown to others.
                    let pending = s.moderation == Moderation::Pending && strict();
                    let rejected = s.moderation == Moderation::Rejected;
                    view! {
                        <li>
                            <span class="my-statement-text">{s.text}</span>" "
                            <span class="badge" class:pending=pending class:rejected=rejected>
                                {move || match (pending, rejected) {
                                    (true, _) => p().status_pending,
                                    (_, true) => p().status_rejected,
                                    _ => p().status_visible,
                                }}
                            </span>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </Show>
    }
}
