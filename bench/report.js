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
import { generateCorpus } from './corpus.js';

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
  try {
    const lists = [];
    const reports = [];
    for (let i = 0; i < RUNS; i++) {
      lists.push(coldList(repo));
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
  let repo = arg;
  let generated = false;
  if (!existsSync(arg) && /^\d+$/.test(arg)) {
    repo = mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-report-'));
    generated = true;
    process.stderr.write(`report: generating ${arg} migrations…\n`);
    generateCorpus(repo, Number(arg));
  }
  try {
    const r = benchReport(repo);
    console.log('## cairn report against cairn list cold');
    console.log('');
    console.log('| list cold | report | report / list | HTML size |');
    console.log('|---:|---:|---:|---:|');
    console.log(`| ${r.list.toFixed(0)} ms | ${r.report.toFixed(0)} ms | ${r.ratio.toFixed(2)}× | ${(r.bytes / 1e6).toFixed(1)} MB |`);
    console.log('');
    console.log(`goals: report within ${MAX_RATIO}× list cold (${r.ratio <= MAX_RATIO ? 'met' : 'MISSED'}), HTML under 40 MB (${r.bytes < MAX_BYTES ? 'met' : 'MISSED'})`);
    if (r.ratio > MAX_RATIO || r.bytes >= MAX_BYTES) process.exitCode = 1;
  } finally {
    if (generated) rmSync(repo, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
