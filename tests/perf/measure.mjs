// Performance figures of the field app (a script, not a test):
//   node tests/perf/measure.mjs
// Prints a report and writes it to tests/perf/last-report.json. Needs a built app/dist (./dev build).
//
// 1. Cold load, CPU throttled 4x (Emulation.setCPUThrottlingRate), service workers blocked, a fresh profile and
//    browser per run (cold HTTP cache, no IndexedDB yet), median of RUNS runs:
//    - navigation start -> the survey list is visible;
//    - the click on "start" -> the first question is visible with an enabled input and the main thread is free
//      to handle input (the first task after it ran).
// 2. Answer-to-commit latency: ANSWERS answers in one response, cycling through the scale questions of the page
//    shown (values alternate so each is a real change; the walk goes to the next page and back as needed). Each
//    latency is measured in the page with performance.now(): from the capturing 'click' listener to the
//    MutationObserver seeing data-state go saving -> saved (the app sets it after the IndexedDB commit). Page
//    moves are not measured. Run with 4x throttling and without.
// 3. Start-up against the floor, in one run (CPU throttled, a fresh profile and browser per round, the app and a
//    plain-HTML floor page (tests/perf/floor.html, written from the same survey at each run: static radio buttons, no
//    framework) timed in the same browser, one after the other): navigation -> first question, cold (first visit)
//    and warm (second visit: HTTP cache and IndexedDB filled). For the app, first question = survey list visible +
//    (click start -> first question visible); the driver's own click latency is not counted. Then the warm survey
//    list with 1, 500, 2,000 and 5,000 stored responses (copies of one finished response, written into IndexedDB
//    unthrottled before the timed visit). Ratios to the floor, and to the 1-response list, are printed.
// 6. Sizes of app/dist's .wasm, .js and .css files: raw, gzip -9 and brotli q11 (computed after every timed part:
//    compressing in the driver's process would compete with the browser for the CPU).
// 5. Per answer on a 1,000-question survey (one page of 1,000 scale questions, generated from the example's first
//    scale question), CPU throttled, the app and a floor page of the same 1,000 radio groups in one browser: the
//    driver's mouse click on an option (found and measured first, untimed) until the page has drawn a frame
//    after it (a task after the next animation frame), timed in the driver (its own overhead is in both), BIG_ANSWERS answers spread over the page, each after the previous save settled (not timed). The
//    in-page click -> committed latency of the same answers is reported beside it.
//
// Environment: PERF_RUNS (default 5), PERF_ANSWERS (default 200), PERF_RATE (default 4), PERF_STORED (default
// 1,500,2000,5000), PERF_BIG_ANSWERS (default 20), PERF_ONLY (a comma-separated subset of
// cold,latency,startup,stored,thousand).

import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';

import { startServer } from '../e2e/server.mjs';
import { CHROMIUM_PATH, firstPage, freshProfile, launch, removeProfile, requireDist } from '../e2e/helpers.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '../..');
const REPORT = join(HERE, 'last-report.json');

const RUNS = intFromEnv('PERF_RUNS', 5);
const ANSWERS = intFromEnv('PERF_ANSWERS', 200);
const RATE = intFromEnv('PERF_RATE', 4);
const STORED = (process.env.PERF_STORED || '1,500,2000,5000').split(',').map(Number);
const BIG_ANSWERS = intFromEnv('PERF_BIG_ANSWERS', 20);
const ONLY = new Set((process.env.PERF_ONLY || 'cold,latency,startup,stored,thousand').split(','));
const FLOOR = 'floor.html';
const BIG_FLOOR = 'floor-thousand.html';
const BIG_QUESTIONS = 1000;
const BIG_ID = 'perf-thousand';
const SURVEY_FILE = join(REPO, 'survey-schemas/party-building-satisfaction.json');
const WAIT = 60_000; // throttled cold starts on a small machine can take a while

const SEL = {
  surveyList: '[data-testid=survey-list]',
  start: '[data-testid=start-party-building-satisfaction]',
  question: '[data-testid=question]',
  pageTitle: '[data-testid=page-title]',
  next: '[data-testid=next]',
  back: '[data-testid=back]',
};

function intFromEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return n;
}

/**
 * Cold-load probe, installed before any of the page's scripts. Times are performance.now(), i.e. ms since the
 * navigation started (the document's time origin).
 */
