//! The participant's session in one conversation: who they are, what they see, how they
//! voted, and the votes still waiting to reach the server. Provided as context to the
//! page's components; every field is a signal, so the struct is `Copy`.
//!
//! A vote is optimistic: it is recorded on screen and queued (see [`super::queue`]) at once,
//! then the queue is sent in order. Online, the server's answer picks the next card (its
//! routing); offline, the next card is picked here from the statements already loaded.

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use leptos::task::spawn_local;
use mufakat_core::api::settings::ConversationSettings;
use mufakat_core::api::{
    ConversationView, JoinRequest, JoinResponse, MyVotes, NextStatement, StatementView, VoteRequest,
    VoteResponse,
};
use mufakat_core::model::{Moderation, ParticipantId, StatementId, Vote};
use wasm_bindgen::JsCast;

use mufakat_core::api::translations::shown;

use super::notice::{ErrorKind, Notice};
use super::queue;
use crate::client::{self, conversation_url, ApiError};
use crate::i18n::{use_lang, Lang};

#[derive(Clone, Copy)]
pub struct Session {
    pub id: StoredValue<String>,
    pub conversation: RwSignal<ConversationView>,
    pub token: RwSignal<Option<String>>,
    pub me: RwSignal<Option<ParticipantId>>,
    /// The card on screen; `None` until the first one is loaded.
    pub next: RwSignal<Option<NextStatement>>,
    /// The participant's votes, in the order first cast (queued ones included).
    pub my_votes: RwSignal<Vec<(StatementId, Vote)>>,
    /// Statements the participant posted here (kept on the device), with their moderation.
    pub posted: RwSignal<Vec<StatementView>>,
    /// Votes in the local queue.
    pub waiting: RwSignal<usize>,
    /// The last request reached the server.
    pub reachable: RwSignal<bool>,
    /// `navigator.onLine`.
    pub browser_online: RwSignal<bool>,
    pub notice: RwSignal<Option<Notice>>,
    /// Waiting for the server to pick the next card.
    pub busy: RwSignal<bool>,
    /// Bumped whenever other participants' votes or the statements changed on the server.
    pub server_changed: RwSignal<u64>,
    /// The vote log's length in the last `votes` event (0: none yet, or a server that does
    /// not send it): the analysis syncs the log up to it (`client::sync_log`).
    pub log_entries: StoredValue<u64>,
    /// A direct link's statement (`?s=`), asked for once, with the first card.
    pub requested: StoredValue<Option<StatementId>>,
    /// Bumped when an outcome was published, edited or deleted.
    pub outcomes_changed: RwSignal<u64>,
    /// The interface language, which statements follow when translated.
    pub lang: RwSignal<Lang>,
    flushing: StoredValue<bool>,
}

/// An embedding site's user id and its signature of it, from the page's link.
#[derive(Debug, Clone, PartialEq)]
pub struct SignedXid {
    pub xid: String,
    /// `None` when the link has none: the server refuses the join, and the page says so.
    pub proof: Option<String>,
    /// When the link stops working (seconds since 1970), if the site made it expire.
    pub expires: Option<i64>,
}

pub(super) fn token_key(conversation: &str) -> String {
    format!("mufakat.token.{conversation}")
}

/// The statements this participant posted here, kept on the device: the server lists only
/// visible statements, so one awaiting moderation would vanish from their list on a reload.
fn posted_key(conversation: &str) -> String {
    format!("mufakat.posted.{conversation}")
}

fn load_posted(conversation: &str) -> Vec<StatementView> {
    LocalStorage::get(posted_key(conversation)).unwrap_or_default()
}

/// app/boot.js (the first card before the app loaded) may be joining right now: waits until
/// it has, so the app resumes with its token instead of making a second participant.
async fn boot_join_settled() {
    let pending = js_sys::Reflect::get(&js_sys::global(), &"mufakatBootJoin".into()).ok();
    if let Some(p) = pending.and_then(|p| p.dyn_into::<js_sys::Promise>().ok()) {
        let _ = wasm_bindgen_futures::JsFuture::from(p).await;
    }
}

