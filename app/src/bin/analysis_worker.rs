//! The analysis Web Worker: runs `mufakat-core` off the page's thread.
//!
//! Trunk builds this binary with `data-type="worker"` (wasm-bindgen `no-modules`);
//! `worker_loader.js` imports it. It answers each request with progress messages and a
//! final `Analysed`, `Report` or `Failed` (see `worker_protocol`).

#[path = "../worker_job.rs"]
mod worker_job;
#[path = "../worker_protocol.rs"]
#[allow(dead_code)]
mod worker_protocol;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use worker_job::handle;
use worker_protocol::{Request, Response};

fn post(scope: &DedicatedWorkerGlobalScope, response: &Response) {
    let text = serde_json::to_string(response)
        .unwrap_or_else(|e| format!("{{\"kind\":\"failed\",\"message\":\"cannot encode the answer: {e}\"}}"));
    let _ = scope.post_message(&JsValue::from_str(&text));
}

/// A message is an array: [request JSON, then for `import` one Uint8Array per file].
fn on_message(scope: &DedicatedWorkerGlobalScope, event: MessageEvent) {
    let data = js_sys::Array::from(&event.data());
    let header = data.get(0).as_string().unwrap_or_default();
    let request: Request = match serde_json::from_str(&header) {
        Ok(r) => r,
        Err(e) => return post(scope, &Response::Failed { message: format!("bad request: {e}") }),
    };
    let names = match &request {
        Request::Import { names, .. } => names.clone(),
        Request::Verify { .. } => vec!["published".to_string()],
        _ => Vec::new(),
    };
    let files = names
        .into_iter()
        .enumerate()
        .map(|(i, n)| (n, js_sys::Uint8Array::new(&data.get(i as u32 + 1)).to_vec()))
        .collect();
    let mut answer = handle(request, files, &mut |r| post(scope, &r));
    if let Response::Report { report } = &mut answer {
        let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
        let buffer: js_sys::ArrayBuffer = memory.buffer().unchecked_into();
        report.worker_memory = buffer.byte_length() as u64;
    }
    post(scope, &answer);
}

fn main() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let handler_scope = scope.clone();
    let handler = Closure::<dyn Fn(MessageEvent)>::new(move |e: MessageEvent| on_message(&handler_scope, e));
    scope.set_onmessage(Some(handler.as_ref().unchecked_ref()));
    handler.forget();
    post(&scope, &Response::Ready);
}
