// Invitation codes and kiosk mode against the real server: a moderator makes codes and prints
// the slips; a printed code joins once and only once (a second browser context with the same
// code is refused); kiosk hand-over leaves nothing of the previous participant in storage;
// both languages, axe-core clean, screenshots at 360 and 1920 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startServer, launchBrowser, api, artifacts } from './lib.mjs';
import { ADMIN, adminClient, signIn, assertAccessible } from './moderator-helpers.mjs';

let server;
let browser;
let admin;
before(async () => {
  server = await startServer({ adminPassword: ADMIN.password });
  browser = await launchBrowser();
  admin = await adminClient(server.base);
  const made = await admin('POST', '/conversations', {
    id: 'rw05', title: 'Taman RW 05', seeds: ['Taman buka sampai malam', 'Pasar perlu lebih teduh', 'Bus tiap sepuluh menit'],
  });
  assert.equal(made.status, 201, made.text);
  const set = await admin('PATCH', '/conversations/rw05', { invitation_only: true });
  assert.equal(set.status, 200, set.text);
});
after(async () => { await browser?.close(); await server?.stop(); });

/** Every storage entry of a page: local and session storage, as [key, value] pairs. */
async function storage(page) {
  return page.evaluate(() => ({
    local: Object.entries(localStorage),
    session: Object.entries(sessionStorage),
  }));
}

test('the console makes codes and prints them as slips with QR codes, in both languages', async () => {
  const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1920, height: 1080 } });
  const page = await context.newPage();
  await signIn(page, server.base, '/admin/c/rw05');
  const card = page.getByTestId('codes');
  await card.waitFor();
  await page.getByTestId('code-count').fill('4');
  await page.getByTestId('code-generate').click();
  await page.getByTestId('slip').nth(3).waitFor();
  assert.equal(await page.getByTestId('slip').count(), 4);
  const codes = await page.getByTestId('slip-code').allTextContents();
  for (const c of codes) assert.match(c, /^[2-9A-HJ-NP-Z]{5}-[2-9A-HJ-NP-Z]{5}$/);
  await page.getByTestId('code-counts').getByText('4 unused, 0 used, 0 withdrawn').waitFor();
  // Each slip's QR code is an image that loaded.
  const qrLoaded = await page.locator('.slip-qr').evaluateAll((imgs) => imgs.every((i) => i.complete && i.naturalWidth > 0));
  assert.ok(qrLoaded, 'every slip QR code loads');
  await assertAccessible(page, 'console with codes');
  await card.screenshot({ path: path.join(artifacts, 'codes-console-1920.png') });

  // Printing the slips prints the slips, not the share card.
  await page.evaluate(() => document.documentElement.classList.add('print-codes'));
  await page.emulateMedia({ media: 'print' });
  await page.screenshot({ path: path.join(artifacts, 'codes-print.png'), fullPage: true });
  assert.equal(await page.getByTestId('slip').first().isVisible(), true);
  assert.equal(await page.getByTestId('qr').evaluate((e) => getComputedStyle(e).visibility), 'hidden', 'the share QR stays off the slips sheet');
  await page.emulateMedia({ media: 'screen' });
  await page.evaluate(() => document.documentElement.classList.remove('print-codes'));

  // Bahasa Indonesia.
  await page.getByRole('button', { name: 'Bahasa Indonesia' }).click();
  await page.getByTestId('code-counts').getByText('4 belum dipakai, 0 sudah dipakai, 0 dibatalkan').waitFor();
  await page.getByText('Kode ini hanya berlaku sekali, untuk satu orang.').first().waitFor();
  await assertAccessible(page, 'console with codes (id)');
  await context.close();
});

