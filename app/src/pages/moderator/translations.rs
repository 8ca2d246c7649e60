//! The console's translations: add or correct one statement's translation into a language
//! (the form shows the current one to correct), remove a wrong one after a confirmation (its
//! readers then see the original), or import a CSV file of them, all rows or none, the line
//! to fix named (docs/translations.md).

use leptos::prelude::*;
use leptos::task::spawn_local;
use mufakat_core::api::admin::StatementAdmin;
use mufakat_core::api::translations::{
    self as tr, TranslationImport, TranslationImportResult, TranslationText, LANGUAGES,
};
use mufakat_core::model::StatementId;
use wasm_bindgen::JsCast;

use super::error_text;
use super::state::Console;
use crate::client::ApiError;
use crate::i18n::t;

/// The line a refused import names (`line 7: …`).
fn refused_line(e: &ApiError) -> Option<(u64, String)> {
    let ApiError::Server { code, message, .. } = e else { return None };
    if code != "bad_translation_row" {
        return None;
    }
    let line = message.strip_prefix("line ")?.split(':').next()?.parse().ok()?;
    Some((line, message.clone()))
}

#[component]
pub(super) fn TranslationsPanel(console: Console) -> impl IntoView {
    let statement = RwSignal::new(None::<StatementId>);
    let language = RwSignal::new(String::new());
    let text = RwSignal::new(String::new());
    let detail = RwSignal::new(None::<String>);
    let by_id =
        move |id: StatementId| console.statements.with(|all| all.iter().find(|s| s.id == id).cloned());
    // The statement picked (the first until one is), and the languages it can go into.
    let current =
        move || statement.get().or_else(|| console.statements.with(|a| a.iter().map(|s| s.id).min()));
    let targets = move || {
        let own = current().and_then(by_id).map(|s| s.language).unwrap_or_default();
        LANGUAGES.iter().filter(move |l| l.tag != own).collect::<Vec<_>>()
    };
    let target = move || {
        let chosen = language.get();
        let list = targets();
        if list.iter().any(|l| l.tag == chosen) {
            chosen
        } else {
            list.first().map(|l| l.tag.to_string()).unwrap_or_default()
        }
    };
    // Picking a statement or language shows its translation so far, to correct (only then:
    // the console's polling must not wipe what is being typed).
    let picked = Memo::new(move |_| (current(), target()));
    let confirming = RwSignal::new(false);
    Effect::new(move |_| {
        let (id, lang) = picked.get();
        let existing = untrack(|| id.and_then(by_id))
            .and_then(|s| s.translations.into_iter().find(|x| x.language == lang).map(|x| x.text));
        text.set(existing.unwrap_or_default());
        confirming.set(false);
    });
    // The picked statement has a translation into the picked language, which can be removed.
    let translated = move || {
        let lang = target();
        current().and_then(by_id).is_some_and(|s| s.translations.iter().any(|x| x.language == lang))
    };
    let target_name = move || tr::language(&target()).map_or_else(target, |l| l.name.to_string());
    let ask_button = NodeRef::<leptos::html::Button>::new();
    let cancel_button = NodeRef::<leptos::html::Button>::new();
    let text_box = NodeRef::<leptos::html::Textarea>::new();
    let ask = move |_| {
        confirming.set(true);
        request_animation_frame(move || {
            if let Some(b) = cancel_button.get_untracked() {
                let _ = b.focus();
            }
        });
    };
    let cancel = move |_| {
        confirming.set(false);
        if let Some(b) = ask_button.get_untracked() {
            let _ = b.focus();
        }
    };
    let remove = move |_| {
        let (Some(id), lang) = (current(), target()) else { return };
        let path = console.path(&format!("/statements/{id}/translations/{lang}"));
        spawn_local(async move {
            let answer = crate::client::admin::<(), StatementAdmin>("DELETE", &path, None).await;
            confirming.set(false);
            match answer {
                Ok(updated) => {
                    console.merge(vec![updated]);
                    text.set(String::new());
                    console.notice.set(Some(t().moderator.translation_removed.to_string()));
                    if let Some(b) = text_box.get_untracked() {
                        let _ = b.focus();
                    }
                }
                Err(e) => console.notice.set(Some(error_text(&e, t()).to_string())),
            }
        });
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Some(id), lang) = (current(), target()) else { return };
        let body = TranslationText { text: text.get_untracked() };
        let path = console.path(&format!("/statements/{id}/translations/{lang}"));
        spawn_local(async move {
            match crate::client::admin::<_, StatementAdmin>("PUT", &path, Some(&body)).await {
                Ok(updated) => {
                    console.merge(vec![updated]);
                    console.notice.set(Some(t().moderator.translation_saved.to_string()));
                }
                Err(e) => console.notice.set(Some(error_text(&e, t()).to_string())),
            }
        });
    };
    let import = move |ev: leptos::ev::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
        input.set_value("");
        let path = console.path("/translations");
        spawn_local(async move {
            let Ok(csv) = wasm_bindgen_futures::JsFuture::from(file.text()).await else { return };
            let body = TranslationImport { csv: csv.as_string().unwrap_or_default() };
            match crate::client::admin::<_, TranslationImportResult>("POST", &path, Some(&body)).await {
                Ok(r) => {
                    detail.set(None);
                    console.notice.set(Some((t().moderator.translations_imported)(r.imported)));
                    console.reload();
                }
                Err(e) => match refused_line(&e) {
                    Some((line, message)) => {
                        detail.set(Some(message));
                        console.notice.set(Some((t().moderator.translations_import_refused)(line)));
                    }
                    None => console.notice.set(Some(error_text(&e, t()).to_string())),
                },
            }
        });
    };
    let m = move || t().moderator;
    let options = move || {
        console.statements.with(|all| {
            let mut v: Vec<(StatementId, String)> = all.iter().map(|s| (s.id, s.text.clone())).collect();
            v.sort_by_key(|(id, _)| *id);
            v
        })
    };
    view! {
        <section class="card translations" aria-labelledby="translations-title" data-testid="translations">
            <h2 id="translations-title">{move || m().translations_title}</h2>
            <p class="hint">{move || m().translations_help}</p>
            <form class="stack" on:submit=save>
                <label for="translation-statement">{move || m().translation_statement}</label>
                <select id="translation-statement"
                    on:change=move |ev| statement.set(event_target_value(&ev).parse().ok())>
                    {move || options().into_iter().map(|(id, text)| {
                        let label = format!("#{id} {}", text.chars().take(80).collect::<String>());
                        view! { <option value=id selected=move || current() == Some(id)>{label}</option> }
                    }).collect_view()}
                </select>
                <label for="translation-language">{move || m().translation_language}</label>
                <select id="translation-language" on:change=move |ev| language.set(event_target_value(&ev))>
                    {move || targets().into_iter().map(|l| view! {
                        <option value=l.tag lang=l.tag selected=move || target() == l.tag>{l.name}</option>
                    }).collect_view()}
                </select>
                <label for="translation-text">{move || m().translation_text}</label>
                <textarea id="translation-text" rows="3" lang=target node_ref=text_box
                    prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                <button type="submit" class="secondary">{move || m().translation_save}</button>
                <Show when=translated>
                    <button type="button" class="danger" node_ref=ask_button hidden=move || confirming.get()
                        on:click=ask data-testid="translation-remove">{move || m().translation_remove}</button>
                    <div class="confirm" role="group" aria-labelledby="translation-remove-warning"
                        hidden=move || !confirming.get()>
                        <p id="translation-remove-warning">{move || (m().translation_remove_warning)(&target_name())}</p>
                        <button type="button" class="danger" on:click=remove data-testid="translation-remove-confirm">
                            {move || m().translation_remove_confirm}
                        </button>
                        <button type="button" class="secondary" node_ref=cancel_button on:click=cancel>
                            {move || m().translation_remove_cancel}
                        </button>
                    </div>
                </Show>
            </form>
            <div class="stack">
                <label for="translations-file">{move || m().translations_import_label}</label>
                <input id="translations-file" type="file" accept=".csv,text/csv" on:change=import/>
                <Show when=move || detail.with(Option::is_some)>
                    <p class="hint" data-testid="translations-import-detail">{move || detail.get()}</p>
                </Show>
            </div>
        </section>
    }
}
