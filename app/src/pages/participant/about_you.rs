//! Voluntary demographic questions set by the moderator (shown as written, in the
//! conversation's language). Every question may be left unanswered; answers replace
//! earlier ones and leave the server only as aggregates.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use mufakat_core::api::admin::DemographicQuestion;
use mufakat_core::api::Answers;

use super::notice::ErrorKind;
use super::session::Session;
use crate::client;
use crate::i18n::t;

#[component]
pub fn AboutYou(session: Session) -> impl IntoView {
    let chosen: RwSignal<Answers> = RwSignal::new(BTreeMap::new());
    let result: RwSignal<Option<Result<(), ErrorKind>>> = RwSignal::new(None);
    let p = move || t().participant;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(token) = session.token.get_untracked() else { return };
        let body = chosen.get_untracked();
        spawn_local(async move {
            let sent = client::post_no_content(&session.url("/answers"), Some(&token), &body).await;
            result.set(Some(sent.map_err(|e| ErrorKind::of(&e))));
        });
    };
    let questions = move || session.conversation.with(|c| c.questions.clone());
    view! {
        <Show when=move || session.conversation.with(|c| !c.questions.is_empty())>
            <section class="panel about-you" aria-labelledby="about-heading" data-testid="about-you">
                <h2 id="about-heading">{move || p().about_heading}</h2>
                <p class="muted">{move || p().about_help}</p>
                <form on:submit=submit>
                    {move || questions().into_iter().enumerate().map(|(i, q)| view! {
                        <Question index=i question=q chosen/>
                    }).collect_view()}
                    <button type="submit" class="primary">{move || p().about_save}</button>
                    <p class="form-result" class:error=move || matches!(result.get(), Some(Err(_)))
                        role="status" aria-live="polite" data-testid="about-result">
                        {move || result.get().map(|r| match r {
                            Ok(()) => p().about_saved,
                            Err(e) => e.text(t()),
                        })}
                    </p>
                </form>
            </section>
        </Show>
    }
}

#[component]
fn Question(index: usize, question: DemographicQuestion, chosen: RwSignal<Answers>) -> impl IntoView {
    let name = format!("question-{index}");
    let key = question.key.clone();
    let options = question
        .options
        .into_iter()
        .map(|option| {
            let (key, value) = (key.clone(), option.clone());
            let checked = {
                let (key, value) = (key.clone(), value.clone());
                move || chosen.with(|c| c.get(&key) == Some(&value))
            };
            view! {
                <label class="choice">
                    <input type="radio" name=name.clone() prop:checked=checked
                        on:change=move |_| chosen.update(|c| { c.insert(key.clone(), value.clone()); })/>
                    <span>{option}</span>
                </label>
            }
        })
        .collect_view();
    let unset = {
        let key = key.clone();
        move || chosen.with(|c| !c.contains_key(&key))
    };
    view! {
        <fieldset class="question">
            <legend>{question.label}</legend>
            {options}
            <label class="choice">
                <input type="radio" name=name.clone() prop:checked=unset
                    on:change=move |_| chosen.update(|c| { c.remove(&key); })/>
                <span>{move || t().participant.about_skip}</span>
            </label>
        </fieldset>
    }
}
