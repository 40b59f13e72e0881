// review.mjs - browser test of the review console (web/console-*.html) served
// by a development-mode node (tests/e2e/review_browser.sh starts it):
//
//   node review.mjs --url http://127.0.0.1:PORT --store STORE.db --password PW
//
// Requests are sent and polled as the agencies would (plain HTTP, X-DG-ORI);
// reviewers work in Debian's chromium, with the keyboard where it matters.
// Checks: log in, see a held request, approve it and the requester's poll
// gets the answer; deny it and the requester gets the reason; a reviewer
// cannot reach the admin page; a request without the CSRF token is refused;
// the deadline denies an unattended request. Screenshots: review-*.png.
import { launch, openPage, screenshot, run } from './harness.mjs';
import { execFileSync } from 'node:child_process';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, v) => {
  if (a.startsWith('--')) acc.push([a.slice(2), v[i + 1]]);
  return acc;
}, []));
const base = args.url;
const oln = args.oln;
const pw = args.password;

function check(cond, what) {
  if (!cond) throw new Error(what);
}

async function message(ori, text) {
  const r = await fetch(base + '/v1/messages', { method: 'POST', headers: { 'X-DG-ORI': ori, 'Content-Type': 'text/plain' }, body: text });
  return { status: r.status, body: await r.text() };
}

async function held(ori, text) {
  const r = await message(ori, text);
  check(r.status === 202, `not held: ${r.status} ${r.body}`);
  const m = /MID\/([^.]*)\.STS/.exec(r.body);
  check(m, 'no MID');
  return m[1];
}

async function poll(ori, mid) {
  const r = await fetch(`${base}/v1/messages/${mid}`, { headers: { 'X-DG-ORI': ori } });
  return { status: r.status, body: await r.text() };
}

const fbi = (cas) => `DQ.DCFBI0100.CO.TXT\nOLN/${oln}.OLS/CO.PUR/C.ATN/SA JONES.CAS/${cas}`;

let browser;
const errors = [];

const newPage = () => openPage(browser, base, errors);

// Log in with the keyboard only: type, Tab, type, Enter.
async function login(p, name) {
  await p.goto(base + '/console/');
  await p.waitForSelector('body[data-ready]');
  await p.focus('#name');
  await p.keyboard.type(name);
  await p.keyboard.press('Tab');
  await p.keyboard.type(pw);
  await p.keyboard.press('Enter');
  await p.waitForURL(/\/console\/(queue|admin)/);
  await p.waitForSelector('body[data-ready]');
}

async function decide(p, mid, action, reason) {
  await p.goto(`${base}/console/request?mid=${mid}`);
  await p.waitForSelector('body[data-ready]');
  await p.fill('#reason', reason);
  await p.click(action === 'approve' ? '#approve' : '#deny');
  await p.waitForFunction(() => /is (approved|denied)|recorded/.test(document.getElementById('msg').textContent));
}

let alice, mid1, mid2;

