// The deployment guide's files, run for real (docs/deploy.md): the systemd unit passes
// `systemd-analyze verify`, and a browser journey goes through Debian's nginx with
// deploy/nginx-site.conf and a self-signed certificate on loopback: join, vote, sign in as
// moderator (the session cookie must be Secure: the server believed nginx's X-Forwarded-Proto).
// nginx and openssl come from scripts/setup.sh --test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { startServer, launchBrowser, root } from './lib.mjs';
import { ADMIN, signIn } from './moderator-helpers.mjs';
import { voteWithButton, votesOf, participantOfPage } from './participant-helpers.mjs';

const NGINX = '/usr/sbin/nginx';

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
    s.on('error', reject);
  });
}

test('the systemd unit of docs/deploy.md passes systemd-analyze verify', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mufakat-unit-'));
  try {
    // The unit names the installed binary; point it at the built one, which verify checks.
    const bin = process.env.MUFAKAT_BIN ?? path.join(root, 'target/debug/mufakat');
    const unit = readFileSync(path.join(root, 'deploy/mufakat.service'), 'utf8')
      .replaceAll('/usr/local/bin/mufakat', bin);
    const file = path.join(dir, 'mufakat.service');
    writeFileSync(file, unit);
    let out = '';
    try {
      out = execFileSync('systemd-analyze', ['verify', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      assert.fail(`systemd-analyze verify failed:\n${e.stdout}${e.stderr}`);
    }
    // Unknown keys are only warnings (exit 0): refuse any message about our unit.
    const stderr = execFileSync('sh', ['-c', `systemd-analyze verify '${file}' 2>&1 >/dev/null`], { encoding: 'utf8' });
    const ours = `${out}${stderr}`.split('\n').filter((l) => l.includes('mufakat.service'));
    assert.deepEqual(ours, [], 'systemd-analyze has something to say about the unit');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

let server;
let browser;
let nginx;
let work;
let base;

before(async () => {
  assert.ok(existsSync(NGINX), 'nginx is not installed: run scripts/setup.sh --test');
  work = mkdtempSync(path.join(tmpdir(), 'mufakat-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
    '-keyout', path.join(work, 'key.pem'), '-out', path.join(work, 'cert.pem'),
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'], { stdio: 'ignore' });
  server = await startServer({ adminPassword: ADMIN.password, extraArgs: ['--trusted-proxies', '127.0.0.1'] });
  const [https, http] = [await freePort(), await freePort()];
  // The shipped site, with this machine's names, ports and certificate put in.
  const site = readFileSync(path.join(root, 'deploy/nginx-site.conf'), 'utf8')
    .replaceAll('vote.example.org', 'localhost')
    .replaceAll('/etc/letsencrypt/live/localhost/fullchain.pem', path.join(work, 'cert.pem'))
    .replaceAll('/etc/letsencrypt/live/localhost/privkey.pem', path.join(work, 'key.pem'))
    .replaceAll('127.0.0.1:8080', new URL(server.base).host)
    .replace('listen 443 ssl http2;', `listen 127.0.0.1:${https} ssl http2;`)
    .replace('listen 80;', `listen 127.0.0.1:${http};`)
    .replace(/\n\s*listen \[::\]:\d+[^;]*;/g, '');
  assert.ok(site.includes(`127.0.0.1:${https} ssl`) && site.includes(work), 'the site file changed shape; update this test');
  writeFileSync(path.join(work, 'site.conf'), site);
  const asRoot = process.getuid?.() === 0 ? 'user root;\n' : '';
  writeFileSync(path.join(work, 'nginx.conf'), `${asRoot}worker_processes 1;
daemon off;
pid ${work}/nginx.pid;
error_log ${work}/error.log warn;
events { worker_connections 256; }
http {
  access_log ${work}/access.log;
  client_body_temp_path ${work}/body;
  proxy_temp_path ${work}/proxy;
  fastcgi_temp_path ${work}/fastcgi;
  uwsgi_temp_path ${work}/uwsgi;
  scgi_temp_path ${work}/scgi;
  include ${work}/site.conf;
}
`);
  nginx = spawn(NGINX, ['-c', path.join(work, 'nginx.conf'), '-p', work], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  nginx.stderr.on('data', (d) => { log += d; });
  base = `https://localhost:${https}`;
  for (let i = 0; ; i++) {
    if (nginx.exitCode !== null) throw new Error(`nginx exited: ${log}${readFileSync(path.join(work, 'error.log'), 'utf8')}`);
    const up = await new Promise((resolve) => {
      const s = net.connect(https, '127.0.0.1', () => { s.end(); resolve(true); }).on('error', () => resolve(false));
    });
    if (up) break;
    if (i > 100) throw new Error(`nginx did not listen: ${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  if (nginx && nginx.exitCode === null) {
    nginx.kill('SIGTERM');
    await new Promise((r) => nginx.once('exit', r));
  }
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('through nginx over HTTPS: a resident votes, a moderator signs in with a Secure cookie', async () => {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB' });
  const page = await context.newPage();
  await page.goto(`${base}/c/demo`);
  await page.getByTestId('vote-card').waitFor();
  const id = await voteWithButton(page, 'Agree');
  const me = await participantOfPage(server.base, page);
  assert.equal((await votesOf(server.base, 'demo', me))[id], 1, 'the vote made over HTTPS is stored');

  await signIn(page, base);
  const session = (await context.cookies(base)).filter((c) => c.httpOnly);
  assert.ok(session.length > 0, 'a session cookie is set');
  assert.ok(session.every((c) => c.secure), `the session cookie is Secure: ${JSON.stringify(session)}`);

  await context.close();
  assert.match(readFileSync(path.join(work, 'access.log'), 'utf8'), /POST \/api\/v1\/conversations\/demo\/votes/, 'the vote went through nginx');
});

test('plain HTTP through nginx is sent to HTTPS', async () => {
  const conf = readFileSync(path.join(work, 'site.conf'), 'utf8');
  const http = /listen 127\.0\.0\.1:(\d+);/.exec(conf)[1];
  const res = await fetch(`http://localhost:${http}/c/demo`, { redirect: 'manual' });
  assert.equal(res.status, 301);
  assert.equal(res.headers.get('location'), 'https://localhost/c/demo');
});