const COLD_PROBE = `(() => {
  const perf = (window.__perf = {});
  const visible = (el) => el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  addEventListener('TrunkApplicationStarted', () => { perf.wasmStartedAt = performance.now(); });
  addEventListener('click', (event) => {
    if (perf.clickAt === undefined && event.target.closest && event.target.closest('[data-testid^=start-]')) perf.clickAt = performance.now();
  }, true);
  const check = () => {
    const now = performance.now();
    if (perf.listAt === undefined && visible(document.querySelector('[data-testid=survey-list]'))) perf.listAt = now;
    if (perf.clickAt !== undefined && perf.questionAt === undefined) {
      const question = document.querySelector('[data-testid=question]');
      const input = question && question.querySelector('input:not([disabled]), textarea:not([disabled]), select:not([disabled])');
      if (visible(question) && visible(input)) {
        perf.questionAt = now;
        // Interactive: the first task after the question appeared got to run, so an input event would be handled.
        const channel = new MessageChannel();
        channel.port1.onmessage = () => { perf.interactiveAt = performance.now(); };
        channel.port2.postMessage(0);
      }
    }
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true });
})();`;

/**
 * Answer-to-commit probe: the first capturing 'click' inside a question starts a measurement (a label click also
 * fires a click on its input; only the first counts); the save indicator going saving -> saved ends it.
 */
const LATENCY_PROBE = `(() => {
  const lat = (window.__lat = { clickAt: null, downAt: null, results: [], errors: 0 });
  const inQuestion = (event) => event.target.closest && event.target.closest('[data-testid=question]');
  addEventListener('pointerdown', (event) => { if (inQuestion(event) && lat.downAt === null) lat.downAt = performance.now(); }, true);
  addEventListener('click', (event) => { if (inQuestion(event) && lat.clickAt === null) lat.clickAt = performance.now(); }, true);
  new MutationObserver((records) => {
    const now = performance.now();
    for (let i = 0; i < records.length; i += 1) {
      const record = records[i];
      if (record.type !== 'attributes' || !record.target.matches('[data-testid=save-status]')) continue;
      // The value this change set: the next record's old value, or the current one for the last record.
      const later = records.slice(i + 1).find((r) => r.type === 'attributes' && r.target === record.target);
      const to = later ? later.oldValue : record.target.getAttribute('data-state');
      if (to === 'error') lat.errors += 1;
      if (record.oldValue === 'saving' && to === 'saved' && lat.clickAt !== null) {
        lat.results.push({ fromClick: now - lat.clickAt, fromPointerDown: lat.downAt === null ? null : now - lat.downAt });
        lat.clickAt = null;
        lat.downAt = null;
      }
    }
  }).observe(document, { subtree: true, attributes: true, attributeOldValue: true, attributeFilter: ['data-state'] });
})();`;

/**
 * A CPU-bound loop timed in the app's page (after the measurement, so it disturbs nothing), to show that the
 * throttling rate applied to the renderer that ran the app: throttled it should take about RATE times longer.
 */
async function calibrate(page) {
  return page.evaluate(() => {
    const t0 = performance.now();
    let x = 0;
    for (let i = 0; i < 40_000_000; i += 1) x = (x + i * 7) % 1_000_003;
    return { ms: performance.now() - t0, x };
  });
}

async function openBrowser(rate, probe) {
  const profile = freshProfile();
  const b = await launch({ userDataDir: profile, serviceWorkers: 'block', locale: 'zh-CN' });
  b.context.setDefaultTimeout(WAIT);
  b.context.setDefaultNavigationTimeout(WAIT);
  await b.context.addInitScript(probe);
  const page = await firstPage(b.context);
  const cdp = await b.context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate });
  return {
    page,
    cdp,
    async close() {
      await b.close();
      removeProfile(profile);
    },
  };
}

async function coldRun(server, rate) {
  const browser = await openBrowser(rate, COLD_PROBE);
  try {
    const { page } = browser;
    await page.goto(server.url, { waitUntil: 'commit' });
    await page.waitForFunction(() => window.__perf && window.__perf.listAt !== undefined, null, { timeout: WAIT });
    await page.locator(SEL.start).click();
    await page.waitForFunction(() => window.__perf.interactiveAt !== undefined, null, { timeout: WAIT });
    const perf = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      const wasm = performance.getEntriesByType('resource').find((r) => r.name.endsWith('.wasm'));
      return {
        ...window.__perf,
        domContentLoaded: nav ? nav.domContentLoadedEventEnd : null,
        wasmFetchedAt: wasm ? wasm.responseEnd : null,
      };
    });
    const calibration = await calibrate(page);
    return {
      calibrationMs: calibration.ms,
      listVisible: perf.listAt,
      questionVisible: perf.questionAt - perf.clickAt,
      questionInteractive: perf.interactiveAt - perf.clickAt,
      wasmFetched: perf.wasmFetchedAt,
      wasmStarted: perf.wasmStartedAt ?? null,
      domContentLoaded: perf.domContentLoaded,
    };
  } finally {
    await browser.close();
  }
}

