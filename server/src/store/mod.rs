//! The store: every write and read of conversations, statements, participants, votes,
//! answers and moderators. SQL lives in `sql.rs` and nowhere else; every query is
//! parameterised.
//!
//! Two backends share that SQL, chosen by the URL's scheme: `sqlite://<path>` (the embedded
//! default: one file in WAL mode with `synchronous = FULL`, so an acknowledged vote survives
//! a killed process) and `postgres://...` (several stateless `mufakat serve` processes on one
//! database). Each applies its own versioned migrations (`migrations/sqlite`,
//! `migrations/postgres`) at start.

pub mod backup;
pub mod dedup;
pub mod dump;
mod postgres;
mod sqlite;
#[cfg(test)]
pub(crate) mod tamper;

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use mufakat_core::api::outcomes::{Outcome, OutcomeId, OutcomeInput};
use mufakat_core::api::settings::ConversationSettings;
use mufakat_core::api::translations::{TranslatedBy, Translation};
use mufakat_core::api::{VoteCounts, VotesCompact};
use mufakat_core::model::{Moderation, ParticipantId, StatementId, Vote, VoteRecord};
use rand::RngCore;

pub use dump::{ConversationDump, StoredStatement, StoredVote};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("a statement with the same or nearly the same words already exists")]
    Duplicate,
    #[error("that id is already taken")]
    IdTaken,
    #[error("the store is busy; try again")]
    Busy,
    #[error("unsupported database URL {0:?}: expected sqlite://<path> or postgres://...")]
    BadUrl(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The store holds something its own invariants rule out (say, a gap in a vote log).
    #[error("the store is inconsistent: {0}")]
    Corrupt(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A conversation as stored: its settings (defined once, in `mufakat_core::api::settings`),
/// whether it is closed, when it was made, and whether its data came from Pol.is.
#[derive(Debug, Clone, PartialEq)]
pub struct Conversation {
    pub id: String,
    pub settings: ConversationSettings,
    pub closed: bool,
    pub created_at_ms: i64,
    /// Imported from a Pol.is export: the `source_url` the import kept
    /// (`ConversationDump::source_url`) is a pol.is conversation ([`from_polis`]). Read from
    /// that column; creating or updating a conversation does not write it.
    pub from_polis: bool,
}

/// Whether an imported conversation's source (a Pol.is export's summary.csv `url`) makes
/// its data Pol.is's, whose results carry the CC BY 4.0 attribution: the rule of the
/// report page and `mufakat analyze` (`mufakat_core::attribution::polis_source`).
pub fn from_polis(source_url: Option<&str>) -> bool {
    mufakat_core::attribution::polis_source(source_url).is_some()
}

impl Conversation {
    /// A new open conversation with default settings.
    pub fn new(id: &str, title: &str) -> Conversation {
        Conversation::with_settings(
            id,
            ConversationSettings { title: title.to_string(), ..Default::default() },
        )
    }

    /// A new open conversation with these settings.
    pub fn with_settings(id: &str, settings: ConversationSettings) -> Conversation {
        Conversation {
            id: id.to_string(),
            settings,
            closed: false,
            created_at_ms: now_ms(),
            from_polis: false,
        }
    }

    /// Whether participants may see a statement in this moderation state: accepted ones,
    /// and pending ones unless moderation is strict.
    pub fn shows(&self, moderation: Moderation, is_meta: bool) -> bool {
        !is_meta
            && match moderation {
                Moderation::Accepted => true,
                Moderation::Pending => !self.settings.strict_moderation,
                Moderation::Rejected => false,
            }
    }
}

/// Counts over a conversation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConversationTotals {
    pub participants: u32,
    pub votes: u64,
    pub voters: u32,
}

/// A statement to add; `author` is `None` for moderator seeds.
pub struct NewStatement<'a> {
    pub text: &'a str,
    /// The text's language (BCP 47).
    pub language: &'a str,
    pub author: Option<ParticipantId>,
    pub moderation: Moderation,
    pub is_seed: bool,
}

/// A translation to store, for [`Store::set_translations`].
pub struct TranslationWrite<'a> {
    pub statement: StatementId,
    pub language: &'a str,
    pub text: &'a str,
    pub by: TranslatedBy,
}

/// A statement in any state, as stored, with its current vote counts.
#[derive(Debug, Clone, PartialEq)]
pub struct StatementRow {
    pub id: StatementId,
    pub text: String,
    pub moderation: Moderation,
    pub author: Option<ParticipantId>,
    pub is_seed: bool,
    pub is_meta: bool,
    pub created_at_ms: i64,
    pub reason: Option<String>,
    pub counts: VoteCounts,
    /// The original's language.
    pub language: String,
    /// Its translations, by language.
    pub translations: Vec<Translation>,
}

