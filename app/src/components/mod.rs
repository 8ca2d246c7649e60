//! Components shared by several areas of the app.

#[cfg(feature = "console")]
pub mod consensus_map;
pub mod opinion_map;
pub mod outcome_list;
#[cfg(feature = "console")]
pub mod vote_bar;
