// The server's published analysis (docs/published-analysis.md): the report's "Verify in this
// browser" recomputes it from the vote log and finds the same bytes on real conversations
// (the demo, and a Pol.is conversation imported with `mufakat import`), says so when the
// bytes differ, and a participant page above the server's threshold shows the published
// analysis instead of computing one. A conversation imported with Pol.is's own math
// (math-pca2.json) is published from that math's warm start, and verifies all the same.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, launchBrowser, artifacts, root, api } from './lib.mjs';
import { assertAccessible } from './moderator-helpers.mjs';

const DATA = process.env.MUFAKAT_POLIS_DATA ?? path.join(root, '../shared/data/polis');
const bin = process.env.MUFAKAT_BIN ?? path.join(root, 'target/debug/mufakat');
const haveData = existsSync(path.join(DATA, 'brexit-consensus', 'comments.csv'));
if (!haveData) console.log(`SKIPPED: ${DATA} is absent; the imported conversation is not verified`);

/** A made-up Pol.is folder: two camps of four on four statements, with Pol.is's math
 * (participant 3 in the camp that disagrees, as Pol.is's history may leave it). */
function folderWithMath() {
  const dir = mkdtempSync(path.join(tmpdir(), 'mufakat-e2e-math-'));
  let votes = 'timestamp,datetime,comment-id,voter-id,vote\n';
  for (let p = 0; p < 8; p++) for (let s = 0; s < 4; s++) votes += `${10 * p + s},,${s},${p},${p < 4 ? 1 : -1}\n`;
  writeFileSync(path.join(dir, 'votes.csv'), votes);
  writeFileSync(path.join(dir, 'comments.csv'),
    'timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n' +
    '1,,0,0,4,4,1,a\n1,,1,0,4,4,1,b\n1,,2,0,4,4,1,c\n1,,3,0,4,4,1,d\n');
  writeFileSync(path.join(dir, 'math-pca2.json'), JSON.stringify({
    tids: [0, 1, 2, 3], 'in-conv': [0, 1, 2, 3, 4, 5, 6, 7],
    pca: { center: [0, 0, 0, 0], comps: [[0.5, 0.5, 0.5, 0.5], [0.5, -0.5, 0.5, -0.5]] },
    'base-clusters': { id: [7, 12], members: [[0, 1, 2], [3, 4, 5, 6, 7]], x: [1, -1], y: [0, 0], count: [3, 5] },
    'group-clusters': [{ id: 0, members: [7], center: [1, 0] }, { id: 1, members: [12], center: [-1, 0] }],
    'user-vote-counts': { 0: 4, 1: 4, 2: 4, 3: 4, 4: 4, 5: 4, 6: 4, 7: 4 },
  }));
  return dir;
}

let server;
let imported;
let withMath;
let browser;
before(async () => {
  server = await startServer({ extraArgs: ['--analysis-every', '0.2'] });
  // A real Pol.is conversation in a store of its own (a store with conversations gets no demo).
  if (haveData) {
    const dir = mkdtempSync(path.join(tmpdir(), 'mufakat-e2e-'));
    execFileSync(bin, ['import', '--id', 'brexit', '--database-url', `sqlite://${path.join(dir, 'mufakat.sqlite')}`,
      path.join(DATA, 'brexit-consensus')], { stdio: 'pipe' });
    imported = await startServer({ dir, extraArgs: ['--analysis-every', '0.2'] });
  }
  const mathDir = mkdtempSync(path.join(tmpdir(), 'mufakat-e2e-'));
  execFileSync(bin, ['import', '--id', 'polismath', '--database-url',
    `sqlite://${path.join(mathDir, 'mufakat.sqlite')}`, folderWithMath()], { stdio: 'pipe' });
  withMath = await startServer({ dir: mathDir, extraArgs: ['--analysis-every', '0.2'] });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close(); await server?.stop(); await imported?.stop(); await withMath?.stop();
});

