import path from 'node:path';
import { publishValidator } from '../consistency/index.js';
import { loadManifest, migrationFiles, saveManifest, type Manifest } from '../migration/index.js';
import { completePhaseInManifest } from '../planning/index.js';
import { CairnError, localTimestamp, shellWord } from '../util/index.js';
import { git, headCommit } from './git.js';
import type { Preflight } from './preflight.js';
import type { StatusBlock } from './status-block.js';

/*
 * The one commit a green phase makes on its branch: the agent's code change
 * and the manifest's phase completion together, so the branch can never
 * hold one without the other.
 */

/** `<prefix>: migration/<slug>/<phase file>` (the original tool's subject). */
export function phaseCommitSubject(prefix: string, slug: string, phaseFile: string): string {
  return `${prefix}: migration/${slug}/${phaseFile}`;
}

const EMPTY_VALUES = new Set(['none', 'n/a', 'na']);
const PLACEHOLDER_SUMMARIES = new Set(['ready to commit', 'validated refactor ready to commit']);

function present(text: string | null | undefined): string | null {
  if (text === null || text === undefined) return null;
  const trimmed = text.trim();
  if (trimmed === '' || EMPTY_VALUES.has(trimmed.toLowerCase().replace(/\.+$/, ''))) return null;
  return trimmed;
}

/** Why the change was made: the status block's commit rationale, else its summary, else `fallback`. */
export function commitWhy(status: StatusBlock | null, fallback: string): string {
  const rationale = present(status?.commit_rationale);
  if (rationale !== null) return rationale;
  const summary = present(status?.summary);
  if (summary !== null && !PLACEHOLDER_SUMMARIES.has(summary.toLowerCase().replace(/\.+$/, ''))) return summary;
  return present(fallback) ?? 'Validated phase completed.';
}

/** Subject, then `Why:` and (when there is one) `Validation:` sections. */
export function phaseCommitMessage(subject: string, why: string, validation: string | null): string {
  const sections = [`Why:\n${why.trim()}`];
  const command = present(validation);
  if (command !== null) sections.push(`Validation:\n${command}`);
  return `${subject}\n\n${sections.join('\n\n')}\n`;
}

export interface PhaseCommitInput {
  repoRoot: string;
  slug: string;
  /** The live migration directory (what the candidate replaces). */
  liveDir: string;
  tree: string;
  migrationRel: string;
  phase: string;
  message: string;
  now: Date;
  /** Paths left by the baseline validation run, kept out of the commit. */
  exclude?: readonly string[];
}

/** The manifest once `phase` is complete: §6.2, and `in-progress` while phases remain. */
export function manifestAfterPhase(manifest: Manifest, phase: string, completedAt: string): Manifest {
  const next = completePhaseInManifest(manifest, phase, completedAt);
  return next.status === 'done' ? next : { ...next, status: 'in-progress' };
}

/**
 * Marks the phase complete in the worktree's manifest, checks the
 * migration by the rules a publish uses, and commits everything in the
 * worktree as one commit. Returns the commit and the new manifest.
 */
export async function commitPhase(input: PhaseCommitInput): Promise<{ commit: string; manifest: Manifest }> {
  const treeMigration = path.join(input.tree, input.migrationRel);
  const manifestPath = migrationFiles(treeMigration).manifest;
  const next = manifestAfterPhase(await loadManifest(manifestPath), input.phase, localTimestamp(input.now));
  await saveManifest(manifestPath, next);
  const mode = next.status === 'done' ? 'planning-snapshot' : 'ready-publish';
  const verdict = await publishValidator(mode).checkCandidate(treeMigration, { repoRoot: input.repoRoot, slug: input.slug, liveDir: input.liveDir });
  if (verdict.problem !== null) {
    throw new CairnError('failed', `The completed phase would leave ${input.slug} inconsistent: ${verdict.problem}`, {
      hint: `Run \`cairn doctor ${shellWord(input.slug)}\` to see what is wrong with the migration.`,
    });
  }
  git(input.tree, ['add', '-A', '--', '.'], 'git add');
  const excluded = (input.exclude ?? []).filter((file) => !file.startsWith(`${input.migrationRel}/`));
  if (excluded.length > 0) git(input.tree, ['reset', '--quiet', '--', ...excluded], 'git reset');
  git(input.tree, ['commit', '--quiet', '--no-verify', '-m', input.message], 'git commit');
  return { commit: headCommit(input.tree), manifest: next };
}

/** A phase whose validation passed in its worktree, as `cairn run` and `finish_phase` both commit it. */
export interface GreenPhase {
  repoRoot: string;
  slug: string;
  pre: Pick<Preflight, 'liveDir' | 'migrationRel' | 'phase'>;
  tree: string;
  commitPrefix: string;
  /** The agent's status block: the commit's `Why:`. */
  status: StatusBlock | null;
  /** The validation command that passed: the commit's `Validation:`. */
  validation: string | null;
  now: Date;
  exclude?: readonly string[];
}

/** Commits a green phase: the subject naming its file, `Why:` from the status block, `Validation:`, and the phase's completion. */
export function commitGreenPhase(input: GreenPhase): Promise<{ commit: string; manifest: Manifest }> {
  const { pre } = input;
  const subject = phaseCommitSubject(input.commitPrefix, input.slug, pre.phase.file);
  return commitPhase({
    repoRoot: input.repoRoot,
    slug: input.slug,
    liveDir: pre.liveDir,
    tree: input.tree,
    migrationRel: pre.migrationRel,
    phase: pre.phase.name,
    message: phaseCommitMessage(subject, commitWhy(input.status, `Completed ${pre.phase.name}.`), input.validation),
    now: input.now,
    ...(input.exclude !== undefined ? { exclude: input.exclude } : {}),
  });
}
