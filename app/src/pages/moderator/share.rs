//! Share a conversation: the participant link, the projector link and a QR code (SVG from the
//! server), printable on its own (see the print rules in style/moderator.css); and, for sites
//! that embed it with their own user ids, the secret they sign those ids with
//! (docs/embedding.md, served at /docs/embedding.md).

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos::wasm_bindgen::JsCast;
use mufakat_core::api::admin::XidSecret;

use super::error_text;
use crate::client::{self, conversation_url};
use crate::i18n::t;

fn origin() -> String {
    window().location().origin().unwrap_or_default()
}

#[component]
pub(super) fn SharePanel(id: Signal<String>, title: String) -> impl IntoView {
    let link = move || format!("{}/c/{}", origin(), id.get());
    let projector = move || format!("{}/p/{}", origin(), id.get());
    let print = move |_| {
        let _ = window().print();
    };
    view! {
        <section class="card share print-sheet" aria-labelledby="share-title" data-testid="share">
            <h2 id="share-title">{move || t().moderator.share_title}</h2>
            <p class="print-only print-title">{title}</p>
            <img class="qr" src=move || conversation_url(&id.get(), "/qr.svg")
                alt=move || t().moderator.share_qr_alt width="220" height="220" data-testid="qr"/>
            <p class="print-only print-join">{move || t().moderator.projector_join}</p>
            // On paper the link is text that wraps inside the sheet (an input would not).
            <p class="print-only print-link" data-testid="print-link">{link}</p>
            <label for="share-link" class="no-print">{move || t().moderator.share_link}</label>
            <input id="share-link" class="no-print" readonly prop:value=link data-testid="share-link"
                on:focus=move |ev| {
                    use leptos::wasm_bindgen::JsCast;
                    if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                        input.select();
                    }
                }/>
            <label for="projector-link" class="no-print">{move || t().moderator.share_projector}</label>
            <input id="projector-link" class="no-print" readonly prop:value=projector/>
            <button class="secondary no-print" on:click=print>{move || t().moderator.share_print}</button>
            <EmbedSecret id/>
        </section>
    }
}

/// Writes `text` to the clipboard; `false` where the browser offers no clipboard (a page not
/// served over HTTPS or from localhost) or refuses.
async fn copy_to_clipboard(text: &str) -> bool {
    let Some(navigator) = web_sys::window().map(|w| w.navigator()) else { return false };
    let clipboard = js_sys::Reflect::get(&navigator, &"clipboard".into()).ok().filter(|c| c.is_object());
    let Some(clipboard) = clipboard else { return false };
    let clipboard: web_sys::Clipboard = clipboard.unchecked_into();
    wasm_bindgen_futures::JsFuture::from(clipboard.write_text(text)).await.is_ok()
}

/// The conversation's xid secret: fetched and shown only when asked for, copyable, and
/// replaceable after a confirmation (every link signed with the old one stops working).
#[component]
fn EmbedSecret(id: Signal<String>) -> impl IntoView {
    let m = move || t().moderator;
    let secret: RwSignal<Option<String>> = RwSignal::new(None);
    let confirming = RwSignal::new(false);
    // What the last action did, read out by screen readers.
    let status: RwSignal<Option<String>> = RwSignal::new(None);
    let input = NodeRef::<leptos::html::Input>::new();
    let ask_button = NodeRef::<leptos::html::Button>::new();
    let cancel_button = NodeRef::<leptos::html::Button>::new();
    let path = move |rest: &str| format!("/conversations/{}/xid-secret{rest}", id.get_untracked());
    let shown = move || secret.with(Option::is_some);

    let toggle = move |_| {
        status.set(None);
        if secret.with_untracked(Option::is_some) {
            // Hidden means gone from the page, not just out of sight.
            secret.set(None);
            return;
        }
        spawn_local(async move {
            match client::admin::<(), XidSecret>("GET", &path(""), None).await {
                Ok(s) => secret.set(Some(s.secret)),
                Err(e) => status.set(Some(error_text(&e, t()).to_string())),
            }
        });
    };
    let copy = move |_| {
        let Some(text) = secret.get_untracked() else { return };
        spawn_local(async move {
            let copied = copy_to_clipboard(&text).await;
            if !copied {
                if let Some(field) = input.get_untracked() {
                    let _ = field.focus();
                    field.select();
                }
            }
            status.set(Some(if copied { m().embed_copied } else { m().embed_copy_failed }.to_string()));
        });
    };
    // The confirmation takes the focus on its safe choice (once shown), and gives it back
    // when dismissed.
    let ask = move |_| {
        confirming.set(true);
        request_animation_frame(move || {
            if let Some(button) = cancel_button.get_untracked() {
                let _ = button.focus();
            }
        });
    };
    let cancel = move |_| {
        confirming.set(false);
        if let Some(button) = ask_button.get_untracked() {
            let _ = button.focus();
        }
    };
    let rotate = move |_| {
        spawn_local(async move {
            let answer = client::admin::<(), XidSecret>("POST", &path("/rotate"), None).await;
            confirming.set(false);
            match answer {
                Ok(s) => {
                    secret.set(Some(s.secret));
                    status.set(Some(m().embed_rotated.to_string()));
                }
                Err(e) => status.set(Some(error_text(&e, t()).to_string())),
            }
            if let Some(button) = ask_button.get_untracked() {
                let _ = button.focus();
            }
        });
    };

    view! {
        <div class="embed no-print" data-testid="embed">
            <h3>{move || m().embed_title}</h3>
            <p>{move || m().embed_intro}</p>
            <p><a href="/docs/embedding.md" target="_blank" rel="noopener">{move || m().embed_guide}</a></p>
            <button type="button" class="secondary" on:click=toggle aria-controls="xid-secret-box"
                aria-expanded=move || shown().to_string() data-testid="embed-show">
                {move || if shown() { m().embed_hide } else { m().embed_show }}
            </button>
            <div id="xid-secret-box" class="secret-box" hidden=move || !shown()>
                <label for="xid-secret">{move || m().embed_secret_label}</label>
                <input id="xid-secret" class="secret" readonly spellcheck="false" autocomplete="off"
                    node_ref=input prop:value=move || secret.get().unwrap_or_default() data-testid="xid-secret"/>
                <button type="button" class="secondary" on:click=copy data-testid="embed-copy">{move || m().embed_copy}</button>
            </div>
            <button type="button" class="danger" node_ref=ask_button hidden=move || confirming.get()
                on:click=ask data-testid="embed-rotate">
                {move || m().embed_rotate}
            </button>
            <div class="confirm" role="group" aria-labelledby="rotate-warning" hidden=move || !confirming.get()>
                <p id="rotate-warning">{move || m().embed_rotate_warning}</p>
                <button type="button" class="danger" on:click=rotate data-testid="embed-rotate-confirm">
                    {move || m().embed_rotate_confirm}
                </button>
                <button type="button" class="secondary" node_ref=cancel_button on:click=cancel>
                    {move || m().embed_rotate_cancel}
                </button>
            </div>
            <p class="notice" role="status" aria-live="polite" data-testid="embed-status">{move || status.get()}</p>
        </div>
    }
}
