import { lstatSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { hasUnsafeNameCharacter } from './visible.js';

/*
 * Path helpers with the semantics of Python's pathlib / os.path, which the v1
 * format's rules are written in (docs/format.md §1.2).
 */

/**
 * A path segment that is not hidden (docs/format.md §2.4): non-empty, equal to
 * its own last path component (no `/`), not starting with `.` and not
 * starting with `__`. A directory of the live root with such a name is a
 * migration directory, listed even when its name is unsafe.
 */
export function isVisibleSegment(segment: string): boolean {
  return segment !== '' && !segment.includes('/') && !segment.startsWith('.') && !segment.startsWith('__');
}

/**
 * A safe slug / path segment (docs/format.md §2.4): a visible segment that
 * holds no control, bidi, invisible format character or lone surrogate.
 */
export function isSafeSegment(segment: string): boolean {
  return isVisibleSegment(segment) && !hasUnsafeNameCharacter(segment);
}

/** True when any `/`-separated component of `p` is `..`. */
export function hasParentTraversal(p: string): boolean {
  return p.split('/').includes('..');
}

/** `p` with the platform separator replaced by `/`. */
export function toPosix(p: string): string {
  return path.sep === '/' ? p : p.split(path.sep).join('/');
}

/**
 * `str(PurePosixPath(p))`: repeated slashes collapsed (a leading `//` is kept,
 * as POSIX allows), `.` components dropped, trailing slash removed, `..` kept
 * as is; the empty path is `.`.
 */
export function purePosix(p: string): string {
  let root = '';
  if (p.startsWith('//') && !p.startsWith('///')) root = '//';
  else if (p.startsWith('/')) root = '/';
  const parts = p.split('/').filter((part) => part !== '' && part !== '.');
  const joined = root + parts.join('/');
  return joined === '' ? '.' : joined;
}

/**
 * True when `child` is `parent` or lies below it (`Path.is_relative_to`).
 * Both must already be absolute and resolved; the test is purely lexical.
 */
export function isInside(child: string, parent: string): boolean {
  if (child === parent) return true;
  const prefix = parent.endsWith(path.sep) ? parent : parent + path.sep;
  return child.startsWith(prefix);
}

/**
 * `os.path.realpath(p)` (non-strict), i.e. `Path(p).resolve()`: made absolute,
 * then every component resolved left to right, following symlinks (a `..`
 * after a symlink applies to the link's target, unlike `path.resolve`).
 * Components that do not exist are appended as they are; a symlink loop
 * stops resolution and the rest of the path is appended unresolved.
 */
export function resolvePath(p: string): string {
  const seen = new Map<string, string | null>();
  const start = path.isAbsolute(p) ? '' : process.cwd();
  const [resolved] = joinReal(start === '' ? '/' : start, p, seen);
  return resolved;
}

/**
 * `resolvePath(p)`, reusing the directories already resolved in `resolved`
 * (and adding those it resolves): for many paths under the same directories,
 * each directory is walked once. Only prefixes that resolved completely (no
 * symlink loop) are kept, so the answer is always `resolvePath`'s.
 */
export function resolvePathWith(p: string, resolved: Map<string, string>): string {
  if (!path.isAbsolute(p)) return resolvePath(p);
  return resolveCached(p, resolved)[0];
}

/**
 * `resolvePathWith(p, resolved)` for an absolute, normalized `p` whose last
 * component the caller has just found (by `lstat`) to exist and not be a
 * symlink: its directory is resolved as usual and the name appended, without
 * the `lstat` of that last component resolving would make again. Null where
 * that shortcut does not apply (the root, an unusual last component, a
 * directory that does not resolve completely); take `resolvePathWith` then.
 */
export function resolveLeafWith(p: string, resolved: Map<string, string>): string | null {
  const hit = resolved.get(p);
  if (hit !== undefined) return hit;
  const slash = p.lastIndexOf('/');
  const name = p.slice(slash + 1);
  if (slash <= 0 || name === '' || name === '.' || name === '..') return null;
  const [dir, ok] = resolveCached(p.slice(0, slash), resolved);
  if (!ok) return null;
  const result = dir === '/' ? `/${name}` : `${dir}/${name}`;
  resolved.set(p, result);
  return result;
}

/**
 * `roots` (the repository, the live root) resolved, to seed a copy of for
 * each of many checks under them (`new Map(seed)` for `resolvePathWith`), so
 * a scan resolves them once instead of once per migration.
 */
export function resolvedRoots(...roots: string[]): ReadonlyMap<string, string> {
  const resolved = new Map<string, string>();
  for (const root of roots) resolvePathWith(path.resolve(root), resolved);
  return resolved;
}

function resolveCached(p: string, resolved: Map<string, string>): [string, boolean] {
  const hit = resolved.get(p);
  if (hit !== undefined) return [hit, true];
  const slash = p.lastIndexOf('/');
  let result: [string, boolean];
  if (slash <= 0) {
    result = joinReal('/', p, new Map());
  } else {
    const [dir, ok] = resolveCached(p.slice(0, slash), resolved);
    const name = p.slice(slash + 1);
    result = ok ? joinReal(dir, name, new Map()) : [joinRest(dir, name), false];
  }
  if (result[1]) resolved.set(p, result[0]);
  return result;
}

function joinReal(base: string, rest: string, seen: Map<string, string | null>): [string, boolean] {
  let current = base;
  let remaining = rest;
  if (remaining.startsWith('/')) {
    current = '/';
    remaining = remaining.replace(/^\/+/, '');
  }
  while (remaining !== '') {
    const slash = remaining.indexOf('/');
    const name = slash < 0 ? remaining : remaining.slice(0, slash);
    remaining = slash < 0 ? '' : remaining.slice(slash + 1);
    if (name === '' || name === '.') continue;
    if (name === '..') {
      current = path.posix.dirname(current);
      continue;
    }
    const next = current === '/' ? `/${name}` : `${current}/${name}`;
    let isLink = false;
    try {
      isLink = lstatSync(next).isSymbolicLink();
    } catch {
      isLink = false;
    }
    if (!isLink) {
      current = next;
      continue;
    }
    if (seen.has(next)) {
      const known = seen.get(next);
      if (known !== null && known !== undefined) {
        current = known;
        continue;
      }
      return [joinRest(next, remaining), false];
    }
    seen.set(next, null);
    let target: string;
    try {
      target = readlinkSync(next);
    } catch {
      current = next;
      continue;
    }
    const [linked, ok] = joinReal(current, target, seen);
    if (!ok) return [joinRest(linked, remaining), false];
    seen.set(next, linked);
    current = linked;
  }
  return [current, true];
}

function joinRest(base: string, rest: string): string {
  if (rest === '') return base;
  return base.endsWith('/') ? base + rest : `${base}/${rest}`;
}
