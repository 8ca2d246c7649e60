//! One conversation's console: status and close/reopen, share, the moderation queue, every
//! statement, the dashboard and the settings. Kept current by the conversation's live event
//! stream, and by a slow poll for what the public stream does not carry (statements awaiting
//! moderation are not public).

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use mufakat_core::api::admin::{ConversationAdmin, SettingsChange};
use send_wrapper::SendWrapper;

use super::codes::InvitationCodes;
use super::dashboard::Dashboard;
use super::outcomes::OutcomesPanel;
use super::queue::{ModerationQueue, SeedForm, StatementList};
use super::share::SharePanel;
use super::state::Console;
use super::translations::TranslationsPanel;
use super::{error_text, AdminBar, RequireModerator};
use crate::client::{self, LiveStream};
use crate::i18n::t;

const POLL_EVERY: Duration = Duration::from_secs(4);

#[component]
pub fn ConsolePage() -> impl IntoView {
    crate::pages::document_title(|| t().home_console_link.to_string());
    view! { <RequireModerator><AdminBar/><ConsoleBody/></RequireModerator> }
}

#[component]
fn ConsoleBody() -> impl IntoView {
    let params = use_params_map();
    let id = Signal::derive(move || params.read().get("id").unwrap_or_default());
    let console = Console::new(id);
    let stream: StoredValue<Option<SendWrapper<LiveStream>>> = StoredValue::new(None);
    Effect::new(move |_| {
        let id = id.get();
        let path = format!("/conversations/{id}");
        spawn_local(async move {
            let loaded = client::admin::<(), ConversationAdmin>("GET", &path, None).await;
            console.conversation.set(Some(loaded));
        });
        console.reload();
        let on_event = move |event| {
            if let mufakat_core::api::events::LiveEvent::Outcome { .. } = event {
                super::outcomes::reload(console);
            }
            if let mufakat_core::api::events::LiveEvent::Closed { closed } = event {
                console.conversation.update(|c| {
                    if let Some(Ok(c)) = c {
                        c.closed = closed;
                    }
                });
            }
            console.reload();
        };
        stream.set_value(LiveStream::open(&id, on_event, |_| {}).map(SendWrapper::new));
    });
    let poll = set_interval_with_handle(move || console.reload(), POLL_EVERY).ok();
    on_cleanup(move || {
        stream.set_value(None);
        if let Some(p) = poll {
            p.clear();
        }
    });

    move || {
        match console.conversation.get() {
        None => view! { <p class="loading">{move || t().loading}</p> }.into_any(),
        Some(Err(e)) => view! { <p class="error" role="alert">{move || error_text(&e, t())}</p> }.into_any(),
        Some(Ok(c)) => view! {
            <div class="moderator console" data-testid="console">
                <ConsoleHead console=console title=c.title.clone()/>
                <p class="notice" role="status" aria-live="polite" data-testid="console-notice">{move || console.notice.get()}</p>
                <div class="console-grid">
                    <div class="console-main">
                        <ModerationQueue console=console/>
                        <StatementList console=console/>
                        <OutcomesPanel console=console/>
                        <TranslationsPanel console=console/>
                        <SeedForm console=console/>
                    </div>
                    <div class="console-side">
                        <SharePanel id=id title=c.title.clone()/>
                        <InvitationCodes console=console title=c.title.clone()/>
                        <Dashboard console=console/>
                        <Settings console=console/>
                    </div>
                </div>
            </div>
        }
        .into_any(),
    }
    }
}

