import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { checkMigrationDir } from './index.js';
import type { Finding, ValidationMode } from '../migration/finding.js';
import { messageOf } from '../util/errors.js';
import { isJsonObject, parseJson } from '../json/index.js';
import { snapshotId } from '../fs/digest.js';
import { checkInvariants, type InvariantResult } from './invariants.js';
import type { PublishDiff } from '../publish/result.js';
import { diffTrees } from '../fs/tree.js';
import { isDirectory } from '../fs/exists.js';

/*
 * Validation of a candidate tree before it replaces a live migration
 * (DESIGN §3.4): consistency rules in the request's mode plus the
 * invariants against the live tree, all failures collected into one
 * "workspace validation failed" reason.
 */

export interface CandidateCheck {
  /** Digest of the candidate, null when it cannot be computed. */
  snapshotId: string | null;
  findings: Finding[];
  invariants: InvariantResult[];
  /** Null when the candidate may be published. */
  blockReason: string | null;
  /**
   * True when the candidate itself is unusable (unreadable, or failing the
   * consistency rules), as opposed to only breaking an invariant against
   * the current live tree, which a stale base snapshot explains better.
   */
  invalidOnItsOwn: boolean;
}

export interface CandidateContext {
  repoRoot: string;
  slug: string;
  liveDir: string;
  mode: ValidationMode;
}

/** Checks `candidateDir` as the next content of `context.liveDir`. */
export async function checkCandidate(candidateDir: string, context: CandidateContext): Promise<CandidateCheck> {
  const prefix = 'workspace validation failed';
  if (!(await isDirectory(candidateDir))) {
    return {
      snapshotId: null,
      findings: [],
      invariants: [],
      blockReason: `${prefix}: planning workspace is not a directory: ${candidateDir}`,
      invalidOnItsOwn: true,
    };
  }
  let candidateId: string;
  try {
    candidateId = await snapshotId(candidateDir);
  } catch (error) {
    return { snapshotId: null, findings: [], invariants: [], blockReason: `${prefix}: ${messageOf(error)}`, invalidOnItsOwn: true };
  }
  const findings = await checkMigrationDir(candidateDir, {
    mode: context.mode,
    repoRoot: context.repoRoot,
    slug: context.slug,
    publishedRoot: context.liveDir,
  });
  const liveExists = await isDirectory(context.liveDir);
  const invariants = await checkInvariants(liveExists ? context.liveDir : null, candidateDir, {
    repoRoot: context.repoRoot,
    liveDir: context.liveDir,
  });
  const errors = findings.filter((finding) => finding.severity === 'error');
  const problems = [
    ...errors.map((finding) => `${finding.code}: ${finding.path}: ${finding.message}`),
    ...invariants.flatMap((invariant) => invariant.violations.map((violation) => `${invariant.name}: ${violation.path}: ${violation.message}`)),
  ];
  const blockReason = problems.length === 0 ? null : `${prefix}: migration snapshot is inconsistent: ${problems.join('; ')}`;
  return { snapshotId: candidateId, findings, invariants, blockReason, invalidOnItsOwn: errors.length > 0 };
}

/** The files a publish would add, change and remove, and the cursor and status transition. */
export async function candidateDiff(liveDir: string, candidateDir: string): Promise<PublishDiff> {
  const liveExists = await isDirectory(liveDir);
  const files = await diffTrees(liveExists ? liveDir : null, candidateDir);
  return {
    ...files,
    cursor: {
      from: liveExists ? await jsonField(path.join(liveDir, '.planning', 'state.json'), 'next_step') : null,
      to: await jsonField(path.join(candidateDir, '.planning', 'state.json'), 'next_step'),
    },
    status: {
      from: liveExists ? await jsonField(path.join(liveDir, 'manifest.json'), 'status') : null,
      to: await jsonField(path.join(candidateDir, 'manifest.json'), 'status'),
    },
  };
}

async function jsonField(file: string, key: string): Promise<string | null> {
  try {
    const value = parseJson(await readFile(file, 'utf8'));
    const field = isJsonObject(value) ? value[key] : undefined;
    return typeof field === 'string' ? field : null;
  } catch {
    return null;
  }
}
