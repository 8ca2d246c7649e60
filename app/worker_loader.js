// Starts the analysis worker built by Trunk (wasm-bindgen no-modules output).
importScripts("./analysis-worker.js");
wasm_bindgen("./analysis-worker_bg.wasm");
