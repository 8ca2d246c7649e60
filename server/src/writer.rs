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
    /// Starts the writer task; it ends when every `VoteWriter` clone is dropped.
    pub fn start(store: Store) -> (VoteWriter, tokio::task::JoinHandle<()>) {
        let (tx, rx) = mpsc::channel(QUEUE);
        let task = tokio::spawn(run(store, rx));
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
