//! One statement at a time, with Agree / Disagree / Pass. The card and its buttons stay
//! mounted from one statement to the next so keyboard focus stays where it was; letter keys
//! vote too (both languages' letters work), except while typing in a field.

use leptos::prelude::*;
use mufakat_core::model::Vote;
use web_sys::KeyboardEvent;

use super::read_aloud::ReadAloud;
use super::session::Session;
use crate::i18n::t;
use crate::keys::{is_chord, is_typing};
use mufakat_core::api::translations::{language, shown as shown_text};
use mufakat_core::api::StatementView;

/// The vote a key stands for: English A / D / P and Indonesian S(etuju) / T(idak) / L(ewati).
fn vote_for_key(key: &str) -> Option<Vote> {
    match key.to_ascii_lowercase().as_str() {
        "a" | "s" => Some(Vote::Agree),
        "d" | "t" => Some(Vote::Disagree),
        "p" | "l" => Some(Vote::Pass),
        _ => None,
    }
}

/// Keys typed into a field, or chorded with a modifier, are not shortcuts.
/// A held key repeats: only its first press votes.
fn is_shortcut(ev: &KeyboardEvent) -> bool {
    !(is_chord(ev) || ev.repeat() || ev.default_prevented() || is_typing(ev))
}

#[component]
pub fn VoteCard(session: Session) -> impl IntoView {
    let current = Memo::new(move |_| {
        session.next.with(|n| n.as_ref().and_then(|n| n.statement.as_ref()).map(|s| (s.id, s.text.clone())))
    });
    // The card's statement as this reader sees it; the original on request (per statement).
    let original = RwSignal::new(false);
    Effect::new(move |_| {
        current.track();
        original.set(false);
    });
    let shown = Memo::new(move |_| {
        let reader = session.lang.get().tag();
        session.next.with(|n| {
            n.as_ref()
                .and_then(|n| n.statement.as_ref())
                .map(|s| ShownStatement::of(s, reader, original.get()))
        })
    });
    let loaded = move || session.next.with(|n| n.is_some());
    let closed = move || session.conversation.with(|c| c.closed);
    let vote = move |v: Vote| {
        if session.busy.get_untracked() || session.conversation.with_untracked(|c| c.closed) {
            return;
        }
        if let Some((id, _)) = current.get_untracked() {
            session.cast(id, v);
        }
    };
    let keys = window_event_listener(leptos::ev::keydown, move |ev: KeyboardEvent| {
        if !is_shortcut(&ev) {
            return;
        }
        if let Some(v) = vote_for_key(&ev.key()) {
            ev.prevent_default();
            vote(v);
        }
    });
    on_cleanup(move || keys.remove());

    let card = move || {
        view! {
            <article class="vote-card" aria-labelledby="statement-text" data-testid="vote-card"
                data-statement-id=move || current.get().map(|(id, _)| id)
                aria-busy=move || session.busy.get().to_string()>
                <h2 class="card-kicker">{move || t().participant.statement_heading}</h2>
                {move || current.get().map(|(id, _)| view! {
                    // Re-created per statement so the entrance animation plays.
                    <p id="statement-text" class="statement-text" data-id=id
                        lang=move || shown.with(|s| s.as_ref().map(|s| s.language.clone()))>
                        {move || shown.with(|s| s.as_ref().map(|s| s.text.clone()))}
                    </p>
                })}
                <div class="card-tools">
                    <TranslationLine shown original/>
                    <ReadAloud shown/>
                </div>
                <div class="vote-buttons" role="group" aria-label=move || t().participant.vote_group_label>
                    <VoteButton session vote=Vote::Agree on_vote=vote/>
                    <VoteButton session vote=Vote::Disagree on_vote=vote/>
                    <VoteButton session vote=Vote::Pass on_vote=vote/>
                </div>
                <p class="pass-hint">{move || t().participant.pass_hint}</p>
                <p class="shortcut-hint" data-testid="shortcuts">
                    {move || t().participant.shortcuts}" "
                    <kbd>{move || t().participant.key_agree}</kbd>" "{move || t().participant.agree}", "
                    <kbd>{move || t().participant.key_disagree}</kbd>" "{move || t().participant.disagree}", "
                    <kbd>{move || t().participant.key_pass}</kbd>" "{move || t().participant.pass}
                </p>
            </article>
        }
    };
    let remaining = move || session.next.with(|n| n.as_ref().map(|n| n.remaining).unwrap_or(0));
    view! {
        <Show when=loaded fallback=|| view! { <p class="loading">{move || t().loading}</p> }>
            <Show when=move || !closed() fallback=|| view! {
                <p class="card-message" data-testid="closed">{move || t().participant.closed_card}</p>
            }>
                <Show when=move || current.with(|c| c.is_some()) fallback=move || view! {
                    <p class="card-message all-done" data-testid="all-done">{move || {
                        let capped = session.next.with(|n| n.as_ref().is_some_and(|n| n.capped));
                        if capped { t().participant.capped_done } else { t().participant.all_done }
                    }}</p>
                }>
                    {card}
                </Show>
            </Show>
            <p class="progress-line" data-testid="remaining">
                // Once capped or closed, nothing more is asked: only what they did.
                {move || (!closed() && !session.next.with(|n| n.as_ref().is_some_and(|n| n.capped)))
                    .then(|| format!("{} · ", (t().participant.remaining)(remaining())))}
                {move || (t().participant.voted_count)(session.my_votes.with(|v| v.len()))}
            </p>
        </Show>
    }
}

