// End-to-end test of hostile text: a survey whose every text holds HTML, script and SVG markup and very long
// unbroken strings (tests/fixtures/hostile/hostile.json, written by make_survey.py). On every field screen, on the
// department page with its SVG charts and in the print layout: no script runs, no element is injected, the text is
// visible as text, and long text wraps inside its box (bounding boxes: options do not overlap each other, the
// buttons or the page edge). The exports carry the text unchanged.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectErrors, firstPage, freshProfile, launch, removeProfile, requireDist, saved, setUpEvaluator } from './helpers.mjs';
import { startServer } from './server.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SURVEY_FILE = join(ROOT, 'tests/fixtures/hostile/hostile.json');
const SURVEY = JSON.parse(readFileSync(SURVEY_FILE, 'utf8'));
const MARKUP = '<script data-injected>';
const OPEN_ANSWER = '=1+2 <img data-injected src=x onerror="globalThis.pwned=1">';

/** Nothing ran, nothing was injected, the markup shows as text, nothing sticks out of its box. */
async function checkScreen(page, screen) {
  const found = await page.evaluate(() => {
    const box = (el) => el.getBoundingClientRect();
    const overlap = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
    const problems = [];
    const options = [...document.querySelectorAll('.options, .matrix-row')].map((group) => ({
      group: box(group),
      items: [...group.querySelectorAll(':scope label.option, :scope > * > label.option')].map(box),
    }));
    for (const { group, items } of options) {
      items.forEach((a, i) => {
        if (a.left < group.left - 1 || a.right > group.right + 1) problems.push(`an option sticks out of its group`);
        items.slice(i + 1).forEach((b) => overlap(a, b) && problems.push('two options overlap'));
      });
    }
    const allOptions = options.flatMap((o) => o.items);
    // Buttons in the page's flow; the fixed navigation bar lets the page scroll under it by design.
    const floating = (el) => {
      for (let node = el; node; node = node.parentElement) {
        if (['fixed', 'sticky'].includes(getComputedStyle(node).position)) return true;
      }
      return false;
    };
    for (const button of document.querySelectorAll('button, .button')) {
      if (floating(button)) continue;
      const b = box(button);
      if (b.width && allOptions.some((o) => overlap(o, b))) problems.push(`a button overlaps an option: ${button.textContent.slice(0, 30)}`);
    }
    for (const el of document.querySelectorAll('.question, .card, section, table, figure')) {
      const b = box(el);
      if (b.width && b.right > document.documentElement.clientWidth + 1) problems.push(`${el.className || el.tagName} sticks out of the page`);
    }
    if (document.documentElement.scrollWidth > document.documentElement.clientWidth + 1) problems.push('the page scrolls sideways');
    return {
      pwned: globalThis.pwned,
      injected: document.querySelectorAll('[data-injected]').length,
      text: document.body.innerText,
      problems: [...new Set(problems)],
    };
  });
  assert.equal(found.pwned, undefined, `${screen}: a script ran`);
  assert.equal(found.injected, 0, `${screen}: an element was injected`);
  assert.deepEqual(found.problems, [], `${screen}: layout`);
  return found.text;
}

/** Answers one page: the first option of every radio group and check list, the open answer. */
async function answerPage(page) {
  const questions = page.locator('[data-testid=question]');
  for (let i = 0; i < (await questions.count()); i += 1) {
    const question = questions.nth(i);
    const kind = await question.getAttribute('data-kind');
    if (kind === 'matrix') {
      const rows = question.locator('.matrix-row');
      for (let r = 0; r < (await rows.count()); r += 1) await rows.nth(r).locator('label.option').first().click();
    } else if (kind === 'text') {
      await question.locator('textarea, input[type=text]').fill(OPEN_ANSWER);
    } else if (['scale', 'single', 'multiple', 'yes_no'].includes(kind)) {
      await question.locator('label.option').first().click();
    } else {
      continue;
    }
    await saved(page);
  }
}

