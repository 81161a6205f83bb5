// `npm run bench`: cairn's benchmarks, each printing ratios measured in one run.
//
//   node bench/run.js                  every benchmark
//   node bench/run.js doctor list      only these (doctor, list, publish, plan, phase)
//   BENCH_SIZES=1000,10000             migration counts for doctor and list, tracked files for phase
//   BENCH_REPEAT=5                     timed runs per measurement (median)
import { benchDoctor } from './doctor.js';
import { benchList } from './list.js';
import { benchPhase } from './phase.js';
import { benchPlanStep } from './plan.js';
import { benchPublish } from './publish.js';

const chosen = process.argv.slice(2);
const sizes = (process.env.BENCH_SIZES ?? '').split(',').map(Number).filter((n) => n > 0);
const wants = (name) => chosen.length === 0 || chosen.includes(name);

if (wants('doctor')) benchDoctor(sizes.length > 0 ? sizes : [1000, 10000]);
if (wants('list')) await benchList(sizes.length > 0 ? sizes : [10000]);
if (wants('publish')) {
  console.log('## publish latency (median / p90 / min of publish())');
  console.log('');
  console.log('| case | median | p90 | min |');
  console.log('|---|---:|---:|---:|');
  for (const row of await benchPublish()) console.log(`| ${row.case} | ${row.median_ms} ms | ${row.p90_ms} ms | ${row.min_ms} ms |`);
  console.log('');
}
if (wants('plan')) {
  const result = await benchPlanStep({ quiet: true });
  console.log('## one plan step, excluding the agent (instant fake agent)');
  console.log('');
  console.log(`median ${result.median_ms} ms, p90 ${result.p90_ms} ms, min ${result.min_ms} ms over ${result.iterations} steps (agent itself: median ${result.agent_median_ms} ms)`);
  console.log('');
}
if (wants('phase')) benchPhase(sizes.length > 0 ? sizes : [1000, 10000]);
