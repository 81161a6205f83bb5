import { lstatSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { isSafeSegment, CairnError, messageOf, errnoCode } from '../util/index.js';
import { isJsonObject, parseJson } from '../json/index.js';
import { snapshotId, pathExists } from '../fs/index.js';
import { readJournal, type JournalBody } from './journal.js';
import { CLAIM_DIR_NAME, LOCK_TOMB_PREFIX, transactionPaths } from './layout.js';
import { judgeStaleness, readLockHolder } from './lock-owner.js';

/*
 * Recovery of interrupted publish transactions (docs/format.md §14.5). The decision
 * is taken from the journal and from which of staged/, rollback/ and the
 * live directory exist, with digests compared against the journal's ids.
 * Every action is a sequence of renames followed by an ordered cleanup, so
 * recovery itself can be interrupted and re-planned at any point; at every
 * instant the live migration is the whole old or the whole new snapshot.
 */

/**
 * `roll-back`: restore the old live tree. `roll-forward`: the new tree is
 * committed; remove what is left. `discard`: the live tree was never
 * touched (or is whole as it is); remove the transaction directory.
 * `leave`: not cairn's to touch (the original tool's leftovers, or a state
 * that needs a human); reported, never changed.
 */
export type RecoveryAction = 'roll-back' | 'roll-forward' | 'discard' | 'leave';

export type RecoveryOperation =
  | { kind: 'move-aside'; from: string; to: string }
  | { kind: 'restore'; from: string; to: string }
  | { kind: 'remove-transaction'; dir: string };

export interface RecoveryPlan {
  txDir: string;
  action: RecoveryAction;
  /** The migration the transaction was publishing, when known. */
  slug: string | null;
  reason: string;
  /** What executing the plan does, in words, in order. */
  steps: string[];
  operations: RecoveryOperation[];
  /** The journal's phase, or null without a valid journal. */
  journalPhase: JournalBody['phase'] | null;
}

/**
 * Decides what recovery would do with one transaction directory. Reads
 * only (journal, marker, directory listings, digests).
 */
export async function planRecovery(liveRoot: string, txDir: string): Promise<RecoveryPlan> {
  const paths = transactionPaths(txDir);
  let names: string[];
  try {
    names = await readdir(txDir);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') {
      return plan(txDir, 'discard', null, 'transaction directory is already gone', null, []);
    }
    throw new CairnError('io', `Could not read transaction directory ${txDir}: ${messageOf(error)}`, { path: txDir, cause: error });
  }
  const clean: RecoveryOperation = { kind: 'remove-transaction', dir: txDir };
  if (path.basename(txDir) === CLAIM_DIR_NAME) {
    const holder = await readLockHolder(txDir).catch(() => null);
    const verdict = holder === null ? null : judgeStaleness(holder);
    if (verdict === null || !verdict.stale) return plan(txDir, 'leave', null, 'a stale publish lock is being reclaimed right now', null, []);
    return plan(txDir, 'discard', null, `left by a lock claimer that stopped: ${verdict.reason}`, null, [
      { kind: 'remove-transaction', dir: txDir },
    ]);
  }
  if (path.basename(txDir).startsWith(LOCK_TOMB_PREFIX)) {
    return plan(txDir, 'discard', null, 'leftover of a released or reclaimed publish lock', null, [clean]);
  }
  if (names.length === 0) return plan(txDir, 'discard', null, 'empty transaction directory', null, [clean]);

  // A staged/ or rollback/ that is a link (committed, or planted) is never renamed into the live root.
  const linked = [paths.staged, paths.rollback].filter((entry) => isSymlink(entry));
  if (linked.length > 0) {
    const name = path.basename(linked[0] as string);
    return plan(txDir, 'leave', null, `${name}/ is a symbolic link, not a directory cairn wrote; left for inspection`, null, []);
  }
  const hasMarker = names.includes(path.basename(paths.marker));
  const journal = await readJournal(txDir);
  if (journal.status === 'missing') {
    if (!hasMarker) {
      return plan(txDir, 'leave', null, 'not a cairn transaction (no cairn-tx marker, no journal); left for inspection', null, []);
    }
    return plan(
      txDir,
      'discard',
      await markerSlug(paths.marker),
      'interrupted before its journal was written; the live migration was not touched',
      null,
      [clean],
    );
  }

  if (journal.status === 'invalid') {
    if (hasMarker && (await markerMovedTo(paths.marker))) {
      return plan(txDir, 'leave', await markerSlug(paths.marker), `${journal.reason}; a move cannot be judged without its journal; left for inspection`, null, []);
    }
    const slug = hasMarker ? await markerSlug(paths.marker) : null;
    if (slug === null) {
      return plan(txDir, 'leave', null, `${journal.reason}, and no readable cairn-tx marker names its migration; left for inspection`, null, []);
    }
    const liveDir = path.join(liveRoot, slug);
    if (!(await pathExists(liveDir)) && (await pathExists(paths.rollback))) {
      return plan(txDir, 'roll-back', slug, `${journal.reason}; the live migration is missing, restoring rollback/`, null, [
        { kind: 'restore', from: paths.rollback, to: liveDir },
        clean,
      ]);
    }
    return plan(txDir, 'discard', slug, `${journal.reason}; the live migration is a whole snapshot and is kept as it is`, null, [clean]);
  }

  const body = journal.body;
  if (!isSafeSegment(body.slug)) {
    return plan(txDir, 'leave', null, `journal names an unsafe migration slug '${body.slug}'; left for inspection`, body.phase, []);
  }
  if (body.moved_to !== undefined) return planMoveRecovery(liveRoot, txDir, body);
  const liveDir = path.join(liveRoot, body.slug);
  const liveId = await digestOrNull(liveDir);
  const liveState = liveId === null ? 'unreadable' : liveId === body.new_snapshot_id ? 'the new snapshot' : liveId === body.old_snapshot_id ? 'the old snapshot' : 'neither snapshot';

  if (body.phase === 'committed') {
    const note = liveId === body.new_snapshot_id ? 'live is the new snapshot' : `live is ${liveState}; it is left as it is`;
    return plan(txDir, 'roll-forward', body.slug, `journal committed; ${note}; removing the transaction leftovers`, body.phase, [clean]);
  }

  const liveExists = await pathExists(liveDir);
  if (await pathExists(paths.rollback)) {
    const rollbackId = await digestOrNull(paths.rollback);
    if (rollbackId !== body.old_snapshot_id) {
      return plan(
        txDir,
        'leave',
        body.slug,
        "journal not committed, but rollback/ does not match the journal's old snapshot; left for inspection",
        body.phase,
        [],
      );
    }
    const operations: RecoveryOperation[] = [];
    if (liveExists) operations.push({ kind: 'move-aside', from: liveDir, to: await freeFailedPath(txDir) });
    operations.push({ kind: 'restore', from: paths.rollback, to: liveDir }, clean);
    const reason = liveExists
      ? `journal not committed; live is ${liveState}; restoring the old snapshot from rollback/`
      : 'journal not committed; interrupted between the renames; restoring the old snapshot from rollback/';
    return plan(txDir, 'roll-back', body.slug, reason, body.phase, operations);
  }

  if (!body.old_exists) {
    if (liveExists && liveId === body.new_snapshot_id && !(await pathExists(paths.staged))) {
      return plan(txDir, 'roll-back', body.slug, 'journal not committed; removing the uncommitted new migration', body.phase, [
        { kind: 'move-aside', from: liveDir, to: await freeFailedPath(txDir) },
        clean,
      ]);
    }
    const note = liveExists ? `live is ${liveState} and is kept` : 'the migration is still absent, as before';
    return plan(txDir, 'discard', body.slug, `journal not committed; ${note}`, body.phase, [clean]);
  }
  if (!liveExists) {
    return plan(
      txDir,
      'leave',
      body.slug,
      'journal not committed, the live migration is missing and there is no rollback/ to restore; left for inspection',
      body.phase,
      [],
    );
  }
  return plan(txDir, 'discard', body.slug, `journal not committed; the live migration was not replaced (live is ${liveState})`, body.phase, [clean]);
}

