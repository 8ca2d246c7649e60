//! Which statement a participant sees next (A.12 of `shared/spec/polis-math.md`,
//! Pol.is `conversation.clj` priority and `selectProbabilistically`).
//!
//! priority = (importance · (1 + 8·2^(−S/5)))², importance = (1 − p)·(E + 1)·a, with
//! p = (P + 1)/(S + 2), a = (A + 1)/(S + 2) from the clustered participants' votes and E
//! the statement's extremity; meta statements get 7² = 49. Pol.is reads the previous
//! update's group votes; the server calls this with the last analysis's numbers. A pure
//! function so the server can route without running the analysis.
//!
//! [`route`] adds what a moderator and a direct link control (pin, cap, `?s=`), each a
//! documented departure from Pol.is; with no control it is [`pick`].

use rand::Rng;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::model::{ParticipantId, StatementId};

/// Meta statements' priority (Pol.is: 7 squared).
pub const META_PRIORITY: f64 = 49.0;

/// What the priority of one statement depends on (A and D and S summed over groups).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RoutingStats {
    pub agree: u32,
    pub disagree: u32,
    /// Votes seen, passes included.
    pub seen: u32,
    pub extremity: f64,
    pub is_meta: bool,
}

/// Priority of one statement.
pub fn priority(s: &RoutingStats) -> f64 {
    if s.is_meta {
        return META_PRIORITY;
    }
    let seen = s.seen as f64;
    let pass = s.seen.saturating_sub(s.agree + s.disagree) as f64;
    let p = (pass + 1.0) / (seen + 2.0);
    let a = (s.agree as f64 + 1.0) / (seen + 2.0);
    let e = if s.extremity.is_finite() { s.extremity.max(0.0) } else { 0.0 };
    let importance = (1.0 - p) * (e + 1.0) * a;
    let novelty = 1.0 + 8.0 * 2f64.powf(-seen / 5.0);
    (importance * novelty).powi(2)
}

/// Priorities of many statements, in order.
pub fn priorities(stats: &[RoutingStats]) -> Vec<f64> {
    stats.iter().map(priority).collect()
}

/// A statement the participant could be shown.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    pub statement: StatementId,
    /// From the last analysis; `None` (e.g. newer than it) weighs 1, as Pol.is.
    pub priority: Option<f64>,
    pub author: Option<ParticipantId>,
}

/// Weighted random pick among candidates the participant has neither voted on nor
/// written. `voted(statement)` tells whether they voted. Returns `None` when nothing is left.
pub fn pick(
    candidates: &[Candidate],
    participant: ParticipantId,
    voted: impl Fn(StatementId) -> bool,
    rng: &mut impl Rng,
) -> Option<StatementId> {
    let pool: Vec<(StatementId, f64)> = candidates
        .iter()
        .filter(|c| c.author != Some(participant) && !voted(c.statement))
        .map(|c| {
            let w = c.priority.filter(|w| w.is_finite() && *w >= 0.0).unwrap_or(1.0);
            (c.statement, w)
        })
        .collect();
    let total: f64 = pool.iter().map(|(_, w)| w).sum();
    if pool.is_empty() {
        return None;
    }
    if total <= 0.0 {
        return Some(pool[rng.gen_range(0..pool.len())].0);
    }
    let mut x = rng.gen_range(0.0..total);
    for &(s, w) in &pool {
        if x < w {
            return Some(s);
        }
        x -= w;
    }
    pool.last().map(|p| p.0)
}

/// [`pick`] with a fresh generator seeded by `seed` (e.g. participant id ⊕ vote count).
pub fn pick_seeded(
    candidates: &[Candidate],
    participant: ParticipantId,
    voted: impl Fn(StatementId) -> bool,
    seed: u64,
) -> Option<StatementId> {
    pick(candidates, participant, voted, &mut Xoshiro256PlusPlus::seed_from_u64(seed))
}

/// The moderator's routing control over a conversation, and a participant's direct link:
/// documented departures from Pol.is, which routes by priority alone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Control {
    /// Shown first to everyone who has not voted on it (`ConversationSettings::pinned_statement`).
    pub pinned: Option<StatementId>,
    /// Statements one participant is asked at most; 0: no cap (`statement_cap`).
    pub cap: u32,
    /// The statement of a direct link (`/c/<id>?s=<statement>`), shown before anything else,
    /// even past the cap: the participant asked for it.
    pub requested: Option<StatementId>,
}

/// Where routing sends a participant next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Statement(StatementId),
    /// They voted on `cap` statements: ask no more.
    Capped,
    /// Nothing is left that they may vote on.
    Done,
}

