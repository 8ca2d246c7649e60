//! Components shared by several areas of the app.

pub mod opinion_map;
