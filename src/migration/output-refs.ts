import { lstatSync, type Stats } from 'node:fs';
import path from 'node:path';
import { CairnError, hasParentTraversal, isInside, purePosix, resolveLeafWith, resolvePathWith } from '../util/index.js';
import { pyRepr } from '../json/index.js';
import { specialFileKind, type EntryType, type LstatCache } from '../fs/index.js';

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
  /** `lstat`s already taken moments ago, by a check of the same migration, to use instead of taking them again. */
  lstats?: LstatCache;
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
  return outputRefResolver(ctx, resolved)(ref);
}

/** The lstat of `file`, or null when it cannot be taken. */
function lstatOrNull(file: string): Stats | null {
  try {
    return lstatSync(file);
  } catch {
    return null;
  }
}

/** What `file` is, from `lstats` when given, or null when it cannot be looked at. */
function entryOrNull(file: string, lstats: LstatCache | undefined): EntryType | null {
  if (lstats === undefined) return lstatOrNull(file);
  const entry = lstats.lstat(file);
  return entry instanceof Error ? null : entry;
}

/**
 * {@link resolveOutputRef} for the refs of one state: the roots every ref is
 * checked against are resolved once, on the first ref, and each ref's file
 * is looked at once.
 */
export function outputRefResolver(ctx: OutputRefContext, resolved: Map<string, string> = new Map()): (ref: string) => string {
  let roots: { repoRoot: string; absoluteRepoRoot: string; migrationDir: string; resolvedMigrationDir: string; publishedRoot: string | undefined } | undefined;
  return (ref) => {
    checkOutputRefSyntax(ref);
    if (roots === undefined) {
      const migrationDir = migrationDirOfStateFile(ctx.stateFile);
      roots = {
        repoRoot: resolvePathWith(ctx.repoRoot, resolved),
        absoluteRepoRoot: path.resolve(ctx.repoRoot),
        migrationDir,
        resolvedMigrationDir: resolvePathWith(migrationDir, resolved),
        publishedRoot: ctx.publishedRoot === undefined ? undefined : resolvePathWith(ctx.publishedRoot, resolved),
      };
    }
    const unresolved = path.join(roots.absoluteRepoRoot, ref);
    // Resolving the path would lstat its file too: when that file is no symlink, one look does for both.
    const leaf = entryOrNull(unresolved, ctx.lstats);
    const target = (leaf !== null && !leaf.isSymbolicLink() ? resolveLeafWith(unresolved, resolved) : null) ?? resolvePathWith(unresolved, resolved);
    if (!isInside(target, roots.repoRoot)) throw mustBeRepoRelative(ref);

    let mapped = unresolved;
    if (roots.publishedRoot !== undefined) {
      if (!isInside(target, roots.publishedRoot)) {
        throw refError(`Planning output path ${pyRepr(ref)} must stay inside the published migration directory`);
      }
      mapped = path.join(roots.migrationDir, path.relative(roots.publishedRoot, target));
    }
    if (!isInside(resolvePathWith(mapped, resolved), roots.resolvedMigrationDir)) {
      throw refError(`Planning output path ${pyRepr(ref)} must stay inside the migration directory`);
    }
    const stats = mapped === unresolved ? leaf : entryOrNull(mapped, ctx.lstats);
    if (stats?.isSymbolicLink() === true) {
      throw refError(`Planning output path ${pyRepr(ref)} must be a regular file, not a symlink`);
    }
    // a directory stays "missing" as in v1; a FIFO or device is named (by a look of its own)
    if (stats !== null && !stats.isFile() && !stats.isDirectory()) {
      const special = lstatOrNull(mapped);
      if (special !== null) throw refError(`Planning output path ${pyRepr(ref)} must be a regular file, not ${specialFileKind(special)}`);
    }
    if (stats === null || !stats.isFile()) throw refError(`missing planning output: ${ref}`);
    return mapped;
  };
}
