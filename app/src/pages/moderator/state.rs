//! The console's state, shared by its parts (the head, the queue, the statement list, the
//! seed form, the dashboard and the settings): one conversation's data as the server last
//! sent it, and the notice of the last action. Kept apart from `console.rs`, which lays the
//! parts out, so the parts import this and not the page that holds them.

use leptos::prelude::*;
use leptos::task::spawn_local;
use mufakat_core::api::admin::{ConversationAdmin, ConversationStats, StatementAdmin};
use mufakat_core::api::codes::CodeCounts;
use mufakat_core::api::settings::SettingsChange;

use mufakat_core::api::outcomes::Outcome;

use super::error_text;
use super::outcomes::OutcomeDraft;
use crate::client::{self, ApiError};
use crate::i18n::t;

/// The console's state, shared by its parts.
#[derive(Clone, Copy)]
pub(super) struct Console {
    pub id: Signal<String>,
    pub conversation: RwSignal<Option<Result<ConversationAdmin, ApiError>>>,
    pub statements: RwSignal<Vec<StatementAdmin>>,
    pub stats: RwSignal<Option<ConversationStats>>,
    /// Unused, used and revoked invitation codes.
    pub codes: RwSignal<Option<CodeCounts>>,
    /// What the last action did, for the live region.
    pub notice: RwSignal<Option<String>>,
    /// The published outcomes, and the one being written (`super::outcomes`).
    pub outcomes: RwSignal<Vec<Outcome>>,
    pub outcome_draft: RwSignal<Option<OutcomeDraft>>,
    busy: StoredValue<bool>,
}

impl Console {
    /// Nothing loaded yet for the conversation `id`.
    pub fn new(id: Signal<String>) -> Console {
        Console {
            id,
            conversation: RwSignal::new(None),
            statements: RwSignal::new(Vec::new()),
            stats: RwSignal::new(None),
            codes: RwSignal::new(None),
            notice: RwSignal::new(None),
            outcomes: RwSignal::new(Vec::new()),
            outcome_draft: RwSignal::new(None),
            busy: StoredValue::new(false),
        }
    }

    pub fn path(self, rest: &str) -> String {
        format!("/conversations/{}{rest}", self.id.get_untracked())
    }

    /// Reloads statements and stats (one load at a time).
    pub fn reload(self) {
        if self.busy.get_value() {
            return;
        }
        self.busy.set_value(true);
        spawn_local(async move {
            if let Ok(list) =
                client::admin::<(), Vec<StatementAdmin>>("GET", &self.path("/statements"), None).await
            {
                if self.statements.with_untracked(|s| *s != list) {
                    self.statements.set(list);
                }
            }
            if let Ok(stats) = client::admin::<(), ConversationStats>("GET", &self.path("/stats"), None).await
            {
                if self.stats.with_untracked(|s| s.as_ref() != Some(&stats)) {
                    self.stats.set(Some(stats));
                }
            }
            if let Ok(codes) = client::admin::<(), CodeCounts>("GET", &self.path("/codes"), None).await {
                if self.codes.get_untracked() != Some(codes) {
                    self.codes.set(Some(codes));
                }
            }
            self.busy.set_value(false);
        });
    }

    /// Saves a change of settings and says how it went.
    pub fn save_settings(self, change: SettingsChange) {
        spawn_local(async move {
            match client::admin::<_, ConversationAdmin>("PATCH", &self.path(""), Some(&change)).await {
                Ok(c) => {
                    self.conversation.set(Some(Ok(c)));
                    self.notice.set(Some(t().moderator.notice_saved.to_string()));
                }
                Err(e) => self.notice.set(Some(error_text(&e, t()).to_string())),
            }
        });
    }

    /// Replaces the given statements with their updated versions.
    pub fn merge(self, updated: Vec<StatementAdmin>) {
        self.statements.update(|all| {
            for u in updated {
                match all.iter_mut().find(|s| s.id == u.id) {
                    Some(s) => *s = u,
                    None => all.push(u),
                }
            }
        });
    }
}
