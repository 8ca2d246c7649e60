//! The published analysis: the server's analysis of a conversation's vote log up to entry
//! `seq`, written once as bytes that any browser can check (`docs/published-analysis.md`).
//!
//! Both sides go through this module, so they cannot drift: the server calls [`run`] on the
//! first `seq` entries of its in-memory log and serves the bytes; a browser calls [`verify`]
//! on the first `seq` entries of the log it fetched, which runs the same analysis and
//! compares the bytes. The run is always *cold* (no [`crate::WarmStart`]): a warm start keeps
//! admitted participants, the k smoother and group labels from earlier runs, so its result
//! depends on when the earlier runs happened, which no reader can replay. A cold run depends
//! only on the log prefix, the statements' metadata and the parameters, all of which the
//! document carries or fixes.
//!
//! One exception, stated in the document itself: a conversation imported with Pol.is's own
//! math (`mufakat import` of a folder with math-pca2.json) continues from Pol.is's groups.
//! Its every run starts from that one imported [`Start`] (never from an earlier run of
//! ours), which the document carries under `start`, so a reader replays it just the same.
//!
//! Determinism across platforms (native server, wasm browser) is the analysis's own
//! guarantee (`crate::portable`, `tests/browser_parity.rs`); serde_json writes floats with
//! the shortest round-trip form, the same on both.

use serde::{Deserialize, Serialize};

use crate::analysis::{
    analyse, Analysis, AnalysisError, AnalysisInput, AnalysisParams, StatementMeta, WarmStart,
};
use crate::model::VoteRecord;

/// Name and version of the document; a new layout gets a new version.
pub const FORMAT: &str = "mufakat-published-analysis";
pub const VERSION: u32 = 1;

/// The parameters of every published analysis, which the participant page uses too: the
/// defaults (seed 0, as the projector, the report and `mufakat analyze`), with stability
/// measured only where it can change the choice of k
/// ([`crate::stability::StabilityParams::only_to_choose`]): the same groups, and neither
/// reader shows how sure they are, so on a conversation whose k is clear the resamples
/// (four fifths of the run on austria-climate) are skipped.
pub fn params() -> AnalysisParams {
    AnalysisParams::default().stability_only_to_choose(true)
}

/// The statements as the analysis takes them: every statement of the conversation
/// (rejected and meta ones included: the analysis leaves them out of the math itself, and
/// lists them), sorted by id, without authors (the analysis does not use them; the authors
/// of the statements participants see are public through `GET …/statements`, the others'
/// stay on the server). The column order of the vote matrix follows this order, so both
/// sides must pass the same list.
pub fn statements_for_analysis(all: impl IntoIterator<Item = StatementMeta>) -> Vec<StatementMeta> {
    let mut v: Vec<StatementMeta> = all.into_iter().map(|s| StatementMeta { author: None, ..s }).collect();
    v.sort_by_key(|s| s.id);
    v.dedup_by_key(|s| s.id);
    v
}

/// Where every run of an imported conversation starts: the warm start and parameters from
/// Pol.is's math (`PolisExport::warm_start`, `PolisExport::params_for`), kept by the store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Start {
    pub params: AnalysisParams,
    pub warm_start: WarmStart,
}

#[derive(Serialize)]
struct DocRef<'a> {
    format: &'a str,
    version: u32,
    seq: u64,
    params: &'a AnalysisParams,
    statements: &'a [StatementMeta],
    analysis: &'a Analysis,
    /// Absent for a cold run: its documents are byte for byte what they were before.
    #[serde(skip_serializing_if = "Option::is_none")]
    start: Option<&'a WarmStart>,
}

/// A published document, read back.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Published {
    pub format: String,
    pub version: u32,
    /// The analysis is of log entries `0 .. seq`.
    pub seq: u64,
    pub params: AnalysisParams,
    pub statements: Vec<StatementMeta>,
    pub analysis: Analysis,
    /// The warm start every run began from, for a conversation imported with Pol.is's math.
    #[serde(default)]
    pub start: Option<WarmStart>,
}

/// The document's bytes: compact JSON, fields in a fixed order, no hash-map iteration.
pub fn document(seq: u64, statements: &[StatementMeta], analysis: &Analysis) -> Vec<u8> {
    document_from(seq, statements, analysis, None)
}

fn document_from(
    seq: u64,
    statements: &[StatementMeta],
    analysis: &Analysis,
    start: Option<&Start>,
) -> Vec<u8> {
    let params = start.map(|s| s.params.clone()).unwrap_or_else(params);
    let start = start.map(|s| &s.warm_start);
    let doc = DocRef { format: FORMAT, version: VERSION, seq, params: &params, statements, analysis, start };
    // Plain data (no maps with non-string keys): serialising to a Vec cannot fail.
    serde_json::to_vec(&doc).unwrap_or_default()
}

