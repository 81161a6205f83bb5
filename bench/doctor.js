// `cairn doctor --all` on N generated migrations against the floor of merely
// reading the same files, measured in the same run on the same (warm) page
// cache.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCorpus } from './corpus.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.join(HERE, '..', 'bin', 'cairn.js');
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);

/** Runs a command `REPEAT` times after one warm-up; returns the median wall time in ms and the last result. */
export function timed(label, command, args, options) {
  let last;
  const times = [];
  for (let i = 0; i <= REPEAT; i++) {
    const start = process.hrtime.bigint();
    last = spawnSync(command, args, { ...options, maxBuffer: 1024 * 1024 * 1024 });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (last.error) throw last.error;
    if (i > 0) times.push(ms);
  }
  times.sort((a, b) => a - b);
  return { label, ms: times[Math.floor(times.length / 2)], result: last };
}

// Reads every file under a directory, as a Node process: the floor for a
// Node program (process start plus the same reads, no checks).
const NODE_READ_ALL = `
const fs = require('node:fs'); const path = require('node:path');
let bytes = 0;
const walk = (dir) => { for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
  const full = path.join(dir, e.name);
  if (e.isDirectory()) walk(full); else if (e.isFile()) bytes += fs.readFileSync(full).length; } };
walk(process.argv[1]); process.stdout.write(String(bytes));
`;

function bench(count) {
  const repo = mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-'));
  try {
    const files = generateCorpus(repo, count);
    const live = path.join(repo, 'migrations');
    const doctor = timed('cairn doctor --all --format tsv', process.execPath, [CLI, 'doctor', '--all', '--format', 'tsv'], { cwd: repo });
    if (doctor.result.status !== 1) {
      throw new Error(`doctor exited ${doctor.result.status}: ${doctor.result.stderr.toString().slice(0, 500)}`);
    }
    const findings = doctor.result.stdout.toString().split('\n').filter((line) => line !== '').length;
    const cat = timed('find … -type f -exec cat {} +', 'sh', ['-c', 'find "$1" -type f -exec cat {} + > /dev/null', 'sh', live], {});
    const nodeRead = timed('node: read every file', process.execPath, ['-e', NODE_READ_ALL, live], {});
    return { count, files, findings, doctor: doctor.ms, cat: cat.ms, nodeRead: nodeRead.ms };
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
}


/** Measures doctor at each size; prints a markdown table and resolves to the rows. */
export function benchDoctor(sizes = [1000, 10000]) {
  const rows = [];
  for (const count of sizes) {
    process.stderr.write(`doctor: generating and measuring ${count} migrations…\n`);
    rows.push(bench(count));
  }
  const fmt = (ms) => `${ms.toFixed(0)} ms`;
  console.log(`## cairn doctor --all vs reading the same files (median of ${REPEAT} warm runs)`);
  console.log('');
  console.log('| migrations | files | findings | doctor | cat floor | ratio to cat | node read floor | ratio to node read |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(
      `| ${r.count} | ${r.files} | ${r.findings} | ${fmt(r.doctor)} | ${fmt(r.cat)} | ${(r.doctor / r.cat).toFixed(2)}x | ${fmt(r.nodeRead)} | ${(r.doctor / r.nodeRead).toFixed(2)}x |`,
    );
  }
  const last = rows[rows.length - 1];
  console.log('');
  console.log(`ratio to the read floor at ${last.count} migrations: ${(last.doctor / last.cat).toFixed(2)}x (goal: within 2x)`);
  console.log('');
  return rows;
}
