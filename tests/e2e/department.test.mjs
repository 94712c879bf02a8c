// End-to-end tests of the department page: a folder of fixture bundles (plain and age-encrypted, a re-export, a
// gap, a conflict, a device not on the roster) imported in Chromium, the ranking read from the page, and the page's
// JSON export compared number for number with `survey report --format json` on the same files.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectErrors, firstPage, freshProfile, launch, removeProfile, requireDist } from './helpers.mjs';
import { startServer } from './server.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const FIXTURES = join(ROOT, 'tests/fixtures/department');
const SURVEY_FILE = join(ROOT, 'survey-schemas/party-building-satisfaction.json');
const CLI = join(ROOT, 'target/debug/survey');
const AXE = join(ROOT, 'tests/node_modules/axe-core/axe.min.js');
/** Python (openpyxl) printing an XLSX file's sheet names and its first sheet as [value, type] cells. */
const READ_UNITS_SHEET = `
import json, sys, openpyxl
book = openpyxl.load_workbook(sys.argv[1])
sheet = book.worksheets[0]
rows = [[[c.value, type(c.value).__name__ if c.value is not None else None] for c in row] for row in sheet.iter_rows()]
print(json.dumps({"sheets": book.sheetnames, "header": [c[0] for c in rows[0]], "rows": rows[1:]}, ensure_ascii=False))
`;

const bundleFiles = () =>
  readdirSync(FIXTURES)
    .filter((name) => name.endsWith('.bundle.json') || name.endsWith('.bundle.json.age'))
    .sort()
    .map((name) => join(FIXTURES, name));

/** `survey report --format json` on the fixture folder. */
function cliReport(extra = []) {
  const args = ['report', '--survey', SURVEY_FILE, '--roster', join(FIXTURES, 'roster.json'), '--identity',
    join(FIXTURES, 'department-identity.txt'), '--format', 'json', '--allow-partial', ...extra, FIXTURES];
  return JSON.parse(execFileSync(CLI, args, { encoding: 'utf8' }));
}

/** Opens the department page on a fresh profile, runs `body`, fails on page errors, and cleans up. */
async function withDepartment(body) {
  const server = await startServer(requireDist());
  const profile = freshProfile();
  const browser = await launch({ userDataDir: profile, serviceWorkers: 'block', locale: 'zh-CN' });
  const page = await firstPage(browser.context);
  const errors = collectErrors(page);
  const downloads = mkdtempSync(join(tmpdir(), 'survey-dept-'));
  try {
    await page.goto(`${server.url}department/`);
    await page.waitForSelector('[data-testid=department][data-ready=true]');
    await body(page, downloads);
    assert.deepEqual(errors, [], 'the page reported errors');
  } finally {
    await browser.close();
    await server.close();
    removeProfile(profile);
    rmSync(downloads, { recursive: true, force: true });
  }
}

async function importDone(page, count) {
  await page.waitForFunction(
    (n) => !document.querySelector('[data-testid=import-progress]') && document.querySelectorAll('[data-testid=file-outcome]').length >= n,
    count,
  );
}

/** The ranking table as [{unit, rank, index}] (index as shown, or null when suppressed). */
async function ranking(page) {
  return page.$$eval('[data-testid=ranking-row]', (rows) =>
    rows.map((row) => ({
      unit: row.dataset.unit,
      rank: row.querySelector('[data-testid=rank]').textContent.trim(),
      index: row.querySelector('[data-testid=index]')?.textContent.trim() ?? null,
    })),
  );
}

