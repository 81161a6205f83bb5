import { mkdtemp, readdir, readFile, realpath, rm, rmdir, stat, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CONFIG_RELATIVE_PATH, hasControlCharacter, migrationsDirProblem, showMigrationsDir, trimTrailingSlashes } from '../config/index.js';
import { assertConfined, copyTreeDurable, fsyncDir, gitDirtyPaths, mkdirDurable, pathExists, removeTreeDurable, renameDurable, runGit, snapshotId, writeFileDurable } from '../fs/index.js';
import { encodeJson, isJsonObject, parseJson, type JsonObject } from '../json/index.js';
import { listMigrationSlugs, loadManifest, loadState, migrationFiles, rewriteForRename, type RenameChange } from '../migration/index.js';
import {
  TRANSACTIONS_DIR,
  acquirePublishLock,
  crashPoint,
  faultPoint,
  movedRootTarget,
  recordMovedRoot,
  recoverUnderLock,
  relativeRoot,
  writePublishedRecordSafely,
  type HeldLock,
  type PublishRecorder,
  type RecoveryPlan,
} from '../publish/index.js';
import { CairnError, isInside, messageOf, resolvePath, shellWord, toPosix } from '../util/index.js';
import { describeRunLease, readRunLease } from './run-lease.js';
import { journalPath, WORK_RELATIVE_DIR, workPaths } from './root-move-paths.js';
import type { MoveOutcome } from './move.js';

/*
 * `cairn mv --root`: moves the whole migrations root and the config's
 * `migrations_dir` in one journaled step (docs/format.md §14.7). Under the
 * old root's publish lock, the new root is built in `.planning/work/root-move/`
 * (every migration copied, its recorded paths rewritten), a journal naming
 * both roots is written to `.planning/work/root-move.json`, the built root
 * is renamed into place and the config rewritten; the journal's `committed`
 * phase is the commit point. The old root is then renamed away (its lock
 * with it) and removed. recoverRootMove, run before every command but
 * doctor opens the project, finishes or undoes a move a crash interrupted.
 */

export const ROOT_MOVE_OPERATION = 'migrations-root.move';
const JOURNAL_VERSION = 1;

export interface RootMoveJournal {
  version: number;
  /** Repo-relative, `/`-separated. */
  from: string;
  to: string;
  phase: 'prepared' | 'committed';
  /** The new root existed as an empty directory, removed to make room. */
  to_was_empty_dir: boolean;
  old_config: string;
  new_config: string;
}

export interface MoveRootRequest {
  repoRoot: string;
  liveRoot: string;
  configPath: string | null;
  /** The new root as the user gave it. */
  newRoot: string;
  dryRun: boolean;
  lockTimeoutMs: number;
  recorder?: PublishRecorder | undefined;
}

/** A root move: `from`/`to` are the old and new root, repo-relative; a change's `file` is relative to the repository. */
export interface MoveRootResult extends MoveOutcome {
  /** The journal left for `cairn recover` when the move failed after it started. */
  journal: string | null;
}

export interface RootMoveRecovery {
  action: 'roll-back' | 'roll-forward';
  from: string;
  to: string;
  reason: string;
}

/**
 * Moves the migrations root (or, in a dry run, says what would change).
 * Refuses with CairnError before anything is touched: 'usage' for a new
 * root that is not a plain relative path or names the current one;
 * 'blocked' (exit 1) when it lies outside the repository, inside the old
 * root or around it, exists and is not empty, when the old root or the
 * config has uncommitted changes, a migration is being worked on, or an
 * interrupted transaction is left that recovery cannot finish.
 */
