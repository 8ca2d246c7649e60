// Benchmark (not a test): time from file drop to finished report for the largest Pol.is
// conversation in headless Chromium, with peak memory (main-thread JS heap via CDP
// Performance.getMetrics, and the worker's wasm memory). Run: node tests/browser/report-bench.mjs
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { startServer, launchBrowser, root } from './lib.mjs';

const DATA = process.env.MUFAKAT_POLIS_DATA ?? path.join(root, '../shared/data/polis');
const CSVS = ['comments.csv', 'votes.csv', 'participants-votes.csv', 'summary.csv'];
if (!existsSync(DATA)) { console.log(`SKIPPED: ${DATA} is absent`); process.exit(0); }
const size = (d) => CSVS.map((f) => path.join(DATA, d, f)).filter(existsSync).reduce((s, f) => s + statSync(f).size, 0);
const dirs = readdirSync(DATA).filter((d) => existsSync(path.join(DATA, d, 'comments.csv')));
const largest = dirs.sort((a, b) => size(b) - size(a))[0];
const runs = Number(process.env.RUNS ?? 3);

const server = await startServer();
const browser = await launchBrowser();
try {
  for (let i = 0; i < runs; i++) {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.goto(`${server.base}/report`);
    await page.getByTestId('report-files').waitFor({ state: 'attached' });
    let peak = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const { metrics } = await cdp.send('Performance.getMetrics');
        peak = Math.max(peak, metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const t0 = performance.now();
    await page.getByTestId('report-files').setInputFiles(CSVS.map((f) => path.join(DATA, largest, f)).filter(existsSync));
    const report = page.getByTestId('report');
    await report.waitFor({ timeout: 300_000 });
    const ms = performance.now() - t0;
    sampling = false;
    await sampler;
    const wasm = Number(await report.getAttribute('data-worker-memory'));
    console.log(JSON.stringify({ conversation: largest, run: i + 1, drop_to_report_ms: Math.round(ms),
      main_js_heap_peak_mib: +(peak / 2 ** 20).toFixed(1), worker_wasm_memory_mib: +(wasm / 2 ** 20).toFixed(1) }));
    await page.close();
  }
} finally {
  await browser.close();
  await server.stop();
}