fn browser_online() -> bool {
    web_sys::window().map(|w| w.navigator().on_line()).unwrap_or(true)
}

impl Session {
    pub fn new(id: &str) -> Session {
        Session {
            id: StoredValue::new(id.to_string()),
            // Until the conversation loads: nothing to show, nothing allowed.
            conversation: RwSignal::new(ConversationView::new(
                id,
                &ConversationSettings {
                    language: String::new(),
                    allow_statements: false,
                    ..ConversationSettings::default()
                },
                false,
                0,
                Vec::new(),
            )),
            token: RwSignal::new(None),
            me: RwSignal::new(None),
            next: RwSignal::new(None),
            my_votes: RwSignal::new(queue::load(id).into_iter().map(|v| (v.statement, v.vote)).collect()),
            posted: RwSignal::new(load_posted(id)),
            waiting: RwSignal::new(queue::load(id).len()),
            reachable: RwSignal::new(true),
            browser_online: RwSignal::new(browser_online()),
            notice: RwSignal::new(None),
            busy: RwSignal::new(false),
            server_changed: RwSignal::new(0),
            log_entries: StoredValue::new(0),
            requested: StoredValue::new(None),
            outcomes_changed: RwSignal::new(0),
            lang: use_lang(),
            flushing: StoredValue::new(false),
        }
    }

    pub fn url(self, rest: &str) -> String {
        self.id.with_value(|id| conversation_url(id, rest))
    }

    /// Online as far as we can tell: the browser says so and the server answered last time.
    pub fn online(self) -> bool {
        self.reachable.get() && self.browser_online.get()
    }

    pub fn vote_of(self, statement: StatementId) -> Option<Vote> {
        self.my_votes.with(|v| v.iter().find(|(s, _)| *s == statement).map(|(_, v)| *v))
    }

    /// A statement's text as this reader sees it (in their language when translated).
    pub fn statement_text(self, statement: StatementId) -> Option<String> {
        self.statement_shown(statement).map(|(text, _)| text)
    }

    /// A statement's text as this reader sees it, and that text's language.
    pub fn statement_shown(self, statement: StatementId) -> Option<(String, String)> {
        let reader = self.lang.get().tag();
        self.conversation.with(|c| {
            c.statements.iter().find(|s| s.id == statement).map(|s| {
                let shown = shown(&s.text, &s.language, &s.translations, reader);
                (shown.text.to_string(), shown.language.to_string())
            })
        })
    }

    /// Votes needed before the participant is placed on the map: min(7, statements)
    /// (Pol.is in-conv threshold, polis-math A.3).
    pub fn threshold(self) -> usize {
        self.conversation.with(|c| c.statements.len().min(7))
    }

    fn card(self) -> Option<StatementId> {
        self.next.with_untracked(|n| n.as_ref().and_then(|n| n.statement.as_ref()).map(|s| s.id))
    }

