//! Components shared by more than one area of the app.

pub mod consensus_map;
