//! mufakat's browser app: the participant page, rendered client-side by Leptos.

mod client;
mod components;
mod i18n;
mod pages;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(pages::App);
}
