// End-to-end tests of the evaluator's day: evaluator set-up, self-completion (the resident can
// reach nothing but the current survey; idle timeout; leaving needs the evaluator's code),
// survey import (a bad file changes nothing and names the fault's path), discarding a draft,
// and accessibility (axe-core on every screen, no serious or critical violation), with
// screenshots of every screen at 1024x768 and 768x1024 in tests/.artifacts/screens/.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { axeCheck, fillToTheEnd, saved, setUpEvaluator, withFreshApp } from './helpers.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const SCREENS = join(ROOT, 'tests/.artifacts/screens');
const SURVEY = 'party-building-satisfaction';


function responseId(page) {
  const match = /#\/fill\/([^/?#]+)/.exec(new URL(page.url()).hash);
  assert.ok(match, `not on a response: ${page.url()}`);
  return decodeURIComponent(match[1]);
}

test('self-completion: only the current survey is reachable, it returns to the welcome screen, leaving needs the evaluator', async () => {
  await withFreshApp({}, async (page, server) => {
    await page.evaluate(() => localStorage.setItem('survey-kit.idle-seconds', '3'));
    await setUpEvaluator(page);

    // An interview draft that the resident must not be able to reach.
    await page.click(`[data-testid=start-${SURVEY}]`);
    await page.waitForSelector('[data-testid=question]');
    const otherId = responseId(page);
    await page.locator('[data-testid=question] label.option').first().click();
    await saved(page);
    await page.click('[data-testid=home]');

    await page.fill(`[data-testid=survey-${SURVEY}] [data-testid=unit-input]`, '青溪村');
    await page.click(`[data-testid=self-${SURVEY}]`);
    await page.waitForSelector('[data-testid=welcome]');
    assert.equal(await page.locator('[data-testid=home], [data-testid=settings]').count(), 0, 'no way home or to settings');

    for (const hash of ['#/', '#/settings', `#/fill/${otherId}`]) {
      await page.evaluate((h) => { location.hash = h; }, hash);
      await page.waitForTimeout(200);
      await page.waitForSelector('[data-testid=welcome]');
      assert.equal(await page.locator('[data-testid=survey-list], [data-testid=evaluator-form]').count(), 0, `${hash} must stay locked`);
    }
    await page.reload();
    await page.waitForSelector('[data-testid=welcome]');

    // A resident fills the survey in; after the thank-you the welcome screen returns.
    await page.click('[data-testid=welcome-start]');
    await page.waitForSelector('[data-testid=question]');
    const firstSelfId = responseId(page);
    assert.notEqual(firstSelfId, otherId);
    await page.goto(`${server.url}#/fill/${otherId}`);
    await page.waitForSelector('[data-testid=welcome], [data-testid=question]');
    await page
      .waitForFunction((h) => location.hash !== h, `#/fill/${otherId}`, { timeout: 5000 })
      .catch(() => assert.fail('another response is reachable by address'));
    assert.equal(await page.locator(`[data-testid=question]`).count(), 0, 'no question of another response is shown');
    // Leaving the response by address returned to the welcome screen: the next start is a new response.
    await page.click('[data-testid=welcome-start]');
    await page.waitForSelector('[data-testid=question]');
    const selfId = responseId(page);
    await fillToTheEnd(page);
    await page.click('[data-testid=start-another]');
    await page.waitForSelector('[data-testid=welcome]');

    // A resident who walks away: after the idle time the welcome screen returns, the draft stays.
    await page.click('[data-testid=welcome-start]');
    await page.waitForSelector('[data-testid=question]');
    const abandoned = responseId(page);
    await page.locator('[data-testid=question] label.option').first().click();
    await saved(page);
    await page.waitForSelector('[data-testid=welcome]', { timeout: 10_000 });

    // Leaving needs the evaluator's code.
    await page.click('[data-testid=evaluator-exit]');
    await page.fill('#unlock-pin', '0000');
    await page.press('#unlock-pin', 'Enter');
    await page.waitForSelector('[data-testid=unlock] [role=alert]');
    assert.equal(await page.locator('[data-testid=welcome]').count(), 1, 'a wrong code does not unlock');
    await page.fill('#unlock-pin', '2468');
    await page.press('#unlock-pin', 'Enter');
    await page.waitForSelector('[data-testid=survey-list]');
    await page.waitForSelector(`[data-testid="draft-${abandoned}"]`);
    await page.waitForSelector(`[data-testid="draft-${otherId}"]`);
    await page.waitForSelector(`[data-testid="draft-${firstSelfId}"]`);
    assert.equal(await page.locator(`[data-testid="draft-${selfId}"]`).count(), 0, 'the finished one is not a draft');
    assert.match(await page.locator('[data-testid=completed-count]').innerText(), /1/);
    assert.match(await page.locator('[data-testid=unit-counts]').innerText(), /青溪村/);
  });
});

