// The public report of a stored conversation (/r/<id>) analyses every statement as the
// server's published analysis does (docs/published-analysis.md): votes on a rejected and on
// a meta statement are left out of the math, as Pol.is does, so the report's groups,
// representative statements and consensus are the published analysis's; the words of those
// statements are not public and appear nowhere (not in the page, not in comments.csv). A
// conversation imported from a Pol.is export carries Pol.is's CC BY 4.0 attribution, in
// English and in Bahasa Indonesia, without its source link (which stays with moderators).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, launchBrowser, api, root, artifacts } from './lib.mjs';
import { assertAccessible } from './moderator-helpers.mjs';

const ID = 'moderated';
const SOURCE = 'https://pol.is/4kjz5rrrfe';
const REJECTED = 'Rejected words nobody may read';
const META = 'Meta words: I live north of the river';

/** A Pol.is export: two camps of ten on six statements, with a pass now and then; statement
 * 6 (rejected) and 7 (meta) split the camps without a pass, so an analysis that took them as
 * ordinary statements would find them the most representative of all. */
function polisFolder(dir) {
  mkdirSync(dir, { recursive: true });
  const comments = ['timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,is-meta,comment-body'];
  for (let s = 0; s < 6; s++) comments.push(`${1600000000000 + s},,${s},0,0,0,1,false,Statement number ${s} about the market`);
  comments.push(`1600000000006,,6,0,0,0,-1,false,${REJECTED}`);
  comments.push(`1600000000007,,7,0,0,0,1,true,${META}`);
  const votes = ['timestamp,datetime,comment-id,voter-id,vote'];
  let t = 1600000001000;
  for (let p = 0; p < 20; p++) {
    const camp = p < 10 ? 1 : -1;
    for (let s = 0; s < 8; s++) {
      let vote = s % 2 === 0 ? camp : -camp;
      if (s < 6 && (p + s) % 4 === 0) vote = 0; // a pass now and then
      if (s === 5) vote = 1; // everyone agrees with statement 5 (consensus)
      votes.push(`${t++},,${s},${p},${vote}`);
    }
  }
  writeFileSync(path.join(dir, 'comments.csv'), comments.join('\n') + '\n');
  writeFileSync(path.join(dir, 'votes.csv'), votes.join('\n') + '\n');
  writeFileSync(path.join(dir, 'summary.csv'), `topic,Market hours\nurl,${SOURCE}\n`);
}

let server;
let browser;
before(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mufakat-e2e-moderated-'));
  polisFolder(path.join(dir, 'export'));
  const bin = process.env.MUFAKAT_BIN ?? path.join(root, 'target/debug/mufakat');
  execFileSync(bin, ['import', path.join(dir, 'export'), '--id', ID,
    '--database-url', `sqlite://${path.join(dir, 'mufakat.sqlite')}`], { stdio: 'pipe' });
  server = await startServer({ dir, extraArgs: ['--analysis-every', '0.2'] });
  browser = await launchBrowser();
});
after(async () => { await browser?.close(); await server?.stop(); });