/// The analysis of `log_prefix` (a log's entries `0 .. log_prefix.len()`, in arrival order)
/// and its document at `seq = log_prefix.len()`: a cold run with [`params`].
pub fn run(
    log_prefix: &[VoteRecord],
    statements: &[StatementMeta],
) -> Result<(Analysis, Vec<u8>), AnalysisError> {
    run_from(log_prefix, statements, None)
}

/// [`run`], starting from `start` when the conversation has one (see [`Start`]).
pub fn run_from(
    log_prefix: &[VoteRecord],
    statements: &[StatementMeta],
    start: Option<&Start>,
) -> Result<(Analysis, Vec<u8>), AnalysisError> {
    let input = AnalysisInput { votes: log_prefix, statements };
    let analysis = match start {
        Some(s) => analyse(&input, &s.params, Some(&s.warm_start))?,
        None => analyse(&input, &params(), None)?,
    };
    let bytes = document_from(log_prefix.len() as u64, statements, &analysis, start);
    Ok((analysis, bytes))
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReadError {
    #[error("not a published analysis: {0}")]
    Json(String),
    #[error("unsupported published analysis format {format} version {version}")]
    Format { format: String, version: u32 },
}

/// Reads a document; refuses other formats and newer versions.
pub fn read(bytes: &[u8]) -> Result<Published, ReadError> {
    let doc: Published = serde_json::from_slice(bytes).map_err(|e| ReadError::Json(e.to_string()))?;
    if doc.format != FORMAT || doc.version > VERSION {
        return Err(ReadError::Format { format: doc.format, version: doc.version });
    }
    Ok(doc)
}

/// What [`verify`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Verdict {
    /// The bytes computed here are the published bytes.
    Matches { seq: u64, bytes: u64 },
    /// They differ, first at byte `at`.
    Differs { seq: u64, at: u64, published: u64, computed: u64 },
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum VerifyError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("the published analysis is of {seq} log entries, but only {have} are held")]
    ShortLog { seq: u64, have: u64 },
    #[error("the published analysis uses other parameters than this version computes with")]
    Params,
    #[error("the analysis failed: {0}")]
    Analysis(#[from] AnalysisError),
}

