// The moderator console against the real server: pages and endpoints refuse anyone not signed
// in; a moderator creates a conversation with seed statements, and moderates statements that
// participants submit (live queue, keyboard, bulk with a reason); the share card shows, copies
// and replaces the secret an embedding site signs its user ids with.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startServer, launchBrowser, api, artifacts } from './lib.mjs';
import { ADMIN, adminClient, signIn, assertAccessible } from './moderator-helpers.mjs';

let server;
let browser;
before(async () => { server = await startServer({ adminPassword: ADMIN.password }); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.stop(); });

test('every moderator page sends an unauthenticated visitor to the login page', async () => {
  const page = await browser.newPage({ locale: 'en-GB' });
  for (const url of ['/admin', '/admin/new', '/admin/c/demo']) {
    await page.goto(`${server.base}${url}`);
    await page.waitForURL((u) => u.pathname === '/admin/login', { timeout: 10_000 });
    assert.equal(new URL(page.url()).searchParams.get('next'), url, `${url} returns there after sign-in`);
    assert.equal(await page.getByTestId('console').count(), 0);
  }
  await assertAccessible(page, 'login page');
  await page.close();
});

test('every moderator endpoint answers 401 without a session', async () => {
  const id = 'demo';
  const calls = [
    ['GET', '/api/v1/admin/me'],
    ['GET', '/api/v1/admin/conversations'],
    ['POST', '/api/v1/admin/conversations', { title: 'x' }],
    ['GET', `/api/v1/admin/conversations/${id}`],
    ['PATCH', `/api/v1/admin/conversations/${id}`, { title: 'x' }],
    ['POST', `/api/v1/admin/conversations/${id}/statements`, { texts: ['x'] }],
    ['GET', `/api/v1/admin/conversations/${id}/statements`],
    ['POST', `/api/v1/admin/conversations/${id}/moderation`, { statements: [0], decision: 'reject' }],
    ['POST', `/api/v1/admin/conversations/${id}/close`],
    ['POST', `/api/v1/admin/conversations/${id}/reopen`],
    ['GET', `/api/v1/admin/conversations/${id}/stats`],
    ['GET', `/api/v1/admin/conversations/${id}/demographics`],
    ['GET', `/api/v1/admin/conversations/${id}/export/votes.csv`],
    ['GET', `/api/v1/admin/conversations/${id}/xid-secret`],
    ['POST', `/api/v1/admin/conversations/${id}/xid-secret/rotate`],
    ['POST', '/api/v1/admin/logout'],
  ];
  for (const [method, url, body] of calls) {
    const res = await api(server.base, method, url, { body });
    assert.equal(res.status, 401, `${method} ${url} → ${res.status}`);
  }
});

test('a wrong password is refused with a clear message', async () => {
  const page = await browser.newPage({ locale: 'en-GB' });
  await page.goto(`${server.base}/admin/login`);
  await page.getByLabel('Username').fill(ADMIN.username);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('login-error').getByText('Wrong username or password.').waitFor();
  assert.equal(new URL(page.url()).pathname, '/admin/login');
  await page.close();
});