/// One vote on its way to the store.
#[derive(Debug, Clone)]
pub struct VoteWrite {
    pub conversation: Arc<str>,
    pub participant: ParticipantId,
    pub statement: StatementId,
    pub vote: Vote,
    pub at: i64,
}

/// What became of an invitation code offered to join (or to revoke).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeJoin {
    /// Taken: a new participant with this token.
    Joined { token: String, participant: ParticipantId },
    /// Not a code of this conversation.
    Unknown,
    /// Already used: nothing changed.
    Used,
    /// Revoked by a moderator: nothing changed.
    Revoked,
}

/// What the store keeps of an invitation code: BLAKE2b-512 of the conversation id, a zero
/// byte and the canonical code, hex. The code itself is never stored, so the printed sheet is
/// its only copy; the conversation id in the hash makes a code of one conversation unknown
/// in every other.
pub fn code_hash(conversation: &str, code: &str) -> String {
    use blake2::{Blake2b512, Digest};
    let mut h = Blake2b512::new();
    h.update(conversation.as_bytes());
    h.update([0u8]);
    h.update(code.as_bytes());
    hex::encode(h.finalize())
}

pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// 192 random bits from the OS, hex: participant tokens and admin sessions.
pub fn new_token() -> String {
    random_hex::<24>()
}

/// `N` bytes from the operating system's random source, as lowercase hex (tokens, secrets).
pub fn random_hex<const N: usize>() -> String {
    let mut bytes = [0u8; N];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The store, on one of the two backends.
#[derive(Clone)]
pub enum Store {
    Sqlite(sqlite::sql::SqlStore),
    Postgres(postgres::sql::SqlStore),
}

impl Store {
    /// Opens (creating if needed) the store at `url` and applies migrations.
    pub async fn open(url: &str) -> Result<Store> {
        if url.starts_with("sqlite:") {
            Ok(Store::Sqlite(sqlite::open(url).await?))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Store::Postgres(postgres::open(url).await?))
        } else {
            Err(StoreError::BadUrl(url.to_string()))
        }
    }

    /// The PostgreSQL pool, for LISTEN/NOTIFY; `None` on SQLite.
    pub fn pg_pool(&self) -> Option<&sqlx::PgPool> {
        match self {
            Store::Postgres(s) => Some(&s.pool),
            Store::Sqlite(_) => None,
        }
    }

    /// Sends `payload` to every process listening on `channel` (PostgreSQL's NOTIFY); on
    /// SQLite, whose one process has no one to tell, nothing.
    pub async fn notify(&self, channel: &str, payload: &str) -> Result<()> {
        match self {
            Store::Postgres(s) => s.notify(channel, payload).await,
            Store::Sqlite(_) => Ok(()),
        }
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Store::Sqlite(_) => "sqlite",
            Store::Postgres(_) => "postgres",
        }
    }

    /// Closes the pool, waiting for connections to finish.
    pub async fn close(&self) {
        match self {
            Store::Sqlite(s) => s.pool.close().await,
            Store::Postgres(s) => s.pool.close().await,
        }
    }
}

/// Forwards each listed method to the backend's `SqlStore`.
macro_rules! delegate {
    ($(pub async fn $name:ident(&self $(, $arg:ident : $ty:ty)*) -> $ret:ty;)*) => {
        impl Store {
            $(pub async fn $name(&self $(, $arg: $ty)*) -> $ret {
                match self {
                    Store::Sqlite(s) => s.$name($($arg),*).await,
                    Store::Postgres(s) => s.$name($($arg),*).await,
                }
            })*
        }
    };
}

