import path from 'node:path';
import { reviewRecordSchema, type ReviewRecord } from './reviews-schema.js';
import { migrationFiles } from './layout.js';
import { CairnError, compareCodePoints, errnoCode } from '../util/index.js';
import { writeFileDurable, mkdirDurable, readRegularFileSync, runGit } from '../fs/index.js';

/*
 * `<migration>/.planning/reviews.jsonl`: one JSON object per human review
 * decision, appended, never rewritten (the publish invariant
 * `reviews-append-only` holds cairn to it).
 */

export type { ReviewRecord } from './reviews-schema.js';

/**
 * Who is reviewing: git's author identity (`git var GIT_AUTHOR_IDENT`,
 * which honours `user.name`/`user.email` and `GIT_AUTHOR_*`), as
 * `Name <email>`. Throws `CairnError('usage')` when git has none.
 */
export function reviewerIdentity(repoRoot: string): string {
  const result = runGit(repoRoot, ['var', 'GIT_AUTHOR_IDENT']);
  const match = /^(.*?) <(.*)> \d+ [+-]\d{4}$/.exec(result.stdout.trim());
  const name = match?.[1]?.trim() ?? '';
  const email = match?.[2]?.trim() ?? '';
  if (result.status !== 0 || match === null || (name === '' && email === '')) {
    throw new CairnError('usage', 'A review needs a reviewer identity, and git has none configured.', {
      hint: 'Set it with `git config user.name "<name>"` and `git config user.email "<email>"`, then run the review again.',
    });
  }
  if (name === '') return `<${email}>`;
  return email === '' ? name : `${name} <${email}>`;
}

/** One reviews.jsonl line: the record's keys sorted, no spaces, LF-terminated. */
export function encodeReviewRecord(record: ReviewRecord): string {
  const checked = reviewRecordSchema().parse(record);
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(checked).sort(compareCodePoints)) sorted[key] = checked[key as keyof ReviewRecord];
  return `${JSON.stringify(sorted)}\n`;
}

/** Appends one record to `<migrationDir>/.planning/reviews.jsonl` (durably, keeping earlier lines byte for byte). */
export async function appendReviewRecord(migrationDir: string, record: ReviewRecord): Promise<void> {
  const file = migrationFiles(migrationDir).reviews;
  let existing: Buffer = Buffer.alloc(0);
  try {
    existing = readRegularFileSync(file);
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error;
  }
  const separator = existing.length > 0 && existing[existing.length - 1] !== 0x0a ? '\n' : '';
  await mkdirDurable(path.dirname(file));
  await writeFileDurable(file, Buffer.concat([existing, Buffer.from(separator + encodeReviewRecord(record), 'utf8')]));
}
