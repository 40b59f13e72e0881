// gen-mix.mjs - a stand-alone, deterministic request mix for checking the peer
// drivers without the C build: `node gen-mix.mjs --out mix.jsonl [--requests N]
// [--seed S]`.
//
// The benchmark proper (bench/bench_policy_peers.c) writes its mix from
// dmvgate's own 18,000-agency generator and fills "expect" with dmvgate's
// decisions. This script is the fallback and the drivers' self-test: it makes
// a small directory of its own with the same kinds of agency, draws requests
// with the shares of bench/peers/README.md ("The request mix"), and fills
// "expect" from a plain reading of the warrant-required rules below, so the
// drivers can be checked against it and against each other.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values: v } = parseArgs({
  options: {
    out: { type: 'string' },
    requests: { type: 'string', default: '100000' },
    seed: { type: 'string', default: '1' },
  },
});
if (!v.out) {
  process.stderr.write('usage: node gen-mix.mjs --out FILE [--requests N] [--seed S]\n');
  process.exit(2);
}

// mulberry32: small, fast, and the same sequence everywhere for a seed.
let state = Number(v.seed) >>> 0 || 1;
function rand() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (a) => a[Math.floor(rand() * a.length)];
function weighted(pairs) {
  let x = rand() * pairs.reduce((s, p) => s + p[1], 0);
  for (const [val, w] of pairs) if ((x -= w) < 0) return val;
  return pairs[pairs.length - 1][0];
}

const STATES = [
  'AL', 'AK', 'AZ', 'AR', 'CA', 'CO', 'CT', 'DE', 'DC', 'FL', 'GA', 'HI', 'ID', 'IL', 'IN', 'IA', 'KS',
  'KY', 'LA', 'ME', 'MD', 'MA', 'MI', 'MN', 'MS', 'MO', 'MT', 'NE', 'NV', 'NH', 'NJ', 'NM', 'NY', 'NC',
  'ND', 'OH', 'OK', 'OR', 'PA', 'RI', 'SC', 'SD', 'TN', 'TX', 'UT', 'VT', 'VA', 'WA', 'WV', 'WI', 'WY',
  'PR', 'GU', 'VI', 'AS', 'MP',
];

// A directory of about 18,000 agencies: [kind, count per state or in all].
const groups = new Map();
let seq = 0;
function agency(kind, st, level, category, department = '', component = '', agreements = []) {
  const ori = `${st}${String(++seq).padStart(7, '0')}`;
  const a = { ori, state: st, level, department, component, category, agreements };
  if (!groups.has(kind)) groups.set(kind, []);
  groups.get(kind).push(a);
}
for (const st of STATES) {
  for (let k = 0; k < 220; k++) agency('municipal', st, 'local', 'municipal_police');
  for (let k = 0; k < 55; k++) {
    const agr = rand() < 0.06 ? [pick(['287g-jail', '287g-task-force', '287g-warrant-service'])] : [];
    agency('sheriff', st, 'local', 'sheriff', '', '', agr);
  }
  agency('state_police', st, 'state', 'state_police');
  for (let k = 0; k < 4; k++) agency('tribal', st, 'tribal', 'tribal_police');
  for (let k = 0; k < 12; k++) agency('other_local', st, 'local', pick(['corrections', 'court', 'prosecutor', 'other_le']));
  for (const [dep, comp] of [['DHS', 'ICE-ERO'], ['DHS', 'HSI'], ['DHS', 'CBP'], ['DOJ', 'FBI'], ['DOJ', 'DEA'], ['DOJ', 'USMS'], ['DOJ', 'ATF']])
    for (let k = 0; k < 3; k++) agency(comp, st, 'federal', 'federal_le', dep, comp);
  for (let k = 0; k < 5; k++) agency('unspecified', st, 'unspecified', 'unspecified');
}

// Shares of queries by requesting group. HSI and ICE from the public Nlets
// figures for the year to 2025-10-01 (605,116 and 292,114 of about 290
// million), unspecified from DESIGN.md (about 290,000); the rest are
// assumptions, written down in bench/peers/README.md.
const TOTAL = 290e6;
const SHARES = [
  ['HSI', 605116 / TOTAL],
  ['ICE-ERO', 292114 / TOTAL],
  ['unspecified', 290000 / TOTAL],
  ['CBP', 0.0015], ['FBI', 0.002], ['DEA', 0.0008], ['USMS', 0.0008], ['ATF', 0.0004],
  ['state_police', 0.12],
  ['sheriff', 0.25],
  ['tribal', 0.005],
  ['other_local', 0.02],
];
SHARES.push(['municipal', 1 - SHARES.reduce((s, p) => s + p[1], 0)]);

const LEG_LOCAL = [['none', 0.93], ['judicial_warrant', 0.03], ['court_order', 0.02], ['grand_jury_subpoena', 0.01], ['administrative_subpoena', 0.01]];
const LEG_FED = [['none', 0.55], ['judicial_warrant', 0.12], ['administrative_warrant', 0.12], ['administrative_subpoena', 0.08], ['court_order', 0.07], ['grand_jury_subpoena', 0.06]];
const LEG_ICE = [['none', 0.5], ['administrative_warrant', 0.3], ['judicial_warrant', 0.08], ['administrative_subpoena', 0.08], ['court_order', 0.04]];
const PUR_LOCAL = [['criminal_justice', 0.55], ['traffic', 0.35], ['judicial', 0.03], ['employment', 0.03], ['firearms', 0.02], ['other', 0.02]];
const PUR_FED = [['criminal_justice', 0.8], ['immigration', 0.1], ['employment', 0.05], ['other', 0.05]];
const PUR_ICE = [['immigration', 0.7], ['criminal_justice', 0.3]];

// The warrant-required rules, read plainly (policies/examples/warrant-required).
function reference(q, leg) {
  if (q.level === 'federal' && leg !== 'judicial_warrant')
    return { decision: 'review', rule: 'federal requests need a judicial warrant', notify: true };
  return { decision: 'allow', rule: 'default', notify: false };
}

const n = Number(v.requests);
const lines = [];
for (let i = 0; i < n; i++) {
  const q = pick(groups.get(weighted(SHARES)));
  const ice = q.component === 'ICE-ERO';
  const fed = q.level === 'federal';
  const key = weighted([['DQ', 0.55], ['RQ', 0.4], ['IQ', 0.05]]);
  const purpose = weighted(ice ? PUR_ICE : fed ? PUR_FED : PUR_LOCAL);
  const leg = weighted(ice ? LEG_ICE : fed ? LEG_FED : LEG_LOCAL);
  const destination = rand() < 0.8 && !fed ? q.state : pick(STATES);
  const r = {
    i,
    requester: q,
    key,
    purpose,
    legal_process: leg,
    has_case: rand() < (fed ? 0.9 : 0.6),
    destination,
    expect: reference(q, leg),
  };
  lines.push(JSON.stringify(r));
}
writeFileSync(v.out, lines.join('\n') + '\n');
process.stderr.write(`gen-mix: ${n} requests from ${seq} agencies -> ${v.out}\n`);
