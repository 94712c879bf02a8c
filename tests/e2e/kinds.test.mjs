// End-to-end tests of every question kind and of skip logic, on the bundled example surveys.
//
// 1. Each example survey is filled in to the end the way an evaluator would (answering whatever is
//    shown, page by page, with inputs that fit each kind) and finished; together they show every kind.
// 2. Skip logic in the UI: questions appear and disappear as answers change, and an answer hidden
//    by a later change is kept in the draft but not required.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { saved, withFreshApp } from './helpers.mjs';

const SURVEYS = [
  'party-building-satisfaction',
  'openness-of-affairs',
  'property-and-owners-committee',
  'secretary-project-delivery',
];
const ALL_KINDS = ['single', 'multiple', 'scale', 'yes_no', 'integer', 'decimal', 'text', 'date', 'matrix', 'note'];


/** Gives one visible question an answer that fits its kind; returns false for a note. */
async function answer(page, question) {
  const kind = await question.getAttribute('data-kind');
  switch (kind) {
    case 'note':
      return false;
    case 'single':
    case 'yes_no':
    case 'scale':
      await question.locator('label.option').first().click();
      break;
    case 'matrix': {
      const rows = question.locator('.matrix-row');
      const n = await rows.count();
      assert.ok(n > 0, 'a matrix shows its rows');
      for (let i = 0; i < n; i += 1) await rows.nth(i).locator('label.option').first().click();
      break;
    }
    case 'multiple':
      await question.locator('label.option').first().click();
      break;
    case 'integer':
    case 'decimal': {
      const input = question.locator('input[type=number]');
      const min = await input.getAttribute('min');
      await input.fill(min && Number(min) > 0 ? min : '1');
      break;
    }
    case 'text':
      await question.locator('textarea, input[type=text]').fill('无');
      break;
    case 'date': {
      const input = question.locator('input[type=date]');
      const max = await input.getAttribute('max');
      const min = await input.getAttribute('min');
      await input.fill(max || min || '2026-01-15');
      break;
    }
    default:
      assert.fail(`unknown kind ${kind}`);
  }
  await saved(page);
  return true;
}

/** Answers every question on the page, including ones that appear because of earlier answers. */
async function answerPage(page, seenKinds) {
  const done = new Set();
  for (;;) {
    const questions = page.locator('[data-testid=question]');
    const qids = await questions.evaluateAll((els) => els.map((el) => el.dataset.qid));
    const next = qids.find((qid) => !done.has(qid));
    if (next === undefined) return;
    done.add(next);
    const question = page.locator(`[data-testid=question][data-qid="${next}"]`);
    seenKinds.add(await question.getAttribute('data-kind'));
    await answer(page, question);
  }
}

test('every example survey can be filled in to the end, and together they show every kind', async () => {
  const seenKinds = new Set();
  await withFreshApp({}, async (page) => {
    for (const id of SURVEYS) {
      await page.click(`[data-testid=start-${id}]`);
      await page.waitForSelector('[data-testid=question]');
      for (let pageNo = 0; pageNo < 20; pageNo += 1) {
        await answerPage(page, seenKinds);
        if ((await page.locator('[data-testid=next]').count()) === 0) break;
        const title = await page.locator('[data-testid=page-title]').innerText();
        await page.click('[data-testid=next]');
        await page.waitForFunction((t) => document.querySelector('[data-testid=page-title]')?.innerText !== t, title);
      }
      await page.click('[data-testid=finish]');
      const outcome = await Promise.race([
        page.waitForSelector('[data-testid=done]').then(() => 'done'),
        page.waitForSelector('[data-testid=missing]').then(async () => `refused: ${await page.locator('[data-testid=missing]').innerText()}`),
      ]);
      assert.equal(outcome, 'done', `${id} could not be finished`);
      await page.click('[data-testid=home]');
      await page.waitForSelector('[data-testid=survey-list]');
    }
  });
  assert.deepEqual([...seenKinds].sort(), [...ALL_KINDS].sort(), 'kinds shown across the examples');
});

test('skip logic shows and hides questions as answers change, and keeps hidden answers', async () => {
  await withFreshApp({}, async (page) => {
    await page.click('[data-testid=start-secretary-project-delivery]');
    await page.waitForSelector('[data-testid=question]');
    const shown = (qid) => page.locator(`[data-testid=question][data-qid="${qid}"]`).count();
    // Find the page with the "did you know the project" question.
    for (let i = 0; i < 5 && (await shown('knew_project')) === 0; i += 1) {
      await page.click('[data-testid=next]');
      await page.waitForTimeout(50);
    }
    const knew = page.locator('[data-testid=question][data-qid=knew_project]');
    await knew.waitFor();
    assert.equal(await shown('know_how'), 0, 'follow-up hidden before the answer');

    await knew.locator('label.option', { hasText: /是|Yes/ }).click();
    await saved(page);
    await page.locator('[data-testid=question][data-qid=know_how]').waitFor();
    assert.equal(await shown('not_known_note'), 0);

    // Answer the follow-up, then change the first answer: the follow-up disappears...
    const follow = page.locator('[data-testid=question][data-qid=know_how]');
    await follow.locator('label.option').first().click();
    await saved(page);
    await knew.locator('label.option', { hasText: /否|No/ }).click();
    await saved(page);
    await page.waitForFunction(() => !document.querySelector('[data-qid=know_how]'));
    // The next page now shows the note for residents who did not know the project, and none
    // of the rating items.
    await page.click('[data-testid=next]');
    await page.locator('[data-testid=question][data-qid=not_known_note]').waitFor();
    assert.equal(await shown('right_project'), 0, 'rating items are skipped');
    await page.click('[data-testid=back]');
    await knew.waitFor();

    // ...and comes back with its answer when the first answer is changed back.
    await knew.locator('label.option', { hasText: /是|Yes/ }).click();
    await saved(page);
    await follow.waitFor();
    assert.equal(await follow.locator('input:checked').count(), 1, 'the hidden answer was kept');
  });
});

test('a constraint shows its message and blocks finishing until corrected', async () => {
  await withFreshApp({}, async (page) => {
    await page.click('[data-testid=start-secretary-project-delivery]');
    await page.waitForSelector('[data-testid=question]');
    // Walk to the weekly-use question, answering what is needed to make it relevant.
    const seen = new Set();
    for (let i = 0; i < 6 && (await page.locator('[data-qid=use_days]').count()) === 0; i += 1) {
      await answerPage(page, seen);
      if ((await page.locator('[data-qid=use_days]').count()) > 0) break;
      await page.click('[data-testid=next]');
      await page.waitForTimeout(50);
    }
    const question = page.locator('[data-testid=question][data-qid=use_days]');
    await question.locator('input[type=number]').fill('9');
    await saved(page);
    await question.locator('[data-testid=problem]').waitFor();
    assert.equal(await question.getAttribute('aria-invalid'), 'true');
    await question.locator('input[type=number]').fill('3');
    await saved(page);
    await page.waitForFunction(() => !document.querySelector('[data-qid=use_days] [data-testid=problem]'));
  });
});