/// Recomputes a published document from a log (at least `seq` entries, in arrival order)
/// and compares the bytes.
pub fn verify(published: &[u8], log: &[VoteRecord]) -> Result<Verdict, VerifyError> {
    let doc = read(published)?;
    let have = log.len() as u64;
    let prefix = log.get(..doc.seq as usize).filter(|_| doc.seq <= have);
    let Some(prefix) = prefix else { return Err(VerifyError::ShortLog { seq: doc.seq, have }) };
    // A started run may use Pol.is's k rule (`PolisExport::params_for`); nothing else.
    let start = doc.start.map(|warm_start| Start { params: doc.params.clone(), warm_start });
    let allowed = match &start {
        Some(_) => doc.params == params() || doc.params == params().k_tolerance(0.0),
        None => doc.params == params(),
    };
    if !allowed {
        return Err(VerifyError::Params);
    }
    let (_, computed) = run_from(prefix, &doc.statements, start.as_ref())?;
    let seq = doc.seq;
    Ok(match published.iter().zip(&computed).position(|(a, b)| a != b) {
        None if published.len() == computed.len() => Verdict::Matches { seq, bytes: computed.len() as u64 },
        at => Verdict::Differs {
            seq,
            at: at.unwrap_or(published.len().min(computed.len())) as u64,
            published: published.len() as u64,
            computed: computed.len() as u64,
        },
    })
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::model::{Moderation, Vote};
    use crate::synthetic::planted;

    fn conversation() -> (Vec<VoteRecord>, Vec<StatementMeta>) {
        let p = planted(120, 30, 3, 20, 5);
        let mut statements = statements_for_analysis(p.statements.iter().copied());
        statements[3].moderation = Moderation::Rejected;
        statements[4].is_meta = true;
        (p.votes, statements)
    }

    #[test]
    fn a_published_analysis_verifies_against_the_same_log_prefix() {
        let (votes, statements) = conversation();
        let seq = votes.len() * 2 / 3;
        let (_, bytes) = run(&votes[..seq], &statements).expect("analyses");
        // The reader holds more of the log than was published: only the prefix counts.
        let verdict = verify(&bytes, &votes).expect("verifies");
        assert_eq!(verdict, Verdict::Matches { seq: seq as u64, bytes: bytes.len() as u64 });
        let doc = read(&bytes).expect("reads");
        assert_eq!((doc.seq, doc.statements.len()), (seq as u64, statements.len()));
    }

    #[test]
    fn a_different_seed_or_log_or_moderation_does_not_verify() {
        let (votes, statements) = conversation();
        let seq = votes.len() / 2;
        let (_, bytes) = run(&votes[..seq], &statements).expect("analyses");
        // Another seed: the same log and statements, but not the published parameters.
        let input = AnalysisInput { votes: &votes[..seq], statements: &statements };
        let other = analyse(&input, &params().seed(7), None).expect("analyses");
        let other_bytes = document(seq as u64, &statements, &other);
        assert_ne!(other_bytes, bytes, "the seed changes the published bytes");
        assert!(matches!(verify(&other_bytes, &votes), Ok(Verdict::Differs { .. })));
        // One vote changed inside the prefix.
        let mut changed = votes.clone();
        changed[seq / 2].vote = match changed[seq / 2].vote {
            Vote::Agree => Vote::Disagree,
            _ => Vote::Agree,
        };
        assert!(matches!(verify(&bytes, &changed), Ok(Verdict::Differs { .. })));
        // A log shorter than the published prefix cannot verify it.
        assert_eq!(
            verify(&bytes, &votes[..seq - 1]),
            Err(VerifyError::ShortLog { seq: seq as u64, have: seq as u64 - 1 })
        );
    }

    #[test]
    fn a_warm_started_run_is_not_what_is_published() {
        // Why publication is cold: a warm start carries state from runs no reader can replay.
        let (votes, statements) = conversation();
        let half = votes.len() / 2;
        let first =
            analyse(&AnalysisInput { votes: &votes[..half], statements: &statements }, &params(), None)
                .expect("analyses");
        let input = AnalysisInput { votes: &votes, statements: &statements };
        let warm = analyse(&input, &params(), Some(&first.warm_start)).expect("analyses");
        let (_, cold) = run(&votes, &statements).expect("analyses");
        assert_ne!(document(votes.len() as u64, &statements, &warm), cold);
    }

    #[test]
    fn a_run_from_an_imported_start_carries_it_and_verifies_from_it() {
        let (votes, statements) = conversation();
        let half = votes.len() / 2;
        let first =
            analyse(&AnalysisInput { votes: &votes[..half], statements: &statements }, &params(), None)
                .expect("analyses");
        let start = Start { params: params().k_tolerance(0.0), warm_start: first.warm_start };
        let (warm, bytes) = run_from(&votes, &statements, Some(&start)).expect("analyses");
        let input = AnalysisInput { votes: &votes, statements: &statements };
        assert_eq!(warm, analyse(&input, &start.params, Some(&start.warm_start)).expect("analyses"));
        let doc = read(&bytes).expect("reads");
        assert_eq!((doc.start.as_ref(), &doc.params), (Some(&start.warm_start), &start.params));
        let n = votes.len() as u64;
        assert_eq!(verify(&bytes, &votes), Ok(Verdict::Matches { seq: n, bytes: bytes.len() as u64 }));
        // Its bytes are not the cold run's, and a cold document carries no start.
        let (_, cold) = run(&votes, &statements).expect("analyses");
        assert_ne!(cold, bytes);
        assert_eq!(read(&cold).expect("reads").start, None);
        // Another seed in a started document is refused, as in a cold one.
        let other = Start { params: params().seed(3), ..start };
        let (_, other_bytes) = run_from(&votes, &statements, Some(&other)).expect("analyses");
        assert_eq!(verify(&other_bytes, &votes), Err(VerifyError::Params));
    }

    #[test]
    fn statements_for_analysis_are_sorted_unique_and_authorless() {
        let s = |id, author| StatementMeta { author, ..StatementMeta::new(id) };
        let got = statements_for_analysis([s(3, Some(9)), s(1, None), s(3, Some(9))]);
        assert_eq!(got, vec![s(1, None), s(3, None)]);
    }

    #[test]
    fn another_format_is_refused() {
        assert!(matches!(read(br#"{"format":"x"}"#), Err(ReadError::Json(_))));
        let (votes, statements) = conversation();
        let (_, bytes) = run(&votes, &statements).expect("analyses");
        let text = String::from_utf8(bytes).expect("utf-8").replacen("\"version\":1", "\"version\":2", 1);
        assert!(matches!(read(text.as_bytes()), Err(ReadError::Format { version: 2, .. })));
    }
}
