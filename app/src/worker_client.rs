//! A small API over the analysis Web Worker for any page: send votes and statements (or
//! imported files), receive progress and the result, without blocking the page.
//!
//! ```ignore
//! let worker = AnalysisWorker::spawn(move |r| match r { Response::Progress { .. } => …, _ => … })?;
//! worker.send(&Request::Analyse { votes, statements, seed: 0 }, Vec::new());
//! ```
//! Requests sent before the worker has loaded its wasm are queued until it says `Ready`.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};

pub use crate::worker_protocol::{Report, Request, Response, StatementText, Step, StoredConversation};

/// Where Trunk puts the worker's loader (copied from `app/worker_loader.js`) in the console
/// bundle (`dist/console`, public URL /console/).
pub const WORKER_URL: &str = "/console/worker_loader.js";

#[derive(Default)]
struct Queue {
    ready: bool,
    pending: Vec<js_sys::Array>,
}

/// A running worker; dropping it terminates the worker.
pub struct AnalysisWorker {
    worker: Worker,
    queue: Rc<RefCell<Queue>>,
    _on_message: Closure<dyn Fn(MessageEvent)>,
    _on_error: Closure<dyn Fn(web_sys::Event)>,
}

impl AnalysisWorker {
    /// Starts a worker; `on_response` receives progress and final answers (never `Ready`).
    pub fn spawn(on_response: impl Fn(Response) + 'static) -> Result<AnalysisWorker, String> {
        let options = WorkerOptions::new();
        options.set_type(WorkerType::Classic);
        let worker = Worker::new_with_options(WORKER_URL, &options).map_err(|e| format!("{e:?}"))?;
        let queue: Rc<RefCell<Queue>> = Rc::default();
        let on_response = Rc::new(on_response);
        let (q, w, cb) = (queue.clone(), worker.clone(), on_response.clone());
        let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |e: MessageEvent| {
            let text = e.data().as_string().unwrap_or_default();
            match serde_json::from_str::<Response>(&text) {
                Ok(Response::Ready) => {
                    let pending = {
                        let mut q = q.borrow_mut();
                        q.ready = true;
                        std::mem::take(&mut q.pending)
                    };
                    for m in pending {
                        let _ = w.post_message(&m);
                    }
                }
                Ok(r) => cb(r),
                Err(err) => cb(Response::Failed { message: format!("bad worker answer: {err}") }),
            }
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        let cb = on_response.clone();
        let on_error = Closure::<dyn Fn(web_sys::Event)>::new(move |_e: web_sys::Event| {
            cb(Response::Failed { message: "the analysis worker stopped".into() });
        });
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(AnalysisWorker { worker, queue, _on_message: on_message, _on_error: on_error })
    }

    /// Sends a request; `files` (name, bytes) go with an `Import` request.
    pub fn send(&self, request: &Request, files: Vec<(String, Vec<u8>)>) {
        let message = js_sys::Array::new();
        message.push(&JsValue::from_str(&serde_json::to_string(request).unwrap_or_default()));
        for (_, bytes) in files {
            message.push(&js_sys::Uint8Array::from(bytes.as_slice()));
        }
        let mut q = self.queue.borrow_mut();
        if q.ready {
            let _ = self.worker.post_message(&message);
        } else {
            q.pending.push(message);
        }
    }
}

impl Drop for AnalysisWorker {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}
