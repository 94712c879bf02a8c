// Crash safety of the field app: an answer the save indicator has shown as saved must survive the browser being
// killed at that moment.
//
// Chromium is started here by hand (not by Playwright) on a persistent profile, so that it can be killed the way a
// tablet's browser dies: SIGKILL to its whole process group, with no chance to flush or shut down. Playwright only
// attaches over the DevTools protocol. At 20 random points of filling in the example survey the test answers a
// random visible question, waits until the app reports *that* answer as saved, kills the browser at once, starts
// it again on the same profile and checks that
//   (a) IndexedDB holds every answer recorded so far, with the value given last, and
//   (b) the app resumes on the page it was on and shows the answers there, the latest one included.
// Between crashes it also moves between pages, so that crashes happen on different pages.
//
// The random choices come from a seeded generator. The seed is printed; CRASH_SEED=<n> replays a run:
//   CRASH_SEED=12345 node --test --test-reporter=tap tests/e2e/crash.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { startServer } from './server.mjs';
import { TIMEOUT, freshProfile, removeProfile, requireDist } from './helpers.mjs';
import { crash, grace, killGroup, launchChromium, sleep } from './chromium.mjs';

const ARTIFACTS = resolve(dirname(fileURLToPath(import.meta.url)), '../.artifacts');
const CRASHES = 20;
const SURVEY = 'party-building-satisfaction';

const SEL = {
  surveyList: '[data-testid=survey-list]',
  start: `[data-testid=start-${SURVEY}]`,
  question: '[data-testid=question]',
  saveStatus: '[data-testid=save-status]',
  pageTitle: '[data-testid=page-title]',
  next: '[data-testid=next]',
  back: '[data-testid=back]',
};

/**
 * Records every change of the save indicator with the state it left (`oldValue` is taken when the change happens,
 * not when the observer runs), so that a wait can tell "this answer went from saving to saved" from a "saved" that
 * was already shown before the answer.
 */
const SAVE_WATCH = `(() => {
  window.__crashSaveLog = [];
  const isStatus = (node) => node && node.nodeType === 1 && node.matches('[data-testid=save-status]');
  new MutationObserver((records) => {
    for (const record of records) {
      if (record.type === 'attributes' && isStatus(record.target)) window.__crashSaveLog.push({ from: record.oldValue });
      if (record.type === 'childList') {
        for (const node of record.addedNodes) {
          if (node.nodeType === 1 && (isStatus(node) || node.querySelector('[data-testid=save-status]'))) {
            window.__crashSaveLog.push({ from: null });
          }
        }
      }
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeOldValue: true, attributeFilter: ['data-state'] });
})();`;

/** mulberry32: a small seeded generator, good enough to pick questions and options reproducibly. */
function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (items) => items[Math.floor(next() * items.length)],
    chance: (p) => next() < p,
  };
}

function chooseSeed() {
  const env = process.env.CRASH_SEED;
  if (env !== undefined && env !== '') {
    const seed = Number(env);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`CRASH_SEED must be an integer 0..4294967295, got ${env}`);
    return seed;
  }
  return Math.floor(Math.random() * 0x100000000);
}

/** Index of the save log's end; pass it to waitForOwnSave after the action whose save is awaited. */
const saveMark = (page) => page.evaluate(() => window.__crashSaveLog.length);

/**
 * Waits until, after `mark`, the indicator left "saving" and now says "saved": the save that the action after the
 * mark started has committed (earlier saves cannot be mistaken for it, as the app only shows "saved" for the newest
 * write). "error" fails at once.
 */
async function waitForOwnSave(page, mark, what) {
  const handle = await page
    .waitForFunction(
      (from) => {
        const log = window.__crashSaveLog.slice(from);
        const state = document.querySelector('[data-testid=save-status]')?.getAttribute('data-state');
        if (state === 'error') return 'error';
        return state === 'saved' && log.some((entry) => entry.from === 'saving') ? 'saved' : false;
      },
      mark,
      { timeout: TIMEOUT, polling: 'raf' },
    )
    .catch((err) => {
      throw new Error(`${what}: no save was reported as committed within ${TIMEOUT} ms: ${err.message}`);
    });
  const state = await handle.jsonValue();
  const text = await page.locator(SEL.saveStatus).innerText().catch(() => '');
  assert.equal(state, 'saved', `${what}: the save failed: ${text}`);
}

