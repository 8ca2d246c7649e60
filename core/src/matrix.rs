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
    participant_index: HashMap<ParticipantId, u32>,
    statement_index: HashMap<StatementId, u32>,
    row_start: Vec<usize>,
    cols: Vec<u32>,
    values: Vec<i8>,
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
        let mut statement_index: HashMap<StatementId, u32> = HashMap::new();
        let mut statements = Vec::new();
        for &s in statement_order {
            if let std::collections::hash_map::Entry::Vacant(e) = statement_index.entry(s) {
                e.insert(statements.len() as u32);
                statements.push(s);
            }
        }
        // Pass 1: dense participant indices by first appearance, and cells per row.
        let mut participant_index: HashMap<ParticipantId, u32> = HashMap::new();
        let mut participants = Vec::new();
        let mut row_len: Vec<usize> = Vec::new();
        let mut statement_first: Vec<u32> = vec![u32::MAX; statements.len()];
        for (i, r) in records.iter().enumerate() {
            let row = *participant_index.entry(r.participant).or_insert_with(|| {
                participants.push(r.participant);
                row_len.push(0);
                (participants.len() - 1) as u32
            });
            row_len[row as usize] += 1;
            let col = *statement_index.entry(r.statement).or_insert_with(|| {
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
        // Pass 2: counting sort by row keeps arrival order inside each row.
        let total = records.len();
        let mut cols = vec![0u32; total];
        let mut values = vec![0i8; total];
        let mut arrival: Vec<u32> = if min_votes.is_some() { vec![0u32; total] } else { Vec::new() };
        let mut cursor: Vec<usize> = row_start[..participants.len()].to_vec();
        for (i, r) in records.iter().enumerate() {
            let (Some(&row), Some(&col)) =
                (participant_index.get(&r.participant), statement_index.get(&r.statement))
            else {
                continue; // both were inserted in pass 1
            };
            let at = cursor[row as usize];
            cols[at] = col;
            values[at] = r.vote.value();
            if let Some(a) = arrival.get_mut(at) {
                *a = i as u32;
            }
            cursor[row as usize] += 1;
        }
        drop(cursor);
        // Per row: stable sort by column, keep the last (latest) cell of each column, compact.
        let mut write = 0usize;
        let mut scratch: Vec<(u32, i8, u32)> = Vec::new();
        let mut firsts: Vec<u32> = Vec::new();
        let mut admitted = vec![false; if min_votes.is_some() { participants.len() } else { 0 }];
        let mut new_start = Vec::with_capacity(row_start.len());
        new_start.push(0usize);
        for row in 0..participants.len() {
            scratch.clear();
            scratch.extend(
                (row_start[row]..row_start[row + 1])
                    .map(|i| (cols[i], values[i], arrival.get(i).copied().unwrap_or(0))),
            );
            scratch.sort_by_key(|&(c, _, _)| c);
            firsts.clear();
            let mut i = 0;
            while i < scratch.len() {
                let mut j = i;
                while j + 1 < scratch.len() && scratch[j + 1].0 == scratch[i].0 {
                    j += 1;
                }
                cols[write] = scratch[j].0;
                values[write] = scratch[j].1;
                firsts.push(scratch[i].2);
                write += 1;
                i = j + 1;
            }
            if let Some(min_votes) = min_votes {
                firsts.sort_unstable();
                admitted[row] = firsts.iter().enumerate().any(|(j, &t)| {
                    let columns_then = statement_first.partition_point(|&f| f <= t);
                    j + 1 >= min_votes.min(columns_then)
                });
            }
            new_start.push(write);
        }
        drop(arrival);
        cols.truncate(write);
        values.truncate(write);
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
        self.participant_index.get(&id).map(|&i| i as usize)
    }

    pub fn statement_col(&self, id: StatementId) -> Option<usize> {
        self.statement_index.get(&id).map(|&i| i as usize)
    }

    /// The cells of one row: (column, value) pairs sorted by column.
    pub fn row(&self, row: usize) -> impl Iterator<Item = (usize, i8)> + '_ {
        let range = self.row_start[row]..self.row_start[row + 1];
        self.cols[range.clone()].iter().zip(&self.values[range]).map(|(&c, &v)| (c as usize, v))
    }

    /// Number of votes (passes included) cast by the participant in `row`.
    pub fn row_len(&self, row: usize) -> usize {
        self.row_start[row + 1] - self.row_start[row]
    }

    /// The current vote of `row` on `col`, if any.
    pub fn get(&self, row: usize, col: usize) -> Option<i8> {
        let range = self.row_start[row]..self.row_start[row + 1];
        let cols = &self.cols[range.clone()];
        cols.binary_search(&(col as u32)).ok().map(|i| self.values[range.start + i])
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
            + (self.participant_index.capacity() + self.statement_index.capacity()) * 12
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
