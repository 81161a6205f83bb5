import { messageOf } from '../util/index.js';
import { parseJson } from '../json/index.js';
import type { MigrationContext } from './context.js';
import { malformedLineFindings } from './line-findings.js';
import { readBytes, strictTextOf } from '../fs/index.js';
import { reviewRecordSchema, migrationFiles, type Finding } from '../migration/index.js';

/** Why one reviews.jsonl line is not a review record, or null when it is one. */
export function reviewLineProblem(line: string): string | null {
  let value: unknown;
  try {
    value = parseJson(line);
  } catch (error) {
    return `not valid JSON (${messageOf(error)})`;
  }
  const parsed = reviewRecordSchema().safeParse(value);
  if (parsed.success) return null;
  return parsed.error.issues
    .map((issue) => `${issue.path.length === 0 ? '(record)' : issue.path.map(String).join('.')}: ${issue.message}`)
    .join('; ');
}

/**
 * `review-record-invalid`: one finding per malformed line of
 * `.planning/reviews.jsonl` (a blank line included; the final newline is not
 * a line), from `bytes`, what `readBytes` read of it. Silent when the file
 * does not exist.
 */
export function reviewFindings(ctx: MigrationContext, bytes: ReturnType<typeof readBytes>): Finding[] {
  const file = migrationFiles(ctx.dir).reviews;
  const read = strictTextOf(bytes);
  if (read === null) return [];
  if ('error' in read) return [ctx.finding('review-record-invalid', file, `Could not read .planning/reviews.jsonl: ${messageOf(read.error)}`)];
  const lines = read.text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const messages: string[] = [];
  lines.forEach((line, index) => {
    const problem = reviewLineProblem(line);
    if (problem !== null) messages.push(`Line ${index + 1} of .planning/reviews.jsonl is not a review record: ${problem}.`);
  });
  return malformedLineFindings(ctx, 'review-record-invalid', file, '.planning/reviews.jsonl', messages);
}
