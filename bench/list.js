// `cairn list` on N generated migrations, in alternating rounds: cold (no
// local store: every row is read and indexed), warm (every row served from
// the index), a full scan that bypasses the index (`--no-index`) and the
// original tool's `migration list`, against the floors of `cat`-ing every
// manifest.json and state.json and of lstat-ing every file.
import { appendFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { cachedCorpus } from './corpus.js';
import { CACHE_MODE, CLI, ROUNDS, alternate, catCase, fileList, fmtMb, fmtMs, originalSource, originalTool, ratio, statCase } from './measure.js';

function removeStore(repo) {
  const store = path.join(repo, '.planning', 'cairn.db');
  for (const suffix of ['', '-wal', '-shm']) rmSync(store + suffix, { force: true });
}

function mustSucceed(result) {
  if (result.status !== 0) throw new Error(`exited ${result.status}: ${result.stderr.toString().slice(0, 500)}`);
}

function measure(count) {
  const { repo } = cachedCorpus(count);
  const live = path.join(repo, 'migrations');
  const list = path.join(repo, '..', `corpus-${count}.list-files`);
  fileList(live, list, ['manifest.json', 'state.json']);
  const evict = path.join(repo, '..', `corpus-${count}.evict-list`);
  fileList(live, evict);
  const store = path.join(repo, '.planning', 'cairn.db');
  appendFileSync(evict, `\0${store}\0${store}-wal`);
  const cairn = (name, args, before) => ({ name, command: process.execPath, args: [CLI, ...args], options: { cwd: repo }, before, check: mustSucceed });
  const cases = [
    catCase('floor', list),
    statCase('stat', live),
    cairn('cold', ['list', '--format', 'tsv'], () => removeStore(repo)),
    cairn('warm', ['list', '--format', 'tsv']),
    cairn('scan', ['list', '--format', 'tsv', '--no-index']),
  ];
  const src = originalSource();
  if (src !== null) cases.push({ ...originalTool(src, repo, path.join(repo, '..', `original-home-${count}`))('original', ['migration', 'list']), check: mustSucceed });
  const r = alternate(cases, evict);
  const scan = r.scan.result.stdout.toString();
  if (r.warm.result.stdout.toString() !== scan || r.cold.result.stdout.toString() !== scan) throw new Error('cold, warm and --no-index lists differ');
  return { count, floor: r.floor.ms, stat: r.stat.ms, cold: r.cold, warm: r.warm, scan: r.scan, original: r.original ?? null };
}

/** Prints a markdown table of the list measurements; resolves to one row per size. */
export async function benchList(sizes = [1000, 10000]) {
  const rows = [];
  for (const count of sizes) {
    process.stderr.write(`list: measuring ${count} migrations (${ROUNDS} rounds)…\n`);
    rows.push(measure(count));
  }
  console.log(`## cairn list (median of ${ROUNDS} alternating rounds, ${CACHE_MODE}; peak RSS)`);
  console.log('');
  console.log('| migrations | cat manifest+state | stat every file | cold | warm | --no-index | original | cold / cat | warm / cold | original / warm | RSS cold | RSS warm |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const original = r.original === null ? 'n/a' : fmtMs(r.original.ms);
    const speedup = r.original === null ? 'n/a' : ratio(r.original.ms, r.warm.ms);
    console.log(
      `| ${r.count} | ${fmtMs(r.floor)} | ${fmtMs(r.stat)} | ${fmtMs(r.cold.ms)} | ${fmtMs(r.warm.ms)} | ${fmtMs(r.scan.ms)} | ${original} | ${ratio(r.cold.ms, r.floor)} | ${ratio(r.warm.ms, r.cold.ms)} | ${speedup} | ${fmtMb(r.cold.rssMb)} | ${fmtMb(r.warm.rssMb)} |`,
    );
  }
  console.log('');
  return rows;
}
