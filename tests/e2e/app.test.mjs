// End-to-end tests of the field app: answers kept across reloads, offline start, paging to the end, language switch.
//
// Run from the repository root, after building the app into app/dist:
//   node --test --test-reporter=tap tests/e2e/
// Each test serves app/dist on its own port with its own fresh browser profile, so no test sees another's data.
// On a failure a screenshot and the page's console errors are written to tests/.artifacts/.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';

import { startServer } from './server.mjs';
import { TIMEOUT, collectErrors, firstPage, freshProfile, launch, removeProfile, requireDist } from './helpers.mjs';

const ARTIFACTS = resolve(dirname(fileURLToPath(import.meta.url)), '../.artifacts');
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const SEL = {
  surveyList: '[data-testid=survey-list]',
  // The generic flows use the survey with only choice, scale and text questions; every kind and
  // the skip logic are exercised in kinds.test.mjs.
  start: '[data-testid=start-party-building-satisfaction]',
  question: '[data-testid=question]',
  saveStatus: '[data-testid=save-status]',
  saved: '[data-testid=save-status][data-state=saved]',
  next: '[data-testid=next]',
  finish: '[data-testid=finish]',
  done: '[data-testid=done]',
  home: '[data-testid=home]',
  drafts: '[data-testid=drafts]',
  langSwitch: '[data-testid=lang-switch]',
};

/**
 * Counts every change of the save indicator, so that a test can wait for the save that its own answer started
 * rather than be fooled by the "saved" state left from the answer before.
 */
const SAVE_WATCH = `(() => {
  window.__e2eSaveChanges = 0;
  const isStatus = (node) => node && node.nodeType === 1 && node.matches('[data-testid=save-status]');
  new MutationObserver((records) => {
    for (const record of records) {
      if (record.type === 'attributes' && isStatus(record.target)) window.__e2eSaveChanges += 1;
      if (record.type === 'childList') {
        for (const node of record.addedNodes) {
          if (node.nodeType === 1 && (isStatus(node) || node.querySelector('[data-testid=save-status]'))) {
            window.__e2eSaveChanges += 1;
          }
        }
      }
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
})();`;

/**
 * Serves the app, opens a browser on a fresh profile, runs `body`, and always closes everything again.
 * On failure a screenshot and the page's errors are saved, and the errors are added to the failure's message.
 */
async function withApp(t, { serviceWorkers = 'allow', locale = 'zh-CN' } = {}, body) {
  const dist = requireDist();
  const server = await startServer(dist, { port: 0 });
  const profile = freshProfile();
  let browser = null;
  let page = null;
  let errors = [];
  try {
    browser = await launch({ userDataDir: profile, serviceWorkers, locale });
    await browser.context.addInitScript(SAVE_WATCH);
    page = await firstPage(browser.context);
    errors = collectErrors(page);
    await body({ page, server, context: browser.context });
  } catch (err) {
    await saveArtifacts(t.name, page, errors);
    if (errors.length && err && typeof err.message === 'string') {
      err.message += `\n--- page errors ---\n${errors.slice(-20).join('\n')}`;
    }
    throw err;
  } finally {
    if (browser) await browser.close();
    await server.close();
    removeProfile(profile);
  }
}

async function saveArtifacts(name, page, errors) {
  try {
    mkdirSync(ARTIFACTS, { recursive: true });
    const base = join(ARTIFACTS, name.replace(/[^\w.-]+/g, '_'));
    writeFileSync(`${base}.log`, errors.join('\n') + '\n');
    if (page && !page.isClosed()) await page.screenshot({ path: `${base}.png`, fullPage: true, timeout: 5000 });
  } catch {
    // Artifacts are a courtesy; failing to write them must not hide the test's own failure.
  }
}

/** Opens the app's home page and waits for the list of surveys. */
async function openHome(page, url) {
  await page.goto(url);
  await page.locator(SEL.surveyList).waitFor({ state: 'visible' });
}

