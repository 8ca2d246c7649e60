// The participant page's budget, printed for BENCHMARKS.md: what it transfers (wasm + JS +
// CSS as the server sends them, gzipped; target ≤ 400 KB) and the time from navigation to the
// first votable statement on loopback (median of several fresh visits, no HTTP cache).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, launchBrowser, root } from './lib.mjs';

const BUDGET_KB = 400;
const RUNS = 9;

let server;
let browser;
before(async () => { server = await startServer(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.stop(); });

test(`the participant page transfers at most ${BUDGET_KB} KB (wasm + JS + CSS, gzipped on the wire)`, async () => {
  // What the browser really receives from our server, not what the files would gzip to.
  const context = await browser.newContext({ locale: 'en-GB' });
  const page = await context.newPage();
  const assets = [];
  page.on('requestfinished', (request) => {
    if (/\.(wasm|js|css)$/.test(new URL(request.url()).pathname)) assets.push(request);
  });
  await page.goto(`${server.base}/c/demo`);
  await page.getByTestId('vote-card').waitFor();
  let wire = 0;
  let raw = 0;
  const kinds = {};
  for (const request of assets) {
    const response = await request.response();
    const file = new URL(request.url()).pathname.slice(1);
    const kind = path.extname(file).slice(1);
    assert.equal(response.headers()['content-encoding'], 'gzip', `${file} is sent gzipped`);
    const { responseBodySize } = await request.sizes();
    wire += responseBodySize;
    raw += readFileSync(path.join(root, 'dist', file)).length;
    kinds[kind] = (kinds[kind] ?? 0) + responseBodySize;
  }
  await context.close();
  assert.ok(kinds.wasm && kinds.js && kinds.css, `wasm, JS and CSS requested: ${Object.keys(kinds)}`);
  const kb = (n) => (n / 1024).toFixed(1);
  console.log(`# participant page: ${kb(wire)} KB transferred (${kb(raw)} KB raw): `
    + Object.entries(kinds).map(([k, v]) => `${k} ${kb(v)} KB`).join(', '));
  assert.ok(wire <= BUDGET_KB * 1024, `${kb(wire)} KB transferred is over the ${BUDGET_KB} KB budget`);
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

