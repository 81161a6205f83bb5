import { CairnError, PY_SPACE, splitLines, stripText } from '../util/index.js';
import { pyStrRepr } from '../json/index.js';

/*
 * The answer line of a phase ready-check. The agent ends with
 * `ready: yes`, `ready: no — <reason>` or `ready: unverifiable — <reason>`;
 * the last line of that shape counts. Lines are compared after trimming, so
 * leading markdown (`**ready: yes**`, `- ready: no`) does not count as an
 * answer.
 */

/** What a ready-check concluded about the phase's precondition. */
export type ReadyVerdict = 'yes' | 'no' | 'unverifiable';

export interface ReadyAnswer {
  verdict: ReadyVerdict;
  /** The text after the verdict without its leading separator; the verdict itself when there is none. */
  reason: string;
  /** The agent said `unverifiable` only because it could not confirm the baseline, which cairn checks itself. */
  downgradedFromUnverifiable: boolean;
}

/**
 * Phrases that show an `unverifiable` answer is only about baseline
 * validation (are the tests green right now?). cairn runs the validation
 * command itself, so such an answer is a `no`, not a reason to stop for a
 * person. Matched case-insensitively anywhere in the reason.
 */
export const BASELINE_VALIDATION_PHRASES = [
  'baseline green',
  'baseline validation',
  'current tests pass',
  'fresh test evidence',
  'fresh validation evidence',
  'full test suite passes',
  'tests pass now',
] as const;

const ANSWER_HINT = 'The agent must end its answer with a line "ready: yes", "ready: no — <reason>" or "ready: unverifiable — <reason>".';

/** Shown lines of unrecognised output are cut to this many characters. */
const SHOWN_LINE_LIMIT = 200;

// `\b` after the verdict is Python's Unicode word boundary: no letter,
// digit or underscore may follow ("ready: yesterday" is no answer).
const ANSWER_LINE = new RegExp(`^ready:[${PY_SPACE}]*(yes|no|unverifiable)(?![\\p{L}\\p{N}_])(.*)$`, 'iu');
/** Separators stripped from the front of the reason: spaces, em dashes and hyphens, in any mix. */
const LEADING_SEPARATORS = /^[ \u2014-]+/;

/**
 * The ready-check's answer: the last non-blank line (after trimming) that
 * starts with `ready:` and a verdict, case-insensitively. The reason is the
 * rest of that line with leading spaces, em dashes and hyphens removed, then
 * trimmed; the verdict itself when nothing is left. An `unverifiable` whose
 * reason contains one of {@link BASELINE_VALIDATION_PHRASES} becomes `no`.
 * Throws `CairnError('failed')` when the text has no non-blank line
 * ("Phase ready-check produced no output") or no answer line ("Phase
 * ready-check produced unrecognised output: <last line>").
 */
export function parseReadyAnswer(text: string): ReadyAnswer {
  const lines = splitLines(text).map(stripText).filter((line) => line !== '');
  const last = lines[lines.length - 1];
  if (last === undefined) {
    throw new CairnError('failed', 'Phase ready-check produced no output', { hint: ANSWER_HINT });
  }
  for (let index = lines.length - 1; index >= 0; index -= 1) {
    const match = ANSWER_LINE.exec(lines[index] as string);
    if (match === null) continue;
    const verdict = (match[1] as string).toLowerCase() as ReadyVerdict;
    const reason = stripText((match[2] as string).replace(LEADING_SEPARATORS, '')) || verdict;
    if (verdict === 'unverifiable' && mentionsBaselineValidation(reason)) {
      return { verdict: 'no', reason, downgradedFromUnverifiable: true };
    }
    return { verdict, reason, downgradedFromUnverifiable: false };
  }
  throw new CairnError('failed', `Phase ready-check produced unrecognised output: ${shownLine(last)}`, { hint: ANSWER_HINT });
}

/** Whether a reason is about baseline validation (see {@link BASELINE_VALIDATION_PHRASES}). */
export function mentionsBaselineValidation(reason: string): boolean {
  const lower = reason.toLowerCase();
  return BASELINE_VALIDATION_PHRASES.some((phrase) => lower.includes(phrase));
}

/** The line as Python's repr, cut to {@link SHOWN_LINE_LIMIT} characters (whole code points) with `...` when longer. */
function shownLine(line: string): string {
  const repr = pyStrRepr(line);
  const chars = Array.from(repr);
  return chars.length > SHOWN_LINE_LIMIT ? `${chars.slice(0, SHOWN_LINE_LIMIT).join('')}...` : repr;
}
