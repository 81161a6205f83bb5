import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { CairnError, isInside, isSafeSegment, localTimestamp, messageOf, resolvePath } from '../util/index.js';
import { assertConfined, copyTreeDurable, fsyncDir, mkdirDurable, pathExists, renameDurable, snapshotId } from '../fs/index.js';
import { crashPoint, faultPoint } from './faults.js';
import { writeJournal, writeTransactionMarker, type JournalBody } from './journal.js';
import { assertTransactionsRootConfined, transactionPaths, transactionsRoot } from './layout.js';
import { newTransactionToken } from './random-names.js';
import { acquirePublishLock, type HeldLock } from './lock.js';
import type { LockHolder } from './lock-owner.js';
import { writePublishedRecordSafely } from './published-record.js';
import type { PublishRecorder } from './recorder.js';
import { safeRecord } from './record-safely.js';
import { executeRecovery, planRecovery, recoverUnderLock, type RecoveryPlan } from './recovery.js';
import { removeTransactionDir } from './tx-cleanup.js';

/*
 * Renaming a live migration directory: the publish transaction's swap with
 * two names. Under the lock, the renamed tree (built by the caller, with its
 * own files rewritten) is copied into a transaction directory, a journal
 * naming both slugs is written, the old directory is renamed to rollback/
 * and the staged copy to the new name; replacing the journal by its
 * `committed` form is the commit point. Recovery (planMoveRecovery) leaves
 * exactly the old directory or exactly the new one after a crash anywhere.
 */

export const MOVE_OPERATION = 'migration.move';

export interface MoveRequest {
  repoRoot: string;
  liveRoot: string;
  from: string;
  to: string;
  /** The renamed tree: a directory named `to`, outside the live root. */
  workspaceDir: string;
  /** Digest of the live `from` when the renamed tree was built from it. */
  baseSnapshotId: string;
  lockTimeoutMs: number;
  recorder?: PublishRecorder | undefined;
  onLockWait?: ((holder: LockHolder) => void) | undefined;
}

export interface MoveResult {
  status: 'moved' | 'blocked' | 'failed';
  reason: string;
  fromDir: string;
  toDir: string;
  /** The digest of the new directory once moved. */
  snapshotId: string | null;
  transactionDir: string | null;
  cleanupError: string | null;
  recovered: RecoveryPlan[];
}

/**
 * Moves the live migration `from` to `to`, installing `workspaceDir` as `to`.
 * Returns `moved`, `blocked` (nothing changed: `to` exists, `from` is
 * missing or changed since `baseSnapshotId`) or `failed` (`from` is as it
 * was, or the transaction is left for `cairn recover`). Throws
 * CairnError('invalid-input') for a bad request and CairnError('lock-timeout').
 */
export async function moveMigrationDir(request: MoveRequest): Promise<MoveResult> {
  const liveRoot = resolvePath(request.liveRoot);
  const repoRoot = resolvePath(request.repoRoot);
  for (const slug of [request.from, request.to]) {
    if (!isSafeSegment(slug)) throw new CairnError('invalid-input', `Migration slug is not a safe path segment: '${slug}'`);
  }
  const workspaceDir = path.resolve(request.workspaceDir);
  if (path.basename(workspaceDir) !== request.to || isInside(resolvePath(workspaceDir), liveRoot)) {
    throw new CairnError('invalid-input', `The renamed tree must be a directory named '${request.to}' outside the live root: ${workspaceDir}`);
  }
  assertConfined(repoRoot, liveRoot, 'the live migrations root', 'directory');
  assertTransactionsRootConfined(liveRoot);
  await mkdirDurable(liveRoot);
  const lock = await acquirePublishLock(liveRoot, {
    operation: MOVE_OPERATION,
    timeoutMs: request.lockTimeoutMs,
    recorder: request.recorder,
    repoRoot,
    onWait: request.onLockWait,
  });
  const req = { ...request, liveRoot, repoRoot, workspaceDir };
  let result: MoveResult;
  try {
    result = await moveUnderLock(req, lock);
  } finally {
    await lock.release();
  }
  safeRecord(request.recorder, (recorder) =>
    recorder.recordEvent({
      kind: `move.${result.status}`,
      slug: request.from,
      details: { to: request.to, reason: result.reason, snapshot_id: result.snapshotId, cleanup_error: result.cleanupError },
    }),
  );
  return result;
}

