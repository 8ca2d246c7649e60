//! The app's routes and the pieces every page shares. Each area of the app has its own
//! module: `participant` (voting and posting); with the `console` feature also `moderator`
//! (the console behind /admin), `projector` (/p/<id>) and `report` (/report, /r/<id>). The console is a second build of the
//! same app (`app/console.html`, served by the server under /admin and /p) so that the
//! participant page does not carry the console's code.

#[cfg(feature = "console")]
mod moderator;
mod participant;
#[cfg(feature = "console")]
mod projector;
#[cfg(feature = "console")]
mod report;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::path;

use crate::i18n::{t, use_lang, Lang};

#[component]
pub fn App() -> impl IntoView {
    let lang = RwSignal::new(Lang::initial());
    provide_context(lang);
    Effect::new(move |_| {
        if let Some(el) = document().document_element() {
            let _ = el.set_attribute("lang", lang.get().tag());
        }
    });
    view! {
        <Router>
            <header class="topbar">
                <a class="brand" href="/">"mufakat"</a>
                <LanguageSwitch/>
            </header>
            <main id="main">
                {routes()}
            </main>
        </Router>
    }
}

#[cfg(not(feature = "console"))]
fn routes() -> impl IntoView {
    view! {
        <Routes fallback=|| view! { <NotFound/> }>
            <Route path=path!("/") view=Home/>
            <Route path=path!("/c/:id") view=participant::ConversationPage/>
        </Routes>
    }
}

#[cfg(feature = "console")]
fn routes() -> impl IntoView {
    view! {
        <Routes fallback=|| view! { <NotFound/> }>
            <Route path=path!("/") view=Home/>
            <Route path=path!("/c/:id") view=participant::ConversationPage/>
            <Route path=path!("/admin") view=moderator::AdminHome/>
            <Route path=path!("/admin/login") view=moderator::LoginPage/>
            <Route path=path!("/admin/new") view=moderator::NewConversationPage/>
            <Route path=path!("/admin/c/:id") view=moderator::ConsolePage/>
            <Route path=path!("/p/:id") view=projector::ProjectorPage/>
            <Route path=path!("/report") view=report::ImportPage/>
            <Route path=path!("/r/:id") view=report::StoredReportPage/>
        </Routes>
    }
}

#[component]
pub(crate) fn LanguageSwitch() -> impl IntoView {
    let lang = use_lang();
    view! {
        <button class="lang-switch" lang=move || lang.get().other().tag()
            on:click=move |_| {
                lang.update(|l| *l = l.other());
                lang.get_untracked().remember();
            }>
            {move || t().switch_language}
        </button>
    }
}

#[component]
fn Home() -> impl IntoView {
    view! {
        <section class="panel">
            <h1>{move || t().home_title}</h1>
            <p>{move || t().home_body}</p>
            <p><A href="/c/demo">{move || t().home_demo_link}</A></p>
            // The report and the console are the other bundle: a full page load, not a route here.
            <p><a href="/report" rel="external">{move || t().home_report_link}</a></p>
            <p><a href="/admin" rel="external">{move || t().home_console_link}</a></p>
        </section>
    }
}

/// Keeps the tab's title `<what> · mufakat` in the page's language (each console page says
/// which it is: the moderator console, the projector and the report are one app).
#[cfg(feature = "console")]
pub fn document_title(what: impl Fn() -> String + 'static) {
    Effect::new(move |_| document().set_title(&format!("{} · mufakat", what())));
}

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="panel" data-testid="not-found">
            <h1>{move || t().not_found_title}</h1>
            <p>{move || t().not_found_body}</p>
            <p><a href="/">{move || t().back_home}</a></p>
        </section>
    }
}
