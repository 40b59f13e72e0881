// bench-report.mjs - the one table of `make bench` (scripts/bench runs it).
//
// Reads the BENCH_ROW objects every benchmark printed (one JSON object a
// line, bench/bench_row.h), the machine and load scripts/bench noted, and each
// benchmark's exit status and time; prints the table (figure | dmvgate | peer
// | ratio) and the benchmarks that failed with why; writes the same table as
// Markdown (--md) and everything as JSON (--json).
//
// usage: node scripts/bench-report.mjs --machine FILE --status FILE --rows FILE
//                                      [--json OUT] [--md OUT]
import { readFileSync, writeFileSync } from "node:fs";

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, "")] = process.argv[i + 1];

const read = (p) => { try { return readFileSync(p, "utf8"); } catch { return ""; } };
const machine = {};
for (const line of read(args.machine).split("\n")) {
  const eq = line.indexOf("=");
  if (eq > 0) machine[line.slice(0, eq)] = line.slice(eq + 1);
}
machine.nproc = Number(machine.nproc) || machine.nproc;

const benches = read(args.status).split("\n").filter(Boolean).map((l) => {
  const [name, rc, seconds, rows, why] = l.split("\t");
  return { name, status: rc === "0" ? "ok" : "failed", exit: Number(rc), seconds: Number(seconds),
           rows: Number(rows), why: why || "" };
});

const rows = [];
let bad = 0;
for (const line of read(args.rows).split("\n").filter(Boolean)) {
  try { rows.push(JSON.parse(line)); } catch { bad++; }
}

// Numbers for people: thousands separators for big ones, 3 significant digits for small.
function num(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return "-";
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString("en-US");
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a === 0) return "0";
  return v.toPrecision(3);
}
function ratio(r) {
  if (r.ratio === null || r.ratio === undefined) return "-";
  const a = Math.abs(r.ratio);
  return (a >= 100 ? r.ratio.toFixed(0) : a >= 10 ? r.ratio.toFixed(1) : a >= 1 ? r.ratio.toFixed(2)
          : r.ratio.toPrecision(3)) + "x";
}
const table = rows.map((r) => [
  `${r.figure} [${r.unit}${r.higher_is_better ? "" : ", lower is better"}]`,
  num(r.dmvgate),
  `${num(r.peer_value)} (${r.peer})`,
  ratio(r),
]);

const head = ["figure", "dmvgate", "peer", "ratio"];
const w = head.map((h, i) => Math.max(h.length, ...table.map((t) => t[i].length)));
const line = (t) => t.map((c, i) => (i === 0 || i === 2 ? c.padEnd(w[i]) : c.padStart(w[i]))).join(" | ");
const about = `${machine.nproc} CPUs (${machine.cpu}), ${machine.kernel}, ${machine.started} to ` +
  `${machine.finished}; load average ${machine.load_start} at the start, ${machine.load_end} at the end`;
const out = [];
out.push("", `== make bench: ${rows.length} figures from ${benches.length} benchmarks`, about, "");
out.push(line(head), w.map((n) => "-".repeat(n)).join("-|-"));
for (const t of table) out.push(line(t));
const failed = benches.filter((b) => b.status !== "ok");
out.push("", "ratio = dmvgate / peer; where lower is better, a ratio above 1 is dmvgate slower.");
out.push("benchmarks: " + benches.map((b) => `${b.name} ${b.status} ${b.seconds.toFixed(0)} s`).join(", "));
for (const b of failed) out.push(`  ${b.name} did not finish cleanly (exit ${b.exit}): ${b.why}`);
for (const b of benches) if (b.status === "ok" && b.rows === 0) out.push(`  ${b.name} ran but printed no BENCH_ROW line`);
if (bad) out.push(`  ${bad} BENCH_ROW line(s) were not valid JSON and were left out`);
console.log(out.join("\n"));

if (args.md) {
  const md = [`Machine: ${about}.`, "", "| figure | dmvgate | peer | ratio |", "|---|---:|---|---:|"];
  for (const t of table) md.push(`| ${t.join(" | ")} |`);
  writeFileSync(args.md, md.join("\n") + "\n");
}
if (args.json) writeFileSync(args.json, JSON.stringify({ machine, benches, rows }, null, 2) + "\n");
process.exit(bad ? 1 : 0);