async function moveUnderLock(req: MoveRequest, lock: HeldLock): Promise<MoveResult> {
  const fromDir = path.join(req.liveRoot, req.from);
  const toDir = path.join(req.liveRoot, req.to);
  const result: MoveResult = { status: 'blocked', reason: '', fromDir, toDir, snapshotId: null, transactionDir: null, cleanupError: null, recovered: [] };
  try {
    result.recovered = (await recoverUnderLock(req.liveRoot, req.recorder, req.repoRoot)).plans;
  } catch (error) {
    return { ...result, status: 'failed', reason: `could not recover an interrupted transaction: ${messageOf(error)}` };
  }
  if (await pathExists(toDir)) return { ...result, reason: `${req.to} already exists` };
  let oldId: string;
  try {
    if (!(await pathExists(fromDir))) return { ...result, reason: `${req.from} does not exist` };
    oldId = await snapshotId(fromDir);
  } catch (error) {
    return { ...result, reason: `live migration snapshot cannot be computed: ${messageOf(error)}` };
  }
  if (oldId !== req.baseSnapshotId) {
    return { ...result, reason: `${req.from} changed while it was being moved (base ${req.baseSnapshotId}, now ${oldId})` };
  }

  const txDir = path.join(transactionsRoot(req.liveRoot), newTransactionToken());
  const paths = transactionPaths(txDir);
  const tx: MoveResult = { ...result, transactionDir: txDir };
  const abandon = async (status: 'blocked' | 'failed', reason: string): Promise<MoveResult> => {
    try {
      await removeTransactionDir(txDir);
      return { ...tx, status, reason, transactionDir: null };
    } catch (error) {
      return { ...tx, status, reason, cleanupError: `could not remove transaction directory ${txDir}: ${messageOf(error)}` };
    }
  };
  let newId: string;
  try {
    await mkdir(txDir);
    await fsyncDir(path.dirname(txDir));
    await writeTransactionMarker(txDir, { slug: req.from, operation: MOVE_OPERATION, movedTo: req.to });
    crashPoint('move-tx-created');
    await copyTreeDurable(req.workspaceDir, paths.staged);
    crashPoint('move-staged-written');
    newId = await snapshotId(paths.staged);
    if ((await stat(paths.staged)).dev !== (await stat(req.liveRoot)).dev) {
      return abandon('blocked', 'the renamed copy must be on the same filesystem as the live migrations dir');
    }
  } catch (error) {
    return abandon('failed', `could not stage the renamed migration: ${messageOf(error)}`);
  }
  const journal: JournalBody = {
    tx_id: paths.token,
    slug: req.from,
    operation: MOVE_OPERATION,
    live_dir: fromDir,
    base_snapshot_id: req.baseSnapshotId,
    old_snapshot_id: oldId,
    new_snapshot_id: newId,
    old_exists: true,
    created_at: localTimestamp(),
    phase: 'prepared',
    moved_to: req.to,
  };
  try {
    await writeJournal(txDir, journal);
    crashPoint('move-journal-written');
    await lock.assertHeld();
  } catch (error) {
    return abandon('failed', `could not write the move journal: ${messageOf(error)}`);
  }

  // From here on, a failure is undone by the same recovery that runs after a crash.
  try {
    await renameDurable(fromDir, paths.rollback);
    crashPoint('move-old-moved-aside');
    faultPoint('move-install');
    await renameDurable(paths.staged, toDir);
    crashPoint('move-new-installed');
    const installed = await snapshotId(toDir);
    if (installed !== newId) throw new Error(`${req.to} is ${installed}, not the staged snapshot ${newId}`);
    await lock.assertHeld();
    await writeJournal(txDir, { ...journal, phase: 'committed' });
    crashPoint('move-journal-committed');
  } catch (error) {
    return undoMove(req, tx, txDir, `the rename failed: ${messageOf(error)}`, newId);
  }
  return finishMove(req, tx, txDir, newId, null);
}

/** After the commit point: remember the new snapshot, then remove the transaction (and with it the old tree). */
async function finishMove(req: MoveRequest, start: MoveResult, txDir: string, newId: string, earlierError: string | null): Promise<MoveResult> {
  const result: MoveResult = { ...start, status: 'moved', reason: 'moved', snapshotId: newId, cleanupError: earlierError };
  const join = (error: string): void => {
    result.cleanupError = result.cleanupError === null ? error : `${result.cleanupError}; ${error}`;
  };
  const fileError = await writePublishedRecordSafely(req.repoRoot, req.liveRoot, req.to, newId);
  if (fileError !== null) join(fileError);
  const recordError = safeRecord(req.recorder, (recorder) => recorder.recordPublished(req.liveRoot, req.to, newId));
  if (recordError !== null) join(recordError);
  crashPoint('move-published-recorded');
  try {
    await removeTransactionDir(txDir);
    result.transactionDir = null;
  } catch (error) {
    join(`could not remove transaction directory ${txDir}: ${messageOf(error)}`);
    return result;
  }
  crashPoint('move-tx-removed');
  return result;
}

async function undoMove(req: MoveRequest, result: MoveResult, txDir: string, reason: string, newId: string): Promise<MoveResult> {
  try {
    const plan = await planRecovery(req.liveRoot, txDir);
    if (plan.action === 'leave') return { ...result, status: 'failed', reason: `${reason}; could not undo it: ${plan.reason}` };
    await executeRecovery(plan);
    if (plan.action === 'roll-forward') return finishMove(req, result, txDir, newId, `${reason} (the journal was committed, so the move stands)`);
  } catch (error) {
    return { ...result, status: 'failed', reason: `${reason}; could not undo it: ${messageOf(error)}` };
  }
  return { ...result, status: 'failed', reason: `${reason}; ${req.from} was restored`, transactionDir: null };
}
