// Statements in several languages (docs/translations.md) and read aloud: a resident who reads
// only Bahasa Indonesia votes through the demo seeing every statement in Indonesian, marked
// where it is a translation, with the original one tap away; the English page the same way
// round; read aloud is hidden without a voice and speaks the shown text in the shown language
// with one (a stubbed speechSynthesis, since headless Chromium has no voices); a moderator
// adds, corrects and imports translations in the console. axe-core on every state;
// screenshots at 360 px and 1920 px in both languages under tests/browser/artifacts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { mkdirSync, writeFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { startServer, launchBrowser, api, artifacts } from './lib.mjs';
import { ADMIN, adminClient, signIn, assertAccessible as assertConsoleAccessible } from './moderator-helpers.mjs';
import { assertAccessible, cardStatement, waitForNextCard } from './participant-helpers.mjs';

let server;
let browser;
before(async () => {
  server = await startServer({ adminPassword: ADMIN.password });
  browser = await launchBrowser();
  mkdirSync(artifacts, { recursive: true });
});
after(async () => { await browser?.close(); await server?.stop(); });

const LANGS = {
  id: { locale: 'id-ID', other: 'en', agree: 'Setuju', from: 'Diterjemahkan dari English', original: 'Asli, dalam English',
    showOriginal: 'Lihat teks asli', showTranslation: 'Lihat terjemahan' },
  en: { locale: 'en-GB', other: 'id', agree: 'Agree', from: 'Translated from Bahasa Indonesia',
    original: 'Original, in Bahasa Indonesia', showOriginal: 'Show original', showTranslation: 'Show translation' },
};

/** What a reader of `lang` should see of statement `id` of the demo: [text, its language, translated]. */
function expected(statements, id, lang) {
  const s = statements.find((x) => x.id === id);
  if (s.language === lang) return [s.text, lang, false];
  const t = (s.translations ?? []).find((x) => x.language === lang);
  assert.ok(t, `the demo's statement ${id} has a translation into ${lang}`);
  return [t.text, lang, true];
}

async function shownOnCard(page) {
  const el = page.getByTestId('vote-card').locator('#statement-text');
  return [await el.innerText(), await el.getAttribute('lang')];
}

