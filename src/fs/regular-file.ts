import { closeSync, constants, fstatSync, openSync, readSync, type BigIntStats, type Stats } from 'node:fs';

/*
 * The one way cairn opens a file it reads from a repository (docs/security.md
 * §2). A repository can commit a FIFO, or a symlink to a device, where cairn
 * expects a small text file: a plain open() of a FIFO blocks forever and a
 * read of /dev/zero never ends. So every open is non-blocking, the opened
 * descriptor must be a regular file, and every read stops at a size cap.
 */

/** 16 MiB: the most cairn reads of any single file it did not write itself in this command. */
export const DEFAULT_MAX_READ_BYTES = 16 * 1024 * 1024;

/** The kind of a non-regular file, in the words the messages use. */
export function specialFileKind(stats: Stats | BigIntStats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

/**
 * A path that is not a regular file where cairn reads one. `code` is
 * `ENOTREG` (not an errno; chosen so callers that switch on codes can tell
 * it apart) or `EISDIR` for a directory.
 */
export class NotRegularFileError extends Error {
  readonly code: string;
  constructor(
    readonly path: string,
    readonly kind: string,
  ) {
    super(`${path} is ${kind}, not a regular file; cairn reads only regular files`);
    this.name = 'NotRegularFileError';
    this.code = kind === 'a directory' ? 'EISDIR' : 'ENOTREG';
  }
}

/** A file larger than the cap, refused before (or while) reading. */
export class FileTooLargeError extends Error {
  readonly code = 'EFBIG';
  constructor(
    readonly path: string,
    readonly size: number,
    readonly maxBytes: number,
  ) {
    super(`${path} is larger than ${maxBytes} bytes (${size} or more); cairn does not read files this large`);
    this.name = 'FileTooLargeError';
  }
}

export interface RegularReadOptions {
  /** Refuse files larger than this many bytes (default {@link DEFAULT_MAX_READ_BYTES}). */
  maxBytes?: number;
  /** Refuse a symlink as the last component instead of following it. */
  noFollow?: boolean;
}

const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY;

/**
 * Opens `file` for reading without ever blocking, and returns the descriptor
 * of a regular file. Throws the open's errno error, {@link NotRegularFileError}
 * for anything else (the descriptor is closed first).
 */
export function openRegularFileSync(file: string, options: Pick<RegularReadOptions, 'noFollow'> = {}): { fd: number; stats: Stats } {
  return openChecked(file, options, (fd) => fstatSync(fd));
}

/** Opens `file` as {@link openRegularFileSync} does, with the descriptor's stat fields taken by `stat`. */
function openChecked<S extends Stats | BigIntStats>(file: string, options: Pick<RegularReadOptions, 'noFollow'>, stat: (fd: number) => S): { fd: number; stats: S } {
  const fd = openSync(file, options.noFollow === true ? OPEN_FLAGS | constants.O_NOFOLLOW : OPEN_FLAGS);
  let stats: S;
  try {
    stats = stat(fd);
  } catch (error) {
    closeQuietly(fd);
    throw error;
  }
  if (!stats.isFile()) {
    closeQuietly(fd);
    throw new NotRegularFileError(file, specialFileKind(stats));
  }
  return { fd, stats };
}

/**
 * The bytes of the regular file `file`, at most `maxBytes` of them (the file
 * may grow while it is read; the cap holds anyway). Synchronous on purpose:
 * the files cairn reads are small, and one open/fstat/read/close in this
 * thread is much cheaper than the promise API's thread-pool round trips.
 *
 * @throws the open's errno error, NotRegularFileError, FileTooLargeError,
 *   or the read's errno error
 */
export function readRegularFileSync(file: string, options: RegularReadOptions = {}): Buffer {
  const { fd, stats } = openRegularFileSync(file, options);
  return readOpenedFile(file, fd, stats.size, options.maxBytes ?? DEFAULT_MAX_READ_BYTES);
}

/**
 * {@link readRegularFileSync}, with the opened file's stat fields (from the
 * same descriptor, taken before the read, 64-bit exact): what a cache keyed
 * on stat fields records for the bytes it was computed from, without a
 * second `lstat`.
 */
export function readRegularFileWithStatsSync(file: string, options: RegularReadOptions = {}): { bytes: Buffer; stats: BigIntStats } {
  const { fd, stats } = openChecked(file, options, (descriptor) => fstatSync(descriptor, { bigint: true }));
  return { bytes: readOpenedFile(file, fd, Number(stats.size), options.maxBytes ?? DEFAULT_MAX_READ_BYTES), stats };
}

/** Reads the opened regular file `fd` of `size` bytes (at most `maxBytes`) and closes it. */
function readOpenedFile(file: string, fd: number, size: number, maxBytes: number): Buffer {
  try {
    if (size > maxBytes) throw new FileTooLargeError(file, size, maxBytes);
    const chunks: Buffer[] = [];
    let total = 0;
    let chunkSize = Math.min(size + 1, maxBytes + 1);
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.max(1, chunkSize));
      const bytesRead = readSync(fd, chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
      if (total > maxBytes) throw new FileTooLargeError(file, total, maxBytes);
      // A regular file reads short only at its end: no second read to learn that it is over.
      if (bytesRead < chunk.length) break;
      chunkSize = Math.min(Math.max(chunkSize, 64 * 1024), maxBytes + 1 - total);
    }
    return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total);
  } finally {
    closeQuietly(fd);
  }
}

/** {@link readRegularFileSync} decoded as UTF-8 (invalid bytes replaced). */
export function readRegularTextSync(file: string, options: RegularReadOptions = {}): string {
  return readRegularFileSync(file, options).toString('utf8');
}

/** True for the errors {@link readRegularFileSync} raises for a refused file (as opposed to an I/O error). */
export function isRefusedFile(error: unknown): error is NotRegularFileError | FileTooLargeError {
  return error instanceof NotRegularFileError || error instanceof FileTooLargeError;
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // nothing was written; a failed close changes nothing
  }
}

