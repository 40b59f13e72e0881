// common.mjs - what the peer drivers share: options, reading the request mix,
// the timed loop, writing decisions and the one-line summary.
//
// Formats: bench/peers/README.md. Every driver is `node <engine>.mjs --mix FILE
// --out FILE [--n N] [--warmup W] [--rounds R]`; it makes W untimed decisions,
// times N decisions cycling through the mix in R rounds, writes one decision
// per request (in mix order) to --out, and prints one JSON line on stdout.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

export const DECISIONS = new Set(['allow', 'review', 'deny']);

const USAGE = `usage: node DRIVER --mix FILE --out FILE [--n N] [--warmup W] [--rounds R] [--api NAME]
  --mix FILE    request mix, JSON lines (bench/peers/README.md)
  --out FILE    where to write one decision per request, in mix order
  --n N         decisions to time, cycling through the mix (default: one pass)
  --warmup W    untimed decisions before the timed loop (default 5000)
  --rounds R    split the N timed decisions into R rounds, report the best (default 5)
  --api NAME    engine entry point, when the driver has more than one`;

export function options(apis) {
  let v;
  try {
    ({ values: v } = parseArgs({
      options: {
        mix: { type: 'string' },
        out: { type: 'string' },
        n: { type: 'string', default: '0' },
        warmup: { type: 'string', default: '5000' },
        rounds: { type: 'string', default: '5' },
        api: { type: 'string', default: apis[0] },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    usageError(e.message);
  }
  if (v.help) {
    process.stdout.write(`${USAGE}\n  (this driver's apis: ${apis.join(', ')})\n`);
    process.exit(0);
  }
  if (!v.mix || !v.out) usageError('--mix and --out are required');
  const n = Number(v.n);
  const warmup = Number(v.warmup);
  if (!Number.isInteger(n) || n < 0) usageError(`bad --n '${v.n}'`);
  if (!Number.isInteger(warmup) || warmup < 0) usageError(`bad --warmup '${v.warmup}'`);
  const rounds = Number(v.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) usageError(`bad --rounds '${v.rounds}'`);
  if (!apis.includes(v.api)) usageError(`unknown --api '${v.api}' (one of ${apis.join(', ')})`);
  return { mix: v.mix, out: v.out, n, warmup, rounds, api: v.api };
}

function usageError(msg) {
  process.stderr.write(`peers: ${msg}\n`);
  process.exit(2);
}

export function fail(msg) {
  process.stderr.write(`peers: ${msg}\n`);
  process.exit(1);
}

const REQUESTER_FIELDS = ['ori', 'state', 'level', 'department', 'component', 'category'];

// Read the mix and check each line's shape, so that a malformed line is
// refused with its number instead of turning into a silent disagreement.
export function loadMix(path) {
  const text = readFileSync(path, 'utf8');
  const out = [];
  let lineno = 0;
  for (const line of text.split('\n')) {
    lineno++;
    if (line === '') continue;
    let r;
    try {
      r = JSON.parse(line);
    } catch (e) {
      fail(`${path}:${lineno}: ${e.message}`);
    }
    const q = r.requester;
    const bad =
      !q ||
      REQUESTER_FIELDS.some((f) => typeof q[f] !== 'string') ||
      !Array.isArray(q.agreements) ||
      !['DQ', 'RQ', 'IQ'].includes(r.key) ||
      typeof r.purpose !== 'string' ||
      typeof r.legal_process !== 'string' ||
      typeof r.has_case !== 'boolean' ||
      typeof r.destination !== 'string';
    if (bad) fail(`${path}:${lineno}: request lacks a field or has one of the wrong type`);
    if (r.i !== out.length) fail(`${path}:${lineno}: "i" is ${r.i}, expected ${out.length}`);
    out.push(r);
  }
  if (out.length === 0) fail(`${path}: no requests`);
  return out;
}

// Warm up with W untimed decisions, then time N decisions cycling through the
// mix in order, split into R rounds of N/R. Each round is timed by the wall
// clock and by the process's CPU time (all its threads: V8's compiler and GC
// work counts against the engine); the best round of each is reported, which
// on a machine shared with other work is the figure least disturbed by it
// (the median is reported too). The first pass's answers are kept (a pointer
// store, the same in every engine) and any requests the timed loop did not
// reach are decided afterwards, untimed, so every request gets exactly one
// recorded decision. Returns the decisions in mix order, the timings and the
// count of decisions that differ from the mix's "expect" (null when the mix
// has none).
export function run(mix, decide, n, warmup, rounds) {
  const count = mix.length;
  if (n === 0) n = count;
  rounds = Math.max(1, Math.min(rounds, n));
  const decisions = new Array(count);
  let sink = 0;
  for (let k = 0; k < warmup; k++) sink += decide(k % count).decision.length;
  const wall = [];
  const cpu = [];
  let k = 0;
  for (let r = 0; r < rounds; r++) {
    const end = Math.round(((r + 1) * n) / rounds);
    const size = end - k;
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    for (; k < end; k++) {
      const i = k % count;
      const d = decide(i);
      if (k < count) decisions[i] = d;
      sink += d.decision.length;
    }
    const ns = Number(process.hrtime.bigint() - t0);
    const c = process.cpuUsage(c0);
    wall.push(size / (ns / 1e9));
    cpu.push(size / ((c.user + c.system) / 1e6));
  }
  for (let i = n; i < count; i++) decisions[i] = decide(i);
  let vsExpect = 0;
  let withExpect = 0;
  for (let i = 0; i < count; i++) {
    const d = decisions[i];
    if (!DECISIONS.has(d.decision)) fail(`request ${i}: engine gave '${d.decision}'`);
    const e = mix[i].expect;
    if (e) {
      withExpect++;
      if (e.decision !== d.decision || e.rule !== d.rule || Boolean(e.notify) !== d.notify) vsExpect++;
    }
  }
  const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  return {
    decisions,
    n,
    rounds,
    perSecond: Math.max(...wall),
    perSecondMedian: median(wall),
    perCpuSecond: Math.max(...cpu),
    perCpuSecondMedian: median(cpu),
    vsExpect: withExpect ? vsExpect : null,
    sink,
  };
}

export function writeDecisions(path, decisions) {
  const lines = decisions.map(
    (d, i) => `{"i":${i},"decision":"${d.decision}","rule":${JSON.stringify(d.rule)},"notify":${d.notify}}`,
  );
  writeFileSync(path, lines.join('\n') + '\n');
}

export function summary(fields) {
  process.stdout.write(JSON.stringify(fields) + '\n');
}
