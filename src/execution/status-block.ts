import { splitLines, stripText } from '../util/index.js';

/*
 * The status block a phase-execution agent appends to its final message:
 *
 *   BEGIN_CONTINUOUS_REFACTORING_STATUS
 *   phase_reached: ...
 *   ...
 *   evidence:
 *     - <path>
 *   END_CONTINUOUS_REFACTORING_STATUS
 *
 * The markers and keys are shared with continuous-refactoring, so either
 * tool's prompts and parsers understand the other's agents.
 */

export const STATUS_BLOCK_BEGIN = 'BEGIN_CONTINUOUS_REFACTORING_STATUS';
export const STATUS_BLOCK_END = 'END_CONTINUOUS_REFACTORING_STATUS';

/** The keys of a status block, in the order prompts list them; `evidence` is a list. */
export const STATUS_BLOCK_KEYS = [
  'phase_reached',
  'decision',
  'retry_recommendation',
  'failure_kind',
  'summary',
  'commit_rationale',
  'next_retry_focus',
  'tests_run',
  'evidence',
] as const;
export type StatusBlockKey = (typeof STATUS_BLOCK_KEYS)[number];

/** The values `decision` may take; anything else reads as null. */
export const STATUS_DECISIONS = ['commit', 'retry', 'abandon', 'blocked'] as const;
export type StatusDecision = (typeof STATUS_DECISIONS)[number];

/** The values `retry_recommendation` may take; anything else reads as null. */
export const RETRY_RECOMMENDATIONS = ['same-target', 'new-target', 'none', 'human-review'] as const;
export type RetryRecommendation = (typeof RETRY_RECOMMENDATIONS)[number];

/** A parsed status block. A key that is missing or has an empty value is null. */
export interface StatusBlock {
  phase_reached: string | null;
  /** Lowercased; null unless one of {@link STATUS_DECISIONS}. */
  decision: StatusDecision | null;
  /** Lowercased; null unless one of {@link RETRY_RECOMMENDATIONS}. */
  retry_recommendation: RetryRecommendation | null;
  failure_kind: string | null;
  summary: string | null;
  commit_rationale: string | null;
  next_retry_focus: string | null;
  tests_run: string | null;
  /** Paths the agent cites, in order. */
  evidence: string[];
}

/**
 * The status block in an agent's output, or null when there is none.
 *
 * The last `BEGIN_…` marker in the text decides: the block runs from it to
 * the first `END_…` marker after it. When that marker has no end, or the
 * block holds only whitespace, the result is null, even if an earlier
 * complete block exists. Inside the block, lines are trimmed and blank ones
 * skipped; `key: value` splits at the first colon, keys are case-sensitive
 * and a repeated key keeps its last value. `evidence:` may carry a value of
 * its own and is followed by `- <path>` items, which count only while
 * `evidence` is the most recent key. Lines without a colon and unknown keys
 * are ignored.
 */
export function parseStatusBlock(text: string): StatusBlock | null {
  const begin = text.lastIndexOf(STATUS_BLOCK_BEGIN);
  if (begin < 0) return null;
  const end = text.indexOf(STATUS_BLOCK_END, begin);
  if (end < 0) return null;
  const body = stripText(text.slice(begin + STATUS_BLOCK_BEGIN.length, end));
  if (body === '') return null;

  const values = new Map<string, string>();
  const evidence: string[] = [];
  let currentKey: string | null = null;
  for (const rawLine of splitLines(body)) {
    const line = stripText(rawLine);
    if (line === '') continue;
    if (currentKey === 'evidence' && line.startsWith('- ')) {
      evidence.push(stripText(line.slice(2)));
      continue;
    }
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    currentKey = stripText(line.slice(0, colon));
    const value = stripText(line.slice(colon + 1));
    if (currentKey === 'evidence') {
      if (value !== '') evidence.push(value);
      continue;
    }
    values.set(currentKey, value);
  }

  const field = (key: StatusBlockKey): string | null => values.get(key) || null;
  return {
    phase_reached: field('phase_reached'),
    decision: oneOf(field('decision'), STATUS_DECISIONS),
    retry_recommendation: oneOf(field('retry_recommendation'), RETRY_RECOMMENDATIONS),
    failure_kind: field('failure_kind'),
    summary: field('summary'),
    commit_rationale: field('commit_rationale'),
    next_retry_focus: field('next_retry_focus'),
    tests_run: field('tests_run'),
    evidence,
  };
}

function oneOf<T extends string>(value: string | null, allowed: readonly T[]): T | null {
  if (value === null) return null;
  const lower = value.toLowerCase();
  return (allowed as readonly string[]).includes(lower) ? (lower as T) : null;
}
