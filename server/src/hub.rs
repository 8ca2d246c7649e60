//! Live events fan-out. Each process keeps a broadcast channel per conversation for its
//! SSE clients. On SQLite (one process) events go straight to it; on PostgreSQL every
//! event goes through `NOTIFY mufakat_events` and each process's listener delivers it, so
//! a vote taken by one process reaches the streams of all. Cache reloads after moderator
//! changes travel the same way. A `votes` event also makes each process read the new
//! entries of the conversation's vote log (`crate::votelog`) before passing it on.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use mufakat_core::api::events::LiveEvent;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use crate::live::Live;
use crate::store::Store;

const CHANNEL: &str = "mufakat_events";

#[derive(Serialize, Deserialize)]
struct Wire {
    conversation: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    event: Option<LiveEvent>,
    /// Moderator changed settings or statements: reload the cached conversation.
    #[serde(default)]
    reload: bool,
}

pub struct Hub {
    channels: Mutex<HashMap<String, broadcast::Sender<LiveEvent>>>,
    store: Store,
    live: Arc<Live>,
}

impl Hub {
    pub fn new(store: Store, live: Arc<Live>) -> Arc<Hub> {
        Arc::new(Hub { channels: Mutex::new(HashMap::new()), store, live })
    }

    pub fn subscribe(&self, conversation: &str) -> broadcast::Receiver<LiveEvent> {
        let mut channels = self.channels.lock().unwrap_or_else(|e| e.into_inner());
        channels.entry(conversation.to_string()).or_insert_with(|| broadcast::channel(256).0).subscribe()
    }

    fn deliver(&self, conversation: &str, event: LiveEvent) {
        let mut channels = self.channels.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(tx) = channels.get(conversation) {
            if tx.send(event).is_err() {
                // Nobody listens any more.
                channels.remove(conversation);
            }
        }
    }

    /// Sends an event to every stream of the conversation, on every process.
    pub async fn publish(&self, conversation: &str, event: LiveEvent) {
        match self.store.pg_pool() {
            Some(_) => {
                let wire = Wire { conversation: conversation.to_string(), event: Some(event), reload: false };
                notify(&self.store, &wire).await;
            }
            None => self.deliver(conversation, event),
        }
    }

    /// Tells every other process to reload the conversation (this one already has).
    pub async fn reload_elsewhere(&self, conversation: &str) {
        if self.store.pg_pool().is_some() {
            notify(&self.store, &Wire { conversation: conversation.to_string(), event: None, reload: true })
                .await;
        }
    }

    /// On PostgreSQL, listens for events from every process until the task is dropped.
    pub fn spawn_listener(self: &Arc<Self>) -> Option<tokio::task::JoinHandle<()>> {
        let pool = self.store.pg_pool()?.clone();
        let hub = self.clone();
        Some(tokio::spawn(async move {
            loop {
                if let Err(e) = hub.listen(&pool).await {
                    tracing::warn!(error = %e, "event listener failed; reconnecting");
                }
                tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            }
        }))
    }

    async fn listen(self: &Arc<Self>, pool: &sqlx::PgPool) -> Result<(), sqlx::Error> {
        let mut listener = sqlx::postgres::PgListener::connect_with(pool).await?;
        listener.listen(CHANNEL).await?;
        loop {
            let n = listener.recv().await?;
            let Ok(wire) = serde_json::from_str::<Wire>(n.payload()) else {
                tracing::warn!("ignoring a malformed event notification");
                continue;
            };
            if wire.reload {
                if let Err(e) = self.live.reload(&self.store, &wire.conversation).await {
                    tracing::warn!(error = %e, "reloading a conversation failed");
                }
            }
            match (wire.event, self.live.loaded(&wire.conversation)) {
                // Votes arrived at some process: read them into this process's log before
                // telling its streams, so a reader that syncs on the event finds them here.
                (Some(event @ LiveEvent::Votes { .. }), Some(conv)) => {
                    let hub = self.clone();
                    tokio::spawn(async move {
                        if let Err(e) = conv.log.catch_up(&hub.store, &conv.id).await {
                            tracing::warn!(conversation = %conv.id, error = %e, "reading the vote log failed");
                        }
                        hub.deliver(&conv.id, event);
                    });
                }
                (Some(event), _) => self.deliver(&wire.conversation, event),
                (None, _) => {}
            }
        }
    }
}

async fn notify(store: &Store, wire: &Wire) {
    let Ok(payload) = serde_json::to_string(wire) else { return };
    if let Err(e) = store.notify(CHANNEL, &payload).await {
        tracing::warn!(error = %e, "could not publish a live event");
    }
}
