// The analyst report: a real Pol.is conversation is imported in the page (no upload), analysed
// in the Web Worker, and must match `mufakat analyze` on the same files: group count and sizes,
// the analysis.json fingerprint, and every downloaded export byte for byte.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, launchBrowser, artifacts, root, api } from './lib.mjs';
import { ADMIN, adminClient, signIn, assertAccessible } from './moderator-helpers.mjs';

const DATA = process.env.MUFAKAT_POLIS_DATA ?? path.join(root, '../shared/data/polis');
const bin = process.env.MUFAKAT_BIN ?? path.join(root, 'target/debug/mufakat');
const CSVS = ['comments.csv', 'votes.csv', 'participants-votes.csv', 'summary.csv'];
const TEXT_EXPORTS = ['summary.csv', 'comments.csv', 'votes.csv', 'participants-votes.csv', 'comment-groups.csv',
  'analysis.json', 'outcomes.csv', 'translations.csv', 'graph.graphml', 'graph.dot', 'opinion-map.svg', 'consensus-map.svg'];
const haveData = existsSync(path.join(DATA, 'brexit-consensus', 'comments.csv'));
if (!haveData) console.log(`SKIPPED: ${DATA} is absent; the Pol.is report tests do not run`);

let server;
let browser;
before(async () => { server = await startServer(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await server?.stop(); });

/** FNV-1a 64 over the UTF-8 bytes, as `mufakat_core::report_files::fingerprint`. */
function fingerprint(buf) {
  let h = 0xcbf29ce484222325n;
  for (const b of buf) { h ^= BigInt(b); h = (h * 0x100000001b3n) & 0xffffffffffffffffn; }
  return h.toString(16).padStart(16, '0');
}

function cliAnalyse(dir) {
  const out = mkdtempSync(path.join(tmpdir(), 'mufakat-cli-'));
  const summary = execFileSync(bin, ['analyze', dir, '--out', out, '--seed', '0'], { stdio: 'pipe' }).toString();
  const json = readFileSync(path.join(out, 'analysis.json'));
  const analysis = JSON.parse(json).analysis;
  // The summary's comparison with Pol.is's own groups, when the export has them.
  const ari = summary.match(/adjusted Rand index (-?[0-9.]+)/)?.[1];
  const cut = summary.match(/puts ([0-9.]+)% of them/)?.[1];
  return { out, fingerprint: fingerprint(json), sizes: analysis.groups.map((g) => g.size), ari, cut };
}

/** A page that records every request to the API. */
async function reportPage() {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, locale: 'en-GB', acceptDownloads: true });
  const apiCalls = [];
  page.on('request', (r) => { if (new URL(r.url()).pathname.startsWith('/api')) apiCalls.push(r.url()); });
  await page.addInitScript(() => {
    window.__steps = [];
    new MutationObserver(() => {
      const el = document.querySelector('[data-testid=report-progress]');
      if (el && !window.__steps.includes(el.dataset.step)) window.__steps.push(el.dataset.step);
    }).observe(document, { subtree: true, childList: true, attributes: true });
  });
  await page.goto(`${server.base}/report`);
  await page.getByTestId('report-files').waitFor({ state: 'attached' });
  return { page, apiCalls };
}

