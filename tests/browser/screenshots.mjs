// Screenshots of every page, at a phone's 360x740 and a wall's 1920x1080, in English and in
// Bahasa Indonesia, on a fresh store with the demo conversation: what a reviewer looks at.
//
//   node tests/browser/screenshots.mjs [out-dir]     (default tests/browser/artifacts/screens)
//
// Needs the built app (scripts/build-app.sh) and server (cargo build -p mufakat-server). Each
// page is one PNG per size and language, named <page>-<width>-<lang>.png; full-page shots, so
// what lies below the first screen shows too. docs/screens.md says what to look for.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { startServer, launchBrowser, api, artifacts } from './lib.mjs';
import { ADMIN, adminClient, signIn } from './moderator-helpers.mjs';

const out = path.resolve(process.argv[2] ?? path.join(artifacts, 'screens'));
mkdirSync(path.join(out, 'tiles'), { recursive: true });

export const SIZES = [{ width: 360, height: 740 }, { width: 1920, height: 1080 }];
export const LANGS = { en: 'en-GB', id: 'id-ID' };

/** Puts the store in the state the pages are shown in: an outcome, a statement awaiting
 *  moderation, a closed conversation and an invitation-only one. */
export async function prepare(base) {
  const admin = await adminClient(base);
  const demo = (await api(base, 'GET', '/api/v1/conversations/demo')).json;
  const first = demo.statements[0].id;
  await admin('POST', '/conversations/demo/outcomes', {
    statement: first, status: 'adopted', text: 'The water company reports outages on the notice board within a day.',
    date: '2026-03-01',
  });
  await admin('POST', '/conversations/demo/outcomes', {
    statement: null, status: 'under_study', text: 'The results go to the kelurahan planning meeting (musrenbang) in April.',
    date: '2026-04-10',
  });
  const token = (await api(base, 'POST', '/api/v1/conversations/demo/participants', { body: {} })).json.token;
  await api(base, 'POST', '/api/v1/conversations/demo/statements', {
    token, body: { text: 'The market needs a roof so traders can sell when it rains.' },
  });
  const made = await admin('POST', '/conversations', {
    id: 'closed', title: 'Taman RW 05', seeds: ['Taman buka sampai malam', 'Pasar perlu lebih teduh'],
  });
  if (made.status !== 201) throw new Error(made.text);
  await admin('POST', '/conversations/closed/close');
  const invite = await admin('POST', '/conversations', {
    id: 'invited', title: 'Anggaran RW 07', seeds: ['Jalan perlu diperbaiki', 'Posyandu perlu jadwal tetap'],
  });
  if (invite.status !== 201) throw new Error(invite.text);
  await admin('PATCH', '/conversations/invited', { invitation_only: true });
  // The demo's Pol.is export, for /report's import.
  const files = {};
  for (const name of ['comments.csv', 'votes.csv', 'participants-votes.csv', 'summary.csv']) {
    const r = await admin('GET', `/conversations/demo/export/${name}`);
    files[name] = r.text;
  }
  return { admin, files };
}

async function settle(page) {
  await page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => {}))));
}

async function shoot(page, name, size, lang, { full = true } = {}) {
  await settle(page);
  await page.screenshot({ path: path.join(out, `${name}-${size.width}-${lang}.png`), fullPage: full });
  // With SCREENS_TILES=1, a tall page also in screen-high pieces (easier to look at).
  if (full && process.env.SCREENS_TILES) {
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    for (let y = 0, i = 0; y < height; y += size.height, i++) {
      const clip = { x: 0, y, width: size.width, height: Math.min(size.height, height - y) };
      await page.screenshot({ path: path.join(out, 'tiles', `${name}-${size.width}-${lang}-${i}.png`), fullPage: true, clip });
    }
  }
}

/** Votes with the keyboard until the card is gone or `n` votes were cast. */
async function vote(page, n) {
  for (let i = 0; i < n; i++) {
    const card = page.getByTestId('vote-card');
    if (await page.getByTestId('all-done').count()) return;
    const id = await card.getAttribute('data-statement-id');
    await card.getByRole('button').filter({ hasText: /^(Agree|Setuju)|(Agree|Setuju)/ }).first().click();
    await page.waitForFunction((prev) => {
      const el = document.querySelector('[data-testid=vote-card]');
      return document.querySelector('[data-testid=all-done]')
        || (el && el.dataset.statementId !== prev && el.getAttribute('aria-busy') === 'false');
    }, id);
  }
}

