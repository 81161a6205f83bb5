// What the list and doctor benchmarks share: timing a command with its peak
// memory, alternating rounds so a busy machine slows every case alike, the
// floors (plain reads of the same files) and the original Python tool.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { percentile } from './support.js';

/** The CLI measured: this checkout's, or `BENCH_CLI` (another build, for a before/after table). */
export const CLI = process.env.BENCH_CLI ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'cairn.js');
export const ROUNDS = Number(process.env.BENCH_REPEAT ?? 3);

/*
 * The goals are set for machines that keep little page cache between runs
 * (CI images, busy 2-core machines), where every command reads its files from
 * the disk. A machine with memory to spare keeps a corpus cached after its
 * first read and measures something else. So before each timed case the
 * corpus's files are dropped from the page cache (posix_fadvise DONTNEED, which
 * needs no privileges), for the floors and the tools alike. BENCH_CACHE=keep
 * measures with whatever the cache holds instead.
 */
const EVICT_PY = [
  'import os, sys',
  'for name in open(sys.argv[1], "rb").read().split(b"\\0"):',
  '    if not name: continue',
  '    try:',
  '        fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK)',
  '    except OSError:',
  '        continue',
  '    try:',
  '        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)',
  '    finally:',
  '        os.close(fd)',
].join('\n');
const CAN_EVICT =
  process.env.BENCH_CACHE !== 'keep' && spawnSync('python3', ['-c', 'import os; os.posix_fadvise'], { stdio: 'ignore' }).status === 0;

/** How the page cache is treated, for the tables' headings. */
export const CACHE_MODE = CAN_EVICT ? 'files dropped from the page cache before each run' : 'page cache kept';

/** Drops the files named in the NUL-separated list `list` from the page cache (when the bench evicts). */
export function evictFiles(list) {
  if (!CAN_EVICT) return;
  const result = spawnSync('python3', ['-c', EVICT_PY, list], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (result.status !== 0) throw new Error(`evicting the corpus from the page cache failed: ${result.stderr}`);
}
const TIME = '/usr/bin/time';
const HAS_TIME = existsSync(TIME);

/**
 * Runs `command args` once; resolves to the wall time in ms, the peak RSS in
 * MB (null where /usr/bin/time is missing) and the result.
 */
export function runOnce(command, args, options = {}) {
  const rssFile = path.join(os.tmpdir(), `cairn-bench-rss-${process.pid}`);
  const [cmd, argv] = HAS_TIME ? [TIME, ['-f', '%M', '-o', rssFile, command, ...args]] : [command, args];
  const start = process.hrtime.bigint();
  const result = spawnSync(cmd, argv, { ...options, maxBuffer: 1024 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.error) throw result.error;
  let rssMb = null;
  if (HAS_TIME) {
    const last = readFileSync(rssFile, 'utf8').trim().split('\n').pop();
    rssMb = Number(last) / 1024;
    rmSync(rssFile, { force: true });
  }
  return { ms, rssMb, result };
}

export const median = (values) => percentile([...values].sort((a, b) => a - b), 0.5);

/**
 * Runs every case `ROUNDS` times, one round after another (case order kept
 * within a round); each case's `before` runs untimed before it, then the
 * files in the NUL-separated list `evict` (when given) leave the page cache.
 * Resolves to `{ name: { ms, rssMb, result } }` with median time and peak
 * memory.
 */
export function alternate(cases, evict = null) {
  const runs = Object.fromEntries(cases.map((c) => [c.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of cases) {
      c.before?.();
      if (evict !== null) evictFiles(evict);
      const run = runOnce(c.command, c.args, c.options);
      c.check?.(run.result);
      runs[c.name].push(run);
    }
  }
  return Object.fromEntries(
    cases.map((c) => {
      const list = runs[c.name];
      const rss = list.map((r) => r.rssMb).filter((v) => v !== null);
      return [c.name, { ms: median(list.map((r) => r.ms)), rssMb: rss.length > 0 ? Math.max(...rss) : null, result: list[list.length - 1].result }];
    }),
  );
}

/** Writes a NUL-separated list of the files under `dir` (all, or those named `names`) to `out`. */
export function fileList(dir, out, names = null) {
  const files = [];
  const walk = (current) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && (names === null || names.includes(entry.name))) files.push(full);
    }
  };
  walk(dir);
  writeFileSync(out, files.join('\0'));
  return files.length;
}

/** A case that `cat`s every file named in the NUL-separated list `list`: the floor of reading them. */
export function catCase(name, list) {
  return { name, command: 'sh', args: ['-c', 'xargs -0 cat < "$1" > /dev/null', 'sh', list] };
}

/** A case that lstats every file and directory under `dir` (find, printing nothing). */
export function statCase(name, dir) {
  return { name, command: 'find', args: [dir, '-printf', ''] };
}

/** The original tool's source tree: `CAIRN_ORIGINAL_SRC`, else /tmp/cr/src when present; null without python3 or source. */
export function originalSource() {
  const src = process.env.CAIRN_ORIGINAL_SRC ?? '/tmp/cr/src';
  if (!existsSync(path.join(src, 'continuous_refactoring'))) return null;
  return spawnSync('python3', ['--version']).status === 0 ? src : null;
}

/**
 * Writes `<home>/launch.py`, which runs the original CLI from its source tree
 * `src` (its version banner needs package metadata a source tree lacks);
 * returns its path.
 */
export function writeOriginalLauncher(src, home) {
  mkdirSync(home, { recursive: true });
  const launcher = path.join(home, 'launch.py');
  writeFileSync(
    launcher,
    [
      'import sys, importlib.metadata as metadata',
      'real = metadata.version',
      'def version(name):',
      '    try:',
      '        return real(name)',
      '    except Exception:',
      '        return "0.0.0"',
      'metadata.version = version',
      `sys.path.insert(0, ${JSON.stringify(src)})`,
      'from continuous_refactoring import cli',
      'sys.argv = ["continuous-refactoring"] + sys.argv[1:]',
      'cli.cli_main()',
      '',
    ].join('\n'),
  );
  return launcher;
}

/**
 * Registers `repo` with the original tool under a home of its own and
 * resolves to a function making a case that runs `args` of the original there.
 */
export function originalTool(src, repo, home) {
  const launcher = writeOriginalLauncher(src, home);
  const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, 'xdg') };
  const init = spawnSync('python3', [launcher, 'init', '--live-migrations-dir', 'migrations'], { cwd: repo, env });
  if (init.status !== 0) throw new Error(`the original tool's init failed: ${init.stderr}`);
  return (name, args) => ({ name, command: 'python3', args: [launcher, ...args], options: { cwd: repo, env } });
}

export const fmtMs = (ms) => `${ms >= 1000 ? (ms / 1000).toFixed(2) + ' s' : ms.toFixed(0) + ' ms'}`;
export const fmtMb = (mb) => (mb === null ? 'n/a' : `${mb.toFixed(0)} MB`);
export const ratio = (a, b) => `${(a / b).toFixed(2)}x`;
