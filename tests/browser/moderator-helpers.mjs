// Helpers for the moderator and projector tests: a moderator session over plain HTTP, a
// sign-in through the page, and an axe-core accessibility check.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export const ADMIN = { username: 'admin', password: 'correct horse battery staple' };
const require = createRequire(import.meta.url);
const axePath = require.resolve('axe-core/axe.min.js');

/** Signs in through the API; returns a client that sends the session cookie and CSRF header. */
export async function adminClient(base) {
  const res = await fetch(`${base}/api/v1/admin/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-mufakat-csrf': '1' },
    body: JSON.stringify(ADMIN),
  });
  assert.equal(res.status, 200, `login: ${await res.text()}`);
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  return async (method, url, body) => {
    const headers = { cookie, 'x-mufakat-csrf': '1' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const r = await fetch(`${base}/api/v1/admin${url}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    let json = null;
    try { json = JSON.parse(text); } catch { /* not JSON */ }
    return { status: r.status, json, text };
  };
}

/** Signs in through the login page and waits to land on `next` (default /admin). */
export async function signIn(page, base, next = '/admin') {
  await page.goto(`${base}/admin/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Username').fill(ADMIN.username);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => u.pathname === next);
}

/** Runs axe-core on the page; fails on serious or critical violations. */
export async function assertAccessible(page, what) {
  // page.evaluate runs over the DevTools protocol, outside the page's Content-Security-Policy,
  // which (rightly) refuses an injected inline <script>.
  await page.evaluate(readFileSync(axePath, 'utf8'));
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  const bad = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad, [], `${what}: axe violations\n${JSON.stringify(bad, null, 2)}`);
}