for (const [lang, L] of Object.entries(LANGS)) {
  test(`a resident reading only ${lang} sees every demo statement in ${lang} and can toggle the original`, async () => {
    const demo = (await api(server.base, 'GET', '/api/v1/conversations/demo')).json;
    for (const s of demo.statements) {
      assert.ok(s.language === lang || (s.translations ?? []).some((t) => t.language === lang),
        `demo statement ${s.id} is readable in ${lang}`);
    }
    for (const width of [360, 1920]) {
      const context = await browser.newContext({ viewport: { width, height: width === 360 ? 740 : 1080 }, locale: L.locale });
      const page = await context.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${server.base}/c/demo`);
      await page.getByTestId('vote-card').waitFor();
      let toggled = false;
      let originals = 0;
      for (let i = 0; i < 12 && !(toggled && originals > 0); i += 1) {
        const id = await cardStatement(page);
        const [text, textLang, translated] = expected(demo.statements, id, lang);
        assert.deepEqual(await shownOnCard(page), [text, textLang], `card ${id} in ${lang}`);
        const mark = page.getByTestId('translation-mark');
        if (!translated) {
          originals += 1;
          assert.equal(await mark.count(), 0, `no translation mark on an original (${id})`);
        } else if (!toggled) {
          toggled = true;
          assert.equal(await mark.innerText(), L.from);
          await page.screenshot({ path: path.join(artifacts, `translations-${lang}-${width}.png`), fullPage: width === 360 });
          await assertAccessible(page, `translated card (${lang}, ${width} px)`);
          const toggle = page.getByTestId('original-toggle');
          assert.equal(await toggle.innerText(), L.showOriginal);
          await toggle.click();
          const original = demo.statements.find((s) => s.id === id);
          assert.deepEqual(await shownOnCard(page), [original.text, original.language], 'one tap shows the original');
          assert.equal(await mark.innerText(), L.original);
          assert.equal(await toggle.innerText(), L.showTranslation);
          await page.screenshot({ path: path.join(artifacts, `translations-${lang}-${width}-original.png`), fullPage: width === 360 });
          await assertAccessible(page, `original shown (${lang}, ${width} px)`);
          await toggle.click();
          assert.deepEqual(await shownOnCard(page), [text, textLang], 'and one more tap the translation again');
          await toggle.click(); // leave the original up: the next card starts translated again
        }
        await page.getByTestId('vote-card').getByRole('button', { name: L.agree, exact: true }).click();
        await waitForNextCard(page, id);
        if (toggled) {
          const next = await cardStatement(page);
          assert.deepEqual(await shownOnCard(page), expected(demo.statements, next, lang).slice(0, 2),
            'a new card is in the reader\'s language again');
        }
      }
      assert.ok(toggled && originals > 0, `saw both an original and a translation in ${lang}`);
      // Earlier votes are listed in the reader's language too.
      await page.locator('[data-testid=past-votes] summary').click();
      const pastTexts = await page.locator('[data-testid=past-votes] .past-text').allInnerTexts();
      const pastLangs = await page.locator('[data-testid=past-votes] .past-text').evaluateAll((els) => els.map((e) => e.lang));
      assert.ok(pastTexts.length > 0 && pastLangs.every((l) => l === lang), `past votes in ${lang}: ${pastLangs}`);
      assert.deepEqual(errors, []);
      await context.close();
    }
  });
}

test('read aloud is hidden where the device has no voice for the shown language', async () => {
  const context = await browser.newContext({ locale: 'id-ID' });
  const page = await context.newPage();
  await page.goto(`${server.base}/c/demo`);
  await page.getByTestId('vote-card').waitFor();
  // Give a late voice list its chance (voiceschanged) before looking.
  await page.waitForTimeout(500);
  const voices = await page.evaluate(() => (window.speechSynthesis?.getVoices() ?? []).map((v) => v.lang));
  const [, shownLang] = await shownOnCard(page);
  const hasVoice = voices.some((v) => v.toLowerCase().split(/[-_]/)[0] === shownLang);
  assert.equal(await page.getByTestId('read-aloud').count(), hasVoice ? 1 : 0,
    `voices ${JSON.stringify(voices)}, shown in ${shownLang}`);
  await context.close();
});

// A speechSynthesis with an Indonesian voice only, loaded late (as Chrome does), that records
// what it is asked to say.
const STUB = `
  window.__spoken = [];
  window.__cancelled = 0;
  let voices = [];
  const synth = {
    onvoiceschanged: null,
    speaking: false,
    getVoices: () => voices,
    speak(u) { window.__spoken.push({ text: u.text, lang: u.lang, voice: u.voice && u.voice.name }); this.current = u; },
    cancel() { window.__cancelled += 1; },
    pause() {}, resume() {},
  };
  Object.defineProperty(window, 'speechSynthesis', { value: synth, configurable: true });
  window.SpeechSynthesisUtterance = class { constructor(text) { this.text = text; this.lang = ''; this.voice = null; } };
  setTimeout(() => {
    voices = [{ lang: 'id-ID', name: 'Damayanti', default: true, localService: true, voiceURI: 'Damayanti' }];
    if (synth.onvoiceschanged) synth.onvoiceschanged(new Event('voiceschanged'));
  }, 300);
`;

test('read aloud speaks the shown text in the shown language, by keyboard, and says so', async () => {
  const context = await browser.newContext({ locale: 'id-ID', viewport: { width: 360, height: 740 } });
  await context.addInitScript(STUB);
  const page = await context.newPage();
  await page.goto(`${server.base}/c/demo`);
  await page.getByTestId('vote-card').waitFor();
  const button = page.getByTestId('read-aloud');
  await button.waitFor(); // appears once the late voice list arrives
  const [text, shownLang] = await shownOnCard(page);
  assert.equal(shownLang, 'id');
  assert.equal(await button.evaluate((b) => b.tagName), 'BUTTON', 'a real button: in the tab order');
  await button.focus();
  await page.keyboard.press('Enter');
  const status = page.getByTestId('read-aloud-status');
  assert.equal(await status.getAttribute('role'), 'status');
  assert.equal(await status.getAttribute('aria-live'), 'polite');
  await page.waitForFunction(() => window.__spoken.length === 1);
  assert.deepEqual(await page.evaluate(() => window.__spoken), [{ text, lang: 'id-ID', voice: 'Damayanti' }]);
  assert.equal(await status.innerText(), 'Membacakan pernyataan…');
  assert.equal(await button.innerText(), '■ Berhenti membacakan');
  await page.screenshot({ path: path.join(artifacts, 'translations-read-aloud-id-360.png') });
  await assertAccessible(page, 'reading aloud');
  const cancelled = await page.evaluate(() => window.__cancelled);
  await page.keyboard.press('Enter');
  assert.equal(await status.innerText(), 'Pembacaan dihentikan.');
  assert.ok(await page.evaluate(() => window.__cancelled) > cancelled, 'a second press stops the voice');
  // The end of the speech puts the button back.
  await button.click();
  await page.evaluate(() => window.speechSynthesis.current.onend(new Event('end')));
  assert.equal(await button.innerText(), '🔊 Bacakan');

  // An English original shown as such: no English voice, no button.
  for (let i = 0; i < 40; i += 1) {
    if (await page.getByTestId('original-toggle').count()) break;
    const id = await cardStatement(page);
    await page.getByTestId('vote-card').getByRole('button', { name: 'Setuju', exact: true }).click();
    await waitForNextCard(page, id);
  }
  await page.getByTestId('original-toggle').click();
  assert.equal((await shownOnCard(page))[1], 'en');
  assert.equal(await button.count(), 0, 'hidden: the device has no English voice');
  await page.getByTestId('original-toggle').click();
  assert.equal(await button.count(), 1, 'back in Indonesian, it can read again');
  await context.close();
});

test('a moderator adds, corrects and imports translations in the console', async () => {
  const admin = await adminClient(server.base);
  const seeds = ['Taman kota harus buka sampai malam', 'Pasar perlu lebih banyak peneduh'];
  const created = await admin('POST', '/conversations', { id: 'tr', title: 'Terjemahan', language: 'id', seeds });
  assert.equal(created.status, 201, created.text);
  const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1920, height: 1080 } });
  const page = await context.newPage();
  await signIn(page, server.base);
  await page.goto(`${server.base}/admin/c/tr`);
  const panel = page.getByTestId('translations');
  await panel.waitFor();
  await panel.getByLabel('Statement').selectOption({ label: `#0 ${seeds[0]}` });
  await panel.getByLabel('Into').selectOption('en');
  await panel.getByLabel('Translation', { exact: true }).fill('City parks should stay open at night');
  await panel.getByRole('button', { name: 'Save translation' }).click();
  await page.getByTestId('console-notice').getByText('Translation saved.').waitFor();
  const view = async () => (await api(server.base, 'GET', '/api/v1/conversations/tr')).json.statements;
  assert.deepEqual((await view())[0].translations, [{ language: 'en', text: 'City parks should stay open at night', by: 'moderator' }]);

  // Correcting: the form shows the translation so far.
  await panel.getByLabel('Statement').selectOption({ label: `#1 ${seeds[1]}` });
  await panel.getByLabel('Statement').selectOption({ label: `#0 ${seeds[0]}` });
  const box = panel.getByLabel('Translation', { exact: true });
  assert.equal(await box.inputValue(), 'City parks should stay open at night');
  await box.fill('City parks should open until ten at night');
  await panel.getByRole('button', { name: 'Save translation' }).click();
  await page.waitForFunction(async () => {
    const r = await fetch('/api/v1/conversations/tr');
    const j = await r.json();
    return j.statements[0].translations?.[0]?.text === 'City parks should open until ten at night';
  });
  await page.getByTestId('statements').locator('[data-statement-id="0"] [data-testid=languages]').getByText('en').waitFor();

  // A CSV import: a bad row refuses the file, naming its line; a good one goes in whole.
  const dir = mkdtempSync(path.join(tmpdir(), 'mufakat-tr-'));
  const bad = path.join(dir, 'bad.csv');
  writeFileSync(bad, 'comment-id,language,text\n1,en,The market needs more shade\n1,xx,Nope\n');
  await panel.getByLabel(/Import translations/).setInputFiles(bad);
  await page.getByTestId('console-notice').getByText('Nothing was imported: line 3 of the file needs fixing.').waitFor();
  assert.equal((await view())[1].translations, undefined, 'nothing half-imported');
  const good = path.join(dir, 'good.csv');
  writeFileSync(good, 'comment-id,language,text\n1,en,The market needs more shade\n1,jv,Pasar butuh iyub-iyub\n');
  await panel.getByLabel(/Import translations/).setInputFiles(good);
  await page.getByTestId('console-notice').getByText('2 translations imported.').waitFor();
  assert.deepEqual((await view())[1].translations.map((t) => t.language), ['en', 'jv']);
  await assertConsoleAccessible(page, 'console with translations');
  await page.getByTestId('translations').screenshot({ path: path.join(artifacts, 'translations-console-1920.png') });

  // The participant page follows: an English reader sees the corrected translation.
  const reader = await context.newPage();
  await reader.goto(`${server.base}/c/tr?s=0`);
  await reader.getByTestId('vote-card').waitFor();
  assert.deepEqual(await shownOnCard(reader), ['City parks should open until ten at night', 'en']);
  await context.close();
});

test('/report shows dropped statements in the reader\'s language when translations.csv comes with them', async () => {
  // The demo's own export: English statements with Indonesian translations and the other way round.
  const admin = await adminClient(server.base);
  const files = [];
  for (const name of ['comments.csv', 'votes.csv', 'participants-votes.csv', 'summary.csv', 'translations.csv']) {
    const r = await admin('GET', `/conversations/demo/export/${name}`);
    assert.equal(r.status, 200, `${name}: ${r.text}`);
    files.push({ name, mimeType: 'text/csv', buffer: Buffer.from(r.text) });
  }
  const demo = (await api(server.base, 'GET', '/api/v1/conversations/demo')).json.statements;
  const english = demo.find((s) => s.language === 'en' && (s.translations ?? []).some((t) => t.language === 'id'));
  assert.ok(english, 'the demo has an English statement translated into Indonesian');
  const indonesian = english.translations.find((t) => t.language === 'id').text;
  const shown = async (dropped) => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 }, locale: 'id-ID', acceptDownloads: true });
    await page.goto(`${server.base}/report`);
    await page.getByTestId('report-files').setInputFiles(dropped);
    await page.getByTestId('report').waitFor({ timeout: 60_000 });
    const line = page.locator(`[data-testid=all-statements] .statement-line[data-statement="${english.id}"] .stext`);
    return { page, text: (await line.textContent()).trim() };
  };
  const { page, text } = await shown(files);
  assert.equal(text, indonesian, `statement ${english.id} in Indonesian`);
  // Its exports keep the file as it came: translations.csv downloads as dropped.
  const exports = page.getByTestId('exports');
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 15_000 }),
    exports.locator('button[data-file="translations.csv"]').click(),
  ]);
  const saved = readFileSync(await download.path(), 'utf8');
  assert.equal(saved, files.at(-1).buffer.toString(), 'translations.csv downloads as dropped');
  await page.close();
  // Without it, the original.
  const without = await shown(files.slice(0, -1));
  assert.equal(without.text, english.text);
  await without.page.close();
});

