// Projector mode against the real server: the consensus map computed in the page from the
// public API, updated live over SSE within 2 s of new votes, with groups keeping their places,
// and nothing shown that a participant could not see.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startServer, launchBrowser, api, artifacts } from './lib.mjs';
import { ADMIN, adminClient, assertAccessible } from './moderator-helpers.mjs';

let server;
let browser;
before(async () => { server = await startServer({ adminPassword: ADMIN.password }); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.stop(); });

const SEEDS = [
  'Pasar tradisional perlu direnovasi tahun ini.',
  'Anggaran RW sebaiknya dipakai untuk jalan, bukan acara.',
  'Parkir liar di depan sekolah harus ditertibkan.',
  'Pos ronda lebih penting daripada kamera pengawas.',
  'Kelurahan perlu membuka laporan anggaran setiap bulan.',
  'Sampah harus diangkut dua kali seminggu.',
];

async function join(id) {
  const r = await api(server.base, 'POST', `/api/v1/conversations/${id}/participants`, { body: {} });
  assert.ok(r.status === 200 || r.status === 201, r.text);
  return r.json.token;
}

async function vote(id, token, statement, value) {
  const r = await api(server.base, 'POST', `/api/v1/conversations/${id}/votes`, { token, body: { statement, vote: value } });
  assert.equal(r.status, 200, r.text);
}

/** Two camps that disagree on the first four statements and mostly agree on the last two. */
async function castCamp(id, ids, camp, people) {
  const mine = camp === 0 ? ['agree', 'agree', 'disagree', 'disagree'] : ['disagree', 'disagree', 'agree', 'agree'];
  for (let p = 0; p < people; p++) {
    const token = await join(id);
    // Some people pass on one divisive statement, as real crowds do.
    await Promise.all([
      ...mine.map((v, i) => vote(id, token, ids[i], (p + i) % 5 === 0 ? 'pass' : v)),
      vote(id, token, ids[4], 'agree'),
      vote(id, token, ids[5], p % 3 === 0 ? (camp === 0 ? 'pass' : 'disagree') : 'agree'),
    ]);
  }
}

test('projector shows the live consensus map and follows new votes within 2 s', async () => {
  const admin = await adminClient(server.base);
  const created = await admin('POST', '/conversations', {
    title: 'Balai warga: prioritas 2027', description: '', language: 'id', strict_moderation: true, seeds: SEEDS,
  });
  assert.ok(created.status === 200 || created.status === 201, created.text);
  const id = created.json.id;
  const view = await api(server.base, 'GET', `/api/v1/conversations/${id}`);
  const ids = SEEDS.map((t) => view.json.statements.find((s) => s.text === t).id);
  await castCamp(id, ids, 0, 9);
  await castCamp(id, ids, 1, 8);

  // A statement waiting for moderation is not public: the projector must not show it.
  const secret = 'Pernyataan ini masih menunggu moderasi.';
  const author = await join(id);
  await api(server.base, 'POST', `/api/v1/conversations/${id}/statements`, { token: author, body: { text: secret } });

  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 }, locale: 'en-GB' });
  await page.goto(`${server.base}/p/${id}`);
  await page.getByTestId('consensus-map').waitFor();
  const before = Number(await page.getByTestId('projector-votes').innerText());
  assert.equal(before, 17 * 6);
  const groupsBefore = await page.$$eval('[data-group]', (els) => els.map((e) => [e.dataset.group, e.getAttribute('style')]));
  assert.ok(groupsBefore.length >= 2, `at least two opinion groups, got ${groupsBefore.length}`);
  await page.getByText(SEEDS[4]).first().waitFor();
  await page.waitForTimeout(900); // let the fade-in of the agreement panel finish
  await page.screenshot({ path: path.join(artifacts, 'projector-1920.png') });
  await assertAccessible(page, 'projector');
  assert.ok(!(await page.content()).includes(secret), 'pending statement is not on the projector');

  // New votes through the API: the projector shows the new total within 2 s.
  const timings = [];
  for (let round = 0; round < 3; round++) {
    const token = await join(id);
    const expected = Number(await page.getByTestId('projector-votes').innerText()) + 3;
    await vote(id, token, ids[0], 'agree');
    await vote(id, token, ids[1], 'agree');
    await vote(id, token, ids[4], 'agree');
    const t0 = Date.now();
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid=projector-votes]')?.textContent) === n,
      expected, { timeout: 5_000, polling: 20 });
    timings.push(Date.now() - t0);
  }
  console.log(`# projector updated ${timings.join(', ')} ms after the last vote was acknowledged`);
  for (const ms of timings) assert.ok(ms < 2_000, `projector took ${ms} ms`);

  // Groups keep their labels and places across refreshes.
  await page.waitForTimeout(1_200); // let the position transition finish
  const groupsAfter = await page.$$eval('[data-group]', (els) => els.map((e) => [e.dataset.group, e.getAttribute('style')]));
  assert.deepEqual(groupsAfter, groupsBefore);
  assert.match(await page.getByTestId('projector-updated').innerText(), /Updated/);
  await page.screenshot({ path: path.join(artifacts, 'projector-after-1920.png') });
  await page.close();
});