/** The published analysis of the whole log (waits for the server to publish it). */
async function publishedAnalysis() {
  for (let i = 0; i < 200; i++) {
    const head = (await api(server.base, 'GET', `/api/v1/conversations/${ID}/analysis`)).json;
    if (head?.published && head.published === head.log_len) {
      return (await api(server.base, 'GET', `/api/v1/conversations/${ID}/analysis/${head.published}`)).json;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the whole log of ${ID} was not published`);
}

async function openReport(locale) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, locale, acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(`${server.base}/r/${ID}`);
  await page.getByTestId('report').waitFor({ timeout: 60_000 });
  return { context, page };
}

test('/r/<id> leaves rejected and meta statements out as the published analysis does, and never shows their words', async () => {
  const doc = await publishedAnalysis();
  const flags = Object.fromEntries(doc.statements.map((s) => [s.id, [s.moderation, s.is_meta]]));
  assert.deepEqual([flags[6], flags[7]], [['rejected', false], ['accepted', true]], 'the server knows both');
  const want = {
    groups: doc.analysis.groups.map((g) => ({ size: g.size, representative: g.representative.map((r) => r.statement) })),
    consensus: [...doc.analysis.consensus.agree, ...doc.analysis.consensus.disagree].map((e) => e.statement),
  };
  assert.ok(want.groups.length >= 2, JSON.stringify(want));
  assert.ok(want.groups.every((g) => g.representative.length > 0 && !g.representative.some((s) => s >= 6)),
    `the published analysis leaves 6 and 7 out: ${JSON.stringify(want)}`);

  const { context, page } = await openReport('en-GB');
  const report = page.getByTestId('report');
  const got = {
    groups: await page.getByTestId('group').evaluateAll((cards) => cards.map((c) => ({
      size: Number(c.dataset.size),
      representative: [...c.querySelectorAll('li.statement-line')].map((li) => Number(li.dataset.statement)),
    }))),
    consensus: await page.getByTestId('consensus').locator('li.statement-line')
      .evaluateAll((lis) => lis.map((li) => Number(li.dataset.statement))),
  };
  assert.deepEqual(got, want, 'the report\'s groups, representative statements and consensus are the published analysis\'s');
  assert.equal(Number(await report.getAttribute('data-groups')), doc.analysis.counts.groups);

  // Words: every listed statement has some; those not public are said to be so.
  const texts = await page.locator('.stext').evaluateAll((els) => els.map((e) => e.textContent.trim()));
  assert.ok(texts.length > 0 && texts.every((t) => t.length > 0), `a statement without words: ${JSON.stringify(texts)}`);
  const html = await page.content();
  assert.ok(!html.includes(REJECTED) && !html.includes(META), 'no rejected or meta words in the page');
  assert.match(await page.locator('[data-testid=all-statements] li[data-statement="6"] .stext').textContent(),
    /not shown to participants/);
  assert.equal(await page.getByTestId('demographics').count(), 0, 'no meta section of answers to unknown questions');
  await assertAccessible(page, 'report with statements whose words are not public');

  // comments.csv: a row with words for each statement participants see, none for the others.
  await page.waitForTimeout(400);
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 60_000 }),
    page.locator('button[data-file="comments.csv"]').click(),
  ]);
  const saved = path.join(mkdtempSync(path.join(tmpdir(), 'mufakat-dl-')), 'comments.csv');
  await download.saveAs(saved);
  const rows = readFileSync(saved, 'utf8').trim().split('\n').slice(1);
  assert.deepEqual(rows.map((r) => r.split(',')[2]), ['0', '1', '2', '3', '4', '5'], rows.join('\n'));
  assert.ok(rows.every((r) => /,Statement number \d about the market$/.test(r)), rows.join('\n'));
  await page.screenshot({ path: path.join(artifacts, 'report-moderated.png'), fullPage: true });
  await context.close();
});

test('/r/<id> of a conversation imported from Pol.is carries the CC BY 4.0 attribution, in both languages', async () => {
  const view = await api(server.base, 'GET', `/api/v1/conversations/${ID}`);
  assert.equal(view.json.from_polis, true, view.text);
  assert.ok(!view.text.includes(SOURCE), 'the source link is not in the public view');
  for (const [locale, heading, statement] of [
    ['en-GB', 'Data and licence', /^Data was gathered using the Polis software .*CC BY 4\.0/],
    ['id-ID', 'Data dan lisensi', /^Data dikumpulkan dengan perangkat lunak Polis .*CC BY 4\.0/],
  ]) {
    const { context, page } = await openReport(locale);
    const attribution = page.getByTestId('attribution');
    await attribution.waitFor();
    assert.equal(await attribution.locator('h2').innerText(), heading);
    assert.match(await attribution.locator('p').first().innerText(), statement);
    const links = await attribution.locator('a').evaluateAll((as) => as.map((a) => [a.href, a.rel]));
    assert.deepEqual(links, [['https://creativecommons.org/licenses/by/4.0/', 'license noopener']], 'the licence only');
    await attribution.screenshot({ path: path.join(artifacts, `report-attribution-${locale}.png`) });
    await context.close();
  }
});

test('the projector of a conversation imported from Pol.is carries the attribution on the wall, whole', async () => {
  for (const [locale, statement] of [
    ['en-GB', /^Data was gathered using the Polis software .*CC BY 4\.0/],
    ['id-ID', /^Data dikumpulkan dengan perangkat lunak Polis .*CC BY 4\.0/],
  ]) {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale });
    const page = await context.newPage();
    await page.goto(`${server.base}/p/${ID}`);
    const attribution = page.getByTestId('projector-attribution');
    await attribution.waitFor({ timeout: 60_000 });
    assert.match(await attribution.innerText(), statement);
    const links = await attribution.locator('a').evaluateAll((as) => as.map((a) => [a.href, a.rel]));
    assert.deepEqual(links, [['https://creativecommons.org/licenses/by/4.0/', 'license noopener']], 'the licence only');
    // On the wall as a whole: inside the screen, and the page does not scroll.
    const box = await attribution.boundingBox();
    assert.ok(box && box.y >= 0 && box.y + box.height <= 768 && box.x + box.width <= 1366, JSON.stringify(box));
    const scroll = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]);
    assert.ok(scroll[0] <= 1366 && scroll[1] <= 768, `the projector scrolls: ${scroll}`);
    await assertAccessible(page, `projector of Pol.is data (${locale})`);
    await page.screenshot({ path: path.join(artifacts, `projector-attribution-${locale}.png`) });
    await context.close();
  }
});
