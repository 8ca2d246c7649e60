// Poor network: votes made while the server is unreachable (its process stopped) or while
// the browser is offline are kept on the device, the page says so and counts them, and once
// the connection returns they all arrive, in order, exactly once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startServer, launchBrowser, artifacts } from './lib.mjs';
import { voteWithButton, votesOf, participantOfPage, VALUE, assertAccessible } from './participant-helpers.mjs';

let server;
let browser;
before(async () => { server = await startServer(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.stop(); });

const queued = (page) => page.evaluate(() => JSON.parse(localStorage.getItem('mufakat.queue.demo') ?? '[]').length);

/** Rows of the append-only vote history for one participant, read with the sqlite3 tool
 * (scripts/setup.sh --test installs it); any error fails the test. */
function historyRows(dbPath, participant) {
  const out = execFileSync('sqlite3', [dbPath,
    `SELECT statement || ':' || value FROM vote_history WHERE conversation_id = 'demo' AND participant = ${Number(participant)} ORDER BY seq`]);
  return String(out).split('\n').filter(Boolean);
}

test('votes cast while the server is down are sent once, in order, when it is back', async (t) => {
  // Whatever happens, leave a running server for the next test.
  t.after(async () => { if (server.proc.exitCode !== null) server = await server.restart(); });
  const context = await browser.newContext({ viewport: { width: 360, height: 780 }, locale: 'en-GB' });
  const page = await context.newPage();
  await page.goto(`${server.base}/c/demo`);
  await page.getByTestId('vote-card').waitFor();
  const expected = {};
  const history = [];
  for (const vote of ['agree', 'disagree']) {
    const id = await voteWithButton(page, { agree: 'Agree', disagree: 'Disagree' }[vote]);
    expected[id] = VALUE[vote];
    history.push(`${id}:${VALUE[vote]}`);
  }
  const me = await participantOfPage(server.base, page);
  const firstOnline = Number(history[0].split(':')[0]);

  await server.stop();
  for (const vote of ['pass', 'agree', 'disagree']) {
    const id = await voteWithButton(page, { agree: 'Agree', disagree: 'Disagree', pass: 'Pass / unsure' }[vote]);
    expected[id] = VALUE[vote];
    history.push(`${id}:${VALUE[vote]}`);
  }
  // Change a vote made online, while offline: it must land after the first one.
  await page.getByTestId('past-votes').locator('summary').click();
  await page.locator(`.past-vote[data-statement-id="${firstOnline}"]`)
    .getByRole('button', { name: 'Disagree', exact: true }).click();
  expected[firstOnline] = VALUE.disagree;
  history.push(`${firstOnline}:${VALUE.disagree}`);

  await page.getByTestId('connection').getByText('You are offline').waitFor();
  await page.getByTestId('waiting').getByText('4 votes waiting to be sent.').waitFor();
  assert.match(await page.getByTestId('notice').innerText(), /on this device/);
  assert.equal(await queued(page), 4, 'the queue is in local storage');
  await assertAccessible(page, 'offline state');
  await page.screenshot({ path: path.join(artifacts, 'participant-offline-360.png'), fullPage: true });

  server = await server.restart();
  await page.waitForFunction(() => !document.querySelector('[data-testid=waiting]'), null, { timeout: 20_000 });
  await page.waitForFunction(() => !document.querySelector('[data-testid=connection]').classList.contains('offline'));
  assert.equal(await queued(page), 0);
  assert.deepEqual(await votesOf(server.base, 'demo', me), expected, 'every vote arrived, the change last');
  const rows = historyRows(server.dbPath, me);
  assert.deepEqual(rows, history, 'each vote reached the store exactly once, in order');
  await context.close();
});

test('votes cast while the browser is offline survive closing the page and are sent on return', async () => {
  const context = await browser.newContext({ locale: 'id-ID' });
  const page = await context.newPage();
  await page.goto(`${server.base}/c/demo`);
  await page.getByTestId('vote-card').waitFor();
  const me = await participantOfPage(server.base, page);

  await context.setOffline(true);
  await page.getByTestId('connection').getByText('Anda sedang luring').waitFor();
  const expected = {};
  for (const [vote, label] of [['agree', 'Setuju'], ['pass', 'Lewati / ragu']]) {
    const id = await voteWithButton(page, label);
    expected[id] = VALUE[vote];
  }
  await page.getByTestId('waiting').getByText('2 suara menunggu dikirim.').waitFor();
  assert.match(await page.getByTestId('notice').innerText(), /disimpan di perangkat ini/);
  await page.close();

  // Back online, a new visit finds the queue and sends it before anything else.
  await context.setOffline(false);
  const again = await context.newPage();
  await again.goto(`${server.base}/c/demo`);
  await again.getByTestId('vote-card').waitFor();
  await again.waitForFunction(() => !document.querySelector('[data-testid=waiting]'));
  assert.equal(await queued(again), 0);
  assert.deepEqual(await votesOf(server.base, 'demo', me), expected);
  await context.close();
});
