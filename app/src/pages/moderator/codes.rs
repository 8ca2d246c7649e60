//! Invitation codes in the console: how many are unused, used and withdrawn; make a batch and
//! print it as a sheet of cut-out slips (each with its QR code, from the server, and the code
//! to type); withdraw one code or every unused one. A batch is shown only once: the server
//! keeps a fingerprint of each code, not the code, so the slips on screen are the only copy
//! until the page is left.
//!
//! Printing uses the share sheet's pipeline (the browser's print, `style/moderator.css`'s
//! print rules): while the slips print, `<html>` carries `print-codes`, which prints the
//! slips instead of the share card.

use leptos::prelude::*;
use leptos::task::spawn_local;
use mufakat_core::api::codes::{CodeCounts, GenerateCodes, GeneratedCodes, NewCode, RevokeCodes};

use super::error_text;
use super::state::Console;
use crate::client::{self, ApiError};
use crate::i18n::t;

/// What a failed codes request says: the server's own words for code refusals (they name
/// the code's state), the console's usual ones otherwise.
fn failure(e: &ApiError) -> String {
    match e {
        ApiError::Server { code, message, .. } if code.starts_with("code_") => message.clone(),
        e => error_text(e, t()).to_string(),
    }
}

/// The QR code's SVG document as an image address (the page's CSP allows `data:` images).
fn svg_data_url(svg: &str) -> String {
    let encoded = web_sys::window().and_then(|w| w.btoa(svg).ok()).unwrap_or_default();
    format!("data:image/svg+xml;base64,{encoded}")
}

fn print_slips() {
    let Some(window) = web_sys::window() else { return };
    let root = window.document().and_then(|d| d.document_element());
    if let Some(root) = &root {
        let _ = root.class_list().add_1("print-codes");
    }
    let _ = window.print();
    if let Some(root) = &root {
        let _ = root.class_list().remove_1("print-codes");
    }
}

