//! The participant page: one statement at a time, agree / disagree / pass, a statement form,
//! and the conversation's analysis computed in the browser.

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use mufakat_core::api::{
    ConversationView, JoinRequest, JoinResponse, NextStatement, PostStatementRequest, PostStatementResponse,
    VoteRequest, VoteResponse, VotesCompact,
};
use mufakat_core::model::{Moderation, Vote};
use mufakat_core::summary::{summarise, VoteSummary};

use super::NotFound;
use crate::client::{self, conversation_url, ApiError};
use crate::i18n::{t, Catalogue};

/// What the live region last announced.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Notice {
    Voted(Vote),
    Error(ErrorKind),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum ErrorKind {
    Empty,
    TooLong,
    Duplicate,
    Closed,
    Network,
    Other,
}

impl ErrorKind {
    fn of(e: &ApiError) -> ErrorKind {
        match e.code() {
            "statement_empty" => ErrorKind::Empty,
            "statement_too_long" => ErrorKind::TooLong,
            "duplicate_statement" => ErrorKind::Duplicate,
            "conversation_closed" => ErrorKind::Closed,
            "network" => ErrorKind::Network,
            _ => ErrorKind::Other,
        }
    }

    fn text(self, c: &Catalogue) -> &'static str {
        match self {
            ErrorKind::Empty => c.participant.error_empty,
            ErrorKind::TooLong => c.participant.error_too_long,
            ErrorKind::Duplicate => c.participant.error_duplicate,
            ErrorKind::Closed => c.participant.error_closed,
            ErrorKind::Network => c.error_network,
            ErrorKind::Other => c.error_other,
        }
    }
}

impl Notice {
    fn text(self, c: &Catalogue) -> &'static str {
        match self {
            Notice::Voted(Vote::Agree) => c.participant.voted_agree,
            Notice::Voted(Vote::Disagree) => c.participant.voted_disagree,
            Notice::Voted(Vote::Pass) => c.participant.voted_pass,
            Notice::Error(e) => e.text(c),
        }
    }
}

fn token_key(conversation: &str) -> String {
    format!("mufakat.token.{conversation}")
}

/// Everything the participant page loads: the conversation, the participant, the next statement.
#[derive(Clone, Copy)]
struct PageState {
    id: Signal<String>,
    token: RwSignal<Option<String>>,
    next: RwSignal<Option<NextStatement>>,
    summary: RwSignal<Option<VoteSummary>>,
    notice: RwSignal<Option<Notice>>,
}

impl PageState {
    /// Downloads every vote and runs the core's tally on them, in the browser.
    fn refresh_analysis(self) {
        let id = self.id.get_untracked();
        spawn_local(async move {
            if let Ok(votes) = client::get::<VotesCompact>(&conversation_url(&id, "/votes"), None).await {
                if let Ok(records) = votes.records() {
                    self.summary.set(Some(summarise(&records)));
                }
            }
        });
    }
}

#[component]
pub fn ConversationPage() -> impl IntoView {
    let params = use_params_map();
    let id = Signal::derive(move || params.read().get("id").unwrap_or_default());
    let conversation: RwSignal<Option<Result<ConversationView, ApiError>>> = RwSignal::new(None);
    let state = PageState {
        id,
        token: RwSignal::new(None),
        next: RwSignal::new(None),
        summary: RwSignal::new(None),
        notice: RwSignal::new(None),
    };

    Effect::new(move |_| {
        let id = id.get();
        spawn_local(async move {
            let loaded = client::get::<ConversationView>(&conversation_url(&id, ""), None).await;
            let found = loaded.is_ok();
            conversation.set(Some(loaded));
            if !found {
                return;
            }
            let stored: Option<String> = LocalStorage::get(token_key(&id)).ok();
            let join = JoinRequest { token: stored, xid: None };
            match client::post::<_, JoinResponse>(&conversation_url(&id, "/participants"), None, &join).await
            {
                Ok(joined) => {
                    let _ = LocalStorage::set(token_key(&id), &joined.token);
                    let next =
                        client::get::<NextStatement>(&conversation_url(&id, "/next"), Some(&joined.token))
                            .await;
                    state.token.set(Some(joined.token));
                    match next {
                        Ok(n) => state.next.set(Some(n)),
                        Err(e) => state.notice.set(Some(Notice::Error(ErrorKind::of(&e)))),
                    }
                }
                Err(e) => state.notice.set(Some(Notice::Error(ErrorKind::of(&e)))),
            }
            state.refresh_analysis();
        });
    });

    move || match conversation.get() {
        None => view! { <p class="loading">{move || t().loading}</p> }.into_any(),
        Some(Err(e)) if e.status() == Some(404) => view! { <NotFound/> }.into_any(),
        Some(Err(_)) => view! { <p class="error" role="alert">{move || t().error_network}</p> }.into_any(),
        Some(Ok(c)) => {
            let allow = c.allow_statements;
            view! {
                <section class="conversation">
                    <h1 class="topic">{c.title.clone()}</h1>
                    <p class="description">{c.description.clone()}</p>
                    <VoteCard state=state/>
                    <p class="notice" role="status" aria-live="polite" data-testid="notice">
                        {move || state.notice.get().map(|n| n.text(t()))}
                    </p>
                    <Show when=move || allow>
                        <StatementForm state=state/>
                    </Show>
                    <AnalysisPanel state=state/>
                </section>
            }
            .into_any()
        }
    }
}

