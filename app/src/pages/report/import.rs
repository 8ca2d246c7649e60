//! `/report`: drop or pick a Pol.is export; it is read and analysed in this tab only.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::{sections::ReportView, Failure, Progress, Run, SEED};
use crate::i18n::t;
use crate::worker_client::Request;

/// Reads every file's bytes (no network: `File.arrayBuffer()`).
async fn read_files(list: web_sys::FileList) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for i in 0..list.length() {
        let Some(file) = list.get(i) else { continue };
        if let Ok(buffer) = JsFuture::from(file.array_buffer()).await {
            out.push((file.name(), js_sys::Uint8Array::new(&buffer).to_vec()));
        }
    }
    out
}

/// Reads and analyses the files; then empties the picker (`input`), so that picking the same
/// file names again (a file mended after an error) is a change the page sees.
fn analyse(run: Run, list: web_sys::FileList, input: Option<web_sys::HtmlInputElement>) {
    spawn_local(async move {
        let files = read_files(list).await;
        if let Some(input) = input {
            input.set_value("");
        }
        let names = files.iter().map(|f| f.0.clone()).collect();
        run.start(Request::Import { names, seed: SEED }, files);
    });
}

#[component]
pub fn ImportPage() -> impl IntoView {
    crate::pages::document_title(|| t().report.report_title.to_string());
    let run = Run::new();
    let dragging = RwSignal::new(false);
    let on_change = move |ev: leptos::ev::Event| {
        let input = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
        if let Some((input, list)) = input.and_then(|i| i.files().map(|l| (i, l))) {
            analyse(run, list, Some(input));
        }
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        if let Some(list) = ev.data_transfer().and_then(|d| d.files()) {
            analyse(run, list, None);
        }
    };
    view! {
        <section class="report" data-testid="report-import">
            <div class="report-drop" class:dragging=move || dragging.get()
                on:dragover=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); dragging.set(true); }
                on:dragleave=move |_| dragging.set(false)
                on:drop=on_drop>
                <h1>{move || t().report.import_title}</h1>
                <p>{move || t().report.import_intro}</p>
                <p class="muted">{move || t().report.import_private}</p>
                <label class="button">
                    {move || t().report.pick_files}
                    <input type="file" multiple accept=".csv,.zip,text/csv,application/zip"
                        class="visually-hidden" data-testid="report-files" on:change=on_change/>
                </label>
                <span class="muted">" "{move || t().report.drop_here}</span>
            </div>
            <Progress run/>
            <Failure run/>
            {move || run.report.get().map(|r| view! { <ReportView report=r/> })}
        </section>
    }
}
