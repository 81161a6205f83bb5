import type { LockHolder } from './lock-owner.js';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { CairnError, messageOf, localTimestamp, isInside, resolvePath, isSafeSegment } from '../util/index.js';
import { assertConfined, snapshotId, fsyncDir, mkdirDurable, removeTreeDurable, renameDurable, copyTreeDurable, isDirectory } from '../fs/index.js';
import { candidateDiff, checkCandidate, type CandidateCheck } from './candidate.js';
import { blockingDirtyPaths, DIRTY_LIVE_REASON } from './dirty.js';
import { crashPoint, faultPoint } from './faults.js';
import { writeJournal, writeTransactionMarker, type JournalBody } from './journal.js';
import { assertTransactionsRootConfined, listTransactionsRoot, transactionPaths, transactionsRoot } from './layout.js';
import { newTransactionToken } from './random-names.js';
import { acquirePublishLock, type HeldLock } from './lock.js';
import { executeRecovery, planRecovery, recoverUnderLock } from './recovery.js';
import type { PublishRecorder } from './recorder.js';
import { writePublishedRecordSafely } from './published-record.js';
import { safeRecord } from './record-safely.js';
import type { PublishResult } from './result.js';
import { removeTransactionDir } from './tx-cleanup.js';
import type { PublishValidator } from './validator.js';

/*
 * The publish transaction (docs/architecture.md §5): the one way a live migration
 * directory changes. Under the lock: recover interrupted transactions,
 * refuse a dirty live tree, validate the candidate and the invariants,
 * refuse a stale base snapshot, then swap through a journal so that a crash
 * at any instant leaves the whole old or the whole new tree.
 */

export const DEFAULT_PUBLISH_OPERATION = 'planning-publish';
export const DEFAULT_LOCK_TIMEOUT_MS = 30_000;

export interface PublishRequest {
  repoRoot: string;
  /** The live migrations root. */
  liveRoot: string;
  slug: string;
  /** The candidate tree: a directory named `slug`, outside the live root. */
  workspaceDir: string;
  /** Digest of the live migration when the work started. */
  baseSnapshotId: string;
  /** Judges the candidate before the swap and the installed tree after it. */
  validator: PublishValidator;
  /** Recorded in the lock and the journal, e.g. `planning.expand`; default `planning-publish`. */
  operation?: string;
  /** Compute and check everything, change nothing (no lock, no transaction, no store). */
  dryRun?: boolean;
  /** How long to wait for the lock; default 30 s. */
  lockTimeoutMs?: number;
  /** The store's view; without it (or when it fails) the published-snapshot record alone says what cairn last published. */
  recorder?: PublishRecorder;
  /** Overrides the 10 s stale-lock limit (tests). */
  staleLimitMs?: number;
  /** Told once, with the holder, when the publish has waited a second for the lock (see `lockWaitMessage`). */
  onLockWait?: ((holder: LockHolder) => void) | undefined;
}

interface Request {
  repoRoot: string;
  liveRoot: string;
  slug: string;
  workspaceDir: string;
  liveDir: string;
  baseSnapshotId: string;
  validator: PublishValidator;
  operation: string;
  dryRun: boolean;
  lockTimeoutMs: number;
  recorder: PublishRecorder | undefined;
  staleLimitMs: number | undefined;
  onLockWait: ((holder: LockHolder) => void) | undefined;
}

const SAME_DEVICE_REASON = 'staged publish source must be on the same filesystem as the live migrations dir';

/**
 * Publishes `workspaceDir` as the live migration `slug`. Returns
 * `published`, `blocked` (nothing changed, nothing left behind) or `failed`
 * (the live tree is the old one, or, when a cleanup step after the commit
 * failed, the new one with `cleanupError` set).
 *
 * Throws CairnError('invalid-input') for a bad request (before anything is
 * touched), CairnError('lock-timeout') when another live process holds the
 * lock past `lockTimeoutMs`, CairnError('failed') when git cannot be run.
 */
