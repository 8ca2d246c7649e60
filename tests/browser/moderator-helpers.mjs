// Helpers for the moderator and projector tests: a moderator session over plain HTTP, a
// sign-in through the page, and the axe-core accessibility check.
import assert from 'node:assert/strict';

export const ADMIN = { username: 'admin', password: 'correct horse battery staple' };

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

// One axe-core check for every page (participant-helpers.mjs): it lets fades end first.
export { assertAccessible } from './participant-helpers.mjs';