test('hostile survey texts show as text everywhere, run nothing, wrap inside their boxes, and leave in the exports unchanged', async () => {
  const server = await startServer(requireDist());
  const profile = freshProfile();
  const browser = await launch({ userDataDir: profile, locale: 'zh-CN' });
  const page = await firstPage(browser.context);
  const errors = collectErrors(page);
  const downloads = mkdtempSync(join(tmpdir(), 'survey-hostile-'));
  try {
    // A narrow tablet in portrait, where long text has the least room.
    await page.setViewportSize({ width: 800, height: 1100 });
    await page.goto(server.url);
    await page.waitForSelector('[data-testid=survey-list]');
    await setUpEvaluator(page);
    await page.setInputFiles('[data-testid=import-file]', SURVEY_FILE);
    await page.waitForSelector(`[data-testid=start-${SURVEY.id}]`);
    const home = await checkScreen(page, 'the survey list');
    assert.ok(home.includes(SURVEY.title['zh-CN']), 'the title with its markup, as text');

    for (let n = 0; n < 5; n += 1) {
      await page.locator(`[data-testid=survey-${SURVEY.id}] [data-testid=unit-input]`).fill('u1');
      await page.click(`[data-testid=start-${SURVEY.id}]`);
      await page.waitForSelector('[data-testid=question]');
      for (let pageNo = 0; pageNo < 5; pageNo += 1) {
        if (n === 0) {
          const text = await checkScreen(page, `page ${pageNo + 1}`);
          assert.ok(text.includes(MARKUP), `page ${pageNo + 1}: the markup is visible as text`);
        }
        await answerPage(page);
        if ((await page.locator('[data-testid=next]').count()) === 0) break;
        const title = await page.locator('[data-testid=page-title]').innerText();
        await page.click('[data-testid=next]');
        await page.waitForFunction((t) => document.querySelector('[data-testid=page-title]')?.innerText !== t, title);
      }
      await page.click('[data-testid=finish]');
      await page.waitForSelector('[data-testid=done]');
      if (n === 0) await checkScreen(page, 'the done screen');
      await page.click('[data-testid=start-another]');
      await page.waitForSelector('[data-testid=survey-list]');
    }
    // The self-completion welcome screen shows the survey's title and description too; leaving needs the PIN.
    await page.locator(`[data-testid=survey-${SURVEY.id}] [data-testid=unit-input]`).fill('u1');
    await page.click(`[data-testid=self-${SURVEY.id}]`);
    await page.waitForSelector('[data-testid=welcome]');
    assert.ok((await checkScreen(page, 'the welcome screen')).includes(MARKUP), 'the welcome screen shows the markup as text');
    await page.click('[data-testid=evaluator-exit]');
    await page.fill('#unlock-pin', '2468');
    await page.press('#unlock-pin', 'Enter');
    await page.waitForSelector('[data-testid=survey-list]');
    // Settings, with the device's enrolment.
    await page.click('[data-testid=settings]');
    await checkScreen(page, 'settings');
    await page.click('[data-testid=home]');
    // In English too (the survey's other language).
    await page.click('[data-testid=lang-switch]');
    assert.ok((await checkScreen(page, 'the survey list in English')).includes(SURVEY.title.en));

    // The tablet's bundle and enrolment, into the department page.
    await page.click('[data-testid=settings]');
    const [enrolment] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-enrolment]')]);
    const roster = join(downloads, 'roster.json');
    await enrolment.saveAs(roster);
    await page.click('[data-testid=home]');
    const [bundle] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid=export-${SURVEY.id}]`)]);
    const bundleFile = join(downloads, bundle.suggestedFilename());
    await bundle.saveAs(bundleFile);

    await page.goto(`${server.url}department/`);
    await page.waitForSelector('[data-testid=department][data-ready=true]');
    await page.setInputFiles('[data-testid=load-survey]', SURVEY_FILE);
    await page.setInputFiles('[data-testid=load-roster]', roster);
    await page.waitForFunction(() => /\d/.test(document.querySelector('[data-testid=roster-status]').textContent));
    await page.setInputFiles('[data-testid=load-bundles]', bundleFile);
    await page.waitForSelector('[data-testid=file-outcome].ok');
    await page.waitForSelector('[data-testid=heat-map] svg');
    await page.locator('details.distributions summary').click();
    const results = await checkScreen(page, 'the department page');
    // The page speaks the language chosen on the tablet's screens (English, switched to above).
    assert.ok(results.includes(SURVEY.units[0].name.en.slice(0, 40)), `the unit name as text: ${results.slice(0, 800)}`);
    // The charts carry the names escaped: as text nodes of their SVG, never as elements.
    const chartText = await page.locator('[data-testid=heat-map] svg').evaluate((svg) => svg.textContent);
    assert.ok(chartText.includes('<'), 'markup as text in the chart');
    await page.emulateMedia({ media: 'print' });
    await checkScreen(page, 'the print layout');
    const pdf = await page.pdf();
    assert.equal(pdf.subarray(0, 4).toString('latin1'), '%PDF');
    await page.emulateMedia({ media: 'screen' });

    // The exports carry the texts unchanged (the CSV's formula guard aside).
    page.once('dialog', (dialog) => dialog.accept());
    const [raw] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-raw]')]);
    const rawFile = join(downloads, 'raw.csv');
    await raw.saveAs(rawFile);
    const [xlsx] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-xlsx]')]);
    const xlsxFile = join(downloads, 'report.xlsx');
    await xlsx.saveAs(xlsxFile);
    const read = JSON.parse(
      execFileSync('python3', ['-c', READ_BACK, rawFile, xlsxFile], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }),
    );
    const choice = SURVEY.sections[0].questions[2].choices[0].label.en;
    assert.ok(read.csv.includes(choice), 'a choice label unchanged in the raw CSV');
    assert.ok(read.csv.includes(`'${OPEN_ANSWER}`), 'the open answer, made safe, in the raw CSV');
    const title = SURVEY.sections[0].questions[1].title['zh-CN'];
    assert.ok(read.xlsx.includes(title) || read.xlsx.includes(SURVEY.sections[0].questions[1].title.en), 'a question title unchanged in the XLSX items sheet');
    assert.ok(read.xlsx.includes(SURVEY.units[0].name.en), 'a unit name unchanged in the XLSX units sheet');
    assert.deepEqual(errors, [], 'the pages reported errors');
  } finally {
    await browser.close();
    await server.close();
    removeProfile(profile);
    rmSync(downloads, { recursive: true, force: true });
  }
});

/** Python: every cell of the raw CSV (csv module) and of the workbook's string cells (openpyxl), as JSON. */
const READ_BACK = `
import csv, json, sys, openpyxl
with open(sys.argv[1], encoding="utf-8-sig", newline="") as f:
    cells = [c for row in csv.reader(f) for c in row]
book = openpyxl.load_workbook(sys.argv[2])
strings = [c.value for s in book.worksheets for row in s.iter_rows() for c in row if c.data_type == "s"]
print(json.dumps({"csv": cells, "xlsx": strings}, ensure_ascii=False))
`;
