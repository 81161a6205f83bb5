import { lstatSync, readdirSync, statSync, type Dirent, type Stats } from 'node:fs';
import path from 'node:path';
import { isInside, resolvePath, errnoCode } from '../util/index.js';
import { readRegularFileSync } from './regular-file.js';

/*
 * The file system calls the rules make. They are synchronous on purpose: a
 * check touches many tiny files, and for those a thread-pool round trip per
 * call (what `fs/promises` does) costs more than the call itself, which made
 * `doctor --all` several times slower than reading the same files.
 */

export type PathKind = 'missing' | 'file' | 'directory' | 'other';

const GONE = new Set(['ENOENT', 'ENOTDIR', 'ELOOP']);

function errorCode(error: unknown): string | undefined {
  return errnoCode(error);
}

/** What `target` is, following symlinks (Python's `exists()` / `is_file()`); an unreadable path is `other`. */
export function pathKind(target: string): PathKind {
  try {
    const stats = statSync(target);
    if (stats.isFile()) return 'file';
    if (stats.isDirectory()) return 'directory';
    return 'other';
  } catch (error) {
    return GONE.has(errorCode(error) ?? '') ? 'missing' : 'other';
  }
}

/** What an `lstat` tells the rules that ask it: the kind of entry. `Stats` and a listing's `Dirent` both answer. */
export interface EntryType {
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}

/**
 * `lstat` results for the duration of one migration's check, so the
 * components shared by many paths (`.planning`, `.planning/stages`) are
 * looked at once. A directory's listing, once taken, answers for the
 * entries directly in it without an `lstat` of their own.
 */
export class LstatCache {
  private readonly results = new Map<string, EntryType | NodeJS.ErrnoException>();

  /** Takes what the listing `entries` of `dir` says of each entry (a `readdir` with file types). */
  seedListing(dir: string, entries: readonly Dirent[]): void {
    for (const entry of entries) this.results.set(path.join(dir, entry.name), entry);
  }

  // A name the listing does not hold is still looked at: on a case-insensitive or
  // normalizing file system it may name a listed entry by another spelling.
  lstat(target: string): EntryType | NodeJS.ErrnoException {
    let result = this.results.get(target);
    if (result === undefined) {
      try {
        result = lstatSync(target);
      } catch (error) {
        result = error as NodeJS.ErrnoException;
      }
      this.results.set(target, result);
    }
    return result;
  }
}

export type EntryKind = 'missing' | 'symlink' | 'file' | 'other';

/** What `target` itself is, not following a final symlink. */
export function entryKind(target: string, cache: LstatCache = new LstatCache()): EntryKind {
  const stats = cache.lstat(target);
  if (stats instanceof Error) return stats.code === 'ENOENT' || stats.code === 'ENOTDIR' ? 'missing' : 'other';
  if (stats.isSymbolicLink()) return 'symlink';
  return stats.isFile() ? 'file' : 'other';
}

/** The bytes of a regular file (at most 16 MiB), or the error that stopped the read. */
export function readBytes(file: string): { bytes: Buffer } | { error: unknown } {
  try {
    return { bytes: readRegularFileSync(file) };
  } catch (error) {
    return { error };
  }
}

/**
 * The text of a regular file that must be valid UTF-8: null when nothing is
 * there (the read itself says so, no stat first), or the error that stopped
 * the read or the decoding.
 */
export function readStrictText(file: string): { text: string } | { error: unknown } | null {
  return strictTextOf(readBytes(file));
}

/** {@link readStrictText} of what {@link readBytes} already read. */
export function strictTextOf(read: { bytes: Buffer } | { error: unknown }): { text: string } | { error: unknown } | null {
  if ('error' in read) return isGone(read.error) ? null : read;
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(read.bytes) };
  } catch (error) {
    return { error };
  }
}

/** UTF-8 text with undecodable bytes replaced (for scanning ASCII markers and headings). */
export function lenientText(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}

/** The entries of a directory, or the error that stopped the listing. */
export function listDir(dir: string): { entries: Dirent[] } | { error: unknown } {
  try {
    return { entries: readdirSync(dir, { withFileTypes: true }) };
  } catch (error) {
    return { error };
  }
}

/** True for an error meaning the path (or a parent) does not exist. */
/** True for the errors of a read (or stat) that {@link pathKind} reads as `missing`: a symlink loop too. */
export function isGone(error: unknown): boolean {
  return GONE.has(errorCode(error) ?? '');
}

export function isMissing(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * Whether `rel` (relative, no `..` component) names a path inside `dir` once
 * symlinks are resolved, as Python's `(dir / rel).resolve()` checked against
 * `dir.resolve()` (equal counts as inside). Walks the components below
 * `dir`: while none is a symlink the answer is lexical and costs one lstat
 * per component; only a symlink triggers full resolution.
 */
export function staysInside(dir: string, rel: string, cache: LstatCache = new LstatCache()): boolean {
  let current = dir;
  for (const part of rel.split('/')) {
    if (part === '' || part === '.') continue;
    current = path.join(current, part);
    const stats = cache.lstat(current);
    if (stats instanceof Error) return true; // nothing below a missing component can be a symlink
    if (stats.isSymbolicLink()) return isInside(resolvePath(path.join(dir, rel)), resolvePath(dir));
  }
  return true;
}
