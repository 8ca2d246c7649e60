// Shared harness for the browser tests: starts the real `mufakat` server on a fresh SQLite
// file and a free port, and launches Debian's Chromium through playwright-core.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'node:test';
import { chromium } from 'playwright-core';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const artifacts = path.join(root, 'tests/browser/artifacts');
mkdirSync(artifacts, { recursive: true });

/** Starts `mufakat serve` and resolves once it prints its URL. `addr` defaults to a free port;
 *  `restart()` stops the server and starts it again on the same SQLite file and port. */
export async function startServer({ extraArgs = [], dir, addr = '127.0.0.1:0', adminPassword } = {}) {
  const bin = process.env.MUFAKAT_BIN ?? path.join(root, 'target/debug/mufakat');
  const workdir = dir ?? mkdtempSync(path.join(tmpdir(), 'mufakat-e2e-'));
  const dbPath = path.join(workdir, 'mufakat.sqlite');
  const args = ['serve', '--addr', addr, '--database-url', `sqlite://${dbPath}`,
    '--dist', process.env.MUFAKAT_DIST ?? path.join(root, 'dist'), ...extraArgs];
  // `adminPassword` creates the first moderator, `admin`, at start (MUFAKAT_ADMIN_PASSWORD).
  const env = { ...process.env, RUST_LOG: 'warn' };
  if (adminPassword) env.MUFAKAT_ADMIN_PASSWORD = adminPassword;
  const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let log = '';
  proc.stderr.on('data', (d) => { log += d; });
  const base = await new Promise((resolve, reject) => {
    // A server that does not start in time is stopped, not left running past the test.
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`server did not start in 30 s (stopped):\n${log}`));
    }, 30_000);
    proc.stdout.on('data', (d) => {
      const m = /open (http:\/\/[\d.:]+)/.exec(String(d));
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    proc.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${log}`)));
  });
  return {
    base, dbPath, workdir, proc,
    log: () => log,
    async stop() {
      if (proc.exitCode !== null) return;
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
    },
    async restart() {
      await this.stop();
      return startServer({ extraArgs, dir: workdir, addr: new URL(base).host, adminPassword });
    },
  };
}

/** Content-Security-Policy violations seen in any page since the last test ended. The server
 *  sends a strict policy on its pages (server/src/security_headers.rs); a test in which the
 *  browser refused something under it fails, whatever it asserted itself. */
const cspViolations = [];
// Only in test files (scripts such as report-bench.mjs import this too, outside the runner).
if (/\.test\.mjs$/.test(process.argv[1] ?? '')) {
  afterEach(() => {
    if (cspViolations.length) {
      const seen = cspViolations.splice(0);
      throw new Error(`Content Security Policy violations:\n${seen.join('\n')}`);
    }
  });
}

const watched = new WeakSet();
function watchForCspViolations(page) {
  if (watched.has(page)) return;
  watched.add(page);
  page.on('console', (m) => {
    if (m.type() === 'error' && m.text().includes('Content Security Policy')) {
      cspViolations.push(`${page.url()}: ${m.text()}`);
    }
  });
}

/** Chromium, with every page it opens (`newPage`, or a context's pages) watched for CSP
 *  violations. */
export async function launchBrowser() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (...args) => {
    const context = await newContext(...args);
    context.on('page', watchForCspViolations);
    return context;
  };
  const newPage = browser.newPage.bind(browser);
  browser.newPage = async (...args) => {
    const page = await newPage(...args);
    watchForCspViolations(page);
    return page;
  };
  return browser;
}

export async function api(base, method, url, { body, token } = {}) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers['x-participant-token'] = token;
  const res = await fetch(base + url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, json, text };
}
