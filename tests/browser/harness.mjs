// harness.mjs - shared set-up for the browser tests: launch Debian's chromium
// through playwright-core (never a downloaded browser), headless, with the flags
// this closed-network machine needs, and save screenshots under screenshots/.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const screenshotDir = process.env.DG_SCREENSHOTS || join(here, 'screenshots');

export async function launch() {
  // playwright-core gives chromium a fresh temporary profile of its own.
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  return browser;
}

// A page of a laptop's size that may load only from base: anything else is
// refused and recorded in errors, as are the page's script errors.
export async function openPage(browser, base, errors) {
  const p = await browser.newPage({ viewport: { width: 1366, height: 800 } });
  p.on('pageerror', (e) => errors.push(String(e)));
  await p.route('**/*', (route) => {
    if (!route.request().url().startsWith(base)) { errors.push('outside: ' + route.request().url()); return route.abort(); }
    return route.continue();
  });
  return p;
}

export async function screenshot(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
}

// A tiny test runner: named async steps, a final "N passed, M failed" line,
// exit status 1 when any failed.
export async function run(tests) {
  let passed = 0, failed = 0;
  for (const [name, fn] of tests) {
    try {
      await fn();
      passed++;
      console.log(`ok   ${name}`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${name}: ${e && e.stack ? e.stack : e}`);
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}
