import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectReport, reportChunk, type ReportMigration } from '../../src/app/report.js';
import { readReviewRecords } from '../../src/migration/index.js';
import { resolvedRoots } from '../../src/util/index.js';
import { fixtureRepo } from '../support/repo.js';

/*
 * What the report gathers. It takes each migration's review records from
 * the bytes its doctor check read, instead of reading reviews.jsonl again:
 * whatever the file holds, the records must be the ones a fresh read finds.
 * It can hand each migration on as soon as it is ready instead of keeping
 * them all.
 */

const REVIEW = { reviewer: 'Ada <ada@example.com>', decision: 'approve', at: '2026-05-01T10:00:00.000-07:00', snapshot_id: 'a'.repeat(64) };

const CONTENTS: Record<string, string | Buffer | null> = {
  missing: null,
  empty: '',
  'one record': `${JSON.stringify(REVIEW)}\n`,
  'records, a blank line and a malformed one': `${JSON.stringify(REVIEW)}\n\n{"reviewer": "x"\n${JSON.stringify({ ...REVIEW, decision: 'reject', note: 'no' })}\n`,
  'a byte order mark before the first record': `\uFEFF${JSON.stringify(REVIEW)}\n${JSON.stringify({ ...REVIEW, decision: 'reject' })}\n`,
  'bytes that are not UTF-8': Buffer.concat([Buffer.from(`${JSON.stringify({ ...REVIEW, note: 'caf' })}`), Buffer.from([0xe9, 0x0a]), Buffer.from(`${JSON.stringify(REVIEW)}\n`)]),
  'a directory': 'dir',
};

describe('the report reads review records from what doctor read', () => {
  it('finds the records a fresh read of reviews.jsonl finds, whatever the file holds', async () => {
    const repo = fixtureRepo({ commit: false });
    const liveRoot = path.join(repo, 'migrations');
    const setup = { repoRoot: repo, liveRoot, roots: [...resolvedRoots(repo, liveRoot)], digestStore: undefined, extra: { repoRoot: repo, reviewPolicy: 'when-flagged' } };
    const slugs = readdirSync(liveRoot).filter((name) => !name.startsWith('__')).sort();
    // Migrations whose manifest loads: the report shows no reviews for the others.
    const readable = (await reportChunk(slugs, setup)).filter((group) => group.report?.manifest !== null).map((group) => group.slug);
    const names = Object.keys(CONTENTS);
    const used = readable.slice(0, names.length);
    expect(used.length).toBe(names.length);
    used.forEach((slug, index) => {
      const file = path.join(liveRoot, slug, '.planning', 'reviews.jsonl');
      const content = CONTENTS[names[index] as string] ?? null;
      rmSync(file, { recursive: true, force: true });
      mkdirSync(path.dirname(file), { recursive: true });
      if (content === 'dir') mkdirSync(file);
      else if (content !== null) writeFileSync(file, content);
    });
    const groups = await reportChunk(used, setup);
    let withRecords = 0;
    for (const [index, group] of groups.entries()) {
      const fresh = await readReviewRecords(path.join(liveRoot, used[index] as string));
      expect(group.report?.reviews, names[index]).toEqual(fresh);
      if (fresh.length > 0) withRecords++;
    }
    // The byte order mark keeps the first record from parsing, as it does for a fresh read.
    expect(groups.map((group) => group.report?.reviews.length)).toEqual([0, 0, 1, 2, 1, 1, 0]);
    expect(withRecords).toBe(4);
  });
});

describe('collectReport handing each migration on', () => {
  it('gives every migration, in order, to its callback and keeps none of them', async () => {
    const repo = fixtureRepo({ commit: false });
    const liveRoot = path.join(repo, 'migrations');
    const context = { repoRoot: repo, configPath: null, config: null, migrationsDir: 'migrations', liveRoot, lockTimeoutMs: 1000, reviewPolicy: 'when-flagged' as const };
    const kept = await collectReport(context, 1);
    const handed: ReportMigration[] = [];
    const streamed = await collectReport(context, 1, (migration) => void handed.push(migration));
    expect(streamed.migrations).toEqual([]);
    expect(handed.map((migration) => migration.slug)).toEqual(kept.migrations.map((migration) => migration.slug));
    expect(handed).toEqual(kept.migrations);
    expect(handed.length).toBeGreaterThan(5);
    expect(streamed.projectGroups).toEqual(kept.projectGroups);
  });
});
