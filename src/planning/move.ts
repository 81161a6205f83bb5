import { mkdtemp, realpath, rm, rmdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CairnError, hasUnsafeNameCharacter, shellWord, toPosix, visibleText } from '../util/index.js';
import { copyTreeDurable, gitDirtyPaths, mkdirDurable, pathExists, runGit, snapshotId } from '../fs/index.js';
import { SLUG_RULE, isSafeSlug, loadManifest, loadState, migrationFiles, rewriteForRename, slugRuleProblem, suggestedSlug, type RenameChange } from '../migration/index.js';
import { assertTransactionsRootConfined, moveMigrationDir, type PublishRecorder, type RecoveryPlan } from '../publish/index.js';
import { commitMessage } from './commit.js';
import { describeRunLease, readRunLease, withRunLease } from './run-lease.js';
import { claimRun } from './run-owner.js';
import { confinedWorkRoot, newRunId } from './workspace.js';

/*
 * `cairn mv`: renames a migration. The renamed copy is built in a workspace
 * (its own name and paths rewritten), checked as the new migration, and
 * installed by the move transaction, which removes the old directory in the
 * same journaled step.
 */

export interface MoveMigrationRequest {
  repoRoot: string;
  liveRoot: string;
  from: string;
  to: string;
  dryRun: boolean;
  lockTimeoutMs: number;
  recorder?: PublishRecorder | undefined;
}

/** What every move reports: a migration's (`cairn mv <slug> <new>`) or the root's (`cairn mv --root`). */
export interface MoveOutcome {
  status: 'moved' | 'would-move' | 'failed';
  reason: string;
  from: string;
  to: string;
  fromDir: string;
  toDir: string;
  /** Every value rewritten in the moved copy. */
  changes: RenameChange[];
  cleanupError: string | null;
  recovered: RecoveryPlan[];
  dryRun: boolean;
}

export interface MoveMigrationResult extends MoveOutcome {
  /** The new directory's snapshot once moved. */
  snapshotId: string | null;
  /** A transaction left for `cairn recover`, when the move failed after it started. */
  transactionDir: string | null;
}

/**
 * Moves the migration `from` to `to` (or, in a dry run, says what would
 * change). Refuses with CairnError before anything is touched:
 * 'invalid-input' for a new slug that breaks the naming rule or equals the
 * old one; 'not-found' for an unknown migration; 'blocked' when `to` exists,
 * the migration has uncommitted changes, or another command is working on it.
 */
export async function moveMigration(request: MoveMigrationRequest): Promise<MoveMigrationResult> {
  const { from, to } = request;
  checkNewSlug(from, to);
  const fromDir = path.join(request.liveRoot, from);
  const toDir = path.join(request.liveRoot, to);
  if (!isSafeSlug(from) || !(await pathExists(fromDir))) {
    throw new CairnError('not-found', `There is no migration '${visibleText(from)}' in ${request.liveRoot}.`, {
      hint: 'Run `cairn list` to see the migrations and their slugs.',
    });
  }
  if (await pathExists(toDir)) {
    throw new CairnError('blocked', `Cannot move ${from} to ${to}: ${toDir} already exists.`, {
      path: toDir,
      hint: `Choose another name, or look at the existing one with \`cairn status ${shellWord(to)}\`.`,
    });
  }
  refuseDirty(request.repoRoot, fromDir, from);
  assertTransactionsRootConfined(request.liveRoot);
  if (request.dryRun) {
    const holder = await readRunLease(request.repoRoot, from);
    if (holder !== null && !holder.staleness.stale) throw leaseRefusal(from, describeRunLease(from, holder));
    return dryRunMove(request, fromDir, toDir);
  }
  try {
    return await withRunLease(request.repoRoot, from, { operation: 'move' }, () => moveWithLease(request, fromDir, toDir));
  } catch (error) {
    if (error instanceof CairnError && error.code === 'blocked' && error.message.endsWith('nothing was started.')) {
      throw leaseRefusal(from, error.message.replace(/; nothing was started\.$/, ''));
    }
    throw error;
  }
}

function checkNewSlug(from: string, to: string): void {
  if (hasUnsafeNameCharacter(to) || !isSafeSlug(to)) {
    throw new CairnError('invalid-input', `The new slug '${visibleText(to)}' is not a safe directory name.`, {
      hint: `Use ${SLUG_RULE}.`,
    });
  }
  const broken = slugRuleProblem(to);
  if (broken !== null) {
    const suggestion = suggestedSlug(to);
    throw new CairnError('invalid-input', `The new slug '${to}' does not follow the naming rule (${broken}): ${SLUG_RULE}.`, {
      hint: suggestion === null ? 'Choose a name such as async-config-loader.' : `Try \`cairn mv ${shellWord(from)} ${suggestion}\`.`,
    });
  }
  if (to === from) throw new CairnError('invalid-input', `The migration is already called ${to}.`, { hint: 'Give a different new slug.' });
}

function refuseDirty(repoRoot: string, fromDir: string, from: string): void {
  const dirty = gitDirtyPaths(repoRoot, fromDir);
  if (dirty === null || dirty.length === 0) return;
  const where = shellWord(toPosix(path.relative(repoRoot, fromDir)));
  const shown = dirty.slice(0, 5).join(', ') + (dirty.length > 5 ? `, and ${dirty.length - 5} more` : '');
  throw new CairnError('blocked', `Cannot move ${from}: it has uncommitted changes (${shown}).`, {
    path: fromDir,
    hint: `Commit them first (\`git add -A -- ${where} && git commit\`), then run \`cairn mv\` again, so the move is one clean rename in git.`,
  });
}

