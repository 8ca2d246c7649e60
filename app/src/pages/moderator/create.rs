//! A new conversation: title, description, language, settings, optional demographic questions
//! and seed statements pasted one per line. The form is made of parts, each owning its
//! fields: [`SettingsFields`] (one signal per setting, [`SettingsForm`]), [`QuestionFields`],
//! [`SeedsField`]; [`NewConversationForm`] puts them together and [`create`] sends them.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;
use mufakat_core::api::admin::{
    ConversationAdmin, DemographicQuestion, NewConversation, SeedResult, SeedStatements,
};
use mufakat_core::api::settings::ConversationSettings;

use super::{error_text, AdminBar, RequireModerator};
use crate::client;
use crate::i18n::t;

/// Seed statements from pasted text: one per line, blank lines and surrounding spaces dropped.
pub(crate) fn split_seeds(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect()
}

/// A stable key for a question from its label: lowercase ASCII letters and digits.
fn question_key(label: &str, index: usize) -> String {
    let key: String = label
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
        .collect::<String>()
        .split('_')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("_");
    if key.is_empty() {
        format!("q{}", index + 1)
    } else {
        key
    }
}

/// The console link, and the seed statements refused with their error codes.
type Refusals = (String, Vec<(String, String)>);

#[derive(Clone, Copy)]
struct QuestionRow {
    n: usize,
    label: RwSignal<String>,
    options: RwSignal<String>,
}

/// The settings as the form holds them, one signal per setting of [`ConversationSettings`]
/// (the questions are their own part).
#[derive(Clone, Copy)]
struct SettingsForm {
    title: RwSignal<String>,
    description: RwSignal<String>,
    language: RwSignal<String>,
    allow_statements: RwSignal<bool>,
    strict: RwSignal<bool>,
    /// As typed; anything but a whole number from 0 counts as 0 (no cap).
    statement_cap: RwSignal<String>,
    invitation_only: RwSignal<bool>,
}

impl SettingsForm {
    /// The form's starting values: moderation starts strict here, unlike the API's default.
    fn new() -> SettingsForm {
        SettingsForm {
            title: RwSignal::new(String::new()),
            description: RwSignal::new(String::new()),
            language: RwSignal::new("id".to_string()),
            allow_statements: RwSignal::new(true),
            strict: RwSignal::new(true),
            statement_cap: RwSignal::new("0".to_string()),
            invitation_only: RwSignal::new(false),
        }
    }

    /// The settings as entered, trimmed, with the questions asked; a setting the form does
    /// not show keeps its default (hence the update syntax, needless until there is one).
    #[allow(clippy::needless_update)]
    fn settings(&self, questions: Vec<DemographicQuestion>) -> ConversationSettings {
        ConversationSettings {
            title: self.title.get_untracked().trim().to_string(),
            description: self.description.get_untracked().trim().to_string(),
            language: self.language.get_untracked(),
            allow_statements: self.allow_statements.get_untracked(),
            strict_moderation: self.strict.get_untracked(),
            questions,
            statement_cap: self.statement_cap.with_untracked(|c| c.trim().parse().unwrap_or(0)),
            invitation_only: self.invitation_only.get_untracked(),
            ..ConversationSettings::default()
        }
    }
}

/// The questions with a label, each with its key and its comma-separated options.
fn asked_questions(rows: &[QuestionRow]) -> Vec<DemographicQuestion> {
    rows.iter()
        .enumerate()
        .filter(|(_, q)| !q.label.with_untracked(|l| l.trim().is_empty()))
        .map(|(i, q)| {
            let label = q.label.get_untracked().trim().to_string();
            let options = q.options.with_untracked(|o| {
                o.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()
            });
            DemographicQuestion { key: question_key(&label, i), label, options }
        })
        .collect()
}

