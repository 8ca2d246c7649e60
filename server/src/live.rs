//! What this process keeps in memory about the conversations it serves, so that the vote
//! path reads no SQL: settings, statements with their counts, each participant's current
//! votes, routing priorities from the last background analysis, and participant tokens.
//!
//! The store stays the truth. A conversation is loaded on first use; moderator changes
//! reload it (on every process, through the hub); the background refresh re-reads counts.
//! Locks are held for a few microseconds and never across an `.await`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use mufakat_core::api::{ConversationView, NextStatement, StatementOrigin, StatementView, VoteCounts};
use mufakat_core::model::{Moderation, ParticipantId, StatementId, Vote, VoteRecord};
use mufakat_core::routing;
use mufakat_core::StatementMeta;

use crate::store::{Conversation, ConversationTotals, Result, StatementRow, Store, VoteWrite};
use crate::votelog::VoteLog;

/// Why a vote is refused before it reaches the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoteRefusal {
    Closed,
    UnknownStatement,
}

/// The live state of one conversation.
pub struct ConvState {
    pub id: Arc<str>,
    inner: Mutex<ConvInner>,
    /// Votes arrived since the last `votes` event.
    pub votes_dirty: AtomicBool,
    /// Votes applied by this process, ever: a refresh that raced with votes keeps the
    /// counts it has rather than older ones read from the store.
    applied: AtomicU64,
    /// Moderator reloads begun, ever (their tickets).
    reloads: AtomicU64,
    /// Every vote in arrival order (`crate::votelog`).
    pub log: VoteLog,
    /// Votes per hour for the moderator's dashboard (`None` until first counted).
    hours: tokio::sync::Mutex<Option<HourCounts>>,
    /// The background has started counting `hours` (once, off the request path).
    hours_started: AtomicBool,
}

/// Votes per hour over the log's first `upto` entries: counted once through SQL, then kept
/// up to date by the writer (see [`ConvState::votes_per_hour`]).
#[derive(Default)]
struct HourCounts {
    upto: u64,
    per_hour: std::collections::BTreeMap<i64, u32>,
}

/// The start of the hour a vote taken at `at` (ms) counts in, as the store computes it.
fn hour_of(at: i64) -> i64 {
    (at / 3_600_000) * 3_600_000
}

struct ConvInner {
    conv: Conversation,
    /// Every statement, in id order (ids are dense from 0).
    statements: Vec<StatementRow>,
    priorities: HashMap<StatementId, f64>,
    /// Current votes of the participants seen by this process.
    voted: HashMap<ParticipantId, HashMap<StatementId, Vote>>,
    totals: ConversationTotals,
    /// Ticket of the newest moderator reload applied (see [`ConvState::begin_reload`]).
    applied_reload: u64,
}

impl ConvInner {
    fn statement(&self, id: StatementId) -> Option<&StatementRow> {
        match self.statements.get(id as usize) {
            Some(s) if s.id == id => Some(s),
            _ => self.statements.iter().find(|s| s.id == id),
        }
    }

    fn statement_mut(&mut self, id: StatementId) -> Option<&mut StatementRow> {
        let idx = match self.statements.get(id as usize) {
            Some(s) if s.id == id => Some(id as usize),
            _ => self.statements.iter().position(|s| s.id == id),
        };
        idx.map(|i| &mut self.statements[i])
    }

    fn visible(&self, s: &StatementRow) -> bool {
        self.conv.shows(s.moderation, s.is_meta)
    }
}

fn view(s: &StatementRow) -> StatementView {
    StatementView {
        id: s.id,
        text: s.text.clone(),
        moderation: s.moderation,
        counts: s.counts,
        language: s.language.clone(),
        translations: s.translations.clone(),
    }
}