export async function publish(request: PublishRequest): Promise<PublishResult> {
  const req = prepareRequest(request);
  // The live root and `__transactions__` must lead nowhere outside the repository before anything is created.
  assertConfined(req.repoRoot, req.liveRoot, 'the live migrations root', 'directory');
  assertTransactionsRootConfined(req.liveRoot);
  if (req.dryRun) return dryRunPublish(req);
  try {
    await mkdirDurable(req.liveRoot);
  } catch (error) {
    throw new CairnError('io', `Could not create live migrations dir ${req.liveRoot}: ${messageOf(error)}`, { path: req.liveRoot, cause: error });
  }
  const lock = await acquirePublishLock(req.liveRoot, {
    operation: req.operation,
    timeoutMs: req.lockTimeoutMs,
    recorder: req.recorder,
    repoRoot: req.repoRoot,
    staleLimitMs: req.staleLimitMs,
    onWait: req.onLockWait,
  });
  crashPoint('lock-taken');
  let result: PublishResult;
  try {
    result = await publishUnderLock(req, lock);
  } catch (error) {
    const releaseError = await releaseQuietly(lock);
    if (releaseError === null) throw error;
    const code = error instanceof CairnError ? error.code : 'internal';
    throw new CairnError(code, `${messageOf(error)}; ${releaseError}`, { cause: error });
  }
  const releaseError = await releaseQuietly(lock);
  if (releaseError !== null) result.cleanupError = joinErrors(result.cleanupError, releaseError);
  crashPoint('lock-released');
  const recordError = safeRecord(req.recorder, (recorder) =>
    recorder.recordEvent({
      kind: `publish.${result.status}`,
      slug: req.slug,
      details: {
        operation: req.operation,
        reason: result.reason,
        base_snapshot_id: req.baseSnapshotId,
        snapshot_id: result.snapshotId,
        transaction_dir: result.transactionDir,
        cleanup_error: result.cleanupError,
      },
    }),
  );
  if (recordError !== null) result.cleanupError = joinErrors(result.cleanupError, recordError);
  return result;
}

function prepareRequest(request: PublishRequest): Request {
  const invalid = (message: string): CairnError => new CairnError('invalid-input', message);
  if (!isSafeSegment(request.slug)) throw invalid(`Migration slug is not a safe path segment: '${request.slug}'`);
  const workspaceDir = path.resolve(request.workspaceDir);
  if (path.basename(workspaceDir) !== request.slug) {
    throw invalid(`Planning workspace snapshot directory must be named for the migration slug '${request.slug}': ${workspaceDir}`);
  }
  const liveRoot = resolvePath(request.liveRoot);
  const repoRoot = resolvePath(request.repoRoot);
  if (isInside(resolvePath(workspaceDir), liveRoot)) {
    throw invalid(`Planning workspace must be outside live migrations dir: ${workspaceDir}`);
  }
  if (request.baseSnapshotId === '') throw invalid('base_snapshot_id is required');
  if (typeof request.validator?.checkCandidate !== 'function') throw invalid('A publish request needs a validator');
  const liveDir = path.join(liveRoot, request.slug);
  if (!isInside(liveDir, repoRoot)) {
    throw invalid(`Live migration path must stay inside repository: ${liveDir}`);
  }
  const lockTimeoutMs = request.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  if (!Number.isFinite(lockTimeoutMs) || lockTimeoutMs < 0) throw invalid(`Lock timeout must be a non-negative number of milliseconds: ${lockTimeoutMs}`);
  return {
    repoRoot,
    liveRoot,
    slug: request.slug,
    workspaceDir,
    liveDir,
    baseSnapshotId: request.baseSnapshotId,
    validator: request.validator,
    operation: request.operation ?? DEFAULT_PUBLISH_OPERATION,
    dryRun: request.dryRun === true,
    lockTimeoutMs,
    recorder: request.recorder,
    staleLimitMs: request.staleLimitMs,
    onLockWait: request.onLockWait,
  };
}

function baseResult(req: Request, lockPath: string | null): PublishResult {
  return {
    status: 'blocked',
    reason: '',
    slug: req.slug,
    operation: req.operation,
    liveDir: req.liveDir,
    snapshotId: null,
    findings: [],
    invariants: [],
    staleBase: false,
    dirtyPaths: [],
    lockPath,
    transactionDir: null,
    cleanupError: null,
    dryRun: req.dryRun,
    recovered: [],
  };
}