for (const name of ['brexit-consensus', 'bg2050-volunteers']) {
  test(`import ${name} in the page: same groups as the CLI, no upload, exports identical`, { skip: !haveData }, async () => {
    const dir = path.join(DATA, name);
    const cli = cliAnalyse(dir);
    const { page, apiCalls } = await reportPage();
    await page.getByTestId('report-files').setInputFiles(CSVS.map((f) => path.join(dir, f)).filter(existsSync));
    const report = page.getByTestId('report');
    await report.waitFor({ timeout: 120_000 });
    assert.deepEqual(apiCalls, [], 'nothing is sent to the server during import');
    assert.equal(Number(await report.getAttribute('data-groups')), cli.sizes.length);
    assert.deepEqual((await report.getAttribute('data-group-sizes')).split(',').map(Number), cli.sizes);
    assert.equal(await report.getAttribute('data-fingerprint'), cli.fingerprint, 'analysis.json identical to the CLI');
    const steps = await page.evaluate(() => window.__steps);
    assert.ok(steps.length >= 1, `progress was shown: ${steps}`);
    await page.getByTestId('attribution').getByText('CC BY 4.0').first().waitFor();
    // The same comparison with Pol.is's groups as the CLI's summary.
    const agreement = page.getByTestId('polis-agreement');
    assert.ok(cli.ari && cli.cut, 'the CLI compared with Pol.is');
    assert.equal(await agreement.getAttribute('data-ari'), cli.ari);
    assert.equal(await agreement.getAttribute('data-cut'), cli.cut);
    assert.ok((await agreement.innerText()).includes(`adjusted Rand index ${cli.ari} `), 'the figure is in the text');
    assert.equal(await page.getByTestId('group').count(), cli.sizes.length);
    if (name === 'bg2050-volunteers') {
      const demo = await page.getByTestId('demographics').innerText();
      for (const m of demo.matchAll(/\b(\d+)\b/g)) {
        // Statement ids appear after '#'; every other number shown is a count of at least 5.
        if (demo[m.index - 1] !== '#') assert.ok(Number(m[1]) >= 5, `small cell shown: ${m[1]}`);
      }
    }
    await page.screenshot({ path: path.join(artifacts, `report-${name}.png`), fullPage: true });
    for (const id of ['opinion-map', 'consensus-map', 'divisive', 'demographics', 'exports']) {
      const el = page.getByTestId(id);
      if (await el.count()) await el.first().screenshot({ path: path.join(artifacts, `report-${name}-${id}.png`) });
    }

    for (const file of ['opinion-map.png', 'consensus-map.png']) {
      await page.waitForTimeout(400); // Chrome drops downloads that follow each other too fast
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.locator(`button[data-file="${file}"]`).click(),
      ]);
      const saved = path.join(mkdtempSync(path.join(tmpdir(), 'mufakat-dl-')), file);
      await download.saveAs(saved);
      const png = readFileSync(saved);
      assert.equal(png.subarray(1, 4).toString(), 'PNG');
      assert.equal(png.readUInt32BE(16), 1200, `${file} is 1200 px wide`);
    }
    for (const file of TEXT_EXPORTS) {
      await page.waitForTimeout(400); // Chrome drops downloads that follow each other too fast
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.locator(`button[data-file="${file}"]`).click(),
      ]);
      assert.equal(download.suggestedFilename(), file);
      const saved = path.join(mkdtempSync(path.join(tmpdir(), 'mufakat-dl-')), file);
      await download.saveAs(saved);
      assert.ok(readFileSync(saved).equals(readFileSync(path.join(cli.out, file))), `${file} equals the CLI's`);
    }
    assert.deepEqual(apiCalls, [], 'nothing is sent to the server during export either');
    await page.close();
  });
}

// The files in the zip are named as Pol.is's report page downloads them: <time>-<conversation id>-<file>.csv.
test('a zip of the export, files named as Pol.is downloads them, gives the same report; votes.csv alone says it has no texts; comments.csv alone names the missing file', { skip: !haveData }, async () => {
  const dir = path.join(DATA, 'brexit-consensus');
  const cli = cliAnalyse(dir);
  const zip = path.join(mkdtempSync(path.join(tmpdir(), 'mufakat-zip-')), 'brexit.zip');
  execFileSync('python3', ['-c', `import zipfile,sys
with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:
    for f in sys.argv[3:]: z.write(sys.argv[2] + '/' + f, 'export/2024-10-23-1530-2arcefpshi-' + f)`, zip, dir, ...CSVS]);
  const { page, apiCalls } = await reportPage();
  await page.getByTestId('report-files').setInputFiles(zip);
  const report = page.getByTestId('report');
  await report.waitFor({ timeout: 120_000 });
  assert.equal(await report.getAttribute('data-fingerprint'), cli.fingerprint);

  // votes.csv alone is a conversation without statement texts: a report that says so once.
  await page.getByTestId('report-files').setInputFiles(path.join(dir, 'votes.csv'));
  await page.getByTestId('import-notes').waitFor({ timeout: 120_000 });
  assert.match(await page.getByTestId('import-notes').innerText(), /statement/i);
  // comments.csv alone has no votes: the error names the file that is missing.
  await page.getByTestId('report-files').setInputFiles(path.join(dir, 'comments.csv'));
  await page.getByTestId('report-error').getByText('votes.csv').waitFor();
  assert.deepEqual(apiCalls, []);
  await page.close();
});