impl ConvState {
    fn lock(&self) -> MutexGuard<'_, ConvInner> {
        // A poisoned lock only means another request panicked mid-update of counters.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn conversation(&self) -> Conversation {
        self.lock().conv.clone()
    }

    pub fn totals(&self) -> ConversationTotals {
        self.lock().totals
    }

    /// Every statement in any state, by id, with its current vote counts as this process
    /// holds them (counted from the vote log): the moderator's view, without a count over
    /// every vote through SQL.
    pub fn statements(&self) -> Vec<StatementRow> {
        self.lock().statements.clone()
    }

    /// Checks a vote against what participants may see and the conversation's state.
    pub fn check_vote(&self, statement: StatementId) -> std::result::Result<(), VoteRefusal> {
        let inner = self.lock();
        if inner.conv.closed {
            return Err(VoteRefusal::Closed);
        }
        match inner.statement(statement) {
            Some(s) if inner.visible(s) => Ok(()),
            _ => Err(VoteRefusal::UnknownStatement),
        }
    }

    pub fn has_votes_of(&self, participant: ParticipantId) -> bool {
        self.lock().voted.contains_key(&participant)
    }

    pub fn set_votes_of(&self, participant: ParticipantId, votes: Vec<(StatementId, Vote)>) {
        self.lock().voted.entry(participant).or_insert_with(|| votes.into_iter().collect());
    }

    /// Replaces a participant's votes with the store's (votes taken by other processes).
    pub fn reset_votes_of(&self, participant: ParticipantId, votes: Vec<(StatementId, Vote)>) {
        self.lock().voted.insert(participant, votes.into_iter().collect());
    }

    pub fn votes_of(&self, participant: ParticipantId) -> Vec<(StatementId, Vote)> {
        let inner = self.lock();
        let mut v: Vec<_> = inner
            .voted
            .get(&participant)
            .map(|m| m.iter().map(|(s, v)| (*s, *v)).collect())
            .unwrap_or_default();
        v.sort_unstable_by_key(|(s, _)| *s);
        v
    }

    /// Applies a committed vote to the counts and appends it to the log as entry `seq`
    /// (called by the writer, in commit order).
    pub fn apply(&self, w: &VoteWrite, seq: u64) {
        self.log
            .append([(seq, VoteRecord { participant: w.participant, statement: w.statement, vote: w.vote })]);
        // Counted here only if it is the next entry the hours hold and no reader is counting
        // through SQL now; otherwise the next reader counts it from the store.
        if let Ok(mut hours) = self.hours.try_lock() {
            if let Some(h) = hours.as_mut().filter(|h| h.upto == seq) {
                *h.per_hour.entry(hour_of(w.at)).or_default() += 1;
                h.upto += 1;
            }
        }
        let mut inner = self.lock();
        let previous = inner.voted.entry(w.participant).or_default().insert(w.statement, w.vote);
        if previous.is_none() {
            inner.totals.votes += 1;
            if inner.voted.get(&w.participant).is_some_and(|m| m.len() == 1) {
                inner.totals.voters += 1;
            }
        }
        if let Some(s) = inner.statement_mut(w.statement) {
            if let Some(old) = previous {
                match old {
                    Vote::Agree => s.counts.agree = s.counts.agree.saturating_sub(1),
                    Vote::Disagree => s.counts.disagree = s.counts.disagree.saturating_sub(1),
                    Vote::Pass => s.counts.pass = s.counts.pass.saturating_sub(1),
                }
            }
            s.counts.add(w.vote);
        }
        self.applied.fetch_add(1, Ordering::Relaxed);
        drop(inner);
        self.votes_dirty.store(true, Ordering::Relaxed);
    }

    /// The next statement for a participant whose votes are loaded: weighted by the last
    /// analysis's priorities (`mufakat_core::routing`), never voted, never their own, under
    /// the conversation's routing control (pin, cap) and a direct link's `requested` one.
    pub fn next_for(&self, participant: ParticipantId, requested: Option<StatementId>) -> NextStatement {
        let inner = self.lock();
        let empty = HashMap::new();
        let voted = inner.voted.get(&participant).unwrap_or(&empty);
        let candidates: Vec<routing::Candidate> = inner
            .statements
            .iter()
            .filter(|s| inner.visible(s))
            .map(|s| routing::Candidate {
                statement: s.id,
                priority: inner.priorities.get(&s.id).copied(),
                author: s.author,
            })
            .collect();
        let remaining = candidates
            .iter()
            .filter(|c| c.author != Some(participant) && !voted.contains_key(&c.statement))
            .count() as u32;
        let voted_visible = candidates.iter().filter(|c| voted.contains_key(&c.statement)).count() as u32;
        let settings = &inner.conv.settings;
        let control =
            routing::Control { pinned: settings.pinned_statement, cap: settings.statement_cap, requested };
        let route = routing::route(
            &candidates,
            participant,
            |s| voted.contains_key(&s),
            voted_visible,
            &control,
            &mut rand::thread_rng(),
        );
        let pick = match route {
            routing::Route::Statement(id) => Some(id),
            routing::Route::Capped | routing::Route::Done => None,
        };
        NextStatement {
            statement: pick.and_then(|id| inner.statement(id)).map(view),
            remaining,
            voted: voted_visible,
            capped: route == routing::Route::Capped,
        }
    }

    pub fn view(&self) -> ConversationView {
        let inner = self.lock();
        let c = &inner.conv;
        let statements = inner.statements.iter().filter(|s| inner.visible(s)).map(view).collect();
        ConversationView {
            from_polis: c.from_polis,
            ..ConversationView::new(&c.id, &c.settings, c.closed, inner.totals.participants, statements)
        }
    }

    /// Author, time and seed flag of every statement participants may see, by id (what
    /// Pol.is's public comments.csv shows; `GET …/statements`).
    pub fn origins(&self) -> Vec<StatementOrigin> {
        let inner = self.lock();
        inner
            .statements
            .iter()
            .filter(|s| inner.visible(s))
            .map(|s| StatementOrigin {
                id: s.id,
                author: s.author,
                created_at: s.created_at_ms,
                is_seed: s.is_seed,
            })
            .collect()
    }

    /// A statement as participants see it, if they may see it.
    pub fn visible_view(&self, id: StatementId) -> Option<StatementView> {
        let inner = self.lock();
        inner.statement(id).filter(|s| inner.visible(s)).map(view)
    }

    pub fn add_statement(&self, row: StatementRow) {
        let mut inner = self.lock();
        if inner.statement(row.id).is_none() {
            inner.statements.push(row);
            inner.statements.sort_by_key(|s| s.id);
        }
    }

    pub fn participant_joined(&self) {
        self.lock().totals.participants += 1;
    }

    pub fn set_priorities(&self, priorities: HashMap<StatementId, f64>) {
        self.lock().priorities = priorities;
    }

    /// (hour start in ms, votes cast in that hour, changes included), oldest first: the
    /// dashboard's chart. The first call counts the log so far through SQL (a `GROUP BY`
    /// over every vote: seconds on a million); after that the writer keeps the counts as it
    /// commits, and a call reads from the store only the entries it did not count (votes
    /// of other processes, or ones committed while a call was counting).
    pub async fn votes_per_hour(&self, store: &Store) -> Result<Vec<(i64, u32)>> {
        let mut hours = self.hours.lock().await;
        let end = self.log.len();
        let from = hours.as_ref().map_or(0, |h| h.upto);
        if from < end {
            let rows = store.votes_per_hour(&self.id, from, end).await?;
            let h = hours.get_or_insert_with(HourCounts::default);
            for (hour, n) in rows {
                *h.per_hour.entry(hour).or_default() += n;
            }
            h.upto = end;
        }
        let h = hours.get_or_insert_with(HourCounts::default);
        Ok(h.per_hour.iter().map(|(&hour, &n)| (hour, n)).collect())
    }

    /// True the first time only: the background then counts the hours once, so that the
    /// dashboard's first visit does not wait for the count.
    pub fn start_counting_hours(&self) -> bool {
        !self.hours_started.swap(true, Ordering::Relaxed)
    }

    /// What the analysis needs to know of each statement.
    pub fn statement_metas(&self) -> Vec<StatementMeta> {
        self.lock()
            .statements
            .iter()
            .map(|s| StatementMeta {
                id: s.id,
                moderation: s.moderation,
                is_meta: s.is_meta,
                author: s.author,
            })
            .collect()
    }

    /// Puts in the counts replayed from the vote log (which hold the votes other processes
    /// took), unless this process applied votes since `mark` (taken before the log was
    /// read): then the counts in memory are newer and stay. `participants`, when read from
    /// the store, only ever raises the count.
    pub fn counts_from_log(
        &self,
        mark: u64,
        counts: &HashMap<StatementId, VoteCounts>,
        votes: u64,
        voters: u32,
        participants: Option<u32>,
    ) {
        let mut inner = self.lock();
        if let Some(p) = participants {
            inner.totals.participants = inner.totals.participants.max(p);
        }
        if self.applied.load(Ordering::Relaxed) != mark {
            return;
        }
        for s in &mut inner.statements {
            s.counts = counts.get(&s.id).copied().unwrap_or_default();
        }
        inner.totals.votes = votes;
        inner.totals.voters = voters;
    }

    /// A mark to pass to [`ConvState::counts_from_log`] or a reload, taken before reading.
    pub fn mark(&self) -> u64 {
        self.applied.load(Ordering::Relaxed)
    }

    /// Starts a moderator reload: its ticket (reloads are numbered in the order they begin)
    /// and the vote mark, both taken before the store is read.
    pub fn begin_reload(&self) -> (u64, u64) {
        let ticket = self.reloads.fetch_add(1, Ordering::SeqCst) + 1;
        (ticket, self.mark())
    }

    /// Applies what reload `ticket` read from the store (see [`ConvState::replace_from_store`]),
    /// unless a reload that began later has applied already: reloads can overlap (a
    /// moderator's own and one asked by a NOTIFY), and the one that began later read the
    /// newer store.
    pub fn apply_reload(
        &self,
        ticket: u64,
        mark: u64,
        conv: Conversation,
        statements: Vec<StatementRow>,
        totals: ConversationTotals,
    ) {
        self.replace_from_store(Source::Reload(ticket), mark, conv, statements, totals);
    }

    /// Replaces settings, statements and totals with what the store held at `mark`; if
    /// votes were applied since, the counts in memory are newer and are kept.
    fn replace_from_store(
        &self,
        source: Source,
        mark: u64,
        conv: Conversation,
        mut statements: Vec<StatementRow>,
        totals: ConversationTotals,
    ) {
        let mut inner = self.lock();
        // Checked under the lock that every apply takes: a reload that began before this
        // check is seen here, and one that begins after it applies afterwards.
        let Source::Reload(ticket) = source;
        if ticket <= inner.applied_reload {
            return;
        }
        inner.applied_reload = ticket;
        let raced = self.applied.load(Ordering::Relaxed) != mark;
        if raced {
            for s in &mut statements {
                if let Some(old) = inner.statement(s.id) {
                    s.counts = old.counts;
                }
            }
        } else {
            inner.totals = totals;
        }
        inner.totals.participants = inner.totals.participants.max(totals.participants);
        inner.conv = conv;
        inner.statements = statements;
    }
}

