import { readFileSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import path from 'node:path';
import * as z from 'zod';
import { fsyncDir, snapshotId, writeFileDurable } from '../fs/index.js';
import { encodeJson, parseJson, toPlainJson } from '../json/index.js';
import { acquirePublishLock, crashPoint, type PublishRecorder } from '../publish/index.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { CairnError, localTimestamp, messageOf, shellWord } from '../util/index.js';
import { currentBranchRef, git, refCommit, trackedChanges, gitUninterrupted } from './git.js';
import { listExecutionDirs, ownerAlive, readExecutionRecord, type ExecutionPaths } from './run-dir.js';

/*
 * Fast-forwarding the user's branch to a phase commit, crash-safe. Under
 * the publish lock, after checking that the branch is checked out, clean
 * and still at the run's base, and that the live migration is what the run
 * started from, cairn writes a journal (`integration.json` in the run
 * directory), updates the index and work tree with git's two-tree merge
 * (`read-tree -m -u`, which refuses before writing anything when it would
 * overwrite a change), then moves the branch with a compare-and-swap
 * `update-ref`, then removes the journal. A journal found by a later cairn
 * is finished: the ref still at the base means the tree update is redone
 * (it is idempotent) and the ref moved; the ref at the phase commit means
 * only the journal is left to remove.
 */

export const INTEGRATION_JOURNAL_FILE = 'integration.json';

const JournalSchema = z
  .object({
    schema_version: z.literal(1),
    run_id: z.string(),
    slug: z.string(),
    ref: z.string().startsWith('refs/heads/'),
    from: z.string().regex(/^[0-9a-f]{40,64}$/),
    to: z.string().regex(/^[0-9a-f]{40,64}$/),
    branch: z.string(),
    created_at: z.string(),
  })
  .strict();
type IntegrationJournal = z.infer<typeof JournalSchema>;

export interface FastForwardInput {
  repoRoot: string;
  liveRoot: string;
  slug: string;
  run: ExecutionPaths;
  /** The user's branch (`refs/heads/…`) the run started from. */
  ref: string;
  /** The run's base commit and the phase commit. */
  from: string;
  to: string;
  /** The phase branch holding `to`. */
  branch: string;
  /** The live migration's snapshot id when the run began. */
  liveSnapshotAtStart: string;
  lockTimeoutMs: number;
  recorder?: PublishRecorder | undefined;
}

/** Done, or why the branch was left alone (`stale`: the live migration changed since the run began). */
export type FastForwardOutcome = { done: true } | { done: false; stale: boolean; reason: string };

function shortRef(ref: string): string {
  return ref.slice('refs/heads/'.length);
}

/** Why the user's checkout cannot be fast-forwarded now, or null. */
function checkoutProblem(input: Pick<FastForwardInput, 'repoRoot' | 'ref' | 'from'>): string | null {
  const head = currentBranchRef(input.repoRoot);
  if (head !== input.ref) {
    return head === null ? 'HEAD is detached in the repository' : `the repository has ${shortRef(head)} checked out, not ${shortRef(input.ref)}`;
  }
  const tip = refCommit(input.repoRoot, input.ref);
  if (tip !== input.from) return `${shortRef(input.ref)} moved since the run began (it is at ${tip?.slice(0, 12) ?? 'nothing'}, the run started from ${input.from.slice(0, 12)})`;
  const changed = trackedChanges(input.repoRoot);
  if (changed.length > 0) {
    const shown = changed.slice(0, 5).join(', ') + (changed.length > 5 ? `, and ${changed.length - 5} more` : '');
    return `the working tree has uncommitted changes (${shown})`;
  }
  if (indexLocked(input.repoRoot)) return 'another git command holds the index (index.lock exists)';
  return null;
}

function gitDir(repoRoot: string): string {
  return path.resolve(repoRoot, git(repoRoot, ['rev-parse', '--git-dir'], 'git rev-parse --git-dir').trim());
}

function indexLocked(repoRoot: string): boolean {
  try {
    readFileSync(path.join(gitDir(repoRoot), 'index.lock'));
    return true;
  } catch {
    return false;
  }
}

/**
 * Why the run cannot be integrated now, or null. A live migration that
 * changed since the run began comes first: the phase commit is stale then
 * (another run may have done the phase), whatever the checkout looks like.
 */
async function integrationProblem(input: FastForwardInput): Promise<FastForwardOutcome | null> {
  const live = await snapshotId(path.join(input.liveRoot, input.slug));
  if (live !== input.liveSnapshotAtStart) return { done: false, stale: true, reason: `the live migration ${input.slug} changed since the run began` };
  const problem = checkoutProblem(input);
  return problem === null ? null : { done: false, stale: false, reason: problem };
}

function journalPath(runDir: string): string {
  return path.join(runDir, INTEGRATION_JOURNAL_FILE);
}

async function removeJournal(runDir: string): Promise<void> {
  await unlink(journalPath(runDir)).catch(() => undefined);
  await fsyncDir(runDir).catch(() => undefined);
}

/**
 * Fast-forwards `ref` from `from` to `to` in the user's checkout, or says
 * why not (nothing changed then). Throws only when git fails after the
 * journal was written in a way recovery must look at.
 */
export async function fastForward(input: FastForwardInput): Promise<FastForwardOutcome> {
  // Checked only under the lock: outside it, another run's fast-forward in
  // progress (its index.lock, its half-updated tree) would look like the user's.
  const lock = await acquirePublishLock(input.liveRoot, { operation: 'migration.integrate', timeoutMs: input.lockTimeoutMs, recorder: input.recorder, repoRoot: input.repoRoot });
  try {
    const problem = await integrationProblem(input);
    if (problem !== null) return problem;
    const journal: IntegrationJournal = {
      schema_version: 1,
      run_id: input.run.runId,
      slug: input.slug,
      ref: input.ref,
      from: input.from,
      to: input.to,
      branch: input.branch,
      created_at: localTimestamp(new Date()),
    };
    await writeFileDurable(journalPath(input.run.runDir), encodeJson(journal as never));
    crashPoint('integrate-journal-written');
    const merge = await gitUninterrupted(input.repoRoot, ['read-tree', '-m', '-u', input.from, input.to]);
    if (merge.status !== 0) {
      // read-tree checks every path before it writes any: nothing changed.
      await removeJournal(input.run.runDir);
      return { done: false, stale: false, reason: `git could not update the working tree: ${(merge.stderr || merge.stdout).trim()}` };
    }
    crashPoint('integrate-tree-updated');
    await lock.assertHeld();
    git(input.repoRoot, ['update-ref', '-m', `cairn: fast-forward to ${input.branch}`, input.ref, input.to, input.from], 'git update-ref');
    crashPoint('integrate-ref-updated');
    await removeJournal(input.run.runDir);
    crashPoint('integrate-journal-removed');
    return { done: true };
  } finally {
    await lock.release().catch(() => undefined);
  }
}

/** What recovery did with one interrupted fast-forward. */
export interface IntegrationRecovery {
  runId: string;
  slug: string;
  branch: string;
  /** `finished`: the branch now holds the phase commit; `left`: the user's branch moved on and was not touched. */
  action: 'finished' | 'left';
  message: string;
}

function readJournal(runDir: string): IntegrationJournal | null {
  try {
    const parsed = JournalSchema.safeParse(toPlainJson(parseJson(readFileSync(journalPath(runDir), 'utf8'))));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

async function waitForIndex(repoRoot: string): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    if (!indexLocked(repoRoot)) return true;
    await sleep(100);
  }
  return false;
}

async function finishOne(repoRoot: string, journal: IntegrationJournal): Promise<IntegrationRecovery> {
  const base = { runId: journal.run_id, slug: journal.slug, branch: journal.branch };
  const tip = refCommit(repoRoot, journal.ref);
  if (tip === journal.to) {
    return { ...base, action: 'finished', message: `finished integrating ${journal.branch} into ${shortRef(journal.ref)}` };
  }
  if (tip !== journal.from || currentBranchRef(repoRoot) !== journal.ref) {
    return {
      ...base,
      action: 'left',
      message: `an interrupted fast-forward of ${shortRef(journal.ref)} to ${journal.branch} was not finished: the branch or checkout changed since; merge it yourself with \`git merge --ff-only ${shellWord(journal.branch)}\``,
    };
  }
  if (!(await waitForIndex(repoRoot))) {
    throw new CairnError('failed', `Could not finish an interrupted fast-forward of ${shortRef(journal.ref)}: git's index.lock is held`, {
      hint: 'Wait for the git command holding it to end (or remove .git/index.lock if no git command runs), then run `cairn recover`.',
    });
  }
  const merge = await gitUninterrupted(repoRoot, ['read-tree', '-m', '-u', journal.from, journal.to]);
  if (merge.status !== 0) {
    throw new CairnError('failed', `Could not finish an interrupted fast-forward of ${shortRef(journal.ref)} to ${journal.branch}: ${(merge.stderr || merge.stdout).trim()}`, {
      hint: `Look at \`git status\`; the phase commit is ${journal.to.slice(0, 12)} on ${journal.branch}. Once the working tree is as you want it, run \`git merge --ff-only ${shellWord(journal.branch)}\` and \`cairn recover\`.`,
    });
  }
  git(repoRoot, ['update-ref', '-m', `cairn: finish fast-forward to ${journal.branch}`, journal.ref, journal.to, journal.from], 'git update-ref');
  return { ...base, action: 'finished', message: `finished integrating ${journal.branch} into ${shortRef(journal.ref)}` };
}

/**
 * Finishes every fast-forward whose cairn died while it ran. Takes the
 * publish lock only when there is one to finish.
 */
export async function recoverIntegrations(input: { repoRoot: string; liveRoot: string; lockTimeoutMs: number; recorder?: PublishRecorder | undefined; dryRun?: boolean }): Promise<IntegrationRecovery[]> {
  const pending = (await listExecutionDirs(input.repoRoot)).filter((paths) => {
    const record = readExecutionRecord(paths.runDir);
    return readJournal(paths.runDir) !== null && (record === null || !ownerAlive(record));
  });
  if (pending.length === 0 || input.dryRun === true) return [];
  const lock = await acquirePublishLock(input.liveRoot, { operation: 'migration.integrate-recovery', timeoutMs: input.lockTimeoutMs, recorder: input.recorder });
  const done: IntegrationRecovery[] = [];
  try {
    for (const paths of pending) {
      const journal = readJournal(paths.runDir);
      if (journal === null) continue;
      try {
        done.push(await finishOne(input.repoRoot, journal));
      } catch (error) {
        throw error instanceof CairnError ? error : new CairnError('failed', `Could not finish an interrupted fast-forward: ${messageOf(error)}`);
      }
      await removeJournal(paths.runDir);
    }
  } finally {
    await lock.release().catch(() => undefined);
  }
  return done;
}
