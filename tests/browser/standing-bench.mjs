// Benchmark (not a test): how long "where you stand" takes on a cheap phone, for the
// threshold above which the participant page shows the server's published analysis
// (docs/published-analysis.md). A 4x CPU-throttled Chromium (CDP
// Emulation.setCPUThrottlingRate) stands in for the phone. For each size, a synthetic
// conversation (participants x 300 statements, 50 votes each, 40 voting at a time in random
// orders, as scripts/load-viewers.sh) is imported with `mufakat import`; a fresh page votes
// 7 times and we time (a) the in-browser analysis itself (the page's `mufakat-analysis`
// performance measure) and (b) from the 7th vote to the map shown (log download, decode,
// analysis, drawing), and the page's main-thread CPU time over (b) (CDP Performance.getMetrics
// ThreadTime), which neither the throttling nor other processes on the machine change: on a
// busy machine, RATE x that CPU time is the phone's time the throttled wall clock overstates.
//   node tests/browser/standing-bench.mjs [votes ...]     (RATE=4 RUNS=3)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, launchBrowser, root } from './lib.mjs';
import { GENERATE } from './standing-bench-data.mjs';

const bin = process.env.MUFAKAT_BIN ?? path.join(root, 'target/debug/mufakat');
const RATE = Number(process.env.RATE ?? 4);
const RUNS = Number(process.env.RUNS ?? 3);
const sizes = process.argv.slice(2).map(Number);
if (!sizes.length) sizes.push(25_000, 50_000, 100_000, 200_000);


function median(v) { const s = [...v].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; }

const browser = await launchBrowser();
try {
  for (const votes of sizes) {
    const dir = mkdtempSync(path.join(tmpdir(), 'mufakat-bench-'));
    mkdirSync(path.join(dir, 'export'));
    execFileSync('python3', ['-c', GENERATE, path.join(dir, 'export'), String(votes)]);
    const db = path.join(dir, 'mufakat.sqlite');
    execFileSync(bin, ['import', '--id', 'big', '--database-url', `sqlite://${db}`, path.join(dir, 'export')], { stdio: 'pipe' });
    // Imports are closed: open it so the page can vote.
    execFileSync('python3', ['-c', `import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('UPDATE conversations SET closed = 0, next_participant = (SELECT MAX(id) + 1 FROM participants)'); c.commit()`, db]);
    const server = await startServer({ dir, extraArgs: ['--no-demo', '--rate-per-address', '0',
      '--participant-analysis-max-votes', '1000000000'] });
    const analysis = [];
    const shown = [];
    const cpu = [];
    try {
      for (let run = 0; run < RUNS; run++) {
        const context = await browser.newContext({ viewport: { width: 400, height: 900 }, locale: 'en-GB' });
        const page = await context.newPage();
        const cdp = await context.newCDPSession(page);
        await cdp.send('Emulation.setCPUThrottlingRate', { rate: RATE });
        await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
        const threadTime = async () => (await cdp.send('Performance.getMetrics')).metrics
          .find((m) => m.name === 'ThreadTime').value * 1000;
        await page.goto(`${server.base}/c/big`);
        let t0 = 0;
        let cpu0 = 0;
        for (let i = 0; i < 7; i++) {
          const id = await page.getByTestId('vote-card').getAttribute('data-statement-id', { timeout: 300_000 });
          await page.keyboard.press(['a', 'd', 'p'][i % 3]);
          if (i === 6) { t0 = await page.evaluate(() => performance.now()); cpu0 = await threadTime(); }
          await page.waitForFunction((prev) => {
            const el = document.querySelector('[data-testid=vote-card]');
            const done = document.querySelector('[data-testid=all-done]');
            return done || (el && el.dataset.statementId !== prev && el.getAttribute('aria-busy') === 'false');
          }, id, { timeout: 120_000 });
        }
        const t1 = await (await page.waitForFunction(() => (document.querySelector('[data-testid=your-group]')
          ? performance.now() : false), null, { polling: 'raf', timeout: 600_000 })).jsonValue();
        const ms = await page.evaluate(() => performance.getEntriesByName('mufakat-analysis').map((e) => e.duration));
        cpu.push(await threadTime() - cpu0);
        analysis.push(ms[0]);
        shown.push(t1 - t0);
        await context.close();
      }
    } finally {
      await server.stop();
    }
    console.log(JSON.stringify({ votes, participants: Math.max(Math.floor(votes / 50), 40), statements: 300,
      cpu_throttle: RATE, runs: RUNS, analysis_ms_median: Math.round(median(analysis)),
      vote_to_map_ms_median: Math.round(median(shown)), main_thread_cpu_ms_median: Math.round(median(cpu)),
      load_average: Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]),
      analysis_ms: analysis.map(Math.round), vote_to_map_ms: shown.map(Math.round), main_thread_cpu_ms: cpu.map(Math.round) }));
  }
} finally {
  await browser.close();
}
