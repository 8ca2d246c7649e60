// Routing control from the console (issue 14): a moderator shows a statement first to
// everyone, caps how many statements one person is asked, and a direct link opens on one
// statement; and the console's rough edges: keys that work from anywhere on the page, the
// rejection reason reached and used by keyboard, page titles, the icon, the printed link.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startServer, launchBrowser, api, artifacts } from './lib.mjs';
import { ADMIN, adminClient, signIn, assertAccessible } from './moderator-helpers.mjs';

let server;
let browser;
before(async () => { server = await startServer({ adminPassword: ADMIN.password }); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.stop(); });

const SEEDS = ['Pasar buka sampai malam.', 'Tambah halte bus di depan sekolah.', 'Taman kota butuh toilet umum.',
  'Sungai dibersihkan tiap bulan.', 'Lampu jalan di setiap gang.', 'Puskesmas buka hari Minggu.',
  'Jalur sepeda di jalan utama.', 'Air minum gratis di alun-alun.', 'Perpustakaan keliling tiap pekan.'];

async function conversation(admin, id, extra = {}) {
  const r = await admin('POST', '/conversations', { id, title: `Routing ${id}`, seeds: SEEDS, strict_moderation: false, ...extra });
  assert.equal(r.status, 201, r.text);
  const list = await admin('GET', `/conversations/${id}/statements`);
  return Object.fromEntries(list.json.map((s) => [s.text, s.id]));
}

const cardText = (page) => page.getByTestId('vote-card').locator('#statement-text').innerText();

test('a statement shown first from the console comes first for a new participant', async () => {
  const admin = await adminClient(server.base);
  const ids = await conversation(admin, 'pin');
  const last = SEEDS[3];
  const page = await browser.newPage({ locale: 'en-GB', viewport: { width: 1920, height: 1080 } });
  await signIn(page, server.base, '/admin/c/pin');
  const row = page.locator(`[data-testid=statement-row][data-statement-id="${ids[last]}"]`);
  await row.getByTestId('pin').click();
  await page.getByTestId('pinned').getByText(last).waitFor();
  assert.equal(await row.getByTestId('pin').getAttribute('aria-pressed'), 'true');
  await assertAccessible(page, 'console with a pinned statement');
  assert.equal((await admin('GET', '/conversations/pin')).json.pinned_statement, ids[last]);
  for (const locale of ['en-GB', 'id-ID']) {
    const ctx = await browser.newContext({ locale, viewport: { width: 360, height: 780 } });
    const p = await ctx.newPage();
    await p.goto(`${server.base}/c/pin`);
    await p.getByTestId('vote-card').waitFor();
    assert.equal(await cardText(p), last, `${locale}: the pinned statement first`);
    await ctx.close();
  }
  // Stop showing it first, from the settings card.
  await page.getByTestId('unpin').click();
  await page.getByTestId('pinned').waitFor({ state: 'detached' });
  assert.equal((await admin('GET', '/conversations/pin')).json.pinned_statement, null);
  await page.close();
});

test('with a cap, a participant is thanked after that many votes; a direct link still opens its statement', async () => {
  const admin = await adminClient(server.base);
  const ids = await conversation(admin, 'cap');
  const page = await browser.newPage({ locale: 'en-GB' });
  await signIn(page, server.base, '/admin/c/cap');
  const cap = page.getByTestId('statement-cap');
  await cap.fill('7');
  await cap.press('Tab');
  await page.getByTestId('console-notice').getByText('Settings saved.').waitFor();
  assert.equal((await admin('GET', '/conversations/cap')).json.statement_cap, 7);
  await page.close();

  for (const [locale, done] of [['en-GB', /as many statements as this conversation asks/], ['id-ID', /sebanyak pernyataan yang diminta/]]) {
    const ctx = await browser.newContext({ locale, viewport: { width: 360, height: 780 } });
    const p = await ctx.newPage();
    await p.goto(`${server.base}/c/cap`);
    for (let i = 0; i < 7; i++) {
      await p.getByTestId('vote-card').waitFor();
      const before = await cardText(p);
      await p.keyboard.press('a');
      await p.waitForFunction((b) => {
        const el = document.querySelector('#statement-text');
        return !el || el.textContent !== b;
      }, before);
    }
    await p.getByTestId('all-done').getByText(done).waitFor();
    await p.screenshot({ path: path.join(artifacts, `routing-capped-${locale}-360.png`) });
    // The direct link to a statement not voted on yet shows it, past the cap.
    const voted = await p.evaluate(() => JSON.parse(localStorage.getItem('mufakat.token.cap')));
    const mine = await api(server.base, 'GET', '/api/v1/conversations/cap/my-votes', { token: voted });
    const open = SEEDS.map((s) => ids[s]).find((id) => !mine.json.votes.some(([s]) => s === id));
    await p.goto(`${server.base}/c/cap?s=${open}`);
    await p.getByTestId('vote-card').waitFor();
    assert.equal(await cardText(p), SEEDS.find((s) => ids[s] === open), `${locale}: the linked statement`);
    await ctx.close();
  }
});