async function download(page, testid, downloads) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid=${testid}]`)]);
  const path = join(downloads, file.suggestedFilename());
  await file.saveAs(path);
  return { name: file.suggestedFilename(), path };
}

/** The parts of the JSON report that depend only on the files' contents (not on their paths). */
function comparable(report) {
  return {
    survey: report.survey,
    bundles: report.bundles,
    report: report.report,
    devices: report.devices,
    conflicts: report.conflicts,
    flag_counts: report.flag_counts,
    flagged_excluded: report.flagged_excluded,
    exclusion_changes: report.exclusion_changes,
    not_imported: report.not_imported.map((f) => f.code).sort(),
  };
}

test('a folder of bundles imported in the browser gives the same verified, ranked numbers as `survey report`', async () => {
  const files = bundleFiles();
  assert.ok(files.length >= 5, `fixture bundles in ${FIXTURES}`);
  const expected = cliReport();
  const ranked = expected.report.ranking;
  assert.ok(ranked.filter((r) => r.rank !== null).length >= 3, 'the fixture ranks several units');

  await withDepartment(async (page, downloads) => {
    await page.setInputFiles('[data-testid=load-roster]', join(FIXTURES, 'roster.json'));
    await page.waitForFunction(() => /\d/.test(document.querySelector('[data-testid=roster-status]').textContent));
    // The identity is pasted, the way it is often handed over.
    await page.fill('[data-testid=identity-text]', readFileSync(join(FIXTURES, 'department-identity.txt'), 'utf8'));
    await page.click('[data-testid=identity-save]');
    await page.waitForSelector('[data-testid=identity-status] code');

    // The whole folder, as a person picks it (only the bundle files in it are taken).
    await page.setInputFiles('[data-testid=load-folder]', FIXTURES);
    await importDone(page, files.length);

    // The ranking on the page is the CLI's, rank for rank and index for index.
    const shown = await ranking(page);
    assert.deepEqual(
      shown,
      ranked.map((r) => ({
        unit: r.unit,
        rank: r.rank === null ? '–' : String(r.rank),
        index: r.suppressed || r.index === null ? null : r.index.toFixed(2),
      })),
    );
    // Ranks by dimension: the first dimension's column is the CLI's ranking by that dimension.
    const firstDimension = expected.report.dimension_rankings[0].ranking;
    const cells = await page.$$eval('[data-testid=dimension-ranks] tbody tr', (rows) =>
      rows.map((row) => row.querySelectorAll('td')[0].textContent.trim()),
    );
    assert.deepEqual(
      cells,
      ranked.map((r) => {
        const entry = firstDimension.find((e) => e.unit === r.unit);
        return entry && entry.rank !== null ? `${entry.rank} · ${entry.index.toFixed(2)}` : '—';
      }),
    );
    // The partial import is said above the results: 6 of the 7 files, the quarantined one not counted.
    const summary = page.locator('[data-testid=import-summary]');
    assert.match(await summary.textContent(), /7 个文件中导入 6 个；未计入：隔离 1 个/);
    const [summaryBox, rankingBox] = [await summary.boundingBox(), await page.locator('[data-testid=ranking]').boundingBox()];
    assert.ok(summaryBox.y + summaryBox.height <= rankingBox.y, 'the summary comes before the ranking');
    assert.notEqual(await page.locator('[data-testid=file-list]').getAttribute('open'), null, 'a short list is open');
    const quarantined = await page.locator('[data-testid=quarantined]').allTextContents();
    const expectedQuarantine = expected.not_imported.filter((f) => f.code === 'quarantined');
    assert.equal(quarantined.length, expectedQuarantine.length);
    assert.ok(quarantined.length >= 1, 'the unknown device is quarantined');
    const missing = expected.devices.filter((d) => d.missing.length > 0).length;
    assert.equal(await page.locator('[data-testid=missing]').count(), missing);
    assert.ok(missing >= 1, 'the fixture has a gap');
    assert.equal(await page.locator('[data-testid=conflict]').count(), expected.conflicts.length);
    assert.ok(expected.conflicts.length >= 1, 'the fixture has a conflict');
    assert.equal(await page.locator('[data-testid=ranking-chart] svg').count(), 1);
    assert.equal(await page.locator('[data-testid=heat-map] svg').count(), 1);

    // No serious or critical accessibility problem on the filled page (axe-core).
    await page.evaluate(readFileSync(AXE, 'utf8'));
    const violations = await page.evaluate(async () =>
      (await globalThis.axe.run(document, { resultTypes: ['violations'] })).violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`),
    );
    assert.deepEqual(violations, []);

    // The page's JSON export is the CLI's report.
    const json = await download(page, 'export-json', downloads);
    assert.match(json.name, /^party-building-satisfaction-.*-report\.json$/);
    assert.deepEqual(comparable(JSON.parse(readFileSync(json.path, 'utf8'))), comparable(expected));

    // Importing the same folder again changes nothing.
    await page.setInputFiles('[data-testid=load-folder]', FIXTURES);
    await importDone(page, 2 * files.length);
    assert.deepEqual(await ranking(page), shown);
    // More than 10 files: the list starts collapsed, its summary gives the counts per outcome, and
    // the summary above the results still counts each file once.
    const list = page.locator('[data-testid=file-list]');
    assert.equal(await list.getAttribute('open'), null, 'a long list is collapsed');
    assert.match(await list.locator('summary').textContent(), /\(14\): 已导入 12 · 已隔离 2/);
    assert.match(await summary.textContent(), /7 个文件中导入 6 个/);
    const again = await download(page, 'export-json', downloads);
    assert.deepEqual(comparable(JSON.parse(readFileSync(again.path, 'utf8'))), comparable(expected));

    // Excluding flagged responses: the CLI's --exclude-flagged numbers, and the change table is shown.
    await page.check('[data-testid=exclude-flagged]');
    const excluded = cliReport(['--exclude-flagged']);
    const excludedJson = await download(page, 'export-json', downloads);
    assert.deepEqual(comparable(JSON.parse(readFileSync(excludedJson.path, 'utf8'))), comparable(excluded));
    assert.ok((await page.locator('[data-testid=exclusion-changes] tbody tr').count()) >= 2);
    await page.uncheck('[data-testid=exclude-flagged]');

    // Summary CSV with a BOM; the raw export asks first and then has a row per counted response.
    const csv = readFileSync((await download(page, 'export-csv', downloads)).path, 'utf8');
    // In the page's language (Chinese here): headers and names.
    assert.ok(csv.startsWith('\ufeff单位编号,单位名称,排名,答卷数'), csv.slice(0, 40));
    assert.match(csv, /\n\(all\),全部单位,,/);
    page.once('dialog', (dialog) => dialog.accept());
    const raw = readFileSync((await download(page, 'export-raw', downloads)).path, 'utf8');
    assert.ok(raw.startsWith('\ufeff答卷编号,单位编号,单位名称,设备密钥编号,'), raw.slice(0, 40));
    assert.equal(raw.trim().split('\n').length, expected.report.overall.n_responses + 1);
    // Times at the browser's offset (the test browser runs in UTC unless told otherwise).
    const offset = await page.evaluate(() => -new Date().getTimezoneOffset());
    const sign = offset < 0 ? '-' : '+';
    const hhmm = `${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}:${String(Math.abs(offset) % 60).padStart(2, '0')}`;
    assert.ok(raw.split('\n')[0].includes(`开始时间 (UTC${sign}${hhmm})`), raw.split('\n')[0].slice(0, 200));
    const xlsxFile = await download(page, 'export-xlsx', downloads);
    const xlsx = readFileSync(xlsxFile.path);
    assert.equal(xlsx.subarray(0, 2).toString('latin1'), 'PK', 'an XLSX file is a zip');
    // Read by openpyxl, as a spreadsheet program reads it: Chinese sheet and headers, typed cells.
    const book = JSON.parse(execFileSync('python3', ['-c', READ_UNITS_SHEET, xlsxFile.path], { encoding: 'utf8' }));
    assert.deepEqual(book.sheets.slice(0, 3), ['单位', '指标', '题目']);
    assert.deepEqual(book.header.slice(0, 8), ['单位编号', '单位名称', '排名', '答卷数', '满意度指数', '满意率（%）', '不公布', '说明']);
    assert.deepEqual(book.rows[0].slice(0, 2), [['(all)', 'str'], ['全部单位', 'str']]);
    assert.deepEqual(book.rows[0][3], [expected.report.overall.n_responses, 'int']);
    for (const entry of ranked) {
      const row = book.rows.find((r) => r[0][0] === entry.unit);
      assert.ok(row, `a row for ${entry.unit}`);
      assert.deepEqual(row[6], [entry.suppressed, 'bool']);
      if (entry.suppressed) {
        assert.equal(row[4][0], null, `${entry.unit}: no index`);
        assert.equal(row[7][1], 'str', `${entry.unit}: a reason`);
      } else {
        assert.equal(row[4][1], 'float');
        assert.ok(Math.abs(row[4][0] - entry.index) < 1e-9, `${entry.unit}: the index`);
      }
    }

    // Kept in the browser: a reload shows the same ranking without importing again.
    await page.reload();
    await page.waitForSelector('[data-testid=department][data-ready=true]');
    await page.waitForSelector('[data-testid=ranking-row]');
    assert.deepEqual(await ranking(page), shown);

    // The print layout keeps the results and drops the controls.
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('[data-testid=exports]').isVisible(), false);
    assert.equal(await page.locator('[data-testid=ranking]').isVisible(), true);
    await page.emulateMedia({ media: 'screen' });

    // Both languages.
    assert.match(await page.locator('h2#import-title').textContent(), /导入结果包/);
    await page.click('[data-testid=lang-switch]');
    assert.match(await page.locator('h2#import-title').textContent(), /Import bundles/);
  });
});

