// Corpus generators. For the doctor and list benchmarks: N migrations in the
// continuous-refactoring v1 format, cloned from the cr-v1 fixture's 40
// migrations (every status, 14 broken on purpose), each under a new slug.
// Every other migration that has stage outputs also gets a cairn
// `.planning/sums`, so the checksum rule is exercised too.
// For the execution benchmark: a project of N tracked source files holding
// the fixture's ready migration.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const FIXTURE_LIVE = path.join(HERE, '..', 'test', 'fixtures', 'cr-v1', 'migrations');

/** Every file under `dir` as [relative path, bytes]. */
function readTree(dir) {
  const files = [];
  const walk = (current) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) files.push([path.relative(dir, full), readFileSync(full)]);
    }
  };
  walk(dir);
  return files;
}

function loadTemplates() {
  return readdirSync(FIXTURE_LIVE, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('__') && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort()
    .map((slug) => ({ slug, files: readTree(path.join(FIXTURE_LIVE, slug)) }));
}

function sumsFor(files) {
  const lines = files
    .filter(([rel]) => rel.startsWith(path.join('.planning', 'stages') + path.sep))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([rel, bytes]) => `${createHash('sha256').update(bytes).digest('hex')}  ${rel.split(path.sep).join('/')}\n`);
  return lines.join('');
}

/**
 * Writes a repository at `repo` (`.planning/config.json` + `migrations/`)
 * holding `count` migrations. Returns the number of files written.
 */
export function generateCorpus(repo, count) {
  const templates = loadTemplates();
  const live = path.join(repo, 'migrations');
  mkdirSync(path.join(repo, '.planning'), { recursive: true });
  writeFileSync(path.join(repo, '.planning', 'config.json'), '{\n  "migrations_dir": "migrations"\n}\n');
  let written = 1;
  for (let i = 0; i < count; i++) {
    const template = templates[i % templates.length];
    const slug = `${template.slug}-${String(i).padStart(6, '0')}`;
    const dir = path.join(live, slug);
    const files = template.files.map(([rel, bytes]) => {
      if (rel === 'manifest.json' || rel === path.join('.planning', 'state.json')) {
        return [rel, Buffer.from(bytes.toString('utf8').split(template.slug).join(slug))];
      }
      return [rel, bytes];
    });
    const dirs = new Set(files.map(([rel]) => path.dirname(path.join(dir, rel))));
    for (const d of dirs) mkdirSync(d, { recursive: true });
    for (const [rel, bytes] of files) writeFileSync(path.join(dir, rel), bytes);
    written += files.length;
    const sums = i % 2 === 0 ? sumsFor(files) : '';
    if (sums !== '') {
      writeFileSync(path.join(dir, '.planning', 'sums'), sums);
      written += 1;
    }
  }
  return written;
}

/** The cr-v1 fixture's ready migration (three phases, none done), which `cairn run` can execute. */
export const READY_SLUG = 'src-cli-tasks-ts-20260402T140633';

/**
 * Writes a project at `repo` for the execution benchmark: the ready fixture
 * migration under `migrations/` and `count` small source files under `src/`
 * (100 to a directory). Does not init git or cairn. Returns the number of
 * files written.
 */
export function generateProjectCorpus(repo, count) {
  const migration = readTree(path.join(FIXTURE_LIVE, READY_SLUG));
  const dir = path.join(repo, 'migrations', READY_SLUG);
  for (const [rel, bytes] of migration) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), bytes);
  }
  for (let i = 0; i < count; i++) {
    const sub = path.join(repo, 'src', `m${String(Math.floor(i / 100)).padStart(4, '0')}`);
    if (i % 100 === 0) mkdirSync(sub, { recursive: true });
    writeFileSync(path.join(sub, `f${String(i).padStart(6, '0')}.js`), `export const value${i} = ${i};\n`);
  }
  return migration.length + count;
}

/**
 * A corpus of `count` migrations generated once and kept for later runs (a
 * 10,000-migration corpus is 150,000 files): `<root>/corpus-<count>` under
 * `BENCH_CORPUS_DIR` (default: the system temp directory). A marker written
 * last tells a finished corpus from an interrupted one, which is regenerated.
 * Resolves to `{ repo, files }`.
 */
export function cachedCorpus(count, root = process.env.BENCH_CORPUS_DIR ?? path.join(os.tmpdir(), 'cairn-bench-corpora')) {
  const repo = path.join(root, `corpus-${count}`);
  const marker = path.join(root, `corpus-${count}.done`);
  if (existsSync(marker)) return { repo, files: Number(readFileSync(marker, 'utf8')) };
  rmSync(repo, { recursive: true, force: true });
  mkdirSync(repo, { recursive: true });
  const files = generateCorpus(repo, count);
  // The list index trusts no file changed within its racy window (2 s) of being indexed.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2500);
  writeFileSync(marker, String(files));
  return { repo, files };
}
