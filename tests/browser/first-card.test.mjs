// The participant page's first card before the app has loaded (app/boot.js): on a slow
// connection the statement and working vote buttons come before the wasm; votes cast on it
// reach the server, in order, and the app takes over with them counted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser } from './lib.mjs';
import { votesOf, participantOfPage, VALUE, assertAccessible } from './participant-helpers.mjs';

let server;
let browser;
before(async () => { server = await startServer(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.stop(); });

/** A page whose app wasm arrives only when `release()` is called. */
async function slowAppPage(locale) {
  const context = await browser.newContext({ locale, viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  let release;
  const released = new Promise((r) => { release = r; });
  await page.route(/\.wasm$/, async (route) => { await released; await route.continue(); });
  return { context, page, release };
}

const bootCard = (page) => page.getByTestId('boot-card');
const bootStatement = async (page) => Number(await bootCard(page).getAttribute('data-statement-id'));

for (const [locale, labels] of [['en-GB', ['Agree', 'Disagree', 'Pass / unsure']], ['id-ID', ['Setuju', 'Tidak setuju', 'Lewati / ragu']]]) {
  test(`votes cast before the app has loaded are kept and sent (${locale})`, async () => {
    const { context, page, release } = await slowAppPage(locale);
    await page.goto(`${server.base}/c/demo`);
    await bootCard(page).waitFor();
    // The same words as the app's card.
    const names = await bootCard(page).locator('.vote-buttons .vote-label').allTextContents();
    assert.deepEqual(names, labels);
    await assertAccessible(page, `first card before the app (${locale})`);
    const expected = {};
    for (const [i, vote] of ['agree', 'disagree'].entries()) {
      const id = await bootStatement(page);
      await bootCard(page).getByRole('button', { name: labels[i], exact: true }).click();
      await page.waitForFunction((prev) => Number(document.querySelector('[data-testid=boot-card]').dataset.statementId) !== prev, id);
      expected[id] = VALUE[vote];
    }
    // The app arrives: it takes over, counts the two votes, and the first card has gone.
    release();
    const card = page.getByTestId('vote-card');
    await card.waitFor({ timeout: 30_000 });
    assert.equal(await page.getByTestId('boot').count(), 0, 'the first card is gone');
    assert.ok(!Object.keys(expected).map(Number).includes(Number(await card.getAttribute('data-statement-id'))),
      'the app does not ask again what was answered');
    await page.waitForFunction(() => !localStorage.getItem('mufakat.queue.demo'), null, { timeout: 10_000 });
    const me = await participantOfPage(server.base, page);
    assert.deepEqual(await votesOf(server.base, 'demo', me), expected, 'both votes reached the server');
    await page.getByTestId('remaining').getByText(/2/).waitFor();
    await context.close();
  });
}

test('a vote on the first card while offline is sent by the app later', async () => {
  const { context, page, release } = await slowAppPage('en-GB');
  await page.goto(`${server.base}/c/demo`);
  await bootCard(page).waitFor();
  await context.setOffline(true);
  const id = await bootStatement(page);
  await bootCard(page).getByRole('button', { name: 'Pass / unsure', exact: true }).click();
  await page.waitForFunction((prev) => Number(document.querySelector('[data-testid=boot-card]').dataset.statementId) !== prev, id);
  assert.equal(await page.evaluate(() => JSON.parse(localStorage.getItem('mufakat.queue.demo')).length), 1, 'queued on the device');
  await context.setOffline(false);
  release();
  await page.getByTestId('vote-card').waitFor({ timeout: 30_000 });
  await page.waitForFunction(() => !localStorage.getItem('mufakat.queue.demo'), null, { timeout: 15_000 });
  const me = await participantOfPage(server.base, page);
  assert.deepEqual(await votesOf(server.base, 'demo', me), { [id]: VALUE.pass });
  await context.close();
});
