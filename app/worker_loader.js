// Starts the analysis worker built by Trunk (wasm-bindgen no-modules output).
importScripts("./analysis-worker.js");
wasm_bindgen({ module_or_path: "./analysis-worker_bg.wasm" });
