import { CairnError, PY_SPACE, splitLines, stripText } from '../util/index.js';
import type { FinalDecision } from '../migration/index.js';

/*
 * Acceptance parsers for planning stdout (docs/format.md §9.3). Lines are split and
 * trimmed the way Python's `str.splitlines()` and `str.strip()` do, since the
 * original parses agent output with them.
 */

export type ReviewOutcome = 'clear' | 'findings';

/**
 * The outcome of a `review` / `review-2` stdout: `clear` when any non-blank
 * line contains "no findings" (case-insensitive) or when there are no
 * non-blank lines; otherwise `findings`.
 */
export function reviewOutcome(stdout: string): ReviewOutcome {
  const lines = splitLines(stdout).filter((line) => stripText(line) !== '');
  if (lines.length === 0) return 'clear';
  return lines.some((line) => line.toLowerCase().includes('no findings')) ? 'clear' : 'findings';
}

export interface FinalDecisionResult {
  decision: FinalDecision;
  /** The reason text, or the decision itself when the line gives none. */
  reason: string;
}

const DECISION_LINE = new RegExp(
  `^final-decision:[${PY_SPACE}]*(approve-auto|approve-needs-human|reject)(?:[${PY_SPACE}]*[\\u2014-][${PY_SPACE}]*(.*))?$`,
  'i',
);

/**
 * Parses a `final-review` stdout: the bottom-most non-blank line that reads
 * (trimmed, case-insensitive) `final-decision: <decision>` optionally
 * followed by an em-dash or hyphen and a reason. Lines below it are ignored.
 * Throws `CairnError('failed')` "Final review produced no output" when no
 * line matches.
 */
export function parseFinalDecision(stdout: string): FinalDecisionResult {
  const lines = splitLines(stdout);
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = stripText(lines[i] as string);
    if (line === '') continue;
    const match = DECISION_LINE.exec(line);
    if (match === null) continue;
    const decision = (match[1] as string).toLowerCase() as FinalDecision;
    const reason = stripText(match[2] ?? '');
    return { decision, reason: reason === '' ? decision : reason };
  }
  throw new CairnError('failed', 'Final review produced no output');
}
