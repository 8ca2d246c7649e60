// Benchmark (not a test): the participant page on a slow phone, for BENCHMARKS.md
// ("Participant app", "On a slow phone"). Chromium throttled through the DevTools protocol:
// 150 ms latency a request, 1.6 Mbit/s down, 0.75 Mbit/s up (Network.emulateNetworkConditions)
// and the CPU 4x slower (Emulation.setCPUThrottlingRate); a fresh context each visit (nothing
// cached). For each visit, from the navigation's start (performance.now(), polled every frame):
// - first paint: the browser's first contentful paint;
// - first card votable: a statement's text and its Agree button on screen (app/boot.js's card
//   or the app's own, whichever comes first);
// - app card: the app's own card (the wasm loaded and started);
// and the bytes received. Prints the median of RUNS visits (default 7), and every visit.
// Run: scripts/build-app.sh && cargo build -p mufakat-server && node tests/browser/first-card-bench.mjs
// (MUFAKAT_DIST=<another dist> MUFAKAT_BIN=<another mufakat> measure another build).
import { startServer, launchBrowser } from './lib.mjs';

const RUNS = Number(process.env.RUNS ?? 7);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const server = await startServer();
const browser = await launchBrowser();
try {
  const rows = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 360, height: 740 } });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false, latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 0.75e6 / 8,
    });
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    let bytes = 0;
    cdp.on('Network.loadingFinished', (e) => { bytes += e.encodedDataLength; });
    await page.goto(`${server.base}/c/demo`, { waitUntil: 'commit' });
    const votable = (selector) => page.waitForFunction((sel) => {
      const card = document.querySelector(sel);
      const text = card && card.querySelector('.statement-text');
      const button = card && card.querySelector('button.agree');
      const shown = card && card.getClientRects().length > 0;
      return shown && text && button && text.textContent.length > 0 ? performance.now() : false;
    }, selector, { polling: 'raf', timeout: 60_000 }).then((h) => h.jsonValue());
    const first = await votable('[data-testid=boot-card], [data-testid=vote-card]');
    const app = await votable('[data-testid=vote-card]');
    const paint = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null);
    await page.waitForTimeout(500);
    rows.push({ paint, first, app, kb: bytes / 1024 });
    console.log(`visit ${i + 1}: first paint ${paint?.toFixed(0)} ms, first card votable ${first.toFixed(0)} ms, `
      + `app card ${app.toFixed(0)} ms, ${(bytes / 1024).toFixed(1)} KB received`);
    await context.close();
  }
  const m = (k) => median(rows.map((r) => r[k]));
  console.log(`median of ${RUNS}: first paint ${m('paint').toFixed(0)} ms, first card votable ${m('first').toFixed(0)} ms, `
    + `app card ${m('app').toFixed(0)} ms, ${m('kb').toFixed(1)} KB received`);
} finally {
  await browser.close();
  await server.stop();
}