delegate! {
    pub async fn has_conversations(&self) -> Result<bool>;
    pub async fn create_conversation(&self, c: &Conversation) -> Result<()>;
    pub async fn update_conversation(&self, c: &Conversation) -> Result<()>;
    pub async fn conversation(&self, id: &str) -> Result<Conversation>;
    pub async fn list_conversations(&self) -> Result<Vec<(Conversation, ConversationTotals)>>;
    pub async fn conversations(&self) -> Result<Vec<Conversation>>;
    pub async fn totals(&self, conversation: &str) -> Result<ConversationTotals>;
    pub async fn participant_count(&self, conversation: &str) -> Result<u32>;
    pub async fn add_statement(&self, conversation: &str, s: &NewStatement<'_>) -> Result<StatementRow>;
    pub async fn statements(&self, conversation: &str) -> Result<Vec<StatementRow>>;
    pub async fn statement_rows(&self, conversation: &str) -> Result<Vec<StatementRow>>;
    pub async fn set_translations(&self, conversation: &str, translations: &[TranslationWrite<'_>]) -> Result<()>;
    pub async fn delete_translation(&self, conversation: &str, statement: StatementId, language: &str) -> Result<()>;
    pub async fn moderate(&self, conversation: &str, ids: &[StatementId], moderation: Moderation, reason: Option<&str>) -> Result<()>;
    pub async fn xid_secret(&self, conversation: &str) -> Result<String>;
    pub async fn rotate_xid_secret(&self, conversation: &str) -> Result<String>;
    pub async fn join(&self, conversation: &str, token: Option<&str>, xid: Option<&str>) -> Result<(String, ParticipantId, bool)>;
    pub async fn participant_by_token(&self, conversation: &str, token: &str) -> Result<Option<ParticipantId>>;
    pub async fn join_with_code(&self, conversation: &str, code_hash: &str) -> Result<CodeJoin>;
    pub async fn add_codes(&self, conversation: &str, code_hashes: &[String]) -> Result<Vec<bool>>;
    pub async fn revoke_codes(&self, conversation: &str, code_hash: Option<&str>) -> Result<Option<CodeJoin>>;
    pub async fn code_counts(&self, conversation: &str) -> Result<mufakat_core::api::codes::CodeCounts>;
    pub async fn write_votes(&self, batch: &[VoteWrite]) -> Result<Vec<u64>>;
    pub async fn vote_log(&self, conversation: &str, from: u64) -> Result<Vec<(u64, VoteRecord)>>;
    pub async fn vote_times(&self, conversation: &str, from: u64, to: u64) -> Result<Vec<i64>>;
    pub async fn log_segments(&self, conversation: &str) -> Result<Vec<(u64, Vec<u8>)>>;
    pub async fn save_log_segment(&self, conversation: &str, segment: u64, gzip: &[u8]) -> Result<()>;
    pub async fn delete_log_segments(&self, conversation: &str) -> Result<()>;
    pub async fn log_entries_at(&self, conversation: &str, seqs: &[u64]) -> Result<Vec<(u64, VoteRecord)>>;
    pub async fn votes_of(&self, conversation: &str, participant: ParticipantId) -> Result<Vec<(StatementId, Vote)>>;
    pub async fn vote_history(&self, conversation: &str, participant: ParticipantId, statement: StatementId) -> Result<Vec<Vote>>;
    pub async fn votes(&self, conversation: &str) -> Result<VotesCompact>;
    pub async fn votes_per_hour(&self, conversation: &str, from: u64, to: u64) -> Result<Vec<(i64, u32)>>;
    pub async fn save_answers(&self, conversation: &str, participant: ParticipantId, answers: &[(&str, &str)]) -> Result<()>;
    pub async fn answer_counts(&self, conversation: &str) -> Result<Vec<(String, String, u32)>>;
    pub async fn answers(&self, conversation: &str) -> Result<Vec<(ParticipantId, String, String)>>;
    pub async fn create_admin(&self, username: &str, password_hash: &str) -> Result<bool>;
    pub async fn admin_count(&self) -> Result<u64>;
    pub async fn admin_password_hash(&self, username: &str) -> Result<Option<String>>;
    pub async fn create_session(&self, token_hash: &str, username: &str, expires_at: i64) -> Result<()>;
    pub async fn session_user(&self, token_hash: &str) -> Result<Option<String>>;
    pub async fn delete_session(&self, token_hash: &str) -> Result<()>;
    pub async fn import_conversation(&self, dump: &ConversationDump) -> Result<()>;
    pub async fn dump_conversation(&self, id: &str) -> Result<ConversationDump>;
    pub async fn analysis_start(&self, id: &str) -> Result<Option<mufakat_core::published::Start>>;
    pub async fn outcomes(&self, conversation: &str) -> Result<Vec<Outcome>>;
    pub async fn add_outcome(&self, conversation: &str, o: &OutcomeInput) -> Result<Outcome>;
    pub async fn update_outcome(&self, conversation: &str, id: OutcomeId, o: &OutcomeInput) -> Result<Outcome>;
    pub async fn delete_outcome(&self, conversation: &str, id: OutcomeId) -> Result<()>;
    pub async fn cast_votes_bulk(&self, conversation: &str, votes: &[(ParticipantId, StatementId, Vote)]) -> Result<()>;
}
