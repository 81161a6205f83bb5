import path from 'node:path';
import { checkMigrationDir } from '../consistency/index.js';
import { snapshotId } from '../fs/index.js';
import { pyRepr } from '../json/index.js';
import { loadManifest, migrationFiles, type Effort, type Manifest, type Phase } from '../migration/index.js';
import { awaitingReviewReason, isEligibleNow, liveDirOf, type EngineContext } from '../planning/index.js';
import { CairnError, toPosix, shellWord } from '../util/index.js';
import { phaseEffort, type PhaseEffort } from './effort.js';
import { allChanges, branchesUnder, commitSubject, currentBranchRef, gitSucceeds, headCommit, isAncestor, refCommit } from './git.js';
import { phaseCommitSubject } from './phase-commit.js';

/*
 * What `cairn run` checks before it changes anything: the migration may run
 * its current phase now, and the repository is in a state the run can start
 * from. Each refusal names the reason and the command that unblocks it.
 */

/** Everything a run needs to know about where it starts. */
export interface Preflight {
  manifest: Manifest;
  phase: Phase;
  /** The phase doc, repo-relative (POSIX). */
  phaseFile: string;
  /** The migration directory, repo-relative (POSIX). */
  migrationRel: string;
  liveDir: string;
  liveSnapshot: string;
  baseCommit: string;
  /** `refs/heads/…`, or null when HEAD is detached. */
  userBranchRef: string | null;
  effort: PhaseEffort;
}

const blocked = (message: string, hint: string): CairnError => new CairnError('invalid-state', message, { hint });

/** Preflight for `slug`; throws `CairnError('invalid-state')` naming what blocks the run. */
export async function preflightPhase(
  ctx: EngineContext,
  options: { defaultEffort: Effort | null; maxEffort: Effort | null; commitPrefix: string; now: Date },
): Promise<Preflight> {
  const { slug, repoRoot } = ctx;
  const liveDir = liveDirOf(ctx);
  const name = `Migration ${pyRepr(slug)}`;
  const manifest = await loadManifest(migrationFiles(liveDir).manifest);
  if (manifest.status === 'planning') {
    throw blocked(`${name} is still being planned; only ready or in-progress migrations have phases to run`, `Finish planning first: \`cairn plan ${shellWord(slug)}\` (or \`cairn run --all\`).`);
  }
  if (manifest.status !== 'ready' && manifest.status !== 'in-progress') {
    throw blocked(`${name} has status ${pyRepr(manifest.status)}; there is no phase to run`, `Run \`cairn status ${shellWord(slug)}\` to see it.`);
  }
  const reviewReason = await awaitingReviewReason(liveDir, manifest, ctx.reviewPolicy);
  if (reviewReason !== null) {
    throw blocked(
      `${name} is awaiting human review: ${reviewReason}; no phase may run before it is reviewed`,
      `Run \`cairn review ${shellWord(slug)}\`.`,
    );
  }
  const phase = manifest.phases.find((candidate) => candidate.name === manifest.current_phase);
  if (manifest.current_phase === '' || phase === undefined) {
    throw blocked(`${name} has no current phase to run`, `Run \`cairn status ${shellWord(slug)}\` to see its phases.`);
  }
  if (!isEligibleNow(manifest, options.now)) {
    const until = manifest.cooldown_until !== null && Date.parse(manifest.cooldown_until) > options.now.getTime() ? `cooling down until ${manifest.cooldown_until}` : `waiting to wake up on ${manifest.wake_up_on ?? '?'}`;
    throw blocked(`${name} is not eligible now: ${until}`, `Wait until then, or see why with \`cairn status ${shellWord(slug)}\`.`);
  }
  const findings = (await checkMigrationDir(liveDir, { mode: 'execution-gate', repoRoot, slug, publishedRoot: liveDir })).filter((finding) => finding.severity === 'error');
  if (findings.length > 0) {
    const first = findings[0]!;
    throw blocked(`${name} fails the execution gate: ${first.code}: ${first.message}${findings.length > 1 ? ` (and ${findings.length - 1} more)` : ''}`, `Run \`cairn doctor ${shellWord(slug)}\` to see every finding.`);
  }

  const migrationRel = toPosix(path.relative(repoRoot, liveDir));
  const phaseFile = toPosix(path.join(migrationRel, phase.file));
  const baseCommit = (() => {
    try {
      return headCommit(repoRoot);
    } catch {
      throw blocked('The repository has no commit to run a phase from', 'Commit your work first: the phase runs in a git worktree of HEAD.');
    }
  })();
  const uncommitted = allChanges(repoRoot, [migrationRel]);
  if (uncommitted.length > 0) {
    throw blocked(
      `${name} has changes that are not committed (${uncommitted.slice(0, 3).join(', ')}${uncommitted.length > 3 ? ', …' : ''}); the phase runs in a git worktree of HEAD, which would not see them`,
      `Commit the migration directory first: git add -A -- ${migrationRel} && git commit -m "cairn: ${slug}"`,
    );
  }
  if (!gitSucceeds(repoRoot, ['cat-file', '-e', `HEAD:${migrationRel}/manifest.json`])) {
    throw blocked(`${name} is not committed to git; the phase runs in a git worktree of HEAD, which would not hold it`, `Commit it first: git add -A -- ${migrationRel} && git commit -m "cairn: ${slug}"`);
  }
  const subject = phaseCommitSubject(options.commitPrefix, slug, phase.file);
  for (const branch of branchesUnder(repoRoot, `cairn/${slug}/`)) {
    const tip = refCommit(repoRoot, `refs/heads/${branch}`);
    if (tip === null || isAncestor(repoRoot, tip, baseCommit)) continue;
    if (commitSubject(repoRoot, tip) === subject) {
      throw blocked(
        `Phase ${pyRepr(phase.name)} of ${pyRepr(slug)} was already carried out on branch ${branch}, which is not merged into HEAD`,
        `Merge it (\`git merge --ff-only ${shellWord(branch)}\`, or \`git merge ${branch}\`), or discard it with \`git branch -D ${shellWord(branch)}\`, then run again.`,
      );
    }
  }
  const effort = phaseEffort({ defaultEffort: options.defaultEffort, required: phase.required_effort ?? null, max: options.maxEffort });
  return {
    manifest,
    phase,
    phaseFile,
    migrationRel,
    liveDir,
    liveSnapshot: await snapshotId(liveDir),
    baseCommit,
    userBranchRef: currentBranchRef(repoRoot),
    effort,
  };
}