export async function moveMigrationsRoot(request: MoveRootRequest): Promise<MoveRootResult> {
  const repoRoot = resolvePath(request.repoRoot);
  const fromDir = resolvePath(request.liveRoot);
  const from = relativeRoot(repoRoot, fromDir);
  const to = newRootPath(repoRoot, request.newRoot);
  const toDir = path.join(repoRoot, to);
  if (request.configPath === null) {
    throw new CairnError('blocked', `Cannot move the migrations root: there is no ${CONFIG_RELATIVE_PATH} to record the new one in.`, {
      hint: `Run \`cairn init --migrations-dir ${shellWord(from)}\` first.`,
    });
  }
  const configPath = request.configPath;
  if (to === from) throw new CairnError('usage', `The migrations root is already ${from}.`, { hint: 'Give a different directory.' });
  if (isInside(toDir, fromDir) || isInside(fromDir, toDir)) {
    throw new CairnError('blocked', `Cannot move the migrations root ${from} to ${to}: one would be inside the other.`, {
      hint: 'Choose a directory that is neither inside the current root nor contains it (move in two steps through a third directory if needed).',
    });
  }
  assertConfined(repoRoot, toDir, 'the new migrations root', 'directory');
  if (!(await pathExists(fromDir))) {
    throw new CairnError('blocked', `Cannot move the migrations root ${from}: it does not exist.`, {
      hint: `Set "migrations_dir" in ${CONFIG_RELATIVE_PATH} to "${to}" yourself; there is nothing to move.`,
    });
  }
  await refuseOccupied(toDir, to);
  refuseDirty(repoRoot, [fromDir, configPath]);
  await refuseLeases(repoRoot, fromDir);
  if (await pathExists(journalPath(repoRoot))) {
    throw new CairnError('blocked', 'Cannot move the migrations root: an interrupted root move is still pending.', {
      path: journalPath(repoRoot),
      hint: 'Run `cairn recover`, then `cairn mv --root` again.',
    });
  }
  const base: MoveRootResult = { status: 'failed', reason: '', from, to, fromDir, toDir, changes: [], journal: null, cleanupError: null, recovered: [], dryRun: request.dryRun };
  const oldConfig = await readFile(configPath, 'utf8');
  const newConfig = rewriteConfig(oldConfig, to, configPath);
  const configChange: RenameChange = { file: CONFIG_RELATIVE_PATH, field: 'migrations_dir', from, to };
  if (request.dryRun) {
    const temp = await realpath(await mkdtemp(path.join(os.tmpdir(), 'cairn-dry-run-')));
    try {
      const changes = await buildNewRoot(repoRoot, fromDir, toDir, path.join(temp, 'root'));
      return { ...base, status: 'would-move', reason: 'dry run: the move would succeed; nothing was changed', changes: [...changes, configChange] };
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
  }

  const lock = await acquirePublishLock(fromDir, { operation: ROOT_MOVE_OPERATION, timeoutMs: request.lockTimeoutMs, recorder: request.recorder, repoRoot });
  let journal: RootMoveJournal | null = null;
  try {
    let plans: RecoveryPlan[];
    try {
      plans = (await recoverUnderLock(fromDir, request.recorder, repoRoot)).plans;
    } catch (error) {
      await lock.release();
      return { ...base, reason: `could not recover an interrupted transaction: ${messageOf(error)}` };
    }
    base.recovered = plans.filter((plan) => plan.action !== 'leave');
    const left = plans.find((plan) => plan.action === 'leave');
    if (left !== undefined) {
      throw new CairnError('blocked', `Cannot move the migrations root: an interrupted transaction is left that recovery cannot finish (${left.txDir}: ${left.reason}).`, {
        path: left.txDir,
        hint: 'Look at it with `cairn recover --dry-run` and `cairn doctor --all`; once it is gone, run `cairn mv --root` again.',
      });
    }
    // Under the lock: look again at what was checked before it.
    await refuseOccupied(toDir, to);
    refuseDirty(repoRoot, [fromDir, configPath]);
    await refuseLeases(repoRoot, fromDir);
    if ((await readFile(configPath, 'utf8')) !== oldConfig) throw new CairnError('blocked', `${CONFIG_RELATIVE_PATH} changed while the move was being prepared; nothing was moved.`, { hint: 'Run `cairn mv --root` again.' });

    const work = workPaths(repoRoot);
    assertConfined(repoRoot, work.dir, 'the root move workspace', 'directory');
    await rm(work.dir, { recursive: true, force: true });
    await mkdirDurable(work.dir);
    const changes = await buildNewRoot(repoRoot, fromDir, toDir, work.staged);
    base.changes = [...changes, configChange];
    crashPoint('root-move-staged');
    if ((await stat(work.staged)).dev !== (await stat(await nearestExisting(toDir))).dev) {
      await rm(work.dir, { recursive: true, force: true });
      throw new CairnError('blocked', `Cannot move the migrations root to ${to}: it is on another filesystem than ${WORK_RELATIVE_DIR}.`, {
        hint: 'Move it by hand (git mv, then set "migrations_dir"), or choose a directory on the same filesystem.',
      });
    }
    const toWasEmptyDir = await pathExists(toDir);
    journal = { version: JOURNAL_VERSION, from, to, phase: 'prepared', to_was_empty_dir: toWasEmptyDir, old_config: oldConfig, new_config: newConfig };
    await writeJournal(repoRoot, journal);
    crashPoint('root-move-journal-written');
  } catch (error) {
    // Nothing outside the workspace was touched yet.
    await rm(workPaths(repoRoot).dir, { recursive: true, force: true }).catch(() => undefined);
    await lock.release().catch(() => undefined);
    if (error instanceof CairnError) throw error;
    return { ...base, reason: `could not build the new root: ${messageOf(error)}` };
  }

  // From here on, a failure is undone by the same code recovery runs after a crash.
  try {
    if (journal.to_was_empty_dir) await rmdir(toDir);
    await mkdirDurable(path.dirname(toDir));
    await renameDurable(workPaths(repoRoot).staged, toDir);
    crashPoint('root-move-new-installed');
    await writeFileDurable(configPath, newConfig);
    crashPoint('root-move-config-written');
    faultPoint('root-move-commit');
    await lock.assertHeld();
    journal = { ...journal, phase: 'committed' };
    await writeJournal(repoRoot, journal);
    crashPoint('root-move-journal-committed');
  } catch (error) {
    const reason = `the move failed: ${messageOf(error)}`;
    try {
      await rollBackRootMove(repoRoot, journal);
    } catch (undoError) {
      await lock.release().catch(() => undefined);
      return { ...base, reason: `${reason}; could not undo it: ${messageOf(undoError)}`, journal: journalPath(repoRoot) };
    }
    await lock.release().catch(() => undefined);
    return { ...base, reason: `${reason}; ${from} was left as it was` };
  }
  try {
    await finishRootMove(repoRoot, journal, lock);
  } catch (error) {
    return { ...base, status: 'moved', reason: 'moved', cleanupError: `the move stands, but cleaning up failed: ${messageOf(error)}`, journal: journalPath(repoRoot) };
  }
  return { ...base, status: 'moved', reason: 'moved' };
}

/**
 * Finishes or undoes a root move a crash interrupted (a no-op returning null
 * when there is none): a journal still `prepared` is rolled back to the old
 * layout, a `committed` one finished into the new layout, a workspace
 * without a journal removed. Takes the old root's publish lock while the old
 * root exists (`liveRoot` when there is no journal), so a move still running
 * in another process is waited for, not undone under it.
 */
export async function recoverRootMove(repoRoot: string, liveRoot: string, lockTimeoutMs: number): Promise<RootMoveRecovery | null> {
  let journal = await readRootMoveJournal(repoRoot);
  const oldRoot = journal === null ? liveRoot : path.join(repoRoot, journal.from);
  const existed = await pathExists(oldRoot);
  const lock = existed ? await acquirePublishLock(oldRoot, { operation: 'migrations-root.recover', timeoutMs: lockTimeoutMs }) : null;
  journal = await readRootMoveJournal(repoRoot);
  if (journal === null) {
    // Killed before its journal was written (nothing else was touched), or finished by its own process while this one waited.
    await removeTreeDurable(workPaths(repoRoot).dir).catch(() => undefined);
    await lock?.release().catch(() => undefined);
    // Taking the lock recreated a root the finished move had removed.
    if ((await movedRootTarget(repoRoot, oldRoot)) !== null && (await readdir(oldRoot).catch(() => null))?.length === 0) await rmdir(oldRoot).catch(() => undefined);
    return null;
  }
  if (journal.phase === 'prepared') {
    try {
      await rollBackRootMove(repoRoot, journal);
    } finally {
      await lock?.release().catch(() => undefined);
    }
    return { action: 'roll-back', from: journal.from, to: journal.to, reason: `root move of ${journal.from} to ${journal.to} not committed; ${journal.from} kept` };
  }
  await finishRootMove(repoRoot, journal, lock);
  return { action: 'roll-forward', from: journal.from, to: journal.to, reason: `root move of ${journal.from} to ${journal.to} committed; finished` };
}

/** The pending root move's journal, or null. Throws CairnError('invalid-state') for one that is not cairn's. */
export async function readRootMoveJournal(repoRoot: string): Promise<RootMoveJournal | null> {
  let text: string;
  try {
    text = await readFile(journalPath(repoRoot), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const invalid = (why: string): CairnError =>
    new CairnError('invalid-state', `The root move journal ${journalPath(repoRoot)} is not valid: ${why}.`, {
      path: journalPath(repoRoot),
      hint: 'Check which of the two roots holds the migrations and what .planning/config.json names, fix it by hand, then remove the journal.',
    });
  let value;
  try {
    value = parseJson(text);
  } catch (error) {
    throw invalid(messageOf(error));
  }
  if (!isJsonObject(value)) throw invalid('not a JSON object');
  const { version, from, to, phase, to_was_empty_dir: toWasEmptyDir, old_config: oldConfig, new_config: newConfig } = value;
  if (version !== JOURNAL_VERSION) throw invalid(`unknown version ${String(version)}`);
  for (const [name, dir] of [['from', from], ['to', to]] as const) {
    if (typeof dir !== 'string' || migrationsDirProblem(dir) !== null) throw invalid(`"${name}" is not a plain relative path`);
  }
  if (phase !== 'prepared' && phase !== 'committed') throw invalid('unknown phase');
  if (typeof toWasEmptyDir !== 'boolean' || typeof oldConfig !== 'string' || typeof newConfig !== 'string') throw invalid('a field is missing');
  return { version, from: from as string, to: to as string, phase, to_was_empty_dir: toWasEmptyDir, old_config: oldConfig, new_config: newConfig };
}

async function writeJournal(repoRoot: string, journal: RootMoveJournal): Promise<void> {
  const object = parseJson(JSON.stringify(journal)) as JsonObject;
  await writeFileDurable(journalPath(repoRoot), encodeJson(object));
}

async function removeJournal(repoRoot: string): Promise<void> {
  await unlink(journalPath(repoRoot)).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  await fsyncDir(path.dirname(journalPath(repoRoot)));
}

/** Back to the old layout: the installed new root goes, the config is put back, the workspace and journal removed. */
async function rollBackRootMove(repoRoot: string, journal: RootMoveJournal): Promise<void> {
  const work = workPaths(repoRoot);
  const toDir = path.join(repoRoot, journal.to);
  // While staged/ exists, the new root was not installed: whatever is there is not the move's.
  if (!(await pathExists(work.staged)) && (await pathExists(toDir))) {
    await mkdirDurable(work.dir);
    await rm(work.discard, { recursive: true, force: true });
    await renameDurable(toDir, work.discard);
  }
  if (journal.to_was_empty_dir && !(await pathExists(toDir))) await mkdirDurable(toDir);
  await restoreConfig(repoRoot, journal.old_config);
  await removeTreeDurable(work.dir);
  await removeJournal(repoRoot);
}

/** Into the new layout: the config names the new root, the old root is recorded as moved and removed. */
async function finishRootMove(repoRoot: string, journal: RootMoveJournal, lock: HeldLock | null): Promise<void> {
  const work = workPaths(repoRoot);
  const fromDir = path.join(repoRoot, journal.from);
  const toDir = path.join(repoRoot, journal.to);
  await restoreConfig(repoRoot, journal.new_config);
  await recordMovedRoot(repoRoot, journal.from, journal.to);
  if (await pathExists(fromDir)) {
    await mkdirDurable(work.dir);
    await rm(work.old, { recursive: true, force: true });
    // The lock lives in the old root and goes with it: a waiter finds the root gone or recorded as moved.
    await renameDurable(fromDir, work.old);
  }
  await lock?.forget();
  crashPoint('root-move-old-moved-aside');
  for (const slug of await listMigrationSlugs(toDir)) {
    if (!(await pathExists(migrationFiles(path.join(toDir, slug)).manifest))) continue;
    await writePublishedRecordSafely(repoRoot, toDir, slug, await snapshotId(path.join(toDir, slug)));
  }
  await removeTreeDurable(work.dir);
  await removeJournal(repoRoot);
  crashPoint('root-move-done');
}

async function restoreConfig(repoRoot: string, text: string): Promise<void> {
  const configPath = path.join(repoRoot, CONFIG_RELATIVE_PATH);
  const current = await readFile(configPath, 'utf8').catch(() => null);
  if (current !== text) await writeFileDurable(configPath, text);
}

/**
 * Copies everything in the old root but its transactions directory to
 * `dest`, rewriting each migration's recorded paths for the new root, and
 * checks each one as a migration at its new place. Returns the changes with
 * files relative to the repository.
 */
async function buildNewRoot(repoRoot: string, fromDir: string, toDir: string, dest: string): Promise<RenameChange[]> {
  const changes: RenameChange[] = [];
  await mkdirDurable(dest);
  const entries = (await readdir(fromDir, { withFileTypes: true })).filter((entry) => entry.name !== TRANSACTIONS_DIR).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const entry of entries) {
    const source = path.join(fromDir, entry.name);
    const target = path.join(dest, entry.name);
    if (entry.isDirectory()) await copyTreeDurable(source, target);
    else if (entry.isFile()) await writeFileDurable(target, await readFile(source));
    else throw new CairnError('blocked', `Cannot move the migrations root: ${source} is neither a file nor a directory.`, { path: source, hint: 'Remove it or replace it by a regular file, then run `cairn mv --root` again.' });
  }
  const slugs = new Set(await listMigrationSlugs(fromDir));
  const newRel = relativeRoot(repoRoot, toDir);
  for (const slug of [...slugs].sort()) {
    const copy = path.join(dest, slug);
    const rewritten = await rewriteForRename(copy, { repoRoot, fromDir: path.join(fromDir, slug), toDir: path.join(toDir, slug) });
    for (const change of rewritten) changes.push({ ...change, file: `${newRel}/${slug}/${change.file}` });
    const files = migrationFiles(copy);
    if (await pathExists(files.manifest)) await loadManifest(files.manifest);
    if (await pathExists(files.state)) await loadState(files.state, { repoRoot, publishedRoot: path.join(toDir, slug) });
  }
  return changes;
}

/**
 * The config's text with `migrations_dir` set to `to`: the value is replaced
 * in place when it appears once as written, so the file keeps its layout;
 * otherwise the object is written back in cairn's JSON encoding.
 */
function rewriteConfig(text: string, to: string, configPath: string): string {
  const value = parseJson(text);
  if (!isJsonObject(value)) throw new CairnError('invalid-config', `${configPath} is not a JSON object.`, { path: configPath });
  const current = value['migrations_dir'];
  const pattern = /("migrations_dir"\s*:\s*)("(?:[^"\\]|\\.)*")/gu;
  const matches = [...text.matchAll(pattern)];
  if (matches.length === 1 && JSON.parse((matches[0] as RegExpMatchArray)[2] as string) === current) {
    return text.replace(pattern, (_all, key: string) => `${key}${JSON.stringify(to)}`);
  }
  value['migrations_dir'] = to;
  return encodeJson(value);
}

/** The new root as a repo-relative `/` path; refuses one that is not a plain relative path inside the repository. */
function newRootPath(repoRoot: string, given: string): string {
  let value = trimTrailingSlashes(given);
  if (path.isAbsolute(value) && !hasControlCharacter(value)) {
    const relative = path.relative(repoRoot, resolvePath(value));
    if (relative === '' || relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) {
      throw outsideRepository(given, repoRoot);
    }
    value = toPosix(relative);
  }
  const problem = migrationsDirProblem(value);
  if (problem === null) return value;
  if (problem.includes("'..'") || problem.includes('absolute')) throw outsideRepository(given, repoRoot);
  throw new CairnError('usage', `--root ${showMigrationsDir(given)} is not a plain relative path inside the repository: ${problem}.`, {
    hint: 'Give a relative path of ordinary directory names, e.g. `cairn mv --root planning/migrations`.',
  });
}

function outsideRepository(given: string, repoRoot: string): CairnError {
  return new CairnError('blocked', `Cannot move the migrations root to ${showMigrationsDir(given)}: it is outside the repository ${repoRoot}.`, {
    hint: 'The migrations root lives inside the repository; give a path relative to its root, e.g. `cairn mv --root planning/migrations`.',
  });
}

async function refuseOccupied(toDir: string, to: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(toDir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'ENOTDIR') entries = ['?'];
    else throw error;
  }
  if (entries.length === 0) return;
  throw new CairnError('blocked', `Cannot move the migrations root to ${to}: it already exists and is not an empty directory.`, {
    path: toDir,
    hint: 'Choose a directory that does not exist yet (or is empty), or move what is there out of the way first.',
  });
}