/** Waits until no save is in flight. */
async function settled(page) {
  await page.waitForFunction(() => {
    const state = document.querySelector('[data-testid=save-status]')?.getAttribute('data-state');
    return state && state !== 'saving';
  });
}

async function movePage(page, selector) {
  const title = await page.locator(SEL.pageTitle).innerText();
  await page.locator(selector).click();
  await page.waitForFunction(
    (before) => {
      const heading = document.querySelector('[data-testid=page-title]');
      return heading && heading.innerText !== before;
    },
    title,
  );
  await settled(page);
}

const visibleScaleQids = (page) =>
  page.locator(`${SEL.question}[data-kind=scale]`).evaluateAll((els) => els.map((el) => el.dataset.qid));

async function latencyRun(server, rate, answers) {
  const browser = await openBrowser(rate, LATENCY_PROBE);
  try {
    const { page } = browser;
    await page.goto(server.url);
    await page.locator(SEL.surveyList).waitFor({ state: 'visible' });
    await page.locator(SEL.start).click();
    await page.locator(SEL.question).first().waitFor({ state: 'visible' });

    const last = new Map(); // qid -> value last given
    let forward = true;
    let moves = 0;
    let given = 0;
    while (given < answers) {
      let qids = await visibleScaleQids(page);
      // Walk forward to the last page and back again, skipping pages without scale questions.
      let guard = 0;
      while (qids.length === 0 || (given > 0 && qids.every((q) => last.get(q)?.round === moves))) {
        guard += 1;
        if (guard > 20) throw new Error('found no page with scale questions to answer');
        const hasNext = (await page.locator(SEL.next).count()) > 0;
        const hasBack = (await page.locator(SEL.back).count()) > 0;
        if (forward && !hasNext) forward = false;
        if (!forward && !hasBack) forward = true;
        await movePage(page, forward ? SEL.next : SEL.back);
        moves += 1;
        qids = await visibleScaleQids(page);
      }
      for (const qid of qids) {
        if (given >= answers) break;
        if (last.get(qid)?.round === moves) continue;
        const value = last.get(qid)?.value === 4 ? 5 : 4;
        await settled(page);
        await page.locator(`${SEL.question}[data-qid="${qid}"] label.option:has(input[value="${value}"])`).click();
        await page.waitForFunction((n) => window.__lat.results.length >= n, given + 1, { timeout: WAIT });
        last.set(qid, { value, round: moves });
        given += 1;
      }
    }
    const lat = await page.evaluate(() => window.__lat);
    const calibration = await calibrate(page);
    if (lat.errors) throw new Error(`${lat.errors} saves failed`);
    if (lat.results.length !== answers) throw new Error(`measured ${lat.results.length} saves for ${answers} answers`);
    return { calibrationMs: calibration.ms, pageMoves: moves, samples: lat.results };
  } finally {
    await browser.close();
  }
}

/** The floor page: the same survey as static HTML (radio buttons, a text area), no script, no framework. */
function floorPage(survey) {
  const lang = 'zh-CN';
  const text = (t) => (t && (t[lang] ?? Object.values(t)[0])) || '';
  const esc = (v) => String(v).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
  const options = (q) => {
    if (q.kind === 'scale') return q.points.map((p) => [p.value, text(p.label)]).concat((q.unscored || []).map((u) => [u.value, text(u.label)]));
    if (q.kind === 'yes_no') return [[1, '是'], [0, '否']];
    return (q.choices || []).map((c) => [c.value, text(c.label)]);
  };
  const question = (q) => {
    const body =
      q.kind === 'text'
        ? `<textarea name="${esc(q.id)}" rows="3"></textarea>`
        : options(q)
            .map(([value, label]) => `<label class="option"><input type="radio" name="${esc(q.id)}" value="${esc(value)}"> ${esc(label)}</label>`)
            .join('\n');
    return `<fieldset data-testid="question" data-qid="${esc(q.id)}"><legend>${esc(text(q.title))}</legend>\n${body}\n</fieldset>`;
  };
  const sections = survey.sections
    .map((sec) => `<section><h2>${esc(text(sec.title))}</h2>\n${sec.questions.map(question).join('\n')}</section>`)
    .join('\n');
  return `<!doctype html>\n<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(text(survey.title))}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:48rem;padding:1rem}fieldset{margin:0 0 1rem;border:1px solid #ccc;border-radius:8px}label.option{display:block;min-height:44px}</style>
</head><body><h1>${esc(text(survey.title))}</h1>\n<form>\n${sections}\n</form></body></html>\n`;
}

