// `cairn list` on N generated migrations: cold (no local store: every row is
// read and indexed), warm (every row served from the index) and a full scan
// that bypasses the index (`--no-index`), measured in the same run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCorpus } from './corpus.js';
import { timed } from './doctor.js';

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'cairn.js');
const COLD_RUNS = 3;

/** Index entries are trusted only for files older than the racy window (2 s). */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function coldList(repo) {
  const store = path.join(repo, '.planning', 'cairn.db');
  for (const suffix of ['', '-wal', '-shm']) rmSync(store + suffix, { force: true });
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [CLI, 'list', '--format', 'tsv'], { cwd: repo, maxBuffer: 1024 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`list exited ${result.status}: ${result.stderr}`);
  return ms;
}

async function measure(count) {
  const repo = mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-list-'));
  try {
    generateCorpus(repo, count);
    await sleep(2500);
    const colds = Array.from({ length: COLD_RUNS }, () => coldList(repo)).sort((a, b) => a - b);
    const warm = timed('warm', process.execPath, [CLI, 'list', '--format', 'tsv'], { cwd: repo });
    const scan = timed('scan', process.execPath, [CLI, 'list', '--format', 'tsv', '--no-index'], { cwd: repo });
    if (warm.result.stdout.toString() !== scan.result.stdout.toString()) throw new Error('warm list differs from a full scan');
    return { count, cold: colds[Math.floor(COLD_RUNS / 2)], warm: warm.ms, scan: scan.ms };
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
}

/** Prints a markdown table of cold, warm and full-scan list times; resolves to the rows. */
export async function benchList(sizes = [10000]) {
  const rows = [];
  for (const count of sizes) {
    process.stderr.write(`list: generating and measuring ${count} migrations…\n`);
    rows.push(await measure(count));
  }
  const fmt = (ms) => `${ms.toFixed(0)} ms`;
  const pct = (a, b) => `${((100 * a) / b).toFixed(1)}%`;
  console.log('## cairn list: cold (no store), warm (index) and a full scan (--no-index)');
  console.log('');
  console.log('| migrations | cold | warm | full scan | warm / cold | warm / full scan |');
  console.log('|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.count} | ${fmt(r.cold)} | ${fmt(r.warm)} | ${fmt(r.scan)} | ${pct(r.warm, r.cold)} | ${pct(r.warm, r.scan)} |`);
  const last = rows[rows.length - 1];
  console.log('');
  console.log(`warm list at ${last.count} migrations: ${pct(last.warm, last.cold)} of cold (goal: under 10%)`);
  console.log('');
  return rows;
}
