//! Background work, off the request path: `votes` live events a few times a second for
//! conversations that received votes, and the periodic analysis whose per-statement
//! priorities drive routing (`mufakat_core::routing`).
//!
//! The analysis reads the conversation's vote log in memory (`crate::votelog`), in arrival
//! order as the CLI reads an export, never the votes through SQL; it also gives the
//! statements' vote counts, which on PostgreSQL bring in the votes other processes took. It
//! runs when the log grew and waits at least `COST_FACTOR` times its own last duration
//! before the next, so it never takes more than about a tenth of a core, whatever the
//! conversation's size, and it runs on a thread of lower priority (`crate::low_priority`),
//! so when the requests want the whole core they go first. Each run is cold (`mufakat_core::published::run`) and is published
//! at the log's length (`crate::published`, docs/published-analysis.md), so any browser can
//! replay it from the log and check it byte for byte.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mufakat_core::api::events::LiveEvent;
use mufakat_core::api::VoteCounts;
use mufakat_core::published;
use mufakat_core::{StatementId, Vote, VoteRecord};

use crate::live::ConvState;
use crate::published::PublishedDoc;
use crate::state::AppState;

/// How often `votes` events may go out per conversation.
const VOTES_EVENT_EVERY: Duration = Duration::from_millis(250);
/// The analysis waits at least this many times its last run's duration before the next.
pub const COST_FACTOR: u32 = 10;

/// Per conversation: where the last analysis got to.
#[derive(Default)]
struct Analysed {
    /// Log entries it saw.
    seen: u64,
    /// When the next may start.
    not_before: Option<Instant>,
    /// Where every run starts (Pol.is's math of an imported conversation), read from the
    /// store once; `None` until read.
    start: Option<Option<Arc<published::Start>>>,
}

pub fn spawn(st: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(VOTES_EVENT_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut analysed: HashMap<Arc<str>, Arc<tokio::sync::Mutex<Analysed>>> = HashMap::new();
        loop {
            tick.tick().await;
            for conv in st.live.all() {
                if st.store.pg_pool().is_some() && conv.log.has_gap() {
                    // This process wrote past entries of another that it has not read yet.
                    if let Err(e) = conv.log.catch_up(&st.store, &conv.id).await {
                        tracing::warn!(conversation = %conv.id, error = %e, "reading the vote log failed");
                    }
                }
                if conv.log.unstored() > 0 {
                    // Full segments the store does not keep yet: a restarted process reads
                    // them instead of every entry (`VoteLog::persist`, one at a time).
                    let (st, conv) = (st.clone(), conv.clone());
                    tokio::spawn(async move {
                        if let Err(e) = conv.log.persist(&st.store, &conv.id).await {
                            tracing::warn!(conversation = %conv.id, error = %e, "keeping the vote log's segments failed");
                        }
                    });
                }
                if conv.start_counting_hours() {
                    // The dashboard's votes per hour, counted once (then kept by the writer).
                    let (st, conv) = (st.clone(), conv.clone());
                    tokio::spawn(async move {
                        if let Err(e) = conv.votes_per_hour(&st.store).await {
                            tracing::warn!(conversation = %conv.id, error = %e, "counting votes per hour failed");
                        }
                    });
                }
                if conv.votes_dirty.swap(false, Ordering::Relaxed) {
                    let t = conv.totals();
                    // The log's length now: readers ask for exactly the entries up to it.
                    let entries = conv.log.len();
                    st.hub
                        .publish(
                            &conv.id,
                            LiveEvent::Votes { participants: t.participants, votes: t.votes, entries },
                        )
                        .await;
                }
                // One analysis per conversation at a time, on its own task, so `votes` events
                // keep going out while a large conversation is being analysed.
                let slot = analysed.entry(conv.id.clone()).or_default().clone();
                let Ok(mut a) = slot.try_lock_owned() else { continue };
                let due = a.not_before.is_none_or(|t| Instant::now() >= t);
                if due && conv.log.len() != a.seen {
                    let st = st.clone();
                    tokio::spawn(async move {
                        let started = Instant::now();
                        if let Err(e) = refresh(&st, &conv, &mut a).await {
                            tracing::warn!(conversation = %conv.id, error = %e, "refresh failed");
                        }
                        crate::metrics::METRICS.analysis_seconds.observe(started.elapsed().as_secs_f64());
                        a.not_before =
                            Some(Instant::now() + next_wait(st.limits.analysis_every, started.elapsed()));
                    });
                }
            }
        }
    })
}

/// The wait before the next analysis: the configured interval, or `COST_FACTOR` times what
/// the last one cost when that is longer.
pub fn next_wait(every: Duration, last_cost: Duration) -> Duration {
    every.max(last_cost * COST_FACTOR)
}

/// Above this many (participant, statement) cells, [`counts_of`] keeps a hash map instead
/// of one byte a cell (64 MiB).
const DENSE_CELLS: u64 = 1 << 26;

