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

/** Eight statements as long as the legend shows them (it cuts at 90 characters): the
 *  legend at its tallest. */
const LONG = [
  'Pasar tradisional di pinggir kali perlu direnovasi tahun ini, dengan atap baru, saluran air yang lancar, dan tempat sampah terpilah.',
  'Anggaran rukun warga sebaiknya dipakai untuk memperbaiki jalan dan selokan, bukan untuk acara tujuhbelasan yang meriah setiap tahun.',
  'Parkir liar di depan sekolah dasar harus ditertibkan pada jam masuk dan pulang, supaya anak-anak bisa menyeberang dengan selamat.',
  'Pos ronda yang dijaga bergiliran oleh warga lebih penting daripada kamera pengawas yang mahal dan sering rusak karena hujan deras.',
  'Kelurahan perlu membuka laporan anggaran setiap bulan di papan pengumuman dan di grup percakapan resmi, lengkap dengan rinciannya.',
  'Sampah rumah tangga harus diangkut dua kali seminggu, dan warga yang membakar sampah di halaman perlu diingatkan oleh pengurus RT.',
  'Lapangan voli di belakang balai warga sebaiknya diberi lampu penerangan agar pemuda bisa berlatih sepulang kerja pada malam hari.',
  'Posyandu untuk balita dan lansia perlu jadwal tetap yang diumumkan jauh hari, dengan kader yang mendapat pelatihan secara berkala.',
];

test('the whole projector fits 1366x768, 1280x720 and 1920x1080 screens, legend and QR code uncut, and a phone', async () => {
  const admin = await adminClient(server.base);
  const created = await admin('POST', '/conversations', {
    title: 'Musyawarah RW 03: rencana kerja dan anggaran tahun depan', description: '', language: 'id', seeds: LONG,
  });
  assert.ok(created.status === 200 || created.status === 201, created.text);
  const id = created.json.id;
  const view = await api(server.base, 'GET', `/api/v1/conversations/${id}`);
  const ids = LONG.map((t) => view.json.statements.find((s) => s.text === t).id);
  // Two camps split on the first four statements; most people agree on the rest.
  for (let p = 0; p < 24; p++) {
    const token = await join(id);
    await Promise.all(ids.map((s, i) => vote(id, token, s,
      i < 4 ? ((i + p) % 2 ? 'agree' : 'disagree') : ((p + i) % 5 === 0 ? 'pass' : 'agree'))));
  }
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 }, locale: 'id-ID' });
  await page.goto(`${server.base}/p/${id}`);
  await page.getByTestId('consensus-map').waitFor();
  await page.getByTestId('map-legend').locator('li').nth(LONG.length - 1).waitFor();
  for (const [width, height] of [[1366, 768], [1280, 720], [1920, 1080]]) {
    await page.setViewportSize({ width, height });
    await page.evaluate(() => Promise.allSettled(document.getAnimations().map((a) => a.finished)));
    // Everything of the legend and the QR code on the screen: not below it, not beside it,
    // and no entry cut off by the legend's own frame (which hides what overflows it).
    const cut = await page.evaluate(() => {
      const out = [];
      const on = (el, what) => {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) out.push(`${what} is not shown`);
        if (r.left < -1 || r.top < -1 || r.right > innerWidth + 1 || r.bottom > innerHeight + 1) {
          out.push(`${what} at (${r.left}, ${r.top})-(${r.right}, ${r.bottom}), off the ${innerWidth}x${innerHeight} screen`);
        }
        return r;
      };
      const legend = document.querySelector('.map-legend');
      const frame = on(legend, 'the legend');
      for (const el of legend.querySelectorAll('li')) {
        const what = `legend entry "${el.textContent.trim().slice(0, 40)}"`;
        const r = on(el, what);
        if (r.bottom > frame.bottom + 1 || r.right > frame.right + 1) out.push(`${what} is cut off by the legend's frame`);
      }
      const map = on(document.querySelector('.projector .consensus-map svg'), 'the map');
      if (map.right > frame.left + 1) out.push(`the map (to x = ${map.right}) runs under the legend (from x = ${frame.left})`);
      const qr = on(document.querySelector('.join .qr'), 'the QR code');
      if (qr.width < 150) out.push(`the QR code is ${qr.width} px wide, too small to scan across a hall`);
      const root = document.documentElement;
      if (root.scrollHeight > innerHeight + 1 || root.scrollWidth > innerWidth + 1) {
        out.push(`the page scrolls: ${root.scrollWidth}x${root.scrollHeight}`);
      }
      return out;
    });
    await page.screenshot({ path: path.join(artifacts, `projector-long-${width}.png`) });
    assert.deepEqual(cut, [], `at ${width}x${height}`);
    assert.equal(await page.getByTestId('map-legend').locator('li').count(), LONG.length);
  }
  // On a phone the page scrolls down (one column), never sideways.
  await page.setViewportSize({ width: 360, height: 740 });
  const wide = await page.evaluate(() => {
    const out = [];
    for (const [sel, what] of [['.projector .consensus-map svg', 'the map'], ['.map-legend', 'the legend'], ['.join .qr', 'the QR code']]) {
      const r = document.querySelector(sel).getBoundingClientRect();
      if (r.width < 200 || r.left < -1 || r.right > innerWidth + 1) out.push(`${what} from x = ${r.left} to ${r.right}`);
    }
    const root = document.documentElement;
    if (root.scrollWidth > innerWidth + 1) out.push(`the page scrolls sideways: ${root.scrollWidth} px wide`);
    return out;
  });
  await page.screenshot({ path: path.join(artifacts, 'projector-long-360.png'), fullPage: true });
  assert.deepEqual(wide, [], 'at 360x740');
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
