// Measures the department page's import in Chromium: time from choosing the bundle files until the results show
// every response, and the page's memory afterwards. Not part of the test command (timings on a shared machine are
// noise as assertions); run it by hand and read the figures.
//
//   IMPORT_BENCH_WRITE=/tmp/bench IMPORT_BENCH_RESPONSES=100000 cargo bench -p survey-core --features verify --bench import
//   ./dev build
//   node tests/perf/department-import.mjs /tmp/bench
//
// DIR must hold survey.json, roster.json and the *.bundle.json files.

import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { launch, requireDist } from '../e2e/helpers.mjs';
import { startServer } from '../e2e/server.mjs';

const dir = process.argv[2] && resolve(process.argv[2]);
if (!dir) {
  console.error('usage: node tests/perf/department-import.mjs DIR');
  process.exit(2);
}
const bundles = readdirSync(dir)
  .filter((name) => name.endsWith('.bundle.json') || name.endsWith('.bundle.json.age'))
  .sort()
  .map((name) => join(dir, name));
const bytes = bundles.reduce((sum, file) => sum + statSync(file).size, 0);

/** Resident memory of every Chromium process, in bytes (the browser here is only this measurement's). */
function chromiumRss() {
  const out = execFileSync('ps', ['-C', 'chromium', '-o', 'rss='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((line) => Number(line.trim()) || 0)
    .reduce((sum, kb) => sum + kb * 1024, 0);
}

const server = await startServer(requireDist());
const { context, close } = await launch({ serviceWorkers: 'block', locale: 'en' });
try {
  const page = await context.newPage();
  page.setDefaultTimeout(600_000);
  await page.goto(`${server.url}department/`);
  await page.waitForSelector('[data-testid=department][data-ready=true]');
  await page.setInputFiles('[data-testid=load-survey]', join(dir, 'survey.json'));
  await page.setInputFiles('[data-testid=load-roster]', join(dir, 'roster.json'));
  await page.waitForFunction(() => /\d/.test(document.querySelector('[data-testid=roster-status]').textContent));

  const baseline = chromiumRss();
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, chromiumRss());
  }, 250);
  const started = Date.now();
  await page.setInputFiles('[data-testid=load-bundles]', bundles);
  // Done when the progress bar is gone and every file has an outcome.
  await page.waitForFunction(
    (count) =>
      !document.querySelector('[data-testid=import-progress]') &&
      document.querySelectorAll('[data-testid=file-outcome]').length >= count &&
      document.querySelector('[data-testid=summary]'),
    bundles.length,
    { polling: 200 },
  );
  const seconds = (Date.now() - started) / 1000;
  // The files are kept in IndexedDB in the background; this is when the last one committed.
  await page.waitForSelector('[data-testid=department][data-writing="0"]', { timeout: 600_000 });
  const keptSeconds = (Date.now() - started) / 1000;
  const summary = await page.locator('[data-testid=summary]').textContent();
  clearInterval(sampler);
  console.log(`${bundles.length} files, ${(bytes / 1e6).toFixed(1)} MB`);
  console.log(`import (read + verify + dedupe + score) until the results show: ${seconds.toFixed(1)} s`);
  console.log(`throughput: ${(bytes / 1048576 / seconds).toFixed(1)} MiB/s`);
  console.log(`every file committed to IndexedDB: ${keptSeconds.toFixed(1)} s`);
  console.log(`summary: ${summary}`);
  console.log(
    `Chromium RSS (all its processes): ${(baseline / 1e6).toFixed(0)} MB before, peak ${(peak / 1e6).toFixed(0)} MB ` +
      `(+${((peak - baseline) / 1e6).toFixed(0)} MB, ${((peak - baseline) / bytes).toFixed(2)}x the input)`,
  );
} finally {
  await close();
  await server.close();
}
