//! Components shared by several pages.

pub mod consensus_map;
pub mod opinion_map;
pub mod vote_bar;
