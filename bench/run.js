// `npm run bench`: cairn's benchmarks, each printing ratios measured in one run,
// then every goal with its ratio and whether it is met.
//
//   node bench/run.js                  every benchmark
//   node bench/run.js doctor list      only these (startup, doctor, list, publish, plan, phase)
//   BENCH_SIZES=1000,10000             migration counts for doctor and list, tracked files for phase
//   BENCH_REPEAT=5                     alternating rounds per measurement (median)
//   BENCH_CORPUS_DIR=/path             where generated corpora are kept between runs
//   CAIRN_ORIGINAL_SRC=/path/src       the original tool's source (default /tmp/cr/src when present)
//   BENCH_CLI=/path/bin/cairn.js       measure another build's list and doctor (a before/after table)
import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { benchDoctor } from './doctor.js';
import { benchList } from './list.js';
import { benchPhase } from './phase.js';
import { benchPlanStep } from './plan.js';
import { benchPublish } from './publish.js';

const chosen = process.argv.slice(2);
const sizes = (process.env.BENCH_SIZES ?? '').split(',').map(Number).filter((n) => n > 0);
const wants = (name) => chosen.length === 0 || chosen.includes(name);
const scanSizes = sizes.length > 0 ? sizes : [1000, 10000];
/** One row per goal: what was measured, as a ratio, against its limit. */
const goals = [];
const goal = (name, value, limit, atMost = true) =>
  goals.push({ name, value, limit: `${atMost ? '≤' : '≥'} ${limit}`, met: value === null ? null : atMost ? value <= limit : value >= limit });

console.log(`Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}`);
console.log('');

if (wants('startup')) {
  const startupFile = fileURLToPath(new URL('./startup.js', import.meta.url));
  if (existsSync(startupFile)) {
    const { benchStartup } = await import('./startup.js');
    for (const row of await benchStartup()) if (row.limit !== null) goal(`start-up: ${row.goal} / node -e 0`, row.ratio, row.limit);
  } else {
    console.log('(start-up benchmark skipped: bench/startup.js is not there)\n');
  }
}
/** The row the goals are judged on: 10,000 migrations, the size they were set for, else the largest measured. */
const goalRow = (rows) => rows.find((row) => row.count === 10000) ?? rows[rows.length - 1];

if (wants('list')) {
  const rows = await benchList(scanSizes);
  const last = goalRow(rows);
  goal(`list cold / cat of every manifest.json and state.json (${last.count})`, last.cold.ms / last.floor, 1.5);
  goal(`list warm / list cold (${last.count})`, last.warm.ms / last.cold.ms, 0.3);
  goal(`original list / list warm (${last.count})`, last.original === null ? null : last.original.ms / last.warm.ms, 20, false);
  memoryGoals('list', rows.map((r) => ({ count: r.count, rssMb: Math.max(r.cold.rssMb ?? 0, r.warm.rssMb ?? 0) || null })));
}
if (wants('doctor')) {
  const rows = benchDoctor(scanSizes);
  const last = goalRow(rows);
  goal(`doctor --all / cat of every file (${last.count})`, last.doctor.ms / last.floor, 1.3);
  goal(`original doctor --all / doctor --all (${last.count})`, last.original === null ? null : last.original.ms / last.doctor.ms, 2.5, false);
  memoryGoals('doctor --all', rows.map((r) => ({ count: r.count, rssMb: r.doctor.rssMb })));
}
if (wants('publish')) {
  const rows = await benchPublish();
  console.log('## publish latency (median / p90 / min of publish())');
  console.log('');
  console.log('| case | median | p90 | min |');
  console.log('|---|---:|---:|---:|');
  for (const row of rows) console.log(`| ${row.case} | ${row.median_ms} ms | ${row.p90_ms} ms | ${row.min_ms} ms |`);
  console.log('');
  const among = (siblings) => rows.find((row) => row.files === 10 && row.siblings === siblings);
  if (among(1) !== undefined && among(10000) !== undefined) goal('publish of 10 files among 10,000 siblings / among 1', among(10000).median_ms / among(1).median_ms, 1.2);
}
if (wants('plan')) {
  const result = await benchPlanStep({ quiet: true });
  console.log('## one plan step, excluding the agent (instant fake agent)');
  console.log('');
  console.log(`median ${result.median_ms} ms, p90 ${result.p90_ms} ms, min ${result.min_ms} ms over ${result.iterations} steps (agent itself: median ${result.agent_median_ms} ms)`);
  console.log('');
  goal('plan step overhead, instant agent (median ms)', result.median_ms, 100);
}
if (wants('phase')) benchPhase(sizes.length > 0 ? sizes : [1000, 10000]);

/** Peak RSS under 150 MB at 10,000, and growing more slowly than the migration count. */
function memoryGoals(command, points) {
  const measured = points.filter((p) => p.rssMb !== null);
  const at10k = measured.find((p) => p.count === 10000);
  if (at10k !== undefined) goal(`${command} peak RSS at 10,000 (MB)`, at10k.rssMb, 150);
  if (measured.length >= 2) {
    const [first, last] = [measured[0], measured[measured.length - 1]];
    goal(`${command} RSS growth ${first.count}→${last.count} / migration count growth`, last.rssMb / first.rssMb / (last.count / first.count), 1);
  }
}

if (goals.length > 0) {
  console.log('## goals (each a ratio measured in this run)');
  console.log('');
  console.log('| goal | measured | limit | met |');
  console.log('|---|---:|---:|---|');
  for (const g of goals) console.log(`| ${g.name} | ${g.value === null ? 'n/a' : g.value.toFixed(2)} | ${g.limit} | ${g.met === null ? 'not measured' : g.met ? 'yes' : 'NO'} |`);
  console.log('');
}