test('a previous round loaded from its JSON export shows the change per unit', async () => {
  const current = cliReport();
  await withDepartment(async (page, downloads) => {
    await page.setInputFiles('[data-testid=load-roster]', join(FIXTURES, 'roster.json'));
    await page.setInputFiles('[data-testid=load-identity]', join(FIXTURES, 'department-identity.txt'));
    await page.waitForSelector('[data-testid=identity-status] code');
    await page.setInputFiles('[data-testid=load-bundles]', bundleFiles());
    await importDone(page, bundleFiles().length);
    // This round's export, loaded back as "the previous round": every published unit changed by +0.00.
    const json = await download(page, 'export-json', downloads);
    await page.setInputFiles('[data-testid=load-previous]', json.path);
    await page.waitForSelector('[data-testid=previous-status]');
    const changes = await page.$$eval('[data-testid=ranking-row]', (rows) =>
      rows.map((row) => row.lastElementChild.textContent.trim()),
    );
    const published = current.report.ranking.filter((r) => !r.suppressed).length;
    assert.equal(changes.filter((c) => c === '+0.00').length, published);
    // And the CLI reads the same file as a previous round.
    const out = execFileSync(CLI, ['report', '--survey', SURVEY_FILE, '--roster', join(FIXTURES, 'roster.json'),
      '--identity', join(FIXTURES, 'department-identity.txt'), '--previous', json.path, '--lang', 'en', '--allow-partial', FIXTURES],
      { encoding: 'utf8' });
    assert.match(out, /change since the previous round/);
  });
});

