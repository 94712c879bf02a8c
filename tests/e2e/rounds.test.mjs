// End-to-end tests of an evaluation round on the tablet. A device key is non-extractable, so no committed round can
// enrol a test browser: each test exports the browser's enrolment entry, builds a round for it with
// `survey round build`, and imports that. Then the evaluator works through the drawn households (refusals,
// not-at-home visits, released substitutes, an off-sample interview) and exports a bundle/2 that `survey verify`
// and the Python verifier accept; a tampered round, one signed by an unknown key and one that does not enrol the
// tablet are refused with their reasons; and contact attempts shown as saved survive the browser being killed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';

import { axeCheck, fillToTheEnd, freshProfile, removeProfile, requireDist, setUpEvaluator, withFreshApp } from './helpers.mjs';
import { crash, launchChromium } from './chromium.mjs';
import { startServer } from './server.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const CLI = join(ROOT, 'target/debug/survey');
const EXAMPLE = join(ROOT, 'tests/fixtures/rounds/example');
const SURVEY_FILE = join(ROOT, 'survey-schemas/party-building-satisfaction.json');
const SURVEY = 'party-building-satisfaction';

const cli = (...args) => execFileSync(CLI, args, { encoding: 'utf8' });

/** `survey round keygen`: the key file and its key id. */
function organiserKey(dir, name) {
  const file = join(dir, `${name}.pem`);
  const out = cli('round', 'keygen', '-o', file);
  const keyid = /key id[^:]*: ([0-9a-f]{64})/.exec(out)?.[1];
  assert.ok(keyid, `keygen printed no key id: ${out}`);
  return { file, keyid };
}

/**
 * Builds a round for the devices of `roster` (all units assigned to `keyid`): unit A (`yunling_qingxi`) with n = 3
 * and no off-sample interviews, unit B (`baisha_taoyuan`) with n = 2 and off-sample interviews allowed.
 */
function buildRound(dir, { id, roster, keyid, key }) {
  mkdirSync(join(dir, 'frames'), { recursive: true });
  for (const unit of ['yunling_qingxi', 'baisha_taoyuan']) {
    copyFileSync(join(EXAMPLE, 'frames', `${unit}.csv`), join(dir, 'frames', `${unit}.csv`));
  }
  const plan = {
    format: 'plan/1',
    id,
    title: { 'zh-CN': '端到端测试轮次', en: 'End-to-end test round' },
    period: { from: '2026-12-01', to: '2026-12-20' },
    organiser: '县委组织部',
    survey: SURVEY_FILE,
    seed: `test seed for ${id}`,
    seed_source: 'end-to-end test',
    draw_units: null,
    defaults: { n: 3, attempts_before_substitute: 3, off_sample: false },
    units: [
      { id: 'yunling_qingxi', frame: 'frames/yunling_qingxi.csv' },
      { id: 'baisha_taoyuan', frame: 'frames/baisha_taoyuan.csv', n: 2, off_sample: true },
    ],
    roster,
    assignments: [
      { unit: 'yunling_qingxi', device: keyid },
      { unit: 'baisha_taoyuan', device: keyid },
    ],
  };
  const planFile = join(dir, `${id}.plan.json`);
  writeFileSync(planFile, JSON.stringify(plan, null, 2));
  const out = join(dir, `${id}.round.json`);
  cli('round', 'build', planFile, '--key', key, '-o', out);
  return out;
}

/** The draw order per unit, from `survey round show --format csv`. */
function drawOrder(roundFile) {
  const order = {};
  for (const line of cli('round', 'show', roundFile, '--format', 'csv').trim().split('\n').slice(1)) {
    const [unit, , household] = line.split(',');
    (order[unit] ||= []).push(household);
  }
  return order;
}

const shortFingerprint = (hex) => hex.slice(0, 16).match(/.{4}/g).join(' ');

/** Exports the browser's enrolment entry from Settings into `dir`; returns its path and the device key id. */
async function exportEnrolment(page, dir) {
  await page.click('[data-testid=settings]');
  const keyid = await page.locator('[data-testid=device-keyid]').getAttribute('data-keyid');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-enrolment]')]);
  const roster = join(dir, 'roster.json');
  await download.saveAs(roster);
  await page.click('[data-testid=home]');
  return { roster, keyid };
}

