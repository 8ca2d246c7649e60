//! Joining with an invitation code (`mufakat_core::api::codes`): the code from a printed
//! slip's link (`#code=…`, a fragment, never sent to a server) or typed into [`CodeForm`].

use leptos::prelude::*;

use crate::i18n::t;

/// The code in the page's fragment (`#code=ABCDE-FGHJK`), taken off the address bar at once
/// so it stays neither on screen nor in the browser's history.
pub(super) fn code_from_fragment() -> Option<String> {
    let window = web_sys::window()?;
    let location = window.location();
    let hash = location.hash().ok()?;
    let code = hash.strip_prefix("#code=").map(|c| {
        js_sys::decode_uri_component(c).ok().and_then(|c| c.as_string()).unwrap_or_else(|| c.to_string())
    })?;
    let bare =
        format!("{}{}", location.pathname().unwrap_or_default(), location.search().unwrap_or_default());
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&bare));
    }
    Some(code).filter(|c| !c.trim().is_empty())
}

/// What the server's refusal of a code means, in the page's language.
pub(super) fn error_text(code: &str) -> &'static str {
    let c = t().codes;
    match code {
        "code_required" => c.error_required,
        "code_malformed" => c.error_malformed,
        "code_used" => c.error_used,
        "code_revoked" => c.error_revoked,
        "rate_limited" => c.error_rate_limited,
        _ => c.error_unknown,
    }
}

/// Whether a join error is about the invitation code (the form is shown again with it).
pub(super) fn is_code_error(code: &str) -> bool {
    code.starts_with("code_") || code == "rate_limited"
}

/// The invitation code form. `error` is the code of the server's last refusal, if any.
#[component]
pub(super) fn CodeForm(
    typed: RwSignal<String>,
    error: Option<String>,
    busy: RwSignal<bool>,
    on_submit: Callback<String>,
) -> impl IntoView {
    let c = move || t().codes;
    let input = NodeRef::<leptos::html::Input>::new();
    let has_error = error.is_some();
    let error_line = error.clone();
    // After a refusal the field takes the focus, so a keyboard or screen-reader user is
    // where the correction goes (the alert is read out).
    if has_error {
        request_animation_frame(move || {
            if let Some(i) = input.get_untracked() {
                let _ = i.focus();
            }
        });
    }
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !busy.get_untracked() {
            on_submit.run(typed.get_untracked());
        }
    };
    view! {
        <section class="card code-form" aria-labelledby="code-heading" data-testid="code-form">
            <h1 id="code-heading">{move || c().form_heading}</h1>
            <p>{move || c().form_intro}</p>
            <form on:submit=submit>
                <label for="invitation-code">{move || c().field_label}</label>
                <p id="code-hint" class="hint">{move || c().field_hint}</p>
                <input id="invitation-code" name="code" node_ref=input autocomplete="off" autocapitalize="characters"
                    spellcheck="false" inputmode="text" maxlength="40" required
                    aria-describedby=if has_error { "code-hint code-error" } else { "code-hint" }
                    aria-invalid=has_error.to_string()
                    prop:value=move || typed.get()
                    on:input=move |ev| typed.set(event_target_value(&ev))
                    data-testid="code-input"/>
                <button type="submit" class="primary" disabled=move || busy.get() data-testid="code-join">
                    {move || if busy.get() { c().joining } else { c().join_button }}
                </button>
            </form>
            {error_line.map(|e| view! {
                <p id="code-error" class="error" role="alert" data-testid="code-error">{move || error_text(&e)}</p>
            })}
        </section>
    }
}