/** A survey of one page of BIG_QUESTIONS scale questions, made from the example's first scale question. */
function thousandSurvey(example) {
  const template = example.sections.flatMap((s) => s.questions).find((q) => q.kind === 'scale');
  const questions = Array.from({ length: BIG_QUESTIONS }, (_, i) => ({
    ...template,
    id: `q${String(i + 1).padStart(4, '0')}`,
    required: false,
    title: Object.fromEntries(Object.entries(template.title).map(([lang, t]) => [lang, `${i + 1}. ${t}`])),
  }));
  const { sections, ...rest } = example;
  return { ...rest, id: BIG_ID, title: { 'zh-CN': '一千题测试问卷', en: 'A thousand questions' }, sections: [{ id: 'all', title: sections[0].title, questions }] };
}

/** Clicks BIG_ANSWERS options spread over the page, each after the page settled; the driver-side times. */
async function clickSpread(page, { settle }) {
  const times = [];
  for (let i = 0; i < BIG_ANSWERS; i += 1) {
    const n = ((i * 337) % BIG_QUESTIONS) + 1;
    const qid = `q${String(n).padStart(4, '0')}`;
    const value = i % 2 === 0 ? 4 : 5;
    const option = page.locator(`[data-testid=question][data-qid="${qid}"] label.option:has(input[value="${value}"])`);
    await option.scrollIntoViewIfNeeded();
    if (settle) await settle(i);
    // Found and measured before the clock starts: a selector query over a page of 6,000 inputs costs the
    // driver's in-page script seconds when throttled, on the floor page as much as on the app.
    const box = await option.boundingBox();
    if (!box) throw new Error(`${qid}: option ${value} is not shown`);
    const t0 = performance.now();
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    // Until the page drew a frame after the input (a task after the next animation frame): the app's
    // re-render is done by then, and the floor's radio button is drawn.
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0))));
    times.push(performance.now() - t0);
  }
  return times;
}

/** One browser: the app with the 1,000-question survey imported and started, then the floor page of it. */
async function thousandRun(server, rate, surveyFile) {
  const browser = await openBrowser(rate, LATENCY_PROBE);
  try {
    const { page } = browser;
    await page.goto(server.url);
    await page.locator(SEL.surveyList).waitFor({ state: 'visible' });
    await page.setInputFiles('[data-testid=import-file]', surveyFile);
    await page.locator(`[data-testid=start-${BIG_ID}]`).click();
    await page.locator(`${SEL.question}[data-qid="q${BIG_QUESTIONS}"]`).waitFor({ state: 'attached' });
    await settled(page);
    const app = await clickSpread(page, {
      settle: async (i) => {
        await page.waitForFunction((n) => window.__lat.results.length >= n, i, { timeout: WAIT });
        await settled(page);
      },
    });
    await page.waitForFunction((n) => window.__lat.results.length >= n, BIG_ANSWERS, { timeout: WAIT });
    const lat = await page.evaluate(() => window.__lat);
    if (lat.errors) throw new Error(`${lat.errors} saves failed`);
    await leave(page);
    await page.goto(`${server.url}${BIG_FLOOR}`);
    await page.locator(`${SEL.question}[data-qid="q${BIG_QUESTIONS}"]`).waitFor({ state: 'attached' });
    const floor = await clickSpread(page, {});
    const calibration = await calibrate(page);
    return { app, floor, commit: lat.results.map((r) => r.fromClick), calibrationMs: calibration.ms };
  } finally {
    await browser.close();
  }
}

/** Probe for the floor page: navigation -> the first question with its input visible. */
const FLOOR_PROBE = `(() => {
  if (!location.pathname.endsWith('/${FLOOR}')) return;
  const perf = (window.__perf = {});
  const visible = (el) => el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const check = () => {
    if (perf.questionAt !== undefined) return;
    const question = document.querySelector('[data-testid=question]');
    const input = question && question.querySelector('input, textarea');
    if (visible(question) && visible(input)) perf.questionAt = performance.now();
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true });
  addEventListener('DOMContentLoaded', check);
})();`;

/** The app probe on the app's pages only (the floor has its own). */
const APP_PROBE = `(() => { if (location.pathname.endsWith('/${FLOOR}')) return; ${COLD_PROBE} })();`;

/** One visit of the app: navigation -> survey list, click start -> first question. */
async function appVisit(page, server) {
  await page.goto(server.url, { waitUntil: 'commit' });
  await page.waitForFunction(() => window.__perf && window.__perf.listAt !== undefined, null, { timeout: WAIT });
  await page.locator(SEL.start).click();
  await page.waitForFunction(() => window.__perf.interactiveAt !== undefined, null, { timeout: WAIT });
  const perf = await page.evaluate(() => window.__perf);
  const start = perf.questionAt - perf.clickAt;
  return { list: perf.listAt, start, firstQuestion: perf.listAt + start };
}

async function floorVisit(page, server) {
  await page.goto(`${server.url}${FLOOR}`, { waitUntil: 'commit' });
  await page.waitForFunction(() => window.__perf && window.__perf.questionAt !== undefined, null, { timeout: WAIT });
  return { firstQuestion: await page.evaluate(() => window.__perf.questionAt) };
}

