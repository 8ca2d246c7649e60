//! mufakat's browser app: the participant page, rendered client-side by Leptos.

mod client;
mod components;
mod i18n;
mod keys;
mod logstore;
mod pages;
#[cfg(feature = "console")]
mod worker_client;
#[cfg(feature = "console")]
mod worker_protocol;

fn main() {
    console_error_panic_hook::set_once();
    // Tells app/boot.js (the participant page's first card before the app loaded) that the app
    // now sends the vote queue and keeps the token.
    let _ = js_sys::Reflect::set(&js_sys::global(), &"mufakatApp".into(), &true.into());
    leptos::mount::mount_to_body(pages::App);
}
