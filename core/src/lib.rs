//! mufakat-core: the data model and the opinion analysis of a conversation.
//!
//! This crate does no I/O and depends on nothing web- or async-specific, so the same
//! code runs natively (server, CLI) and in the browser (wasm32).
//!
//! Vote convention, everywhere in mufakat: agree = +1, disagree = −1, pass = 0
//! (Pol.is stores agree as −1 internally; its exports and we use +1).

pub mod api;
pub mod model;
pub mod summary;

pub use model::{ParticipantId, StatementId, Vote, VoteRecord};