test('a dropped bundle without a roster is refused, and a bad roster is refused with its reason', async () => {
  await withDepartment(async (page) => {
    // Dropped on the drop zone (a drop made in the page carries files, not folder entries).
    const first = bundleFiles()[0];
    const content = readFileSync(first).toString('base64');
    await page.evaluate(([name, b64]) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const data = new DataTransfer();
      data.items.add(new File([bytes], name, { type: 'application/json' }));
      const zone = document.querySelector('[data-testid=bundle-drop]');
      zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    }, [first.split('/').pop(), content]);
    await importDone(page, 1);
    assert.match(await page.locator('[data-testid=file-outcome]').first().textContent(), /no_roster/);
    await page.setInputFiles('[data-testid=load-roster]', {
      name: 'roster.json',
      mimeType: 'application/json',
      buffer: Buffer.from('{"format": "survey-kit-roster/9", "devices": []}'),
    });
    await page.waitForSelector('[data-testid=input-problems]');
    assert.match(await page.locator('[data-testid=input-problems]').textContent(), /roster\.json: .*format/);
  });
});

const ROUND_FIXTURES = join(ROOT, 'tests/fixtures/department-round');
const ROUND_FILE = join(ROUND_FIXTURES, '2026-q4-compliance.round.json');

test('with a round file loaded, the page names every finding and its compliance and scores equal `survey report --round`', async () => {
  const cliRound = (...extra) =>
    JSON.parse(execFileSync(CLI, ['report', '--round', ROUND_FILE, '--format', 'json', '--allow-partial', ...extra, ROUND_FIXTURES], { encoding: 'utf8' }));
  const expected = cliRound();
  const findings = expected.compliance.findings;
  assert.ok(findings.length >= 6, 'the fixture has a case of every finding');
  await withDepartment(async (page, downloads) => {
    await page.setInputFiles('[data-testid=load-round]', ROUND_FILE);
    await page.waitForFunction(() => document.querySelector('[data-testid=round-status]').textContent.includes('2026-q4-compliance'));
    // The round's devices are the roster: no roster file is asked for.
    assert.equal(await page.locator('[data-testid=load-roster]').count(), 0);
    await page.setInputFiles('[data-testid=load-folder]', ROUND_FIXTURES);
    await importDone(page, readdirSync(ROUND_FIXTURES).filter((n) => n.endsWith('.bundle.json')).length);
    await page.waitForSelector('[data-testid=compliance]');

    // Every response with a finding is listed with its codes; the flagged evaluator is marked.
    const shown = await page.$$eval('[data-testid=finding]', (rows) => rows.map((r) => [r.dataset.response, r.dataset.codes]));
    assert.deepEqual(shown, findings.map((f) => [f.response, f.findings.join(' ')]));
    const flagged = expected.compliance.evaluators.filter((e) => e.flagged).map((e) => e.device);
    assert.deepEqual(await page.$$eval('[data-testid=compliance-evaluator].flagged', (rows) => rows.map((r) => r.dataset.device)), flagged);
    assert.equal(await page.locator('[data-testid=compliance-unit]').count(), expected.compliance.units.length);
    assert.equal(await page.locator('[data-testid=frame-commitment]').innerText(), expected.compliance.round.frame_commitment);
    const refused = await page.locator('[data-testid=file-outcome].refused').allTextContents();
    assert.ok(refused.some((t) => t.includes('not_in_round')) && refused.some((t) => t.includes('other_round')), refused.join('\n'));

    // The JSON export is the CLI's, by default and with non-compliant interviews counted.
    const byDefault = JSON.parse(readFileSync((await download(page, 'export-json', downloads)).path, 'utf8'));
    assert.deepEqual(byDefault.compliance, expected.compliance);
    assert.deepEqual(byDefault.report, expected.report);
    await page.check('[data-testid=include-noncompliant]');
    await page.waitForFunction(() => document.querySelector('[data-testid=include-noncompliant]').checked);
    const counted = JSON.parse(readFileSync((await download(page, 'export-json', downloads)).path, 'utf8'));
    const cliCounted = cliRound('--include-noncompliant');
    assert.ok(counted.report.overall.n_responses > byDefault.report.overall.n_responses);
    assert.deepEqual(counted.report, cliCounted.report);
    assert.deepEqual(counted.compliance, cliCounted.compliance);
    // The CSV export carries the compliance blocks too.
    const csv = readFileSync((await download(page, 'export-csv', downloads)).path, 'utf8');
    assert.match(csv, /\n合规：单位,设备密钥编号,评估员,抽中户数,/);
    assert.match(csv, /\n有问题的答卷,设备密钥编号,单位编号,住户,抽样顺位,问题\n/);
  });
});

