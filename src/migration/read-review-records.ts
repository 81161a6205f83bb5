import type { ReviewRecord } from './reviews-schema.js';
import { migrationFiles } from './layout.js';
import { parseJson } from '../json/index.js';
import { readRegularTextSync } from '../fs/index.js';

/*
 * Reading `<migration>/.planning/reviews.jsonl` (review-records.ts writes
 * it), apart from the writing side so that `status` reads an absent or empty
 * file without loading the record schema.
 */

/** The valid records of a migration's reviews.jsonl, in order (malformed lines are doctor's business). */
export async function readReviewRecords(migrationDir: string): Promise<ReviewRecord[]> {
  let text: string;
  try {
    text = readRegularTextSync(migrationFiles(migrationDir).reviews);
  } catch {
    return [];
  }
  return reviewRecordsOf(text);
}

/** The valid records in `text`, a reviews.jsonl's contents (see {@link readReviewRecords}). */
export async function reviewRecordsOf(text: string): Promise<ReviewRecord[]> {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  if (lines.length === 0) return [];
  // The schema (and zod) load only when there is a record to check.
  const { reviewRecordSchema } = await import('./reviews-schema.js');
  const records: ReviewRecord[] = [];
  for (const line of lines) {
    try {
      const parsed = reviewRecordSchema().safeParse(toPlain(parseJson(line)));
      if (parsed.success) records.push(parsed.data);
    } catch {
      // not a record
    }
  }
  return records;
}

function toPlain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(toPlain);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlain(v)]));
  return value;
}
