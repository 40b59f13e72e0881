// compare.mjs - count disagreements between decision files:
// `node compare.mjs NAME=FILE NAME=FILE ... [--mix MIX]`.
//
// Two engines agree on a request when decision, rule and notify are all equal.
// With --mix, the mix's "expect" is one more column. Prints the tally of
// decisions, one line per pair (NAME vs NAME: K disagreements of N) with the
// first few differing requests, and exits 1 when any pair disagrees.
import { readFileSync } from 'node:fs';

const inputs = [];
let mix = null;
const argv = process.argv.slice(2);
for (let k = 0; k < argv.length; k++) {
  if (argv[k] === '--mix') mix = argv[++k];
  else if (argv[k].includes('=')) {
    const at = argv[k].indexOf('=');
    inputs.push([argv[k].slice(0, at), argv[k].slice(at + 1)]);
  } else {
    process.stderr.write('usage: node compare.mjs NAME=FILE NAME=FILE ... [--mix MIX]\n');
    process.exit(2);
  }
}

function readLines(path) {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));
}

const sets = inputs.map(([name, path]) => [name, readLines(path)]);
if (mix) sets.push(['expect', readLines(mix).map((r, i) => ({ i, ...r.expect, notify: Boolean(r.expect.notify) }))]);
if (sets.length < 2) {
  process.stderr.write('compare: need at least two decision lists\n');
  process.exit(2);
}

const key = (d) => `${d.decision}|${d.rule}|${d.notify}`;
const tally = new Map();
for (const d of sets[0][1]) tally.set(key(d), (tally.get(key(d)) || 0) + 1);
console.log(`decisions (${sets[0][0]}):`);
for (const [k, c] of [...tally].sort((a, b) => b[1] - a[1])) {
  const [decision, rule, notify] = k.split('|');
  console.log(`  ${String(c).padStart(8)}  ${decision}  rule "${rule}"${notify === 'true' ? '  notify subject' : ''}`);
}

let total = 0;
for (let a = 0; a < sets.length; a++)
  for (let b = a + 1; b < sets.length; b++) {
    const [na, la] = sets[a];
    const [nb, lb] = sets[b];
    let diff = la.length === lb.length ? 0 : Math.abs(la.length - lb.length);
    const shown = [];
    for (let i = 0; i < Math.min(la.length, lb.length); i++)
      if (key(la[i]) !== key(lb[i])) {
        diff++;
        if (shown.length < 3) shown.push(`    request ${i}: ${na} ${key(la[i])} / ${nb} ${key(lb[i])}`);
      }
    console.log(`${na} vs ${nb}: ${diff} disagreements of ${Math.max(la.length, lb.length)}`);
    for (const s of shown) console.log(s);
    total += diff;
  }
process.exit(total ? 1 : 0);
