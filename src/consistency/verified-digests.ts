/**
 * Digests of stage outputs verified earlier, which doctor's `.planning/sums`
 * rule may take instead of reading and hashing a file. The record lives in
 * the local store, which this layer does not open itself: a front end (or a
 * worker thread running doctor's checks) provides the opener once, and the
 * checks name the store only by its path, so they can run in any thread,
 * each opening its own reader on first use. Without an opener every file is
 * read, and the findings are the same either way.
 */
export interface VerifiedDigests {
  /**
   * True only when a record still vouches that `file` (absolute, below
   * `liveRoot`, checked to be a regular file) has the SHA-256 `sha256`.
   */
  matches(liveRoot: string, file: string, sha256: string): boolean;
  /** True when the store holds any record below `liveRoot` (a `cairn index` ran for it). */
  holdsAny(liveRoot: string): boolean;
  close(): void;
}

/** Opens the verified digests of the store at a path; must never throw. */
export type VerifiedDigestsOpener = (storePath: string) => VerifiedDigests;

let opener: VerifiedDigestsOpener | null = null;
const opened = new Map<string, VerifiedDigests>();

/** Sets how this thread opens verified digests from a store path. */
export function provideVerifiedDigests(open: VerifiedDigestsOpener): void {
  opener = open;
}

/** This thread's reader of the store at `storePath`, opened on first use; null without a path or an opener. */
export function verifiedDigestsAt(storePath: string | undefined): VerifiedDigests | null {
  if (storePath === undefined || opener === null) return null;
  let digests = opened.get(storePath);
  if (digests === undefined) {
    digests = opener(storePath);
    opened.set(storePath, digests);
  }
  return digests;
}

/** Closes this thread's readers; the next check opens them again. */
export function closeVerifiedDigests(): void {
  for (const digests of opened.values()) digests.close();
  opened.clear();
}
