// Benchmark (not a test): what a reload of the participant page costs in vote log traffic on
// a 100,000-vote conversation, with only the browser's HTTP cache (full segments are
// `immutable`, the tail revalidates with its ETag). This is the figure against which keeping
// the log in IndexedDB would have to pay (BENCHMARKS.md, "Reload"). For each case: the log
// requests, their status, bytes on the wire (0 from the cache), and the time from the reload
// to the map shown.
//   node tests/browser/reload-bench.mjs [votes]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, launchBrowser, root, api } from './lib.mjs';
import { GENERATE } from './standing-bench-data.mjs';

const bin = process.env.MUFAKAT_BIN ?? path.join(root, 'target/debug/mufakat');
const votes = Number(process.argv[2] ?? 100_000);

const dir = mkdtempSync(path.join(tmpdir(), 'mufakat-bench-'));
mkdirSync(path.join(dir, 'export'));
execFileSync('python3', ['-c', GENERATE, path.join(dir, 'export'), String(votes)]);
const db = path.join(dir, 'mufakat.sqlite');
execFileSync(bin, ['import', '--id', 'big', '--database-url', `sqlite://${db}`, path.join(dir, 'export')], { stdio: 'pipe' });
execFileSync('python3', ['-c', `import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('UPDATE conversations SET closed = 0, next_participant = (SELECT MAX(id) + 1 FROM participants)'); c.commit()`, db]);
const server = await startServer({ dir, extraArgs: ['--no-demo', '--rate-per-address', '0',
  '--rate-per-participant', '0', '--participant-analysis-max-votes', '1000000000'] });
const browser = await launchBrowser();

/** Log requests of one page load: [{url, status, wire bytes, from cache}]. */
function watchLog(page, cdp) {
  const seen = new Map();
  cdp.on('Network.responseReceived', (e) => {
    if (/\/log(\/|$)/.test(new URL(e.response.url).pathname)) {
      seen.set(e.requestId, { url: e.response.url.replace(server.base, ''), status: e.response.status,
        cache: e.response.fromDiskCache || e.response.fromMemoryCache, wire: 0 });
    }
  });
  cdp.on('Network.requestServedFromCache', (e) => { if (seen.has(e.requestId)) seen.get(e.requestId).cache = true; });
  cdp.on('Network.loadingFinished', (e) => { if (seen.has(e.requestId)) seen.get(e.requestId).wire = e.encodedDataLength; });
  return seen;
}

async function mapShownAfter(page, start) {
  const t = await (await page.waitForFunction(() => (document.querySelector('[data-testid=your-group]')
    ? performance.now() : false), null, { polling: 'raf', timeout: 600_000 })).jsonValue();
  return Math.round(t - start);
}

try {
  const context = await browser.newContext({ viewport: { width: 400, height: 900 }, locale: 'en-GB' });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  let seen = watchLog(page, cdp);
  await page.goto(`${server.base}/c/big`);
  for (let i = 0; i < 7; i++) {
    const id = await page.getByTestId('vote-card').getAttribute('data-statement-id', { timeout: 300_000 });
    await page.keyboard.press(['a', 'd', 'p'][i % 3]);
    await page.waitForFunction((prev) => {
      const el = document.querySelector('[data-testid=vote-card]');
      return el && el.dataset.statementId !== prev && el.getAttribute('aria-busy') === 'false';
    }, id);
  }
  await mapShownAfter(page, 0);
  const report = (name, ms) => {
    const rows = [...seen.values()];
    console.log(JSON.stringify({ case: name, votes, vote_to_map_or_reload_to_map_ms: ms,
      log_requests: rows.length, log_wire_bytes: rows.reduce((s, r) => s + r.wire, 0), requests: rows }));
  };
  report('first visit', null);
  for (const [name, extra] of [['reload, nothing new', 0], ['reload after 1,000 new votes', 1000]]) {
    // Other participants vote meanwhile.
    for (let i = 0; i < extra; i += 50) {
      const { token } = (await api(server.base, 'POST', '/api/v1/conversations/big/participants', { body: {} })).json;
      for (let s = 0; s < 50; s++) {
        await api(server.base, 'POST', '/api/v1/conversations/big/votes', { token, body: { statement: s, vote: 'agree' } });
      }
    }
    seen.clear();
    seen = watchLog(page, cdp);
    const start = Date.now();
    await page.reload();
    await page.getByTestId('your-group').waitFor({ timeout: 600_000 });
    report(name, Date.now() - start);
  }
  await context.close();
} finally {
  await browser.close();
  await server.stop();
}
