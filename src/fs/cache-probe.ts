import { closeSync, constants, fstatSync, lstatSync, openSync, readSync } from 'node:fs';
import path from 'node:path';

/*
 * Reading ahead pays when the files are on the disk and costs a core when
 * they are already in the page cache (a fresh clone, a second run). Which it
 * is shows in how long a few reads take: a read from the cache takes
 * microseconds, one from the disk a large fraction of a millisecond.
 */

/** Directories sampled, spread over the list. */
const SAMPLES = 16;
/** At most this many directories are looked at to find the samples (the probe file may be missing in some). */
const LOOKED_AT = 64;
/** Fewer timed reads than this tell nothing: the files count as on the disk. */
const ENOUGH = 4;
/** A median read slower than this (microseconds) is a read from the disk. */
const DISK_READ_MICROS = 100;
/** Only this much of a sampled file is read. */
const READ_BYTES = 16 * 1024;

const FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY | constants.O_NOFOLLOW;

/**
 * How long reading `file` (a regular file directly in a real directory,
 * no symlink followed) took, in microseconds; null when it is not such a
 * file or cannot be read.
 */
function timedRead(dir: string, file: string, buffer: Buffer): number | null {
  try {
    if (!lstatSync(dir).isDirectory()) return null;
  } catch {
    return null;
  }
  const start = process.hrtime.bigint();
  let fd: number;
  try {
    fd = openSync(path.join(dir, file), FLAGS);
  } catch {
    return null;
  }
  try {
    if (!fstatSync(fd).isFile()) return null;
    readSync(fd, buffer, 0, buffer.length, 0);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
  return Number(process.hrtime.bigint() - start) / 1000;
}

/**
 * True when the file `file` of a sample of `directories` (relative to each)
 * reads at page-cache speed, so the files a scan of them reads are most
 * likely cached as well. The sampled files are read, a few KiB each.
 */
export function filesLookCached(directories: readonly string[], file: string): boolean {
  // Only a name directly in each directory: a component between could be a symlink out of it.
  if (file === '' || file.includes('/') || file === '.' || file === '..') return false;
  const times: number[] = [];
  const step = Math.max(1, Math.floor(directories.length / LOOKED_AT));
  const buffer = Buffer.allocUnsafe(READ_BYTES);
  for (let i = 0; i < directories.length && times.length < SAMPLES && i / step < LOOKED_AT; i += step) {
    const micros = timedRead(directories[i] as string, file, buffer);
    if (micros !== null) times.push(micros);
  }
  if (times.length < ENOUGH) return false;
  times.sort((a, b) => a - b);
  return (times[Math.floor(times.length / 2)] as number) < DISK_READ_MICROS;
}
