//! What the page says after an action: a vote recorded, changed or saved offline, or an
//! error from the server in plain words. Announced through an `aria-live` region.

use mufakat_core::model::Vote;

use crate::client::ApiError;
use crate::i18n::Catalogue;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Notice {
    /// The vote on the current card was recorded (`offline`: kept on this device for now).
    Voted {
        vote: Vote,
        offline: bool,
    },
    /// An earlier vote was changed.
    Changed {
        vote: Vote,
        offline: bool,
    },
    Error(ErrorKind),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ErrorKind {
    Empty,
    TooLong,
    Duplicate,
    Closed,
    StatementGone,
    Network,
    Other,
}

impl ErrorKind {
    pub fn of(e: &ApiError) -> ErrorKind {
        match e.code() {
            "statement_empty" => ErrorKind::Empty,
            "statement_too_long" => ErrorKind::TooLong,
            "duplicate_statement" => ErrorKind::Duplicate,
            "conversation_closed" => ErrorKind::Closed,
            "not_found" => ErrorKind::StatementGone,
            "network" => ErrorKind::Network,
            _ if e.status().is_some_and(|s| s >= 500) => ErrorKind::Network,
            _ => ErrorKind::Other,
        }
    }

    pub fn text(self, c: &Catalogue) -> &'static str {
        match self {
            ErrorKind::Empty => c.participant.error_empty,
            ErrorKind::TooLong => c.participant.error_too_long,
            ErrorKind::Duplicate => c.participant.error_duplicate,
            ErrorKind::Closed => c.participant.error_closed,
            ErrorKind::StatementGone => c.participant.error_statement_gone,
            ErrorKind::Network => c.error_network,
            ErrorKind::Other => c.error_other,
        }
    }
}

impl Notice {
    pub fn text(self, c: &Catalogue) -> String {
        let p = c.participant;
        match self {
            Notice::Voted { vote, offline } => (p.voted)(vote, offline),
            Notice::Changed { vote, offline } => (p.changed)(vote, offline),
            Notice::Error(e) => e.text(c).to_string(),
        }
    }

    pub fn is_error(self) -> bool {
        matches!(self, Notice::Error(_))
    }
}
