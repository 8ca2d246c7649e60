// Live updates on the participant page, driven by a real moderator over the admin API:
// a statement under strict moderation says it awaits moderation, appears to others once
// accepted (Server-Sent Events) and leaves cards when rejected, the opinion map refreshes as other people vote, the
// optional demographic questions are answered, and closing the conversation ends voting.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startServer, launchBrowser, api, artifacts } from './lib.mjs';
import { assertAccessible, voteWithButton } from './participant-helpers.mjs';

const PASSWORD = 'participant-live-test-password';
process.env.MUFAKAT_ADMIN_PASSWORD = PASSWORD;

let server;
let browser;
let cookie;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const res = await fetch(`${server.base}/api/v1/admin/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-mufakat-csrf': '1' },
    body: JSON.stringify({ username: 'admin', password: PASSWORD }),
  });
  assert.equal(res.status, 200, await res.text());
  cookie = res.headers.get('set-cookie').split(';')[0];
});
after(async () => { await browser?.close(); await server?.stop(); });

async function admin(method, url, body) {
  const res = await fetch(server.base + url, {
    method,
    headers: { 'content-type': 'application/json', 'x-mufakat-csrf': '1', cookie },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${url}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

const SEEDS = [
  'The market should close to cars on Sundays', 'Street lights need fixing before the rainy season',
  'Every RT should have a waste bank', 'The health post should open on Saturdays',
  'Public forms should be online', 'Paper forms must stay available', 'The park needs more shade trees',
  'Meetings should be held in the evening',
];

/** A participant who joins through the API and votes on every statement with `pattern`. */
async function apiParticipant(id, pattern) {
  const joined = await api(server.base, 'POST', `/api/v1/conversations/${id}/participants`, { body: {} });
  const conv = await api(server.base, 'GET', `/api/v1/conversations/${id}`);
  for (const [i, s] of conv.json.statements.entries()) {
    const vote = pattern[i % pattern.length];
    const r = await api(server.base, 'POST', `/api/v1/conversations/${id}/votes`,
      { token: joined.json.token, body: { statement: s.id, vote } });
    assert.equal(r.status, 200, r.text);
  }
}

test('moderation, live statements, a refreshing map, demographics and closing, as a participant sees them', async () => {
  const id = `live-${Date.now()}`;
  await admin('POST', '/api/v1/admin/conversations', {
    id, title: 'How should our neighbourhood spend its budget?', description: 'A test conversation.',
    language: 'en', allow_statements: true, strict_moderation: true, seeds: SEEDS,
    questions: [{ key: 'age', label: 'Your age', options: ['Under 30', '30 to 59', '60 or older'] }],
  });
  for (let i = 0; i < 12; i++) await apiParticipant(id, i % 2 ? ['agree', 'disagree'] : ['disagree', 'agree', 'pass']);

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
  const page = await context.newPage();
  await page.goto(`${server.base}/c/${id}`);
  await page.getByTestId('vote-card').waitFor();

  // Demographics: optional, answered with radio buttons.
  const about = page.getByTestId('about-you');
  await about.getByRole('radio', { name: '30 to 59' }).check();
  await about.getByRole('button', { name: 'Save answers' }).click();
  await about.getByTestId('about-result').getByText('Thank you: your answers are saved.').waitFor();

  // Vote on everything: placed on the map, then "all done".
  for (let i = 0; i < SEEDS.length; i++) await voteWithButton(page, i % 2 ? 'Agree' : 'Disagree');
  await page.getByTestId('all-done').waitFor();
  await page.getByTestId('opinion-map').waitFor();
  const dots = () => page.locator('.opinion-map circle.map-dot').count();
  assert.equal(await dots(), 12, 'the twelve others are on the map, besides you');

  // The map refreshes by itself as other people vote (live events, throttled).
  for (let i = 0; i < 3; i++) await apiParticipant(id, ['agree']);
  await page.waitForFunction(() => document.querySelectorAll('.opinion-map circle.map-dot').length === 15,
    null, { timeout: 15_000 });

  // A statement posted under strict moderation awaits a moderator...
  const text = 'Build a covered bench at the bus stop';
  await page.getByLabel('Add your own statement').fill(text);
  await page.getByRole('button', { name: 'Post statement' }).click();
  await page.getByTestId('post-result')
    .getByText('Thank you: your statement will appear once a moderator accepts it.').waitFor();
  await page.getByTestId('my-statements').getByText('Awaiting moderation').waitFor();
  await assertAccessible(page, 'live conversation, all voted');
  await page.screenshot({ path: path.join(artifacts, 'participant-live-1280.png'), fullPage: true });

  // ...and reaches another participant, who had voted on everything, the moment it is accepted.
  const other = await context.browser().newContext({ locale: 'en-GB' });
  const otherPage = await other.newPage();
  await otherPage.goto(`${server.base}/c/${id}`);
  await otherPage.getByTestId('vote-card').waitFor();
  for (let i = 0; i < SEEDS.length; i++) await voteWithButton(otherPage, 'Pass / unsure');
  await otherPage.getByTestId('all-done').waitFor();
  const pending = (await admin('GET', `/api/v1/admin/conversations/${id}/statements`)).find((s) => s.text === text);
  await admin('POST', `/api/v1/admin/conversations/${id}/moderation`, { statements: [pending.id], decision: 'accept' });
  await otherPage.getByTestId('vote-card').getByText(text).waitFor({ timeout: 10_000 });
  await page.getByTestId('my-statements').getByText('Shown to others').waitFor();

  // A moderator rejecting the statement on someone's card takes it off that card at once.
  await admin('POST', `/api/v1/admin/conversations/${id}/moderation`, { statements: [pending.id], decision: 'reject' });
  await otherPage.getByTestId('all-done').waitFor({ timeout: 10_000 });
  await page.getByTestId('my-statements').getByText('Not accepted').waitFor();

  // Closing the conversation ends voting on every open page.
  await admin('POST', `/api/v1/admin/conversations/${id}/close`);
  await otherPage.getByTestId('closed').waitFor({ timeout: 10_000 });
  assert.equal(await otherPage.getByLabel('Add your own statement').count(), 0, 'no posting once closed');
  await other.close();
  await context.close();
});