#[component]
fn ConsoleHead(console: Console, title: String) -> impl IntoView {
    let closed = move || console.conversation.with(|c| matches!(c, Some(Ok(c)) if c.closed));
    let toggle = move |_| {
        let action = if closed() { "/reopen" } else { "/close" };
        spawn_local(async move {
            match client::admin::<(), ConversationAdmin>("POST", &console.path(action), None).await {
                Ok(c) => {
                    let now_closed = c.closed;
                    console.conversation.set(Some(Ok(c)));
                    console.notice.set(Some(
                        if now_closed { t().moderator.notice_closed } else { t().moderator.notice_reopened }
                            .to_string(),
                    ));
                }
                Err(e) => console.notice.set(Some(error_text(&e, t()).to_string())),
            }
        });
    };
    view! {
        <header class="console-head">
            <div>
                <h1>{title}</h1>
                <p class="state-line">
                    <span class=move || if closed() { "state closed" } else { "state open" } data-testid="conversation-state">
                        {move || if closed() { t().moderator.state_closed } else { t().moderator.state_open }}
                    </span>
                    <a href=move || format!("/c/{}", console.id.get()) target="_blank">{move || t().moderator.open_participant}</a>
                    <a href=move || format!("/p/{}", console.id.get()) target="_blank" data-testid="projector-link">{move || t().moderator.open_projector}</a>
                </p>
                <Show when=closed>
                    <p class="closed-hint" data-testid="closed-hint">{move || t().moderator.closed_hint}</p>
                </Show>
            </div>
            <button class=move || if closed() { "primary" } else { "danger" } on:click=toggle data-testid="close-toggle">
                {move || if closed() { t().moderator.reopen } else { t().moderator.close }}
            </button>
        </header>
    }
}

/// Who may post and how posts are moderated, changeable at any time.
#[component]
fn Settings(console: Console) -> impl IntoView {
    let current = move || console.conversation.with(|c| c.as_ref().and_then(|c| c.as_ref().ok()).cloned());
    let save = move |settings: SettingsChange| console.save_settings(settings);
    view! {
        <section class="card settings" aria-labelledby="settings-title">
            <h2 id="settings-title">{move || t().moderator.settings_title}</h2>
            <label class="check">
                <input type="checkbox" prop:checked=move || current().map(|c| c.allow_statements).unwrap_or(false)
                    on:change=move |ev| save(SettingsChange { allow_statements: Some(event_target_checked(&ev)), ..Default::default() })/>
                {move || t().moderator.field_allow_statements}
            </label>
            <label class="check">
                <input type="checkbox" prop:checked=move || current().map(|c| c.strict_moderation).unwrap_or(false)
                    on:change=move |ev| save(SettingsChange { strict_moderation: Some(event_target_checked(&ev)), ..Default::default() })/>
                {move || t().moderator.field_strict}
            </label>
            <label for="statement-cap">{move || t().moderator.field_statement_cap}</label>
            <input id="statement-cap" type="number" min="0" max="10000" inputmode="numeric" class="narrow"
                aria-describedby="statement-cap-hint" data-testid="statement-cap"
                prop:value=move || current().map(|c| c.statement_cap.to_string()).unwrap_or_default()
                on:change=move |ev| {
                    if let Ok(cap) = event_target_value(&ev).trim().parse::<u32>() {
                        save(SettingsChange { statement_cap: Some(cap), ..Default::default() });
                    }
                }/>
            <p class="hint" id="statement-cap-hint">{move || t().moderator.field_statement_cap_hint}</p>
            {move || current().and_then(|c| c.pinned_statement).map(|pin| {
                let text = console.statements.with(|all| all.iter().find(|s| s.id == pin).map(|s| s.text.clone()));
                view! {
                    <p class="pinned" data-testid="pinned">
                        {move || t().moderator.pinned_label}" #"{pin}" "{text}" "
                        <button class="link-button" data-testid="unpin"
                            on:click=move |_| save(SettingsChange { pinned_statement: Some(None), ..Default::default() })>
                            {move || t().moderator.unpin}
                        </button>
                    </p>
                }
            })}
            <label class="check">
                <input type="checkbox" prop:checked=move || current().map(|c| c.invitation_only).unwrap_or(false)
                    data-testid="invitation-only"
                    on:change=move |ev| save(SettingsChange { invitation_only: Some(event_target_checked(&ev)), ..Default::default() })/>
                {move || t().codes_console.field_invitation_only}
            </label>
            {move || current().filter(|c| !c.questions.is_empty()).map(|c| view! {
                <h3>{move || t().moderator.field_questions}</h3>
                <ul class="questions">
                    {c.questions.into_iter().map(|q| view! { <li>{q.label}": "{q.options.join(", ")}</li> }).collect_view()}
                </ul>
            })}
        </section>
    }
}
