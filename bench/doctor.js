// `cairn doctor --all` on N generated migrations with no local store (a
// fresh clone in CI), in alternating rounds with the floor of `cat`-ing every
// file of the live root and the original tool's `migration doctor --all`.
import { rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { cachedCorpus } from './corpus.js';
import { CACHE_MODE, CLI, ROUNDS, alternate, catCase, fileList, fmtMb, fmtMs, originalSource, originalTool, ratio } from './measure.js';

function measure(count) {
  const { repo, files } = cachedCorpus(count);
  const live = path.join(repo, 'migrations');
  const list = path.join(repo, '..', `corpus-${count}.all-files`);
  fileList(live, list);
  const removeStore = () => {
    for (const suffix of ['', '-wal', '-shm']) rmSync(path.join(repo, '.planning', `cairn.db${suffix}`), { force: true });
  };
  const findingsExit = (result) => {
    if (result.status !== 1) throw new Error(`doctor exited ${result.status}: ${result.stderr.toString().slice(0, 500)}`);
  };
  const cases = [
    catCase('floor', list),
    { name: 'doctor', command: process.execPath, args: [CLI, 'doctor', '--all', '--format', 'tsv'], options: { cwd: repo }, before: removeStore, check: findingsExit },
  ];
  // Another build (BENCH_CLI) may not know --jobs or cairn index.
  if (process.env.BENCH_CLI === undefined) {
    cases.push({ name: 'oneThread', command: process.execPath, args: [CLI, 'doctor', '--all', '--format', 'tsv', '--jobs', '1'], options: { cwd: repo }, before: removeStore, check: findingsExit });
    // A local run after `cairn index` (not timed): verified stage outputs are not read again.
    const indexed = () => {
      const result = spawnSync(process.execPath, [CLI, 'index'], { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] });
      if (result.status !== 0) throw new Error(`cairn index exited ${result.status}: ${result.stderr.toString().slice(0, 500)}`);
    };
    cases.push({ name: 'stored', command: process.execPath, args: [CLI, 'doctor', '--all', '--format', 'tsv'], options: { cwd: repo }, before: indexed, check: findingsExit });
  }
  const src = originalSource();
  if (src !== null) cases.push(originalTool(src, repo, path.join(repo, '..', `original-home-${count}`))('original', ['migration', 'doctor', '--all']));
  const r = alternate(cases, list);
  const output = r.doctor.result.stdout.toString();
  if (r.oneThread !== undefined && r.oneThread.result.stdout.toString() !== output) throw new Error('doctor --all on threads and with --jobs 1 differ');
  if (r.stored !== undefined && r.stored.result.stdout.toString() !== output) throw new Error('doctor --all with and without a store differ');
  const findings = output.split('\n').filter((line) => line !== '').length;
  return { count, files, findings, floor: r.floor.ms, doctor: r.doctor, oneThread: r.oneThread ?? null, stored: r.stored ?? null, original: r.original ?? null };
}

/** Measures doctor at each size; prints a markdown table and resolves to one row per size. */
export function benchDoctor(sizes = [1000, 10000]) {
  const rows = [];
  for (const count of sizes) {
    process.stderr.write(`doctor: measuring ${count} migrations (${ROUNDS} rounds)…\n`);
    rows.push(measure(count));
  }
  console.log(`## cairn doctor --all, no store (median of ${ROUNDS} alternating rounds, ${CACHE_MODE}; peak RSS)`);
  console.log('');
  console.log('| migrations | files | findings | cat every file | doctor | doctor --jobs 1 | doctor after cairn index | original | doctor / cat | original / doctor | RSS |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const original = r.original === null ? 'n/a' : fmtMs(r.original.ms);
    const speedup = r.original === null ? 'n/a' : ratio(r.original.ms, r.doctor.ms);
    console.log(
      `| ${r.count} | ${r.files} | ${r.findings} | ${fmtMs(r.floor)} | ${fmtMs(r.doctor.ms)} | ${r.oneThread === null ? 'n/a' : fmtMs(r.oneThread.ms)} | ${r.stored === null ? 'n/a' : fmtMs(r.stored.ms)} | ${original} | ${ratio(r.doctor.ms, r.floor)} | ${speedup} | ${fmtMb(r.doctor.rssMb)} |`,
    );
  }
  console.log('');
  return rows;
}
