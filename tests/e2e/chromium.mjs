// Chromium started by hand (not by Playwright) on a persistent profile, so that a test can kill it the way a
// tablet's browser dies: SIGKILL to its whole process group, with no chance to flush or shut down. Playwright only
// attaches over the DevTools protocol. Used by the crash tests of answers and of contact attempts.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

import { CHROMIUM_ARGS, CHROMIUM_PATH, TIMEOUT, collectErrors } from './helpers.mjs';

export const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
/** A sleep that does not keep the process alive, for races against a process's exit. */
export const grace = (ms) => new Promise((ok) => setTimeout(ok, ms).unref());

/** Members of process group `pgid` that are still running (zombies waiting to be reaped count as dead). */
function livingGroupMembers(pgid) {
  const alive = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // the process ended while we looked
    }
    // Fields after the command name, which is in parentheses and may itself contain spaces or parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const [state, , pgrp] = fields;
    if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') alive.push(Number(entry));
  }
  return alive;
}

/**
 * Starts Chromium on `profile` in its own process group and attaches Playwright to it over CDP.
 * Returns the child process, the connected browser, its default (persistent) context and a page.
 */
export async function launchChromium(profile, { initScript } = {}) {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install Debian's chromium package (apt-get install chromium)`);
  }
  const args = [
    ...CHROMIUM_ARGS,
    '--headless',
    '--remote-debugging-port=0',
    `--user-data-dir=${profile}`,
    '--window-size=1024,768',
    '--no-default-browser-check',
    'about:blank',
  ];
  const child = spawn(CHROMIUM_PATH, args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise((ok) => child.once('exit', (code, signal) => ok({ code, signal })));
  child.exited = exited;
  let stderr = '';
  const endpoint = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`Chromium printed no DevTools endpoint within 30 s:\n${stderr.slice(-2000)}`)), 30_000);
    const onData = (chunk) => {
      stderr += chunk.toString();
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        ok(match[1]);
      }
    };
    child.stderr.on('data', onData);
    child.once('error', (err) => {
      clearTimeout(timer);
      fail(err);
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      fail(new Error(`Chromium exited (code ${code}, signal ${signal}) before it listened:\n${stderr.slice(-2000)}`));
    });
  }).catch((err) => {
    killGroup(child); // never leave a half-started browser behind
    throw err;
  });
  // Keep draining stderr, or Chromium blocks once the pipe is full. Only the tail is kept, for failure messages.
  child.stderr.removeAllListeners('data');
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });

  let browser;
  try {
    browser = await chromium.connectOverCDP(endpoint, { timeout: 30_000 });
  } catch (err) {
    killGroup(child);
    throw err;
  }
  const context = browser.contexts()[0];
  context.setDefaultTimeout(TIMEOUT);
  context.setDefaultNavigationTimeout(TIMEOUT);
  if (initScript) await context.addInitScript(initScript);
  const page = context.pages()[0] || (await context.newPage());
  const errors = collectErrors(page);
  return { child, browser, context, page, errors, stderr: () => stderr };
}

export function killGroup(child) {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch (err) {
    if (err.code !== 'ESRCH') throw err;
  }
}

/**
 * SIGKILLs Chromium and every process of its group (renderers, GPU, storage and network services), then waits
 * until none of them runs any more, so that the next launch really starts from what is on disk.
 */
export async function crash(instance, profile) {
  killGroup(instance.child);
  await Promise.race([instance.child.exited, grace(10_000)]);
  const deadline = Date.now() + 10_000;
  let alive = livingGroupMembers(instance.child.pid);
  while (alive.length && Date.now() < deadline) {
    for (const pid of alive) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await sleep(50);
    alive = livingGroupMembers(instance.child.pid);
  }
  assert.deepEqual(alive, [], `processes of the killed Chromium (group ${instance.child.pid}) still run`);
  // Chromium would notice on its own that the lock's owner is dead; removing the singleton files only avoids a
  // false "profile in use" should the dead browser's pid have been reused meanwhile.
  for (const name of ['SingletonLock', 'SingletonSocket', 'SingletonCookie']) rmSync(join(profile, name), { force: true });
}

