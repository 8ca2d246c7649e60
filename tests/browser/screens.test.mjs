// What the pages look like, as a city hall would check them: at a phone's 360x740 and a
// wall's 1920x1080, in English and Bahasa Indonesia, on the demo conversation with outcomes
// published. Layout assertions (no sideways scroll, controls on the first screen, wall-sized
// type on the projector), no English words on a Bahasa Indonesia page, axe-core at 1920 px in
// both languages. One server, one browser. docs/screens.md has the screenshot command.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, api } from './lib.mjs';
import { ADMIN, adminClient, signIn } from './moderator-helpers.mjs';
import { assertAccessible } from './participant-helpers.mjs';

const PHONE = { width: 360, height: 740 };
const WALL = { width: 1920, height: 1080 };
const LOCALES = { en: 'en-GB', id: 'id-ID' };

let server;
let browser;
before(async () => {
  server = await startServer({ adminPassword: ADMIN.password });
  browser = await launchBrowser();
  const admin = await adminClient(server.base);
  const demo = (await api(server.base, 'GET', '/api/v1/conversations/demo')).json;
  // Two outcomes, as a city hall publishes them once the first decisions are taken.
  for (const body of [
    { statement: demo.statements[0].id, status: 'adopted', date: '2026-03-01',
      text: 'The water company reports outages on the notice board within a day.' },
    { statement: null, status: 'under_study', date: '2026-04-10',
      text: 'The results go to the kelurahan planning meeting (musrenbang) in April.' },
  ]) {
    const r = await admin('POST', '/conversations/demo/outcomes', body);
    assert.equal(r.status, 201, r.text);
  }
  const made = await admin('POST', '/conversations', {
    id: 'closed', title: 'Taman RW 05', seeds: ['Taman buka sampai malam', 'Pasar perlu lebih teduh'],
  });
  assert.equal(made.status, 201, made.text);
  assert.equal((await admin('POST', '/conversations/closed/close')).status, 200);
});
after(async () => { await browser?.close(); await server?.stop(); });

async function open(url, viewport, lang) {
  const context = await browser.newContext({ viewport, locale: LOCALES[lang] });
  const page = await context.newPage();
  await page.goto(server.base + url);
  return { page, close: () => context.close() };
}

/** The page's scroll width against its width: equal when nothing sticks out sideways. */
async function assertNoSidewaysScroll(page, what) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth,
  }));
  assert.ok(scroll <= client, `${what}: scrollWidth ${scroll} > clientWidth ${client}`);
}

/** Words of the English catalogue that must not show on a page in Bahasa Indonesia. */
const ENGLISH = ['Agree', 'Disagree', 'Statement', 'statements left', 'Where you stand', 'Your votes',
  'What was decided', 'Participants', 'Broadest agreement', 'Opinion groups', 'Report', 'not found',
  'does not lead', 'Scan to join', 'Updated', 'Loading', 'Choose files'];

async function assertNoEnglish(page, what) {
  // The conversation's own texts (title, statements) are the organisers' words, in any language.
  const text = await page.evaluate(() => {
    const clone = document.body.cloneNode(true);
    clone.querySelectorAll('.lang-switch, .topic, .description, .projector-head h1, .report-body header h1, [lang=en]')
      .forEach((e) => e.remove());
    return clone.innerText;
  });
  const found = ENGLISH.filter((w) => new RegExp(`\\b${w}\\b`).test(text));
  assert.deepEqual(found, [], `${what} in Bahasa Indonesia shows English words`);
}

for (const lang of Object.keys(LOCALES)) {
  test(`on a 360x740 phone the vote buttons stay on the first screen with outcomes published (${lang})`, async () => {
    const { page, close } = await open('/c/demo', PHONE, lang);
    await page.getByTestId('outcomes').waitFor();
    const card = page.getByTestId('vote-card');
    // A refresh may re-render a panel and cancel its animation: settled either way.
    await page.evaluate(() => Promise.allSettled(document.getAnimations().map((a) => a.finished)));
    for (const button of await card.locator('.vote-buttons button').all()) {
      const box = await button.boundingBox();
      assert.ok(box.y + box.height <= PHONE.height, `a vote button ends at y = ${box.y + box.height} px, below the fold`);
    }
    await close();
  });
}