function refuseDirty(repoRoot: string, paths: string[]): void {
  // The publish lock this move holds is not a change of the user's.
  const dirty = paths.flatMap((target) => gitDirtyPaths(repoRoot, target) ?? []).filter((entry) => !entry.split('/').includes(TRANSACTIONS_DIR));
  if (dirty.length === 0) return;
  const shown = dirty.slice(0, 5).join(', ') + (dirty.length > 5 ? `, and ${dirty.length - 5} more` : '');
  const where = paths.map((target) => shellWord(toPosix(path.relative(repoRoot, target)))).join(' ');
  throw new CairnError('blocked', `Cannot move the migrations root: it has uncommitted changes (${shown}).`, {
    hint: `Commit them first (\`git add -A -- ${where} && git commit\`), then run \`cairn mv --root\` again, so the move is one clean rename in git.`,
  });
}

async function refuseLeases(repoRoot: string, fromDir: string): Promise<void> {
  for (const slug of await listMigrationSlugs(fromDir)) {
    const holder = await readRunLease(repoRoot, slug);
    if (holder === null || holder.staleness.stale) continue;
    throw new CairnError('blocked', `Cannot move the migrations root: ${describeRunLease(slug, holder)}.`, {
      hint: `Wait for that command to finish (\`cairn status ${shellWord(slug)}\` shows where the migration is), then run \`cairn mv --root\` again.`,
    });
  }
}