/** Waits until no save is in flight (state idle, saved or error), so that the next action starts from rest. */
async function settled(page) {
  await page.waitForFunction(() => {
    const state = document.querySelector('[data-testid=save-status]')?.getAttribute('data-state');
    return state && state !== 'saving';
  });
}

/** The value the app stores for the radio option `raw` of a question of `kind`. */
function storedValue(kind, raw) {
  switch (kind) {
    case 'scale':
      return Number.parseInt(raw, 10);
    case 'yes_no':
      return raw === 'true';
    case 'single':
      return raw;
    default:
      throw new Error(`no radio mapping for kind ${kind}`);
  }
}

/**
 * Reads the response `id` straight from IndexedDB in the page; null when it is missing. As the store defines it
 * (app/src/field/store/mod.rs): the `responses` record, with the `answers` records of that response (keys
 * "<id> <question>", each {response, question, answer}; a null answer was cleared) laid over it.
 */
async function readDraft(page, id) {
  const stored = await page.evaluate(
    (key) =>
      new Promise((ok, fail) => {
        const request = indexedDB.open('survey-kit');
        request.onupgradeneeded = () => {
          request.transaction.abort();
          fail(new Error('the database survey-kit does not exist'));
        };
        request.onerror = () => fail(new Error(`opening survey-kit: ${request.error}`));
        request.onsuccess = () => {
          const db = request.result;
          try {
            const tx = db.transaction(['responses', 'answers'], 'readonly');
            const get = tx.objectStore('responses').get(key);
            const answers = tx.objectStore('answers').getAll(IDBKeyRange.bound(`${key} `, `${key}!`, false, true));
            tx.oncomplete = () => {
              db.close();
              ok({ text: get.result === undefined ? null : get.result, answers: answers.result });
            };
            tx.onerror = () => {
              db.close();
              fail(new Error(`reading responses/${key}: ${tx.error}`));
            };
          } catch (err) {
            db.close();
            fail(err);
          }
        };
      }),
    id,
  );
  if (stored.text === null) return null;
  assert.equal(typeof stored.text, 'string', 'a response is stored as JSON text');
  const draft = JSON.parse(stored.text);
  for (const text of stored.answers) {
    assert.equal(typeof text, 'string', 'an answer is stored as JSON text');
    const { response, question, answer } = JSON.parse(text);
    assert.equal(response, id, `answer record ${question} belongs to its response`);
    if (answer === null) delete draft.answers[question];
    else draft.answers[question] = answer;
  }
  return draft;
}

/** What the page shows: its title and, per visible question, its kind, checked radio value and text value. */
async function shownAnswers(page) {
  const title = await page.locator(SEL.pageTitle).innerText();
  const questions = await page.locator(SEL.question).evaluateAll((els) =>
    els.map((q) => ({
      qid: q.dataset.qid,
      kind: q.dataset.kind,
      checked: [...q.querySelectorAll('input[type=radio]')].filter((i) => i.checked).map((i) => i.value),
      text: [...q.querySelectorAll('textarea, input[type=text]')].map((f) => f.value),
    })),
  );
  return { title, questions };
}

