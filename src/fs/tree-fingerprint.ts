import { createHash } from 'node:crypto';
import { closeSync, readSync } from 'node:fs';
import { CairnError, messageOf } from '../util/index.js';
import { openRegularFileSync } from './regular-file.js';
import { ioFailure, walkTree } from './tree.js';

/**
 * What a tree holds, path by path: relative POSIX path → `dir <mode>`,
 * `file <mode> <sha256>`, `symlink` or `other` (mode: the lower 12 bits of
 * st_mode in octal). Two fingerprints of the same tree are equal; any
 * added, removed or rewritten entry, or a changed mode, shows as a
 * different value under its path.
 */
export type TreeFingerprint = Record<string, string>;

/**
 * Fingerprints the tree under `root` without following symlinks (a symlink
 * is recorded as such, never read). Meant for the small trees of one
 * migration. I/O failures are CairnError('io').
 */
export async function fingerprintTree(root: string): Promise<TreeFingerprint> {
  const entries = await walkTree(root, ioFailure);
  // A null prototype: a file named `__proto__` is an ordinary key.
  const fingerprint = Object.create(null) as TreeFingerprint;
  for (const entry of entries) {
    const mode = entry.mode.toString(8);
    if (entry.kind === 'dir') fingerprint[entry.rel] = `dir ${mode}`;
    else if (entry.kind === 'file') fingerprint[entry.rel] = `file ${mode} ${fileSha256(entry.abs)}`;
    else fingerprint[entry.rel] = entry.kind;
  }
  return fingerprint;
}

const CHUNK_BYTES = 1 << 18;

function fileSha256(file: string): string {
  try {
    const { fd } = openRegularFileSync(file, { noFollow: true });
    try {
      const hash = createHash('sha256');
      const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
      for (let read = readSync(fd, chunk); read > 0; read = readSync(fd, chunk)) hash.update(chunk.subarray(0, read));
      return hash.digest('hex');
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw new CairnError('io', `Could not read ${file}: ${messageOf(error)}`, { path: file, cause: error });
  }
}
