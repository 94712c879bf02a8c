// Measures a large evaluation round on the tablet (a script, not a test: timings on a shared machine are noise as
// assertions). For each run: a fresh profile, the app loaded, the browser's device key read from Settings, a round
// of UNITS units x HOUSEHOLDS households built for it with `survey round build` (before anything is timed), then
// with the CPU throttled RATE x:
//   - import: the file input's change event -> the round's report shown (verification by WebCrypto and the full
//     content check, the survey stored, the round stored, each write committed);
//   - Today's work: the click on "Today's work" -> the list of assigned units shown (every unit is assigned to
//     this device: the worst case);
//   - one unit: the click on its "Households" -> its released households shown.
// Times are taken in the page (performance.now()), medians of RUNS runs.
//
//   ./dev build && cargo build -p survey-cli
//   node tests/perf/round-import.mjs
//
// Environment: PERF_RUNS (default 5), PERF_RATE (default 4), ROUND_UNITS (200), ROUND_HOUSEHOLDS (300), ROUND_N (10).

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { startServer } from '../e2e/server.mjs';
import { firstPage, freshProfile, launch, removeProfile, requireDist } from '../e2e/helpers.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(ROOT, 'target/debug/survey');
const int = (name, fallback) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
};
const RUNS = int('PERF_RUNS', 5);
const RATE = int('PERF_RATE', 4);
const UNITS = int('ROUND_UNITS', 200);
const HOUSEHOLDS = int('ROUND_HOUSEHOLDS', 300);
const N = int('ROUND_N', 10);
const WAIT = 120_000;

/** Runs the CLI; a refusal is thrown with what it printed. */
function survey(...args) {
  try {
    return execFileSync(CLI, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    throw new Error(`survey ${args.join(' ')}:\n${err.stderr || err.message}`);
  }
}

/** Frames and a plan for the device `keyid` (every unit assigned to it); returns the built round file. */
function buildRound(dir, key, keyid) {
  mkdirSync(join(dir, 'frames'), { recursive: true });
  const units = [];
  for (let u = 1; u <= UNITS; u += 1) {
    const id = `unit_${String(u).padStart(3, '0')}`;
    const rows = ['household,address'];
    for (let h = 1; h <= HOUSEHOLDS; h += 1) rows.push(`${u}村${Math.ceil(h / 20)}组${h}号,测试乡${u}村`);
    writeFileSync(join(dir, 'frames', `${id}.csv`), `${rows.join('\n')}\n`);
    units.push({ id, frame: `frames/${id}.csv`, name: { 'zh-CN': `测试${u}村`, en: `Test village ${u}` } });
  }
  const plan = {
    format: 'plan/1',
    id: 'perf-round',
    title: { 'zh-CN': '性能测试轮次', en: 'Performance round' },
    period: { from: '2026-12-01', to: '2026-12-20' },
    organiser: '县委组织部',
    survey: join(dir, 'survey.json'),
    seed: 'performance seed',
    seed_source: 'performance script',
    draw_units: null,
    defaults: { n: N, attempts_before_substitute: 3, off_sample: false },
    units,
    devices: [{ key, keyid, evaluator: '', team: '' }],
    assignments: units.map((unit) => ({ unit: unit.id, device: keyid })),
  };
  // The example survey without its own unit list: the plan names this round's units.
  const definition = JSON.parse(readFileSync(join(ROOT, 'survey-schemas/party-building-satisfaction.json'), 'utf8'));
  delete definition.units;
  writeFileSync(join(dir, 'survey.json'), JSON.stringify(definition));
  writeFileSync(join(dir, 'plan.json'), JSON.stringify(plan));
  survey('round', 'keygen', '-o', join(dir, 'organiser.pem'));
  const out = join(dir, 'perf.round.json');
  survey('round', 'build', join(dir, 'plan.json'), '--key', join(dir, 'organiser.pem'), '-o', out);
  return out;
}

/** Installs the in-page timer: from the next `trigger` event (capturing) until `selector` matches. */
const arm = (page, trigger, selector) =>
  page.evaluate(
    ([trigger, selector]) => {
      window.__timing = { start: null, end: null };
      document.addEventListener(trigger, () => { window.__timing.start ??= performance.now(); }, { capture: true, once: true });
      const observer = new MutationObserver(() => {
        if (window.__timing.start !== null && document.querySelector(selector)) {
          window.__timing.end = performance.now();
          observer.disconnect();
        }
      });
      observer.observe(document.body, { subtree: true, childList: true });
    },
    [trigger, selector],
  );
const elapsed = async (page) => {
  const handle = await page.waitForFunction(() => window.__timing.end !== null && window.__timing.end - window.__timing.start, null, { timeout: WAIT });
  return handle.jsonValue();
};

async function run(server) {
  const profile = freshProfile();
  const dir = mkdtempSync(join(tmpdir(), 'survey-round-perf-'));
  const browser = await launch({ userDataDir: profile, serviceWorkers: 'block' });
  try {
    browser.context.setDefaultTimeout(WAIT);
    const page = await firstPage(browser.context);
    await page.goto(server.url);
    await page.waitForSelector('[data-testid=survey-list]');
    await page.click('[data-testid=settings]');
    const keyid = await page.locator('[data-testid=device-keyid]').getAttribute('data-keyid');
    const key = await page.locator('[data-testid=device] code.wrap').innerText();
    await page.click('[data-testid=home]');
    const file = buildRound(dir, key, keyid);
    const bytes = statSync(file).size;

    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: RATE });
    await arm(page, 'change', '[data-testid=round-report]');
    await page.setInputFiles('[data-testid=import-file]', file);
    const importMs = await elapsed(page);
    const outcome = await page.locator('[data-testid=round-report]').first().getAttribute('data-outcome');
    if (outcome !== 'added') throw new Error(`the round was not imported: ${await page.locator('[data-testid=round-report]').first().innerText()}`);

    await arm(page, 'click', '[data-testid=assigned-units] > li');
    await page.click('[data-testid=go-today]');
    const todayMs = await elapsed(page);
    await arm(page, 'click', '[data-testid=households] > li');
    await page.locator('[data-testid=unit-unit_001] [data-testid=open-unit]').click();
    const unitMs = await elapsed(page);
    const shown = await page.locator('[data-testid=households] > li').count();
    if (shown !== N) throw new Error(`a unit shows ${shown} households, expected ${N}`);
    return { importMs, todayMs, unitMs, bytes };
  } finally {
    await browser.close();
    removeProfile(profile);
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

async function main() {
  const server = await startServer(requireDist(), { port: 0 });
  const runs = [];
  const loadBefore = loadavg()[0];
  try {
    for (let i = 0; i < RUNS; i += 1) runs.push(await run(server));
  } finally {
    await server.close();
  }
  const fmt = (key) => `${median(runs.map((r) => r[key])).toFixed(0)} ms (runs: ${runs.map((r) => r[key].toFixed(0)).join(', ')})`;
  console.log(`round of ${UNITS} units x ${HOUSEHOLDS} households (n = ${N}), file ${(runs[0].bytes / 1e6).toFixed(2)} MB, CPU throttled ${RATE}x, ${RUNS} runs`);
  console.log(`machine: ${cpus().length} cores, load average ${loadBefore.toFixed(2)} before, ${loadavg()[0].toFixed(2)} after`);
  console.log(`  import (change -> report):         ${fmt('importMs')}`);
  console.log(`  Today's work (${UNITS} units listed):   ${fmt('todayMs')}`);
  console.log(`  one unit (households shown):       ${fmt('unitMs')}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
