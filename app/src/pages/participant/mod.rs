//! The participant page (`/c/<conversation>`, optional `?xid=…&xid_proof=…[&xid_expires=…]` from an
//! embedding site that signs its user ids, see docs/embedding.md; `#code=…` from a printed
//! invitation slip, see `invitation`; `?kiosk` on a shared device, see `kiosk`):
//! the topic, one statement at a time to vote on, earlier votes to change, a box to post a
//! statement, and "where you stand" computed in the browser. Votes survive a lost
//! connection (see `queue`).

mod about_you;
mod invitation;
mod kiosk;
mod live;
mod notice;
mod outcomes;
mod past_votes;
mod queue;
mod read_aloud;
mod session;
mod standing;
mod statement_form;
mod vote_card;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_params_map, use_query_map};
use mufakat_core::model::StatementId;

use super::NotFound;
use crate::client::ApiError;
use crate::i18n::t;
use about_you::AboutYou;
use invitation::{code_from_fragment, is_code_error, CodeForm};
use kiosk::KioskBar;
use notice::Notice;
use outcomes::OutcomesSection;
use past_votes::PastVotes;
use session::{Session, SignedXid};
use standing::WhereYouStand;
use statement_form::StatementForm;
use vote_card::VoteCard;

/// How the first load went.
#[derive(Debug, Clone, PartialEq)]
enum Load {
    Loading,
    Ready,
    NotFound,
    /// The server refused the link's xid signature: nobody is signed in.
    XidRefused,
    /// The link's signature is good but its time is up: nobody is signed in.
    XidExpired,
    /// An invitation code is needed, with the code of the last refusal.
    NeedCode(Option<String>),
    Failed,
}

#[component]
pub fn ConversationPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    move || {
        let id = params.read().get("id").unwrap_or_default();
        let xid = query.with_untracked(|q| {
            let xid = q.get("xid").filter(|x| !x.is_empty())?;
            let proof = q.get("xid_proof").filter(|p| !p.is_empty());
            // A malformed expiry is sent as none: the signature then fails, as it should.
            let expires = q.get("xid_expires").and_then(|e| e.parse::<i64>().ok());
            Some(SignedXid { xid, proof, expires })
        });
        // A direct link to one statement: `/c/<id>?s=<statement>`.
        let requested = query.with_untracked(|q| q.get("s").and_then(|s| s.parse::<StatementId>().ok()));
        let kiosk = kiosk::idle_secs(query.with_untracked(|q| q.get("kiosk")));
        view! { <Conversation id xid requested kiosk/> }
    }
}

#[component]
fn Conversation(
    id: String,
    xid: Option<SignedXid>,
    requested: Option<StatementId>,
    kiosk: Option<u32>,
) -> impl IntoView {
    let session = Session::new(&id);
    session.requested.set_value(requested);
    let load = RwSignal::new(Load::Loading);
    let typed = RwSignal::new(String::new());
    let joining = RwSignal::new(false);
    let start = move |xid: Option<SignedXid>, code: Option<String>| {
        spawn_local(async move {
            joining.set(true);
            let outcome = session.start(xid, code).await;
            joining.set(false);
            session.hand_over();
            load.set(match outcome {
                Ok(()) => Load::Ready,
                Err(ApiError::Server { status: 404, .. }) => Load::NotFound,
                Err(ApiError::Server { status: 403, code, .. }) if code.starts_with("xid_proof") => {
                    Load::XidRefused
                }
                Err(ApiError::Server { status: 403, code, .. }) if code == "xid_link_expired" => {
                    Load::XidExpired
                }
                Err(ApiError::Server { code, .. }) if code == "code_required" => Load::NeedCode(None),
                Err(ApiError::Server { code, .. }) if is_code_error(&code) => Load::NeedCode(Some(code)),
                Err(_) => Load::Failed,
            });
        });
    };
    let code = if xid.is_none() { code_from_fragment() } else { None };
    if let Some(c) = &code {
        typed.set(c.clone());
    }
    start(xid, code);
    let submit = Callback::new(move |code: String| start(None, Some(code)));
    live::keep_live(session);
    provide_context(session);

    view! {
        {kiosk.map(|idle| view! { <KioskBar session idle/> })}
        {move || match load.get() {
        Load::Loading => view! { <p class="loading" aria-live="polite">{move || t().loading}</p> }.into_any(),
        Load::NotFound => view! { <NotFound/> }.into_any(),
        Load::XidRefused => view! {
            <p class="error" role="alert" data-testid="xid-refused">{move || t().participant.xid_refused}</p>
        }
        .into_any(),
        Load::XidExpired => view! {
            <p class="error" role="alert" data-testid="xid-expired">{move || t().participant.xid_expired}</p>
        }
        .into_any(),
        Load::NeedCode(error) => view! { <CodeForm typed error busy=joining on_submit=submit/> }.into_any(),
        Load::Failed => view! { <p class="error" role="alert">{move || t().error_network}</p> }.into_any(),
        Load::Ready => view! { <ConversationBody session/> }.into_any(),
        }}
    }
}

