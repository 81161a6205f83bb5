import type { Finding } from '../migration/index.js';
import type { MigrationContext } from './context.js';

/**
 * The malformed lines of a line-based file reported one by one; the rest are
 * counted in one more finding, so a hostile file cannot turn into hundreds of
 * thousands of findings (and as many lines of every report).
 */
export const MAX_LINE_FINDINGS = 100;

/**
 * One `code` finding on `file` per message, at most {@link MAX_LINE_FINDINGS}
 * of them, then one saying how many more malformed lines of `label` (e.g.
 * `.planning/sums`) were not shown.
 */
export function malformedLineFindings(ctx: MigrationContext, code: string, file: string, label: string, messages: readonly string[]): Finding[] {
  const findings = messages.slice(0, MAX_LINE_FINDINGS).map((message) => ctx.finding(code, file, message));
  const more = messages.length - MAX_LINE_FINDINGS;
  if (more > 0) findings.push(ctx.finding(code, file, `${more} more malformed ${more === 1 ? 'line' : 'lines'} of ${label} not shown.`));
  return findings;
}