test('a moderator removes a wrong translation after confirming, and readers see the original', async () => {
  const admin = await adminClient(server.base);
  const seeds = ['Jalan kampung perlu lampu', 'Sampah diangkut dua kali seminggu'];
  const created = await admin('POST', '/conversations', { id: 'tr-del', title: 'Hapus', language: 'id', seeds });
  assert.equal(created.status, 201, created.text);
  const wrong = 'The village road needs a swimming pool';
  const put = await admin('PUT', '/conversations/tr-del/statements/0/translations/en', { text: wrong });
  assert.equal(put.status, 200, put.text);

  const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1920, height: 1080 } });
  const reader = await context.newPage();
  await reader.goto(`${server.base}/c/tr-del?s=0`);
  await reader.getByTestId('vote-card').waitFor();
  assert.deepEqual(await shownOnCard(reader), [wrong, 'en']);

  const page = await context.newPage();
  await signIn(page, server.base);
  await page.goto(`${server.base}/admin/c/tr-del`);
  const panel = page.getByTestId('translations');
  await panel.waitFor();
  await panel.getByLabel('Statement').selectOption({ label: `#0 ${seeds[0]}` });
  await panel.getByLabel('Into', { exact: true }).selectOption('en');
  assert.equal(await panel.getByLabel('Translation', { exact: true }).inputValue(), wrong);
  // Asked first; "Keep it" keeps it.
  await panel.getByTestId('translation-remove').click();
  const warning = panel.getByText('Remove the translation into English? Readers of English will see the original again.');
  await warning.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.textContent.trim()), 'Keep it', 'the safe choice has the focus');
  await assertConsoleAccessible(page, 'console asking before removing a translation');
  await panel.getByRole('button', { name: 'Keep it' }).click();
  assert.equal(await warning.isVisible(), false);
  const view = async () => (await api(server.base, 'GET', '/api/v1/conversations/tr-del')).json.statements;
  assert.equal((await view())[0].translations?.length, 1, 'kept');
  // Removed once confirmed.
  await panel.getByTestId('translation-remove').click();
  await panel.getByTestId('translation-remove-confirm').click();
  await page.getByTestId('console-notice').getByText('Translation removed').waitFor();
  assert.equal((await view())[0].translations, undefined, 'removed on the server');
  assert.equal(await panel.getByLabel('Translation', { exact: true }).inputValue(), '');
  assert.equal(await panel.getByTestId('translation-remove').count(), 0, 'nothing left to remove');

  // The open participant page shows the original at once (live), and after a reload.
  await reader.waitForFunction((text) => document.querySelector('#statement-text')?.innerText === text, seeds[0], { timeout: 10_000 });
  assert.deepEqual(await shownOnCard(reader), [seeds[0], 'id']);
  assert.equal(await reader.getByTestId('translation-mark').count(), 0);
  await reader.reload();
  await reader.getByTestId('vote-card').waitFor();
  assert.deepEqual(await shownOnCard(reader), [seeds[0], 'id']);
  await context.close();
});
