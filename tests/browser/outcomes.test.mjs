// Outcomes end to end: a moderator publishes an outcome from a statement row and one for the
// whole conversation with the keyboard only; a participant who was here before comes back and
// sees both marked new, in English and in Bahasa Indonesia; they are on the report, on the
// projector and in the Atom feed. axe-core on every page; screenshots at 360 px and 1920 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startServer, launchBrowser, api, artifacts } from './lib.mjs';
import { ADMIN, adminClient, assertAccessible, signIn } from './moderator-helpers.mjs';
import { assertAccessible as assertParticipantAccessible } from './participant-helpers.mjs';

let server;
let browser;
before(async () => { server = await startServer({ adminPassword: ADMIN.password }); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.stop(); });

const SEEDS = [
  'Kelurahan perlu membuka laporan anggaran setiap bulan.',
  'Pasar tradisional perlu atap peneduh.',
  'Sampah harus diangkut dua kali seminggu.',
];
const STATEMENT_OUTCOME = 'Laporan anggaran terbit tiap bulan mulai Maret, di papan & situs <kelurahan>.';
const WHOLE_OUTCOME = 'Hasil konsultasi dibahas di musrenbang kelurahan.';

const LANGS = {
  en: { locale: 'en-GB', heading: 'What was decided', fresh: '2 new since your last visit', adopted: 'Adopted',
    study: 'Under study', whole: 'The whole conversation', badge: 'New' },
  id: { locale: 'id-ID', heading: 'Apa yang diputuskan', fresh: '2 baru sejak kunjungan terakhir Anda',
    adopted: 'Diterima', study: 'Sedang dikaji', whole: 'Seluruh percakapan', badge: 'Baru' },
};

