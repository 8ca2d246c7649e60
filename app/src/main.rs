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
    leptos::mount::mount_to_body(pages::App);
}
