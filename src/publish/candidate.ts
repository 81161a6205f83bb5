import { messageOf } from '../util/index.js';
import { snapshotId, isDirectory, diffTrees } from '../fs/index.js';
import type { PublishDiff } from './result.js';
import type { CandidateVerdict, PublishValidator, ValidationTarget } from './validator.js';

/*
 * The candidate tree before it replaces a live migration (docs/format.md §12.5):
 * its digest, then the validator's verdict, every failure collected into
 * one "workspace validation failed" reason.
 */

export interface CandidateCheck {
  /** Digest of the candidate, null when it cannot be computed. */
  snapshotId: string | null;
  verdict: CandidateVerdict;
  /** Null when the candidate may be published. */
  blockReason: string | null;
}

const PREFIX = 'workspace validation failed';

/** Checks `candidateDir` as the next content of `target.liveDir`. */
export async function checkCandidate(validator: PublishValidator, candidateDir: string, target: ValidationTarget): Promise<CandidateCheck> {
  if (!(await isDirectory(candidateDir))) return unusable(`planning workspace is not a directory: ${candidateDir}`);
  let candidateId: string;
  try {
    candidateId = await snapshotId(candidateDir);
  } catch (error) {
    return unusable(messageOf(error));
  }
  const verdict = await validator.checkCandidate(candidateDir, target);
  return { snapshotId: candidateId, verdict, blockReason: verdict.problem === null ? null : `${PREFIX}: ${verdict.problem}` };
}

function unusable(problem: string): CandidateCheck {
  const none = { from: null, to: null };
  return {
    snapshotId: null,
    verdict: { findings: [], invariants: [], problem, invalidOnItsOwn: true, transition: { cursor: none, status: none } },
    blockReason: `${PREFIX}: ${problem}`,
  };
}

/** The files a publish would add, change and remove, with the validator's transition. */
export async function candidateDiff(liveDir: string, candidateDir: string, verdict: CandidateVerdict): Promise<PublishDiff> {
  const files = await diffTrees((await isDirectory(liveDir)) ? liveDir : null, candidateDir);
  return { ...files, ...verdict.transition };
}
