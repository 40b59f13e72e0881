// cedar.mjs - the Cedar peer: decide the request mix with @cedar-policy/cedar-wasm.
//
// The policy (cedar/warrant-required.cedar) is validated against the schema
// (cedar/dmvgate.cedarschema) once at start. Each request becomes one Cedar
// authorization call: principal Agency::"<ori>" with its resolved directory
// attributes as the only entity, action Action::"<key>", resource
// State::"<destination>", context {purpose, legal_process, has_case}. All call
// objects are built before timing; the timed loop is the engine call plus
// reading back which policy decided.
//
// --api isAuthorized (default): the plain entry point, which takes the policy
//   set with every call (so it parses it every call: that is its cost).
// --api stateful: preparsePolicySet once, then statefulIsAuthorized, Cedar's
//   cached-policy entry point; reported as a second figure.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import { options, loadMix, run, writeDecisions, summary, fail } from './common.mjs';

// Node 20's V8 (v20.20.2 here) aborts with "Fatal error ... unreachable code"
// in Deoptimizer::DoComputeBuiltinContinuation once TurboFan has inlined the
// JS-to-Wasm calls of the cedar-wasm glue and then deoptimizes them (after a
// few thousand calls). Turning off only that inlining avoids it; it is set
// here, before any call gets hot. bench/peers/README.md has the details.
setFlagsFromString('--no-turbo-inline-js-wasm-calls');

const here = dirname(fileURLToPath(import.meta.url));
const opt = options(['isAuthorized', 'stateful']);
const schemaText = readFileSync(join(here, 'cedar/dmvgate.cedarschema'), 'utf8');
const policyText = readFileSync(join(here, 'cedar/warrant-required.cedar'), 'utf8');

function detail(errors) {
  return errors.map((e) => e.message).join('; ');
}

// Split the policy text into policies keyed by their @id, keeping the text's
// order (rank) and the annotations that say what a satisfied policy means.
function loadPolicies() {
  const parts = cedar.policySetTextToParts(policyText);
  if (parts.type !== 'success') fail(`cedar policy: ${detail(parts.errors)}`);
  const byId = {};
  const meta = new Map();
  parts.policies.forEach((text) => {
    const j = cedar.policyToJson(text);
    if (j.type !== 'success') fail(`cedar policy: ${detail(j.errors)}`);
    const a = j.json.annotations || {};
    if (!a.id) fail('cedar policy without an @id annotation');
    if (meta.has(a.id)) fail(`cedar policy @id '${a.id}' used twice`);
    byId[a.id] = text;
    meta.set(a.id, {
      rank: policyText.indexOf(`@id(${JSON.stringify(a.id)})`),
      effect: j.json.effect,
      outcome: j.json.effect === 'permit' ? 'allow' : a.outcome || 'deny',
      notify: a.notify === 'subject',
    });
  });
  return { byId, meta };
}

const { byId, meta } = loadPolicies();
const policies = { staticPolicies: byId };

const v = cedar.validate({ schema: schemaText, policies, validationSettings: { mode: 'strict' } });
if (v.type !== 'success') fail(`cedar validate: ${detail(v.errors)}`);
if (v.validationErrors.length)
  fail(`cedar validate: ${v.validationErrors.map((e) => `${e.policyId}: ${e.error.message}`).join('; ')}`);

const mix = loadMix(opt.mix);

function callFor(r) {
  const q = r.requester;
  const principal = { type: 'Agency', id: q.ori };
  return {
    principal,
    action: { type: 'Action', id: r.key },
    resource: { type: 'State', id: r.destination },
    context: { purpose: r.purpose, legal_process: r.legal_process, has_case: r.has_case },
    entities: [
      {
        uid: principal,
        attrs: {
          ori: q.ori,
          state: q.state,
          level: q.level,
          department: q.department,
          component: q.component,
          category: q.category,
          agreements: q.agreements,
        },
        parents: [],
      },
    ],
  };
}

const calls = mix.map(callFor);
let authorize;
if (opt.api === 'isAuthorized') {
  for (const c of calls) c.policies = policies;
  authorize = (c) => cedar.isAuthorized(c);
} else {
  const p = cedar.preparsePolicySet('warrant-required', policies);
  if (p.type !== 'success') fail(`cedar preparse: ${detail(p.errors)}`);
  for (const c of calls) c.preparsedPolicySetId = 'warrant-required';
  authorize = (c) => cedar.statefulIsAuthorized(c);
}

// Cedar's answer to dmvgate's: the policies in diagnostics.reason are the ones
// that determined the decision (the satisfied forbids on deny, the satisfied
// permits on allow); the first of them in the text's order is the rule.
function decide(i) {
  const a = authorize(calls[i]);
  if (a.type !== 'success') fail(`request ${i}: cedar: ${detail(a.errors)}`);
  const res = a.response;
  if (res.diagnostics.errors.length)
    fail(`request ${i}: cedar evaluation error in '${res.diagnostics.errors[0].policyId}'`);
  let best = null;
  for (const id of res.diagnostics.reason) {
    const m = meta.get(id);
    if (best === null || m.rank < best.m.rank) best = { id, m };
  }
  if (best === null) return { decision: 'deny', rule: '', notify: false }; // no permit matched
  return { decision: best.m.outcome, rule: best.id, notify: best.m.notify };
}

const t = run(mix, decide, opt.n, opt.warmup, opt.rounds);
writeDecisions(opt.out, t.decisions);
summary({
  engine: 'cedar',
  api: opt.api,
  version: cedar.getCedarVersion(),
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