async function publishUnderLock(req: Request, lock: HeldLock): Promise<PublishResult> {
  const result = baseResult(req, lock.path);
  try {
    result.recovered = (await recoverUnderLock(req.liveRoot, req.recorder, req.repoRoot)).plans;
  } catch (error) {
    return { ...result, status: 'failed', reason: `could not recover an interrupted transaction: ${messageOf(error)}` };
  }
  crashPoint('recovery-done');
  const stuck = result.recovered.find((plan) => plan.action === 'leave' && plan.slug === req.slug);
  if (stuck !== undefined) {
    return { ...result, reason: `interrupted transaction ${stuck.txDir} of this migration needs inspection: ${stuck.reason}` };
  }

  let liveId: string;
  try {
    liveId = await snapshotId(req.liveDir);
  } catch (error) {
    return { ...result, reason: `live migration snapshot cannot be computed: ${messageOf(error)}` };
  }
  result.snapshotId = liveId;

  const dirty = blockingDirtyPaths(req, liveId);
  if (dirty.length > 0) return { ...result, reason: DIRTY_LIVE_REASON, dirtyPaths: dirty };

  const candidate = await judgeCandidate(req, result);
  // Invariants are judged against the current live tree; when the work did
  // not start from it, "stale" is the actionable reason (they are still reported).
  const stale = liveId !== req.baseSnapshotId;
  if (candidate.verdict.invalidOnItsOwn || (candidate.blockReason !== null && !stale) || candidate.snapshotId === null) {
    return { ...result, reason: candidate.blockReason ?? 'workspace validation failed' };
  }
  if (stale) return { ...result, reason: staleReason(req.baseSnapshotId, liveId), staleBase: true };
  return swap(req, lock, result, liveId, candidate.snapshotId);
}

/** The candidate checked by the request's validator; its findings and invariants go into `result`. */
async function judgeCandidate(req: Request, result: PublishResult): Promise<CandidateCheck> {
  const candidate = await checkCandidate(req.validator, req.workspaceDir, { repoRoot: req.repoRoot, slug: req.slug, liveDir: req.liveDir });
  result.findings = candidate.verdict.findings;
  result.invariants = candidate.verdict.invariants;
  return candidate;
}

function staleReason(base: string, current: string): string {
  return `stale base snapshot: base_snapshot_id does not match current live snapshot (base_snapshot_id=${base}, current_snapshot_id=${current})`;
}