    /// Loads the conversation, joins it (or resumes; with an invitation `code`, joins as the
    /// code's new participant), and shows the first card.
    pub async fn start(self, xid: Option<SignedXid>, code: Option<String>) -> Result<(), ApiError> {
        let view = client::get::<ConversationView>(&self.url(""), None).await?;
        // Own statements accepted (or shown under open moderation) while away.
        for s in &view.statements {
            self.moderated(s.id, s.moderation);
        }
        self.conversation.set(view);
        let id = self.id.get_value();
        // An embedding site's signed xid names the participant; otherwise resume this browser's
        // token. A refused signature is an error, never an anonymous join.
        let join = match (xid, code) {
            (Some(SignedXid { xid, proof, expires }), _) => JoinRequest {
                xid: Some(xid),
                xid_proof: proof,
                xid_expires: expires,
                ..JoinRequest::default()
            },
            (None, Some(code)) => JoinRequest { code: Some(code), ..JoinRequest::default() },
            (None, None) => {
                boot_join_settled().await;
                let token: Option<String> = LocalStorage::get(token_key(&id)).ok();
                // Invitation only, and nobody in yet: the server would refuse the join
                // (403 code_required, an error in the browser's console); ask for the code.
                if token.is_none() && self.conversation.with_untracked(|c| c.invitation_only) {
                    return Err(ApiError::Server {
                        status: 403,
                        code: "code_required".into(),
                        message: String::new(),
                    });
                }
                JoinRequest { token, ..JoinRequest::default() }
            }
        };
        let joined = client::post::<_, JoinResponse>(&self.url("/participants"), None, &join).await?;
        if join.xid.is_none() {
            let _ = LocalStorage::set(token_key(&id), &joined.token);
        }
        self.token.set(Some(joined.token));
        self.me.set(Some(joined.participant));
        self.adopt_queue();
        if self.waiting.get_untracked() > 0 {
            self.flush_now().await;
        }
        self.load_next().await;
        // The card first; the list of past votes follows a moment later.
        spawn_local(self.load_my_votes());
        Ok(())
    }

    /// Takes the votes queued in local storage by someone else (app/boot.js's first card,
    /// shown before the app loaded): counted as waiting, listed as the participant's.
    fn adopt_queue(self) {
        let queued = self.id.with_value(|id| queue::load(id));
        self.waiting.set(queued.len());
        self.my_votes.update(|mine| {
            for v in &queued {
                upsert(mine, v.statement, v.vote);
            }
        });
    }

    /// The app's card is ready: app/boot.js's card, if any, goes, and the votes cast on it
    /// since the app started are sent (the app's card moves on if it was one of them).
    pub fn hand_over(self) {
        let _ = js_sys::Reflect::set(&js_sys::global(), &"mufakatApp".into(), &"ready".into());
        if let Some(boot) = document().get_element_by_id("boot") {
            boot.remove();
            self.adopt_queue();
            if self.waiting.get_untracked() > 0 {
                self.flush();
            }
        }
    }

    /// Asks the server for the next card (its routing picks it).
    pub async fn load_next(self) {
        let Some(token) = self.token.get_untracked() else { return };
        let path = match self.requested.get_value() {
            Some(s) => format!("/next?statement={s}"),
            None => "/next".to_string(),
        };
        self.requested.set_value(None);
        match client::get::<NextStatement>(&self.url(&path), Some(&token)).await {
            Ok(n) => {
                self.reachable.set(true);
                let voted = n.statement.as_ref().is_some_and(|s| self.vote_of_untracked(s.id).is_some());
                if voted {
                    self.advance_locally();
                } else {
                    self.next.set(Some(n));
                }
            }
            Err(e) => {
                self.note_failure(&e);
                self.advance_locally();
            }
        }
    }

    /// The server's record of this participant's votes, with the still-queued ones on top.
    async fn load_my_votes(self) {
        let Some(token) = self.token.get_untracked() else { return };
        let server = match client::get::<MyVotes>(&self.url("/my-votes"), Some(&token)).await {
            Ok(m) => m.votes,
            Err(e) => {
                self.note_failure(&e);
                return;
            }
        };
        self.my_votes.update(|mine| {
            let queued = std::mem::take(mine);
            *mine = server;
            for (s, v) in queued {
                upsert(mine, s, v);
            }
        });
    }

    fn vote_of_untracked(self, statement: StatementId) -> Option<Vote> {
        self.my_votes.with_untracked(|v| v.iter().find(|(s, _)| *s == statement).map(|(_, v)| *v))
    }

    fn note_failure(self, e: &ApiError) {
        if ErrorKind::of(e) == ErrorKind::Network {
            self.reachable.set(false);
        }
    }

