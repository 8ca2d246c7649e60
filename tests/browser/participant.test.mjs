// The participant journey, once in English and once in Bahasa Indonesia (chosen from the
// browser's language): vote through the threshold, see where you stand on the opinion map,
// change an earlier vote, post statements (refusals in plain words), resume after a reload,
// switch language; axe-core on every state, screenshots at 360 px and 1280 px. Also: an
// embedding site's signed xid is the same participant in any browser, and an unsigned,
// mis-signed or outdated one signs nobody in (docs/embedding.md).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import path from 'node:path';
import { startServer, launchBrowser, api, artifacts } from './lib.mjs';
import { ADMIN, adminClient } from './moderator-helpers.mjs';
import {
  assertAccessible, cardStatement, voteWithButton, votesOf, participantOfPage, VALUE,
} from './participant-helpers.mjs';

let server;
let browser;
before(async () => { server = await startServer({ adminPassword: ADMIN.password }); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.stop(); });

const LANGS = {
  en: {
    locale: 'en-GB',
    agree: 'Agree', disagree: 'Disagree', pass: 'Pass / unsure',
    recorded: { agree: 'Vote recorded: agree.', disagree: 'Vote recorded: disagree.', pass: 'Vote recorded: pass.' },
    changed: 'Vote changed to agree.',
    locked: /Vote on 7 more statements/,
    youAreIn: /You are in group [A-H]\./,
    you: 'You',
    postLabel: 'Add your own statement', postButton: 'Post statement',
    tooMany: /characters too many/, tooLong: 'That statement is too long. Please shorten it.',
    duplicate: 'That statement is already in the conversation.', posted: 'Thank you: your statement is posted.',
    other: 'Bahasa Indonesia', otherAgree: 'Setuju',
  },
  id: {
    locale: 'id-ID',
    agree: 'Setuju', disagree: 'Tidak setuju', pass: 'Lewati / ragu',
    recorded: { agree: 'Suara tercatat: setuju.', disagree: 'Suara tercatat: tidak setuju.', pass: 'Suara tercatat: lewati.' },
    changed: 'Suara diubah menjadi setuju.',
    locked: /Beri suara pada 7 pernyataan lagi/,
    youAreIn: /Anda berada di kelompok [A-H]\./,
    you: 'Anda',
    postLabel: 'Tambahkan pernyataan Anda', postButton: 'Kirim pernyataan',
    tooMany: /kelebihan \d+ karakter/, tooLong: 'Pernyataan itu terlalu panjang. Mohon dipersingkat.',
    duplicate: 'Pernyataan itu sudah ada dalam percakapan.', posted: 'Terima kasih: pernyataan Anda sudah tampil.',
    other: 'English', otherAgree: 'Agree',
  },
};