#[component]
fn ConversationBody(session: Session) -> impl IntoView {
    let c = session.conversation;
    let allow = move || c.with(|c| c.allow_statements && !c.closed);
    view! {
        <div class="conversation">
            <header class="topic-header">
                <h1 class="topic">{move || c.with(|c| c.title.clone())}</h1>
                <Show when=move || c.with(|c| !c.description.is_empty())>
                    <Description text=Signal::derive(move || c.with(|c| c.description.clone()))/>
                </Show>
            </header>
            <ConnectionStatus session/>
            <section class="voting" aria-label=move || t().participant.voting_label>
                <VoteCard session/>
                <NoticeLine session/>
            </section>
            // After the card: above it, a few outcomes pushed the vote buttons below a
            // phone's first screen.
            <OutcomesSection session/>
            <PastVotes session/>
            <WhereYouStand session/>
            <AboutYou session/>
            <Show when=allow>
                <StatementForm session/>
            </Show>
        </div>
    }
}

/// The conversation's description, clamped to a few lines with a "More" button when longer,
/// so a long one does not push the vote card below a phone's first screen.
#[component]
fn Description(text: Signal<String>) -> impl IntoView {
    let node = NodeRef::<leptos::html::P>::new();
    let expanded = RwSignal::new(false);
    let overflows = RwSignal::new(false);
    Effect::new(move |_| {
        text.track();
        if let Some(p) = node.get() {
            overflows.set(p.scroll_height() > p.client_height() + 1);
        }
    });
    view! {
        <p id="description" class="description" class:clamped=move || !expanded.get() node_ref=node>
            {move || text.get()}
        </p>
        <Show when=move || overflows.get() || expanded.get()>
            <button type="button" class="link-button description-more" data-testid="description-more"
                aria-controls="description" aria-expanded=move || expanded.get().to_string()
                on:click=move |_| expanded.update(|e| *e = !*e)>
                {move || if expanded.get() { t().participant.description_less } else { t().participant.description_more }}
            </button>
        </Show>
    }
}

/// The live region announcing each vote or error.
#[component]
fn NoticeLine(session: Session) -> impl IntoView {
    let notice = session.notice;
    view! {
        <p class="notice" class:error=move || notice.get().is_some_and(|n| n.is_error())
            role="status" aria-live="polite" data-testid="notice">
            {move || notice.get().map(|n| {
                let mut text = n.text(t());
                // With the count, two votes in a row never announce the same words (a screen
                // reader may skip a repeat).
                // Capped: the card says nothing more is asked, so the count is the votes made.
                let next = session.next.with(|x| x.as_ref().map(|x| (x.remaining, x.capped)));
                if let (Notice::Voted { .. }, Some((left, capped))) = (n, next) {
                    text.push(' ');
                    if capped {
                        text.push_str(&(t().participant.voted_count)(session.my_votes.with(|v| v.len())));
                    } else {
                        text.push_str(&(t().participant.remaining)(left));
                    }
                    text.push('.');
                }
                text
            })}
        </p>
    }
}

/// Says when the page is offline or the server unreachable, and how many votes wait.
#[component]
fn ConnectionStatus(session: Session) -> impl IntoView {
    let p = move || t().participant;
    let waiting = move || session.waiting.get();
    view! {
        <div class="connection" role="status" aria-live="polite" data-testid="connection"
            class:offline=move || !session.online()
            class:hidden=move || session.online() && waiting() == 0>
            {move || (!session.online()).then(|| view! {
                <p class="connection-title">{move || p().offline}</p>
            })}
            {move || (waiting() > 0).then(|| view! {
                <p data-testid="waiting">{move || (p().waiting)(waiting(), session.online())}</p>
            })}
        </div>
    }
}