const STAGES = join(ROOT, 'tests/fixtures/department-stages');

test('a stages file and its lists give the final ranking with grades, equal to `survey report --stages`', async () => {
  const expected = cliReport(['--stages', join(STAGES, 'stages.json')]).final;
  assert.ok(expected.units.filter((u) => u.rank !== null).length >= 3, 'the fixture ranks several units');
  await withDepartment(async (page, downloads) => {
    await page.setInputFiles('[data-testid=load-roster]', join(FIXTURES, 'roster.json'));
    await page.setInputFiles('[data-testid=load-identity]', join(FIXTURES, 'department-identity.txt'));
    await page.waitForSelector('[data-testid=identity-status] code');
    await page.setInputFiles('[data-testid=load-folder]', FIXTURES);
    await importDone(page, bundleFiles().length);
    // The stages file names its lists; they are loaded beside the bundles.
    await page.setInputFiles('[data-testid=load-stages]', join(STAGES, 'stages.json'));
    await page.waitForFunction(() => document.querySelector('[data-testid=stages-status]').textContent.includes('stages.json'));
    await page.setInputFiles('[data-testid=load-lists]', ['self.csv', 'county.xlsx', 'deductions.csv', 'vetoes.csv'].map((f) => join(STAGES, f)));
    await page.waitForSelector('[data-testid=final-row]');

    // The final ranking: the CLI's ranks and grades, unit for unit, in its order.
    const shown = await page.$$eval('[data-testid=final-row]', (rows) =>
      rows.map((row) => ({
        unit: row.dataset.unit,
        rank: row.querySelector('[data-testid=final-rank]').textContent.trim(),
        grade: row.dataset.grade || null,
        score: row.querySelector('[data-testid=final-score]')?.textContent.trim() ?? null,
      })),
    );
    assert.deepEqual(
      shown,
      expected.units.map((u) => ({
        unit: u.unit,
        rank: u.rank === null ? '–' : String(u.rank),
        grade: u.grade,
        score: u.score === null ? null : u.score.toFixed(2),
      })),
    );
    // Grades by their titles in the page's language, stage scores side by side, the evidence.
    assert.match(await page.locator('[data-testid=final-ranking]').textContent(), /四星/);
    assert.match(await page.locator('[data-testid=final-ranking] thead').textContent(), /支部自评 \(10\.00%\)/);
    const deductions = await page.locator('[data-testid=deduction]').allTextContents();
    assert.ok(deductions.some((d) => d.includes('3月未公示') && d.includes('−3.00 (4.00)')), deductions.join('\n'));
    assert.equal(await page.locator('[data-testid=veto]').count(), 1);
    assert.equal(await page.locator('[data-testid=final-chart] svg').count(), 1);

    // The page's JSON export carries the CLI's final scores.
    const json = JSON.parse(readFileSync((await download(page, 'export-json', downloads)).path, 'utf8'));
    assert.deepEqual(json.final, expected);

    // And the print layout keeps the final ranking.
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('[data-testid=final-ranking]').isVisible(), true);
    assert.equal(await page.locator('[data-testid=stages-input]').isVisible(), false);
    await page.emulateMedia({ media: 'screen' });

    // A reload keeps the stages file and its lists.
    await page.reload();
    await page.waitForSelector('[data-testid=department][data-ready=true]');
    await page.waitForSelector('[data-testid=final-row]');
    assert.equal(await page.locator('[data-testid=final-row]').count(), expected.units.length);
  });
});