/// Who read the store for [`ConvState::replace_from_store`], and what they had seen.
enum Source {
    /// A moderator reload, with its ticket.
    Reload(u64),
}

/// Every conversation this process has served, and the tokens it has seen.
#[derive(Default)]
pub struct Live {
    convs: RwLock<HashMap<String, Arc<ConvState>>>,
    tokens: RwLock<HashMap<String, (Arc<str>, ParticipantId)>>,
    /// One load per conversation at a time: the requests that arrive while a cold process
    /// reads a large log wait for that read instead of each reading it again.
    loading: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Conversations read from the store, ever.
    loads: AtomicU64,
}

impl Live {
    /// The conversation's live state, loading it from the store on first use.
    ///
    /// The load runs on its own task, holding the conversation's gate: a request that
    /// gives up meanwhile (its timeout, a closed connection) does not cancel it, and the
    /// next one finds it done or waits for it, instead of starting it again (a load longer
    /// than the request timeout used to be started over by every retry, for ever).
    pub async fn conv(self: &Arc<Self>, store: &Store, id: &str) -> Result<Arc<ConvState>> {
        if let Some(c) = self.loaded(id) {
            return Ok(c);
        }
        let gate = {
            let mut loading = self.loading.lock().unwrap_or_else(|e| e.into_inner());
            loading.entry(id.to_string()).or_default().clone()
        };
        let one = gate.lock_owned().await;
        if let Some(c) = self.loaded(id) {
            return Ok(c);
        }
        let (live, store, key) = (self.clone(), store.clone(), id.to_string());
        let task = tokio::spawn(async move {
            let _one = one;
            let state = live.load(&store, &key).await;
            live.loading.lock().unwrap_or_else(|e| e.into_inner()).remove(&key);
            let state = state?;
            let mut convs = live.convs.write().unwrap_or_else(|e| e.into_inner());
            Ok(convs.entry(key).or_insert(state).clone())
        });
        task.await.map_err(|e| crate::store::StoreError::Corrupt(format!("loading {id} stopped: {e}")))?
    }

