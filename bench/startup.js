// Start-up benchmark: how long the built CLI takes for commands that do
// little work, as a ratio to `node -e 0` measured in the same run. Each
// command is run N times, alternating with the others so a busy machine
// slows all of them alike; the median of each is compared.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { git, percentile } from './support.js';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'bin', 'cairn.js');
const SAMPLE = path.join(ROOT, 'examples', 'sample-repo');

/** The sample repository as a fresh git repository of its own; resolves to its path and one migration slug. */
function sampleRepo(root) {
  const repo = path.join(root, 'repo');
  cpSync(SAMPLE, repo, { recursive: true });
  git(repo, ['init', '--quiet', '--initial-branch=main']);
  git(repo, ['add', '--all']);
  git(repo, ['commit', '--quiet', '-m', 'sample']);
  const slug = readdirSync(path.join(repo, 'migrations')).sort()[0];
  return { repo, slug };
}

function runOnce(args, cwd) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return ms;
}

const median = (values) => percentile([...values].sort((a, b) => a - b), 0.5);

/**
 * Measures `node -e 0` (the floor) and the CLI's `--version`, `--help`,
 * `status <slug>` and `list` on the sample repository, `options.runs` times
 * each (default 15), alternating. Resolves to one row per goal:
 * `{ goal, value, floor, ratio, limit, met }` (milliseconds, medians).
 * Prints a table unless `options.quiet`.
 */
export async function benchStartup(options = {}) {
  const runs = options.runs ?? 15;
  const root = mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-startup-'));
  try {
    const { repo, slug } = sampleRepo(root);
    const cases = [
      { goal: 'node -e 0', args: ['-e', '0'], limit: null },
      { goal: 'cairn --version', args: [CLI, '--version'], limit: 1.5 },
      { goal: 'cairn --help', args: [CLI, '--help'], limit: 1.5 },
      { goal: 'cairn status <slug>', args: [CLI, 'status', slug], limit: 2 },
      // No goal of its own: shown beside status.
      { goal: 'cairn list', args: [CLI, 'list'], limit: null },
    ];
    // One untimed round first: the file cache and the local store are warm
    // for every timed run alike.
    for (const c of cases) runOnce(c.args, repo);
    const times = cases.map(() => []);
    for (let i = 0; i < runs; i++) cases.forEach((c, k) => times[k].push(runOnce(c.args, repo)));
    const floor = median(times[0]);
    const rows = cases.slice(1).map((c, k) => {
      const value = median(times[k + 1]);
      const ratio = value / floor;
      return { goal: c.goal, value: round(value), floor: round(floor), ratio: Number(ratio.toFixed(2)), limit: c.limit, met: ratio <= c.limit };
    });
    if (options.quiet !== true) printTable(rows, runs);
    return rows;
  } finally {
    rmSync(root, { recursive: true, force: true, maxRetries: 5 });
  }
}

const round = (ms) => Number(ms.toFixed(1));

function printTable(rows, runs) {
  console.log(`## start-up (median of ${runs} alternating runs, ratio to \`node -e 0\`)`);
  console.log('');
  console.log('| command | median | node -e 0 | ratio | limit | met |');
  console.log('|---|---:|---:|---:|---:|---|');
  for (const row of rows) {
    console.log(`| ${row.goal} | ${row.value} ms | ${row.floor} ms | ${row.ratio}× | ${row.limit === null ? '—' : `${row.limit}×`} | ${row.limit === null ? '—' : row.met ? 'yes' : 'NO'} |`);
  }
  console.log('');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const runs = Number(process.env.BENCH_REPEAT ?? '') || undefined;
  await benchStartup({ runs });
}