#[component]
pub(super) fn InvitationCodes(console: Console, title: String) -> impl IntoView {
    let c = move || t().codes_console;
    let count = RwSignal::new(String::from("20"));
    let batch: RwSignal<Vec<NewCode>> = RwSignal::new(Vec::new());
    let status: RwSignal<Option<String>> = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let one = RwSignal::new(String::new());
    let ask_button = NodeRef::<leptos::html::Button>::new();
    let cancel_button = NodeRef::<leptos::html::Button>::new();
    let counts = move || console.codes.get().unwrap_or_default();

    let generate = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(n) = count.get_untracked().trim().parse::<u32>() else {
            status.set(Some(t().moderator.error_invalid.to_string()));
            return;
        };
        busy.set(true);
        spawn_local(async move {
            let body = GenerateCodes { count: n };
            match client::admin::<_, GeneratedCodes>("POST", &console.path("/codes"), Some(&body)).await {
                Ok(g) => {
                    status.set(Some((c().generated)(g.codes.len())));
                    batch.set(g.codes);
                    console.codes.set(Some(g.counts));
                }
                Err(e) => status.set(Some(failure(&e))),
            }
            busy.set(false);
        });
    };
    let revoke = move |code: Option<String>| {
        spawn_local(async move {
            let body = RevokeCodes { code: code.clone() };
            let answer =
                client::admin::<_, CodeCounts>("POST", &console.path("/codes/revoke"), Some(&body)).await;
            confirming.set(false);
            match answer {
                Ok(n) => {
                    console.codes.set(Some(n));
                    status.set(Some(c().revoked.to_string()));
                    if code.is_some() {
                        one.set(String::new());
                    } else {
                        batch.set(Vec::new());
                    }
                }
                Err(e) => status.set(Some(failure(&e))),
            }
            if let Some(b) = ask_button.get_untracked() {
                let _ = b.focus();
            }
        });
    };
    let ask = move |_| {
        confirming.set(true);
        request_animation_frame(move || {
            if let Some(b) = cancel_button.get_untracked() {
                let _ = b.focus();
            }
        });
    };
    let revoke_one = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        revoke(Some(one.get_untracked()));
    };

    view! {
        <section class="card codes" aria-labelledby="codes-title" data-testid="codes">
            <h2 id="codes-title">{move || c().title}</h2>
            <p>{move || c().intro}</p>
            <p data-testid="code-counts">{move || { let n = counts(); (c().counts)(n.unused, n.used, n.revoked) }}</p>
            <form class="inline-form" on:submit=generate>
                <label for="code-count">{move || c().count_label}</label>
                <input id="code-count" type="number" min="1" max="200" required
                    prop:value=move || count.get() on:input=move |ev| count.set(event_target_value(&ev))
                    data-testid="code-count"/>
                <button type="submit" class="primary" disabled=move || busy.get() data-testid="code-generate">
                    {move || c().generate}
                </button>
            </form>
            <p class="notice" role="status" aria-live="polite" data-testid="codes-status">{move || status.get()}</p>
            <Show when=move || !batch.with(Vec::is_empty)>
                <p class="hint">{move || c().only_copy}</p>
                <button type="button" class="primary" on:click=move |_| print_slips() data-testid="code-print">
                    {move || c().print}
                </button>
            </Show>
            <form class="inline-form" on:submit=revoke_one>
                <label for="code-revoke">{move || c().revoke_one_label}</label>
                <input id="code-revoke" autocomplete="off" spellcheck="false" maxlength="40" required
                    prop:value=move || one.get() on:input=move |ev| one.set(event_target_value(&ev))
                    data-testid="code-revoke-input"/>
                <button type="submit" class="secondary" data-testid="code-revoke-one">{move || c().revoke_one}</button>
            </form>
            <button type="button" class="danger" node_ref=ask_button hidden=move || confirming.get()
                on:click=ask data-testid="code-revoke-all">{move || c().revoke_all}</button>
            <div class="confirm" role="group" aria-labelledby="revoke-all-warning" hidden=move || !confirming.get()>
                <p id="revoke-all-warning">{move || c().revoke_all_warning}</p>
                <button type="button" class="danger" on:click=move |_| revoke(None) data-testid="code-revoke-all-confirm">
                    {move || c().revoke_all_confirm}
                </button>
                <button type="button" class="secondary" node_ref=cancel_button
                    on:click=move |_| { confirming.set(false); if let Some(b) = ask_button.get_untracked() { let _ = b.focus(); } }>
                    {move || c().revoke_cancel}
                </button>
            </div>
            <Slips batch title/>
        </section>
    }
}

/// The batch as cut-out slips: on screen a preview, on paper the whole sheet.
#[component]
fn Slips(batch: RwSignal<Vec<NewCode>>, title: String) -> impl IntoView {
    let c = move || t().codes_console;
    let title = StoredValue::new(title);
    view! {
        <Show when=move || !batch.with(Vec::is_empty)>
            <ul class="code-sheet" aria-label=move || c().sheet_label data-testid="code-sheet">
                <For each=move || batch.get() key=|n| n.code.clone() let:slip>
                    <li class="slip" data-testid="slip">
                        <p class="slip-title">{title.get_value()}</p>
                        <p class="slip-heading">{move || c().slip_heading}</p>
                        <img class="slip-qr" src=svg_data_url(&slip.qr_svg) width="160" height="160"
                            alt={ let code = slip.code.clone(); move || (c().slip_qr_alt)(&code) }/>
                        <p>{move || c().slip_scan}" "{move || c().slip_or_type}</p>
                        <p class="slip-link">{slip.link.split('#').next().unwrap_or_default().to_string()}</p>
                        <p class="slip-code" data-testid="slip-code">{slip.code.clone()}</p>
                        <p class="slip-once">{move || c().slip_once}</p>
                    </li>
                </For>
            </ul>
        </Show>
    }
}