/// How sending the form ended.
enum Outcome {
    /// Created with every seed: open the console at this link.
    Created(String),
    /// Created, but some seeds were refused (or the seeds could not be sent: the message).
    Refused(Refusals, Option<&'static str>),
    /// Not created: the message.
    Failed(&'static str),
}

/// Creates the conversation, then adds the seed statements to it.
async fn create(body: NewConversation, seed_texts: Vec<String>) -> Outcome {
    let created = match client::admin::<_, ConversationAdmin>("POST", "/conversations", Some(&body)).await {
        Ok(c) => c,
        Err(e) => return Outcome::Failed(error_text(&e, t())),
    };
    let console = format!("/admin/c/{}", created.id);
    if seed_texts.is_empty() {
        return Outcome::Created(console);
    }
    let path = format!("/conversations/{}/statements", created.id);
    match client::admin::<_, SeedResult>(
        "POST",
        &path,
        Some(&SeedStatements { texts: seed_texts, language: None }),
    )
    .await
    {
        Ok(r) if !r.refused.is_empty() => {
            Outcome::Refused((console, r.refused.into_iter().map(|x| (x.text, x.code)).collect()), None)
        }
        Ok(_) => Outcome::Created(console),
        Err(e) => Outcome::Refused((console, Vec::new()), Some(error_text(&e, t()))),
    }
}

/// Moves the keyboard focus to the title field.
fn focus_title() {
    if let Some(input) = document()
        .get_element_by_id("c-title")
        .and_then(|e| leptos::wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
    {
        let _ = input.focus();
    }
}

#[component]
pub fn NewConversationPage() -> impl IntoView {
    crate::pages::document_title(|| t().moderator.create_title.to_string());
    view! { <RequireModerator><AdminBar/><NewConversationForm/></RequireModerator> }
}

#[component]
fn NewConversationForm() -> impl IntoView {
    let form = SettingsForm::new();
    let questions: RwSignal<Vec<QuestionRow>> = RwSignal::new(Vec::new());
    let seeds = RwSignal::new(String::new());
    let error: RwSignal<Option<&'static str>> = RwSignal::new(None);
    let refused: RwSignal<Option<Refusals>> = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let navigate = use_navigate();

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        if form.title.with_untracked(|t| t.trim().is_empty()) {
            error.set(Some(t().moderator.error_title_empty));
            focus_title();
            return;
        }
        let settings = form.settings(questions.with_untracked(|q| asked_questions(q)));
        let body = NewConversation::new(None, settings, Vec::new());
        let seed_texts = seeds.with_untracked(|s| split_seeds(s));
        busy.set(true);
        error.set(None);
        let navigate = navigate.clone();
        spawn_local(async move {
            match create(body, seed_texts).await {
                Outcome::Created(console) => navigate(&console, NavigateOptions::default()),
                Outcome::Refused(refusals, message) => {
                    if message.is_some() {
                        error.set(message);
                    }
                    refused.set(Some(refusals));
                    busy.set(false);
                }
                Outcome::Failed(message) => {
                    error.set(Some(message));
                    busy.set(false);
                }
            }
        });
    };

    view! {
        <section class="moderator create" aria-labelledby="create-title">
            <h1 id="create-title">{move || t().moderator.create_title}</h1>
            <RefusedNotice refused/>
            <form class="stack" on:submit=submit>
                <SettingsFields form/>
                <QuestionFields questions/>
                <SeedsField seeds/>
                <p class="form-error" role="alert" id="create-error" data-testid="create-error">{move || error.get()}</p>
                <button type="submit" class="primary" disabled=move || busy.get()>{move || t().moderator.create_button}</button>
            </form>
        </section>
    }
}

/// The seeds refused when the conversation was made, and the way on to its console.
#[component]
fn RefusedNotice(refused: RwSignal<Option<Refusals>>) -> impl IntoView {
    move || {
        refused.get().map(|(console, items)| view! {
            <div class="callout" role="status" data-testid="create-refused">
                <p>{move || t().moderator.created_with_refusals}</p>
                <ul>{items.into_iter().map(|(text, code)| view! { <li>{text}" "<span class="tag">{code}</span></li> }).collect_view()}</ul>
                <p><a class="button primary" href=console>{move || t().moderator.open_console}</a></p>
            </div>
        })
    }
}

/// Title, description, language, who may post and how posts are moderated.
#[component]
fn SettingsFields(form: SettingsForm) -> impl IntoView {
    let SettingsForm {
        title,
        description,
        language,
        allow_statements,
        strict,
        statement_cap,
        invitation_only,
    } = form;
    view! {
        <label for="c-title">{move || t().moderator.field_title}</label>
        <input id="c-title" name="title" aria-required="true" maxlength="200" aria-describedby="create-error"
            prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev))/>
        <label for="c-description">{move || t().moderator.field_description}</label>
        <textarea id="c-description" name="description" rows="3"
            prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev))></textarea>
        <label for="c-language">{move || t().moderator.field_language}</label>
        <select id="c-language" name="language" on:change=move |ev| language.set(event_target_value(&ev))>
            <option value="id" selected=move || language.get() == "id">{move || t().moderator.language_id}</option>
            <option value="en" selected=move || language.get() == "en">{move || t().moderator.language_en}</option>
        </select>
        <fieldset>
            <legend>{move || t().moderator.field_participation}</legend>
            <label class="check">
                <input type="checkbox" name="allow_statements" prop:checked=move || allow_statements.get()
                    on:change=move |ev| allow_statements.set(event_target_checked(&ev))/>
                {move || t().moderator.field_allow_statements}
            </label>
            <label for="c-statement-cap">{move || t().moderator.field_statement_cap}</label>
            <input id="c-statement-cap" name="statement_cap" type="number" min="0" max="10000" inputmode="numeric"
                class="narrow" aria-describedby="c-statement-cap-hint"
                prop:value=move || statement_cap.get() on:input=move |ev| statement_cap.set(event_target_value(&ev))/>
            <p class="hint" id="c-statement-cap-hint">{move || t().moderator.field_statement_cap_hint}</p>
            <label class="check">
                <input type="checkbox" name="invitation_only" prop:checked=move || invitation_only.get()
                    on:change=move |ev| invitation_only.set(event_target_checked(&ev))/>
                {move || t().codes_console.field_invitation_only}
            </label>
        </fieldset>
        <fieldset>
            <legend>{move || t().moderator.field_moderation}</legend>
            <label class="check">
                <input type="radio" name="moderation" value="strict" prop:checked=move || strict.get()
                    on:change=move |_| strict.set(true)/>
                <span>{move || t().moderator.moderation_strict}</span>
            </label>
            <label class="check">
                <input type="radio" name="moderation" value="open" prop:checked=move || !strict.get()
                    on:change=move |_| strict.set(false)/>
                <span>{move || t().moderator.moderation_open}</span>
            </label>
        </fieldset>
    }
}