    /// Records a vote: on screen and in the queue at once, then sends the queue.
    pub fn cast(self, statement: StatementId, vote: Vote) {
        let on_card = self.card() == Some(statement);
        let changed = !on_card && self.vote_of_untracked(statement).is_some();
        let was_empty = self.waiting.get_untracked() == 0;
        let online = self.reachable.get_untracked() && self.browser_online.get_untracked();
        self.my_votes.update(|mine| upsert(mine, statement, vote));
        let n = self.id.with_value(|id| queue::push(id, VoteRequest { statement, vote }));
        self.waiting.set(n);
        let offline = !online;
        self.notice.set(Some(if changed {
            Notice::Changed { vote, offline }
        } else {
            Notice::Voted { vote, offline }
        }));
        if on_card {
            if online && was_empty {
                self.busy.set(true);
            } else {
                self.advance_locally();
            }
        }
        self.flush();
    }

    /// Sends the queued votes, unless a send is already under way.
    pub fn flush(self) {
        spawn_local(self.flush_now());
    }

    async fn flush_now(self) {
        if self.flushing.get_value() {
            return;
        }
        let Some(token) = self.token.get_untracked() else { return };
        self.flushing.set_value(true);
        let id = self.id.get_value();
        let mut last_next = None;
        let mut failed = false;
        while let Some(v) = queue::front(&id) {
            match client::post::<_, VoteResponse>(&self.url("/votes"), Some(&token), &v).await {
                Ok(r) => {
                    self.waiting.set(queue::pop_sent(&id, &v));
                    self.reachable.set(true);
                    last_next = Some(r.next);
                }
                Err(e) if ErrorKind::of(&e) == ErrorKind::Network => {
                    self.reachable.set(false);
                    // A vote announced as recorded is, for now, only on this device: say so.
                    self.notice.update(|n| {
                        if let Some(Notice::Voted { offline, .. } | Notice::Changed { offline, .. }) = n {
                            *offline = true;
                        }
                    });
                    failed = true;
                    break;
                }
                Err(e) => {
                    // Refused for good (statement removed, conversation closed): drop it so
                    // the votes behind it still go, and say why.
                    self.waiting.set(queue::pop_sent(&id, &v));
                    self.reachable.set(true);
                    self.my_votes.update(|mine| mine.retain(|(s, _)| *s != v.statement));
                    self.notice.set(Some(Notice::Error(ErrorKind::of(&e))));
                }
            }
        }
        self.flushing.set_value(false);
        let says_waiting = self.notice.with_untracked(|n| {
            matches!(n, Some(Notice::Voted { offline: true, .. } | Notice::Changed { offline: true, .. }))
        });
        if !failed && says_waiting && self.waiting.get_untracked() == 0 {
            // Every vote reached the server: the notice no longer says one waits on this device.
            self.notice.update(|n| {
                if let Some(Notice::Voted { offline, .. } | Notice::Changed { offline, .. }) = n {
                    *offline = false;
                }
            });
        }
        let card_done = self.card().is_some_and(|s| self.vote_of_untracked(s).is_some());
        if self.busy.get_untracked() || card_done {
            match last_next {
                Some(n)
                    if !failed
                        && n.statement.as_ref().is_none_or(|s| self.vote_of_untracked(s.id).is_none()) =>
                {
                    self.next.set(Some(n))
                }
                _ => self.advance_locally(),
            }
            self.busy.set(false);
        }
    }

