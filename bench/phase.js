// One executed phase: `cairn run <slug> --skip-ready-check` with an instant
// fake agent and `true` as the validation command, on a repository of N
// tracked files, against the floor every run pays for its isolation — a
// `git worktree add` plus `git worktree remove` of the same repository.
// The floor is taken twice: from git's own trace of the run (trace2: the
// time of the run's worktree add and remove, so the subtraction is exact
// within one run), and as a separate add + remove measured alternately with
// the runs, so both see the same page cache.
// The user's branch is reset to the base commit after each run, outside the
// timing, so every run executes the same first phase. The corpus is packed,
// as a real repository's objects mostly are, and automatic gc is off for
// every git process (cairn's included), so a background repack triggered by
// the phase commit does not land in one measurement and not the other.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { READY_SLUG, generateProjectCorpus } from './corpus.js';
import { GIT_ENV, git } from './support.js';

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'cairn.js');
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);

// Changes one file and ends with the status block, at once.
const AGENT = `#!/bin/sh
cat > /dev/null
echo "phase $CAIRN_PHASE" >> src/phase.txt
printf 'BEGIN_CONTINUOUS_REFACTORING_STATUS\\ndecision: commit\\nsummary: bench change\\nEND_CONTINUOUS_REFACTORING_STATUS\\n'
`;

