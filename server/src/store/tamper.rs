//! Damage done to a SQLite store on purpose, for tests that show what the server does with a
//! store it cannot trust (a gap in the vote history, a changed entry, kept log segments
//! that do not decode). Test builds only; the SQL stays in the store (`tests/architecture.rs`).

use super::Store;

async fn run(store: &Store, statement: &str) {
    let Store::Sqlite(s) = store else { unreachable!("tampering is done on SQLite stores") };
    sqlx::query(statement).execute(&s.pool).await.expect(statement);
}

/// Removes the vote-history row at sequence number `seq`.
pub async fn delete_history_entry(store: &Store, seq: u64) {
    run(store, &format!("DELETE FROM vote_history WHERE log_seq = {seq}")).await;
}

/// Turns the vote at sequence number `seq` round (agree ↔ disagree; a pass becomes agree).
pub async fn flip_history_entry(store: &Store, seq: u64) {
    run(
        store,
        &format!(
            "UPDATE vote_history SET value = CASE value WHEN 1 THEN -1 ELSE 1 END WHERE log_seq = {seq}"
        ),
    )
    .await;
}

/// Replaces every kept log segment's bytes with a gzip header that does not decode.
pub async fn break_log_segments(store: &Store) {
    run(store, "UPDATE vote_log_segments SET bytes = X'1f8b00'").await;
}