    /// How many times a conversation was read from the store.
    pub fn loads(&self) -> u64 {
        self.loads.load(Ordering::Relaxed)
    }

    async fn load(&self, store: &Store, id: &str) -> Result<Arc<ConvState>> {
        self.loads.fetch_add(1, Ordering::Relaxed);
        let conv = store.conversation(id).await?;
        let mut statements = store.statement_rows(id).await?;
        let participants = store.participant_count(id).await?;
        let log = VoteLog::load(store, id).await?;
        let totals = log.with_entries(|entries| count_into(&mut statements, entries, participants));
        let state = Arc::new(ConvState {
            id: id.into(),
            inner: Mutex::new(ConvInner {
                conv,
                statements,
                priorities: HashMap::new(),
                voted: HashMap::new(),
                totals,
                applied_reload: 0,
            }),
            votes_dirty: AtomicBool::new(false),
            applied: AtomicU64::new(0),
            reloads: AtomicU64::new(0),
            log,
            hours: tokio::sync::Mutex::new(None),
            hours_started: AtomicBool::new(false),
        });
        Ok(state)
    }

    /// Reloads a conversation's settings and statements after a moderator changed them.
    pub async fn reload(&self, store: &Store, id: &str) -> Result<()> {
        let existing = self.convs.read().unwrap_or_else(|e| e.into_inner()).get(id).cloned();
        if let Some(state) = existing {
            let (ticket, mark) = state.begin_reload();
            let conv = store.conversation(id).await?;
            let mut statements = store.statement_rows(id).await?;
            let participants = store.participant_count(id).await?;
            state.log.catch_up(store, id).await?;
            let totals = state.log.with_entries(|entries| count_into(&mut statements, entries, participants));
            state.apply_reload(ticket, mark, conv, statements, totals);
        }
        Ok(())
    }