test('moderator creates a conversation with seeds and moderates submitted statements', async () => {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 }, locale: 'en-GB' });
  await signIn(page, server.base, '/admin/new');

  const seeds = ['Buka layanan KTP pada hari Sabtu.', 'Perbaiki trotoar di jalan utama.', '', '  Tambah lampu jalan di gang sempit.  '];
  await page.getByLabel('Title').fill('Prioritas kelurahan 2027');
  await page.getByLabel('Description').fill('Apa yang paling perlu diperbaiki tahun depan?');
  await page.getByRole('button', { name: 'Add a question' }).click();
  await page.getByLabel('Question', { exact: true }).fill('Neighbourhood');
  await page.getByLabel('Answers, separated by commas').fill('RW 01, RW 02, RW 03');
  await page.getByLabel('Seed statements').fill(seeds.join('\n'));
  await page.getByText('3 statements').waitFor();
  await page.screenshot({ path: path.join(artifacts, 'moderator-create-1920.png'), fullPage: true });
  await assertAccessible(page, 'new conversation page');
  await page.getByRole('button', { name: 'Create conversation' }).click();
  await page.waitForURL((u) => u.pathname.startsWith('/admin/c/'));
  const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop());

  const rows = page.getByTestId('statement-row');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=statement-row][data-state=accepted]').length === 3);
  // The statement's own text, without the language tags beside it.
  assert.deepEqual((await rows.locator('td:nth-child(2) > span:first-child').allInnerTexts()).sort(),
    ['Buka layanan KTP pada hari Sabtu.', 'Perbaiki trotoar di jalan utama.', 'Tambah lampu jalan di gang sempit.'].sort());
  const admin = await adminClient(server.base);
  const conv = await admin('GET', `/conversations/${id}`);
  assert.equal(conv.json.strict_moderation, true);
  assert.deepEqual(conv.json.questions.map((q) => [q.label, q.options]), [['Neighbourhood', ['RW 01', 'RW 02', 'RW 03']]]);

  // A participant submits two statements: under strict moderation they wait in the queue.
  const join = await api(server.base, 'POST', `/api/v1/conversations/${id}/participants`, { body: {} });
  const token = join.json.token;
  const good = 'Sediakan ruang laktasi di kantor kelurahan.';
  const bad = 'Iklan: beli pulsa murah di sini!';
  const t0 = Date.now();
  for (const text of [good, bad]) {
    const r = await api(server.base, 'POST', `/api/v1/conversations/${id}/statements`, { token, body: { text } });
    assert.ok(r.status === 200 || r.status === 201, r.text);
    assert.equal(r.json.statement.moderation, 'pending');
  }
  const queue = page.getByTestId('queue');
  await queue.getByText(bad).waitFor({ timeout: 10_000 });
  console.log(`# queue showed submitted statements after ${Date.now() - t0} ms`);
  await page.screenshot({ path: path.join(artifacts, 'moderator-console-1920.png') });
  await assertAccessible(page, 'console');

  // Keyboard: the first queued statement is current; `a` accepts it.
  const items = page.getByTestId('queue-item');
  await items.first().focus();
  assert.equal(await items.first().innerText().then((t) => t.includes(good)), true);
  const current = () => page.$eval('.queue-item.current', (el) => el.textContent);
  await page.keyboard.press('j');
  assert.match(await current(), /Iklan/);
  assert.equal(await page.evaluate(() => document.activeElement?.id), await items.nth(1).getAttribute('id'));
  await page.keyboard.press('k');
  assert.match(await current(), /laktasi/);
  await page.keyboard.press('a');
  await page.getByTestId('console-notice').getByText('1 statement accepted.').waitFor();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=queue-item]').length === 1);

  // `r` rejects the current statement; a second advertisement arrives meanwhile.
  const bad2 = 'Iklan kedua: jual beli akun game.';
  const r2 = await api(server.base, 'POST', `/api/v1/conversations/${id}/statements`, { token, body: { text: bad2 } });
  assert.ok(r2.status === 200 || r2.status === 201, r2.text);
  await queue.getByText(bad2).waitFor({ timeout: 10_000 });
  await items.first().focus();
  assert.match(await current(), /beli pulsa/);
  await page.keyboard.press('r');
  await page.getByTestId('console-notice').getByText('1 statement rejected.').waitFor();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=queue-item]').length === 1);

  // Bulk, with a reason: select the rest and reject.
  await page.getByLabel('Reason for rejecting (optional)').fill('advertising');
  await page.getByTestId('select-all').check();
  await page.getByTestId('bulk-reject').click();
  await page.getByTestId('queue-empty').waitFor();

  const list = await admin('GET', `/conversations/${id}/statements`);
  const byText = Object.fromEntries(list.json.map((s) => [s.text, s]));
  assert.equal(byText[good].moderation, 'accepted');
  assert.equal(byText[bad].moderation, 'rejected');
  assert.equal(byText[bad2].moderation, 'rejected');
  assert.equal(byText[bad2].reason, 'advertising');
  const pub = await api(server.base, 'GET', `/api/v1/conversations/${id}`);
  assert.ok(pub.json.statements.some((s) => s.text === good), 'accepted statement is public');
  assert.ok(!pub.json.statements.some((s) => s.text === bad), 'rejected statement is not public');

  // Close and reopen.
  await page.getByTestId('close-toggle').click();
  await page.getByTestId('conversation-state').getByText('Closed').waitFor();
  assert.equal((await api(server.base, 'GET', `/api/v1/conversations/${id}`)).json.closed, true);
  await page.getByTestId('close-toggle').click();
  await page.getByTestId('conversation-state').getByText('Open').waitFor();
  // The dashboard counts the same: 3 seeds + 1 accepted, nothing pending, 2 rejected, 1 participant.
  await page.waitForFunction(() => {
    const text = (id) => document.querySelector(`[data-testid=${id}]`)?.textContent;
    return text('stat-accepted') === '4' && text('stat-pending') === '0' && text('stat-participants') === '1';
  }, null, { timeout: 10_000 });
  await page.screenshot({ path: path.join(artifacts, 'moderator-console-after-1920.png') });

  // The share sheet prints on its own: the QR code, the title and the link.
  await page.emulateMedia({ media: 'print' });
  await page.screenshot({ path: path.join(artifacts, 'moderator-print.png') });
  assert.equal(await page.getByTestId('statements').isVisible(), false, 'only the share sheet prints');
  assert.equal(await page.getByTestId('qr').isVisible(), true);
  await page.emulateMedia({ media: 'screen' });

  // The list shows the conversation.
  await page.goto(`${server.base}/admin`);
  await page.getByTestId('conversation-list').getByText('Prioritas kelurahan 2027').waitFor();
  await assertAccessible(page, 'conversation list');

  // Signing out ends the session: the console sends us back to the login page.
  await page.getByTestId('logout').click();
  await page.waitForURL((u) => u.pathname === '/admin/login');
  await page.goto(`${server.base}/admin/c/${id}`);
  await page.waitForURL((u) => u.pathname === '/admin/login');
  await page.close();
});

