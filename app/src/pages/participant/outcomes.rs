//! "What was decided": the conversation's outcomes. This device keeps a mark of the latest
//! change it has shown (the server's `updated_at_ms`, so the device's clock does not
//! matter), and a returning participant sees what changed since: those outcomes are marked
//! new and counted at the top. Live: an `outcome` event reads the list again.

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use leptos::task::spawn_local;
use mufakat_core::api::outcomes::Outcome;

use super::session::Session;
use crate::components::outcome_list::{load, OutcomeList};
use crate::i18n::t;

/// Local storage key of the last-seen mark of a conversation's outcomes.
pub fn seen_key(conversation: &str) -> String {
    format!("mufakat.outcomes-seen.{conversation}")
}

#[component]
pub fn OutcomesSection(session: Session) -> impl IntoView {
    let id = session.id.get_value();
    let key = seen_key(&id);
    // `None` on a first visit: nothing is "new" to someone who has not been here before.
    let new_after: Option<i64> = LocalStorage::get(&key).ok();
    let outcomes: RwSignal<Vec<Outcome>> = RwSignal::new(Vec::new());
    Effect::new(move |_| {
        session.outcomes_changed.track();
        let (id, key) = (id.clone(), key.clone());
        spawn_local(async move {
            let list = load(&id).await;
            let latest = list.iter().map(|o| o.updated_at_ms).max().unwrap_or(0);
            let seen: i64 = LocalStorage::get(&key).unwrap_or(0);
            let _ = LocalStorage::set(&key, latest.max(seen));
            outcomes.set(list);
        });
    });
    let fresh = move || {
        outcomes.with(|o| new_after.map_or(0, |after| o.iter().filter(|o| o.updated_at_ms > after).count()))
    };
    let feed = session.url("/outcomes.atom");
    view! {
        <Show when=move || outcomes.with(|o| !o.is_empty())>
            <section class="outcomes" aria-labelledby="outcomes-heading" data-testid="outcomes">
                <h2 id="outcomes-heading">{move || t().outcomes.heading}</h2>
                <p class="outcomes-intro">{move || t().outcomes.intro}</p>
                <Show when=move || { fresh() > 0 }>
                    <p class="outcomes-new" data-testid="outcomes-new">{move || (t().outcomes.new_since)(fresh())}</p>
                </Show>
                <OutcomeList outcomes=outcomes new_after=Signal::derive(move || new_after)/>
                <p class="outcomes-feed"><a href=feed.clone() type="application/atom+xml">{move || t().outcomes.feed_link}</a></p>
            </section>
        </Show>
    }
}
