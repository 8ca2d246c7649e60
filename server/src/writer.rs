//! The vote path's single writer (group commit). Handlers hand each vote to this task and
//! wait; the task takes every vote queued while the previous batch was committing, writes
//! them in one transaction, applies them to the live counts, and only then acknowledges
//! each one. Under load a batch holds hundreds of votes for one fsync; alone, a vote is
//! committed at once. The bounded queue is the backpressure.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use crate::live::ConvState;
use crate::store::{Store, StoreError, VoteWrite};

/// Most votes in one transaction.
const MAX_BATCH: usize = 2_000;
/// Votes that may wait for the writer before handlers wait to enqueue.
const QUEUE: usize = 20_000;

struct Job {
    write: VoteWrite,
    conv: Arc<ConvState>,
    done: oneshot::Sender<Result<(), String>>,
}

#[derive(Clone)]
pub struct VoteWriter {
    tx: mpsc::Sender<Job>,
}

#[derive(Debug, thiserror::Error)]
#[error("the vote could not be stored: {0}")]
pub struct WriteFailed(pub String);

impl VoteWriter {
    /// Starts the writer; it ends when every `VoteWriter` clone is dropped or the returned
    /// task is aborted.
    ///
    /// On SQLite the writer runs on a thread of its own (its own single-threaded runtime),
    /// not among the request handlers: a commit is several awaits (begin, the counter, the
    /// two inserts, commit), each a hop to the SQLite connection's thread and back, and on
    /// the shared runtime each return queued behind whatever the handlers had in hand. With
    /// 1,000 viewers syncing on every `votes` event (a thousand requests at once, four times
    /// a second) a 300-vote commit took 170–200 ms that way, most of it waiting to be
    /// polled, and the writer, busy all the time, fell behind 2,000 votes/s (BENCHMARKS.md,
    /// "At the size"). PostgreSQL's connections are sockets of the shared runtime,
    /// so there the writer stays on it.
    pub fn start(store: Store) -> (VoteWriter, tokio::task::JoinHandle<()>) {
        let (tx, rx) = mpsc::channel(QUEUE);
        let task = match store {
            Store::Sqlite(_) => on_own_thread(store, rx),
            Store::Postgres(_) => tokio::spawn(run(store, rx)),
        };
        (VoteWriter { tx }, task)
    }

    /// Stores one vote; returns once it is committed (and counted in `conv`, and in its log).
    pub async fn vote(&self, conv: Arc<ConvState>, write: VoteWrite) -> Result<(), WriteFailed> {
        let (done, rx) = oneshot::channel();
        self.tx
            .send(Job { write, conv, done })
            .await
            .map_err(|_| WriteFailed("the server is shutting down".into()))?;
        rx.await.map_err(|_| WriteFailed("the writer stopped".into()))?.map_err(WriteFailed)
    }
}

/// Runs [`run`] on a thread of its own; the task returned ends with it, and aborting the
/// task stops it (between two batches: a batch in hand is rolled back, unacknowledged).
fn on_own_thread(store: Store, rx: mpsc::Receiver<Job>) -> tokio::task::JoinHandle<()> {
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let (ended_tx, ended_rx) = oneshot::channel::<()>();
    let started = std::thread::Builder::new().name("mufakat-vote-writer".into()).spawn(move || {
        match tokio::runtime::Builder::new_current_thread().enable_all().build() {
            Ok(rt) => rt.block_on(async {
                tokio::select! {
                    _ = run(store, rx) => {}
                    _ = stop_rx => {}
                }
            }),
            Err(e) => tracing::error!(error = %e, "the vote writer's runtime did not start"),
        }
        let _ = ended_tx.send(());
    });
    if let Err(e) = started {
        // Votes then fail with "the writer stopped" rather than hang.
        tracing::error!(error = %e, "the vote writer's thread did not start");
    }
    tokio::spawn(async move {
        // Dropping `stop_tx` (this task aborted) stops the thread.
        let _stop = stop_tx;
        let _ = ended_rx.await;
    })
}

async fn run(store: Store, mut rx: mpsc::Receiver<Job>) {
    let mut jobs: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut jobs, MAX_BATCH).await > 0 {
        let batch: Vec<VoteWrite> = jobs.iter().map(|j| j.write.clone()).collect();
        let started = std::time::Instant::now();
        let written = store.write_votes(&batch).await;
        let m = &*crate::metrics::METRICS;
        m.writer_batch_votes.observe(batch.len() as f64);
        m.writer_commit_seconds.observe(started.elapsed().as_secs_f64());
        match written {
            Ok(seqs) => {
                for (job, seq) in jobs.drain(..).zip(seqs) {
                    job.conv.apply(&job.write, seq);
                    let _ = job.done.send(Ok(()));
                }
            }
            Err(e) => {
                // One bad vote must not sink its neighbours: retry each on its own.
                crate::metrics::count(&m.store_errors, "vote_batch");
                tracing::warn!(error = %e, votes = batch.len(), "vote batch failed; retrying one by one");
                for job in jobs.drain(..) {
                    let result = store.write_votes(std::slice::from_ref(&job.write)).await;
                    if let Ok(seqs) = &result {
                        if let Some(&seq) = seqs.first() {
                            job.conv.apply(&job.write, seq);
                        }
                    }
                    let _ = job.done.send(result.map(|_| ()).map_err(|e: StoreError| e.to_string()));
                }
            }
        }
        tracing::trace!(votes = batch.len(), "vote batch committed");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mufakat_core::Vote;
    use std::time::{Duration, Instant};

    /// On SQLite the writer commits on a thread of its own: with the shared runtime's only
    /// worker held by a handler that does not yield for 3 s, a vote is still committed,
    /// logged and acknowledged at once (on the shared runtime it waited the 3 s).
    #[tokio::test(flavor = "multi_thread", worker_threads = 1)]
    async fn a_vote_is_committed_while_every_worker_of_the_shared_runtime_is_busy() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("t.sqlite").display());
        let store = Store::open(&url).await.expect("store");
        crate::demo::load(&store).await.expect("demo");
        let live = Arc::new(crate::live::Live::default());
        let conv = live.conv(&store, "demo").await.expect("conversation");
        let (writer, _task) = VoteWriter::start(store.clone());
        let before = conv.log.len();
        let (held_tx, held_rx) = std::sync::mpsc::channel();
        tokio::spawn(async move {
            let _ = held_tx.send(());
            std::thread::sleep(Duration::from_secs(3));
        });
        held_rx.recv_timeout(Duration::from_secs(10)).expect("the worker is held");
        let started = Instant::now();
        let write = VoteWrite {
            conversation: conv.id.clone(),
            participant: 0,
            statement: 0,
            vote: Vote::Disagree,
            at: crate::store::now_ms(),
        };
        writer.vote(conv.clone(), write).await.expect("committed");
        let took = started.elapsed();
        assert!(took < Duration::from_millis(1500), "the vote waited {took:?} for the busy runtime");
        assert_eq!(conv.log.len(), before + 1);
    }
}