/// Optional demographic questions: a label and comma-separated options per row.
#[component]
fn QuestionFields(questions: RwSignal<Vec<QuestionRow>>) -> impl IntoView {
    let next_row = StoredValue::new(0usize);
    let add_question = move |_| {
        let n = next_row.get_value();
        next_row.set_value(n + 1);
        questions.update(|q| {
            q.push(QuestionRow {
                n,
                label: RwSignal::new(String::new()),
                options: RwSignal::new(String::new()),
            })
        });
    };
    view! {
        <fieldset>
            <legend>{move || t().moderator.field_questions}</legend>
            <p class="hint">{move || t().moderator.questions_hint}</p>
            <For each=move || questions.get() key=|q| q.n let:q>
                <div class="question-row">
                    <label for=format!("q-label-{}", q.n)>{move || t().moderator.question_label}</label>
                    <input id=format!("q-label-{}", q.n) prop:value=move || q.label.get()
                        placeholder=move || t().moderator.question_label_example
                        on:input=move |ev| q.label.set(event_target_value(&ev))/>
                    <label for=format!("q-options-{}", q.n)>{move || t().moderator.question_options}</label>
                    <input id=format!("q-options-{}", q.n) prop:value=move || q.options.get()
                        placeholder=move || t().moderator.question_options_example
                        on:input=move |ev| q.options.set(event_target_value(&ev))/>
                    <button type="button" class="secondary"
                        on:click=move |_| questions.update(|v| v.retain(|r| r.n != q.n))>
                        {move || t().moderator.question_remove}
                    </button>
                </div>
            </For>
            <button type="button" class="secondary" on:click=add_question>{move || t().moderator.question_add}</button>
        </fieldset>
    }
}

/// Seed statements, pasted one per line, with their count.
#[component]
fn SeedsField(seeds: RwSignal<String>) -> impl IntoView {
    let seed_count = move || seeds.with(|s| split_seeds(s).len());
    view! {
        <label for="c-seeds">{move || t().moderator.field_seeds}</label>
        <p class="hint" id="seeds-hint">{move || t().moderator.seeds_hint}</p>
        <textarea id="c-seeds" name="seeds" rows="8" aria-describedby="seeds-hint seeds-count"
            prop:value=move || seeds.get() on:input=move |ev| seeds.set(event_target_value(&ev))></textarea>
        <p class="hint" id="seeds-count">{move || (t().moderator.seeds_count)(seed_count())}</p>
    }
}
