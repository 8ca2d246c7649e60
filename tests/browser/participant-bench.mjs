// Benchmark (not a test): the participant page's timings for BENCHMARKS.md, "Participant app".
// The time from navigation to the first votable statement on loopback (median of several fresh
// visits, no HTTP cache), and the in-browser analysis of the demo (360 participants), from the
// page's own `mufakat-analysis` performance measures.
// Run: scripts/build-app.sh && cargo build -p mufakat-server && node tests/browser/participant-bench.mjs
import { startServer, launchBrowser } from './lib.mjs';

const RUNS = Number(process.env.RUNS ?? 9);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const server = await startServer();
const browser = await launchBrowser();
try {
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext({ locale: 'en-GB' });
    const page = await context.newPage();
    await page.goto(`${server.base}/c/demo`, { waitUntil: 'commit' });
    // performance.now() counts from the navigation's start; polled every frame.
    const handle = await page.waitForFunction(() => {
      const text = document.querySelector('[data-testid=vote-card] #statement-text');
      const button = document.querySelector('[data-testid=vote-card] button.agree');
      return text && button && text.textContent.length > 0 ? performance.now() : false;
    }, null, { polling: 'raf' });
    times.push(await handle.jsonValue());
    await context.close();
  }
  times.sort((a, b) => a - b);
  console.log(`first votable statement: median ${median(times).toFixed(0)} ms over ${RUNS} fresh visits `
    + `(min ${times[0].toFixed(0)}, max ${times[times.length - 1].toFixed(0)})`);

  const page = await browser.newPage({ locale: 'en-GB' });
  await page.goto(`${server.base}/c/demo`);
  await page.getByTestId('vote-card').waitFor();
  for (let i = 0; i < 7; i++) {
    const id = await page.getByTestId('vote-card').getAttribute('data-statement-id');
    await page.keyboard.press(['a', 'd', 'p'][i % 3]);
    await page.waitForFunction((prev) => {
      const el = document.querySelector('[data-testid=vote-card]');
      return el && el.dataset.statementId !== prev && el.getAttribute('aria-busy') === 'false';
    }, id);
  }
  await page.getByTestId('opinion-map').waitFor();
  // Two more votes, 3 s apart (the refresh throttle), for more runs.
  for (const key of ['a', 'd']) {
    await page.waitForTimeout(3200);
    await page.keyboard.press(key);
  }
  await page.waitForFunction(() => performance.getEntriesByName('mufakat-analysis').length >= 3, null, { timeout: 15_000 });
  const runs = await page.evaluate(() => performance.getEntriesByName('mufakat-analysis').map((e) => e.duration));
  console.log(`in-browser analysis of the demo: median ${median(runs).toFixed(1)} ms `
    + `over ${runs.length} runs (${runs.map((r) => r.toFixed(1)).join(', ')} ms)`);
} finally {
  await browser.close();
  await server.stop();
}