/** Leaves the page so that the next visit is a new navigation (the browser and its caches stay). */
async function leave(page) {
  await page.goto('about:blank');
}

/** One round of start-up: app cold, floor cold, app warm, floor warm, in one fresh browser. */
async function startupRound(server, rate) {
  const browser = await openBrowser(rate, `${APP_PROBE}\n${FLOOR_PROBE}`);
  try {
    const { page } = browser;
    const appCold = await appVisit(page, server);
    await leave(page);
    const floorCold = await floorVisit(page, server);
    await leave(page);
    const appWarm = await appVisit(page, server);
    await leave(page);
    const floorWarm = await floorVisit(page, server);
    const calibration = await calibrate(page);
    return { appCold, floorCold, appWarm, floorWarm, calibrationMs: calibration.ms };
  } finally {
    await browser.close();
  }
}

/**
 * Fills the device with `count` stored responses (one finished through the UI, unthrottled, then copies of it
 * written straight into IndexedDB), then times the warm survey list, throttled.
 */
async function storedRound(server, rate, count) {
  const { fillToTheEnd } = await import('../e2e/helpers.mjs');
  const browser = await openBrowser(1, APP_PROBE);
  try {
    const { page, cdp } = browser;
    await page.goto(server.url);
    await page.locator(SEL.surveyList).waitFor({ state: 'visible' });
    await page.locator(SEL.start).click();
    await page.locator(SEL.question).first().waitFor({ state: 'visible' });
    await fillToTheEnd(page);
    await page.evaluate(async (copies) => {
      const db = await new Promise((ok, fail) => {
        const open = indexedDB.open('survey-kit');
        open.onsuccess = () => ok(open.result);
        open.onerror = () => fail(open.error);
      });
      const all = await new Promise((ok, fail) => {
        const req = db.transaction('responses').objectStore('responses').getAll();
        req.onsuccess = () => ok(req.result);
        req.onerror = () => fail(req.error);
      });
      const finished = all.map((text) => JSON.parse(text)).find((r) => r.status === 'complete');
      if (!finished) throw new Error('no finished response to copy');
      const tx = db.transaction(['responses', 'meta'], 'readwrite');
      for (let i = 1; i <= copies; i += 1) {
        const copy = { ...finished, id: crypto.randomUUID(), seq: finished.seq + i, started_at: finished.started_at - i * 600_000 };
        copy.finished_at = copy.started_at + 420_000;
        // Most of a full tablet's responses were exported already; every tenth is waiting.
        if (i % 10 !== 0) copy.exported_at = copy.finished_at + 3_600_000;
        tx.objectStore('responses').put(JSON.stringify(copy), copy.id);
      }
      tx.objectStore('meta').put(JSON.stringify(finished.seq + copies), 'device_seq');
      await new Promise((ok, fail) => {
        tx.oncomplete = ok;
        tx.onerror = () => fail(tx.error);
      });
      db.close();
    }, count - 1);
    await leave(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate });
    await page.goto(server.url, { waitUntil: 'commit' });
    await page.waitForFunction(() => window.__perf && window.__perf.listAt !== undefined, null, { timeout: WAIT });
    const listed = await page.locator('[data-testid=survey-list]').innerText();
    return { count, list: await page.evaluate(() => window.__perf.listAt), listed: listed.length };
  } finally {
    await browser.close();
  }
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

function summarise(values) {
  return {
    n: values.length,
    min: Math.min(...values),
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    max: Math.max(...values),
    mean: values.reduce((a, b) => a + b, 0) / values.length,
  };
}

function sizes(dist) {
  const rows = [];
  for (const name of readdirSync(dist).sort()) {
    if (!['.wasm', '.js', '.css'].includes(extname(name))) continue;
    const data = readFileSync(join(dist, name));
    const text = extname(name) !== '.wasm';
    rows.push({
      file: name,
      // sw.js is the service worker, not part of the app bundle the page loads.
      bundle: name !== 'sw.js',
      raw: data.length,
      gzip: gzipSync(data, { level: 9 }).length,
      brotli: brotliCompressSync(data, {
        params: {
          [zlibConstants.BROTLI_PARAM_QUALITY]: 11,
          [zlibConstants.BROTLI_PARAM_MODE]: text ? zlibConstants.BROTLI_MODE_TEXT : zlibConstants.BROTLI_MODE_GENERIC,
          [zlibConstants.BROTLI_PARAM_SIZE_HINT]: data.length,
        },
      }).length,
    });
  }
  const total = (filter) =>
    rows.filter(filter).reduce((sum, r) => ({ raw: sum.raw + r.raw, gzip: sum.gzip + r.gzip, brotli: sum.brotli + r.brotli }), { raw: 0, gzip: 0, brotli: 0 });
  return { files: rows, bundleTotal: total((r) => r.bundle), allTotal: total(() => true) };
}