test('a closed conversation asks for no more votes', async () => {
  const { page, close } = await open('/c/closed', PHONE, 'id');
  await page.getByTestId('closed').waitFor();
  await page.getByTestId('remaining').waitFor();
  const remaining = await page.getByTestId('remaining').textContent();
  assert.doesNotMatch(remaining, /pernyataan lagi/, `the closed page still counts statements left: "${remaining}"`);
  assert.equal(await page.getByTestId('standing-locked').count(), 0, 'it asks for votes to see where you stand');
  await close();
});

test('an unknown report says "not found" in the reader\'s language', async () => {
  const { page, close } = await open('/r/nowhere', PHONE, 'id');
  await page.getByTestId('not-found').waitFor({ timeout: 10_000 });
  assert.equal(await page.getByTestId('report-error').count(), 0, 'not an analysis failure');
  await assertNoEnglish(page, '/r/nowhere');
  await close();
});

test('the projector\'s "not found" keeps the top bar and the page margins', async () => {
  const { page, close } = await open('/p/nowhere', WALL, 'en');
  const heading = page.getByTestId('not-found').locator('h1');
  await heading.waitFor();
  assert.ok(await page.locator('.topbar').isVisible(), 'the top bar (home link, language) is hidden');
  const box = await heading.boundingBox();
  assert.ok(box.x >= 12, `the heading starts at x = ${box.x} px, against the screen's edge`);
  await close();
});

for (const lang of Object.keys(LOCALES)) {
  test(`on a 1920x1080 wall the projector's text is 20 px or more and the newest outcome fits (${lang})`, async () => {
    const { page, close } = await open('/p/demo', WALL, lang);
    await page.getByTestId('consensus-map').waitFor({ timeout: 60_000 });
    const outcomes = page.getByTestId('projector-outcomes');
    await outcomes.locator('.outcome-text').first().waitFor();
    // A refresh may re-render a panel and cancel its animation: settled either way.
    await page.evaluate(() => Promise.allSettled(document.getAnimations().map((a) => a.finished)));
    const small = await page.evaluate(() => {
      const out = [];
      for (const el of document.querySelectorAll('.projector *')) {
        if (el.closest('svg')) continue;
        const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
        const r = el.getBoundingClientRect();
        if (!own || r.width === 0 || r.height === 0 || el.closest('.visually-hidden')) continue;
        const size = parseFloat(getComputedStyle(el).fontSize);
        const what = `${el.className || el.tagName} "${el.textContent.trim().slice(0, 30)}"`;
        if (size < 20) out.push(`${what}: ${size} px`);
        // Cut or spilling: below the screen, or out of a box it is drawn in.
        if (r.bottom > innerHeight + 1) out.push(`${what}: ends at ${r.bottom} px, below the screen`);
        for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
          const b = a.getBoundingClientRect();
          if (r.bottom > b.bottom + 1) { out.push(`${what}: spills out of ${a.className || a.tagName}`); break; }
        }
      }
      return out;
    });
    assert.deepEqual(small, [], 'text under 20 px, cut or spilling on the wall');
    // The outcome's own words are on the wall, not cut off below the side column.
    // The projector re-renders its panels on each refresh: measure a rendered pair.
    let text = null;
    let frame = null;
    for (let i = 0; i < 50 && !(text && frame); i++) {
      if (i) await page.waitForTimeout(100);
      text = await outcomes.locator('.outcome-text').first().boundingBox();
      frame = await outcomes.boundingBox();
    }
    assert.ok(text && frame, 'the newest outcome is on the wall');
    assert.ok(text.y + text.height <= frame.y + frame.height + 1 && text.y + text.height <= WALL.height,
      `the outcome's text ends at ${text.y + text.height} px, its frame at ${frame.y + frame.height} px`);
    await assertNoSidewaysScroll(page, '/p/demo');
    if (lang === 'id') await assertNoEnglish(page, '/p/demo');
    await assertAccessible(page, `projector at 1920 px (${lang})`);
    await close();
  });
}