async function nearestExisting(dir: string): Promise<string> {
  let current = dir;
  while (!(await pathExists(current))) current = path.dirname(current);
  return current;
}

/**
 * `--commit` after a root move: stages the old root's removal, the new
 * root's addition and the config, and commits only those paths with
 * `cairn: migrations root: move <from> to <to>`. Returns the commit id.
 */
export function commitRootMove(repoRoot: string, from: string, to: string): string {
  const paths = [from, to, toPosix(CONFIG_RELATIVE_PATH)];
  const fail = (what: string, output: string): CairnError =>
    new CairnError('failed', `The move succeeded, but ${what} failed: ${output}`, {
      hint: `Commit the move yourself (git add -A -- ${paths.map(shellWord).join(' ')} && git commit).`,
    });
  const add = runGit(repoRoot, ['add', '-A', '--', ...paths]);
  if (add.status !== 0) throw fail('git add', add.stderr.trim() || add.stdout.trim());
  const commit = runGit(repoRoot, ['commit', '--quiet', '-m', rootCommitMessage(from, to), '--', ...paths]);
  if (commit.status !== 0) throw fail('git commit', commit.stderr.trim() || commit.stdout.trim());
  const head = runGit(repoRoot, ['rev-parse', 'HEAD']);
  if (head.status !== 0) throw fail('git rev-parse HEAD', head.stderr.trim());
  return head.stdout.trim();
}

export function rootCommitMessage(from: string, to: string): string {
  return `cairn: migrations root: move ${from} to ${to}`;
}
