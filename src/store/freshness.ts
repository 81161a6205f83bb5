import { messageOf } from '../util/index.js';
import { fingerprint, fingerprintDifferences, type Fingerprint, type FingerprintField } from './fingerprint.js';

/**
 * Default racy window: a dependency changed less than this long before its
 * entry was recorded could change again without its timestamps moving
 * (coarse-timestamp filesystems), so it is never trusted.
 */
export const RACY_WINDOW_MS = 2000;

/** The part of an index entry that freshness depends on. */
export interface FreshnessInput {
  readonly deps: readonly Fingerprint[];
  /** When the deps were fingerprinted (ms since the epoch, taken before the first lstat). */
  readonly recordedAtMs: number;
}

/** Why an index entry cannot be trusted; null from `indexEntryStaleness` means fresh. */
export type Staleness =
  | { readonly reason: 'changed'; readonly path: string; readonly fields: FingerprintField[] }
  | { readonly reason: 'racy'; readonly path: string }
  | { readonly reason: 'unreadable'; readonly path: string; readonly message: string };

export interface FreshnessOptions {
  /** Default RACY_WINDOW_MS. */
  racyWindowMs?: number;
}

/** Times (ns since the epoch) strictly before this are outside the racy window of an entry recorded at `recordedAtMs`. */
export function trustedBeforeNs(recordedAtMs: number, options: FreshnessOptions = {}): bigint {
  const windowMs = options.racyWindowMs ?? RACY_WINDOW_MS;
  return (BigInt(Math.floor(recordedAtMs)) - BigInt(Math.ceil(windowMs))) * 1_000_000n;
}

/**
 * Restats every dependency of an index entry and returns the first reason it
 * cannot be trusted, or null when it is fresh. Fresh means: every field
 * (kind, size, mtime, ctime, inode, device, mode) is unchanged, and no
 * existing dependency is racy: its mtime and ctime are both strictly older
 * than `recordedAtMs − racyWindowMs` (the git index rule, applied to ctime as
 * well so a content change that restores the mtime inside one timestamp tick
 * is not trusted). Never decides by mtime alone.
 */
export function indexEntryStaleness(entry: FreshnessInput, options: FreshnessOptions = {}): Staleness | null {
  const trustedBefore = trustedBeforeNs(entry.recordedAtMs, options);
  for (const dep of entry.deps) {
    let now: Fingerprint;
    try {
      now = fingerprint(dep.path);
    } catch (error) {
      return { reason: 'unreadable', path: dep.path, message: messageOf(error) };
    }
    const fields = fingerprintDifferences(dep, now);
    if (fields.length > 0) return { reason: 'changed', path: dep.path, fields };
    if (dep.kind !== 'missing' && (BigInt(dep.mtimeNs) >= trustedBefore || BigInt(dep.ctimeNs) >= trustedBefore)) {
      return { reason: 'racy', path: dep.path };
    }
  }
  return null;
}

/** True when `indexEntryStaleness` finds nothing: the entry's row may be used as is. */
export function isIndexEntryFresh(entry: FreshnessInput, options: FreshnessOptions = {}): boolean {
  return indexEntryStaleness(entry, options) === null;
}
