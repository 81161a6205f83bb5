// `cairn report` against `cairn list` cold (no local store) on the same
// corpus, in one run: the report reads what list, status and doctor read and
// should take at most twice a cold list; its HTML should stay under 40 MB.
//
//   node bench/report.js [<repo dir> | <count>]   (default: 10000 generated migrations)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cachedCorpus } from './corpus.js';
import { CACHE_MODE, evictFiles, fileList } from './measure.js';

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'cairn.js');
const RUNS = 3;
const MAX_RATIO = 2;
const MAX_BYTES = 40 * 1000 * 1000;

function run(repo, args) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: repo, maxBuffer: 1024 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`cairn ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return ms;
}

function coldList(repo) {
  const store = path.join(repo, '.planning', 'cairn.db');
  for (const suffix of ['', '-wal', '-shm']) rmSync(store + suffix, { force: true });
  return run(repo, ['list', '--format', 'tsv']);
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export function benchReport(repo) {
  const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-report-out-')), 'report.html');
  const evict = path.join(path.dirname(out), 'evict-list');
  fileList(path.join(repo, 'migrations'), evict);
  try {
    const lists = [];
    const reports = [];
    for (let i = 0; i < RUNS; i++) {
      evictFiles(evict);
      lists.push(coldList(repo));
      evictFiles(evict);
      reports.push(run(repo, ['report', '--out', out]));
    }
    const list = median(lists);
    const report = median(reports);
    const bytes = statSync(out).size;
    return { list, report, ratio: report / list, bytes };
  } finally {
    rmSync(path.dirname(out), { recursive: true, force: true });
  }
}

async function main() {
  const arg = process.argv[2] ?? '10000';
  const repo = !existsSync(arg) && /^\d+$/.test(arg) ? cachedCorpus(Number(arg)).repo : arg;
  const r = benchReport(repo);
    console.log(`## cairn report against cairn list cold (${CACHE_MODE})`);
    console.log('');
    console.log('| list cold | report | report / list | HTML size |');
    console.log('|---:|---:|---:|---:|');
    console.log(`| ${r.list.toFixed(0)} ms | ${r.report.toFixed(0)} ms | ${r.ratio.toFixed(2)}× | ${(r.bytes / 1e6).toFixed(1)} MB |`);
    console.log('');
    console.log(`goals: report within ${MAX_RATIO}× list cold (${r.ratio <= MAX_RATIO ? 'met' : 'MISSED'}), HTML under 40 MB (${r.bytes < MAX_BYTES ? 'met' : 'MISSED'})`);
    if (r.ratio > MAX_RATIO || r.bytes >= MAX_BYTES) process.exitCode = 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
