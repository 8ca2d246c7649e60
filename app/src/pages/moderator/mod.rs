//! The moderator console, behind the admin login: sign in (`/admin/login`), the list of
//! conversations (`/admin`), a new conversation (`/admin/new`) and one conversation's console
//! (`/admin/c/<id>`: share, moderation queue, statements, dashboard, settings).
//!
//! Every page first asks the server who is signed in (`GET /api/v1/admin/me`); without a
//! session it sends the browser to the login page, which returns here afterwards. The server
//! refuses every admin request without a session anyway: the redirect is for people, not a
//! security boundary.

mod codes;
mod console;
mod create;
mod dashboard;
mod outcomes;
mod queue;
mod share;
mod state;
mod translations;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_location, use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use mufakat_core::api::admin::{ConversationSummary, LoginRequest, Moderator};

pub use console::ConsolePage;
pub use create::NewConversationPage;

use crate::client::{self, ApiError};
use crate::i18n::{t, Catalogue};

/// The message for a failed admin request.
pub(crate) fn error_text(e: &ApiError, c: &'static Catalogue) -> &'static str {
    match (e.status(), e.code()) {
        (_, "network") => c.error_network,
        (Some(401), _) => c.moderator.error_session,
        (Some(404), _) => c.moderator.error_not_found,
        (Some(409), _) => c.moderator.error_conflict,
        (Some(400), _) | (Some(422), _) => c.moderator.error_invalid,
        _ => c.error_other,
    }
}

/// Shows `children` to a signed-in moderator; sends anyone else to the login page.
#[component]
fn RequireModerator(children: ChildrenFn) -> impl IntoView {
    let me: RwSignal<Option<Result<Moderator, ApiError>>> = RwSignal::new(None);
    let location = use_location();
    let navigate = use_navigate();
    Effect::new(move |_| {
        let navigate = navigate.clone();
        let here = location.pathname.get_untracked();
        spawn_local(async move {
            let answer = client::admin::<(), Moderator>("GET", "/me", None).await;
            if matches!(&answer, Err(e) if e.status() == Some(401)) {
                let next = js_encode(&here);
                navigate(
                    &format!("/admin/login?next={next}"),
                    NavigateOptions { replace: true, ..Default::default() },
                );
            }
            me.set(Some(answer));
        });
    });
    move || match me.get() {
        Some(Ok(m)) => {
            provide_context(m);
            children().into_any()
        }
        Some(Err(e)) if e.status() != Some(401) => {
            view! { <p class="error" role="alert">{move || error_text(&e, t())}</p> }.into_any()
        }
        _ => view! { <p class="loading">{move || t().loading}</p> }.into_any(),
    }
}

fn js_encode(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "/-_.".contains(c) {
                c.to_string()
            } else {
                format!("%{:02X}", c as u32 & 0xff)
            }
        })
        .collect()
}

/// The bar above every console page: who is signed in, and sign out.
#[component]
fn AdminBar() -> impl IntoView {
    let me = use_context::<Moderator>();
    let navigate = use_navigate();
    let logout = move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            let _ = client::admin_post_ignore("/logout").await;
            client::remember_moderator(false);
            navigate("/admin/login", NavigateOptions::default());
        });
    };
    view! {
        <nav class="admin-bar" aria-label=move || t().moderator.nav_label>
            <a href="/admin">{move || t().moderator.nav_conversations}</a>
            <span class="admin-user">{move || (t().moderator.signed_in_as)(me.as_ref().map(|m| m.username.as_str()).unwrap_or(""))}</span>
            <button class="secondary" on:click=logout data-testid="logout">{move || t().moderator.logout}</button>
        </nav>
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    crate::pages::document_title(|| t().moderator.login_title.to_string());
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error: RwSignal<Option<&'static str>> = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let query = use_query_map();
    let navigate = use_navigate();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let body = LoginRequest {
            username: username.get_untracked().trim().to_string(),
            password: password.get_untracked(),
        };
        let next = query
            .with_untracked(|q| q.get("next"))
            .filter(|n| n.starts_with("/admin") && !n.starts_with("/admin/login"));
        let navigate = navigate.clone();
        spawn_local(async move {
            match client::admin::<_, Moderator>("POST", "/login", Some(&body)).await {
                Ok(_) => navigate(
                    next.as_deref().unwrap_or("/admin"),
                    NavigateOptions { replace: true, ..Default::default() },
                ),
                Err(e) => {
                    error.set(Some(if e.status() == Some(401) {
                        t().moderator.login_failed
                    } else {
                        error_text(&e, t())
                    }));
                    busy.set(false);
                }
            }
        });
    };
    view! {
        <section class="panel login moderator" aria-labelledby="login-title">
            <h1 id="login-title">{move || t().moderator.login_title}</h1>
            <p class="muted">{move || t().moderator.login_intro}</p>
            <form on:submit=submit class="stack">
                <label for="login-username">{move || t().moderator.username}</label>
                <input id="login-username" name="username" autocomplete="username" required
                    prop:value=move || username.get() on:input=move |ev| username.set(event_target_value(&ev))/>
                <label for="login-password">{move || t().moderator.password}</label>
                <input id="login-password" name="password" type="password" autocomplete="current-password" required
                    prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev))/>
                <p class="form-error" role="alert" data-testid="login-error">{move || error.get()}</p>
                <button type="submit" class="primary" disabled=move || busy.get()>{move || t().moderator.login_button}</button>
            </form>
        </section>
    }
}

#[component]
pub fn AdminHome() -> impl IntoView {
    crate::pages::document_title(|| t().moderator.list_title.to_string());
    view! { <RequireModerator><AdminBar/><ConversationList/></RequireModerator> }
}

#[component]
fn ConversationList() -> impl IntoView {
    let list: RwSignal<Option<Result<Vec<ConversationSummary>, ApiError>>> = RwSignal::new(None);
    spawn_local(async move {
        list.set(Some(client::admin::<(), Vec<ConversationSummary>>("GET", "/conversations", None).await));
    });
    view! {
        <section class="moderator" aria-labelledby="list-title">
            <div class="section-head">
                <h1 id="list-title">{move || t().moderator.list_title}</h1>
                <a class="button primary" href="/admin/new" data-testid="new-conversation">{move || t().moderator.new_conversation}</a>
            </div>
            {move || match list.get() {
                None => view! { <p class="loading">{move || t().loading}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{move || error_text(&e, t())}</p> }.into_any(),
                Some(Ok(items)) if items.is_empty() => view! { <p class="empty">{move || t().moderator.list_empty}</p> }.into_any(),
                Some(Ok(items)) => view! {
                    <table class="data-table" data-testid="conversation-list">
                        <thead><tr>
                            <th scope="col">{move || t().moderator.col_title}</th>
                            <th scope="col">{move || t().moderator.col_state}</th>
                            <th scope="col" class="num">{move || t().moderator.stat_participants}</th>
                            <th scope="col" class="num">{move || t().moderator.stat_votes}</th>
                            <th scope="col" class="num">{move || t().moderator.stat_pending}</th>
                        </tr></thead>
                        <tbody>
                            {items.into_iter().map(|c| {
                                let closed = c.closed;
                                view! {
                                    <tr>
                                        <td><a href=format!("/admin/c/{}", c.id)>{c.title}</a></td>
                                        <td><span class=if closed { "state closed" } else { "state open" }>
                                            {move || if closed { t().moderator.state_closed } else { t().moderator.state_open }}
                                        </span></td>
                                        <td class="num">{c.participants}</td>
                                        <td class="num">{c.votes}</td>
                                        <td class="num">{c.pending_statements}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}
        </section>
    }
}
