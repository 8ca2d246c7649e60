// A conversation brought in by `mufakat import` is closed: the participant page and the
// console say so, the console says how to open it, and once reopened a participant joins
// and votes (numbered after the imported participants).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, launchBrowser, api, root, artifacts } from './lib.mjs';
import { ADMIN, signIn, assertAccessible } from './moderator-helpers.mjs';
import { voteWithButton } from './participant-helpers.mjs';

/** A small Pol.is export: 3 statements, participants 0 to 9 with a vote each. */
function polisExport(dir) {
  mkdirSync(dir, { recursive: true });
  const comments = ['timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body'];
  ['Parks should open at six', 'Buses every ten minutes', 'More benches by the river'].forEach((text, i) => {
    comments.push(`${1500000000000 + i},,${i},0,0,0,1,${text}`);
  });
  const votes = ['timestamp,datetime,comment-id,voter-id,vote'];
  for (let p = 0; p < 10; p++) votes.push(`${1500000001000 + p},,${p % 3},${p},${p % 2 ? 1 : -1}`);
  writeFileSync(path.join(dir, 'comments.csv'), comments.join('\n') + '\n');
  writeFileSync(path.join(dir, 'votes.csv'), votes.join('\n') + '\n');
  writeFileSync(path.join(dir, 'summary.csv'), 'topic,Imported from Pol.is\nurl,https://pol.is/7wmvbjcjhp\n');
}

test('an imported conversation says it is closed until a moderator reopens it', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mufakat-import-'));
  polisExport(path.join(dir, 'export'));
  const bin = process.env.MUFAKAT_BIN ?? path.join(root, 'target/debug/mufakat');
  const said = execFileSync(bin, ['import', path.join(dir, 'export'), '--id', 'imported',
    '--database-url', `sqlite://${path.join(dir, 'mufakat.sqlite')}`], { encoding: 'utf8' });
  assert.match(said, /It is closed/);
  assert.match(said, /Reopen conversation/);
  assert.match(said, /--open/);

  const server = await startServer({ dir, adminPassword: ADMIN.password });
  const browser = await launchBrowser();
  try {
    const participant = await browser.newPage();
    await participant.goto(`${server.base}/c/imported`);
    const closed = participant.getByTestId('closed');
    await closed.waitFor();
    assert.match(await closed.textContent(), /closed/);
    assert.match(await closed.textContent(), /moderators can reopen/);

    const moderator = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(moderator, server.base, '/admin/c/imported');
    await moderator.getByTestId('conversation-state').getByText('Closed').waitFor();
    const hint = moderator.getByTestId('closed-hint');
    assert.match(await hint.textContent(), /Reopen conversation/);
    await assertAccessible(moderator, 'console of a closed conversation');
    await moderator.screenshot({ path: path.join(artifacts, 'import-console-closed.png') });
    await moderator.getByTestId('close-toggle').click();
    await moderator.getByTestId('conversation-state').getByText('Open').waitFor();
    assert.equal(await hint.count(), 0, 'the hint goes once it is open');

    // The participant page follows the live event: the card comes back and takes a vote.
    await participant.getByTestId('vote-card').waitFor();
    const statement = await voteWithButton(participant, 'Agree');
    const token = JSON.parse(await participant.evaluate(() => localStorage.getItem('mufakat.token.imported')));
    const joined = await api(server.base, 'POST', '/api/v1/conversations/imported/participants', { body: { token } });
    assert.equal(joined.json.participant, 10, 'numbered after the imported participants 0 to 9');
    const all = await api(server.base, 'GET', '/api/v1/conversations/imported/votes');
    const mine = all.json.participants.flatMap((p, i) => (p === 10 ? [[all.json.statements[i], all.json.values[i]]] : []));
    assert.deepEqual(mine, [[statement, 1]]);
  } finally {
    await browser.close();
    await server.stop();
  }
});
