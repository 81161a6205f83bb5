import fs from 'node:fs';
import path from 'node:path';
import { CairnError, messageOf, errnoCode } from '../util/index.js';

export type FingerprintKind = 'file' | 'dir' | 'missing' | 'other';

/**
 * What `lstat` says about a path, git-index style. 64-bit values (times in
 * nanoseconds, inode, device) are decimal strings so they survive JSON
 * exactly. A missing path has kind `missing` and zeros elsewhere.
 */
export interface Fingerprint {
  /** Absolute path. */
  path: string;
  kind: FingerprintKind;
  size: number;
  mtimeNs: string;
  ctimeNs: string;
  ino: string;
  dev: string;
  /** Full `st_mode` (type and permission bits). */
  mode: number;
}

/** The fields compared, in the order they are reported. */
export const FINGERPRINT_FIELDS = ['kind', 'size', 'mtimeNs', 'ctimeNs', 'ino', 'dev', 'mode'] as const;
export type FingerprintField = (typeof FINGERPRINT_FIELDS)[number];

const KINDS = new Set(['file', 'dir', 'missing', 'other']);
const DECIMAL = /^\d+$/;

/** True when `value` is a whole fingerprint as stored: an absolute path, a known kind, integers, decimal strings. */
export function isFingerprint(value: unknown): value is Fingerprint {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.path === 'string' &&
    path.isAbsolute(v.path) &&
    typeof v.kind === 'string' &&
    KINDS.has(v.kind) &&
    Number.isSafeInteger(v.size) &&
    Number.isSafeInteger(v.mode) &&
    (['mtimeNs', 'ctimeNs', 'ino', 'dev'] as const).every((k) => typeof v[k] === 'string' && DECIMAL.test(v[k]))
  );
}

function missing(absolute: string): Fingerprint {
  return { path: absolute, kind: 'missing', size: 0, mtimeNs: '0', ctimeNs: '0', ino: '0', dev: '0', mode: 0 };
}

/**
 * Fingerprints `target` without following a final symlink (lstat). A path that
 * does not exist (or has a non-directory parent) gives kind `missing`; any
 * other stat failure throws CairnError('io').
 */
export function fingerprint(target: string): Fingerprint {
  const absolute = path.resolve(target);
  let stat: fs.BigIntStats | undefined;
  try {
    stat = fs.lstatSync(absolute, { bigint: true, throwIfNoEntry: false });
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOTDIR' || code === 'ENOENT') return missing(absolute);
    throw new CairnError('io', `Cannot stat ${absolute}: ${messageOf(error)}`, { path: absolute, cause: error });
  }
  if (stat === undefined) return missing(absolute);
  return fromStats(absolute, stat);
}

/**
 * The fingerprint of `target` from stat fields already taken: an `lstat` of
 * it, or the `fstat` of the regular file opened at it. (Had `target` been a
 * symlink, the opened file's fields describe the link's target, and a later
 * `fingerprint(target)` sees a symlink: the two never match, so nothing
 * computed from it is trusted, as it should not be.)
 */
export function fingerprintOfStats(target: string, stat: fs.BigIntStats): Fingerprint {
  return fromStats(path.resolve(target), stat);
}

function fromStats(absolute: string, stat: fs.BigIntStats): Fingerprint {
  const kind: FingerprintKind = stat.isFile() ? 'file' : stat.isDirectory() ? 'dir' : 'other';
  return {
    path: absolute,
    kind,
    size: Number(stat.size),
    mtimeNs: stat.mtimeNs.toString(),
    ctimeNs: stat.ctimeNs.toString(),
    ino: stat.ino.toString(),
    dev: stat.dev.toString(),
    mode: Number(stat.mode),
  };
}

/** Fields in which two fingerprints of the same path differ (only `kind` when the kind changed). */
export function fingerprintDifferences(before: Fingerprint, now: Fingerprint): FingerprintField[] {
  if (before.kind !== now.kind) return ['kind'];
  return FINGERPRINT_FIELDS.filter((field) => before[field] !== now[field]);
}
