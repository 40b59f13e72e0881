// casbin.mjs - the Casbin peer: decide the request mix with node-casbin.
//
// Model casbin/warrant-required.conf (ABAC: eval of each row's condition, the
// priority effect, so the first row whose condition holds decides, as in
// dmvgate) and policy casbin/warrant-required.csv (one row per dmvgate rule, in
// order: rule name, outcome, notify, condition, eft). Each request is the call
// enforceExSync(sub, key, dest, ctx) with sub the requester's resolved
// directory entry and ctx {purpose, legal_process, has_case}; enforceEx returns
// the row that decided, which gives the rule, outcome and notify columns.
// The argument lists are built before timing.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newEnforcer } from 'casbin';
import { options, loadMix, run, writeDecisions, summary, fail } from './common.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const opt = options(['enforceExSync']);
const version = JSON.parse(readFileSync(join(here, 'node_modules/casbin/package.json'), 'utf8')).version;

const enforcer = await newEnforcer(
  join(here, 'casbin/warrant-required.conf'),
  join(here, 'casbin/warrant-required.csv'),
);
const rows = await enforcer.getPolicy();
if (rows.length === 0 || rows.some((r) => r.length !== 5))
  fail('casbin policy: every row needs rule, outcome, notify, cond, eft');
for (const r of rows)
  if (!['allow', 'review', 'deny'].includes(r[1])) fail(`casbin policy: rule '${r[0]}' has outcome '${r[1]}'`);

const mix = loadMix(opt.mix);
const args = mix.map((r) => [
  { ...r.requester },
  r.key,
  r.destination,
  { purpose: r.purpose, legal_process: r.legal_process, has_case: r.has_case },
]);

function decide(i) {
  const a = args[i];
  const [, row] = enforcer.enforceExSync(a[0], a[1], a[2], a[3]);
  if (!row || row.length === 0) return { decision: 'deny', rule: '', notify: false }; // no row matched
  return { decision: row[1], rule: row[0], notify: row[2] === 'subject' };
}

const t = run(mix, decide, opt.n, opt.warmup, opt.rounds);
writeDecisions(opt.out, t.decisions);
summary({
  engine: 'casbin',
  api: opt.api,
  version,
  requests: mix.length,
  decisions: t.n,
  warmup: opt.warmup,
  rounds: t.rounds,
  per_second: Math.round(t.perSecond),
  per_second_median: Math.round(t.perSecondMedian),
  per_cpu_second: Math.round(t.perCpuSecond),
  per_cpu_second_median: Math.round(t.perCpuSecondMedian),
  vs_expect: t.vsExpect,
});
