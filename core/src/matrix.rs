//! The vote matrix: participants × statements, sparse and compact.
//!
//! Rows are stored like CSR: one `u32` statement column and one `i8` vote per cell, so
//! five million votes take about 25 MB, small enough for a browser tab. A later record
//! for the same (participant, statement) replaces an earlier one ("latest vote wins",
//! as the Pol.is rating matrix in A.2 of `shared/spec/polis-math.md`).
//!
//! Dense indices: participants are numbered in order of their first vote (Pol.is adds
//! rows as participants first appear, and its cold-start clustering depends on that
//! order); statements follow the metadata order given by the caller, then any statement
//! seen only in votes, in order of first appearance. Values use agree = +1,
//! disagree = −1, pass = 0.

use std::collections::HashMap;

use crate::model::{ParticipantId, StatementId, VoteRecord};

/// Participants × statements, sparse, latest vote wins.
#[derive(Debug, Clone, Default)]
pub struct VoteMatrix {
    participants: Vec<ParticipantId>,
    statements: Vec<StatementId>,
    participant_index: IdIndex,
    statement_index: IdIndex,
    row_start: Vec<usize>,
    cols: Vec<u32>,
    values: Vec<i8>,
}

/// External id → dense index. Ids from our store and from Pol.is exports are small and
/// nearly contiguous, so a plain table indexed by id is the usual case (one load per
/// lookup instead of a SipHash); sparse ids fall back to a hash map.
#[derive(Debug, Clone)]
enum IdIndex {
    Table(Vec<u32>),
    Map(HashMap<u32, u32>),
}

impl Default for IdIndex {
    fn default() -> Self {
        IdIndex::Table(Vec::new())
    }
}

const ABSENT: u32 = u32::MAX;

impl IdIndex {
    /// An empty index for ids up to `max_id`, `expected` of them.
    fn new(max_id: Option<u32>, expected: usize) -> IdIndex {
        match max_id {
            None => IdIndex::Table(Vec::new()),
            Some(max) if (max as usize) <= 4 * expected + 4096 => {
                IdIndex::Table(vec![ABSENT; max as usize + 1])
            }
            Some(_) => IdIndex::Map(HashMap::with_capacity(expected)),
        }
    }

    fn get(&self, id: u32) -> Option<u32> {
        match self {
            IdIndex::Table(t) => t.get(id as usize).copied().filter(|&i| i != ABSENT),
            IdIndex::Map(m) => m.get(&id).copied(),
        }
    }

    /// The index of `id`, inserting `next()` when it is new.
    fn get_or_insert(&mut self, id: u32, next: impl FnOnce() -> u32) -> u32 {
        match self {
            IdIndex::Table(t) => {
                if id as usize >= t.len() {
                    t.resize(id as usize + 1, ABSENT);
                }
                let slot = &mut t[id as usize];
                if *slot == ABSENT {
                    *slot = next();
                }
                *slot
            }
            IdIndex::Map(m) => *m.entry(id).or_insert_with(next),
        }
    }

    fn heap_bytes(&self) -> usize {
        match self {
            IdIndex::Table(t) => t.capacity() * 4,
            IdIndex::Map(m) => m.capacity() * 12,
        }
    }
}

/// One cell while the matrix is built: column, arrival index and vote packed in a u64
/// (column in the top 30 bits, arrival in the next 32, vote + 1 in the low 2), so that
/// sorting a row's keys orders them by column, then arrival.
const KEY_COL_SHIFT: u32 = 34;

fn cell_key(col: u32, arrival: usize, value: i8) -> u64 {
    (u64::from(col) << KEY_COL_SHIFT) | ((arrival as u64) << 2) | (value + 1) as u64
}

/// Per-statement counts over every participant's current vote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ColumnTally {
    pub agree: u32,
    pub disagree: u32,
    /// All current votes, passes included (Pol.is `S`).
    pub seen: u32,
}

impl ColumnTally {
    pub fn pass(&self) -> u32 {
        self.seen - self.agree - self.disagree
    }

    pub fn add(&mut self, value: i8) {
        self.seen += 1;
        if value > 0 {
            self.agree += 1;
        } else if value < 0 {
            self.disagree += 1;
        }
    }
}

impl VoteMatrix {
    /// Builds the matrix from records in arrival order. `statement_order` fixes the column
    /// order of known statements (duplicates are ignored).
    pub fn from_records(records: &[VoteRecord], statement_order: &[StatementId]) -> VoteMatrix {
        Self::build(records, statement_order, None).0
    }