async function swap(req: Request, lock: HeldLock, start: PublishResult, oldId: string, newId: string): Promise<PublishResult> {
  const txDir = path.join(transactionsRoot(req.liveRoot), newTransactionToken());
  const paths = transactionPaths(txDir);
  const result: PublishResult = { ...start, transactionDir: txDir };
  const liveExisted = await isDirectory(req.liveDir);

  const abandon = async (status: 'blocked' | 'failed', reason: string): Promise<PublishResult> => {
    let cleanupError: string | null = null;
    try {
      await removeTransactionDir(txDir);
    } catch (error) {
      cleanupError = `could not remove transaction directory ${txDir}: ${messageOf(error)}`;
    }
    return { ...result, status, reason, cleanupError, transactionDir: cleanupError === null ? null : txDir };
  };

  try {
    faultPoint('tx-create');
    await mkdir(txDir);
    await fsyncDir(path.dirname(txDir));
    await writeTransactionMarker(txDir, { slug: req.slug, operation: req.operation });
  } catch (error) {
    return abandon('failed', `could not create transaction directory ${txDir}: ${messageOf(error)}`);
  }
  crashPoint('tx-created');

  try {
    faultPoint('stage-copy');
    await copyTreeDurable(req.workspaceDir, paths.staged);
  } catch (error) {
    return abandon('failed', `could not copy workspace to staged transaction path: ${messageOf(error)}`);
  }
  crashPoint('staged-written');

  let stagedId: string;
  try {
    stagedId = await snapshotId(paths.staged);
  } catch (error) {
    return abandon('failed', `could not read the staged copy: ${messageOf(error)}`);
  }
  if (stagedId !== newId) {
    return abandon('blocked', `workspace changed while it was being published (validated snapshot ${newId}, staged snapshot ${stagedId})`);
  }
  if ((await stat(paths.staged)).dev !== (await stat(req.liveRoot)).dev) return abandon('blocked', SAME_DEVICE_REASON);

  const journal: JournalBody = {
    tx_id: paths.token,
    slug: req.slug,
    operation: req.operation,
    live_dir: req.liveDir,
    base_snapshot_id: req.baseSnapshotId,
    old_snapshot_id: oldId,
    new_snapshot_id: newId,
    old_exists: liveExisted,
    created_at: localTimestamp(),
    phase: 'prepared',
  };
  try {
    faultPoint('journal-write');
    await writeJournal(txDir, journal);
  } catch (error) {
    return abandon('failed', `could not write transaction journal: ${messageOf(error)}`);
  }
  crashPoint('journal-written');
  try {
    await lock.assertHeld();
  } catch (error) {
    return abandon('failed', messageOf(error));
  }

  // From here on, a failure is undone by the same recovery that runs after a crash.
  const undo = (reason: string): Promise<PublishResult> => undoSwap(req, result, txDir, liveExisted, reason, newId);
  if (liveExisted) {
    try {
      faultPoint('live-to-rollback');
      await renameDurable(req.liveDir, paths.rollback);
    } catch (error) {
      return undo(`could not move live migration to rollback: ${messageOf(error)}`);
    }
    crashPoint('live-moved-to-rollback');
  }
  try {
    faultPoint('staged-to-live');
    await renameDurable(paths.staged, req.liveDir);
  } catch (error) {
    return undo(`could not install staged migration: ${messageOf(error)}`);
  }
  crashPoint('staged-moved-to-live');

  const problem = await validateInstalled(req, newId);
  if (problem !== null) return undo(`live snapshot validation failed after publish: ${problem}`);
  crashPoint('live-validated');
  try {
    await lock.assertHeld();
  } catch (error) {
    return {
      ...result,
      status: 'failed',
      reason: `${messageOf(error)}; transaction ${txDir} is not committed and will be rolled back by the next publish or \`cairn recover\``,
      snapshotId: await digestOrNull(req.liveDir),
    };
  }
  try {
    faultPoint('journal-commit');
    await writeJournal(txDir, { ...journal, phase: 'committed' });
  } catch (error) {
    return undo(`could not commit transaction journal: ${messageOf(error)}`);
  }
  crashPoint('journal-committed');
  return finishCommitted(req, result, txDir, newId, null);
}

/** After the commit point: remember the snapshot (record file, then store), then remove rollback/ and the transaction directory. */
async function finishCommitted(
  req: Request,
  start: PublishResult,
  txDir: string,
  newId: string,
  earlierError: string | null,
): Promise<PublishResult> {
  const result: PublishResult = { ...start, status: 'published', reason: 'published', snapshotId: newId, cleanupError: earlierError };
  // Before the transaction directory goes: until then, recovery of the committed journal rewrites the record.
  const fileRecordError = await writePublishedRecordSafely(req.repoRoot, req.liveRoot, req.slug, newId);
  if (fileRecordError !== null) result.cleanupError = joinErrors(result.cleanupError, fileRecordError);
  const recordError = safeRecord(req.recorder, (recorder) => recorder.recordPublished(req.liveRoot, req.slug, newId));
  if (recordError !== null) result.cleanupError = joinErrors(result.cleanupError, recordError);
  crashPoint('published-recorded');
  const rollback = transactionPaths(txDir).rollback;
  try {
    faultPoint('rollback-delete');
    await removeTreeDurable(rollback);
  } catch (error) {
    result.cleanupError = joinErrors(result.cleanupError, `could not remove rollback transaction directory ${rollback}: ${messageOf(error)}`);
    return result;
  }
  crashPoint('rollback-deleted');
  try {
    faultPoint('tx-remove');
    await removeTransactionDir(txDir);
  } catch (error) {
    result.cleanupError = joinErrors(result.cleanupError, `could not remove transaction directory ${txDir}: ${messageOf(error)}`);
    return result;
  }
  crashPoint('tx-removed');
  return result;
}

