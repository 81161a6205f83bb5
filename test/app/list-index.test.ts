import { readFileSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync, lstatSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { listMigrations } from '../../src/app/list-index.js';
import { scanMigrations } from '../../src/planning/list.js';
import { openStore, RACY_WINDOW_MS } from '../../src/store/index.js';
import { copyFixtureMigrations } from '../support/fixture.js';
import { tempDir } from '../support/tmp.js';

const PAST = Date.now() / 1000 - 3600;

/** Age every file and dir so index entries are not racy. */
function age(root: string): void {
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    const full = path.join(entry.parentPath, entry.name);
    if (!lstatSync(full).isSymbolicLink()) utimesSync(full, PAST, PAST);
  }
  utimesSync(root, PAST, PAST);
}

/** Aging sets every ctime to now; index entries are trusted only once that is past the racy window. */
const pastRacyWindow = () => new Promise((resolve) => setTimeout(resolve, RACY_WINDOW_MS + 100));

async function setup() {
  const repo = tempDir('cairn-index-');
  const live = path.join(repo, 'migrations');
  copyFixtureMigrations(live);
  age(live);
  await pastRacyWindow();
  const store = openStore(path.join(repo, '.planning', 'cairn.db'));
  return { repo, live, store };
}

/** Rewrite a file keeping its size and restoring its mtime: only ctime/ino tell. */
function editBehindBack(file: string, edit: (text: string) => string): void {
  const before = statSync(file);
  const text = readFileSync(file, 'utf8');
  const next = edit(text);
  expect(Buffer.byteLength(next)).toBe(Buffer.byteLength(text));
  writeFileSync(file, next);
  utimesSync(file, before.atime, before.mtime);
}

describe('list index', () => {
  it('serves unchanged rows from the index and recomputes edited ones', async () => {
    const { repo, live, store } = await setup();
    const first = await listMigrations(live, repo, store);
    expect(first).toEqual(await scanMigrations(live, repo));
    const slug = 'src-exports-queue-rb-20260402T081851';
    const other = 'src-inventory-schema-py-20260313T214220';
    const recordedOther = store.lookupIndex(live, other)?.recordedAtMs;
    editBehindBack(path.join(live, slug, 'manifest.json'), (text) => text.replace('"awaiting_human_review": false', '"awaiting_human_review": true '));
    const second = await listMigrations(live, repo, store);
    expect(second).toEqual(await scanMigrations(live, repo));
    expect(second.find((row) => row.slug === slug)?.awaitingReview).toBe(true);
    expect(store.lookupIndex(live, other)?.recordedAtMs).toBe(recordedOther);
    store.close();
  });

  it('sees a deleted or re-created stage output, a removed migration and a deleted store', async () => {
    const { repo, live, store } = await setup();
    await listMigrations(live, repo, store);
    const slug = 'extract-pagination-helpers-in-reports-20260421T081406';
    const output = path.join(live, slug, '.planning', 'stages', 'expand.stdout.md');
    renameSync(output, `${output}.away`);
    let rows = await listMigrations(live, repo, store);
    expect(rows.find((row) => row.slug === slug)?.cursor).toBe('planning:blocked');
    renameSync(`${output}.away`, output);
    rows = await listMigrations(live, repo, store);
    expect(rows.find((row) => row.slug === slug)?.cursor).toBe('planning:review');
    rmSync(path.join(live, slug), { recursive: true });
    rows = await listMigrations(live, repo, store);
    expect(rows.map((row) => row.slug)).not.toContain(slug);
    store.close();
    rmSync(path.join(repo, '.planning'), { recursive: true });
    const fresh = openStore(path.join(repo, '.planning', 'cairn.db'));
    expect(await listMigrations(live, repo, fresh)).toEqual(await scanMigrations(live, repo));
    fresh.close();
  });

  it('never returns a stale row under random edits', async () => {
    const { repo, live, store } = await setup();
    const slugs = readdirSync(live).filter((name) => !name.startsWith('_'));
    const edits = [
      (dir: string) => editBehindBack(path.join(dir, 'manifest.json'), (t) => t.replace('"awaiting_human_review": false', '"awaiting_human_review": 0    ')),
      (dir: string) => editBehindBack(path.join(dir, 'manifest.json'), (t) => t.replace(/"last_touch": "2026/, '"last_touch": "2027')),
      (dir: string) => editBehindBack(path.join(dir, '.planning', 'state.json'), (t) => t.replace('"next_step": "review"', '"next_step": "expand"')),
      (dir: string) => rmSync(path.join(dir, '.planning', 'stages', 'approaches.stdout.md'), { force: true }),
      (dir: string) => rmSync(path.join(dir, 'manifest.json'), { force: true }),
      (dir: string) => writeFileSync(path.join(dir, 'manifest.json'), '{'),
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom(...slugs), fc.integer({ min: 0, max: edits.length - 1 })), { minLength: 1, maxLength: 4 }),
        async (steps) => {
          for (const [slug, edit] of steps) {
            try {
              edits[edit]?.(path.join(live, slug));
            } catch {
              // the file may already be gone: an edit that cannot apply is a no-op
            }
          }
          expect(await listMigrations(live, repo, store)).toEqual(await scanMigrations(live, repo));
        },
      ),
      { numRuns: 25 },
    );
    store.close();
  });
});