/** Wall time of one child process in ms; throws unless it exits 0. */
function clock(command, args, options) {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { ...options, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr.slice(0, 800)}`);
  return { ms, result };
}

/**
 * What git's trace2 event log says the top-level git processes took, in ms:
 * `worktree` (worktree add and remove) and `other` (every other git call).
 */
function gitTimes(traceFile) {
  const argvOf = new Map();
  const times = { worktree: 0, other: 0 };
  for (const line of readFileSync(traceFile, 'utf8').split('\n')) {
    if (line === '') continue;
    const event = JSON.parse(line);
    if (event.sid.includes('/')) continue; // a child git started by git: counted in its parent
    if (event.event === 'start') argvOf.set(event.sid, event.argv);
    if (event.event !== 'exit') continue;
    const argv = argvOf.get(event.sid) ?? [];
    const kind = argv[1] === 'worktree' && (argv[2] === 'add' || argv[2] === 'remove') ? 'worktree' : 'other';
    times[kind] += event.t_abs * 1000;
  }
  return times;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function measure(count) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-phase-'));
  try {
    const repo = path.join(root, 'repo');
    mkdirSync(repo);
    const env = {
      ...GIT_ENV,
      GIT_CONFIG_COUNT: '2',
      GIT_CONFIG_KEY_0: 'gc.auto',
      GIT_CONFIG_VALUE_0: '0',
      GIT_CONFIG_KEY_1: 'maintenance.auto',
      GIT_CONFIG_VALUE_1: 'false',
      XDG_CONFIG_HOME: path.join(root, 'xdg'),
      NO_COLOR: '1',
    };
    git(repo, ['init', '--quiet', '--initial-branch=main']);
    clock(process.execPath, [CLI, 'init'], { cwd: repo, env });
    const files = generateProjectCorpus(repo, count) + 2;
    git(repo, ['add', '--all']);
    git(repo, ['commit', '--quiet', '-m', 'bench project']);
    git(repo, ['repack', '-a', '-d', '-q']);
    const base = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: repo, encoding: 'utf8' }).stdout.trim();
    const tracked = spawnSync('git', ['ls-files', '-z'], { cwd: repo, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }).stdout.split('\0').filter((name) => name !== '').length;
    const agent = path.join(root, 'instant-agent');
    writeFileSync(agent, AGENT);
    chmodSync(agent, 0o755);

    const runArgs = [CLI, 'run', READY_SLUG, '--skip-ready-check', '--agent', 'command', '--agent-cmd', agent, '--validate', 'true'];
    // The same place a run puts its worktree: inside the repository, under .planning/work.
    const tree = path.join(repo, '.planning', 'work', '.bench-tree');
    const trace = path.join(root, 'trace2.jsonl');
    const samples = { run: [], inRunWorktree: [], inRunOtherGit: [], rest: [], worktree: [], start: [] };
    for (let i = 0; i <= REPEAT; i++) {
      const added = clock('git', ['worktree', 'add', '--quiet', '-b', 'bench/tree', tree, base], { cwd: repo, env });
      const removed = clock('git', ['worktree', 'remove', '--force', '--force', tree], { cwd: repo, env });
      git(repo, ['branch', '-D', '--quiet', 'bench/tree']);
      rmSync(trace, { force: true });
      const run = clock(process.execPath, runArgs, { cwd: repo, env: { ...env, GIT_TRACE2_EVENT: trace } });
      const inRun = gitTimes(trace);
      if (!run.result.stdout.includes(' is done: fast-forwarded main to ')) throw new Error(`cairn run did not integrate: ${run.result.stdout}${run.result.stderr}`);
      git(repo, ['reset', '--quiet', '--hard', base]);
      const start = clock(process.execPath, [CLI, '--version'], { cwd: repo, env });
      if (i === 0) continue;
      samples.run.push(run.ms);
      samples.inRunWorktree.push(inRun.worktree);
      samples.inRunOtherGit.push(inRun.other);
      samples.rest.push(run.ms - inRun.worktree - inRun.other);
      samples.worktree.push(added.ms + removed.ms);
      samples.start.push(start.ms);
    }
    const row = { count, files, tracked };
    for (const [key, values] of Object.entries(samples)) row[key] = median(values);
    row.ratio = median(samples.run.map((ms, i) => ms / samples.inRunWorktree[i]));
    return row;
  } finally {
    rmSync(root, { recursive: true, force: true, maxRetries: 5 });
  }
}

/** Measures one executed phase at each repository size; prints a markdown table and returns the rows. */
export function benchPhase(sizes = [1000, 10000]) {
  const rows = [];
  for (const count of sizes) {
    process.stderr.write(`phase: generating a repository of ${count} files and running its first phase…\n`);
    rows.push(measure(count));
  }
  const fmt = (ms) => `${ms.toFixed(0)} ms`;
  console.log(`## one executed phase (cairn run --skip-ready-check, instant agent, --validate true) vs git worktree add + remove (median of ${REPEAT} warm runs)`);
  console.log('');
  console.log('"its …": what git\'s trace of that run says its git processes took. "rest": the run minus those: node, the agent and validation processes, checks, fsyncs.');
  console.log('');
  console.log('| tracked files | cairn run | its worktree add + remove | its other git calls | rest | ratio run / its worktree | separate worktree add + remove | cairn --version |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(
      `| ${r.tracked} | ${fmt(r.run)} | ${fmt(r.inRunWorktree)} | ${fmt(r.inRunOtherGit)} | ${fmt(r.rest)} | ${r.ratio.toFixed(2)}x | ${fmt(r.worktree)} | ${fmt(r.start)} |`,
    );
  }
  if (rows.length > 1) {
    const first = rows[0];
    const last = rows[rows.length - 1];
    const growth = (a, b) => `${(b / a).toFixed(2)}x`;
    console.log('');
    console.log(
      `from ${first.tracked} to ${last.tracked} tracked files (${growth(first.tracked, last.tracked)}): cairn run grew ${growth(first.run, last.run)}, ` +
        `its worktree add + remove ${growth(first.inRunWorktree, last.inRunWorktree)}, its other git calls ${growth(first.inRunOtherGit, last.inRunOtherGit)}, ` +
        `the rest ${growth(first.rest, last.rest)}; the separate worktree add + remove ${growth(first.worktree, last.worktree)}`,
    );
  }
  console.log('');
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const sizes = (process.env.BENCH_SIZES ?? '').split(',').map(Number).filter((n) => n > 0);
  benchPhase(sizes.length > 0 ? sizes : [1000, 10000]);
}