    /// Picks the next card from the statements already loaded: the least-voted unvoted one,
    /// never the participant's own (the server's novelty rule, without the randomness).
    pub fn advance_locally(self) {
        let posted: Vec<StatementId> = self.posted.with_untracked(|p| p.iter().map(|s| s.id).collect());
        let candidates: Vec<StatementView> = self.conversation.with_untracked(|c| {
            c.statements
                .iter()
                .filter(|s| self.vote_of_untracked(s.id).is_none() && !posted.contains(&s.id))
                .cloned()
                .collect()
        });
        let voted = self.my_votes.with_untracked(|v| v.len()) as u32;
        // The conversation's cap holds offline too.
        let cap = self.conversation.with_untracked(|c| c.statement_cap);
        let capped = cap > 0 && voted >= cap;
        let statement =
            if capped { None } else { candidates.iter().min_by_key(|s| (s.counts.total(), s.id)).cloned() };
        self.next.set(Some(NextStatement { statement, remaining: candidates.len() as u32, voted, capped }));
        self.busy.set(false);
    }

    /// Called every few seconds and when the browser comes back online: sends waiting votes,
    /// or checks whether the server is reachable again.
    pub fn retry(self) {
        self.browser_online.set(browser_online());
        if !self.browser_online.get_untracked() {
            return;
        }
        if self.waiting.get_untracked() > 0 {
            self.flush();
        } else if !self.reachable.get_untracked() {
            spawn_local(async move {
                if client::get::<ConversationView>(&self.url(""), None).await.is_ok() {
                    self.reachable.set(true);
                    self.server_changed.update(|n| *n += 1);
                }
            });
        }
    }

    /// A statement the participant posted: listed with its moderation, and shown to voters
    /// when it is already visible.
    pub fn add_posted(self, s: StatementView) {
        let strict = self.conversation.with_untracked(|c| c.strict_moderation);
        let visible =
            s.moderation == Moderation::Accepted || (!strict && s.moderation == Moderation::Pending);
        if visible {
            self.add_statement(s.clone());
        }
        self.posted.update(|p| p.push(s));
        self.save_posted();
    }

    fn save_posted(self) {
        let id = self.id.get_value();
        // A full storage loses only the list after a reload, never the statement.
        let _ = self.posted.with_untracked(|p| LocalStorage::set(posted_key(&id), p));
    }

    /// A moderator's decision on a statement, as the live stream reports it: updates the
    /// participant's own list when it is theirs.
    pub fn moderated(self, statement: StatementId, moderation: Moderation) {
        let changed =
            self.posted.with_untracked(|p| p.iter().any(|s| s.id == statement && s.moderation != moderation));
        if changed {
            self.posted.update(|p| {
                if let Some(s) = p.iter_mut().find(|s| s.id == statement) {
                    s.moderation = moderation;
                }
            });
            self.save_posted();
        }
    }

    /// A statement became visible (live event or own post).
    pub fn add_statement(self, s: StatementView) {
        // The card holds its own copy: a translation added, corrected or removed reaches it too.
        let card_stale = self.next.with_untracked(|n| {
            n.as_ref()
                .and_then(|n| n.statement.as_ref())
                .is_some_and(|x| x.id == s.id && x.translations != s.translations)
        });
        if card_stale {
            self.next.update(|n| {
                if let Some(x) = n.as_mut().and_then(|n| n.statement.as_mut()) {
                    x.translations = s.translations.clone();
                }
            });
        }
        let all_done = self.next.with_untracked(|n| n.as_ref().is_some_and(|n| n.statement.is_none()));
        self.conversation.update(|c| match c.statements.iter_mut().find(|x| x.id == s.id) {
            Some(x) => *x = s,
            None => c.statements.push(s),
        });
        if all_done && !self.busy.get_untracked() {
            spawn_local(self.load_next());
        }
    }

    /// A statement was hidden by a moderator: off the list, and off the card if shown.
    pub fn hide_statement(self, statement: StatementId) {
        self.conversation.update(|c| c.statements.retain(|s| s.id != statement));
        if self.card() == Some(statement) {
            spawn_local(self.load_next());
        }
    }
}

fn upsert(votes: &mut Vec<(StatementId, Vote)>, statement: StatementId, vote: Vote) {
    match votes.iter_mut().find(|(s, _)| *s == statement) {
        Some(entry) => entry.1 = vote,
        None => votes.push((statement, vote)),
    }
}
