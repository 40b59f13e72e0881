// dashboard.mjs - browser test of the transparency dashboard (web/dashboard.html).
//
//   node dashboard.mjs --report FILE [--public FILE]   pages served from web/ by the test
//   node dashboard.mjs --url http://127.0.0.1:PORT     pages and data served by a node
//
// With --report the page is loaded as /dashboard/?data=report.json and every
// request is answered from the repository's web/ folder (Chart.js from
// web/node_modules) and the given report files: what a node serves, without a
// node. With --url the node serves everything itself. Either way the test
// checks what was drawn and saves screenshots (dashboard.png, and
// dashboard-public.png for the public form).
import { launch, screenshot, run } from './harness.mjs';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const web = join(here, '..', '..', 'web');
const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, v) => {
  if (a.startsWith('--')) acc.push([a.slice(2), v[i + 1]]);
  return acc;
}, []));
const base = args.url || 'http://dmvgate.test';

const types = { html: 'text/html', js: 'text/javascript', css: 'text/css', json: 'application/json' };
const files = {
  '/dashboard/': join(web, 'dashboard.html'),
  '/dashboard/dashboard.js': join(web, 'dashboard.js'),
  '/dashboard/dashboard.css': join(web, 'dashboard.css'),
  '/dashboard/chart.umd.js': join(web, 'node_modules', 'chart.js', 'dist', 'chart.umd.js'),
  '/dashboard/report.json': args.report,
  '/dashboard/public.json': args.public,
};

async function page(browser, query) {
  const p = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  p.on('pageerror', (e) => errors.push(String(e)));
  p.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  const outside = [];
  await p.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (!u.href.startsWith(base)) {
      outside.push(u.href); // no CDN, nothing from outside
      return route.abort();
    }
    if (args.url) return route.continue();
    const f = files[u.pathname];
    if (!f) return route.fulfill({ status: 404, body: 'not found' });
    const ext = f.split('.').pop();
    return route.fulfill({ status: 200, contentType: types[ext] || 'application/octet-stream',
                           body: readFileSync(f) });
  });
  await p.goto(base + '/dashboard/' + query);
  await p.waitForSelector('body[data-ready]', { timeout: 20000 });
  return { p, errors, outside };
}

function check(cond, what) {
  if (!cond) throw new Error(what);
}

const browser = await launch();
const internalQuery = args.url ? '?from=' + args.from + '&to=' + args.to : '?data=report.json';
const publicQuery = args.url ? internalQuery + '&public=1' : '?data=public.json';
await run([
  ['internal dashboard draws every part', async () => {
    const { p, errors, outside } = await page(browser, internalQuery);
    check(await p.getAttribute('body', 'data-ready') === '1',
      'not rendered: ' + await p.textContent('#error'));
    check(errors.length === 0, 'page errors: ' + errors.join('; '));
    check(outside.length === 0, 'requests outside the node: ' + outside.join(' '));
    const cards = await p.$$eval('.card .k', (e) => e.map((x) => x.textContent));
    check(cards.includes('requests') && cards.includes('photo requests'), 'cards: ' + cards);
    const total = await p.$eval('.card .v', (e) => e.textContent);
    check(/^[0-9,]+$/.test(total) && total !== '0', 'total requests ' + total);
    // the flow: bands from categories to data kinds to decisions
    const bands = await p.$$eval('#flow path.link', (e) => e.length);
    check(bands >= 6, 'flow bands: ' + bands);
    const labels = await p.$$eval('#flow text', (e) => e.map((x) => x.textContent).join('|'));
    check(labels.includes('municipal police') && labels.includes('allow') &&
          labels.includes('driver (DQ)'), 'flow labels: ' + labels);
    // every Chart.js canvas drew something
    const drawn = await p.$$eval('canvas', (cs) => cs.map((c) => !!window.Chart.getChart(c)));
    check(drawn.length === 6 && drawn.every(Boolean), 'charts: ' + drawn);
    // the planted anomalies are listed
    const kinds = await p.$$eval('#alert-table td.kind', (e) => e.map((x) => x.textContent));
    check(kinds.includes('name only') && kinds.includes('photos') && kinds.includes('volume'),
      'alerts: ' + kinds);
    await screenshot(p, 'dashboard');
    await p.close();
  }],
  ['public dashboard shows suppressed counts and no alert list', async () => {
    const { p, errors } = await page(browser, publicQuery);
    check(await p.getAttribute('body', 'data-ready') === '1', 'not rendered');
    check(errors.length === 0, 'page errors: ' + errors.join('; '));
    const foot = await p.textContent('#suppression');
    check(foot.includes('<10'), 'footer: ' + foot);
    check(await p.$('#alert-table') === null, 'the public form lists agencies with alerts');
    const rules = await p.textContent('#rules');
    check(/<10|x/.test(rules) || rules.length > 0, 'rules table');
    await screenshot(p, 'dashboard-public');
    await p.close();
  }],
]);
await browser.close();
