// The foundation slice: a participant opens the demo conversation, votes agree, disagree and
// pass, posts a statement, and sees the core's analysis of every vote; the store then holds
// exactly those votes and that statement.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startServer, launchBrowser, api, artifacts } from './lib.mjs';

let server;
let browser;
before(async () => { server = await startServer(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.stop(); });

test('participant votes and posts on the demo conversation, and the store has exactly that', async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'en-GB' });
  const response = await page.goto(`${server.base}/c/demo`);
  assert.equal(response.status(), 200, 'the participant link is a page, not a 404');
  const card = page.getByTestId('vote-card');
  await card.waitFor();

  const cast = [];
  for (const [vote, label] of [['agree', 'Agree'], ['disagree', 'Disagree'], ['pass', 'Pass / unsure'],
    ['agree', 'Agree'], ['disagree', 'Disagree']]) {
    const id = Number(await card.getAttribute('data-statement-id'));
    assert.ok(!cast.some((c) => c.statement === id), 'a statement is never shown twice');
    await card.getByRole('button', { name: label, exact: true }).click();
    await page.waitForFunction((prev) => {
      const el = document.querySelector('[data-testid=vote-card]');
      return el && Number(el.dataset.statementId) !== prev;
    }, id);
    cast.push({ statement: id, value: { agree: 1, disagree: -1, pass: 0 }[vote] });
  }
  assert.match(await page.getByTestId('notice').innerText(), /Vote recorded: disagree/);

  const text = `Sediakan tempat duduk di ruang tunggu kelurahan ${Date.now()}`;
  await page.getByLabel('Add your own statement').fill(text);
  await page.getByRole('button', { name: 'Post statement' }).click();
  await page.getByTestId('post-result').getByText('your statement is posted').waitFor();

  // Five votes of the seven needed before the page places the participant on the map.
  const demo = await api(server.base, 'GET', '/api/v1/conversations/demo/votes');
  await page.getByTestId('standing-locked').getByText('Vote on 2 more statements').waitFor();
  await page.screenshot({ path: path.join(artifacts, 'slice-360.png'), fullPage: true });

  // The store holds exactly those votes for this participant, and the statement.
  const token = await page.evaluate(() => localStorage.getItem('mufakat.token.demo'));
  const joined = await api(server.base, 'POST', '/api/v1/conversations/demo/participants', { body: { token: JSON.parse(token) } });
  assert.equal(joined.status, 200);
  const me = joined.json.participant;
  const mine = demo.json.participants
    .map((p, i) => ({ p, statement: demo.json.statements[i], value: demo.json.values[i] }))
    .filter((v) => v.p === me)
    .map(({ statement, value }) => ({ statement, value }))
    .sort((a, b) => a.statement - b.statement);
  assert.deepEqual(mine, [...cast].sort((a, b) => a.statement - b.statement));
  const conv = await api(server.base, 'GET', '/api/v1/conversations/demo');
  assert.equal(conv.json.statements.filter((s) => s.text === text).length, 1);
  await page.close();
});

test('bad input on the participant path gets a clear error and loses nothing', async () => {
  const join = await api(server.base, 'POST', '/api/v1/conversations/demo/participants', { body: {} });
  const token = join.json.token;
  const before = await api(server.base, 'GET', '/api/v1/conversations/demo');

  const empty = await api(server.base, 'POST', '/api/v1/conversations/demo/statements', { token, body: { text: '   ' } });
  assert.equal(empty.status, 400);
  assert.equal(empty.json.error.code, 'statement_empty');
  assert.equal(empty.json.error.field, 'text');

  const long = await api(server.base, 'POST', '/api/v1/conversations/demo/statements', { token, body: { text: 'x'.repeat(281) } });
  assert.equal(long.status, 400);
  assert.equal(long.json.error.code, 'statement_too_long');

  const unknownStatement = await api(server.base, 'POST', '/api/v1/conversations/demo/votes', { token, body: { statement: 99999, vote: 'agree' } });
  assert.equal(unknownStatement.status, 404);
  assert.equal(unknownStatement.json.error.code, 'not_found');

  const badVote = await api(server.base, 'POST', '/api/v1/conversations/demo/votes', { token, body: { statement: 0, vote: 'maybe' } });
  assert.equal(badVote.status, 400);
  assert.equal(badVote.json.error.code, 'invalid_field');

  const unknownConversation = await api(server.base, 'GET', '/api/v1/conversations/no-such-thing');
  assert.equal(unknownConversation.status, 404);
  assert.equal(unknownConversation.json.error.code, 'not_found');

  const after = await api(server.base, 'GET', '/api/v1/conversations/demo');
  assert.deepEqual(after.json.statements, before.json.statements, 'refused input changed nothing');

  const page = await browser.newPage({ locale: 'en-GB' });
  await page.goto(`${server.base}/c/no-such-thing`);
  await page.getByTestId('not-found').getByText('Conversation not found').waitFor();
  await page.screenshot({ path: path.join(artifacts, 'not-found.png') });
  await page.close();
});

test('the start page leads to the demo, the report and the moderator console', async () => {
  const page = await browser.newPage({ locale: 'en-GB' });
  await page.goto(`${server.base}/`);
  await page.getByRole('link', { name: 'Analyse a Pol.is export in your browser' }).click();
  await page.getByRole('heading', { name: 'Analyse a Pol.is export' }).waitFor();
  await page.goto(`${server.base}/`);
  await page.getByRole('link', { name: 'Moderator console' }).click();
  await page.waitForURL(/\/admin/);
  await page.goto(`${server.base}/`);
  await page.getByRole('link', { name: 'Open the demo conversation' }).click();
  await page.getByTestId('vote-card').waitFor();
  await page.close();
});