/**
 * A move (`moved_to` set): the old directory goes to rollback/, then staged/
 * becomes the new one. Committed, the new one stands and rollback/ is only
 * cleaned up; otherwise the old one is restored from rollback/ and a new
 * directory already installed is moved aside, so exactly one of the two is
 * left. A tree whose digest is not the journal's is never touched.
 */
async function planMoveRecovery(liveRoot: string, txDir: string, body: JournalBody): Promise<RecoveryPlan> {
  const to = body.moved_to as string;
  const paths = transactionPaths(txDir);
  const clean: RecoveryOperation = { kind: 'remove-transaction', dir: txDir };
  if (!isSafeSegment(to)) {
    return plan(txDir, 'leave', body.slug, `journal names an unsafe new migration slug '${to}'; left for inspection`, body.phase, []);
  }
  const what = `move of ${body.slug} to ${to}`;
  if (body.phase === 'committed') {
    return plan(txDir, 'roll-forward', body.slug, `${what} committed; ${to} stands; removing the transaction leftovers`, body.phase, [clean]);
  }
  const fromDir = path.join(liveRoot, body.slug);
  const toDir = path.join(liveRoot, to);
  const operations: RecoveryOperation[] = [];
  if (await pathExists(toDir)) {
    if ((await digestOrNull(toDir)) !== body.new_snapshot_id) {
      return plan(txDir, 'leave', body.slug, `${what} not committed, and ${to} is not the tree it installed; left for inspection`, body.phase, []);
    }
    operations.push({ kind: 'move-aside', from: toDir, to: await freeFailedPath(txDir) });
  }
  if (await pathExists(paths.rollback)) {
    if ((await digestOrNull(paths.rollback)) !== body.old_snapshot_id || (await pathExists(fromDir))) {
      return plan(txDir, 'leave', body.slug, `${what} not committed, but rollback/ is not the old ${body.slug} or ${body.slug} exists again; left for inspection`, body.phase, []);
    }
    operations.push({ kind: 'restore', from: paths.rollback, to: fromDir }, clean);
    return plan(txDir, 'roll-back', body.slug, `${what} not committed; restoring ${body.slug} from rollback/`, body.phase, operations);
  }
  if (!(await pathExists(fromDir))) {
    return plan(txDir, 'leave', body.slug, `${what} not committed, ${body.slug} is missing and there is no rollback/ to restore; left for inspection`, body.phase, []);
  }
  operations.push(clean);
  const reason = operations.length > 1 ? `${what} not committed; removing the uncommitted ${to}` : `${what} not committed; ${body.slug} was not touched`;
  return plan(txDir, operations.length > 1 ? 'roll-back' : 'discard', body.slug, reason, body.phase, operations);
}