test('bad input in the console gets a clear error and loses nothing', async () => {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 }, locale: 'en-GB' });
  await signIn(page, server.base, '/admin/new');
  const admin = await adminClient(server.base);
  const before = (await admin('GET', '/conversations')).json.length;

  // No title: refused in the page, nothing created.
  await page.getByLabel('Seed statements').fill('Satu pernyataan yang baik.');
  await page.getByRole('button', { name: 'Create conversation' }).click();
  await page.getByTestId('create-error').getByText('Give the conversation a title.').waitFor();
  assert.equal((await admin('GET', '/conversations')).json.length, before);

  // A too-long and a duplicate seed: the conversation and the good seeds are kept, the rest listed.
  const good = ['Satu pernyataan yang baik.', 'Dua pernyataan yang baik.'];
  await page.getByLabel('Title').fill('Uji masukan buruk');
  await page.getByLabel('Seed statements').fill([...good, 'x'.repeat(300), good[0]].join('\n'));
  await page.getByRole('button', { name: 'Create conversation' }).click();
  const refused = page.getByTestId('create-refused');
  await refused.waitFor();
  const text = await refused.innerText();
  assert.match(text, /statement_too_long/);
  assert.match(text, /duplicate_statement/);
  await refused.getByRole('link', { name: 'Open the console' }).click();
  await page.waitForURL((u) => u.pathname.startsWith('/admin/c/'));
  const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop());
  const list = await admin('GET', `/conversations/${id}/statements`);
  assert.deepEqual(list.json.map((s) => s.text).sort(), [...good].sort());
  await page.close();
});

test('the share card shows, copies and replaces the xid secret, by keyboard and in both languages', async () => {
  const admin = await adminClient(server.base);
  const created = await admin('POST', '/conversations', { title: 'Uji rahasia xid', seeds: ['Satu pernyataan.'] });
  assert.equal(created.status, 201);
  const id = created.json.id;
  const secret = (await admin('GET', `/conversations/${id}/xid-secret`)).json.secret;
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, locale: 'en-GB' });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.base });
  const page = await context.newPage();
  await signIn(page, server.base, `/admin/c/${id}`);
  const embed = page.getByTestId('embed');
  await embed.getByRole('link', { name: 'How to embed: the guide, with examples' }).waitFor();
  assert.equal(await embed.getByRole('link').getAttribute('href'), '/docs/embedding.md');
  // Hidden, and not in the page, until asked for.
  assert.ok(!(await page.content()).includes(secret), 'the secret is not in the page before "Show"');
  const show = embed.getByRole('button', { name: 'Show secret' });
  assert.equal(await show.getAttribute('aria-expanded'), 'false');
  await show.focus();
  await page.keyboard.press('Enter');
  const field = embed.getByLabel('Secret for signing user ids');
  await page.waitForFunction((s) => document.querySelector('#xid-secret')?.value === s, secret);
  assert.equal(await embed.getByRole('button', { name: 'Hide secret' }).getAttribute('aria-expanded'), 'true');

  await embed.getByRole('button', { name: 'Copy secret' }).click();
  await embed.getByRole('status').getByText('Secret copied.').waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);
  await assertAccessible(page, 'console with the xid secret shown');

  // Replacing it asks first; the focus lands on Cancel, and Escape-free keyboard use works.
  await embed.getByRole('button', { name: 'Make a new secret…' }).click();
  await embed.getByText('Links signed with the current secret stop working at once').waitFor();
  await page.waitForFunction(() => document.activeElement?.textContent.trim() === 'Cancel');
  await page.keyboard.press('Enter');
  assert.equal((await admin('GET', `/conversations/${id}/xid-secret`)).json.secret, secret, 'cancel keeps the secret');
  await embed.getByRole('button', { name: 'Make a new secret…' }).click();
  await embed.getByRole('button', { name: 'Make a new secret', exact: true }).click();
  await embed.getByRole('status').getByText('New secret made. Links signed with the old one no longer work.').waitFor();
  const rotated = (await admin('GET', `/conversations/${id}/xid-secret`)).json.secret;
  assert.notEqual(rotated, secret);
  assert.equal(await field.inputValue(), rotated);
  await page.screenshot({ path: path.join(artifacts, 'moderator-xid-secret-1280.png'), fullPage: true });

  // Bahasa Indonesia, through the same catalogue.
  await page.getByRole('button', { name: 'Bahasa Indonesia' }).click();
  await embed.getByRole('button', { name: 'Sembunyikan rahasia' }).click();
  await embed.getByRole('button', { name: 'Tampilkan rahasia' }).waitFor();
  assert.ok(!(await page.content()).includes(rotated), 'hiding removes the secret from the page');
  await assertAccessible(page, 'console in Bahasa Indonesia with the secret hidden');
  await context.close();
});