test('the consensus map\'s note names the marks it draws (dark diamonds, not blue)', async () => {
  for (const [lang, blue] of [['en', /\bBlue\b/], ['id', /\bBiru\b/]]) {
    const { page, close } = await open('/r/demo', WALL, lang);
    const map = page.getByTestId('consensus-map');
    await map.waitFor({ timeout: 60_000 });
    const note = await page.locator('section.report-section', { has: map }).locator('p.muted').first().textContent();
    assert.doesNotMatch(note, blue, `the note says bridges are blue, the map draws them near-black: "${note}"`);
    // The bridges are drawn near-black (core svg.rs BRIDGE).
    const fills = await map.locator('svg path').evaluateAll((ps) => ps.map((p) => p.getAttribute('fill')));
    assert.ok(fills.every((f) => !/^#(0000ff|1f77b4|2196f3)$/i.test(f)), `a bridge drawn in blue: ${fills}`);
    await close();
  }
});

test('the participant page\'s folded parts show a disclosure mark and its select the page\'s type', async () => {
  const { page, close } = await open('/c/demo', PHONE, 'en');
  const summary = page.locator('.post-translation summary');
  await summary.waitFor();
  const marked = await summary.evaluate((s) => {
    const before = getComputedStyle(s, '::before').content;
    return getComputedStyle(s).display === 'list-item' || (before !== 'none' && before !== 'normal');
  });
  assert.ok(marked, '"Add a translation" has no triangle or other mark that it opens');
  const sizes = await page.locator('.language-picker select').first().evaluate((s) => [
    getComputedStyle(s).fontSize, getComputedStyle(document.body).fontSize,
  ]);
  assert.equal(sizes[0], sizes[1], 'the language select uses the browser\'s small default type');
  await close();
});

test('public pages do not scroll sideways at 360 and 1920 px, and say nothing in English in Bahasa Indonesia', async () => {
  const pages = [['/', 'main h1'], ['/c/demo', '[data-testid=outcomes]'], ['/report', '.report-drop'],
    ['/c/nowhere', '[data-testid=not-found]'], ['/c/closed', '[data-testid=closed]']];
  for (const viewport of [PHONE, WALL]) {
    for (const lang of Object.keys(LOCALES)) {
      for (const [url, ready] of pages) {
        const { page, close } = await open(url, viewport, lang);
        await page.locator(ready).first().waitFor();
        await assertNoSidewaysScroll(page, `${url} at ${viewport.width} px (${lang})`);
        if (lang === 'id') await assertNoEnglish(page, url);
        if (viewport === WALL && (url === '/c/demo' || url === '/report')) {
          await assertAccessible(page, `${url} at 1920 px (${lang})`);
        }
        await close();
      }
    }
  }
});

test('an invitation-only page asks for the code with no error in the console', async () => {
  const admin = await adminClient(server.base);
  const made = await admin('POST', '/conversations', { id: 'invited', title: 'Anggaran RW 07', seeds: ['Jalan perlu diperbaiki'] });
  assert.equal(made.status, 201, made.text);
  assert.equal((await admin('PATCH', '/conversations/invited', { invitation_only: true })).status, 200);
  const context = await browser.newContext({ viewport: PHONE, locale: 'id-ID' });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${server.base}/c/invited`);
  await page.getByTestId('code-form').waitFor();
  await page.waitForTimeout(500);
  // app/boot.js joins a first visit only once the conversation takes anyone, and the app,
  // which has the conversation, asks for the code: nothing is refused.
  assert.deepEqual(errors, [], 'console errors');
  await assertNoSidewaysScroll(page, '/c/invited');
  await assertNoEnglish(page, '/c/invited');
  await context.close();
});

test('the moderator console does not scroll sideways on a 360 px phone', async () => {
  const context = await browser.newContext({ viewport: PHONE, locale: 'en-GB' });
  const page = await context.newPage();
  await signIn(page, server.base, '/admin/c/demo');
  await page.getByTestId('console').waitFor();
  await page.getByTestId('statement-row').first().waitFor();
  await assertNoSidewaysScroll(page, '/admin/c/demo at 360 px');
  await context.close();
});
