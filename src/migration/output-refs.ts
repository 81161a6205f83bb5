import { lstatSync } from 'node:fs';
import path from 'node:path';
import { CairnError, hasParentTraversal, isInside, purePosix, resolvePathWith } from '../util/index.js';
import { pyRepr } from '../json/index.js';
import { specialFileKind } from '../fs/index.js';

/*
 * Output refs (docs/format.md §5.6): every accepted step records its
 * stdout as a POSIX path relative to the repository root, naming the file's
 * published (live) location, e.g.
 * `migrations/<slug>/.planning/stages/expand.stdout.md`.
 */

/** Where refs are checked: the repository, the state file, and optionally the live migration dir. */
export interface OutputRefContext {
  repoRoot: string;
  /** `<migration>/.planning/state.json` of the copy being validated. */
  stateFile: string;
  /**
   * The live directory of this migration. When given, refs must point inside
   * it and are read from the same relative path under the migration dir being
   * validated (how a workspace copy validates refs naming the live location).
   */
  publishedRoot?: string;
}

function refError(message: string): CairnError {
  return new CairnError('invalid-state', message);
}

function mustBeRepoRelative(ref: string): CairnError {
  return refError(`Planning output path ${pyRepr(ref)} must be repo-relative`);
}

/**
 * Checks a ref's syntax: not empty, not `.`, not absolute, no `..`
 * component. Throws `CairnError('invalid-state')`.
 */
export function checkOutputRefSyntax(ref: string): void {
  const normal = purePosix(ref);
  if (ref === '' || normal === '.' || normal.startsWith('/') || hasParentTraversal(ref)) {
    throw mustBeRepoRelative(ref);
  }
}

/** The migration directory a state file belongs to: the parent of its `.planning`. */
export function migrationDirOfStateFile(stateFile: string): string {
  return path.dirname(path.dirname(path.resolve(stateFile)));
}

/**
 * Checks `ref` against every output ref rule and returns the absolute path of
 * the file to read for it. Throws `CairnError('invalid-state')` with the
 * message of docs/format.md §5.6 for the first rule broken (syntax, containment in the
 * resolved repository, in the published root, in the migration dir, symlink,
 * missing or not a regular file). `resolved`: directories already resolved
 * (`resolvePathWith`), shared by the refs of one state.
 */
export function resolveOutputRef(ref: string, ctx: OutputRefContext, resolved: Map<string, string> = new Map()): string {
  checkOutputRefSyntax(ref);
  const repoRoot = resolvePathWith(ctx.repoRoot, resolved);
  const unresolved = path.join(path.resolve(ctx.repoRoot), ref);
  const target = resolvePathWith(unresolved, resolved);
  if (!isInside(target, repoRoot)) throw mustBeRepoRelative(ref);

  const migrationDir = migrationDirOfStateFile(ctx.stateFile);
  let mapped = unresolved;
  if (ctx.publishedRoot !== undefined) {
    const publishedRoot = resolvePathWith(ctx.publishedRoot, resolved);
    if (!isInside(target, publishedRoot)) {
      throw refError(`Planning output path ${pyRepr(ref)} must stay inside the published migration directory`);
    }
    mapped = path.join(migrationDir, path.relative(publishedRoot, target));
  }
  if (!isInside(resolvePathWith(mapped, resolved), resolvePathWith(migrationDir, resolved))) {
    throw refError(`Planning output path ${pyRepr(ref)} must stay inside the migration directory`);
  }
  let isFile = false;
  try {
    const stats = lstatSync(mapped);
    if (stats.isSymbolicLink()) {
      throw refError(`Planning output path ${pyRepr(ref)} must be a regular file, not a symlink`);
    }
    // a directory stays "missing" as in v1; a FIFO or device is named
    if (!stats.isFile() && !stats.isDirectory()) {
      throw refError(`Planning output path ${pyRepr(ref)} must be a regular file, not ${specialFileKind(stats)}`);
    }
    isFile = stats.isFile();
  } catch (error) {
    if (error instanceof CairnError) throw error;
    isFile = false;
  }
  if (!isFile) throw refError(`missing planning output: ${ref}`);
  return mapped;
}