for (const [lang, L] of Object.entries(LANGS)) {
  test(`participant journey in ${lang}: vote, see where you stand, change a vote, post, resume`, async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 780 }, locale: L.locale });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.base}/c/demo`);
    await page.getByTestId('vote-card').waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), lang);
    const conv = await api(server.base, 'GET', '/api/v1/conversations/demo');
    assert.equal(await page.locator('h1.topic').innerText(), conv.json.title);
    await page.getByTestId('standing-locked').getByText(L.locked).waitFor();
    await assertAccessible(page, `${lang} first card`);
    await page.screenshot({ path: path.join(artifacts, `participant-${lang}-start-360.png`), fullPage: true });

    // Seven votes (the threshold: min(7, statements)), each confirmed and counted down.
    const cast = {};
    const order = ['agree', 'disagree', 'pass', 'agree', 'agree', 'disagree', 'agree'];
    let remaining = Number((await page.getByTestId('remaining').innerText()).match(/\d+/)[0]);
    for (const vote of order) {
      const id = await voteWithButton(page, L[vote]);
      assert.ok(!(id in cast), 'a statement is never shown twice');
      cast[id] = VALUE[vote];
      const now = Number((await page.getByTestId('remaining').innerText()).match(/\d+/)[0]);
      const said = await page.getByTestId('notice').innerText();
      assert.ok(said.startsWith(L.recorded[vote]) && said.includes(String(now)), `announced: ${said}`);
      assert.equal(now, remaining - 1, 'the count of statements left goes down by one');
      remaining = now;
    }

    // Where you stand: the map, "you are here", the group, what it thinks, consensus.
    await page.getByTestId('opinion-map').waitFor();
    await page.getByTestId('map-you').getByText(L.you, { exact: true }).waitFor();
    assert.match(await page.getByTestId('your-group').innerText(), L.youAreIn);
    assert.ok(await page.getByTestId('consensus').locator('li').count() > 0, 'consensus statements are listed');
    const dots = await page.locator('.opinion-map circle.map-dot').count();
    assert.ok(dots >= 300, `the demo's participants are on the map (${dots} dots)`);
    await assertAccessible(page, `${lang} where you stand`);
    await page.screenshot({ path: path.join(artifacts, `participant-${lang}-standing-360.png`), fullPage: true });

    const me = await participantOfPage(server.base, page);
    assert.deepEqual(await votesOf(server.base, 'demo', me), cast, 'the server has exactly these votes');

    // Change the first disagree to agree from the list of past votes.
    const changedId = Number(Object.keys(cast).find((k) => cast[k] === -1));
    await page.getByTestId('past-votes').locator('summary').click();
    const row = page.locator(`.past-vote[data-statement-id="${changedId}"]`);
    await row.getByRole('button', { name: L.agree, exact: true }).click();
    await page.getByTestId('notice').getByText(L.changed).waitFor();
    assert.equal(await row.getByRole('button', { name: L.agree, exact: true }).getAttribute('aria-pressed'), 'true');
    cast[changedId] = 1;
    await page.waitForFunction(() => !document.querySelector('[data-testid=waiting]'));
    assert.deepEqual(await votesOf(server.base, 'demo', me), cast, 'the change replaced the vote');
    await assertAccessible(page, `${lang} past votes open`);

    // Posting: the counter, the server's refusals in plain words, then a statement that goes in.
    const box = page.getByLabel(L.postLabel);
    await box.fill('x'.repeat(conv.json.max_statement_chars + 20));
    await page.getByTestId('chars-left').getByText(L.tooMany).waitFor();
    await page.getByRole('button', { name: L.postButton }).click();
    await page.getByTestId('post-result').getByText(L.tooLong).waitFor();
    assert.equal((await box.inputValue()).length, conv.json.max_statement_chars + 20, 'a refused text is kept');
    await box.fill(conv.json.statements[0].text);
    await page.getByRole('button', { name: L.postButton }).click();
    await page.getByTestId('post-result').getByText(L.duplicate).waitFor();
    const text = `${lang === 'en' ? 'Open the library on Sundays' : 'Buka perpustakaan pada hari Minggu'} ${Date.now()}`;
    await box.fill(text);
    await page.getByRole('button', { name: L.postButton }).click();
    await page.getByTestId('post-result').getByText(L.posted).waitFor();
    await page.getByTestId('my-statements').getByText(text).waitFor();
    assert.equal(await box.inputValue(), '', 'the box empties after a post');
    await assertAccessible(page, `${lang} after posting`);

    // 1280 px: the same page on a desktop.
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: path.join(artifacts, `participant-${lang}-1280.png`), fullPage: true });

    // A reload resumes the same participant with the same votes.
    await page.reload();
    await page.getByTestId('vote-card').waitFor();
    assert.equal(await participantOfPage(server.base, page), me);
    await page.getByTestId('opinion-map').waitFor();
    assert.ok(!(await cardStatement(page) in cast), 'no statement already voted on comes back');

    // The visible language switch changes every text.
    await page.getByRole('button', { name: L.other }).click();
    await page.getByTestId('vote-card').getByRole('button', { name: L.otherAgree, exact: true }).waitFor();
    assert.deepEqual(errors, [], 'no script errors');
    await context.close();
  });
}

/** What an embedding site's server computes (docs/embedding.md): HMAC-SHA256 of the xid. */
function sign(secret, xid) {
  return createHmac('sha256', secret).update(xid, 'utf8').digest('hex');
}

function linkFor(xid, proof) {
  const signed = proof === undefined ? '' : `&xid_proof=${proof}`;
  return `${server.base}/c/demo?xid=${encodeURIComponent(xid)}${signed}`;
}

test('an xid signed by the embedding site is the same participant in every browser', async () => {
  const admin = await adminClient(server.base);
  const { secret } = (await admin('GET', '/conversations/demo/xid-secret')).json;
  // Spaces and accents travel percent-encoded and are signed as UTF-8.
  const xid = `Warga Žofie ${Date.now()}`;
  const link = linkFor(xid, sign(secret, xid));
  const first = await browser.newContext({ locale: 'en-GB' });
  const a = await first.newPage();
  await a.goto(link);
  await a.getByTestId('vote-card').waitFor();
  const id = await voteWithButton(a, 'Agree');
  await first.close();

  // Another browser (no local storage): the same signed xid resumes the same votes.
  const second = await browser.newContext({ locale: 'en-GB' });
  const b = await second.newPage();
  await b.goto(link);
  await b.getByTestId('vote-card').waitFor();
  await b.getByTestId('past-votes').getByText('(1)').waitFor();
  assert.notEqual(await cardStatement(b), id, 'the statement voted on elsewhere is not shown again');
  const joined = await api(server.base, 'POST', '/api/v1/conversations/demo/participants',
    { body: { xid, xid_proof: sign(secret, xid) } });
  assert.deepEqual(await votesOf(server.base, 'demo', joined.json.participant), { [id]: 1 });
  await second.close();
});