/** Chooses a file in the import picker and waits for its round report (the newest is first). */
async function importRound(page, file, outcome) {
  const before = await page.locator('[data-testid=round-report]').count();
  await page.setInputFiles('[data-testid=import-file]', file);
  if (outcome === 'new-key') {
    await page.waitForSelector('[data-testid=new-organiser-key]');
    return null;
  }
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=round-report]').length > n, before);
  const report = page.locator('[data-testid=round-report]').first();
  assert.equal(await report.getAttribute('data-outcome'), outcome, await report.innerText());
  return report;
}

const household = (page, code) => page.locator(`[data-testid="household-${code}"]`);

/** Records a contact attempt at a household and waits until the app shows it as committed. */
async function recordContact(page, code, outcome, note = '') {
  const row = household(page, code);
  await row.locator('[data-testid=record-contact]').click();
  await row.locator(`[data-testid=outcome-${outcome}]`).check();
  if (note) await row.locator('[data-testid=contact-note]').fill(note);
  await row.locator('[data-testid=save-contact]').click();
  await row.locator('[data-testid=contact-saved]').waitFor();
}

async function openUnit(page, unit) {
  await page.click('[data-testid=home]');
  await page.click('[data-testid=go-today]');
  await page.locator(`[data-testid=unit-${unit}] [data-testid=open-unit]`).click();
  await page.waitForSelector('[data-testid=unit-page]');
}

const shownHouseholds = (page) =>
  page.locator('[data-testid=households] > li').evaluateAll((items) =>
    items.map((li) => ({ code: li.dataset.testid.replace(/^household-/, ''), slot: Number(li.dataset.slot), status: li.dataset.status })),
  );