/** Starts a response to the first survey; returns the response id taken from the URL's `#/fill/<id>`. */
async function startFirstSurvey(page) {
  await page.locator(SEL.start).first().click();
  await page.locator(SEL.question).first().waitFor({ state: 'visible' });
  await page.waitForFunction(() => /^#\/fill\/[^/?#]+/.test(location.hash), null, { timeout: TIMEOUT });
  return responseId(page);
}

function responseId(page) {
  const match = /#\/fill\/([^/?#]+)/.exec(new URL(page.url()).hash);
  assert.ok(match, `URL is not a #/fill/<id> route: ${page.url()}`);
  return decodeURIComponent(match[1]);
}

/**
 * Answers one question the way a person would: the first option of each radio group (clicking its label), the
 * first option of a checkbox group, and `text` in every text field (leaving the field, so change handlers run).
 * With `waitSaved`, waits until the app reports that this answer was written to IndexedDB.
 */
async function answerQuestion(page, question, text, { waitSaved = true } = {}) {
  // A note is shown, not answered.
  if ((await question.getAttribute('data-kind')) === 'note') return;
  const before = await page.evaluate(() => window.__e2eSaveChanges);
  let answered = false;

  const radios = question.locator('input[type=radio]');
  const radioCount = await radios.count();
  if (radioCount > 0) {
    const names = [];
    for (let i = 0; i < radioCount; i += 1) {
      const name = (await radios.nth(i).getAttribute('name')) || '';
      if (!names.includes(name)) names.push(name);
    }
    for (const name of names) {
      const label = name
        ? question.locator(`label:has(input[type=radio][name="${cssString(name)}"])`).first()
        : question.locator('label:has(input[type=radio])').first();
      await label.click();
      answered = true;
    }
  }

  if (!answered) {
    const boxes = question.locator('label:has(input[type=checkbox])');
    if ((await boxes.count()) > 0) {
      await boxes.first().click();
      answered = true;
    }
  }

  if (!answered) {
    const fields = question.locator('textarea, input:not([type]), input[type=text], input[type=number], input[type=search]');
    const count = await fields.count();
    for (let i = 0; i < count; i += 1) {
      const field = fields.nth(i);
      const type = await field.getAttribute('type');
      await field.fill(type === 'number' ? '1' : text);
      await field.blur();
      answered = true;
    }
  }

  if (!answered) {
    const selects = question.locator('select');
    const count = await selects.count();
    for (let i = 0; i < count; i += 1) {
      const values = await selects.nth(i).locator('option').evaluateAll((options) => options.map((o) => o.value).filter(Boolean));
      if (values.length) {
        await selects.nth(i).selectOption(values[0]);
        answered = true;
      }
    }
  }

  const qid = await question.getAttribute('data-qid');
  assert.ok(answered, `question ${qid} has no radio, checkbox, text field or select to answer`);
  if (waitSaved) await waitForSave(page, before, qid);
}

/** Waits for the save indicator to change after `before` and settle on "saved"; "error" fails at once. */
async function waitForSave(page, before, qid) {
  const handle = await page.waitForFunction(
    (count) => {
      if (window.__e2eSaveChanges <= count) return false;
      const el = document.querySelector('[data-testid=save-status]');
      const state = el && el.getAttribute('data-state');
      return state === 'saved' || state === 'error' ? state : false;
    },
    before,
    { timeout: TIMEOUT },
  ).catch((err) => {
    throw new Error(`no new save of question ${qid} was reported by [data-testid=save-status] within ${TIMEOUT} ms: ${err.message}`);
  });
  const state = await handle.jsonValue();
  assert.equal(state, 'saved', `saving the answer to question ${qid} failed (save-status data-state="${state}")`);
  await page.locator(SEL.saved).waitFor({ state: 'visible' });
}

function cssString(value) {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

/** What the questions on the page show: per data-qid, the checked options (index and value) and the text values. */
async function snapshotAnswers(page) {
  return page.locator(SEL.question).evaluateAll((questions) =>
    questions.map((q) => {
      const inputs = [...q.querySelectorAll('input[type=radio], input[type=checkbox]')];
      return {
        qid: q.getAttribute('data-qid'),
        checked: inputs.map((input, i) => (input.checked ? `${i}:${input.value}` : null)).filter((v) => v !== null),
        text: [...q.querySelectorAll('textarea, input:not([type]), input[type=text], input[type=number], input[type=search]')].map(
          (field) => field.value,
        ),
        selects: [...q.querySelectorAll('select')].map((select) => select.value),
      };
    }),
  );
}

/** Polls until `read()` deep-equals `expected` or the time is up, then asserts on the last value read. */
async function eventuallyDeepEqual(read, expected, message, timeout = TIMEOUT) {
  const deadline = Date.now() + timeout;
  let actual = await read();
  while (!isDeepStrictEqual(actual, expected) && Date.now() < deadline) {
    await sleep(200);
    actual = await read();
  }
  assert.deepEqual(actual, expected, message);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until a service worker is active and controls the page. The first visit's page is only controlled once
 * the worker has claimed it, so the page is reloaded once if the worker is ready but not yet in control.
 */
async function waitForServiceWorkerControl(page, timeout = 15_000) {
  const deadline = Date.now() + timeout;
  let reloaded = false;
  let state = null;
  while (Date.now() < deadline) {
    state = await page
      .evaluate(async () => {
        if (!('serviceWorker' in navigator)) return { supported: false, ready: false, controlled: false };
        const ready = await Promise.race([
          navigator.serviceWorker.ready.then(() => true),
          new Promise((resolve) => setTimeout(() => resolve(false), 500)),
        ]);
        return { supported: true, ready, controlled: navigator.serviceWorker.controller !== null };
      })
      // The app may reload itself when a worker takes control; that only means "look again".
      .catch((err) => {
        if (/context was destroyed|navigation/i.test(String(err && err.message))) return { navigating: true };
        throw err;
      });
    if (state.navigating) {
      await page.waitForLoadState('load');
      continue;
    }
    if (state.ready && state.controlled) return;
    if (state.ready && !state.controlled && !reloaded && Date.now() + 2000 < deadline) {
      await sleep(1000);
      reloaded = true;
      await page.reload();
      await page.locator(SEL.surveyList).waitFor({ state: 'visible' });
      continue;
    }
    await sleep(250);
  }
  assert.fail(`the page is not controlled by a service worker after ${timeout} ms: ${JSON.stringify(state)}`);
}

/** Asserts that the test server is really down, so that what follows can only come from the browser's caches. */
async function assertServerDown(server) {
  await assert.rejects(
    fetch(server.url, { signal: AbortSignal.timeout(5000) }),
    (err) => err instanceof Error,
    `the server at ${server.url} still answers after close()`,
  );
}

test('answers survive a reload', async (t) => {
  await withApp(t, {}, async ({ page, server }) => {
    await openHome(page, server.url);
    const id = await startFirstSurvey(page);

    const questions = page.locator(SEL.question);
    const total = await questions.count();
    assert.ok(total >= 3, `page 1 must show at least 3 questions to answer, it shows ${total}`);
    const answeredQids = [];
    for (let i = 0; i < 3; i += 1) {
      const question = questions.nth(i);
      const qid = await question.getAttribute('data-qid');
      assert.ok(qid, `question ${i + 1} on page 1 has no data-qid attribute`);
      answeredQids.push(qid);
      await answerQuestion(page, question, '测试');
    }

    const before = await snapshotAnswers(page);
    for (const qid of answeredQids) {
      const q = before.find((entry) => entry.qid === qid);
      const answered = q.checked.length > 0 || q.text.includes('测试') || q.selects.some(Boolean);
      assert.ok(answered, `question ${qid} does not show its answer before the reload: ${JSON.stringify(q)}`);
    }

    const hashBefore = new URL(page.url()).hash;
    await page.reload();
    await questions.first().waitFor({ state: 'visible' });
    assert.equal(new URL(page.url()).hash, hashBefore, 'the reload changed the route');
    assert.equal(responseId(page), id, 'the reload left the response');
    await eventuallyDeepEqual(
      () => snapshotAnswers(page),
      before,
      'the answers shown after the reload differ from those given before it',
    );

    // The page is part of the saved draft: a reload on page 2 resumes on page 2.
    const firstTitle = await page.locator('[data-testid=page-title]').innerText();
    await page.click(SEL.next);
    await page.waitForFunction((title) => {
      const heading = document.querySelector('[data-testid=page-title]');
      return heading && heading.innerText !== title;
    }, firstTitle);
    await page.waitForSelector(SEL.saved);
    const secondTitle = await page.locator('[data-testid=page-title]').innerText();
    await page.reload();
    await questions.first().waitFor({ state: 'visible' });
    assert.equal(await page.locator('[data-testid=page-title]').innerText(), secondTitle, 'the reload left page 2');
  });
});

test('when the example surveys cannot be fetched, the home screen says so, import works, and they load later', async (t) => {
  await withApp(t, { serviceWorkers: 'block' }, async ({ page, server }) => {
    // A first start without the example files (as offline): the device still works.
    await page.route('**/examples/*.json', (route) => route.abort('internetdisconnected'));
    await page.goto(server.url);
    await page.locator('[data-testid=examples-missing]').waitFor({ state: 'visible' });
    assert.equal(await page.locator('[data-testid=survey-list] > li').count(), 0, 'no example stored');
    const file = join(ROOT, 'crates/survey-core/test_data/schema/ok/0004_every-kind.json');
    await page.setInputFiles('[data-testid=import-file]', file);
    await page.waitForSelector('[data-testid=import-report].ok');
    await page.waitForSelector('[data-testid=start-kinds]');

    // The next start with the files there stores them, and the notice is gone.
    await page.unroute('**/examples/*.json');
    await openHome(page, server.url);
    await page.waitForSelector('[data-testid=start-party-building-satisfaction]');
    assert.equal(await page.locator('[data-testid=examples-missing]').count(), 0, 'the notice is gone');
    assert.equal(await page.locator('[data-testid=survey-list] > li').count(), 5, 'four examples and the import');
  });
});

test('works offline after the first visit', async (t) => {
  await withApp(t, { serviceWorkers: 'allow' }, async ({ page, server }) => {
    await openHome(page, server.url);
    await waitForServiceWorkerControl(page);

    await server.close();
    await assertServerDown(server);

    await page.reload();
    await page.locator(SEL.surveyList).waitFor({ state: 'visible' });
    await startFirstSurvey(page);

    const scale = page.locator(SEL.question).filter({ has: page.locator('input[type=radio]') }).first();
    await scale.waitFor({ state: 'visible' });
    // answerQuestion waits for this answer's own save to be reported as "saved" (and fails on "error").
    await answerQuestion(page, scale, '测试');
    await page.locator(SEL.saved).waitFor({ state: 'visible' });
  });
});

test('control: with service workers blocked, offline reload fails', async (t) => {
  await withApp(t, { serviceWorkers: 'block' }, async ({ page, server }) => {
    await openHome(page, server.url);
    const controlled = await page.evaluate(() => Boolean(navigator.serviceWorker && navigator.serviceWorker.controller));
    assert.equal(controlled, false, 'a service worker controls the page although service workers are blocked');

    await server.close();
    await assertServerDown(server);

    let loaded = false;
    let failure = null;
    try {
      await page.reload({ timeout: 10_000 });
      await page.locator(SEL.surveyList).waitFor({ state: 'visible', timeout: 5000 });
      loaded = true;
    } catch (err) {
      failure = err; // Expected: either the navigation or the app's start fails without the server.
    }
    assert.equal(loaded, false, 'the app loaded with the server down and no service worker: the offline test proves nothing');
    assert.ok(failure, 'the offline reload should have failed');
  });
});

test('navigates pages and finishes', async (t) => {
  await withApp(t, {}, async ({ page, server }) => {
    await openHome(page, server.url);
    const id = await startFirstSurvey(page);

    const qids = () => page.locator(SEL.question).evaluateAll((qs) => qs.map((q) => q.getAttribute('data-qid')).join('|'));
    const MAX_PAGES = 100;
    let pages = 0;
    for (;;) {
      pages += 1;
      assert.ok(pages <= MAX_PAGES, `still not on the last page after ${MAX_PAGES} pages`);
      const questions = page.locator(SEL.question);
      await questions.first().waitFor({ state: 'visible' });
      // Answers can reveal follow-up questions (skip logic), so the count is read again each time.
      for (let i = 0; i < (await questions.count()); i += 1) await answerQuestion(page, questions.nth(i), '无');

      if ((await page.locator(SEL.next).count()) === 0) break;
      const shown = await qids();
      await page.locator(SEL.next).click();
      await page.waitForFunction(
        ([sel, previous]) => {
          const now = [...document.querySelectorAll(sel)].map((q) => q.getAttribute('data-qid')).join('|');
          return now !== '' && now !== previous;
        },
        [SEL.question, shown],
        { timeout: TIMEOUT },
      ).catch((err) => {
        throw new Error(`clicking [data-testid=next] on page ${pages} did not show other questions: ${err.message}`);
      });
    }

    await page.locator(SEL.finish).click();
    await page.locator(SEL.done).waitFor({ state: 'visible' });

    await page.locator(SEL.home).first().click();
    await page.locator(SEL.surveyList).waitFor({ state: 'visible' });
    assert.equal(
      await page.locator(`[data-testid="draft-${cssString(id)}"]`).count(),
      0,
      `the finished response ${id} is still listed as a draft`,
    );
    if ((await page.locator(SEL.drafts).count()) > 0) {
      const text = await page.locator(SEL.drafts).first().innerHTML();
      assert.ok(!text.includes(`draft-${id}`), `the drafts list still names the finished response ${id}`);
    }
  });
});

test('language switch', async (t) => {
  await withApp(t, { locale: 'zh-CN' }, async ({ page, server }) => {
    await openHome(page, server.url);
    const lang = () => page.evaluate(() => document.documentElement.lang);
    const switchTo = async (expected) => {
      await page.locator(SEL.langSwitch).first().click();
      await page
        .waitForFunction((want) => document.documentElement.lang === want, expected, { timeout: TIMEOUT })
        .catch(() => {});
      assert.equal(await lang(), expected, `the language switch did not set <html lang> to ${expected}`);
    };

    assert.equal(await lang(), 'zh-CN', 'a zh-CN browser should start in Chinese');
    await switchTo('en');
    await switchTo('zh-CN');
  });
});
