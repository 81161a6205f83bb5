import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { reviewRecordSchema } from '../../src/migration/reviews-schema.js';
import { reviewLineProblem } from '../../src/consistency/review-rules.js';
import type { Manifest } from '../../src/migration/manifest.js';
import { appendReviewRecord, encodeReviewRecord, reviewerIdentity, type ReviewRecord } from '../../src/migration/review-records.js';
import { readReviewRecords } from '../../src/migration/read-review-records.js';
import { notAwaitingReviewError } from '../../src/planning/review.js';
import { reviewPending, reviewPendingReason } from '../../src/planning/review-pending.js';
import { git, gitRepo } from '../support/git.js';
import { tempDir } from '../support/tmp.js';

const RECORD: ReviewRecord = {
  reviewer: 'Ada <ada@example.org>',
  decision: 'approve',
  at: '2026-06-01T10:00:00.000+02:00',
  snapshot_id: 'b'.repeat(64),
  note: 'Looks right — ship it',
};

function manifest(fields: Partial<Manifest>): Manifest {
  return {
    name: 'm1',
    created_at: '2026-01-01T00:00:00.000+00:00',
    last_touch: '2026-01-01T00:00:00.000+00:00',
    wake_up_on: null,
    awaiting_human_review: false,
    status: 'ready',
    current_phase: 'a',
    phases: [{ name: 'a', file: 'phase-1-a.md', done: false, precondition: 'p', required_effort: null, effort_reason: null }],
    human_review_reason: null,
    cooldown_until: null,
    ...fields,
  };
}

describe('reviews.jsonl records', () => {
  it('encodes one sorted, single-line JSON object that doctor accepts', () => {
    const line = encodeReviewRecord(RECORD);
    expect(line).toBe(
      `{"at":"2026-06-01T10:00:00.000+02:00","decision":"approve","note":"Looks right — ship it","reviewer":"Ada <ada@example.org>","snapshot_id":"${'b'.repeat(64)}"}\n`,
    );
    expect(reviewLineProblem(line.trimEnd())).toBeNull();
    expect(() => encodeReviewRecord({ ...RECORD, snapshot_id: 'nope' })).toThrow();
  });

  it('appends after earlier lines byte for byte (adding a missing final newline) and reads valid records back', async () => {
    const dir = tempDir('cairn-reviews-');
    mkdirSync(path.join(dir, '.planning'));
    const file = path.join(dir, '.planning', 'reviews.jsonl');
    writeFileSync(file, 'not a record');
    await appendReviewRecord(dir, RECORD);
    await appendReviewRecord(dir, { ...RECORD, decision: 'reject', note: 'no' });
    expect(readFileSync(file, 'utf8')).toBe(`not a record\n${encodeReviewRecord(RECORD)}${encodeReviewRecord({ ...RECORD, decision: 'reject', note: 'no' })}`);
    expect((await readReviewRecords(dir)).map((record) => record.decision)).toEqual(['approve', 'reject']);
    expect(reviewRecordSchema().parse((await readReviewRecords(dir))[0])).toEqual(RECORD);
    expect(await readReviewRecords(tempDir('cairn-reviews-'))).toEqual([]);
  });
});

describe('the review gate', () => {
  it('is pending when flagged, and under policy "always" for a ready plan until the last decision is an approval', () => {
    const approve = { ...RECORD };
    const changes = { ...RECORD, decision: 'request-changes' as const };
    expect(reviewPending(manifest({ awaiting_human_review: true }), [approve], 'when-flagged')).toBe(true);
    expect(reviewPending(manifest({}), [], 'when-flagged')).toBe(false);
    expect(reviewPending(manifest({}), [], 'always')).toBe(true);
    expect(reviewPending(manifest({}), [approve], 'always')).toBe(false);
    expect(reviewPending(manifest({}), [approve, changes], 'always')).toBe(true);
    expect(reviewPending(manifest({ status: 'planning' }), [], 'always')).toBe(false);
    expect(reviewPending(manifest({ status: 'done' }), [], 'always')).toBe(false);
  });

  it('gives the reason every command shows: the recorded one, else the policy', () => {
    const approve = { ...RECORD };
    expect(reviewPendingReason(manifest({ awaiting_human_review: true, human_review_reason: 'risky' }), [approve], 'always')).toBe('risky');
    expect(reviewPendingReason(manifest({ awaiting_human_review: true }), [], 'when-flagged')).toBe('(no reason recorded)');
    expect(reviewPendingReason(manifest({}), [], 'always')).toBe('review policy is "always"');
    expect(reviewPendingReason(manifest({}), [approve], 'always')).toBeNull();
    expect(reviewPendingReason(manifest({}), [], 'when-flagged')).toBeNull();
  });

  it('explains a refusal with the refine alternative when there is one (docs/format.md §9.7)', () => {
    const refinable = notAwaitingReviewError(manifest({}), 'm1');
    expect(refinable.message).toBe("Migration 'm1' is not awaiting human review.");
    expect(refinable.hint).toBe('To revise it instead, run `cairn refine m1 --message ...`; `cairn list --awaiting-review` lists the migrations that are.');
    const error = notAwaitingReviewError(manifest({ status: 'skipped' }), 'm1');
    expect(error.message).toBe("Migration 'm1' is not awaiting human review.");
    expect(error.hint).toBe(
      'It cannot be refined either: only planning migrations and ready ones whose phases have not started can. `cairn list --awaiting-review` lists the migrations that are.',
    );
    expect([error.code, error.exitCode]).toEqual(['invalid-state', 1]);
  });
});

describe('the reviewer', () => {
  const saved: Record<string, string | undefined> = {};
  afterEach(() => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  it("is git's author identity, from the repository config", () => {
    for (const key of ['GIT_AUTHOR_NAME', 'GIT_AUTHOR_EMAIL']) {
      saved[key] = process.env[key];
      delete process.env[key];
    }
    const repo = gitRepo({ prefix: 'cairn-reviewer-', commit: false });
    git(repo, ['config', 'user.name', 'Grace Hopper']);
    git(repo, ['config', 'user.email', 'grace@example.org']);
    expect(reviewerIdentity(repo)).toBe('Grace Hopper <grace@example.org>');
  });
});
