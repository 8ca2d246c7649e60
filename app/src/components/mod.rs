//! Components shared by several areas of the app.

pub mod consensus_map;
pub mod opinion_map;