async function participantPages(browser, base, size, lang) {
  const context = await browser.newContext({ viewport: size, locale: LANGS[lang] });
  const page = await context.newPage();
  await page.goto(`${base}/c/demo`);
  await page.getByTestId('vote-card').waitFor();
  await shoot(page, 'c-first-card', size, lang, { full: false });
  await vote(page, 3);
  await shoot(page, 'c-after-votes', size, lang);
  await vote(page, 6);
  await page.getByTestId('your-group').waitFor({ timeout: 30_000 }).catch(() => {});
  await page.getByTestId('standing').scrollIntoViewIfNeeded();
  await shoot(page, 'c-standing', size, lang);
  const form = page.locator('#new-statement');
  // A different text at each size: the store refuses a duplicate.
  const texts = size.width < 1000
    ? { en: 'Street vendors need a fixed place on market days.', id: 'Pedagang kaki lima perlu tempat tetap di hari pasar.' }
    : { en: 'The library should lend laptops to students.', id: 'Perpustakaan sebaiknya meminjamkan laptop kepada pelajar.' };
  await form.fill(texts[lang]);
  await page.locator('.statement-form button[type=submit]').click();
  await page.getByTestId('my-statements').waitFor();
  await page.getByTestId('my-statements').scrollIntoViewIfNeeded();
  await shoot(page, 'c-posted', size, lang);
  await vote(page, 100);
  await page.getByTestId('all-done').waitFor();
  await page.evaluate(() => window.scrollTo(0, 0));
  await shoot(page, 'c-done', size, lang);
  await context.close();
}

async function publicPages(browser, base, size, lang, files) {
  const context = await browser.newContext({ viewport: size, locale: LANGS[lang] });
  const page = await context.newPage();
  await page.goto(`${base}/`);
  await page.locator('main h1').waitFor();
  await shoot(page, 'home', size, lang);
  for (const [name, url, wait] of [
    ['c-unknown', '/c/nowhere', 'not-found'], ['c-closed', '/c/closed', 'closed'], ['c-invited', '/c/invited', 'code-form'],
    ['p-unknown', '/p/nowhere', 'not-found'], ['r-unknown', '/r/nowhere', null],
  ]) {
    await page.goto(base + url);
    if (wait) await page.getByTestId(wait).waitFor();
    else await page.waitForTimeout(3000);
    await shoot(page, name, size, lang);
  }
  await page.goto(`${base}/report`);
  await page.getByTestId('report-files').waitFor({ state: 'attached' });
  await shoot(page, 'report-empty', size, lang);
  await page.getByTestId('report-files').setInputFiles(Object.entries(files).map(([name, text]) => ({
    name, mimeType: 'text/csv', buffer: Buffer.from(text),
  })));
  await page.getByTestId('report').waitFor({ timeout: 120_000 });
  await shoot(page, 'report-imported', size, lang);
  await page.goto(`${base}/r/demo`);
  await page.getByTestId('consensus-map').waitFor({ timeout: 60_000 });
  await page.getByTestId('exports').waitFor({ timeout: 60_000 });
  await shoot(page, 'r-demo', size, lang);
  await page.goto(`${base}/p/demo`);
  await page.getByTestId('projector').waitFor();
  await page.locator('.projector .consensus-map').waitFor({ state: 'attached', timeout: 60_000 });
  await page.waitForTimeout(1000);
  await shoot(page, 'p-demo', size, lang, { full: false });
  await context.close();
}

async function consolePages(browser, base, size, lang) {
  const context = await browser.newContext({ viewport: size, locale: LANGS[lang] });
  const page = await context.newPage();
  await page.goto(`${base}/admin/login`);
  await page.locator('input[type=password]').waitFor();
  await shoot(page, 'admin-login', size, lang);
  await page.locator('input[autocomplete=username], input[name=username], #username').first().fill(ADMIN.username);
  await page.locator('input[type=password]').fill(ADMIN.password);
  await page.locator('form button[type=submit]').click();
  await page.waitForURL((u) => u.pathname === '/admin');
  await page.locator('.data-table, table').first().waitFor();
  await shoot(page, 'admin-list', size, lang);
  await page.goto(`${base}/admin/new`);
  await page.locator('form').first().waitFor();
  await shoot(page, 'admin-new', size, lang);
  await page.goto(`${base}/admin/c/demo`);
  await page.getByTestId('console').waitFor();
  await page.waitForTimeout(1500);
  await shoot(page, 'admin-console', size, lang);
  await page.goto(`${base}/admin/c/invited`);
  await page.getByTestId('codes').waitFor();
  await page.getByTestId('code-count').fill('4');
  await page.getByTestId('code-generate').click();
  await page.getByTestId('slip').nth(3).waitFor();
  await shoot(page, 'admin-console-codes', size, lang);
  await page.goto(`${base}/admin/c/closed`);
  await page.getByTestId('closed-hint').waitFor();
  await shoot(page, 'admin-console-closed', size, lang);
  await context.close();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const server = await startServer({ adminPassword: ADMIN.password });
  const browser = await launchBrowser();
  try {
    const { files } = await prepare(server.base);
    for (const size of SIZES) {
      for (const lang of Object.keys(LANGS)) {
        const started = Date.now();
        await participantPages(browser, server.base, size, lang);
        await publicPages(browser, server.base, size, lang, files);
        await consolePages(browser, server.base, size, lang);
        console.log(`${size.width} ${lang}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
      }
    }
    console.log(`screenshots in ${out}`);
  } finally {
    await browser.close();
    await server.stop();
  }
}

export { signIn };