    /// Builds the matrix and replays the vote history to find who Pol.is would have let
    /// into the clustering at some point (A.3, "once in, they stay in"): a participant is
    /// admitted when their j-th distinct vote brings j to min(`min_votes`, statements
    /// voted on by anyone so far). Records must be in arrival order.
    pub fn from_records_with_admission(
        records: &[VoteRecord],
        statement_order: &[StatementId],
        min_votes: usize,
    ) -> (VoteMatrix, Vec<bool>) {
        Self::build(records, statement_order, Some(min_votes))
    }

    fn build(
        records: &[VoteRecord],
        statement_order: &[StatementId],
        min_votes: Option<usize>,
    ) -> (VoteMatrix, Vec<bool>) {
        // Arrival indices must fit the key's 32 bits and columns its top 30: a billion
        // records would not fit in a browser tab (or most servers) anyway.
        assert!(
            (records.len() as u64) < (1u64 << 32)
                && ((records.len() + statement_order.len()) as u64) < (1u64 << 30),
            "vote matrix limited to 2^30 records and statements"
        );
        let max_participant = records.iter().map(|r| r.participant).max();
        let max_statement = records.iter().map(|r| r.statement).chain(statement_order.iter().copied()).max();
        let mut statement_index = IdIndex::new(max_statement, statement_order.len() + 64);
        let mut statements = Vec::new();
        for &s in statement_order {
            statement_index.get_or_insert(s, || {
                statements.push(s);
                (statements.len() - 1) as u32
            });
        }
        // Pass 1: dense participant indices by first appearance, and cells per row.
        let mut participant_index = IdIndex::new(max_participant, records.len() / 8 + 64);
        let mut participants = Vec::new();
        let mut row_len: Vec<usize> = Vec::new();
        let mut statement_first: Vec<u32> = vec![u32::MAX; statements.len()];
        for (i, r) in records.iter().enumerate() {
            let row = participant_index.get_or_insert(r.participant, || {
                participants.push(r.participant);
                row_len.push(0);
                (participants.len() - 1) as u32
            });
            row_len[row as usize] += 1;
            let col = statement_index.get_or_insert(r.statement, || {
                statements.push(r.statement);
                statement_first.push(u32::MAX);
                (statements.len() - 1) as u32
            }) as usize;
            statement_first[col] = statement_first[col].min(i as u32);
        }
        statement_first.sort_unstable();
        let mut row_start = Vec::with_capacity(participants.len() + 1);
        row_start.push(0usize);
        for len in &row_len {
            row_start.push(row_start[row_start.len() - 1] + len);
        }
        drop(row_len);
        // Pass 2: counting sort by row (one packed key per record) keeps arrival order.
        let total = records.len();
        let mut keys = vec![0u64; total];
        let mut cursor: Vec<usize> = row_start[..participants.len()].to_vec();
        for (i, r) in records.iter().enumerate() {
            let (Some(row), Some(col)) =
                (participant_index.get(r.participant), statement_index.get(r.statement))
            else {
                continue; // both were inserted in pass 1
            };
            let at = &mut cursor[row as usize];
            keys[*at] = cell_key(col, i, r.vote.value());
            *at += 1;
        }
        drop(cursor);
        // Per row: sort by (column, arrival), keep the last (latest) cell of each column.
        let mut cols = Vec::with_capacity(total);
        let mut values = Vec::with_capacity(total);
        let mut firsts: Vec<u32> = Vec::new();
        let mut admitted = vec![false; if min_votes.is_some() { participants.len() } else { 0 }];
        let mut new_start = Vec::with_capacity(row_start.len());
        new_start.push(0usize);
        for row in 0..participants.len() {
            let cells = &mut keys[row_start[row]..row_start[row + 1]];
            cells.sort_unstable();
            firsts.clear();
            let mut i = 0;
            while i < cells.len() {
                let col = cells[i] >> KEY_COL_SHIFT;
                let mut j = i;
                while j + 1 < cells.len() && cells[j + 1] >> KEY_COL_SHIFT == col {
                    j += 1;
                }
                cols.push(col as u32);
                values.push((cells[j] & 3) as i8 - 1);
                firsts.push((cells[i] >> 2) as u32);
                i = j + 1;
            }
            if let Some(min_votes) = min_votes {
                firsts.sort_unstable();
                admitted[row] = firsts.iter().enumerate().any(|(j, &t)| {
                    let columns_then = statement_first.partition_point(|&f| f <= t);
                    j + 1 >= min_votes.min(columns_then)
                });
            }
            new_start.push(cols.len());
        }
        drop(keys);
        cols.shrink_to_fit();
        values.shrink_to_fit();
        let m = VoteMatrix {
            participants,
            statements,
            participant_index,
            statement_index,
            row_start: new_start,
            cols,
            values,
        };
        (m, admitted)
    }

