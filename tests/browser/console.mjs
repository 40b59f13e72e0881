// console.mjs - browser test of the transparency views of the review console
// (web/console-alerts.html, web/console-whatif.html) served by a
// development-mode node (tests/e2e/console_transparency.sh starts it):
//
//   node console.mjs --url http://127.0.0.1:PORT --oln OLN --namedob 'NAME|DOB' --password PW
//
// Traffic is sent as the agencies would (plain HTTP, X-DG-ORI): ordinary
// queries, a federal one held for review, and a run of 30 name-only
// searches by one sheriff's office, which the anomaly rules must flag. Then,
// in Debian's chromium: a supervisor sees the alert (in the navigation and
// on the Alerts page); edits the policy in force into a draft on the
// What-if page and sees what would change (federal requests restricted, no
// police query affected); a broken draft shows the checker's diagnostics; a
// reviewer has no What-if page. Screenshots: console-alerts, console-whatif.
import { launch, openPage, screenshot, run } from './harness.mjs';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, v) => {
  if (a.startsWith('--')) acc.push([a.slice(2), v[i + 1]]);
  return acc;
}, []));
const base = args.url;
const [name, dob] = args.namedob.split('|');

function check(cond, what) {
  if (!cond) throw new Error(what);
}

async function message(ori, text) {
  const r = await fetch(base + '/v1/messages', { method: 'POST', headers: { 'X-DG-ORI': ori, 'Content-Type': 'text/plain' }, body: text });
  return { status: r.status, body: await r.text() };
}

let browser;
const errors = [];

const newPage = () => openPage(browser, base, errors);

async function login(p, who) {
  await p.goto(base + '/console/');
  await p.waitForSelector('body[data-ready]');
  await p.fill('#name', who);
  await p.fill('#password', args.password);
  await p.keyboard.press('Enter');
  await p.waitForURL(/\/console\/queue/);
  await p.waitForSelector('body[data-ready]');
}

let carol;

await run([
  ['traffic, and a run of name-only searches raises an alert', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await message('CO0010000', `DQ.CO0010000.CO.TXT\nOLN/${args.oln}.OLS/CO.PUR/C.ATN/DET J RIVERA`);
      check(r.status === 200, `allowed query: ${r.status} ${r.body}`);
    }
    const h = await message('DCFBI0100', `DQ.DCFBI0100.CO.TXT\nOLN/${args.oln}.OLS/CO.PUR/C.ATN/SA JONES.CAS/2026-0042`);
    check(h.status === 202, `held: ${h.status}`);
    for (let i = 0; i < 30; i++) {
      const r = await message('CO0010000', `DQ.CO0010000.CO.TXT\nNAM/${name}.DOB/${dob.replace(/-/g, '')}.PUR/C.ATN/DEP K NGUYEN`);
      check(r.status === 200, `name search: ${r.status} ${r.body}`);
    }
    // the counters are flushed (and the rules checked) every 5 seconds
    let alerts = [];
    for (let i = 0; i < 60 && !alerts.some((a) => a.kind === 'name_only'); i++) {
      await new Promise((ok) => setTimeout(ok, 250));
      alerts = await (await fetch(base + '/v1/stats/alerts')).json();
    }
    check(alerts.some((a) => a.kind === 'name_only' && a.ori === 'CO0010000'), 'no name_only alert: ' + JSON.stringify(alerts));
  }],
  ['a supervisor sees the alert in the console', async () => {
    browser = await launch();
    carol = await newPage();
    await login(carol, 'carol');
    const link = carol.locator('nav a[href="/console/alerts"]');
    await link.locator('.count').waitFor();
    check(Number(await link.locator('.count').innerText()) >= 1, 'no alert count in the navigation');
    await link.click();
    await carol.waitForSelector('body[data-ready]');
    const row = carol.locator('tr[data-kind="name_only"][data-ori="CO0010000"]');
    await row.waitFor();
    const text = await row.innerText();
    check(text.includes('name-only') && text.includes('sheriff'), 'alert row: ' + text);
    check(!text.includes(name.split(',')[0]), 'the alert shows a searched name');
    await screenshot(carol, 'console-alerts');
  }],
  ['a supervisor simulates a draft of the policy in force', async () => {
    await carol.goto(base + '/console/whatif');
    await carol.waitForSelector('body[data-ready]');
    const draft = await carol.inputValue('#draft');
    check(draft.includes('Colorado review console test policy'), 'the editor does not start from the policy in force');
    // the draft: refuse federal requests without a warrant instead of holding them
    const edited = draft.replace('review "federal requests need a judicial warrant" within 48h, notify subject',
      'deny "federal requests need a judicial warrant"');
    check(edited !== draft, 'the federal rule is not in the policy in force');
    await carol.fill('#draft', edited);
    await carol.focus('#run');
    await carol.keyboard.press('Enter');
    await carol.waitForSelector('body[data-simulated]');
    const msg = await carol.locator('#msg').innerText();
    check(/Replayed \d+ requests: [1-9]\d* would be decided differently/.test(msg), 'message: ' + msg);
    check(await carol.isVisible('#result'), 'no result shown');
    const police = await carol.locator('#police').innerText();
    check(/Affected\s+0/.test(police), 'police affected: ' + police);
    const trans = await carol.locator('#transitions').innerText();
    check(trans.includes('review') && trans.includes('deny'), 'transition table: ' + trans);
    check(await carol.locator('#transitions td.changed').count() >= 1, 'no changed cell');
    const cats = await carol.locator('#by-category').innerText();
    check(cats.includes('federal le') && cats.includes('sheriff'), 'by category: ' + cats);
    check((await carol.locator('#by-rule').innerText()).includes('federal requests need a judicial warrant'), 'by rule');
    await screenshot(carol, 'console-whatif');
  }],
  ['a broken draft shows the checker\'s diagnostics', async () => {
    await carol.fill('#draft', 'policy "broken" state CO\ndeny "x" when requester.colour == red\ndefault allow\n');
    await carol.evaluate(() => { delete document.body.dataset.simulated; });
    await carol.click('#run');
    await carol.waitForSelector('body[data-simulated]');
    check(await carol.isVisible('#diagnostics'), 'no diagnostics shown');
    check((await carol.locator('#diagnostics').innerText()).includes('draft:2'), 'diagnostics lack the line');
    await carol.close();
  }],
  ['a reviewer has no what-if page; no page errors, nothing from outside', async () => {
    const alice = await newPage();
    await login(alice, 'alice');
    check(await alice.locator('nav a[href="/console/whatif"]').count() === 0, 'What-if link shown to a reviewer');
    check(await alice.locator('nav a[href="/console/alerts"]').count() === 1, 'no Alerts link for a reviewer');
    const resp = await alice.goto(base + '/console/whatif');
    check(resp.status() === 403, 'what-if page status ' + resp.status());
    await alice.close();
    check(errors.length === 0, errors.join('; '));
    await browser.close();
  }],
]);