test('a published outcome reaches returning participants in both languages, the report, the projector and the feed', async () => {
  const admin = await adminClient(server.base);
  const created = await admin('POST', '/conversations', { title: 'Anggaran RW 05', description: '', language: 'id', seeds: SEEDS });
  assert.equal(created.status, 201, created.text);
  const id = created.json.id;
  const view = await api(server.base, 'GET', `/api/v1/conversations/${id}`);
  const budget = view.json.statements.find((s) => s.text === SEEDS[0]).id;
  for (let p = 0; p < 8; p++) {
    const token = (await api(server.base, 'POST', `/api/v1/conversations/${id}/participants`, { body: {} })).json.token;
    for (const s of view.json.statements) {
      const vote = (p + s.id) % 3 === 0 ? 'disagree' : 'agree';
      const r = await api(server.base, 'POST', `/api/v1/conversations/${id}/votes`, { token, body: { statement: s.id, vote } });
      assert.equal(r.status, 200, r.text);
    }
  }

  // Two residents visit before anything was decided: no outcomes section yet.
  const residents = {};
  for (const [lang, L] of Object.entries(LANGS)) {
    const context = await browser.newContext({ viewport: { width: 360, height: 780 }, locale: L.locale });
    const page = await context.newPage();
    await page.goto(`${server.base}/c/${id}`);
    await page.getByTestId('vote-card').waitFor();
    await page.waitForFunction((k) => localStorage.getItem(k) !== null, `mufakat.outcomes-seen.${id}`);
    assert.equal(await page.getByTestId('outcomes').count(), 0);
    // They leave: the device keeps its storage (a page left open would see outcomes arrive live).
    await page.close();
    residents[lang] = { context };
  }

  // The moderator answers the budget statement from its row, then the whole conversation,
  // with the keyboard alone.
  const mod = await browser.newPage({ viewport: { width: 1920, height: 1080 }, locale: 'en-GB' });
  await signIn(mod, server.base, `/admin/c/${id}`);
  const row = mod.locator(`[data-testid=statement-row][data-statement-id="${budget}"]`);
  await row.getByTestId('outcome-for').focus();
  await mod.keyboard.press('Enter');
  const form = mod.getByTestId('outcome-form');
  await form.waitFor();
  await mod.waitForFunction(() => document.activeElement?.id === 'outcome-status');
  await mod.getByTestId('outcome-status').selectOption('adopted');
  await mod.keyboard.press('Tab');
  await mod.keyboard.type(STATEMENT_OUTCOME);
  await mod.getByTestId('outcome-date').fill('2026-03-01');
  await assertAccessible(mod, 'console with the outcome form open');
  await mod.screenshot({ path: path.join(artifacts, 'outcomes-console-form-1920.png'), fullPage: true });
  await mod.getByTestId('outcome-submit').focus();
  await mod.keyboard.press('Enter');
  await mod.getByTestId('console-notice').getByText('Outcome published.').waitFor();
  await form.waitFor({ state: 'detached' });
  // The focus returns to the row's button.
  await mod.waitForFunction((b) => document.activeElement?.id === `outcome-for-${b}`, budget);

  await mod.getByTestId('outcome-add-whole').focus();
  await mod.keyboard.press('Enter');
  await form.waitFor();
  await mod.getByTestId('outcome-status').selectOption('under_study');
  await mod.getByTestId('outcome-text').fill(WHOLE_OUTCOME);
  await mod.getByTestId('outcome-date').fill('2026-03-02');
  await mod.getByTestId('outcome-submit').click();
  await mod.getByTestId('outcome-admin').nth(1).waitFor();
  await assertAccessible(mod, 'console with two outcomes');
  await mod.screenshot({ path: path.join(artifacts, 'outcomes-console-1920.png'), fullPage: true });

  const list = await api(server.base, 'GET', `/api/v1/conversations/${id}/outcomes`);
  assert.deepEqual(list.json.map((o) => [o.statement, o.status, o.text]),
    [[null, 'under_study', WHOLE_OUTCOME], [budget, 'adopted', STATEMENT_OUTCOME]]);

  // The residents come back: both outcomes, marked new, in their language.
  for (const [lang, L] of Object.entries(LANGS)) {
    const { context } = residents[lang];
    const page = await context.newPage();
    await page.goto(`${server.base}/c/${id}`);
    const section = page.getByTestId('outcomes');
    await section.waitFor();
    await section.getByRole('heading', { name: L.heading }).waitFor();
    assert.equal(await page.getByTestId('outcomes-new').innerText(), L.fresh);
    const items = section.getByTestId('outcome');
    assert.equal(await items.count(), 2);
    assert.equal(await section.getByTestId('outcome-new').count(), 2);
    const texts = await items.allInnerTexts();
    assert.ok(texts[0].includes(L.study) && texts[0].includes(L.whole) && texts[0].includes(WHOLE_OUTCOME), texts[0]);
    assert.ok(texts[1].includes(L.adopted) && texts[1].includes(SEEDS[0]) && texts[1].includes(STATEMENT_OUTCOME), texts[1]);
    await assertParticipantAccessible(page, `participant page with outcomes (${lang})`);
    await section.screenshot({ path: path.join(artifacts, `outcomes-participant-${lang}-360.png`) });
    await page.screenshot({ path: path.join(artifacts, `outcomes-participant-${lang}-360-page.png`), fullPage: true });
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.screenshot({ path: path.join(artifacts, `outcomes-participant-${lang}-1920.png`), fullPage: true });
    // Seen now: on the next visit nothing is new.
    await page.reload();
    await page.getByTestId('outcomes').waitFor();
    assert.equal(await page.getByTestId('outcome-new').count(), 0);
    assert.equal(await page.getByTestId('outcomes-new').count(), 0);
    await context.close();
  }

  // The report.
  const report = await browser.newPage({ viewport: { width: 1920, height: 1080 }, locale: 'en-GB' });
  await report.goto(`${server.base}/r/${id}`);
  const onReport = report.getByTestId('report-outcomes');
  await onReport.getByText(STATEMENT_OUTCOME).waitFor();
  await onReport.getByText(WHOLE_OUTCOME).waitFor();
  await report.getByTestId('stored-report').locator('h2').first().waitFor();
  await assertAccessible(report, 'report with outcomes');
  await report.screenshot({ path: path.join(artifacts, 'outcomes-report-1920.png'), fullPage: true });
  await report.setViewportSize({ width: 360, height: 780 });
  await onReport.screenshot({ path: path.join(artifacts, 'outcomes-report-360.png') });
  await report.close();

  // The projector.
  const projector = await browser.newPage({ viewport: { width: 1920, height: 1080 }, locale: 'en-GB' });
  await projector.goto(`${server.base}/p/${id}`);
  const onWall = projector.getByTestId('projector-outcomes');
  await onWall.getByText(WHOLE_OUTCOME).waitFor();
  await assertAccessible(projector, 'projector with outcomes');
  await projector.screenshot({ path: path.join(artifacts, 'outcomes-projector-1920.png') });
  await projector.close();

  // The feed a newsroom follows: Atom, every text escaped.
  const res = await fetch(`${server.base}/api/v1/conversations/${id}/outcomes.atom`);
  assert.equal(res.headers.get('content-type'), 'application/atom+xml; charset=utf-8');
  const feed = await res.text();
  assert.match(feed, /^<\?xml version="1.0" encoding="utf-8"\?>\n<feed xmlns="http:\/\/www.w3.org\/2005\/Atom">/);
  assert.ok(feed.includes('di papan &amp; situs &lt;kelurahan&gt;.'), feed);
  assert.equal((feed.match(/<entry>/g) ?? []).length, 2);
  assert.ok(feed.includes(`/c/${id}#outcome-0</id>`));
  await mod.close();
});
