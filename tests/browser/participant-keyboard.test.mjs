// Keyboard only: Tab reaches the vote buttons with a visible focus ring, Enter and Space
// vote and keep focus on the card, the letter shortcuts vote (not while typing in the
// statement box), and an earlier vote can be changed from the keyboard.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startServer, launchBrowser, artifacts } from './lib.mjs';
import { assertAccessible, cardStatement, waitForNextCard, votesOf, participantOfPage, VALUE } from './participant-helpers.mjs';

let server;
let browser;
before(async () => { server = await startServer(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.stop(); });

/** Presses Tab until the focused element matches `predicate` (at most `max` times). */
async function tabTo(page, predicate, arg, max = 40) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(predicate, arg)) return;
  }
  throw new Error('Tab never reached the element');
}

const focusedText = () => document.activeElement?.textContent ?? '';

test('a participant votes, changes a vote and types using only the keyboard', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
  const page = await context.newPage();
  await page.goto(`${server.base}/c/demo`);
  await page.getByTestId('vote-card').waitFor();
  const expected = {};
  const order = [];

  // Tab to Agree; Enter votes; focus stays on the Agree button of the next card.
  await tabTo(page, () => document.activeElement?.classList.contains('agree'));
  const ring = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(ring, 'none', 'the focused button shows a focus ring');
  await page.screenshot({ path: path.join(artifacts, 'participant-keyboard-focus.png') });
  let id = await cardStatement(page);
  await page.keyboard.press('Enter');
  await waitForNextCard(page, id);
  expected[id] = VALUE.agree;
  order.push(id);
  assert.match(await page.evaluate(focusedText), /Agree/, 'focus stays on the card');

  // Tab to Disagree; Space votes.
  await page.keyboard.press('Tab');
  assert.match(await page.evaluate(focusedText), /Disagree/);
  id = await cardStatement(page);
  await page.keyboard.press('Space');
  await waitForNextCard(page, id);
  expected[id] = VALUE.disagree;

  // The shortcuts shown on screen: A, D, P.
  assert.match(await page.getByTestId('shortcuts').innerText(), /A\s+Agree.*D\s+Disagree.*P\s+Pass/s);
  for (const [key, vote] of [['p', 'pass'], ['d', 'disagree'], ['a', 'agree']]) {
    id = await cardStatement(page);
    await page.keyboard.press(key);
    await waitForNextCard(page, id);
    expected[id] = VALUE[vote];
  }

  // Typing in the statement box never votes.
  const before = await cardStatement(page);
  await page.getByLabel('Add your own statement').focus();
  await page.keyboard.type('a dap lpst');
  assert.equal(await page.getByLabel('Add your own statement').inputValue(), 'a dap lpst');
  assert.equal(await cardStatement(page), before, 'letters typed in the box are not shortcuts');

  // Change the first vote (agree → pass) from the list of past votes, by keyboard.
  const first = order[0];
  await tabTo(page, () => document.activeElement?.tagName === 'SUMMARY'
    && document.activeElement.closest('[data-testid=past-votes]') !== null);
  await page.keyboard.press('Enter');
  await tabTo(page, (sid) => {
    const el = document.activeElement;
    return el?.classList.contains('pass') && el.closest('.past-vote')?.dataset.statementId === String(sid);
  }, first, 80);
  await page.keyboard.press('Enter');
  await page.getByTestId('notice').getByText('Vote changed to pass.').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-pressed')), 'true',
    'focus stays on the pressed button');
  expected[first] = VALUE.pass;
  await page.waitForFunction(() => !document.querySelector('[data-testid=waiting]'));
  await assertAccessible(page, 'keyboard state');

  const me = await participantOfPage(server.base, page);
  assert.deepEqual(await votesOf(server.base, 'demo', me), expected);
  await context.close();
});