function table(headers, rows) {
  const cells = [headers, ...rows].map((row) => row.map(String));
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  const line = (row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

const ms = (x) => (x === null || x === undefined || Number.isNaN(x) ? '-' : x.toFixed(1));
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

function safe(fn) {
  try {
    return fn();
  } catch {
    return null;
  }
}

async function main() {
  // A copy of the build is served and measured, so that a rebuild of app/dist during the run cannot mix builds.
  const dist = mkdtempSync(join(tmpdir(), 'survey-kit-perf-dist-'));
  cpSync(requireDist(), dist, { recursive: true });
  const example = JSON.parse(readFileSync(SURVEY_FILE, 'utf8'));
  const floor = floorPage(example);
  writeFileSync(join(HERE, FLOOR), floor);
  writeFileSync(join(dist, FLOOR), floor);
  // The 1,000-question survey and its floor page live only in the served copy and a temporary file.
  const big = thousandSurvey(example);
  const bigFile = join(dist, `${BIG_ID}.json`);
  writeFileSync(bigFile, JSON.stringify(big, null, 2));
  writeFileSync(join(dist, BIG_FLOOR), floorPage(big));
  const started = Date.now();
  const server = await startServer(dist, { port: 0 });
  const meta = {
    date: new Date().toISOString(),
    commit: safe(() => execFileSync('git', ['-C', REPO, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim()),
    chromium: safe(() => execFileSync(CHROMIUM_PATH, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()),
    node: process.version,
    cpus: `${cpus().length} x ${cpus()[0]?.model ?? '?'}`,
    loadavgBefore: loadavg().map((x) => x.toFixed(2)).join(' '),
    dist: readdirSync(dist).filter((name) => /\.(wasm|js|css)$/.test(name)).sort(),
    throttleRate: RATE,
    runs: RUNS,
    answers: ANSWERS,
    stored: STORED,
    sections: [...ONLY],
    serviceWorkers: 'blocked',
    server: 'tests/e2e/server.mjs on 127.0.0.1 (no network latency, no compression; ETag revalidation)',
  };

  const busy = loadavg()[0];
  if (busy > cpus().length * 0.5) {
    console.log(`warning: load average ${busy.toFixed(2)} on ${cpus().length} CPUs: other work competes for the CPU and the figures will be noisy`);
  }
  try {
    const cold = [];
    if (ONLY.has('cold')) {
      console.log(`cold load: ${RUNS} runs at ${RATE}x CPU throttling ...`);
      for (let i = 0; i < RUNS; i += 1) {
        const run = await coldRun(server, RATE);
        cold.push(run);
        console.log(`  run ${i + 1}: list ${ms(run.listVisible)} ms, first question ${ms(run.questionVisible)} ms, interactive ${ms(run.questionInteractive)} ms`);
      }
    }

    const latency = {};
    if (ONLY.has('latency')) {
      for (const rate of [RATE, 1]) {
        console.log(`answer-to-commit latency: ${ANSWERS} answers at ${rate}x ...`);
        latency[`${rate}x`] = await latencyRun(server, rate, ANSWERS);
      }
    }

    const startup = [];
    if (ONLY.has('startup')) {
      console.log(`start-up against the floor: ${RUNS} rounds at ${RATE}x ...`);
      for (let i = 0; i < RUNS; i += 1) {
        const round = await startupRound(server, RATE);
        startup.push(round);
        console.log(`  round ${i + 1}: app cold ${ms(round.appCold.firstQuestion)} warm ${ms(round.appWarm.firstQuestion)}, floor cold ${ms(round.floorCold.firstQuestion)} warm ${ms(round.floorWarm.firstQuestion)} ms`);
      }
    }

    const stored = {};
    if (ONLY.has('stored')) {
      for (const count of STORED) {
        console.log(`warm survey list with ${count} stored responses: ${RUNS} runs at ${RATE}x ...`);
        stored[count] = [];
        for (let i = 0; i < RUNS; i += 1) {
          const run = await storedRound(server, RATE, count);
          stored[count].push(run);
          console.log(`  run ${i + 1}: list ${ms(run.list)} ms`);
        }
      }
    }

    let thousand = null;
    if (ONLY.has('thousand')) {
      console.log(`per answer on a ${BIG_QUESTIONS}-question page: ${BIG_ANSWERS} answers at ${RATE}x, app then floor ...`);
      thousand = await thousandRun(server, RATE, bigFile);
      console.log(`  app median ${ms(median(thousand.app))} ms, floor median ${ms(median(thousand.floor))} ms`);
    }

    // Only now, with every timed part done: compressing competes with the browser for the CPU.
    const size = sizes(dist);

    const coldSummary = cold.length === 0 ? null : {
      listVisible: median(cold.map((r) => r.listVisible)),
      questionVisible: median(cold.map((r) => r.questionVisible)),
      questionInteractive: median(cold.map((r) => r.questionInteractive)),
      wasmFetched: median(cold.map((r) => r.wasmFetched)),
      wasmStarted: median(cold.filter((r) => r.wasmStarted !== null).map((r) => r.wasmStarted)),
      domContentLoaded: median(cold.map((r) => r.domContentLoaded)),
    };
    const latencySummary = Object.fromEntries(
      Object.entries(latency).map(([key, run]) => [
        key,
        {
          fromClick: summarise(run.samples.map((s) => s.fromClick)),
          fromPointerDown: summarise(run.samples.filter((s) => s.fromPointerDown !== null).map((s) => s.fromPointerDown)),
          calibrationMs: run.calibrationMs,
          pageMoves: run.pageMoves,
        },
      ]),
    );
    const pick = (key, field) => median(startup.map((r) => r[key][field]));
    const startupSummary = startup.length === 0 ? null : {
      appCold: { list: pick('appCold', 'list'), start: pick('appCold', 'start'), firstQuestion: pick('appCold', 'firstQuestion') },
      appWarm: { list: pick('appWarm', 'list'), start: pick('appWarm', 'start'), firstQuestion: pick('appWarm', 'firstQuestion') },
      floorCold: { firstQuestion: pick('floorCold', 'firstQuestion') },
      floorWarm: { firstQuestion: pick('floorWarm', 'firstQuestion') },
    };
    if (startupSummary) {
      startupSummary.ratios = {
        cold: startupSummary.appCold.firstQuestion / startupSummary.floorCold.firstQuestion,
        warm: startupSummary.appWarm.firstQuestion / startupSummary.floorWarm.firstQuestion,
      };
    }
    const storedSummary = Object.fromEntries(Object.entries(stored).map(([count, runs]) => [count, { list: median(runs.map((r) => r.list)) }]));
    const baseline = storedSummary[STORED[0]]?.list;
    for (const entry of Object.values(storedSummary)) entry.ratio = baseline ? entry.list / baseline : null;

    console.log('');
    console.log(`Survey Kit field app — performance report (${meta.date}, commit ${meta.commit ?? '?'})`);
    console.log(`${meta.chromium ?? 'Chromium'}; ${meta.cpus}; load average before: ${meta.loadavgBefore}, after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    if (coldSummary) {
      console.log('');
      console.log(`1. Cold load at ${RATE}x CPU throttling, fresh profile, service workers blocked (median of ${RUNS}; ms)`);
      console.log(
        table(
          ['measure', 'median', 'min', 'max', 'runs'],
          [
            ['navigation start -> survey list visible', 'listVisible'],
            ['click start -> first question visible', 'questionVisible'],
            ['click start -> first question interactive', 'questionInteractive'],
            ['  (navigation start -> wasm fetched)', 'wasmFetched'],
            ['  (navigation start -> wasm started)', 'wasmStarted'],
          ].map(([label, key]) => {
            const values = cold.map((r) => r[key]).filter((v) => v !== null);
            return [label, ms(coldSummary[key]), ms(Math.min(...values)), ms(Math.max(...values)), values.map((v) => v.toFixed(0)).join(' ')];
          }),
        ),
      );
      console.log(`   (throttling check: a CPU-bound loop in each run's app page took ${cold.map((r) => r.calibrationMs.toFixed(0)).join(' ')} ms)`);
    }
    if (Object.keys(latencySummary).length > 0) {
      console.log('');
      console.log(`2. Answer-to-commit latency, ${ANSWERS} answers in one response (click -> data-state=saved; ms)`);
      const rateLabel = (key) => (key === '1x' ? 'no throttling' : `${key} throttling`);
      console.log(
        table(
          ['CPU', 'p50', 'p95', 'max', 'min', 'mean', 'page moves', 'calibration loop'],
          Object.entries(latencySummary).map(([key, s]) => [
            rateLabel(key),
            ms(s.fromClick.p50),
            ms(s.fromClick.p95),
            ms(s.fromClick.max),
            ms(s.fromClick.min),
            ms(s.fromClick.mean),
            s.pageMoves,
            `${ms(s.calibrationMs)} ms`,
          ]),
        ),
      );
      const rates = Object.values(latencySummary).map((s) => s.calibrationMs);
      if (rates.length === 2) {
        console.log(`   (calibration: a CPU-bound loop in the app's page ran ${(rates[0] / rates[1]).toFixed(1)}x slower throttled than unthrottled)`);
      }
    }
    if (startupSummary) {
      const s = startupSummary;
      console.log('');
      console.log(`3. Start-up against the plain-HTML floor, ${RATE}x throttling, one browser per round (median of ${RUNS}; ms)`);
      console.log(
        table(
          ['visit', 'app: list', 'app: start', 'app: first question', 'floor: first question', 'ratio'],
          [
            ['cold (first visit)', ms(s.appCold.list), ms(s.appCold.start), ms(s.appCold.firstQuestion), ms(s.floorCold.firstQuestion), `${s.ratios.cold.toFixed(2)}x`],
            ['warm (second visit)', ms(s.appWarm.list), ms(s.appWarm.start), ms(s.appWarm.firstQuestion), ms(s.floorWarm.firstQuestion), `${s.ratios.warm.toFixed(2)}x`],
          ],
        ),
      );
      console.log(`   (throttling check per round: ${startup.map((r) => r.calibrationMs.toFixed(0)).join(' ')} ms)`);
    }
    if (Object.keys(storedSummary).length > 0) {
      console.log('');
      console.log(`4. Warm survey list with stored responses, ${RATE}x throttling (median of ${RUNS}; ms; ratio to ${STORED[0]})`);
      console.log(
        table(
          ['stored responses', 'survey list visible', 'ratio', 'runs'],
          Object.entries(storedSummary).map(([count, e]) => [count, ms(e.list), e.ratio === null ? '-' : `${e.ratio.toFixed(2)}x`, stored[count].map((r) => r.list.toFixed(0)).join(' ')]),
        ),
      );
    }
    let thousandSummary = null;
    if (thousand) {
      thousandSummary = {
        app: summarise(thousand.app),
        floor: summarise(thousand.floor),
        commit: summarise(thousand.commit),
        calibrationMs: thousand.calibrationMs,
      };
      thousandSummary.ratio = thousandSummary.app.p50 / thousandSummary.floor.p50;
      const t = thousandSummary;
      console.log('');
      console.log(`5. Per answer on one page of ${BIG_QUESTIONS} questions, ${RATE}x throttling, ${BIG_ANSWERS} answers (driver click -> next frame; ms)`);
      console.log(
        table(
          ['page', 'p50', 'p95', 'max', 'min', 'ratio (p50)'],
          [
            ['app', ms(t.app.p50), ms(t.app.p95), ms(t.app.max), ms(t.app.min), `${t.ratio.toFixed(2)}x`],
            ['floor', ms(t.floor.p50), ms(t.floor.p95), ms(t.floor.max), ms(t.floor.min), '1.00x'],
            ['app: click -> committed (in page)', ms(t.commit.p50), ms(t.commit.p95), ms(t.commit.max), ms(t.commit.min), ''],
          ],
        ),
      );
      console.log(`   (throttling check: ${ms(t.calibrationMs)} ms)`);
    }
    console.log('');
    console.log('6. Sizes of app/dist (gzip -9, brotli q11)');
    console.log(
      table(
        ['file', 'raw', 'gzip', 'brotli'],
        [
          ...size.files.map((r) => [r.bundle ? r.file : `${r.file} (service worker)`, kib(r.raw), kib(r.gzip), kib(r.brotli)]),
          ['total: app bundle (wasm + js + css)', kib(size.bundleTotal.raw), kib(size.bundleTotal.gzip), kib(size.bundleTotal.brotli)],
          ['total: with sw.js', kib(size.allTotal.raw), kib(size.allTotal.gzip), kib(size.allTotal.brotli)],
        ],
      ),
    );

    const report = {
      meta: { ...meta, loadavgAfter: loadavg().map((x) => x.toFixed(2)).join(' '), durationMs: Date.now() - started },
      coldLoad: coldSummary && { unit: 'ms', summary: coldSummary, runs: cold },
      answerToCommit: Object.keys(latency).length === 0 ? null : {
        unit: 'ms',
        summary: latencySummary,
        samples: Object.fromEntries(Object.entries(latency).map(([key, run]) => [key, run.samples.map((s) => Number(s.fromClick.toFixed(2)))])),
      },
      startup: startupSummary && { unit: 'ms', summary: startupSummary, rounds: startup },
      storedResponses: Object.keys(stored).length === 0 ? null : { unit: 'ms', summary: storedSummary, runs: stored },
      thousandQuestions: thousand && { unit: 'ms', summary: thousandSummary, samples: thousand },
      sizes: { unit: 'bytes', ...size },
    };
    writeFileSync(REPORT, JSON.stringify(report, null, 2) + '\n');
    console.log('');
    console.log(`written ${REPORT} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  } finally {
    await server.close();
    rmSync(dist, { recursive: true, force: true });
  }
}

await main();