/** A made-up Pol.is API dump (votes.json, comments.json with a meta statement, conversation.json). */
function jsonDump() {
  const dir = mkdtempSync(path.join(tmpdir(), 'mufakat-json-'));
  const texts = ['Plant shade trees', 'Close the market street', 'Night buses', 'I live by the river'];
  const comments = texts.map((txt, i) => ({ statement_id: i, participant_id: 0, txt, moderated: 1, is_meta: i === 3, active: true }));
  const votes = [];
  for (let p = 0; p < 12; p++) {
    for (let s = 0; s < 4; s++) {
      votes.push({ participant_id: p, statement_id: s, vote: s === 3 || (s < 2) === (p < 6) ? 1 : -1, modified: 1_700_000_000_000 + p * 4 + s });
    }
  }
  writeFileSync(path.join(dir, 'comments.json'), JSON.stringify(comments));
  writeFileSync(path.join(dir, 'votes.json'), JSON.stringify(votes));
  writeFileSync(path.join(dir, 'conversation.json'),
    JSON.stringify({ topic: 'Our street', description: 'What next', conversation_id: '2madeupabc', strict_moderation: true }));
  return dir;
}

test('a Pol.is API JSON dump dropped on /report gives the CLI\'s report; a cut-short file is named', async () => {
  const dir = jsonDump();
  const cli = cliAnalyse(dir);
  const files = ['comments.json', 'votes.json', 'conversation.json'].map((f) => path.join(dir, f));
  const { page, apiCalls } = await reportPage();
  await page.getByTestId('report-files').setInputFiles(files);
  const report = page.getByTestId('report');
  await report.waitFor({ timeout: 60_000 });
  assert.equal(await report.getAttribute('data-fingerprint'), cli.fingerprint, 'the same analysis.json as `mufakat analyze`');
  await report.getByText('Our street').first().waitFor();
  // A comments.json cut short: an error naming the file, no report.
  // The same file names picked again (the file changed on disk) are read again.
  const full = readFileSync(path.join(dir, 'comments.json'), 'utf8');
  writeFileSync(path.join(dir, 'comments.json'), full.slice(0, full.length / 2));
  await page.getByTestId('report-files').setInputFiles(files);
  await page.getByTestId('report-error').getByText('comments.json').waitFor();
  assert.deepEqual(apiCalls, [], 'nothing was uploaded');
  await page.close();
});

test('a stored conversation has a report at /r/<id>', async () => {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, locale: 'en-GB' });
  await page.goto(`${server.base}/r/demo`);
  const report = page.getByTestId('report');
  await report.waitFor({ timeout: 60_000 });
  assert.ok(Number(await report.getAttribute('data-groups')) >= 2);
  await page.getByTestId('opinion-map').locator('circle').first().waitFor();
  // Dots are drawn in their group's colour: as many distinct fills as groups (no style sheet
  // of another page may paint them all one grey).
  const fills = await page.getByTestId('opinion-map').locator('circle.map-dot:not(.ungrouped)')
    .evaluateAll((dots) => [...new Set(dots.map((d) => getComputedStyle(d).fill))]);
  assert.equal(fills.length, Number(await report.getAttribute('data-groups')), `dot fills: ${fills}`);
  assert.equal(await page.getByTestId('attribution').count(), 0, 'no Pol.is attribution for our own data');
  await page.screenshot({ path: path.join(artifacts, 'report-demo.png'), fullPage: false });
  await page.close();
});

