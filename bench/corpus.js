// Corpus generator for the doctor benchmark: N migrations in the
// continuous-refactoring v1 format, cloned from the cr-v1 fixture's 40
// migrations (every status, 14 broken on purpose), each under a new slug.
// Every other migration that has stage outputs also gets a cairn
// `.planning/sums`, so the checksum rule is exercised too.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
