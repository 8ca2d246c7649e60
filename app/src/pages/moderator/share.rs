//! Share a conversation: the participant link, the projector link and a QR code (SVG from the
//! server), printable on its own (see the print rules in style/moderator.css).

use leptos::prelude::*;

use crate::client::conversation_url;
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
            <label for="share-link">{move || t().moderator.share_link}</label>
            <input id="share-link" readonly prop:value=link data-testid="share-link"
                on:focus=move |ev| {
                    use leptos::wasm_bindgen::JsCast;
                    if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                        input.select();
                    }
                }/>
            <label for="projector-link" class="no-print">{move || t().moderator.share_projector}</label>
            <input id="projector-link" class="no-print" readonly prop:value=projector/>
            <button class="secondary no-print" on:click=print>{move || t().moderator.share_print}</button>
        </section>
    }
}
