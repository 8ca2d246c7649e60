//! mufakat-core: the data model and the opinion analysis of a conversation.
//!
//! This crate does no I/O and depends on nothing web- or async-specific, so the same
//! code runs natively (server, CLI) and in the browser (wasm32).
//!
//! Vote convention, everywhere in mufakat: agree = +1, disagree = −1, pass = 0
//! (Pol.is stores agree as −1 internally; its exports and we use +1).

pub mod analysis;
pub mod api;
pub mod attribution;
pub mod bridging;
pub mod cluster;
pub mod consensus;
pub mod escape;
pub mod graph;
pub mod graph_export;
pub mod legend;
pub mod matrix;
pub mod model;
pub mod outcome_feed;
pub mod pca;
pub mod polis_csv;
pub mod polis_json;
pub mod polis_math;
pub mod portable;
pub mod published;
pub mod repness;
pub mod report;
pub mod report_files;
pub mod result;
pub mod routing;
pub mod stability;
pub mod svg;
pub mod synthetic;
pub mod typing;
pub mod votelog;

pub use analysis::{
    analyse, analyse_with_progress, Analysis, AnalysisError, AnalysisInput, AnalysisParams, Stage,
    StatementMeta, WarmStart,
};
pub use model::{Moderation, ParticipantId, StatementId, Vote, VoteRecord};
