//! A list of outcomes (`mufakat_core::api::outcomes`), as the participant page, the report
//! and the projector show them: the status, what it answers, the text and the date, with a
//! "new" mark on those changed after `new_after` (ms since the epoch).

use leptos::prelude::*;
use mufakat_core::api::outcomes::Outcome;

use crate::i18n::t;

/// Loads a conversation's public outcomes; an error reads as none (the rest of the page
/// does not depend on them).
pub async fn load(conversation: &str) -> Vec<Outcome> {
    crate::client::get::<Vec<Outcome>>(&crate::client::conversation_url(conversation, "/outcomes"), None)
        .await
        .unwrap_or_default()
}

#[component]
pub fn OutcomeList(
    #[prop(into)] outcomes: Signal<Vec<Outcome>>,
    /// Outcomes updated after this are marked new; `None`: none is.
    #[prop(optional, into)]
    new_after: Option<Signal<Option<i64>>>,
    /// Show at most this many (the projector), the latest change first.
    #[prop(optional)]
    limit: Option<usize>,
    /// Cut long texts to this many characters (the projector).
    #[prop(optional)]
    cut: Option<usize>,
) -> impl IntoView {
    let short = move |s: &str| match cut {
        Some(n) if s.chars().count() > n => {
            format!("{}…", s.chars().take(n - 1).collect::<String>().trim_end())
        }
        _ => s.to_string(),
    };
    view! {
        <ul class="outcome-list">
            {move || {
                let after = new_after.and_then(|s| s.get());
                outcomes.get().into_iter().take(limit.unwrap_or(usize::MAX)).map(|o| {
                    let is_new = after.is_some_and(|a| o.updated_at_ms > a);
                    let status = o.status;
                    let about = o.statement_text.clone().map(|s| short(&s));
                    let text = short(&o.text);
                    let date = o.date.clone();
                    view! {
                        <li class="outcome" class:new=is_new data-testid="outcome" data-status=status.as_str()
                            id=format!("outcome-{}", o.id)>
                            <p class="outcome-head">
                                <span class=format!("outcome-status status-{}", status.as_str())>
                                    {move || (t().outcomes.status)(status)}
                                </span>
                                {is_new.then(|| view! {
                                    " "<span class="outcome-new" data-testid="outcome-new">{move || t().outcomes.new_badge}</span>
                                })}
                            </p>
                            <p class="outcome-about">
                                {match about {
                                    Some(s) => view! {
                                        <span class="visually-hidden">{move || t().outcomes.on_statement}": "</span>
                                        <q>{s}</q>
                                    }.into_any(),
                                    None => view! { <span>{move || t().outcomes.whole_conversation}</span> }.into_any(),
                                }}
                            </p>
                            <p class="outcome-text">{text}</p>
                            <p class="outcome-date">{move || (t().outcomes.decided_on)(&date)}</p>
                        </li>
                    }
                }).collect::<Vec<_>>()
            }}
        </ul>
    }
}