/// What the card shows of a statement.
#[derive(Debug, Clone, PartialEq)]
pub struct ShownStatement {
    pub text: String,
    /// The shown text's language (BCP 47).
    pub language: String,
    /// A translation into the reader's language exists.
    pub translatable: bool,
    /// The original's language.
    pub original_language: String,
}

impl ShownStatement {
    fn of(s: &StatementView, reader: &str, original: bool) -> ShownStatement {
        let translated = shown_text(&s.text, &s.language, &s.translations, reader);
        let pick = if original { shown_text(&s.text, &s.language, &[], reader) } else { translated };
        ShownStatement {
            text: pick.text.to_string(),
            language: pick.language.to_string(),
            translatable: translated.translated,
            original_language: s.language.clone(),
        }
    }
}

/// The language's own name, or its tag when it is not listed.
fn language_name(tag: &str) -> String {
    language(tag).map(|l| l.name.to_string()).unwrap_or_else(|| tag.to_string())
}

/// Under a translated statement: that it is one (from which language), and a one-tap switch
/// to the original and back.
#[component]
fn TranslationLine(shown: Memo<Option<ShownStatement>>, original: RwSignal<bool>) -> impl IntoView {
    let p = move || t().participant;
    let translatable = move || shown.with(|s| s.as_ref().is_some_and(|s| s.translatable));
    view! {
        <Show when=translatable>
            <p class="translation-line" data-testid="translation-line">
                <span class="translation-mark" data-testid="translation-mark">{move || {
                    let from = shown.with(|s| s.as_ref().map(|s| language_name(&s.original_language)))
                        .unwrap_or_default();
                    if original.get() { (p().original_in)(&from) } else { (p().translated_from)(&from) }
                }}</span>" "
                <button type="button" class="link-button" data-testid="original-toggle"
                    aria-controls="statement-text"
                    on:click=move |_| original.update(|o| *o = !*o)>
                    {move || if original.get() { p().show_translation } else { p().show_original }}
                </button>
            </p>
        </Show>
    }
}

#[component]
fn VoteButton(
    session: Session,
    vote: Vote,
    on_vote: impl Fn(Vote) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let class = match vote {
        Vote::Agree => "vote agree",
        Vote::Disagree => "vote disagree",
        Vote::Pass => "vote pass",
    };
    let p = move || t().participant;
    let label = move || p().vote_name(vote);
    let key = move || match vote {
        Vote::Agree => p().key_agree,
        Vote::Disagree => p().key_disagree,
        Vote::Pass => p().key_pass,
    };
    // aria-disabled, not disabled: a disabled button drops keyboard focus.
    view! {
        <button type="button" class=class aria-disabled=move || session.busy.get().to_string()
            aria-keyshortcuts=key on:click=move |_| on_vote(vote)>
            <span class="vote-icon" aria-hidden="true">{icon(vote)}</span>
            <span class="vote-label">{label}</span>
            <kbd class="vote-key" aria-hidden="true">{key}</kbd>
        </button>
    }
}

fn icon(vote: Vote) -> &'static str {
    match vote {
        Vote::Agree => "✓",
        Vote::Disagree => "✗",
        Vote::Pass => "?",
    }
}
