// The report says how sure each group is (issue 13): a "stable" / "shaky" word per group whose
// figure shows on hover and on keyboard focus (and describes the word for screen readers),
// "2, 3 and 4 groups fit almost equally well" when they do, in English and Bahasa Indonesia.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { startServer, launchBrowser, root } from './lib.mjs';
import { assertAccessible } from './moderator-helpers.mjs';

const DATA = process.env.MUFAKAT_POLIS_DATA ?? path.join(root, '../shared/data/polis');
const CSVS = ['comments.csv', 'votes.csv', 'participants-votes.csv', 'summary.csv'];
const haveData = existsSync(path.join(DATA, 'bg2050-volunteers', 'comments.csv'));
if (!haveData) console.log(`SKIPPED: ${DATA} is absent; the report stability tests do not run`);

let server;
let browser;
before(async () => { server = await startServer(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.stop(); });

async function importReport(name, locale) {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, locale });
  await page.goto(`${server.base}/report`);
  await page.getByTestId('report-files').waitFor({ state: 'attached' });
  const dir = path.join(DATA, name);
  await page.getByTestId('report-files').setInputFiles(CSVS.map((f) => path.join(dir, f)).filter(existsSync));
  await page.getByTestId('report').waitFor({ timeout: 120_000 });
  return page;
}

test('each group is called stable or shaky, with its figure on hover and on keyboard focus', { skip: !haveData }, async () => {
  // bg2050-volunteers: Pol.is's own groups of 100 and 8; the group of 8 does not hold together
  // when the analysis is re-run on half the participants (mean Jaccard 0.43).
  const page = await importReport('bg2050-volunteers', 'en-GB');
  const words = page.getByTestId('group-stability');
  assert.deepEqual(await words.allTextContents(), ['stable', 'shaky']);
  const shaky = words.nth(1);
  const figureId = await shaky.getAttribute('aria-describedby');
  const figure = page.locator(`[id="${figureId}"]`);
  assert.match(await figure.textContent(), /came back 43% the same on average \(Jaccard 0\.43; stable from 0\.75\)/);
  assert.equal(await figure.isVisible(), false, 'the figure is hidden until asked for');
  // Keyboard: Tab reaches the word (a button) and focus shows the figure.
  await shaky.focus();
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'group-stability');
  assert.equal(await figure.isVisible(), true, 'focus shows the figure');
  await page.evaluate(() => document.activeElement?.blur());
  assert.equal(await figure.isVisible(), false);
  await words.nth(0).hover();
  const stableFigure = page.locator(`[id="${await words.nth(0).getAttribute('aria-describedby')}"]`);
  assert.equal(await stableFigure.isVisible(), true, 'hover shows the figure');
  // Two numbers of groups did not fit almost equally here: no such sentence.
  assert.equal(await page.getByTestId('near-equal-k').count(), 0);
  await assertAccessible(page, 'report with stability words');
  await page.close();
});

test('near-equal numbers of groups are said, in English and Bahasa Indonesia', { skip: !haveData }, async () => {
  // brexit-consensus: silhouettes of 2, 3 and 4 groups within 0.05 of each other.
  const en = await importReport('brexit-consensus', 'en-GB');
  assert.equal(await en.getByTestId('near-equal-k').textContent(), '2, 3 and 4 groups fit almost equally well.');
  assert.deepEqual(await en.getByTestId('group-stability').allTextContents(), ['stable', 'stable']);
  await en.close();
  const id = await importReport('brexit-consensus', 'id-ID');
  assert.equal(await id.getByTestId('near-equal-k').textContent(), '2, 3 dan 4 kelompok sama cocoknya.');
  assert.deepEqual(await id.getByTestId('group-stability').allTextContents(), ['stabil', 'stabil']);
  await id.close();
});
