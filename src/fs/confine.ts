import { lstatSync, realpathSync, type Stats } from 'node:fs';
import path from 'node:path';
import { CairnError, errnoCode, isInside } from '../util/index.js';
import { specialFileKind } from './regular-file.js';

/*
 * The path rule (docs/security.md §1): cairn reads and writes only regular
 * files and directories inside the repository. A repository can commit a
 * symlink where cairn expects one of its own directories (`.planning/work`,
 * `__transactions__`) or files (`.planning/taste.md`); following it would
 * make cairn read, write or delete outside the repository. Every path cairn
 * opens, creates or deletes under the project is checked here first,
 * component by component, without following a link out of `root`.
 */

/** What `target` should be when it exists. */
export type ConfinedKind = 'file' | 'directory' | 'any';

/** Why a path under the repository may not be used. */
export interface ConfinementProblem {
  /** The offending component, absolute. */
  path: string;
  /** `symlink-outside`, `symlink` (with `links: 'refuse'`), `special-file`, `not-directory` or `outside-root`. */
  reason: 'symlink-outside' | 'symlink' | 'special-file' | 'not-directory' | 'outside-root';
  /** One sentence, e.g. "`.planning/work` is a symbolic link to /tmp/x, outside the repository". */
  message: string;
}

/**
 * The first reason `target` may not be used below `root`, or null when it may.
 * Every component from `root` down is looked at with lstat: a symlink whose
 * target resolves outside `root` is refused (one that stays inside is
 * followed); an intermediate component that is not a directory, or a final
 * one that is not what `kind` asks (`any` refuses only FIFOs, devices and
 * sockets), is refused. Missing components are fine: nothing below them
 * exists yet. `root` itself is trusted as given. With `links: 'refuse'`
 * every symlink is refused, wherever it leads (for files only cairn writes).
 */
export function confinementProblem(
  root: string,
  target: string,
  kind: ConfinedKind = 'any',
  links: 'follow-inside' | 'refuse' = 'follow-inside',
): ConfinementProblem | null {
  const absRoot = path.resolve(root);
  const absTarget = path.resolve(absRoot, target);
  const show = (p: string): string => path.relative(absRoot, p) || '.';
  if (!isInside(absTarget, absRoot)) {
    return { path: absTarget, reason: 'outside-root', message: `${absTarget} is outside ${absRoot}` };
  }
  const parts = path.relative(absRoot, absTarget).split(path.sep).filter((part) => part !== '');
  let realRoot: string | null = null;
  let current = absRoot;
  for (let index = 0; index < parts.length; index++) {
    current = path.join(current, parts[index] as string);
    const last = index === parts.length - 1;
    let stats;
    try {
      stats = lstatSync(current);
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') return null;
      throw error;
    }
    if (stats.isSymbolicLink() && links === 'refuse') {
      return { path: current, reason: 'symlink', message: `\`${show(current)}\` is a symbolic link` };
    }
    if (stats.isSymbolicLink()) {
      realRoot ??= realpathSync(absRoot);
      let resolved: string;
      try {
        resolved = realpathSync(current);
      } catch {
        // a dangling or looping link: whatever it names, cairn would create it outside its reach
        return { path: current, reason: 'symlink-outside', message: `\`${show(current)}\` is a symbolic link that does not resolve` };
      }
      if (!isInside(resolved, realRoot)) {
        return {
          path: current,
          reason: 'symlink-outside',
          message: `\`${show(current)}\` is a symbolic link to ${resolved}, outside the repository`,
        };
      }
      try {
        stats = lstatSync(resolved);
      } catch {
        return null;
      }
    }
    if (!last && !stats.isDirectory()) {
      return { path: current, reason: 'not-directory', message: `\`${show(current)}\` is ${specialFileKind(stats)}, not a directory` };
    }
    if (last) {
      if (kind === 'directory' && !stats.isDirectory()) {
        return { path: current, reason: 'not-directory', message: `\`${show(current)}\` is ${describe(stats)}, not a directory` };
      }
      if (kind === 'file' && !stats.isFile()) {
        return { path: current, reason: 'special-file', message: `\`${show(current)}\` is ${describe(stats)}, not a regular file` };
      }
      if (!stats.isFile() && !stats.isDirectory()) {
        return { path: current, reason: 'special-file', message: `\`${show(current)}\` is ${describe(stats)}` };
      }
    }
  }
  return null;
}

function describe(stats: Stats): string {
  return stats.isFile() ? 'a regular file' : specialFileKind(stats);
}

/**
 * Throws `CairnError('unsafe-path')` (exit 2) when {@link confinementProblem}
 * finds one; `what` names the path's role ("the workspace directory").
 */
export function assertConfined(root: string, target: string, what: string, kind: ConfinedKind = 'any'): void {
  const problem = confinementProblem(root, target, kind);
  if (problem === null) return;
  throw new CairnError('unsafe-path', `Refusing to use ${what}: ${problem.message}.`, {
    path: problem.path,
    hint: `cairn reads and writes only regular files and directories inside the repository. Remove or replace ${problem.path} (it may have come from a commit), then run the command again.`,
  });
}
