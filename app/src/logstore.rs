//! The vote log kept in IndexedDB, so that a reload fetches only what is new
//! (`client::sync_log`). One record per segment, keyed `"{conversation}/{segment}"`, holding
//! the segment's entries so far as one chunk in the log's own format
//! (`mufakat_core::votelog::encode`, from the segment's first entry): a full segment is
//! written once, the tail segment again when it grew. IndexedDB is per origin, so a copy
//! belongs to one server. Every failure (no IndexedDB, private mode, quota) only means the
//! page fetches the log from the server as before.

use js_sys::{Promise, Uint8Array};
use mufakat_core::votelog::{self, LogChunk, SEGMENT_SIZE};
use mufakat_core::VoteRecord;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbRequest, IdbTransactionMode};

const DB: &str = "mufakat-vote-log";
const STORE: &str = "segments";

fn key(conversation: &str, segment: u64) -> JsValue {
    JsValue::from_str(&format!("{conversation}/{segment}"))
}

/// Resolves with a request's result once it succeeded.
async fn finished(req: &IdbRequest) -> Result<JsValue, JsValue> {
    let promise = Promise::new(&mut |resolve, reject| {
        let r = req.clone();
        let ok = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = resolve.call1(&JsValue::NULL, &r.result().unwrap_or(JsValue::UNDEFINED));
        });
        let failed = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = reject.call1(&JsValue::NULL, &JsValue::from_str("IndexedDB request failed"));
        });
        req.set_onsuccess(Some(ok.unchecked_ref()));
        req.set_onerror(Some(failed.unchecked_ref()));
    });
    JsFuture::from(promise).await
}

async fn open() -> Result<IdbDatabase, JsValue> {
    let factory = web_sys::window()
        .ok_or_else(|| JsValue::from_str("no window"))?
        .indexed_db()?
        .ok_or_else(|| JsValue::from_str("no IndexedDB"))?;
    let req = factory.open_with_u32(DB, 1)?;
    let r = req.clone();
    let upgrade = Closure::once_into_js(move |_: web_sys::Event| {
        if let Ok(db) = r.result().map(|d| d.unchecked_into::<IdbDatabase>()) {
            let _ = db.create_object_store(STORE);
        }
    });
    req.set_onupgradeneeded(Some(upgrade.unchecked_ref()));
    Ok(finished(&req).await?.unchecked_into())
}

/// The entries kept for `conversation`, from entry 0, as far as the kept segments continue
/// each other; empty when nothing (usable) is kept.
pub async fn load(conversation: &str) -> Vec<VoteRecord> {
    load_inner(conversation).await.unwrap_or_default()
}

async fn load_inner(conversation: &str) -> Result<Vec<VoteRecord>, JsValue> {
    let db = open().await?;
    let tx = db.transaction_with_str(STORE)?;
    let store = tx.object_store(STORE)?;
    let mut entries: Vec<VoteRecord> = Vec::new();
    for segment in 0u64.. {
        let value = finished(&store.get(&key(conversation, segment))?).await?;
        if value.is_undefined() {
            break;
        }
        let bytes = value.dyn_into::<Uint8Array>().map(|a| a.to_vec()).unwrap_or_default();
        let Ok(LogChunk { first_seq, entries: more }) = votelog::decode(&bytes) else { break };
        if first_seq != entries.len() as u64 {
            break;
        }
        let whole = more.len() as u64 == SEGMENT_SIZE;
        entries.extend(more);
        if !whole {
            break;
        }
    }
    Ok(entries)
}

/// The records to keep after entries `from ..` arrived: each segment they touch, encoded
/// from its first entry (`entries` is the whole log held).
pub fn segments_from(entries: &[VoteRecord], from: u64) -> Vec<(u64, Vec<u8>)> {
    let len = entries.len() as u64;
    if from >= len {
        return Vec::new();
    }
    (votelog::segment_of(from)..=votelog::segment_of(len - 1))
        .map(|segment| {
            let start = votelog::segment_start(segment);
            let end = (start + SEGMENT_SIZE).min(len);
            (segment, votelog::encode(start, &entries[start as usize..end as usize]))
        })
        .collect()
}

/// Keeps `segments` (from [`segments_from`]).
pub async fn save(conversation: &str, segments: Vec<(u64, Vec<u8>)>) {
    let _ = save_inner(conversation, segments).await;
}

async fn save_inner(conversation: &str, segments: Vec<(u64, Vec<u8>)>) -> Result<(), JsValue> {
    if segments.is_empty() {
        return Ok(());
    }
    let db = open().await?;
    let tx = db.transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)?;
    let store = tx.object_store(STORE)?;
    let mut last = None;
    for (segment, chunk) in segments {
        let value = Uint8Array::from(chunk.as_slice());
        last = Some(store.put_with_key(&value, &key(conversation, segment))?);
    }
    if let Some(req) = last {
        finished(&req).await?;
    }
    Ok(())
}

/// Forgets what is kept for `conversation` (it does not continue the server's log).
pub async fn clear(conversation: &str) {
    let _ = clear_inner(conversation).await;
}

async fn clear_inner(conversation: &str) -> Result<(), JsValue> {
    let db = open().await?;
    let tx = db.transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)?;
    let store = tx.object_store(STORE)?;
    let range = web_sys::IdbKeyRange::bound(
        &JsValue::from_str(&format!("{conversation}/")),
        &JsValue::from_str(&format!("{conversation}/\u{ffff}")),
    )?;
    finished(&store.delete(&range)?).await?;
    Ok(())
}