function plan(
  txDir: string,
  action: RecoveryAction,
  slug: string | null,
  reason: string,
  journalPhase: JournalBody['phase'] | null,
  operations: RecoveryOperation[],
): RecoveryPlan {
  return { txDir, action, slug, reason, steps: operations.map(describeOperation), operations, journalPhase };
}

function describeOperation(operation: RecoveryOperation): string {
  switch (operation.kind) {
    case 'move-aside':
      return `move ${operation.from} to ${operation.to}`;
    case 'restore':
      return `rename ${operation.from} to ${operation.to}`;
    case 'remove-transaction':
      return `remove ${operation.dir}`;
  }
}

async function markerSlug(markerPath: string): Promise<string | null> {
  try {
    const value = parseJson(await readFile(markerPath, 'utf8'));
    const slug = isJsonObject(value) ? value['slug'] : undefined;
    return typeof slug === 'string' && isSafeSegment(slug) ? slug : null;
  } catch {
    return null;
  }
}

/** Whether the marker says its transaction is a move. */
async function markerMovedTo(markerPath: string): Promise<boolean> {
  try {
    const value = parseJson(await readFile(markerPath, 'utf8'));
    return isJsonObject(value) && value['moved_to'] !== undefined;
  } catch {
    return false;
  }
}

async function digestOrNull(dir: string): Promise<string | null> {
  try {
    return await snapshotId(dir);
  } catch {
    return null;
  }
}

async function freeFailedPath(txDir: string): Promise<string> {
  const base = transactionPaths(txDir).failed;
  for (let n = 1; ; n += 1) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    if (!(await pathExists(candidate))) return candidate;
  }
}

function isSymlink(entry: string): boolean {
  return lstatSync(entry, { throwIfNoEntry: false })?.isSymbolicLink() === true;
}