function leaseRefusal(from: string, busy: string): CairnError {
  return new CairnError('blocked', `Cannot move ${from}: ${busy}.`, {
    hint: `Wait for that command to finish (\`cairn status ${shellWord(from)}\` shows where the migration is), then run \`cairn mv\` again.`,
  });
}

function baseResult(request: MoveMigrationRequest, fromDir: string, toDir: string): MoveMigrationResult {
  return {
    status: 'failed',
    reason: '',
    from: request.from,
    to: request.to,
    fromDir,
    toDir,
    changes: [],
    snapshotId: null,
    transactionDir: null,
    cleanupError: null,
    recovered: [],
    dryRun: request.dryRun,
  };
}

/** Copies the live migration to `workspaceDir`, rewrites it for its new name and checks it as the migration at `toDir`. */
async function buildRenamedCopy(request: MoveMigrationRequest, fromDir: string, toDir: string, workspaceDir: string): Promise<{ base: string; changes: RenameChange[] }> {
  const base = await snapshotId(fromDir);
  await copyTreeDurable(fromDir, workspaceDir);
  if ((await snapshotId(workspaceDir)) !== base) {
    throw new CairnError('blocked', `${request.from} changed while it was being copied; nothing was moved.`, { hint: 'Run `cairn mv` again.' });
  }
  const changes = await rewriteForRename(workspaceDir, { repoRoot: request.repoRoot, fromDir, toDir });
  const files = migrationFiles(workspaceDir);
  if (await pathExists(files.manifest)) await loadManifest(files.manifest);
  if (await pathExists(files.state)) await loadState(files.state, { repoRoot: request.repoRoot, publishedRoot: toDir });
  return { base, changes };
}

async function dryRunMove(request: MoveMigrationRequest, fromDir: string, toDir: string): Promise<MoveMigrationResult> {
  // Built outside the repository: a dry run leaves nothing under `.planning/work/`.
  const tempRoot = await realpath(await mkdtemp(path.join(os.tmpdir(), 'cairn-dry-run-')));
  try {
    const { changes } = await buildRenamedCopy(request, fromDir, toDir, path.join(tempRoot, request.to));
    return { ...baseResult(request, fromDir, toDir), status: 'would-move', reason: 'dry run: the move would succeed; nothing was changed', changes };
  } finally {
    await rm(tempRoot, { recursive: true, force: true });
  }
}

async function moveWithLease(request: MoveMigrationRequest, fromDir: string, toDir: string): Promise<MoveMigrationResult> {
  // The lease is held now: look again at what was checked before it.
  refuseDirty(request.repoRoot, fromDir, request.from);
  const runDir = path.join(confinedWorkRoot(request.repoRoot, request.to), newRunId());
  await mkdirDurable(runDir);
  await claimRun(runDir);
  const workspaceDir = path.join(runDir, request.to);
  try {
    const { base, changes } = await buildRenamedCopy(request, fromDir, toDir, workspaceDir);
    const moved = await moveMigrationDir({
      repoRoot: request.repoRoot,
      liveRoot: request.liveRoot,
      from: request.from,
      to: request.to,
      workspaceDir,
      baseSnapshotId: base,
      lockTimeoutMs: request.lockTimeoutMs,
      recorder: request.recorder,
    });
    return {
      ...baseResult(request, fromDir, toDir),
      status: moved.status === 'moved' ? 'moved' : 'failed',
      reason: moved.reason,
      changes,
      snapshotId: moved.snapshotId,
      transactionDir: moved.transactionDir,
      cleanupError: moved.cleanupError,
      recovered: moved.recovered,
    };
  } finally {
    await rm(runDir, { recursive: true, force: true });
    await rmdir(path.dirname(runDir)).catch(() => undefined);
  }
}

/**
 * `--commit` after a move: stages the removal of the old directory and the
 * addition of the new one (what `git mv` stages) and commits only those two
 * paths with `cairn: <to>: migration.move`. Returns the commit id.
 */
export function commitMove(repoRoot: string, fromDir: string, toDir: string, to: string): string {
  const paths = [fromDir, toDir].map((dir) => toPosix(path.relative(repoRoot, dir)));
  const fail = (what: string, output: string): CairnError =>
    new CairnError('failed', `The move succeeded, but ${what} failed: ${output}`, {
      hint: `Commit the rename yourself (git add -A -- ${paths.map(shellWord).join(' ')} && git commit).`,
    });
  const add = runGit(repoRoot, ['add', '-A', '--', ...paths]);
  if (add.status !== 0) throw fail('git add', add.stderr.trim() || add.stdout.trim());
  const commit = runGit(repoRoot, ['commit', '--quiet', '-m', commitMessage(to, 'migration.move'), '--', ...paths]);
  if (commit.status !== 0) throw fail('git commit', commit.stderr.trim() || commit.stdout.trim());
  const head = runGit(repoRoot, ['rev-parse', 'HEAD']);
  if (head.status !== 0) throw fail('git rev-parse HEAD', head.stderr.trim());
  return head.stdout.trim();
}