    pub fn n_participants(&self) -> usize {
        self.participants.len()
    }

    pub fn n_statements(&self) -> usize {
        self.statements.len()
    }

    /// Number of current (deduplicated) votes.
    pub fn n_votes(&self) -> usize {
        self.cols.len()
    }

    /// External participant ids, by dense row.
    pub fn participants(&self) -> &[ParticipantId] {
        &self.participants
    }

    /// External statement ids, by dense column.
    pub fn statements(&self) -> &[StatementId] {
        &self.statements
    }

    pub fn participant_row(&self, id: ParticipantId) -> Option<usize> {
        self.participant_index.get(id).map(|i| i as usize)
    }

    pub fn statement_col(&self, id: StatementId) -> Option<usize> {
        self.statement_index.get(id).map(|i| i as usize)
    }

    /// The cells of one row: (column, value) pairs sorted by column.
    pub fn row(&self, row: usize) -> impl Iterator<Item = (usize, i8)> + '_ {
        let (cols, values) = self.row_slices(row);
        cols.iter().zip(values).map(|(&c, &v)| (c as usize, v))
    }

    /// The cells of one row as parallel slices: columns (sorted) and values.
    pub fn row_slices(&self, row: usize) -> (&[u32], &[i8]) {
        let range = self.row_start[row]..self.row_start[row + 1];
        (&self.cols[range.clone()], &self.values[range])
    }

    /// Number of votes (passes included) cast by the participant in `row`.
    pub fn row_len(&self, row: usize) -> usize {
        self.row_start[row + 1] - self.row_start[row]
    }

    /// The current vote of `row` on `col`, if any.
    pub fn get(&self, row: usize, col: usize) -> Option<i8> {
        let (cols, values) = self.row_slices(row);
        cols.binary_search(&(col as u32)).ok().map(|i| values[i])
    }

    /// Tallies every statement over the rows for which `include(row)` holds.
    pub fn column_tallies(&self, mut include: impl FnMut(usize) -> bool) -> Vec<ColumnTally> {
        let mut t = vec![ColumnTally::default(); self.n_statements()];
        for row in 0..self.n_participants() {
            if include(row) {
                for (c, v) in self.row(row) {
                    t[c].add(v);
                }
            }
        }
        t
    }

    /// Approximate heap bytes held by the matrix (for memory budgets and benches).
    pub fn heap_bytes(&self) -> usize {
        self.cols.capacity() * 4
            + self.values.capacity()
            + self.row_start.capacity() * std::mem::size_of::<usize>()
            + (self.participants.capacity() + self.statements.capacity()) * 4
            + self.participant_index.heap_bytes()
            + self.statement_index.heap_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Vote;

    fn rec(p: u32, s: u32, vote: Vote) -> VoteRecord {
        VoteRecord { participant: p, statement: s, vote }
    }

    #[test]
    fn latest_vote_wins_and_rows_follow_first_appearance() {
        let m = VoteMatrix::from_records(
            &[
                rec(9, 1, Vote::Agree),
                rec(4, 2, Vote::Pass),
                rec(9, 1, Vote::Disagree),
                rec(9, 0, Vote::Agree),
            ],
            &[0, 1, 2],
        );
        assert_eq!(m.participants(), &[9, 4]);
        assert_eq!(m.statements(), &[0, 1, 2]);
        assert_eq!(m.n_votes(), 3);
        assert_eq!(m.row(0).collect::<Vec<_>>(), vec![(0, 1), (1, -1)]);
        assert_eq!(m.get(1, 2), Some(0));
        assert_eq!(m.get(1, 0), None);
    }

    #[test]
    fn early_voters_are_admitted_while_few_statements_exist() {
        // Participant 1 votes once while only one statement exists; participant 2 votes
        // once after three exist. With min_votes 2: 1 is admitted, 2 is not.
        let votes =
            [rec(1, 0, Vote::Agree), rec(3, 1, Vote::Agree), rec(3, 2, Vote::Agree), rec(2, 0, Vote::Pass)];
        let (m, admitted) = VoteMatrix::from_records_with_admission(&votes, &[], 2);
        assert_eq!(m.participants(), &[1, 3, 2]);
        assert_eq!(admitted, vec![true, true, false]);
    }

    #[test]
    fn statements_seen_only_in_votes_get_columns_after_known_ones() {
        let m = VoteMatrix::from_records(&[rec(0, 7, Vote::Agree)], &[3]);
        assert_eq!(m.statements(), &[3, 7]);
        let t = m.column_tallies(|_| true);
        assert_eq!(t[1], ColumnTally { agree: 1, disagree: 0, seen: 1 });
        assert_eq!(t[0].seen, 0);
    }
}
