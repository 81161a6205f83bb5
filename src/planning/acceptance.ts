import { CairnError, PY_SPACE, splitLines, stripText } from '../util/index.js';
import type { FinalDecision } from '../migration/index.js';

/*
 * Acceptance parsers for planning stdout (docs/format.md §9.3). Lines are split and
 * trimmed the way Python's `str.splitlines()` and `str.strip()` do, since the
 * original parses agent output with them.
 */

export type ReviewOutcome = 'clear' | 'findings' | 'empty';

/** The line a review prints, on its own, when the plan is clear. */
export const NO_FINDINGS_LINE = 'no findings.';

/** A list item's marker: `1.`, `1)`, `-`, `*` or `+`, then white space. */
const LIST_MARKER = new RegExp(`^(?:[-*+]|[0-9]+[.)])[${PY_SPACE}]+`);

/** Markdown emphasis a model may wrap a line in: `**no findings.**`, `_no findings._`, `` `no findings.` ``. */
const EMPHASIS = /^([*_`]+)(.*?)\1$/;

/**
 * Whether a line is the no-findings line: trimmed and case-insensitive, it
 * reads `no findings` with an optional final `.`, optionally as a list item
 * (`1. no findings.`, as the original tool's reviews wrote it) and
 * optionally wrapped in Markdown emphasis. A sentence that contains the
 * words ("there are no findings about naming, but …") is not.
 */
export function isNoFindingsLine(line: string): boolean {
  let text = stripText(line).toLowerCase().replace(LIST_MARKER, '');
  const emphasised = EMPHASIS.exec(text);
  if (emphasised !== null) text = stripText(emphasised[2] as string);
  if (text.endsWith('.')) text = text.slice(0, -1);
  return text === 'no findings';
}

/**
 * The outcome of a `review` / `review-2` stdout as cairn accepts it:
 * `empty` when it has no non-blank line, `clear` when one of its lines is
 * the no-findings line ({@link isNoFindingsLine}), else `findings`.
 *
 * The original tool counted an empty output, and any line containing "no
 * findings", as clear; the outcomes it recorded in state.json are replayed
 * as recorded, so only new acceptance follows this rule.
 */
export function reviewOutcome(stdout: string): ReviewOutcome {
  const lines = splitLines(stdout).filter((line) => stripText(line) !== '');
  if (lines.length === 0) return 'empty';
  return lines.some(isNoFindingsLine) ? 'clear' : 'findings';
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