test('queue keys work from anywhere on the console page; e reaches the reason, Enter rejects with it', async () => {
  const admin = await adminClient(server.base);
  await conversation(admin, 'keys', { strict_moderation: true });
  const join = await api(server.base, 'POST', '/api/v1/conversations/keys/participants', { body: {} });
  for (const text of ['Jual pulsa murah, hubungi kami.', 'Perpanjang jam buka puskesmas.']) {
    const r = await api(server.base, 'POST', '/api/v1/conversations/keys/statements', { token: join.json.token, body: { text } });
    assert.ok(r.status === 200 || r.status === 201, r.text);
  }
  const page = await browser.newPage({ locale: 'en-GB' });
  await signIn(page, server.base, '/admin/c/keys');
  await page.getByTestId('queue-item').nth(1).waitFor();
  assert.match(await page.getByTestId('queue').locator('#queue-keys').innerText(), /anywhere on this page/);
  // Focus is on the page, not in the list: j brings it to the current statement.
  await page.evaluate(() => document.activeElement?.blur());
  await page.keyboard.press('j');
  assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('queue-item')), true);
  assert.match(await page.$eval('.queue-item.current', (el) => el.textContent), /pulsa/);
  await page.keyboard.press('e');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'reject-reason');
  await page.keyboard.type('advertising');
  await page.keyboard.press('Enter');
  await page.getByTestId('console-notice').getByText('1 statement rejected.').waitFor();
  const list = await admin('GET', '/conversations/keys/statements');
  const ad = list.json.find((s) => s.text.includes('pulsa'));
  assert.deepEqual([ad.moderation, ad.reason], ['rejected', 'advertising']);
  // The focus went back to the next statement, so a accepts it.
  assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('queue-item')), true);
  await page.keyboard.press('a');
  await page.getByTestId('queue-empty').waitFor();
  await page.close();
});

test('each console page says which it is in the tab title; the icon is an icon; the printed link wraps', async () => {
  const page = await browser.newPage({ locale: 'en-GB', viewport: { width: 1920, height: 1080 } });
  await signIn(page, server.base, '/admin/c/demo');
  await page.waitForFunction(() => document.title.startsWith('Moderator console'));
  await page.goto(`${server.base}/p/demo`);
  await page.waitForFunction(() => document.title === 'Projector · demo · mufakat');
  await page.goto(`${server.base}/r/demo`);
  await page.waitForFunction(() => document.title === 'Report · demo · mufakat');
  const ico = await fetch(`${server.base}/favicon.ico`);
  assert.equal(ico.status, 404);
  const svg = await fetch(`${server.base}/favicon.svg`);
  assert.equal(svg.status, 200);
  assert.match(svg.headers.get('content-type'), /image\/svg\+xml/);
  assert.equal(await page.$eval('link[rel=icon]', (l) => l.getAttribute('href')), '/favicon.svg');

  // Printed share sheet: the link is wrapping text inside the sheet, not an input.
  await page.goto(`${server.base}/admin/c/demo`);
  await page.getByTestId('share').waitFor();
  // A sheet of A4 paper at 96 dpi.
  await page.setViewportSize({ width: 794, height: 1123 });
  await page.emulateMedia({ media: 'print' });
  const link = page.getByTestId('print-link');
  assert.equal(await link.isVisible(), true);
  assert.equal(await page.getByTestId('share-link').isVisible(), false);
  const [box, sheet] = await Promise.all([link.boundingBox(), page.getByTestId('share').boundingBox()]);
  assert.ok(box.x >= sheet.x && box.x + box.width <= sheet.x + sheet.width + 0.5, `the link stays inside the sheet: ${JSON.stringify({ box, sheet })}`);
  await page.screenshot({ path: path.join(artifacts, 'share-sheet-print-a4.png') });
  await page.close();
});