test('a moderator sees who is in each group on a stored report; small counts are hidden', async () => {
  const own = await startServer({ adminPassword: ADMIN.password, extraArgs: ['--rate-per-address', '0', '--no-demo'] });
  try {
    const admin = await adminClient(own.base);
    const seeds = Array.from({ length: 8 }, (_, i) => `Fixture statement ${i}: the market should change`);
    const created = await admin('POST', '/conversations', {
      id: 'rw', title: 'Market hours', seeds,
      questions: [{ key: 'rw', label: 'Neighbourhood', options: ['RW 01', 'RW 02'] }],
    });
    assert.equal(created.status, 201, created.text);
    // Two camps of 12 voting opposite ways; ten of the first camp in RW 01, two in RW 02, the
    // whole second camp in RW 02.
    for (let camp = 0; camp < 2; camp++) {
      for (let i = 0; i < 12; i++) {
        const { token } = (await api(own.base, 'POST', '/api/v1/conversations/rw/participants', { body: {} })).json;
        for (let statement = 0; statement < 8; statement++) {
          const vote = (statement < 4) === (camp === 0) ? 'agree' : 'disagree';
          const r = await api(own.base, 'POST', '/api/v1/conversations/rw/votes', { token, body: { statement, vote } });
          assert.equal(r.status, 200, r.text);
        }
        const rw = camp === 0 && i < 10 ? 'RW 01' : 'RW 02';
        assert.equal((await api(own.base, 'POST', '/api/v1/conversations/rw/answers', { token, body: { rw } })).status, 204);
      }
    }
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, locale: 'en-GB' });
    // Without a session the report has no breakdown.
    await page.goto(`${own.base}/r/rw`);
    await page.getByTestId('report').waitFor({ timeout: 60_000 });
    assert.equal(await page.getByTestId('group-demographics').count(), 0);
    await signIn(page, own.base);
    await page.goto(`${own.base}/r/rw`);
    const table = page.getByTestId('group-demographics');
    await table.waitFor({ timeout: 60_000 });
    const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.innerText.split('\t').map((c) => c.trim())));
    assert.deepEqual(rows[0], ['Neighbourhood']);
    // Each group column: one camp is 10 in RW 01 and a hidden 2 in RW 02, the other 0 and 12.
    const [rw01, rw02] = [rows[1], rows[2]];
    const columns = rw01.slice(1).map((c, i) => [c, rw02[i + 1]]).sort();
    assert.deepEqual(columns, [['0', '12'], ['10', '<5']].sort(), JSON.stringify(rows));
    await assertAccessible(page, 'stored report with demographics');
    await table.screenshot({ path: path.join(artifacts, 'report-group-demographics.png') });
    await page.close();
  } finally {
    await own.stop();
  }
});

/** A small two-camp export of the project's own, with `summary.csv`'s url set to `url`. */
function hostileExport(url) {
  const dir = mkdtempSync(path.join(tmpdir(), 'mufakat-hostile-'));
  const texts = ['=HYPERLINK("https://evil.example","open")', 'The market should open earlier',
    'Parking near the market should be free', '@SUM(A1) more buses on Sundays', 'Plant trees along the river',
    'Close the main road on Sunday mornings'];
  const comments = ['timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body',
    ...texts.map((t, i) => `${i},,${i},0,0,0,1,"${t.replaceAll('"', '""')}"`)];
  const votes = ['timestamp,datetime,comment-id,voter-id,vote'];
  for (let p = 0; p < 30; p++) {
    for (let s = 0; s < texts.length; s++) votes.push(`${p * 10 + s},,${s},${p},${(s < 3) === (p < 15) ? 1 : -1}`);
  }
  writeFileSync(path.join(dir, 'comments.csv'), comments.join('\n') + '\n');
  writeFileSync(path.join(dir, 'votes.csv'), votes.join('\n') + '\n');
  writeFileSync(path.join(dir, 'summary.csv'), `topic,Market day\nurl,"${url.replaceAll('"', '""')}"\n`);
  return ['comments.csv', 'votes.csv', 'summary.csv'].map((f) => path.join(dir, f));
}

test('a link from an imported export is shown only when it is a plain https link to pol.is', async () => {
  // The probe's payload: a moderator who clicked it created a conversation.
  const payload = "javascript:void(fetch('/api/v1/admin/conversations',{method:'POST',headers:{'x-mufakat-csrf':'1'," +
    "'content-type':'application/json'},body:JSON.stringify({id:'pwned',title:'pwned'})}))//pol.is";
  for (const [url, shown] of [[payload, null], ['JAVASCRIPT:alert(1)//https://pol.is/x', null],
    ['https://evil.example/pol.is', null], ['https://pol.is/3xmarketday', 'https://pol.is/3xmarketday']]) {
    const { page } = await reportPage();
    await page.getByTestId('report-files').setInputFiles(hostileExport(url));
    await page.getByTestId('report').waitFor({ timeout: 60_000 });
    const scripted = await page.locator('a').evaluateAll((as) => as.map((a) => a.href).filter((h) => !/^(https?|blob):/i.test(h)));
    assert.deepEqual(scripted, [], `no link with another scheme for ${url}`);
    if (shown) {
      const link = page.getByTestId('attribution').locator(`a[href="${shown}"]`);
      assert.equal(await link.count(), 1, 'the pol.is source is linked');
      assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
    } else {
      assert.equal(await page.getByTestId('attribution').count(), 0, `no attribution link for ${url}`);
    }
    await page.close();
  }
});
