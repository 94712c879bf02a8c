// Shared helpers of the end-to-end tests: launching Debian's Chromium through playwright-core, and locating the build.
//
// playwright-core is used instead of the full playwright package because it never downloads a browser of its own;
// the machine's Chromium is used instead, which is the only browser that can be installed here.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { startServer } from './server.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const TESTS_DIR = resolve(HERE, '..');
const AXE = join(TESTS_DIR, 'node_modules/axe-core/axe.min.js');

/** The Chromium binary; CHROMIUM_PATH overrides it for machines that keep it elsewhere. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Flags that keep the browser quiet and self-contained: no network of its own, no GPU, no sandbox (we run as root). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Default wait for selectors and navigations: generous, since a cold wasm start on a 2-core machine can be slow. */
export const TIMEOUT = 15_000;

/**
 * The app's trunk output, resolved relative to this file so that the tests run from any folder.
 * E2E_DIST_DIR overrides it, e.g. to try the harness on another build.
 */
export function distDir() {
  return process.env.E2E_DIST_DIR ? resolve(process.env.E2E_DIST_DIR) : resolve(HERE, '../../app/dist');
}

/** Throws a clear error when the app has not been built, so that the tests fail at once instead of timing out. */
export function requireDist() {
  const dir = distDir();
  if (!existsSync(join(dir, 'index.html'))) {
    throw new Error(`app/dist not built: run ./dev build (no index.html in ${dir})`);
  }
  return dir;
}

/** A new empty browser profile folder under tests/.profiles/ (ignored by git). */
export function freshProfile() {
  const parent = join(TESTS_DIR, '.profiles');
  mkdirSync(parent, { recursive: true });
  return mkdtempSync(join(parent, 'profile-'));
}

/** Removes a profile folder made by freshProfile(); errors are ignored as the folder is only scratch space. */
export function removeProfile(dir) {
  if (dir) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

/**
 * Starts Chromium and returns a browser context.
 *
 * With a userDataDir a persistent context is used, so that IndexedDB, caches and service workers live in a real
 * profile on disk, as they do for a person; without one a throwaway context is made.
 *
 * @param {{userDataDir?: string, serviceWorkers?: 'allow'|'block', locale?: string, headless?: boolean}} [options]
 * @returns {Promise<{context: import('playwright-core').BrowserContext, browser: import('playwright-core').Browser|null, close: () => Promise<void>}>}
 */
export async function launch({ userDataDir, serviceWorkers = 'allow', locale = 'zh-CN', headless = true } = {}) {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install Debian's chromium package (apt-get install chromium)`);
  }
  const launchOptions = { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless, timeout: 60_000 };
  const contextOptions = { viewport: { width: 1024, height: 768 }, locale, serviceWorkers };

  let context;
  let browser = null;
  if (userDataDir) {
    context = await chromium.launchPersistentContext(userDataDir, { ...launchOptions, ...contextOptions });
  } else {
    browser = await chromium.launch(launchOptions);
    context = await browser.newContext(contextOptions);
  }
  context.setDefaultTimeout(TIMEOUT);
  context.setDefaultNavigationTimeout(TIMEOUT);

  let closing = null;
  const close = () => {
    if (!closing) {
      closing = (async () => {
        await context.close().catch(() => {});
        if (browser) await browser.close().catch(() => {});
      })();
    }
    return closing;
  };
  return { context, browser, close };
}

/** The first page of a context: a persistent context opens with one already. */
export async function firstPage(context) {
  return context.pages()[0] || (await context.newPage());
}

/**
 * Collects the page's console errors and uncaught exceptions, so that a failing test can show what the app said.
 * Returns the array that is filled as messages arrive.
 */
export function collectErrors(page) {
  const errors = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  return errors;
}

/**
 * Serves app/dist, opens the app on a fresh persistent profile at the survey list, runs
 * `body(page, server)`, fails if the page reported errors, and always closes everything.
 */
export async function withFreshApp(options, body) {
  const server = await startServer(requireDist(), { port: 0 });
  const profile = freshProfile();
  const browser = await launch({ userDataDir: profile, ...options });
  const page = await firstPage(browser.context);
  const errors = collectErrors(page);
  try {
    await page.goto(server.url);
    await page.waitForSelector('[data-testid=survey-list]');
    await body(page, server);
    assert.deepEqual(errors, [], 'the page reported errors');
  } finally {
    await browser.close();
    await server.close();
    removeProfile(profile);
  }
}

/** Waits until the save indicator shows that the newest change committed. */
export async function saved(page) {
  await page.waitForSelector('[data-testid=save-status][data-state=saved]');
}

/** Fills in the evaluator's details in Settings and returns to the survey list. */
export async function setUpEvaluator(page, { name = '李明', code = 'E07', team = '第三方测评一组', pin = '2468' } = {}) {
  await page.click('[data-testid=settings]');
  await page.fill('#evaluator-name', name);
  await page.fill('#evaluator-code', code);
  await page.fill('#evaluator-team', team);
  await page.fill('#evaluator-pin', pin);
  await page.click('[data-testid=save-evaluator]');
  await page.waitForSelector('[data-testid=evaluator-saved]');
  await page.click('[data-testid=home]');
  await page.waitForSelector('[data-testid=evaluator]');
}

/** Answers every visible question of every page and finishes. */
export async function fillToTheEnd(page) {
  for (let pageNo = 0; pageNo < 20; pageNo += 1) {
    for (let i = 0; i < (await page.locator('[data-testid=question]').count()); i += 1) {
      const question = page.locator('[data-testid=question]').nth(i);
      const kind = await question.getAttribute('data-kind');
      if (kind === 'note') continue;
      if (kind === 'text') await question.locator('textarea, input[type=text]').fill('无');
      else await question.locator('label.option').first().click();
      await saved(page);
    }
    if ((await page.locator('[data-testid=next]').count()) === 0) break;
    const title = await page.locator('[data-testid=page-title]').innerText();
    await page.click('[data-testid=next]');
    await page.waitForFunction((t) => document.querySelector('[data-testid=page-title]')?.innerText !== t, title);
  }
  await page.click('[data-testid=finish]');
  await page.waitForSelector('[data-testid=done]');
}

/** Fails when axe-core finds a serious or critical accessibility violation on the screen shown. */
export async function axeCheck(page, screen) {
  // Evaluated, not added as a script tag: the page's Content-Security-Policy refuses inline scripts (as it should).
  await page.evaluate(readFileSync(AXE, 'utf8'));
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 3) }));
  });
  const serious = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(serious, [], `${screen}: serious or critical accessibility violations`);
}