/// The next statement under `control`: the requested one if they may vote on it, else
/// nothing once `voted_count` reached the cap, else the pinned one if they may vote on it,
/// else [`pick`]. "May vote on" is: among `candidates` (what participants are shown), not
/// theirs, not voted.
pub fn route(
    candidates: &[Candidate],
    participant: ParticipantId,
    voted: impl Fn(StatementId) -> bool,
    voted_count: u32,
    control: &Control,
    rng: &mut impl Rng,
) -> Route {
    let open = |id: StatementId| {
        !voted(id) && candidates.iter().any(|c| c.statement == id && c.author != Some(participant))
    };
    if let Some(id) = control.requested.filter(|&id| open(id)) {
        return Route::Statement(id);
    }
    if control.cap > 0 && voted_count >= control.cap {
        return Route::Capped;
    }
    if let Some(id) = control.pinned.filter(|&id| open(id)) {
        return Route::Statement(id);
    }
    pick(candidates, participant, &voted, rng).map_or(Route::Done, Route::Statement)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn three() -> [Candidate; 3] {
        [
            Candidate { statement: 1, priority: Some(100.0), author: Some(7) },
            Candidate { statement: 2, priority: Some(100.0), author: None },
            Candidate { statement: 3, priority: Some(0.001), author: None },
        ]
    }

    fn route_seeded(voted: &[StatementId], control: Control, seed: u64) -> Route {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        route(&three(), 7, |s| voted.contains(&s), voted.len() as u32, &control, &mut rng)
    }

    #[test]
    fn a_pinned_statement_comes_first_until_voted_on() {
        let pinned = Control { pinned: Some(3), ..Control::default() };
        for seed in 0..50 {
            assert_eq!(route_seeded(&[], pinned, seed), Route::Statement(3), "low priority, pinned");
            assert_eq!(route_seeded(&[3], pinned, seed), Route::Statement(2));
        }
        // Pinning one's own statement or one not shown changes nothing.
        for pinned in [Some(1), Some(99)] {
            assert_eq!(route_seeded(&[], Control { pinned, ..Control::default() }, 1), Route::Statement(2));
        }
    }

    #[test]
    fn the_cap_stops_routing_but_not_a_direct_link() {
        let capped = Control { cap: 1, ..Control::default() };
        assert_eq!(route_seeded(&[], capped, 1), Route::Statement(2));
        assert_eq!(route_seeded(&[2], capped, 1), Route::Capped);
        let linked = Control { cap: 1, requested: Some(3), pinned: Some(2) };
        assert_eq!(route_seeded(&[2], linked, 1), Route::Statement(3));
        assert_eq!(route_seeded(&[], Control { cap: 0, ..Control::default() }, 1), Route::Statement(2));
        assert_eq!(route_seeded(&[2, 3], Control::default(), 1), Route::Done);
    }

    #[test]
    fn a_direct_link_to_a_voted_own_or_unknown_statement_falls_back_to_routing() {
        // Voted on, their own, unknown: the pinned one comes instead.
        for requested in [Some(2), Some(1), Some(42)] {
            let c = Control { requested, pinned: Some(3), cap: 0 };
            assert_eq!(route_seeded(&[2], c, 1), Route::Statement(3), "{requested:?}");
        }
        assert_eq!(
            route_seeded(&[], Control { requested: Some(3), ..Control::default() }, 1),
            Route::Statement(3)
        );
    }

    #[test]
    fn new_statements_get_the_novelty_boost() {
        let fresh =
            priority(&RoutingStats { agree: 0, disagree: 0, seen: 0, extremity: 0.0, is_meta: false });
        // importance = (1 − ½)·1·½ = ¼, boost 9: (9/4)².
        assert!((fresh - (9.0f64 / 4.0).powi(2)).abs() < 1e-12);
        let meta = priority(&RoutingStats { agree: 0, disagree: 0, seen: 0, extremity: 0.0, is_meta: true });
        assert_eq!(meta, 49.0);
    }

    #[test]
    fn pick_never_returns_voted_or_own_statements() {
        let c = [
            Candidate { statement: 1, priority: Some(100.0), author: Some(7) },
            Candidate { statement: 2, priority: Some(100.0), author: None },
            Candidate { statement: 3, priority: Some(0.001), author: None },
        ];
        for seed in 0..50 {
            assert_eq!(pick_seeded(&c, 7, |s| s == 2, seed), Some(3));
        }
        assert_eq!(pick_seeded(&c, 7, |_| true, 1), None);
    }
}
