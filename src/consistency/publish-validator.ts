import { CairnError } from '../util/index.js';
import { isDirectory } from '../fs/index.js';
import { VALIDATION_MODES, migrationFiles, peekManifestStatus, peekStateCursor, type Finding, type ValidationMode, type InvariantResult } from '../migration/index.js';
import type { CandidateVerdict, PublishValidator, Transition, ValidationTarget } from '../publish/index.js';
import { checkInvariants } from './invariants.js';
import { checkMigrationDir } from './migration.js';

/*
 * The publish validator (docs/format.md §12.5): a candidate passes the consistency
 * rules in the publish's mode and every invariant against the live tree;
 * the installed tree passes the rules again after the swap.
 */

/** The mode a publish validates in unless told otherwise. */
export const DEFAULT_PUBLISH_MODE: ValidationMode = 'ready-publish';

/**
 * The validator a publish request carries, checking in `mode`. Throws
 * CairnError('invalid-input') for a mode that does not exist.
 */
export function publishValidator(mode: ValidationMode = DEFAULT_PUBLISH_MODE): PublishValidator {
  if (!VALIDATION_MODES.includes(mode)) throw new CairnError('invalid-input', `Unknown validation mode: '${String(mode)}'`);
  const findingsOf = (dir: string, target: ValidationTarget): Promise<Finding[]> =>
    checkMigrationDir(dir, { mode, repoRoot: target.repoRoot, slug: target.slug, publishedRoot: target.liveDir });
  return {
    async checkCandidate(candidateDir, target) {
      const findings = await findingsOf(candidateDir, target);
      const liveExists = await isDirectory(target.liveDir);
      const invariants = await checkInvariants(liveExists ? target.liveDir : null, candidateDir, {
        repoRoot: target.repoRoot,
        liveDir: target.liveDir,
      });
      const errors = errorsOf(findings);
      return {
        findings,
        invariants,
        problem: inconsistency(errors, invariants),
        invalidOnItsOwn: errors.length > 0,
        transition: await transition(liveExists ? target.liveDir : null, candidateDir),
      } satisfies CandidateVerdict;
    },
    async checkInstalled(target) {
      return inconsistency(errorsOf(await findingsOf(target.liveDir, target)), []);
    },
  };
}

function errorsOf(findings: Finding[]): Finding[] {
  return findings.filter((finding) => finding.severity === 'error');
}

/** Every error finding and invariant violation in one line; null when there is none. */
function inconsistency(errors: Finding[], invariants: InvariantResult[]): string | null {
  const problems = [
    ...errors.map((finding) => `${finding.code}: ${finding.path}: ${finding.message}`),
    ...invariants.flatMap((invariant) => invariant.violations.map((violation) => `${invariant.name}: ${violation.path}: ${violation.message}`)),
  ];
  return problems.length === 0 ? null : `migration snapshot is inconsistent: ${problems.join('; ')}`;
}

/** The plan's cursor (`next_step`) and manifest status in the live tree (null: none yet) and the candidate. */
async function transition(liveDir: string | null, candidateDir: string): Promise<{ cursor: Transition; status: Transition }> {
  const cursor = (dir: string | null): Promise<string | null> => (dir === null ? Promise.resolve(null) : peekStateCursor(migrationFiles(dir).state));
  const status = (dir: string | null): Promise<string | null> => (dir === null ? Promise.resolve(null) : peekManifestStatus(migrationFiles(dir).manifest));
  return {
    cursor: { from: await cursor(liveDir), to: await cursor(candidateDir) },
    status: { from: await status(liveDir), to: await status(candidateDir) },
  };
}
