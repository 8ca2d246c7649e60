// The participant page's budget, printed for BENCHMARKS.md: what it transfers (wasm + JS +
// CSS, gzipped, target ≤ 400 KB) and the time from navigation to the first votable statement
// on loopback (median of several fresh visits, no HTTP cache).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { startServer, launchBrowser, root } from './lib.mjs';

const BUDGET_KB = 400;
const RUNS = 9;

let server;
let browser;
before(async () => { server = await startServer(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.stop(); });

test(`the participant page transfers at most ${BUDGET_KB} KB gzipped (wasm + JS + CSS)`, async () => {
  const dist = path.join(root, 'dist');
  const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
  const files = [...new Set([...html.matchAll(/["']\/?([\w.-]+\.(?:wasm|js|css))["']/g)].map((m) => m[1]))];
  assert.ok(files.some((f) => f.endsWith('.wasm')) && files.some((f) => f.endsWith('.js')), `assets in ${files}`);
  let raw = 0;
  let gz = 0;
  const kinds = {};
  for (const f of files) {
    const bytes = readFileSync(path.join(dist, f));
    const g = gzipSync(bytes, { level: 9 }).length;
    raw += bytes.length;
    gz += g;
    const kind = path.extname(f).slice(1);
    kinds[kind] = (kinds[kind] ?? 0) + g;
  }
  const kb = (n) => (n / 1024).toFixed(1);
  console.log(`# participant page: ${kb(gz)} KB gzipped (${kb(raw)} KB raw): `
    + Object.entries(kinds).map(([k, v]) => `${k} ${kb(v)} KB`).join(', '));
  assert.ok(gz <= BUDGET_KB * 1024, `${kb(gz)} KB gzipped is over the ${BUDGET_KB} KB budget`);
});

test('time from navigation to the first votable statement on loopback', async () => {
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext({ locale: 'en-GB' });
    const page = await context.newPage();
    await page.goto(`${server.base}/c/demo`, { waitUntil: 'commit' });
    // performance.now() counts from the navigation's start; polled every frame.
    const handle = await page.waitForFunction(() => {
      const text = document.querySelector('[data-testid=vote-card] #statement-text');
      const button = document.querySelector('[data-testid=vote-card] button.agree');
      return text && button && text.textContent.length > 0 ? performance.now() : false;
    }, null, { polling: 'raf' });
    times.push(await handle.jsonValue());
    await context.close();
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(`# first votable statement: median ${median.toFixed(0)} ms over ${RUNS} fresh visits `
    + `(min ${times[0].toFixed(0)}, max ${times[times.length - 1].toFixed(0)})`);
  assert.ok(median > 0);
});

test('the in-browser analysis of the demo (360 participants) takes milliseconds', async () => {
  const page = await browser.newPage({ locale: 'en-GB' });
  await page.goto(`${server.base}/c/demo`);
  await page.getByTestId('vote-card').waitFor();
  for (let i = 0; i < 7; i++) {
    const id = await page.getByTestId('vote-card').getAttribute('data-statement-id');
    await page.keyboard.press(['a', 'd', 'p'][i % 3]);
    await page.waitForFunction((prev) => {
      const el = document.querySelector('[data-testid=vote-card]');
      return el && el.dataset.statementId !== prev && el.getAttribute('aria-busy') === 'false';
    }, id);
  }
  await page.getByTestId('opinion-map').waitFor();
  // Two more votes, 3 s apart (the refresh throttle), for more runs.
  for (const key of ['a', 'd']) {
    await page.waitForTimeout(3200);
    await page.keyboard.press(key);
  }
  await page.waitForFunction(() => performance.getEntriesByName('mufakat-analysis').length >= 3, null, { timeout: 15_000 });
  const runs = await page.evaluate(() => performance.getEntriesByName('mufakat-analysis').map((e) => e.duration));
  runs.sort((a, b) => a - b);
  console.log(`# in-browser analysis of the demo: median ${runs[Math.floor(runs.length / 2)].toFixed(1)} ms `
    + `over ${runs.length} runs (${runs.map((r) => r.toFixed(1)).join(', ')} ms)`);
  await page.close();
});