await run([
  ['log in and see a held request', async () => {
    browser = await launch();
    mid1 = await held('DCFBI0100', fbi('2026-0101'));
    alice = await newPage();
    await login(alice, 'alice');
    const row = alice.locator(`tr[data-mid="${mid1}"]`);
    await row.waitFor();
    const text = await row.innerText();
    check(text.includes('FBI TEST FIELD OFFICE') && text.includes('2026-0101'), 'row: ' + text);
    check(/left/.test(text), 'no deadline countdown: ' + text);
    check(!text.includes(oln), 'the queue shows record data');
    await screenshot(alice, 'review-queue');
  }],
  ['approve: the requester\'s poll gets the answer', async () => {
    await alice.goto(`${base}/console/request?mid=${mid1}`);
    await alice.waitForSelector('body[data-ready]');
    check((await alice.locator('#record').innerText()) === '', 'record shown before opening');
    await alice.click('#open');
    await alice.waitForSelector('#record table');
    check(!(await alice.isVisible('#open')), 'open button still shown');
    check((await alice.locator('#record').innerText()).includes(oln), 'record not shown');
    await alice.fill('#reason', 'judge signed warrant seen by phone; case 2026-0101');
    await screenshot(alice, 'review-request');
    await alice.click('#approve');
    await alice.waitForFunction(() => /is approved/.test(document.getElementById('msg').textContent));
    const r = await poll('DCFBI0100', mid1);
    check(r.status === 200 && r.body.includes('STS/FOUND') && r.body.includes(`OLN/${oln}`), `poll: ${r.status} ${r.body}`);
    check(!r.body.includes('alice'), 'the reviewer is named to the requester');
  }],
  ['deny: the requester gets the reason', async () => {
    mid2 = await held('DCFBI0100', fbi('2026-0102'));
    await decide(alice, mid2, 'deny', 'no warrant for a civil matter');
    await screenshot(alice, 'review-denied');
    const r = await poll('DCFBI0100', mid2);
    check(r.status === 403 && r.body.includes('STS/DENIED') && r.body.includes('no warrant for a civil matter'), `poll: ${r.status} ${r.body}`);
    check(!r.body.includes('alice'), 'the reviewer is named to the requester');
  }],
  ['a reviewer cannot reach the admin pages', async () => {
    const resp = await alice.goto(base + '/console/admin');
    check(resp.status() === 403, 'admin page status ' + resp.status());
    const api = await alice.evaluate(async () => (await fetch('/console/api/users')).status);
    check(api === 403, 'users API status ' + api);
    await alice.goto(base + '/console/queue');
    await alice.waitForSelector('body[data-ready]');
    check(await alice.locator('nav a[href="/console/admin"]').count() === 0, 'admin link shown to a reviewer');
    const root = await newPage();
    await login(root, 'root');
    await root.locator('#rows tr').first().waitFor();
    check((await root.locator('#rows').innerText()).includes('alice'), 'accounts not listed');
    await screenshot(root, 'review-admin');
    await root.close();
  }],
  ['a request without the CSRF token is refused', async () => {
    const mid = await held('DCFBI0100', fbi('2026-0103'));
    const st = await alice.evaluate(async (m) => {
      const r = await fetch('/console/api/decide', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: `mid=${m}&action=approve&reason=no+token` });
      return r.status;
    }, mid);
    check(st === 403, 'without token: ' + st);
    const r = await poll('DCFBI0100', mid);
    check(r.status === 202, 'the request was decided anyway: ' + r.status);
  }],
  ['the deadline denies an unattended request', async () => {
    const mid = await held('DCFBI0100', fbi('2026-0104'));
    // the rule gives 48 hours: move this request's deadline to the past
    execFileSync('sqlite3', [args.store, `UPDATE node_held SET deadline_us = created_us WHERE mid = '${mid}'`]);
    const carol = await newPage();
    await login(carol, 'carol');
    let seen = false;
    for (let i = 0; i < 40 && !seen; i++) { // the sweeper runs every second; nobody polls
      await carol.goto(base + '/console/queue?state=expired');
      await carol.waitForSelector('body[data-ready]');
      seen = await carol.locator(`tr[data-mid="${mid}"]`).count() > 0;
      if (!seen) await carol.waitForTimeout(250);
    }
    check(seen, 'not expired by the sweeper');
    await carol.goto(base + '/console/history');
    await carol.waitForSelector('body[data-ready]');
    check((await carol.locator('#rows').innerText()).includes('(deadline)'), 'history lacks the deadline');
    await screenshot(carol, 'review-history');
    await carol.goto(base + '/console/notices');
    await carol.waitForSelector('body[data-ready]');
    check((await carol.locator(`tr[data-mid="${mid1}"]`).count()) === 1, 'no notice for the approved request');
    await screenshot(carol, 'review-notices');
    await carol.close();
    const r = await poll('DCFBI0100', mid);
    check(r.status === 403 && r.body.includes('ERC/707'), `poll: ${r.status} ${r.body}`);
  }],
  ['no page errors, nothing from outside', async () => {
    check(errors.length === 0, errors.join('; '));
    await browser.close();
  }],
]);
