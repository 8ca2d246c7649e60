//! Votes waiting to be sent, kept in local storage so that a vote made offline (or while the
//! server is unreachable) survives a reload and is sent later, in order. Each entry is removed
//! only after the server acknowledged it; a retry of an entry whose answer was lost is
//! harmless because the server upserts a participant's vote on a statement.

use gloo_storage::{LocalStorage, Storage};
use mufakat_core::api::VoteRequest;

fn key(conversation: &str) -> String {
    format!("mufakat.queue.{conversation}")
}

/// The waiting votes of one conversation, oldest first.
pub fn load(conversation: &str) -> Vec<VoteRequest> {
    LocalStorage::get(key(conversation)).unwrap_or_default()
}

fn save(conversation: &str, queue: &[VoteRequest]) {
    if queue.is_empty() {
        LocalStorage::delete(key(conversation));
    } else {
        // A full storage loses only the offline guarantee, never the vote on screen.
        let _ = LocalStorage::set(key(conversation), queue);
    }
}

/// Appends a vote; returns the new length.
pub fn push(conversation: &str, vote: VoteRequest) -> usize {
    let mut queue = load(conversation);
    queue.push(vote);
    save(conversation, &queue);
    queue.len()
}

/// The oldest waiting vote.
pub fn front(conversation: &str) -> Option<VoteRequest> {
    load(conversation).into_iter().next()
}

/// Removes the oldest vote once the server has it; `sent` guards against removing a vote that
/// another tab already removed and replaced. Returns the new length.
pub fn pop_sent(conversation: &str, sent: &VoteRequest) -> usize {
    let mut queue = load(conversation);
    if queue.first() == Some(sent) {
        queue.remove(0);
        save(conversation, &queue);
    }
    queue.len()
}