test('a conversation can be created invitation-only from the console', async () => {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 }, locale: 'en-GB' });
  await signIn(page, server.base, '/admin/new');
  await page.getByLabel('Title').fill('Undangan RW 07');
  await page.getByLabel('Only people with an invitation code may join').check();
  await assertAccessible(page, 'new conversation page with the invitation setting');
  await page.getByRole('button', { name: 'Create conversation' }).click();
  await page.waitForURL((u) => u.pathname.startsWith('/admin/c/'));
  const id = new URL(page.url()).pathname.split('/').pop();
  await page.getByTestId('invitation-only').waitFor();
  assert.equal(await page.getByTestId('invitation-only').isChecked(), true);
  const view = await api(server.base, 'GET', `/api/v1/conversations/${id}`);
  assert.equal(view.json.invitation_only, true);
  const join = await api(server.base, 'POST', `/api/v1/conversations/${id}/participants`, { body: {} });
  assert.equal(join.status, 403);
  assert.equal(join.json.error.code, 'code_required');
  await page.close();
});

test('a first visit to an invitation-only conversation asks for the code with no refused request', async () => {
  // A fresh device: no token. Nothing it requests may be refused (a 403 for a join without a
  // code is an error in the browser's console), and the console stays free of errors.
  const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 360, height: 780 } });
  const page = await context.newPage();
  const errors = [];
  const refused = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('response', (r) => {
    if (r.status() >= 400) refused.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`);
  });
  await page.goto(`${server.base}/c/rw05`);
  await page.getByTestId('code-form').waitFor();
  // app/boot.js's join (or its decision not to join) has settled, and whatever followed it.
  await page.evaluate(() => window.mufakatBootJoin);
  await page.waitForTimeout(500);
  assert.deepEqual(refused, [], 'requests refused on a first visit');
  assert.deepEqual(errors, [], 'errors in the browser console on a first visit');
  assert.equal(await page.evaluate(() => localStorage.getItem('mufakat.token.rw05')), null, 'nobody joined');
  await context.close();
});

test('a printed code joins once and only once', async () => {
  const made = await admin('POST', '/conversations/rw05/codes', { count: 2 });
  assert.equal(made.status, 201, made.text);
  const [slip] = made.json.codes;
  // The slip's link carries the code in the fragment: scanned, it joins at once.
  const first = await browser.newContext({ locale: 'en-GB', viewport: { width: 360, height: 780 } });
  const a = await first.newPage();
  await a.goto(slip.link.replace(/^https?:\/\/[^/]+/, server.base));
  await a.getByTestId('vote-card').waitFor();
  assert.equal(new URL(a.url()).hash, '', 'the code is taken off the address bar');
  const token = await a.evaluate(() => localStorage.getItem('mufakat.token.rw05'));
  assert.ok(token, 'joined with a token');
  await a.screenshot({ path: path.join(artifacts, 'codes-joined-360.png') });

  // Another device with the same code, typed by hand: refused, nothing joined.
  const second = await browser.newContext({ locale: 'en-GB', viewport: { width: 360, height: 780 } });
  const b = await second.newPage();
  await b.goto(`${server.base}/c/rw05`);
  await b.getByTestId('code-form').waitFor();
  await assertAccessible(b, 'code form');
  await b.getByLabel('Invitation code', { exact: true }).fill(slip.code.toLowerCase());
  await b.getByTestId('code-join').click();
  await b.getByTestId('code-error').getByText('That code was used already').waitFor();
  assert.equal(await b.getByTestId('code-input').getAttribute('aria-invalid'), 'true');
  assert.equal(await b.evaluate(() => localStorage.getItem('mufakat.token.rw05')), null);
  await assertAccessible(b, 'code form with an error');
  await b.screenshot({ path: path.join(artifacts, 'codes-refused-360.png') });
  // Malformed, in Bahasa Indonesia.
  await b.getByRole('button', { name: 'Bahasa Indonesia' }).click();
  await b.getByLabel('Kode undangan', { exact: true }).fill('ABC');
  await b.getByTestId('code-join').click();
  await b.getByTestId('code-error').getByText('Itu bukan kode undangan').waitFor();
  const view = await api(server.base, 'GET', '/api/v1/conversations/rw05');
  const counts = await admin('GET', '/conversations/rw05/codes');
  assert.equal(counts.json.used, 1, JSON.stringify(counts.json));
  assert.ok(view.json.participants >= 1);
  // The first device keeps its place on reload.
  await a.reload();
  await a.getByTestId('vote-card').waitFor();
  assert.equal(await a.evaluate(() => localStorage.getItem('mufakat.token.rw05')), token);
  await first.close();
  await second.close();
});

test('kiosk hand-over leaves no trace of the previous participant in storage', async () => {
  const made = await admin('POST', '/conversations/rw05/codes', { count: 2 });
  const [one, two] = made.json.codes.map((c) => c.code);
  for (const [width, height] of [[360, 780], [1920, 1080]]) {
    const context = await browser.newContext({ locale: 'en-GB', viewport: { width, height } });
    const page = await context.newPage();
    await page.goto(`${server.base}/c/rw05?kiosk`);
    await page.getByTestId('kiosk').waitFor();
    await page.getByTestId('code-form').waitFor();
    await assertAccessible(page, `kiosk code form ${width}`);
    if (width === 360) {
      await page.getByLabel('Invitation code', { exact: true }).fill(one);
      await page.keyboard.press('Enter');
      await page.getByTestId('vote-card').waitFor();
      await page.getByRole('button', { name: /Agree/ }).first().click();
      await page.waitForFunction(() => !localStorage.getItem('mufakat.queue.rw05'), null, { timeout: 10_000 });
      const before = await storage(page);
      const token = before.local.find(([k]) => k === 'mufakat.token.rw05')?.[1];
      assert.ok(token, 'the first person has a token');
      await page.evaluate(() => sessionStorage.setItem('scratch', 'previous person'));
      await page.screenshot({ path: path.join(artifacts, 'codes-kiosk-360.png') });
      // "Next person", from the keyboard.
      await page.getByTestId('kiosk-next').focus();
      await page.keyboard.press('Enter');
      await page.getByTestId('code-form').waitFor();
      await page.waitForFunction(() => location.search === '?kiosk=120');
      const after = await storage(page);
      assert.deepEqual(after.session, [], 'session storage is empty');
      assert.deepEqual(after.local.filter(([k]) => k.startsWith('mufakat.')), [], 'no mufakat entry is left');
      assert.ok(!JSON.stringify(after).includes(token), 'the previous token is gone');
      assert.equal(await page.getByTestId('code-input').inputValue(), '', 'the code field is empty');
      assert.equal(await page.getByTestId('vote-card').count(), 0, 'nothing of the previous person on screen');
      // The next person enters their own code.
      await page.getByLabel('Invitation code', { exact: true }).fill(two);
      await page.getByTestId('code-join').click();
      await page.getByTestId('vote-card').waitFor();
      const next = await storage(page);
      const nextToken = next.local.find(([k]) => k === 'mufakat.token.rw05')?.[1];
      assert.ok(nextToken && nextToken !== token, 'a new participant');
    } else {
      await page.screenshot({ path: path.join(artifacts, 'codes-kiosk-1920.png') });
    }
    await context.close();
  }
});

test('a kiosk that sits idle after use starts over by itself', async () => {
  const made = await admin('POST', '/conversations/rw05/codes', { count: 1 });
  const context = await browser.newContext({ locale: 'id-ID', viewport: { width: 360, height: 780 } });
  const page = await context.newPage();
  // The shortest idle time the page takes is 30 s; the clock is moved on instead of waited for.
  await page.clock.install();
  await page.goto(`${server.base}/c/rw05?kiosk=30`);
  await page.getByTestId('kiosk').getByText('Perangkat bersama').waitFor();
  await page.getByLabel('Kode undangan', { exact: true }).fill(made.json.codes[0].code);
  await page.getByTestId('code-join').click();
  await page.getByTestId('vote-card').waitFor();
  assert.ok(await page.evaluate(() => localStorage.getItem('mufakat.token.rw05')));
  await page.clock.runFor(31_000);
  await page.getByTestId('code-form').waitFor({ timeout: 10_000 });
  assert.equal(await page.evaluate(() => localStorage.getItem('mufakat.token.rw05')), null);
  await context.close();
});