/// Current counts replayed from a log (latest vote wins): per statement, the number of
/// current votes, and the participants with at least one. Ids are dense from 0, so a
/// byte a (participant, statement) cell does it in milliseconds on a million entries.
pub fn counts_of(entries: &[VoteRecord]) -> (HashMap<StatementId, VoteCounts>, u64, u32) {
    let (max_p, max_s) =
        entries.iter().fold((0u32, 0u32), |(p, s), e| (p.max(e.participant), s.max(e.statement)));
    let width = u64::from(max_s) + 1;
    if entries.is_empty() || (u64::from(max_p) + 1) * width > DENSE_CELLS {
        return counts_of_sparse(entries);
    }
    let width = width as usize;
    let code = |v: Vote| match v {
        Vote::Agree => 1u8,
        Vote::Disagree => 2,
        Vote::Pass => 3,
    };
    let mut cells = vec![0u8; (max_p as usize + 1) * width];
    for e in entries {
        cells[e.participant as usize * width + e.statement as usize] = code(e.vote);
    }
    let mut per = vec![VoteCounts::default(); width];
    let (mut votes, mut voters) = (0u64, 0u32);
    for row in cells.chunks_exact(width) {
        let mut any = false;
        for (s, &c) in row.iter().enumerate() {
            let vote = match c {
                1 => Vote::Agree,
                2 => Vote::Disagree,
                3 => Vote::Pass,
                _ => continue,
            };
            per[s].add(vote);
            votes += 1;
            any = true;
        }
        voters += u32::from(any);
    }
    let counts = per
        .into_iter()
        .enumerate()
        .filter(|(_, c)| *c != VoteCounts::default())
        .map(|(s, c)| (s as StatementId, c))
        .collect();
    (counts, votes, voters)
}

/// [`counts_of`] with a hash map, for ids too far apart for a dense table.
fn counts_of_sparse(entries: &[VoteRecord]) -> (HashMap<StatementId, VoteCounts>, u64, u32) {
    let mut current: HashMap<(u32, u32), Vote> = HashMap::with_capacity(entries.len());
    for e in entries {
        current.insert((e.participant, e.statement), e.vote);
    }
    let mut counts: HashMap<StatementId, VoteCounts> = HashMap::new();
    let mut voters = std::collections::HashSet::new();
    for (&(p, s), &v) in &current {
        counts.entry(s).or_default().add(v);
        voters.insert(p);
    }
    (counts, current.len() as u64, voters.len() as u32)
}

/// Recomputes counts and routing priorities from the log, on the blocking pool, and
/// publishes the analysis at the log's length (`crate::published`).
async fn refresh(st: &AppState, conv: &Arc<ConvState>, a: &mut Analysed) -> anyhow::Result<()> {
    let mark = conv.mark();
    let statements = published::statements_for_analysis(conv.statement_metas());
    let entries = conv.log.entries_from(0);
    let seen = entries.len() as u64;
    // Joins at other processes: the one count this reads from the store (not the votes).
    let participants = match st.store.pg_pool().is_some() {
        true => Some(st.store.participant_count(&conv.id).await?),
        false => None,
    };
    let start = match &a.start {
        Some(s) => s.clone(),
        None => {
            let s = st.store.analysis_start(&conv.id).await?.map(Arc::new);
            a.start = Some(s.clone());
            s
        }
    };
    // Below the requests: nobody waits on this run (`crate::low_priority`).
    let (counts, votes, voters, run) = crate::low_priority::run("mufakat-analysis", move || {
        let (counts, votes, voters) = counts_of(&entries);
        // One cold run serves routing and publication: any reader can replay it from the
        // log, and a warm start saved little (BENCHMARKS.md, "Published analysis"). An
        // imported conversation's runs all start from its imported start, which the
        // document carries, so they replay just as well.
        let run = (!entries.is_empty()).then(|| {
            published::run_from(&entries, &statements, start.as_deref()).map(|(analysis, bytes)| {
                let mut doc = PublishedDoc::new(entries.len() as u64, bytes);
                doc.started = start.is_some();
                (analysis, doc)
            })
        });
        (counts, votes, voters, run)
    })
    .await?;
    a.seen = seen;
    conv.counts_from_log(mark, &counts, votes, voters, participants);
    if let Some(run) = run {
        let (analysis, doc) = run?;
        conv.set_priorities(analysis.statements.iter().map(|s| (s.id, s.priority)).collect());
        conv.log.published.publish(doc, st.limits.published_kept);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_analysis_waits_ten_times_its_cost_when_that_is_longer_than_the_interval() {
        let every = Duration::from_secs(3);
        assert_eq!(next_wait(every, Duration::from_millis(50)), every);
        assert_eq!(next_wait(every, Duration::from_secs(1)), Duration::from_secs(10));
    }

    #[test]
    fn counts_replayed_from_the_log_keep_only_each_latest_vote() {
        let r = |participant, statement, vote| VoteRecord { participant, statement, vote };
        let log = [r(0, 0, Vote::Agree), r(1, 0, Vote::Agree), r(0, 0, Vote::Disagree), r(1, 1, Vote::Pass)];
        let (counts, votes, voters) = counts_of(&log);
        assert_eq!((votes, voters), (3, 2));
        assert_eq!(counts[&0], VoteCounts { agree: 1, disagree: 1, pass: 0 });
        assert_eq!(counts[&1], VoteCounts { agree: 0, disagree: 0, pass: 1 });
    }

    #[test]
    fn the_dense_count_agrees_with_the_hash_map_count() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        let votes = [Vote::Agree, Vote::Disagree, Vote::Pass];
        for n in [1usize, 10, 1000, 20_000] {
            let log: Vec<VoteRecord> = (0..n)
                .map(|_| VoteRecord {
                    participant: rng.gen_range(0..200),
                    statement: rng.gen_range(0..40),
                    vote: votes[rng.gen_range(0..3)],
                })
                .collect();
            assert_eq!(counts_of(&log), counts_of_sparse(&log), "{n} entries");
        }
        assert_eq!(counts_of(&[]), (HashMap::new(), 0, 0));
        // Ids too far apart for a dense table take the hash map.
        let far = [VoteRecord { participant: u32::MAX, statement: 1 << 20, vote: Vote::Pass }];
        assert_eq!(counts_of(&far).1, 1);
    }
}