test('projector of an unknown conversation says so', async () => {
  const page = await browser.newPage({ locale: 'en-GB' });
  await page.goto(`${server.base}/p/no-such-conversation`);
  await page.getByTestId('not-found').waitFor();
  await page.close();
});

test('projector of the demo (360 participants, ~8,900 votes) follows a vote within 2 s', async () => {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 }, locale: 'en-GB' });
  const gets = [];
  page.on('request', (r) => { if (r.method() === 'GET') { const u = new URL(r.url()); gets.push(u.pathname + u.search); } });
  await page.goto(`${server.base}/p/demo`);
  await page.getByTestId('consensus-map').waitFor();
  const view = await api(server.base, 'GET', '/api/v1/conversations/demo');
  const statement = view.json.statements[0].id;
  const timings = [];
  for (let round = 0; round < 3; round++) {
    const token = await join('demo');
    const expected = Number(await page.getByTestId('projector-votes').innerText()) + 1;
    await vote('demo', token, statement, 'agree');
    const t0 = Date.now();
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid=projector-votes]')?.textContent) === n,
      expected, { timeout: 5_000, polling: 20 });
    timings.push(Date.now() - t0);
  }
  console.log(`# demo projector updated ${timings.join(', ')} ms after the vote was acknowledged`);
  for (const ms of timings) assert.ok(ms < 2_000, `projector took ${ms} ms`);
  // The page reads the vote log: from its start once (the segment, or the closed range up to
  // the first `votes` event's length), then only what is new; never every vote.
  assert.ok(!gets.some((u) => u.endsWith('/votes')), `the projector downloaded every vote: ${gets.join(' ')}`);
  assert.equal(gets.filter((u) => /\/api\/v1\/conversations\/demo\/log\/0(\?until=\d+&?)?$/.test(u)).length, 1, gets.join(' '));
  assert.ok(gets.filter((u) => /\/log\/0\?since=\d+(&until=\d+)?&?$/.test(u)).length >= 3, `no sync with since: ${gets.join(' ')}`);
  await page.waitForTimeout(900);
  await page.screenshot({ path: path.join(artifacts, 'projector-demo-1920.png') });
  await page.close();
});

test('projector speaks Bahasa Indonesia to an Indonesian browser', async () => {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 }, locale: 'id-ID' });
  await page.goto(`${server.base}/p/demo`);
  await page.getByTestId('consensus-map').waitFor();
  await page.getByText('Paling banyak disetujui').waitFor();
  await page.getByText('Pindai untuk ikut, memberi suara, dan menambah pendapat').waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'id');
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByText('Broadest agreement').waitFor();
  await page.close();
});
