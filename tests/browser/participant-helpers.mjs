// Helpers shared by the participant tests: axe-core checks, voting on the card, and reading
// a participant's votes back from the real server.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { root, api } from './lib.mjs';

const AXE = path.join(root, 'tests/browser/node_modules/axe-core/axe.min.js');

/** Runs axe-core on the page and fails on any serious or critical violation. */
export async function assertAccessible(page, label) {
  // Contrast is judged on what stays on screen, not on a fade: a half-faded text fails the
  // rule. The pages turn their entrance animations off for reduced motion (the card's, and
  // the projector's broadest statement, which fades in again at each turn of its rotation,
  // possibly while axe runs), so axe runs with reduced motion, after any fade under way.
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.evaluate(() => Promise.race([
    Promise.allSettled(document.getAnimations()
      .filter((a) => a.effect?.getComputedTiming().endTime !== Infinity)
      .map((a) => a.finished)),
    new Promise((resolve) => setTimeout(resolve, 5000)),
  ]));
  // Outside the page's Content-Security-Policy (see moderator-helpers.mjs).
  await page.evaluate(readFileSync(AXE, 'utf8'));
  const violations = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
  await page.emulateMedia({ reducedMotion: null });
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad, [], `axe-core found serious or critical violations on ${label}: ${JSON.stringify(bad)}`);
  return violations;
}

/** The statement id on the card, or null when there is none. */
export async function cardStatement(page) {
  const id = await page.getByTestId('vote-card').getAttribute('data-statement-id');
  return id === null ? null : Number(id);
}

/** Waits until the card shows a statement other than `previous`. */
export async function waitForNextCard(page, previous) {
  await page.waitForFunction((prev) => {
    const el = document.querySelector('[data-testid=vote-card]');
    const done = document.querySelector('[data-testid=all-done]');
    return done || (el && el.dataset.statementId && Number(el.dataset.statementId) !== prev
      && el.getAttribute('aria-busy') === 'false');
  }, previous);
}

/** Casts `vote` with the card's button named `label`; returns the statement voted on. */
export async function voteWithButton(page, label) {
  const id = await cardStatement(page);
  await page.getByTestId('vote-card').getByRole('button', { name: label, exact: true }).click();
  await waitForNextCard(page, id);
  return id;
}

/** The participant behind the page's stored token, and their current votes as {statement: value}. */
export async function votesOf(base, conversation, participant) {
  const all = await api(base, 'GET', `/api/v1/conversations/${conversation}/votes`);
  const mine = {};
  all.json.participants.forEach((p, i) => {
    if (p === participant) mine[all.json.statements[i]] = all.json.values[i];
  });
  return mine;
}

export async function participantOfPage(base, page, conversation = 'demo') {
  const token = JSON.parse(await page.evaluate((c) => localStorage.getItem(`mufakat.token.${c}`), conversation));
  const joined = await api(base, 'POST', `/api/v1/conversations/${conversation}/participants`, { body: { token } });
  return joined.json.participant;
}

export const VALUE = { agree: 1, disagree: -1, pass: 0 };