/** Waits until the server has published an analysis of `id`; returns its seq. */
async function published(base, id) {
  for (let i = 0; i < 200; i++) {
    const head = (await api(base, 'GET', `/api/v1/conversations/${id}/analysis`)).json;
    if (head?.published) return head.published;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing published for ${id}`);
}

async function verifyOnReport(page, base, id) {
  await page.goto(`${base}/r/${id}`);
  await page.getByTestId('report').waitFor({ timeout: 120_000 });
  await page.getByTestId('verify-button').click();
  const result = page.getByTestId('verify-result');
  await page.waitForFunction(() => {
    const o = document.querySelector('[data-testid=verify-result]')?.dataset.outcome;
    return o && o !== 'idle' && o !== 'working';
  }, null, { timeout: 120_000 });
  return { outcome: await result.getAttribute('data-outcome'), text: await result.innerText() };
}

for (const [id, skip] of [['demo', false], ['brexit', !haveData], ['polismath', false]]) {
  test(`verify in this browser: the published analysis of ${id} matches byte for byte`, { skip }, async () => {
    const base = { demo: server.base, brexit: imported?.base, polismath: withMath.base }[id];
    const seq = await published(base, id);
    if (id === 'polismath') {
      // Published from Pol.is's math: the document carries the warm start it began from.
      const head = await (await fetch(`${base}/api/v1/conversations/${id}/analysis`)).json();
      assert.equal(head.started, true);
      const doc = await (await fetch(`${base}/api/v1/conversations/${id}/analysis/${seq}`)).json();
      assert.ok(doc.start?.base_members?.length === 2, 'the document carries the imported start');
    }
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, locale: 'en-GB' });
    const { outcome, text } = await verifyOnReport(page, base, id);
    assert.equal(outcome, 'match', text);
    assert.match(text, /^Verified: the server's published analysis of the first \d+ votes is byte for byte/);
    assert.ok(Number(text.match(/first (\d+) votes/)[1]) >= seq, text);
    assert.equal(await page.getByTestId('verify-result').getAttribute('role'), 'status');
    if (id !== 'demo') {
      // A closed import, published whole: the report's own analysis (from the imported start
      // too, for Pol.is's math) has the published groups and representative statements.
      const doc = await (await fetch(`${base}/api/v1/conversations/${id}/analysis/${seq}`)).json();
      assert.equal(doc.seq, (await (await fetch(`${base}/api/v1/conversations/${id}/analysis`)).json()).log_len);
      const groups = await page.getByTestId('group').evaluateAll((cards) => cards.map((c) => ({
        size: Number(c.dataset.size),
        representative: [...c.querySelectorAll('li.statement-line')].map((li) => Number(li.dataset.statement)),
      })));
      assert.deepEqual(groups, doc.analysis.groups.map((g) => ({
        size: g.size, representative: g.representative.map((r) => r.statement),
      })), 'the report shows the published groups');
    }
    await assertAccessible(page, `report of ${id} with the verification`);
    if (id === 'demo') {
      for (const width of [360, 1920]) {
        await page.setViewportSize({ width, height: 900 });
        await page.getByTestId('verify').scrollIntoViewIfNeeded();
        await page.getByTestId('verify').screenshot({ path: path.join(artifacts, `report-verify-${width}.png`) });
      }
    }
    await page.close();
  });
}

test('verify in this browser says so when the published bytes differ (Bahasa Indonesia too)', async () => {
  await published(server.base, 'demo');
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, locale: 'id-ID' });
  const page = await context.newPage();
  // One byte changed on the way: the analysis's seed, 0 → 1.
  await page.route(/\/api\/v1\/conversations\/demo\/analysis\/\d+$/, async (route) => {
    const response = await route.fetch();
    const body = Buffer.from(await response.body());
    const key = '"analysis":{"seed":';
    const at = body.indexOf(key) + key.length;
    assert.equal(body[at], 0x30, 'the published seed is 0');
    body[at] = 0x31;
    const headers = { ...response.headers() };
    delete headers['content-encoding'];
    delete headers['content-length'];
    await route.fulfill({ status: response.status(), headers, body });
  });
  const { outcome, text } = await verifyOnReport(page, server.base, 'demo');
  assert.equal(outcome, 'differs', text);
  assert.match(text, /^Tidak terverifikasi: /);
  await assertAccessible(page, 'report with a failed verification');
  await page.getByTestId('verify').screenshot({ path: path.join(artifacts, 'report-verify-differs-id.png') });
  await context.close();
});

test('above the threshold, the participant page shows the published analysis and fetches no vote log', async () => {
  const own = await startServer({ extraArgs: ['--analysis-every', '0.2', '--participant-analysis-max-votes', '100',
    '--rate-per-address', '0'] });
  try {
    const page = await browser.newPage({ viewport: { width: 400, height: 900 }, locale: 'en-GB' });
    const logRequests = [];
    page.on('request', (r) => { if (/\/log(\/|$)/.test(new URL(r.url()).pathname)) logRequests.push(r.url()); });
    await page.goto(`${own.base}/c/demo`);
    for (let i = 0; i < 7; i++) {
      const id = await page.getByTestId('vote-card').getAttribute('data-statement-id');
      await page.keyboard.press(['a', 'd', 'p'][i % 3]);
      await page.waitForFunction((prev) => {
        const el = document.querySelector('[data-testid=vote-card]');
        return el && el.dataset.statementId !== prev && el.getAttribute('aria-busy') === 'false';
      }, id);
    }
    const source = page.getByTestId('standing-source');
    await source.waitFor({ timeout: 60_000 });
    assert.equal(await source.getAttribute('data-source'), 'published');
    assert.match(await source.innerText(), /published of the first \d+ votes/);
    await page.getByTestId('your-group').waitFor();
    assert.deepEqual(logRequests, [], 'the page did not download the vote log');
    await page.close();
  } finally {
    await own.stop();
  }
});
