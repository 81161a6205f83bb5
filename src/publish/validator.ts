import type { Finding, InvariantResult } from '../migration/index.js';

/*
 * The validator port: what the publish transaction asks about the trees it
 * swaps, without knowing what they hold. The request carries it, as it
 * carries the recorder; the consistency rules implement it.
 */

/** Where a checked tree is (or will be) installed. */
export interface ValidationTarget {
  repoRoot: string;
  slug: string;
  /** The live directory the tree replaces, or already sits at. */
  liveDir: string;
}

/** A value before and after the swap; null where the tree does not say. */
export interface Transition {
  from: string | null;
  to: string | null;
}

/** The validator's judgement of a candidate tree against the current live tree. */
export interface CandidateVerdict {
  findings: Finding[];
  /** Every invariant between the live tree and the candidate, passed or not. */
  invariants: InvariantResult[];
  /** What is wrong, null when the candidate may replace the live tree. */
  problem: string | null;
  /**
   * True when the candidate fails on its own, as opposed to only breaking
   * an invariant against the current live tree (which a stale base snapshot
   * explains better).
   */
  invalidOnItsOwn: boolean;
  /** The plan's cursor and status before and after the swap, shown by a dry run. */
  transition: { cursor: Transition; status: Transition };
}

export interface PublishValidator {
  /** Judges `candidateDir` (a readable directory) as the next content of `target.liveDir`. */
  checkCandidate(candidateDir: string, target: ValidationTarget): Promise<CandidateVerdict>;
  /** Checks the tree just installed at `target.liveDir`: null when it passes, else what is wrong. */
  checkInstalled(target: ValidationTarget): Promise<string | null>;
}
