// cedar-overhead.mjs - where a cedar-wasm call's time goes, for judging the
// Cedar figure: `node cedar-overhead.mjs`. Times statefulIsAuthorized and
// isAuthorized on a one-permit policy with no entities, then with one entity
// shaped like the benchmark's principal, then with its context too. The
// differences are the cost of passing each part across the JS/Wasm boundary.
import { setFlagsFromString } from 'node:v8';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';

setFlagsFromString('--no-turbo-inline-js-wasm-calls'); // see cedar.mjs
const policies = { staticPolicies: { d: 'permit (principal, action, resource);' } };
cedar.preparsePolicySet('p', policies);
const base = {
  principal: { type: 'Agency', id: 'CO0000001' },
  action: { type: 'Action', id: 'DQ' },
  resource: { type: 'State', id: 'CO' },
  context: {},
  entities: [],
};
const entity = {
  uid: base.principal,
  attrs: { ori: 'CO0000001', state: 'CO', level: 'local', department: '', component: '',
    category: 'sheriff', agreements: [] },
  parents: [],
};
const context = { purpose: 'traffic', legal_process: 'none', has_case: true };

function time(name, f, call, n = 20000) {
  for (let i = 0; i < 2000; i++) f(call);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) f(call);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`${name.padEnd(40)} ${String(Math.round(n / s)).padStart(8)} calls/s  ${((s / n) * 1e6).toFixed(1)} us/call`);
}
const st = { preparsedPolicySetId: 'p' };
time('stateful, no entity, no context', cedar.statefulIsAuthorized, { ...base, ...st });
time('isAuthorized, no entity, no context', cedar.isAuthorized, { ...base, policies });
time('stateful, one entity', cedar.statefulIsAuthorized, { ...base, ...st, entities: [entity] });
time('stateful, one entity and context', cedar.statefulIsAuthorized, { ...base, ...st, entities: [entity], context });