test('importing a bad survey file changes nothing and names the fault; a good one is added', async () => {
  await withFreshApp({}, async (page) => {
    const cards = () => page.locator('[data-testid=survey-list] > li').count();
    const before = await cards();
    const dir = join(tmpdir(), `survey-import-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    const bad = join(dir, 'bad-survey.json');
    writeFileSync(bad, readFileSync(join(ROOT, 'crates/survey-core/test_data/schema/err/0003_empty-choices.json')));
    await page.setInputFiles('[data-testid=import-file]', bad);
    const report = page.locator('[data-testid=import-report]').first();
    await report.waitFor();
    assert.match(await report.innerText(), /bad-survey\.json/);
    assert.match(await report.innerText(), /sections\[1\]\.questions\[5\]\.choices/);
    assert.equal(await cards(), before, 'nothing added');
    await page.reload();
    await page.waitForSelector('[data-testid=survey-list]');
    assert.equal(await cards(), before, 'nothing stored');

    const good = join(dir, 'every-kind.json');
    writeFileSync(good, readFileSync(join(ROOT, 'crates/survey-core/test_data/schema/ok/0004_every-kind.json')));
    await page.setInputFiles('[data-testid=import-file]', good);
    await page.waitForSelector('[data-testid=import-report].ok');
    assert.equal(await cards(), before + 1);
    await page.reload();
    await page.waitForSelector('[data-testid=start-kinds]');
    assert.equal(await cards(), before + 1, 'kept after a reload');
  });
});

test('a draft is discarded only after confirming', async () => {
  await withFreshApp({}, async (page) => {
    await page.click(`[data-testid=start-${SURVEY}]`);
    await page.waitForSelector('[data-testid=question]');
    const id = responseId(page);
    await page.locator('[data-testid=question] label.option').first().click();
    await saved(page);
    await page.click('[data-testid=home]');
    const item = page.locator(`[data-testid="draft-${id}"]`);
    await item.locator('[data-testid=discard]').click();
    await item.getByRole('button', { name: /取消|Cancel/ }).click();
    await item.locator('[data-testid=resume]').waitFor();
    await item.locator('[data-testid=discard]').click();
    await item.locator('[data-testid=confirm-discard]').click();
    await page.waitForFunction((sel) => !document.querySelector(sel), `[data-testid="draft-${id}"]`);
    await page.reload();
    await page.waitForSelector('[data-testid=survey-list]');
    assert.equal(await page.locator(`[data-testid="draft-${id}"]`).count(), 0, 'gone from the device');
  });
});

async function shoot(page, name) {
  mkdirSync(SCREENS, { recursive: true });
  for (const [width, height] of [[1024, 768], [768, 1024]]) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: join(SCREENS, `${name}-${width}x${height}.png`) });
  }
  await page.setViewportSize({ width: 1024, height: 768 });
}

for (const locale of ['zh-CN', 'en-US']) {
  test(`every screen passes axe-core with no serious or critical violation (${locale})`, async () => {
    await withFreshApp({ locale }, async (page) => {
      const screen = async (name) => {
        await axeCheck(page, name);
        await shoot(page, `${locale}-${name}`);
      };
      await screen('home-empty');
      await setUpEvaluator(page);
      await page.click('[data-testid=settings]');
      await page.waitForSelector('[data-testid=evaluator-form]');
      await screen('settings');
      await page.click('[data-testid=home]');
      await page.click(`[data-testid=start-property-and-owners-committee]`);
      await page.waitForSelector('[data-testid=question]');
      await screen('fill-first-page');
      for (let i = 0; i < 3 && (await page.locator('[data-kind=matrix]').count()) === 0; i += 1) {
        await page.click('[data-testid=next]');
        await page.waitForTimeout(100);
      }
      await screen('fill-matrix');
      while ((await page.locator('[data-testid=next]').count()) > 0) {
        await page.click('[data-testid=next]');
        await page.waitForTimeout(100);
      }
      await page.click('[data-testid=finish]');
      await page.waitForSelector('[data-testid=missing]');
      await screen('fill-missing');
      await page.click('[data-testid=home]');
      await page.waitForSelector('[data-testid=drafts] li');
      await screen('home-with-draft');
      await page.click(`[data-testid=self-${SURVEY}]`);
      await page.waitForSelector('[data-testid=welcome]');
      await screen('welcome');
      await page.click('[data-testid=welcome-start]');
      await page.waitForSelector('[data-testid=question]');
      await screen('self-fill');
      await page.click('[data-testid=evaluator-exit]');
      await page.waitForSelector('[data-testid=unlock]');
      await screen('unlock');
      await page.fill('#unlock-pin', '2468');
      await page.press('#unlock-pin', 'Enter');
      await page.waitForSelector('[data-testid=survey-list]');
      await page.click(`[data-testid=start-${SURVEY}]`);
      await page.waitForSelector('[data-testid=question]');
      await fillToTheEnd(page);
      await screen('done');
    });
  });
}

test('an exported bundle verifies with `survey verify` against the roster entry the app exports', async () => {
  const { execFileSync } = await import('node:child_process');
  const dir = join(tmpdir(), `survey-export-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const cli = join(ROOT, 'target/debug/survey');
  await withFreshApp({}, async (page) => {
    await setUpEvaluator(page);
    await page.click('[data-testid=settings]');
    const keyid = await page.locator('[data-testid=device-keyid]').getAttribute('data-keyid');
    assert.match(keyid, /^[0-9a-f]{64}$/);
    assert.equal(await page.locator('[data-testid=enrolment-qr] svg').count(), 1, 'the enrolment entry as a QR code');
    const [enrolment] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-enrolment]')]);
    const roster = join(dir, 'roster.json');
    await enrolment.saveAs(roster);
    assert.equal(JSON.parse(readFileSync(roster, 'utf8')).devices[0].keyid, keyid);

    await page.click('[data-testid=home]');
    await page.click(`[data-testid=start-${SURVEY}]`);
    await page.waitForSelector('[data-testid=question]');
    await fillToTheEnd(page);
    await page.click('[data-testid=start-another]');
    await page.waitForSelector('[data-testid=unexported]');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid=export-${SURVEY}]`)]);
    const name = download.suggestedFilename();
    assert.match(name, new RegExp(`^${SURVEY}-${keyid.slice(0, 8)}-\\d{8}-1-1\\.bundle\\.json$`));
    const file = join(dir, name);
    await download.saveAs(file);
    await page.waitForSelector('[data-testid=export-note][data-ok=true]');
    assert.equal(await page.locator('[data-testid=unexported]').count(), 0, 'nothing left to export');
    await page.reload();
    await page.waitForSelector(`[data-testid=export-again-${SURVEY}]`);

    // A range with nothing in it exports nothing and marks nothing.
    const card = page.locator(`[data-testid=survey-${SURVEY}]`);
    await card.locator('.export-options summary').click();
    await card.locator('input[type=date]').first().fill('2999-01-01');
    await page.click(`[data-testid=export-again-${SURVEY}]`);
    await page.waitForSelector('[data-testid=export-note][data-ok=false]');

    const out = execFileSync(cli, ['verify', '--roster', roster, file], { encoding: 'utf8' });
    assert.match(out, /: ok \(1 responses, seq 1-1 of 1, survey party-building-satisfaction/);
    const python = join(ROOT, 'tests/bundles/verify_bundle.py');
    if (existsSync(python)) {
      const checked = execFileSync('python3', [python, '--roster', roster, file], { encoding: 'utf8' });
      assert.match(checked, /ok/);
    }
  });
});

test('a survey with department recipients exports an age-encrypted bundle that the age tool opens', async () => {
  const { execFileSync } = await import('node:child_process');
  const dir = join(tmpdir(), `survey-age-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const cli = join(ROOT, 'target/debug/survey');
  const identity = join(dir, `department-${Date.now()}.txt`);
  const recipient = execFileSync(cli, ['keygen', '-o', identity], { encoding: 'utf8' }).trim().replace(/^public key: /, '');
  assert.match(recipient, /^age1[0-9a-z]+$/);
  const survey = JSON.parse(readFileSync(join(ROOT, 'survey-schemas/party-building-satisfaction.json'), 'utf8'));
  survey.id = 'encrypted-example';
  survey.recipients = [recipient];
  const surveyFile = join(dir, 'encrypted-example.json');
  writeFileSync(surveyFile, JSON.stringify(survey, null, 2));

  await withFreshApp({}, async (page) => {
    await setUpEvaluator(page);
    await page.click('[data-testid=settings]');
    const [enrolment] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-enrolment]')]);
    const roster = join(dir, 'roster.json');
    await enrolment.saveAs(roster);
    await page.click('[data-testid=home]');
    await page.setInputFiles('[data-testid=import-file]', surveyFile);
    await page.waitForSelector('[data-testid=start-encrypted-example]');
    await page.click('[data-testid=start-encrypted-example]');
    await page.waitForSelector('[data-testid=question]');
    await fillToTheEnd(page);
    await page.click('[data-testid=start-another]');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-encrypted-example]')]);
    assert.match(download.suggestedFilename(), /\.bundle\.json\.age$/);
    const file = join(dir, download.suggestedFilename());
    await download.saveAs(file);
    assert.ok(readFileSync(file).subarray(0, 21).toString().startsWith('age-encryption.org/v1'), 'an age file');

    const plain = join(dir, 'decrypted.bundle.json');
    execFileSync('age', ['-d', '-i', identity, '-o', plain, file]);
    const out = execFileSync(cli, ['verify', '--roster', roster, plain], { encoding: 'utf8' });
    assert.match(out, /: ok \(1 responses/);
    const direct = execFileSync(cli, ['verify', '--roster', roster, '--identity', identity, file], { encoding: 'utf8' });
    assert.match(direct, /: ok \(1 responses/);
  });
});