    /// The conversation's live state if this process has loaded it.
    pub fn loaded(&self, id: &str) -> Option<Arc<ConvState>> {
        self.convs.read().unwrap_or_else(|e| e.into_inner()).get(id).cloned()
    }

    pub fn all(&self) -> Vec<Arc<ConvState>> {
        self.convs.read().unwrap_or_else(|e| e.into_inner()).values().cloned().collect()
    }

    /// The participant holding `token` in conversation `conv`, from memory or the store.
    pub async fn participant(&self, store: &Store, conv: &str, token: &str) -> Result<Option<ParticipantId>> {
        if let Some((c, p)) = self.tokens.read().unwrap_or_else(|e| e.into_inner()).get(token) {
            return Ok((c.as_ref() == conv).then_some(*p));
        }
        let found = store.participant_by_token(conv, token).await?;
        if let Some(p) = found {
            self.remember(token, conv, p);
        }
        Ok(found)
    }

    pub fn remember(&self, token: &str, conv: &str, participant: ParticipantId) {
        self.tokens
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(token.to_string(), (conv.into(), participant));
    }
}

/// Puts the current vote counts replayed from the log `entries` into `statements` and
/// returns the conversation's totals: the store's counts, without a count over every vote.
fn count_into(
    statements: &mut [StatementRow],
    entries: &[VoteRecord],
    participants: u32,
) -> ConversationTotals {
    let (counts, votes, voters) = crate::background::counts_of(entries);
    for s in statements.iter_mut() {
        s.counts = counts.get(&s.id).copied().unwrap_or_default();
    }
    ConversationTotals { participants, votes, voters }
}

