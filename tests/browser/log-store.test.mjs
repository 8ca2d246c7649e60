// The vote log kept in IndexedDB (app/src/logstore.rs): after a reload the participant page
// asks the server only for the entries after the ones it kept (`?since=`, with `&until=` when
// it syncs towards a `votes` event's length), never for the
// log from its start again; and a kept copy the server does not know (longer than its log)
// is dropped, not trusted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser } from './lib.mjs';

let server;
let browser;
before(async () => { server = await startServer(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.stop(); });

async function placed(page) {
  for (let i = 0; i < 7; i++) {
    const id = await page.getByTestId('vote-card').getAttribute('data-statement-id');
    await page.keyboard.press(['a', 'd', 'p'][i % 3]);
    await page.waitForFunction((prev) => {
      const el = document.querySelector('[data-testid=vote-card]');
      return el && el.dataset.statementId !== prev && el.getAttribute('aria-busy') === 'false';
    }, id);
  }
}

function logRequests(page) {
  const seen = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (/\/log\/\d+$/.test(u.pathname)) seen.push(u.pathname.replace(/.*\/log\//, 'log/') + u.search);
  });
  return seen;
}

test('a reload fetches only the vote log entries after the ones kept in IndexedDB', async () => {
  const context = await browser.newContext({ locale: 'en-GB' });
  const page = await context.newPage();
  const seen = logRequests(page);
  await page.goto(`${server.base}/c/demo`);
  await placed(page);
  await page.getByTestId('your-group').waitFor({ timeout: 60_000 });
  // From its start: the whole segment, or (syncing towards a `votes` event's length) the
  // closed range up to it; never `since`.
  assert.match(seen[0], /^log\/0(\?until=\d+&?)?$/, `the first visit fetches the log from its start: ${seen}`);

  const reloaded = logRequests(page);
  await page.reload();
  await page.getByTestId('your-group').waitFor({ timeout: 60_000 });
  assert.ok(reloaded.length >= 1, 'the reloaded page synced');
  assert.ok(reloaded.every((r) => /^log\/0\?since=\d+(&until=\d+)?&?$/.test(r)), `only the tail after the kept entries: ${reloaded}`);
  const since = Number(/since=(\d+)/.exec(reloaded[0])[1]);
  assert.ok(since >= 8000, `the kept copy held the demo's log (since=${since})`);
  await context.close();
});

test('a kept copy longer than the server\'s log is dropped and the log fetched again', async () => {
  const context = await browser.newContext({ locale: 'en-GB' });
  const page = await context.newPage();
  await page.goto(`${server.base}/c/demo`);
  await placed(page);
  await page.getByTestId('your-group').waitFor({ timeout: 60_000 });
  // Another server's (longer) log under the same conversation id: entries the server never had.
  await page.evaluate(async () => {
    const db = await new Promise((resolve, reject) => {
      const r = indexedDB.open('mufakat-vote-log', 1);
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    // Segment 0 in the log's format (docs/vote-log.md): version 1, first_seq 0, then
    // 60,000 entries, each one byte: agree (1) on statement 0 by the same participant (4).
    const count = 60000;
    const bytes = [1, 0];
    let n = count;
    while (n >= 0x80) { bytes.push((n & 0x7f) | 0x80); n >>>= 7; }
    bytes.push(n);
    for (let i = 0; i < count; i++) bytes.push(1 | 4); // agree, statement 0, same participant (0)
    await new Promise((resolve, reject) => {
      const tx = db.transaction('segments', 'readwrite');
      tx.objectStore('segments').put(new Uint8Array(bytes), 'demo/0');
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
    });
  });
  const seen = logRequests(page);
  await page.reload();
  await page.getByTestId('your-group').waitFor({ timeout: 60_000 });
  assert.ok(seen.includes('log/0'), `the log was fetched from its start again: ${seen}`);
  await context.close();
});
