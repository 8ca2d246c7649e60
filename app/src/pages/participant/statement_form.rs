//! Posting a statement: a box with a live character counter (the server's limit), the
//! server's refusals in plain words, and the participant's own statements with their
//! moderation state. A refused or failed post keeps the text.

use leptos::prelude::*;
use leptos::task::spawn_local;
use mufakat_core::api::translations::{shown, NewTranslation, LANGUAGES};
use mufakat_core::api::{PostStatementRequest, PostStatementResponse};
use mufakat_core::model::Moderation;

use super::notice::ErrorKind;
use super::session::Session;
use crate::client;
use crate::i18n::t;

#[component]
pub fn StatementForm(session: Session) -> impl IntoView {
    let text = RwSignal::new(String::new());
    // The text's language starts as the interface's; a translation, if any, into another.
    let language = RwSignal::new(session.lang.get_untracked().tag().to_string());
    let translation = RwSignal::new(String::new());
    let translation_language = RwSignal::new(session.lang.get_untracked().other().tag().to_string());
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
        let translated = translation.get_untracked();
        let body = PostStatementRequest {
            text: text.get_untracked(),
            language: Some(language.get_untracked()),
            translation: (!translated.trim().is_empty())
                .then(|| NewTranslation { language: translation_language.get_untracked(), text: translated }),
        };
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
                    translation.set(String::new());
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
                <LanguagePicker id="statement-language" label=move || p().post_language_label value=language/>
                <details class="post-translation">
                    <summary>{move || p().post_translation_summary}</summary>
                    <LanguagePicker id="translation-language" label=move || p().post_translation_language_label
                        value=translation_language/>
                    <label for="statement-translation">{move || p().post_translation_label}</label>
                    <textarea id="statement-translation" name="translation" rows="2"
                        lang=move || translation_language.get()
                        prop:value=move || translation.get()
                        on:input=move |ev| translation.set(event_target_value(&ev))></textarea>
                </details>
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

/// A labelled menu of the languages a statement may be in, each by its own name.
#[component]
fn LanguagePicker(
    id: &'static str,
    label: impl Fn() -> &'static str + Send + Sync + 'static,
    value: RwSignal<String>,
) -> impl IntoView {
    view! {
        <div class="language-picker">
            <label for=id>{label}</label>" "
            <select id=id on:change=move |ev| value.set(event_target_value(&ev))>
                {LANGUAGES.iter().map(|l| view! {
                    <option value=l.tag lang=l.tag selected=move || value.get() == l.tag>{l.name}</option>
                }).collect_view()}
            </select>
        </div>
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
                    let shown = shown(&s.text, &s.language, &s.translations, session.lang.get().tag());
                    let (text, lang) = (shown.text.to_string(), shown.language.to_string());
                    // Under open moderation a pending statement is already shown to others.
                    let pending = s.moderation == Moderation::Pending && strict();
                    let rejected = s.moderation == Moderation::Rejected;
                    view! {
                        <li>
                            <span class="my-statement-text" lang=lang>{text}</span>" "
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