/**
 * Undoes a swap that failed before its commit point, by planning and
 * executing recovery of the transaction (the same code a crash takes). If
 * the journal turns out committed (its replacement reached the disk before
 * failing), the publish stands.
 */
async function undoSwap(
  req: Request,
  result: PublishResult,
  txDir: string,
  liveExisted: boolean,
  reason: string,
  newId: string,
): Promise<PublishResult> {
  let action: string;
  try {
    const plan = await planRecovery(req.liveRoot, txDir);
    action = plan.action;
    if (plan.action === 'leave') {
      return { ...result, status: 'failed', reason: `${reason}; rollback restore failed: ${plan.reason}`, snapshotId: await digestOrNull(req.liveDir) };
    }
    await executeRecovery(plan);
    if (plan.action === 'roll-forward') {
      const published = await finishCommitted(req, { ...result }, txDir, newId, `${reason} (the journal was committed, so the new snapshot stands)`);
      return published;
    }
  } catch (error) {
    return {
      ...result,
      status: 'failed',
      reason: `${reason}; rollback restore failed: ${messageOf(error)}`,
      snapshotId: await digestOrNull(req.liveDir),
    };
  }
  const note = !liveExisted
    ? 'the migration was not installed'
    : action === 'roll-back'
      ? 'previous live snapshot was restored'
      : 'the live migration was not changed';
  return { ...result, status: 'failed', reason: `${reason}; ${note}`, snapshotId: await digestOrNull(req.liveDir), transactionDir: null };
}

/** Null when the installed tree is the staged snapshot and passes the validator. */
async function validateInstalled(req: Request, newId: string): Promise<string | null> {
  try {
    faultPoint('live-validate');
    const installedId = await snapshotId(req.liveDir);
    if (installedId !== newId) return `live snapshot ${installedId} differs from the staged snapshot ${newId}`;
    return await req.validator.checkInstalled({ repoRoot: req.repoRoot, slug: req.slug, liveDir: req.liveDir });
  } catch (error) {
    return messageOf(error);
  }
}

/** Every check of a real publish, without the lock and without changing anything. */
async function dryRunPublish(req: Request): Promise<PublishResult> {
  const result = baseResult(req, null);
  const { transactions } = await listTransactionsRoot(req.liveRoot);
  for (const txDir of transactions) result.recovered.push(await planRecovery(req.liveRoot, txDir));

  let liveId: string | null = null;
  let liveProblem: string | null = null;
  try {
    liveId = await snapshotId(req.liveDir);
  } catch (error) {
    liveProblem = `live migration snapshot cannot be computed: ${messageOf(error)}`;
  }
  result.snapshotId = liveId;
  const dirty = liveId === null ? [] : blockingDirtyPaths(req, liveId);
  result.dirtyPaths = dirty;
  const candidate = await judgeCandidate(req, result);
  if (candidate.snapshotId !== null) {
    try {
      result.diff = await candidateDiff(req.liveDir, req.workspaceDir, candidate.verdict);
    } catch {
      // The live tree cannot be listed (e.g. it holds a symlink); liveProblem says why.
    }
  }
  const stale = liveId !== null && liveId !== req.baseSnapshotId ? staleReason(req.baseSnapshotId, liveId) : null;
  const reasons = [
    liveProblem,
    dirty.length > 0 ? DIRTY_LIVE_REASON : null,
    candidate.verdict.invalidOnItsOwn ? candidate.blockReason : null,
    stale,
    candidate.blockReason,
  ].filter((reason): reason is string => reason !== null);
  if (reasons.length > 0) return { ...result, status: 'blocked', reason: reasons[0]!, staleBase: stale !== null && reasons[0] === stale };
  return { ...result, status: 'published', reason: 'dry run: the publish would succeed; nothing was changed' };
}

async function releaseQuietly(lock: HeldLock): Promise<string | null> {
  try {
    await lock.release();
    return null;
  } catch (error) {
    return messageOf(error);
  }
}

function joinErrors(first: string | null, second: string): string {
  return first === null ? second : `${first}; ${second}`;
}

async function digestOrNull(dir: string): Promise<string | null> {
  try {
    return await snapshotId(dir);
  } catch {
    return null;
  }
}
