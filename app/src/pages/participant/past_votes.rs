//! The participant's earlier votes, newest first, each changeable: a change is a new vote on
//! the same statement (the server upserts it).

use leptos::prelude::*;
use mufakat_core::model::{StatementId, Vote};

use super::session::Session;
use crate::i18n::t;

#[component]
pub fn PastVotes(session: Session) -> impl IntoView {
    let count = move || session.my_votes.with(|v| v.len());
    // Keyed by statement, so changing a vote keeps the row (and keyboard focus) in place.
    let rows = move || {
        session.my_votes.with(|mine| {
            mine.iter()
                .rev()
                .filter_map(|(id, _)| session.statement_shown(*id).map(|shown| (*id, shown)))
                .collect::<Vec<_>>()
        })
    };
    view! {
        <Show when=move || { count() > 0 }>
            <details class="past-votes" data-testid="past-votes">
                <summary>{move || (t().participant.past_votes_heading)(count())}</summary>
                <p class="muted">{move || t().participant.past_votes_hint}</p>
                <ul class="past-list">
                    <For each=rows key=|(id, shown)| (*id, shown.clone()) let((id, (text, lang)))>
                        <PastVote session id text lang/>
                    </For>
                </ul>
            </details>
        </Show>
    }
}

#[component]
fn PastVote(session: Session, id: StatementId, text: String, lang: String) -> impl IntoView {
    let text_id = format!("past-{id}");
    let button = move |vote: Vote, class: &'static str| {
        let pressed = move || (session.vote_of(id) == Some(vote)).to_string();
        view! {
            <button type="button" class=class aria-pressed=pressed
                on:click=move |_| {
                    if session.vote_of(id) != Some(vote) {
                        session.cast(id, vote);
                    }
                }>
                {move || t().participant.vote_name(vote)}
            </button>
        }
    };
    view! {
        <li class="past-vote" data-statement-id=id>
            <p id=text_id.clone() class="past-text" lang=lang>{text}</p>
            <div class="past-buttons" role="group" aria-labelledby=text_id>
                {button(Vote::Agree, "chip agree")}
                {button(Vote::Disagree, "chip disagree")}
                {button(Vote::Pass, "chip pass")}
            </div>
        </li>
    }
}
