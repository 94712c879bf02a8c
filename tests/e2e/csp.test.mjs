// End-to-end test of the Content-Security-Policy: a whole day's work in one browser (an interview, the bundle
// export, the department's import, its exports and the print), with every request the browser makes and every
// CSP violation recorded. Nothing may go to another origin and nothing may violate the policy; the policy is on
// both pages as a header and as a meta tag.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectErrors, fillToTheEnd, firstPage, freshProfile, launch, removeProfile, requireDist, setUpEvaluator } from './helpers.mjs';
import { startServer } from './server.mjs';

const SURVEY = 'party-building-satisfaction';

/** What the policy must say, directive by directive (the hashes of trunk's loader aside). */
const REQUIRED = [
  "default-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
];

function checkPolicy(policy, where, { header }) {
  assert.ok(policy, `${where}: a Content-Security-Policy`);
  for (const directive of REQUIRED) assert.ok(policy.includes(directive), `${where}: ${directive} in ${policy}`);
  assert.match(policy, /script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/]+=*'(;|$)/, `${where}: script-src`);
  assert.ok(!/unsafe-inline|unsafe-eval'/.test(policy.replace("'wasm-unsafe-eval'", '')), `${where}: nothing unsafe`);
  assert.equal(policy.includes("frame-ancestors 'none'"), header, `${where}: frame-ancestors only in the header`);
}

test('an interview, its export, the department import, exports and print: no request leaves the origin, no CSP violation', async () => {
  const server = await startServer(requireDist());
  const origin = new URL(server.url).origin;
  const profile = freshProfile();
  const browser = await launch({ userDataDir: profile, locale: 'zh-CN' });
  const downloads = mkdtempSync(join(tmpdir(), 'survey-csp-'));
  const requests = [];
  const violations = [];
  browser.context.on('request', (request) => requests.push(request.url()));
  // Violations are reported to the test through a binding (not an inline script, which the policy would refuse).
  await browser.context.exposeBinding('reportViolation', (_source, violation) => violations.push(violation));
  await browser.context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      globalThis.reportViolation({ directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample, page: location.href }),
    );
  });
  const page = await firstPage(browser.context);
  const errors = collectErrors(page);
  page.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text())) violations.push({ console: msg.text() });
  });
  try {
    const response = await page.goto(server.url);
    checkPolicy(response.headers()['content-security-policy'], 'field app header', { header: true });
    checkPolicy(await page.locator('meta[http-equiv=Content-Security-Policy]').getAttribute('content'), 'field app meta', {
      header: false,
    });
    await page.waitForSelector('[data-testid=survey-list]');
    // The service worker still registers (from its file) and takes the page.
    await page.waitForFunction(async () => Boolean(await navigator.serviceWorker.getRegistration()));

    // The tablet's day: evaluator, enrolment, an interview to the end, the signed bundle exported.
    await setUpEvaluator(page);
    await page.click('[data-testid=settings]');
    const [enrolment] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-enrolment]')]);
    const roster = join(downloads, 'roster.json');
    await enrolment.saveAs(roster);
    await page.click('[data-testid=home]');
    await page.click(`[data-testid=start-${SURVEY}]`);
    await page.waitForSelector('[data-testid=question]');
    await fillToTheEnd(page);
    await page.click('[data-testid=start-another]');
    await page.waitForSelector('[data-testid=unexported]');
    const [bundle] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid=export-${SURVEY}]`)]);
    const bundleFile = join(downloads, bundle.suggestedFilename());
    await bundle.saveAs(bundleFile);
    assert.equal(JSON.parse(readFileSync(bundleFile, 'utf8')).payloadType, 'application/vnd.survey-kit.bundle+json');

    // The department: roster and bundle imported, results shown with their charts, every export, the print.
    const department = await page.goto(`${server.url}department/`);
    checkPolicy(department.headers()['content-security-policy'], 'department header', { header: true });
    await page.waitForSelector('[data-testid=department][data-ready=true]');
    await page.setInputFiles('[data-testid=load-roster]', roster);
    await page.waitForFunction(() => /\d/.test(document.querySelector('[data-testid=roster-status]').textContent));
    await page.setInputFiles('[data-testid=load-bundles]', bundleFile);
    await page.waitForSelector('[data-testid=file-outcome].ok');
    await page.waitForSelector('[data-testid=ranking-chart] svg');
    for (const kind of ['json', 'csv', 'xlsx']) {
      const [file] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid=export-${kind}]`)]);
      await file.saveAs(join(downloads, file.suggestedFilename()));
    }
    page.once('dialog', (dialog) => dialog.accept());
    const [raw] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-raw]')]);
    await raw.saveAs(join(downloads, raw.suggestedFilename()));
    const pdf = await page.pdf();
    assert.equal(pdf.subarray(0, 4).toString('latin1'), '%PDF', 'the page prints');

    // Every request went to the page's own origin (downloads are blob: URLs the page made itself).
    const foreign = requests.filter((url) => !url.startsWith('blob:') && !url.startsWith('data:') && new URL(url).origin !== origin);
    assert.deepEqual(foreign, [], 'requests to another origin');
    assert.ok(requests.some((url) => url.endsWith('.wasm')), 'the recording saw the app load');
    assert.deepEqual(violations, [], 'CSP violations');
    assert.deepEqual(errors, [], 'the pages reported errors');

    // The recorder does see a violation: an injected inline script is refused, and reported.
    await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'globalThis.injectedRan = true';
      document.body.append(script);
    });
    await new Promise((ok) => setTimeout(ok, 200));
    assert.equal(await page.evaluate(() => globalThis.injectedRan), undefined, 'the injected script did not run');
    assert.ok(violations.some((v) => v.directive && v.directive.startsWith('script-src')), JSON.stringify(violations));
  } finally {
    await browser.close();
    await server.close();
    removeProfile(profile);
    rmSync(downloads, { recursive: true, force: true });
  }
});
