import fs from 'node:fs';
import path from 'node:path';
import { CairnError, errnoCode } from '../util/index.js';
import { FINGERPRINT_FIELDS, isFingerprint, type Fingerprint } from './fingerprint.js';
import { isIndexEntryFresh, trustedBeforeNs, type FreshnessOptions } from './freshness.js';

/*
 * The stored form of an index entry's deps: one array per fingerprint, its
 * path and then the fingerprint fields in FINGERPRINT_FIELDS order (so stored
 * JSON is stable), the path relative to the live root when inside it.
 * Earlier versions stored one object per fingerprint with an absolute path;
 * both are read.
 */

/** The JSON text stored for `deps` under `root` (a resolved path). */
export function depsJson(root: string, deps: readonly Fingerprint[], slug: string): string {
  if (!Array.isArray(deps)) throw new CairnError('invalid-input', `deps of "${slug}" must be an array of fingerprints.`);
  const prefix = root.endsWith(path.sep) ? root : root + path.sep;
  return JSON.stringify(
    deps.map((dep, i) => {
      if (!isFingerprint(dep)) throw new CairnError('invalid-input', `deps[${i}] of "${slug}" is not a fingerprint.`);
      const stored: unknown[] = [dep.path.startsWith(prefix) ? dep.path.slice(prefix.length) : dep.path];
      for (const field of FINGERPRINT_FIELDS) stored.push(dep[field]);
      return stored;
    }),
  );
}

/** A stored dependency as a fingerprint (either stored form), or null when it is neither. */
export function storedFingerprint(root: string, stored: unknown): Fingerprint | null {
  if (!Array.isArray(stored)) return isFingerprint(stored) ? stored : null;
  if (stored.length !== FINGERPRINT_FIELDS.length + 1 || typeof stored[0] !== 'string' || stored[0] === '') return null;
  const dep: Record<string, unknown> = { path: path.isAbsolute(stored[0]) ? stored[0] : path.join(root, stored[0]) };
  FINGERPRINT_FIELDS.forEach((field, i) => {
    dep[field] = stored[i + 1];
  });
  return isFingerprint(dep) ? dep : null;
}

const LSTAT = { bigint: true, throwIfNoEntry: false } as const;
const { S_IFMT, S_IFREG, S_IFDIR } = fs.constants;
const STORED_LENGTH = FINGERPRINT_FIELDS.length + 1;

/**
 * True when `stored`, appended to the root's prefix (or, when absolute, as
 * it is), is already the path `path.join`/`path.resolve` would make of it:
 * POSIX separators and no empty, `.` or `..` segment, no trailing separator.
 * Anything else (including every path on Windows) takes the general route.
 */
function isPlainPath(stored: string): boolean {
  return (
    path.sep === '/' &&
    stored !== '' &&
    !stored.includes('//') &&
    !stored.includes('./') &&
    !stored.endsWith('.') &&
    !stored.endsWith('/')
  );
}

const FRESH = 0;
const STALE = 1;
const GENERAL = 2;
type DepVerdict = typeof FRESH | typeof STALE | typeof GENERAL;

/**
 * One stored dep (compact form) against a fresh lstat of its path, compared
 * field by field without building fingerprints. Every field must equal the
 * live one, so a field stored in a form `storedFingerprint` rejects (a kind
 * it does not know, a size that is not an integer, a time that is not a
 * decimal string) never compares equal: no separate validation is needed,
 * except that the live values must be ones a fingerprint can hold (not
 * negative). GENERAL: not in the plain compact form, decide by fingerprints.
 */
function storedDepVerdict(prefix: string, dep: unknown, trustedBefore: bigint): DepVerdict {
  if (!Array.isArray(dep) || dep.length !== STORED_LENGTH) return GENERAL;
  const stored = dep[0];
  if (typeof stored !== 'string' || !isPlainPath(stored)) return GENERAL;
  let stat: fs.BigIntStats | undefined;
  try {
    stat = fs.lstatSync(stored.charCodeAt(0) === 47 ? stored : prefix + stored, LSTAT);
  } catch (error) {
    const code = errnoCode(error);
    if (code !== 'ENOENT' && code !== 'ENOTDIR') return STALE;
  }
  if (stat === undefined) {
    // A missing dep is fresh while it is still missing; no racy rule for it.
    return dep[1] === 'missing' && dep[2] === 0 && dep[3] === '0' && dep[4] === '0' && dep[5] === '0' && dep[6] === '0' && dep[7] === 0
      ? FRESH
      : STALE;
  }
  const mode = Number(stat.mode);
  const type = mode & S_IFMT;
  const kind = type === S_IFREG ? 'file' : type === S_IFDIR ? 'dir' : 'other';
  if (dep[1] !== kind || dep[2] !== Number(stat.size) || dep[7] !== mode) return STALE;
  const { mtimeNs, ctimeNs, ino, dev } = stat;
  if (mtimeNs < 0n || ctimeNs < 0n || ino < 0n || dev < 0n) return STALE;
  if (dep[3] !== mtimeNs.toString() || dep[4] !== ctimeNs.toString() || dep[5] !== ino.toString() || dep[6] !== dev.toString()) return STALE;
  return mtimeNs >= trustedBefore || ctimeNs >= trustedBefore ? STALE : FRESH;
}

/**
 * Whether the stored deps of an entry (parsed JSON of either stored form)
 * are fresh: the same answer as decoding them with `storedFingerprint` and
 * asking `isIndexEntryFresh` (an entry that does not decode is never fresh),
 * but with one lstat per dep and no fingerprint built, for deps in the plain
 * compact form. `prefix`: the live root with a trailing separator.
 */
export function storedDepsFresh(root: string, prefix: string, stored: unknown, recordedAtMs: number, options: FreshnessOptions = {}): boolean {
  if (!Array.isArray(stored)) return false;
  const trustedBefore = trustedBeforeNs(recordedAtMs, options);
  for (let i = 0; i < stored.length; i++) {
    const verdict = storedDepVerdict(prefix, stored[i], trustedBefore);
    if (verdict === STALE) return false;
    if (verdict === GENERAL) {
      const deps: Fingerprint[] = [];
      for (const item of stored) {
        const dep = storedFingerprint(root, item);
        if (dep === null) return false;
        deps.push(dep);
      }
      return isIndexEntryFresh({ deps, recordedAtMs }, options);
    }
  }
  return true;
}