/// Statements a moderator decision makes visible or hidden, for live events.
pub fn visibility_changes(
    conv: &Conversation,
    before: &[StatementRow],
    after: &[StatementRow],
) -> Vec<(StatementId, bool)> {
    after
        .iter()
        .filter_map(|a| {
            let was =
                before.iter().find(|b| b.id == a.id).is_some_and(|b| conv.shows(b.moderation, b.is_meta));
            let is = conv.shows(a.moderation, a.is_meta);
            (was != is).then_some((a.id, is))
        })
        .collect()
}

/// `Moderation` to store for a participant's new statement.
pub fn initial_moderation(conv: &Conversation) -> Moderation {
    if conv.settings.strict_moderation {
        Moderation::Pending
    } else {
        Moderation::Accepted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A store with the demo conversation, served by `Live` and then closed by a moderator.
    async fn closed_demo(dir: &tempfile::TempDir) -> (Store, Arc<Live>, Arc<ConvState>) {
        let url = format!("sqlite://{}", dir.path().join("t.sqlite").display());
        let store = Store::open(&url).await.expect("store");
        crate::demo::load(&store).await.expect("demo");
        let live = Arc::new(Live::default());
        let state = live.conv(&store, "demo").await.expect("conversation");
        let mut closed = store.conversation("demo").await.expect("read");
        closed.closed = true;
        store.update_conversation(&closed).await.expect("close");
        live.reload(&store, "demo").await.expect("reload");
        (store, live, state)
    }

    /// What a refresh or reload reads from the store.
    async fn read_demo(store: &Store) -> (Conversation, Vec<StatementRow>, ConversationTotals) {
        let conv = store.conversation("demo").await.expect("read");
        let statements = store.statements("demo").await.expect("read");
        let totals = store.totals("demo").await.expect("read");
        (conv, statements, totals)
    }

    /// A moderator reopens the demo: the store, then this process's memory.
    async fn reopen_demo(store: &Store, live: &Live) {
        let mut open = store.conversation("demo").await.expect("read");
        open.closed = false;
        store.update_conversation(&open).await.expect("reopen");
        live.reload(store, "demo").await.expect("reload");
    }

    /// The counts a first load and a reload put in memory are the store's, read from the
    /// vote log: with the `votes` table out of reach (so any count over every vote fails),
    /// both still give what SQL counted before.
    #[tokio::test]
    async fn first_load_and_reload_count_votes_from_the_log_not_over_the_votes_table() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("t.sqlite").display());
        let store = Store::open(&url).await.expect("store");
        crate::demo::load(&store).await.expect("demo");
        let (_, by_sql, totals) = read_demo(&store).await;
        assert!(totals.votes > 1000 && by_sql.iter().any(|s| s.counts.agree > 0), "the demo has votes");
        let Store::Sqlite(sql) = &store else { unreachable!("opened as SQLite") };
        sqlx::query("ALTER TABLE votes RENAME TO votes_out_of_reach")
            .execute(&sql.pool)
            .await
            .expect("rename");

        let live = Arc::new(Live::default());
        let state = live.conv(&store, "demo").await.expect("first load without the votes table");
        let in_memory = |state: &ConvState| {
            let inner = state.lock();
            (inner.statements.clone(), inner.totals)
        };
        assert_eq!(in_memory(&state), (by_sql.clone(), totals), "first load");
        live.reload(&store, "demo").await.expect("reload without the votes table");
        assert_eq!(in_memory(&state), (by_sql, totals), "reload");
    }

    /// Requests that arrive together at a cold process read the conversation once.
    #[tokio::test]
    async fn concurrent_first_uses_read_the_conversation_once() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("t.sqlite").display());
        let store = Store::open(&url).await.expect("store");
        crate::demo::load(&store).await.expect("demo");
        let live = Arc::new(Live::default());
        let all = futures_util::future::join_all((0..20).map(|_| live.conv(&store, "demo"))).await;
        let first = all[0].as_ref().expect("loads").clone();
        assert!(all.iter().all(|c| c.as_ref().is_ok_and(|c| Arc::ptr_eq(c, &first))));
        assert_eq!(live.loads(), 1, "the log was read more than once");
        assert!(live.conv(&store, "nowhere").await.is_err());
        assert!(live.conv(&store, "nowhere").await.is_err(), "a failed load is tried again");
    }

    /// A first use that gives up before the conversation is loaded (a request's timeout)
    /// does not cancel the load: the next use finds it, read once.
    #[tokio::test]
    async fn a_load_outlives_the_request_that_gave_up_on_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("t.sqlite").display());
        let store = Store::open(&url).await.expect("store");
        crate::demo::load(&store).await.expect("demo");
        let live = Arc::new(Live::default());
        let gave_up = tokio::time::timeout(std::time::Duration::ZERO, live.conv(&store, "demo")).await;
        assert!(gave_up.is_err(), "the first use was to give up before the load was done");
        live.conv(&store, "demo").await.expect("loaded");
        assert_eq!(live.loads(), 1, "the load was started again");
    }

    /// The log read in packed ranges is the log read row by row, from any entry on,
    /// across range boundaries.
    #[tokio::test]
    async fn the_vote_log_read_in_packed_ranges_is_the_log_row_by_row() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = crate::votelog::tests::demo_with_a_full_segment(&dir).await;
        let Store::Sqlite(sql) = &store else { unreachable!("opened as SQLite") };
        let len = sql.vote_log_rows("demo", 0).await.expect("rows").len() as u64;
        assert!(len > 70_000);
        for from in [0, 1, 65_535, 65_536, len - 1, len, len + 5] {
            let packed = store.vote_log("demo", from).await.expect("packed");
            let rows = sql.vote_log_rows("demo", from).await.expect("rows");
            assert_eq!(packed.len(), rows.len(), "from {from}");
            assert!(packed == rows, "from {from}: the entries differ");
        }
    }

    /// Two reloads overlap: one (asked by the process's own NOTIFY after a close) reads the
    /// closed conversation; the moderator then reopens it and that reload applies first; the
    /// older reload applies last: the reopening must stand.
    #[tokio::test]
    async fn an_older_reload_applied_late_does_not_undo_a_newer_one() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (store, live, state) = closed_demo(&dir).await;

        let (old_ticket, old_mark) = state.begin_reload();
        let (stale, statements, totals) = read_demo(&store).await;
        reopen_demo(&store, &live).await;
        assert!(!state.conversation().closed);
        state.apply_reload(old_ticket, old_mark, stale, statements, totals);
        assert!(!state.conversation().closed, "an older reload closed the reopened conversation again");
    }
}
