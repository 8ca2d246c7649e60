// The report page of a stored conversation (/r/<id>) offers the moderator's export files:
// votes.csv with every vote's time, comments.csv with each statement's author and time,
// participants-votes.csv with who wrote how many. The times and authors are fetched on the
// first download that needs them (GET …/log/{segment}/times and GET …/statements), never
// on page load, and the files then equal the moderator's export
// (GET /api/v1/admin/conversations/{id}/export/{file}) byte for byte; summary.csv too, but
// for its url: the conversation's public link, where the moderator's export writes the
// imported source (empty here).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, launchBrowser, api } from './lib.mjs';
import { ADMIN, adminClient } from './moderator-helpers.mjs';

const TIMED = ['votes.csv', 'comments.csv', 'participants-votes.csv', 'summary.csv'];

let server;
let browser;
before(async () => {
  server = await startServer({ adminPassword: ADMIN.password, extraArgs: ['--rate-per-address', '0'] });
  browser = await launchBrowser();
});
after(async () => { await browser?.close(); await server?.stop(); });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A conversation with seed statements, statements written by participants (authors), votes
 *  some milliseconds apart and a changed vote. */
async function conversationWithAuthors(admin, id) {
  const seeds = ['The market should open earlier', 'Bus stops need shade', 'Parks should stay open at night'];
  const created = await admin('POST', '/conversations', { id, title: 'Market and buses', seeds });
  assert.equal(created.status, 201, created.text);
  const tokens = [];
  for (let i = 0; i < 8; i++) {
    tokens.push((await api(server.base, 'POST', `/api/v1/conversations/${id}/participants`, { body: {} })).json.token);
  }
  for (const [who, text] of [[1, 'The night market needs lights'], [3, 'Buses every ten minutes'], [1, 'More bins at the market']]) {
    const r = await api(server.base, 'POST', `/api/v1/conversations/${id}/statements`, { token: tokens[who], body: { text } });
    assert.ok(r.status < 300, r.text);
  }
  for (let s = 0; s < 6; s++) {
    for (let p = 0; p < tokens.length; p++) {
      const vote = (p + s) % 3 === 0 ? 'pass' : (p < 4) === (s % 2 === 0) ? 'agree' : 'disagree';
      const r = await api(server.base, 'POST', `/api/v1/conversations/${id}/votes`, { token: tokens[p], body: { statement: s, vote } });
      assert.equal(r.status, 200, r.text);
      await sleep(2);
    }
  }
  // A change of mind: a later entry of the log, a later row of votes.csv.
  await api(server.base, 'POST', `/api/v1/conversations/${id}/votes`, { token: tokens[0], body: { statement: 0, vote: 'disagree' } });
}

async function download(page, file) {
  await page.waitForTimeout(400); // Chrome drops downloads that follow each other too fast
  const [d] = await Promise.all([
    page.waitForEvent('download', { timeout: 60_000 }),
    page.locator(`button[data-file="${file}"]`).click(),
  ]);
  assert.equal(d.suggestedFilename(), file);
  const saved = path.join(mkdtempSync(path.join(tmpdir(), 'mufakat-dl-')), file);
  await d.saveAs(saved);
  return readFileSync(saved, 'utf8');
}

for (const id of ['authored', 'demo']) {
  test(`/r/${id}: votes.csv, comments.csv and participants-votes.csv are the moderator's export; times fetched on the first download`, async () => {
    const admin = await adminClient(server.base);
    if (id !== 'demo') await conversationWithAuthors(admin, id);
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, locale: 'en-GB', acceptDownloads: true });
    const calls = [];
    page.on('request', (r) => { const u = new URL(r.url()); if (u.pathname.startsWith('/api')) calls.push(u.pathname); });
    await page.goto(`${server.base}/r/${id}`);
    await page.getByTestId('report').waitFor({ timeout: 60_000 });
    const extra = (c) => c.endsWith('/times') || c.endsWith('/statements');
    assert.deepEqual(calls.filter(extra), [], 'no times or authors fetched on page load');

    for (const file of TIMED) {
      const got = await download(page, file);
      const expected = await admin('GET', `/conversations/${id}/export/${file}`);
      assert.equal(expected.status, 200, expected.text);
      let want = expected.text;
      if (file === 'summary.csv') {
        assert.match(want, /^url,$/m, 'the moderator export has no url for a conversation made here');
        want = want.replace(/^url,$/m, `url,${server.base}/c/${id}`);
      }
      assert.equal(got, want, `${file} differs from the moderator's export`);
    }
    if (id !== 'demo') {
      const comments = await download(page, 'comments.csv');
      assert.match(comments, /^\d{13},[A-Z][a-z]{2} [^,]*,3,1,/m, 'statement 3 has its author and time');
    }
    assert.deepEqual(calls.filter(extra).sort(), [`/api/v1/conversations/${id}/log/0/times`, `/api/v1/conversations/${id}/statements`],
      'times and authors fetched once, on the first download');
    assert.equal(await page.getByTestId('timed-status').getAttribute('data-state'), 'ready');
    await page.close();
  });
}