test('an unsigned, mis-signed or outdated xid link signs nobody in and says why', async () => {
  const admin = await adminClient(server.base);
  const { secret } = (await admin('GET', '/conversations/demo/xid-secret')).json;
  const xid = `victim-${Date.now()}@example.org`;
  const victim = await api(server.base, 'POST', '/api/v1/conversations/demo/participants',
    { body: { xid, xid_proof: sign(secret, xid) } });
  assert.equal(victim.status, 200);
  const participantsBefore = (await api(server.base, 'GET', '/api/v1/conversations/demo')).json.participants;

  const refused = {
    'en-GB': "This link's sign-in could not be verified, so you are not signed in. Ask the site that sent you here for a new link.",
    'id-ID': 'Proses masuk dari tautan ini tidak dapat diverifikasi, jadi Anda belum masuk. Mintalah tautan baru kepada situs yang mengarahkan Anda ke sini.',
  };
  const links = {
    unsigned: linkFor(xid),
    'signed for another xid': linkFor(xid, sign(secret, 'attacker@example.org')),
    'signed with a made-up secret': linkFor(xid, sign('0'.repeat(64), xid)),
  };
  for (const [locale, message] of Object.entries(refused)) {
    const context = await browser.newContext({ locale });
    const page = await context.newPage();
    const joins = [];
    page.on('response', (r) => { if (r.url().endsWith('/participants')) joins.push(r); });
    for (const [what, link] of Object.entries(links)) {
      joins.length = 0;
      await page.goto(link);
      await page.getByTestId('xid-refused').getByText(message).waitFor();
      assert.equal(await page.getByTestId('vote-card').count(), 0, `${what}: no card, nobody signed in`);
      assert.deepEqual(joins.map((r) => r.status()), [403], `${what}: one refused join, no anonymous one`);
      assert.ok(!(await joins[0].text()).includes(victim.json.token), `${what}: the victim's token is not sent`);
    }
    await assertAccessible(page, `refused xid link (${locale})`);
    await context.close();
  }

  // After the moderator makes a new secret, a link signed with the old one is refused too.
  const oldLink = linkFor(xid, sign(secret, xid));
  const rotated = await admin('POST', '/conversations/demo/xid-secret/rotate');
  assert.equal(rotated.status, 200);
  const context = await browser.newContext({ locale: 'en-GB' });
  const page = await context.newPage();
  await page.goto(oldLink);
  await page.getByTestId('xid-refused').waitFor();
  await page.goto(linkFor(xid, sign(rotated.json.secret, xid)));
  await page.getByTestId('vote-card').waitFor();
  await context.close();
  const participantsAfter = (await api(server.base, 'GET', '/api/v1/conversations/demo')).json.participants;
  assert.equal(participantsAfter, participantsBefore, 'no refused link created a participant');
});

test('an expiring xid link signs in until its time, then says it has expired', async () => {
  const admin = await adminClient(server.base);
  const { secret } = (await admin('GET', '/conversations/demo/xid-secret')).json;
  const xid = `member-${Date.now()}`;
  // The site signs the xid, a line feed and the expiry (docs/embedding.md).
  const expiring = (at) =>
    `${server.base}/c/demo?xid=${encodeURIComponent(xid)}&xid_expires=${at}&xid_proof=${sign(secret, `${xid}\n${at}`)}`;
  const now = Math.floor(Date.now() / 1000);
  const context = await browser.newContext({ locale: 'en-GB' });
  const page = await context.newPage();
  await page.goto(expiring(now + 3600));
  await page.getByTestId('vote-card').waitFor();
  await context.close();
  const expired = {
    'en-GB': 'This sign-in link has expired, so you are not signed in. Go back to the site that sent you here for a new link.',
    'id-ID': 'Tautan masuk ini sudah kedaluwarsa, jadi Anda belum masuk. Kembalilah ke situs yang mengarahkan Anda ke sini untuk mendapatkan tautan baru.',
  };
  for (const [locale, message] of Object.entries(expired)) {
    const late = await browser.newContext({ locale });
    const p = await late.newPage();
    await p.goto(expiring(now - 60));
    await p.getByTestId('xid-expired').getByText(message).waitFor();
    assert.equal(await p.getByTestId('vote-card').count(), 0, 'no card, nobody signed in');
    await assertAccessible(p, `expired xid link (${locale})`);
    await late.close();
  }
});

test('the start page and the not-found page pass axe-core too', async () => {
  for (const locale of ['en-GB', 'id-ID']) {
    const context = await browser.newContext({ viewport: { width: 360, height: 780 }, locale });
    const page = await context.newPage();
    await page.goto(`${server.base}/`);
    await page.locator('a[href="/c/demo"]').waitFor();
    await assertAccessible(page, `start page (${locale})`);
    await page.goto(`${server.base}/c/no-such-conversation`);
    await page.getByTestId('not-found').waitFor();
    await assertAccessible(page, `not-found page (${locale})`);
    await context.close();
  }
});