test('an evaluator follows a signed round door to door and exports a bundle/2 that verifies; the department page checks it against the round as the CLI does', { timeout: 300_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'survey-round-e2e-'));
  try {
    await withFreshApp({}, async (page, server) => {
      await setUpEvaluator(page);
      const { roster, keyid } = await exportEnrolment(page, dir);
      const organiser = organiserKey(dir, 'organiser');
      const roundFile = buildRound(dir, { id: 'e2e-round', roster, keyid, key: organiser.file });
      const order = drawOrder(roundFile);

      // Imported beside survey files; the organiser key is pinned and its short fingerprint shown.
      const report = await importRound(page, roundFile, 'added');
      assert.equal(await report.locator('[data-testid=organiser-fingerprint]').innerText(), shortFingerprint(organiser.keyid));
      // The round's survey is on the tablet, and its interviews start from households only.
      await page.waitForSelector(`[data-testid=survey-${SURVEY}] [data-testid=round-survey]`);
      assert.equal(await page.locator(`[data-testid=start-${SURVEY}]`).count(), 0);

      // Today's work: both units, nothing done yet.
      await page.click('[data-testid=go-today]');
      await page.waitForSelector('[data-testid=today]');
      assert.equal(await page.locator('[data-testid=assigned-units] > li').count(), 2);
      await axeCheck(page, "Today's work");

      // Unit A shows exactly its n = 3 drawn households, in draw order; nothing of the rest of the frame.
      await openUnit(page, 'yunling_qingxi');
      const a = order.yunling_qingxi;
      assert.deepEqual(await shownHouseholds(page), a.slice(0, 3).map((code, i) => ({ code, slot: i + 1, status: 'to_visit' })));
      assert.equal(await page.getByText(a[3], { exact: true }).count(), 0, 'no substitute before the rule releases one');

      // A refusal releases the first substitute; two not-at-home visits release nothing yet.
      await recordContact(page, a[0], 'refused', '门口说不参加');
      await page.waitForSelector(`[data-testid="household-${a[3]}"]`);
      await recordContact(page, a[1], 'not_at_home');
      await recordContact(page, a[1], 'not_at_home', '邻居说晚上回来');
      const shown = await shownHouseholds(page);
      assert.deepEqual(shown.map((h) => [h.code, h.slot, h.status]), [
        [a[0], 1, 'refused'],
        [a[1], 2, 'not_at_home'],
        [a[2], 3, 'to_visit'],
        [a[3], 4, 'to_visit'],
      ]);
      assert.match(await household(page, a[1]).locator('[data-testid=household-status]').innerText(), /×2/);
      await household(page, a[2]).locator('[data-testid=record-contact]').click();
      await axeCheck(page, 'a unit with its contact form open');
      await household(page, a[2]).locator('[data-testid=record-contact]').click();
      assert.equal(await household(page, a[1]).locator('[data-testid=contact]').count(), 2, 'both visits in the history');

      // Interviews start from a household: the drawn one at slot 3 and the released substitute at slot 4.
      for (const code of [a[2], a[3]]) {
        await household(page, code).locator('[data-testid=start-household]').click();
        await page.waitForSelector('[data-testid=question]');
        await fillToTheEnd(page);
        await openUnit(page, 'yunling_qingxi');
      }
      assert.equal(await household(page, a[2]).getAttribute('data-status'), 'interviewed');
      assert.equal(await household(page, a[3]).getAttribute('data-status'), 'interviewed');

      // Unit B allows off-sample interviews; they are marked as such.
      await openUnit(page, 'baisha_taoyuan');
      await page.fill('[data-testid=off-sample-code]', '桃源村临时1号');
      await page.click('[data-testid=start-off-sample]');
      await page.waitForSelector('[data-testid=question]');
      await fillToTheEnd(page);
      await openUnit(page, 'baisha_taoyuan');
      await page.waitForSelector('[data-testid=off-sample-response]');
      // Unit A does not allow them.
      await openUnit(page, 'yunling_qingxi');
      assert.equal(await page.locator('[data-testid=off-sample-form]').count(), 0);

      // Everything survives a reload.
      await page.reload();
      await page.waitForSelector('[data-testid=unit-page]');
      assert.equal(await household(page, a[1]).locator('[data-testid=contact]').count(), 2);

      // The round's bundle/2: three interviews and every contact, signed by the device.
      await page.click('[data-testid=back-to-today]');
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-round]')]);
      const name = download.suggestedFilename();
      assert.match(name, new RegExp(`^e2e-round-${keyid.slice(0, 8)}-\\d{8}-1-3\\.bundle\\.json$`));
      const bundleFile = join(dir, name);
      await download.saveAs(bundleFile);
      await page.waitForSelector('[data-testid=export-note][data-ok=true]');

      const verified = cli('verify', '--roster', roster, bundleFile);
      assert.match(verified, /: ok \(3 responses, seq 1-3 of 3, survey party-building-satisfaction/);
      const python = execFileSync('python3', [join(ROOT, 'tests/bundles/verify_bundle.py'), '--roster', roster, bundleFile], { encoding: 'utf8' });
      assert.match(python, /ok/);

      const envelope = JSON.parse(readFileSync(bundleFile, 'utf8'));
      const payload = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
      const roundPayload = Buffer.from(JSON.parse(readFileSync(roundFile, 'utf8')).payload, 'base64');
      assert.equal(payload.format, 'bundle/2');
      assert.deepEqual(payload.round, { id: 'e2e-round', sha256: createHash('sha256').update(roundPayload).digest('hex') });
      assert.deepEqual(
        payload.contacts.map((c) => [c.unit, c.household, c.outcome, c.note]).sort(),
        [
          ['yunling_qingxi', a[0], 'refused', '门口说不参加'],
          ['yunling_qingxi', a[1], 'not_at_home', ''],
          ['yunling_qingxi', a[1], 'not_at_home', '邻居说晚上回来'],
        ].sort(),
      );
      const samples = payload.responses.map((r) => [r.response.unit, r.response.sample]);
      assert.deepEqual(
        samples.sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y))),
        [
          ['baisha_taoyuan', { round: 'e2e-round', household: '桃源村临时1号', slot: null, off_sample: true }],
          ['yunling_qingxi', { round: 'e2e-round', household: a[2], slot: 3, off_sample: false }],
          ['yunling_qingxi', { round: 'e2e-round', household: a[3], slot: 4, off_sample: false }],
        ].sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y))),
      );

      // A tampered round (one household changed after signing) is refused and changes nothing.
      await page.click('[data-testid=home]');
      const tampered = JSON.parse(readFileSync(roundFile, 'utf8'));
      const text = Buffer.from(tampered.payload, 'base64').toString('utf8').replace(a[0], `${a[0]}X`);
      tampered.payload = Buffer.from(text, 'utf8').toString('base64');
      const tamperedFile = join(dir, 'tampered.round.json');
      writeFileSync(tamperedFile, JSON.stringify(tampered));
      const refused = await importRound(page, tamperedFile, 'refused');
      assert.equal(await refused.getAttribute('data-code'), 'bad_signature');

      // A round that does not enrol this tablet says so and shows the enrolment entry.
      const notMine = await importRound(page, join(EXAMPLE, '2026-q4-example.round.json'), 'not_enrolled');
      assert.equal(await notMine.locator('[data-testid=export-enrolment]').count(), 1);
      assert.equal(await notMine.locator('[data-testid=device-keyid]').innerText(), shortFingerprint(keyid));

      // A round signed by another organiser key: both fingerprints shown; declined, nothing changes; accepted,
      // the new key is pinned.
      const other = organiserKey(dir, 'other');
      const otherRound = buildRound(join(dir, 'other'), { id: 'e2e-round-2', roster, keyid, key: other.file });
      await importRound(page, otherRound, 'new-key');
      await axeCheck(page, 'the new organiser key question');
      assert.equal(await page.locator('[data-testid=pinned-key]').innerText(), shortFingerprint(organiser.keyid));
      assert.equal(await page.locator('[data-testid=offered-key]').innerText(), shortFingerprint(other.keyid));
      await page.click('[data-testid=decline-key]');
      assert.equal(await page.locator('[data-testid=new-organiser-key]').count(), 0);
      await page.click('[data-testid=go-today]');
      assert.equal(await page.locator('[data-testid^=round-]').count(), 1, 'the declined round was not stored');
      await page.click('[data-testid=home]');
      await importRound(page, otherRound, 'new-key');
      const before = await page.locator('[data-testid=round-report]').count();
      await page.click('[data-testid=accept-key]');
      await page.waitForFunction((n) => document.querySelectorAll('[data-testid=round-report]').length > n, before);
      assert.equal(await page.locator('[data-testid=round-report]').first().getAttribute('data-outcome'), 'added');
      await page.click('[data-testid=go-today]');
      assert.equal(await page.locator('[data-testid^=round-]').count(), 2);

      // The department loads the round beside the bundle: the fieldwork is checked against the draw, and the page's
      // compliance and scores equal `survey report --round`'s.
      await page.goto(`${server.url}department/`);
      await page.waitForSelector('[data-testid=department][data-ready=true]');
      await page.setInputFiles('[data-testid=load-round]', roundFile);
      await page.waitForFunction(() => document.querySelector('[data-testid=round-status]').textContent.includes('e2e-round'));
      await page.setInputFiles('[data-testid=load-bundles]', bundleFile);
      await page.waitForFunction(
        () => !document.querySelector('[data-testid=import-progress]') && document.querySelectorAll('[data-testid=file-outcome]').length >= 1,
      );
      await page.waitForSelector('[data-testid=compliance]');
      const unitA = page.locator('[data-testid=compliance-unit][data-unit=yunling_qingxi]');
      // Drawn 3: one refusal, a household not at home twice (not final yet), the drawn one and the substitute interviewed.
      assert.equal(await unitA.locator('[data-testid=interviewed]').innerText(), '2');
      assert.equal(await unitA.locator('[data-testid=substitutes]').innerText(), '1');
      assert.equal(await unitA.locator('[data-testid=refused]').innerText(), '1');
      assert.equal(await unitA.locator('[data-testid=not-at-home-final]').innerText(), '0');
      assert.equal(await unitA.locator('[data-testid=response-rate]').innerText(), '66.7%');
      assert.equal(await unitA.locator('[data-testid=substitution-rate]').innerText(), '50.0%');
      assert.equal(await page.locator('[data-testid=finding]').count(), 0, 'the tablet followed the rule');
      const signedRound = JSON.parse(roundPayload.toString('utf8'));
      assert.equal(await page.locator('[data-testid=frame-commitment]').innerText(), signedRound.frame_commitment);
      assert.equal(await page.locator('[data-testid=seed]').innerText(), signedRound.seed);
      assert.equal(await page.locator('[data-testid=organiser-keyid]').innerText(), organiser.keyid);
      await axeCheck(page, 'the department page with a round');
      const pageReport = async () => {
        const [file] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-json]')]);
        return JSON.parse(readFileSync(await file.path(), 'utf8'));
      };
      const cliReport = (...extra) => JSON.parse(cli('report', '--round', roundFile, '--format', 'json', ...extra, bundleFile));
      const byDefault = await pageReport();
      assert.deepEqual(byDefault.compliance, cliReport().compliance);
      assert.deepEqual(byDefault.report, cliReport().report);
      assert.equal(byDefault.report.overall.n_responses, 2, 'the off-sample interview is not counted by default');
      // The switch counts the off-sample interview, as --include-off-sample does.
      await page.check('[data-testid=include-off-sample]');
      await page.waitForFunction(() => document.querySelector('[data-testid=include-off-sample]').checked);
      const withOffSample = await pageReport();
      assert.equal(withOffSample.report.overall.n_responses, 3);
      assert.deepEqual(withOffSample.report, cliReport('--include-off-sample').report);
      assert.deepEqual(withOffSample.compliance, cliReport('--include-off-sample').compliance);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('crash safety: a contact attempt shown as saved survives the browser being killed', { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'survey-round-crash-'));
  const server = await startServer(requireDist(), { port: 0 });
  const profile = freshProfile();
  let instance = null;
  try {
    instance = await launchChromium(profile);
    let { page } = instance;
    await page.goto(server.url);
    await page.waitForSelector('[data-testid=survey-list]');
    // The enrolment entry as Settings shows it (downloads need not work over a bare DevTools connection).
    await page.click('[data-testid=settings]');
    const keyid = await page.locator('[data-testid=device-keyid]').getAttribute('data-keyid');
    const key = await page.locator('[data-testid=device] code.wrap').innerText();
    const roster = join(dir, 'roster.json');
    writeFileSync(roster, JSON.stringify({ format: 'roster/1', devices: [{ key, keyid, evaluator: '', team: '' }] }));
    await page.click('[data-testid=home]');
    const organiser = organiserKey(dir, 'organiser');
    const roundFile = buildRound(dir, { id: 'crash-round', roster, keyid, key: organiser.file });
    const codes = drawOrder(roundFile).yunling_qingxi;
    await importRound(page, roundFile, 'added');

    const outcomes = ['not_at_home', 'refused', 'vacant'];
    for (let i = 0; i < outcomes.length; i += 1) {
      await openUnit(page, 'yunling_qingxi');
      await recordContact(page, codes[i], outcomes[i], `第${i + 1}次`);
      // Killed the moment the app said "saved".
      await crash(instance, profile);
      instance = await launchChromium(profile);
      page = instance.page;
      await page.goto(server.url);
      await page.waitForSelector('[data-testid=survey-list]');
      await openUnit(page, 'yunling_qingxi');
      for (let j = 0; j <= i; j += 1) {
        const row = household(page, codes[j]);
        assert.equal(await row.getAttribute('data-status'), outcomes[j], `attempt ${j + 1} after crash ${i + 1}`);
        assert.equal(await row.locator('[data-testid=contact] .note').innerText(), `第${j + 1}次`);
      }
    }
    assert.deepEqual(instance.errors, [], 'the page reported errors');
  } finally {
    if (instance) await instance.browser.close().catch(() => {});
    if (instance) await crash(instance, profile).catch(() => {});
    await server.close();
    removeProfile(profile);
    rmSync(dir, { recursive: true, force: true });
  }
});