test('crash safety: no answer shown as saved is lost when the browser is killed', { timeout: 300_000 }, async (t) => {
  const seed = chooseSeed();
  const rng = prng(seed);
  const replay = `CRASH_SEED=${seed}`;
  console.log(`# crash test seed ${seed} (replay with ${replay})`);
  t.diagnostic(`seed ${seed} (replay with ${replay})`);

  const server = await startServer(requireDist(), { port: 0 });
  const profile = freshProfile();
  const steps = [];
  const log = (line) => {
    steps.push(line);
    if (process.env.CRASH_VERBOSE) console.log(`# ${line}`);
  };
  /** qid -> the value last shown as saved. */
  const expected = new Map();
  let instance = null;
  let textCounter = 0;

  const fail = (message) => assert.fail(`${message}\n(seed ${seed}; replay with ${replay})\n--- steps ---\n${steps.slice(-30).join('\n')}`);

  try {
    instance = await launchChromium(profile, { initScript: SAVE_WATCH });
    let { page } = instance;
    await page.goto(server.url);
    await page.locator(SEL.surveyList).waitFor({ state: 'visible' });
    await page.locator(SEL.start).click();
    await page.locator(SEL.question).first().waitFor({ state: 'visible' });
    await page.waitForFunction(() => /^#\/fill\/[^/?#]+/.test(location.hash));
    const id = decodeURIComponent(/#\/fill\/([^/?#]+)/.exec(new URL(page.url()).hash)[1]);
    log(`started response ${id}`);

    /** Moves to the next or previous page (whichever the generator picks among those that exist). */
    const move = async () => {
      const options = [];
      if ((await page.locator(SEL.next).count()) > 0) options.push('next');
      if ((await page.locator(SEL.back).count()) > 0) options.push('back');
      if (!options.length) return;
      // Forward twice as often as back, so that the crashes spread over the whole survey.
      const where = options.length === 2 ? (rng.chance(2 / 3) ? 'next' : 'back') : options[0];
      const title = await page.locator(SEL.pageTitle).innerText();
      await settled(page);
      const mark = await saveMark(page);
      await page.locator(where === 'next' ? SEL.next : SEL.back).click();
      await page.waitForFunction(
        (before) => {
          const heading = document.querySelector('[data-testid=page-title]');
          return heading && heading.innerText !== before;
        },
        title,
      );
      // The page is part of the draft, so moving saves it too.
      await waitForOwnSave(page, mark, `moving ${where} from "${title}"`);
      log(`moved ${where} to "${await page.locator(SEL.pageTitle).innerText()}"`);
    };

    /** Gives a random visible question a random answer different from its current one and waits for its save. */
    const answer = async () => {
      const questions = await page.locator(SEL.question).evaluateAll((els) =>
        els.map((q) => ({ qid: q.dataset.qid, kind: q.dataset.kind })).filter((q) => q.kind !== 'note'),
      );
      if (!questions.length) fail(`page "${await page.locator(SEL.pageTitle).innerText()}" shows no question to answer`);
      const { qid, kind } = rng.pick(questions);
      const question = page.locator(`${SEL.question}[data-qid="${qid}"]`);
      await settled(page);
      const mark = await saveMark(page);
      let value;
      let how;
      if (kind === 'single' || kind === 'scale' || kind === 'yes_no') {
        const options = await question.locator('label.option input[type=radio]').evaluateAll((inputs) =>
          inputs.map((input, index) => ({ index, value: input.value, checked: input.checked })),
        );
        const choices = options.filter((o) => !o.checked);
        if (!choices.length) fail(`question ${qid} (${kind}) has no unchecked option`);
        const choice = rng.pick(choices);
        await question.locator('label.option').nth(choice.index).click();
        value = storedValue(kind, choice.value);
        how = `option ${choice.index} (${choice.value})`;
      } else if (kind === 'text') {
        textCounter += 1;
        value = `答案 ${textCounter}-${rng.int(1_000_000)}`;
        await question.locator('textarea, input[type=text]').first().fill(value);
        how = JSON.stringify(value);
      } else {
        fail(`question ${qid} has kind ${kind}, which this test does not answer`);
      }
      await waitForOwnSave(page, mark, `answer ${how} to ${qid}`);
      expected.set(qid, value);
      log(`answered ${qid} (${kind}) with ${how}: saved`);
      return { qid, kind, value };
    };

    for (let round = 1; round <= CRASHES; round += 1) {
      // Wander: sometimes one or two page moves, sometimes extra answers, then the answer the crash follows.
      if (rng.chance(0.5)) {
        await move();
        if (rng.chance(0.25)) await move();
      }
      const extra = rng.chance(0.3) ? 1 + rng.int(2) : 0;
      for (let i = 0; i < extra; i += 1) await answer();
      const last = await answer();
      const title = await page.locator(SEL.pageTitle).innerText();

      // The save of `last` was reported as committed: kill the browser now.
      await crash(instance, profile);
      instance = null;
      log(`round ${round}: killed Chromium on page "${title}" right after ${last.qid} was shown as saved`);

      instance = await launchChromium(profile, { initScript: SAVE_WATCH });
      page = instance.page;
      await page.goto(`${server.url}#/fill/${encodeURIComponent(id)}`);
      await page.locator(SEL.question).first().waitFor({ state: 'visible' });

      // (a) IndexedDB holds every answer shown as saved, with the value given last.
      const draft = await readDraft(page, id);
      if (!draft) fail(`round ${round}: response ${id} is missing from IndexedDB after the crash`);
      const lost = [];
      for (const [qid, value] of expected) {
        const stored = draft.answers?.[qid];
        if (!stored) lost.push(`${qid}: expected ${JSON.stringify(value)}, not stored`);
        else if (JSON.stringify(stored.value) !== JSON.stringify(value)) {
          lost.push(`${qid}: expected ${JSON.stringify(value)}, stored ${JSON.stringify(stored.value)}`);
        }
      }
      if (lost.length) fail(`round ${round}: answers shown as saved were lost in the crash:\n  ${lost.join('\n  ')}`);

      // (b) The app resumes on the page of the last answer and shows it (and every other answer on that page).
      await page
        .waitForFunction((want) => document.querySelector('[data-testid=page-title]')?.innerText === want, title)
        .catch(async () => fail(`round ${round}: the app resumed on "${await page.locator(SEL.pageTitle).innerText()}", not on "${title}"`));
      let shown;
      let wrong = [];
      const deadline = Date.now() + 5000;
      do {
        shown = await shownAnswers(page);
        wrong = [];
        const lastShown = shown.questions.find((q) => q.qid === last.qid);
        if (!lastShown) wrong.push(`${last.qid} (answered last) is not shown`);
        for (const q of shown.questions) {
          if (!expected.has(q.qid)) continue;
          const want = expected.get(q.qid);
          if (q.kind === 'text') {
            if (!q.text.includes(want)) wrong.push(`${q.qid}: shows ${JSON.stringify(q.text)}, expected ${JSON.stringify(want)}`);
          } else {
            const got = q.checked.map((raw) => storedValue(q.kind, raw));
            if (got.length !== 1 || got[0] !== want) wrong.push(`${q.qid}: shows ${JSON.stringify(got)} checked, expected ${JSON.stringify(want)}`);
          }
        }
        if (wrong.length) await sleep(100);
      } while (wrong.length && Date.now() < deadline);
      if (wrong.length) fail(`round ${round}: after the crash the page "${title}" does not show the saved answers:\n  ${wrong.join('\n  ')}`);
      log(`round ${round}: ${expected.size} answers intact in IndexedDB, resumed on "${title}" showing them`);
    }
    t.diagnostic(`${CRASHES} crashes, ${expected.size} distinct questions answered, no answer lost (seed ${seed})`);
  } catch (err) {
    await saveArtifacts(seed, instance, steps);
    if (instance?.errors?.length && typeof err?.message === 'string') {
      err.message += `\n--- page errors ---\n${instance.errors.slice(-20).join('\n')}`;
    }
    throw err;
  } finally {
    if (instance) {
      await instance.browser.close().catch(() => {});
      killGroup(instance.child);
      await Promise.race([instance.child.exited, grace(5000)]);
    }
    await server.close();
    removeProfile(profile);
  }
});

async function saveArtifacts(seed, instance, steps) {
  try {
    mkdirSync(ARTIFACTS, { recursive: true });
    const base = join(ARTIFACTS, `crash-seed-${seed}`);
    const lines = [...steps, '--- page errors ---', ...(instance?.errors || []), '--- chromium stderr (tail) ---', instance ? instance.stderr() : ''];
    writeFileSync(`${base}.log`, lines.join('\n') + '\n');
    if (instance?.page && !instance.page.isClosed()) await instance.page.screenshot({ path: `${base}.png`, fullPage: true, timeout: 5000 });
  } catch {
    // Artifacts are a courtesy; failing to write them must not hide the test's own failure.
  }
}