#[component]
fn VoteCard(state: PageState) -> impl IntoView {
    let busy = RwSignal::new(false);
    let cast = move |vote: Vote| {
        let (Some(token), Some(Some(statement))) =
            (state.token.get_untracked(), state.next.get_untracked().map(|n| n.statement))
        else {
            return;
        };
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let id = state.id.get_untracked();
        spawn_local(async move {
            let body = VoteRequest { statement: statement.id, vote };
            match client::post::<_, VoteResponse>(&conversation_url(&id, "/votes"), Some(&token), &body).await
            {
                Ok(r) => {
                    state.next.set(Some(r.next));
                    state.notice.set(Some(Notice::Voted(vote)));
                    state.refresh_analysis();
                }
                Err(e) => state.notice.set(Some(Notice::Error(ErrorKind::of(&e)))),
            }
            busy.set(false);
        });
    };

    move || {
        match state.next.get() {
        None => view! { <p class="loading">{move || t().loading}</p> }.into_any(),
        Some(NextStatement { statement: None, .. }) => {
            view! { <p class="all-done" data-testid="all-done">{move || t().participant.all_done}</p> }.into_any()
        }
        Some(NextStatement { statement: Some(s), remaining, .. }) => view! {
            <article class="vote-card" aria-labelledby="statement-text" data-testid="vote-card"
                data-statement-id=s.id>
                <h2 class="visually-hidden">{move || t().participant.statement_heading}</h2>
                <p id="statement-text" class="statement-text">{s.text.clone()}</p>
                <div class="vote-buttons">
                    <button class="vote agree" disabled=move || busy.get() on:click=move |_| cast(Vote::Agree)>
                        {move || t().participant.agree}
                    </button>
                    <button class="vote disagree" disabled=move || busy.get()
                        on:click=move |_| cast(Vote::Disagree)>
                        {move || t().participant.disagree}
                    </button>
                    <button class="vote pass" disabled=move || busy.get() on:click=move |_| cast(Vote::Pass)>
                        {move || t().participant.pass}
                    </button>
                </div>
                <p class="remaining" data-testid="remaining">{move || (t().participant.remaining)(remaining)}</p>
            </article>
        }
        .into_any(),
    }
    }
}

#[component]
fn StatementForm(state: PageState) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let result: RwSignal<Option<Result<Moderation, ErrorKind>>> = RwSignal::new(None);
    let limit = mufakat_core::api::MAX_STATEMENT_CHARS as i64;
    let left = move || limit - text.with(|t| t.trim().chars().count() as i64);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(token) = state.token.get_untracked() else { return };
        let id = state.id.get_untracked();
        let body = PostStatementRequest { text: text.get_untracked() };
        spawn_local(async move {
            match client::post::<_, PostStatementResponse>(
                &conversation_url(&id, "/statements"),
                Some(&token),
                &body,
            )
            .await
            {
                Ok(r) => {
                    text.set(String::new());
                    result.set(Some(Ok(r.statement.moderation)));
                }
                Err(e) => result.set(Some(Err(ErrorKind::of(&e)))),
            }
        });
    };
    view! {
        <form class="statement-form" on:submit=submit>
            <label for="new-statement"><h2>{move || t().participant.post_heading}</h2></label>
            <textarea id="new-statement" name="text" rows="3"
                placeholder=move || t().participant.post_placeholder
                aria-describedby="chars-left"
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            <div class="form-row">
                <span id="chars-left" class="chars-left" class:over=move || left() < 0>
                    {move || (t().participant.chars_left)(left())}
                </span>
                <button type="submit" class="primary">{move || t().participant.post_button}</button>
            </div>
            <p class="form-result" role="status" aria-live="polite" data-testid="post-result">
                {move || result.get().map(|r| match r {
                    Ok(Moderation::Accepted) => t().participant.posted,
                    Ok(_) => t().participant.posted_pending,
                    Err(e) => e.text(t()),
                })}
            </p>
        </form>
    }
}

#[component]
fn AnalysisPanel(state: PageState) -> impl IntoView {
    view! {
        <section class="analysis" aria-labelledby="analysis-heading" data-testid="analysis">
            <h2 id="analysis-heading">{move || t().participant.analysis_heading}</h2>
            {move || state.summary.get().map(|s| {
                let agree_pct = (100 * s.agree).checked_div(s.votes).unwrap_or(0) as u32;
                view! {
                    <p data-testid="analysis-line">{move || (t().participant.analysis_line)(s.participants, s.statements, s.votes)}</p>
                    <p>{move || (t().participant.analysis_agree_share)(agree_pct)}</p>
                    <p class="muted">{move || t().participant.analysis_note}</p>
                }
            })}
        </section>
    }
}
