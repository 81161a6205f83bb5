import { Worker } from 'node:worker_threads';
import { mapWithConcurrency, reapplyRuntimeFlags } from '../util/index.js';
import { filesLookCached } from './cache-probe.js';

/*
 * Reading thousands of small files one after another waits on the disk once
 * per file: with a cold page cache that wait, not the parsing, is most of a
 * `list` or `doctor --all` run. A prefetcher reads the files a scan is about
 * to read on a worker thread, many at a time, so they are in the page cache
 * when the scan's own (checked, synchronous) reads get to them. It only
 * warms the cache: nothing it reads is used, so what the scan reads, checks
 * and reports is exactly what it would be without it.
 */

/**
 * What a prefetcher reads in each directory it is given: paths relative to
 * it, reached without following a symlink anywhere below it (the scan's own
 * reads apply the path rule; the prefetcher simply stays out of links).
 */
export interface PrefetchScope {
  /** These files. */
  files?: readonly string[];
  /** Every regular file directly in the directory. */
  topLevel?: boolean;
  /** Every regular file directly in each of these subdirectories; with `when`, only if that file exists. */
  subdirs?: readonly { dir: string; when?: string }[];
  /** Every regular file under the directory. */
  tree?: boolean;
  /**
   * The file (directly in each directory) whose read time, sampled before
   * reading ahead, stands for the scope's: when it reads from the page
   * cache, nothing is read ahead. Default: the first of `files`.
   */
  probe?: string;
}

export interface Prefetcher {
  /** The scan has finished with the first `count` directories; the prefetcher may read further ahead. */
  advance(count: number): void;
  /** Stops reading; the scan has what it needs. */
  stop(): void;
  /** Whether a thread reads ahead (false for a short list, files already cached, or no thread). */
  readonly reading: boolean;
}

/** Fewer directories than this are scanned without a prefetcher: starting a thread costs more than it saves. */
export const PREFETCH_MIN_DIRECTORIES = 100;

/** Reads in flight at once: enough to keep the disk's queue full. */
const IN_FLIGHT = 32;
/** How many directories the prefetcher may be ahead of the scan, so it never evicts what the scan has yet to read. */
const AHEAD = 512;
/** At most this much of any one file is read ahead (the scan refuses larger files or rarely reads them). */
const MAX_BYTES = 16 * 1024 * 1024;

const INERT: Prefetcher = { advance() {}, stop() {}, reading: false };

/**
 * Starts reading `directories` (in order) as `scope` says, ahead of a scan
 * that reads them in the same order and calls `advance` as it goes. Returns
 * an inert prefetcher for a short list, when a sample of the files reads
 * from the page cache (`filesLookCached`), or when a thread cannot be started.
 * The thread never keeps the process alive and ignores every error.
 */
export function startPrefetch(directories: readonly string[], scope: PrefetchScope): Prefetcher {
  if (directories.length < PREFETCH_MIN_DIRECTORIES) return INERT;
  const probe = scope.probe ?? scope.files?.[0];
  if (probe !== undefined && filesLookCached(directories, probe)) return INERT;
  let worker: Worker;
  try {
    // The modules are passed in: a bundler would rewrite a `require` inside the function's own
    // text, and a worker evaluates its source as an ES module when the process was started so.
    const source = `Promise.all([import('node:fs'), import('node:worker_threads')]).then(([fs, threads]) => (${prefetchThread.toString()})(fs.default, threads))`;
    worker = new Worker(source, {
      eval: true,
      workerData: { directories, scope, inFlight: IN_FLIGHT, ahead: AHEAD, maxBytes: MAX_BYTES },
      stdout: true,
      stderr: true,
    });
  } catch {
    return INERT;
  }
  worker.unref();
  worker.on('error', () => {});
  worker.once('online', reapplyRuntimeFlags);
  let stopped = false;
  return {
    advance(count) {
      if (!stopped) worker.postMessage(count);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      void worker.terminate().catch(() => {});
    },
    reading: true,
  };
}

/**
 * `mapWithConcurrency(items, 16, fn)` for a scan that reads the directory
 * `directoryOf(item)` of each item in order, with a prefetcher reading
 * `scope` ahead of it.
 */
export async function mapPrefetched<T, R>(
  items: readonly T[],
  directoryOf: (item: T) => string,
  scope: PrefetchScope,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const prefetch = startPrefetch(items.map(directoryOf), scope);
  try {
    return await mapWithConcurrency(items, 16, (item, index) => {
      if (index % 64 === 0) prefetch.advance(index);
      return fn(item, index);
    });
  } finally {
    prefetch.stop();
  }
}

/**
 * The worker thread's program, run from its source text (so it needs no
 * file of its own next to a bundle): reads as workerData says, with fs
 * callbacks so `inFlight` reads wait on the disk at once.
 */
function prefetchThread(fs: typeof import('node:fs'), threads: typeof import('node:worker_threads')): void {
  const { parentPort, workerData } = threads;
  const { directories, scope, inFlight, ahead, maxBytes } = workerData as {
    directories: string[];
    scope: { files?: string[]; topLevel?: boolean; subdirs?: { dir: string; when?: string }[]; tree?: boolean };
    inFlight: number;
    ahead: number;
    maxBytes: number;
  };
  const flags = fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY | fs.constants.O_NOFOLLOW;
  const scratch: Buffer[] = [];
  const queue: string[] = [];
  let nextDir = 0;
  let allowed = ahead;
  let running = 0;
  let listing = 0;
  const MAX_LISTING = 4;

  parentPort?.on('message', (done: number) => {
    allowed = done + ahead;
    pump();
  });

  function finish(buffer: Buffer | null, fd: number | null): void {
    if (buffer !== null) scratch.push(buffer);
    if (fd !== null) closeQuietly(fd);
    running--;
    pump();
  }

  // Closing a file only read does not wait on the disk: not worth a round trip to the thread pool.
  function closeQuietly(fd: number): void {
    try {
      fs.closeSync(fd);
    } catch {
      // nothing was written
    }
  }

  /**
   * Reads `file` (at most `maxBytes` of it; a short read is its end). A
   * file a listing showed as a regular file (`listed`) is read at once: two
   * round trips to the thread pool, open and read. Any other is read only
   * when an `fstat` of the opened descriptor says it is a regular file, so
   * nothing is read from a FIFO or a device.
   */
  function readFile(file: string, listed: boolean): void {
    running++;
    fs.open(file, flags, (openError, fd) => {
      if (openError) return finish(null, null);
      const read = (): void => {
        const buffer = scratch.pop() ?? Buffer.allocUnsafe(64 * 1024);
        const step = (offset: number): void => {
          fs.read(fd, buffer, 0, buffer.length, offset, (readError, bytes) => {
            if (readError || bytes < buffer.length || offset + bytes >= maxBytes) return finish(buffer, fd);
            step(offset + bytes);
          });
        };
        step(0);
      };
      if (listed) return read();
      fs.fstat(fd, (statError, stats) => (statError || !stats.isFile() || stats.size > maxBytes ? finish(null, fd) : read()));
    });
  }

  // Queued directories: "\0<dir>" is read with everything under it, "\u0001<dir>" only its own files;
  // "\u0002<file>": a file a listing showed as a regular file.
  function walk(dir: string, deep: boolean): void {
    listing++;
    running++;
    fs.readdir(dir, { withFileTypes: true }, (error, entries) => {
      listing--;
      running--;
      if (!error) {
        for (const entry of entries) {
          const full = `${dir}/${entry.name}`;
          if (entry.isDirectory()) {
            if (deep) queue.push(`\0${full}`);
          } else if (entry.isFile()) {
            queue.push(`\u0002${full}`);
          }
        }
      }
      pump();
    });
  }

  /**
   * Queues `entries` (files, or directories each with the marker that must
   * exist) once every component of `rel` below `dir` is a directory: a
   * symlink there could lead out of the repository, where nothing is read.
   * Each chain is checked once per directory, whatever it leads to.
   */
  function queueUnder(dir: string, rel: string, entries: { entry: string; marker?: string | undefined }[]): void {
    const parts = rel.split('/');
    let current = dir;
    let checked = 0;
    running++;
    const settle = (ok: boolean): void => {
      running--;
      if (ok) for (const { entry, marker } of entries) (marker === undefined ? queue.push(entry) : queueIfPresent(entry, `${dir}/${marker}`));
      pump();
    };
    const next = (): void => {
      if (checked === parts.length) return settle(true);
      current = `${current}/${parts[checked++]}`;
      isDirectory(current, (ok) => (ok ? next() : settle(false)));
    };
    next();
  }

  // The callers waiting on each lstat in flight: the chains of one migration, queued together, share it.
  const directoryChecks = new Map<string, ((ok: boolean) => void)[]>();

  /** Calls `then` with whether `target` is a directory (not a symlink to one). */
  function isDirectory(target: string, then: (ok: boolean) => void): void {
    const waiting = directoryChecks.get(target);
    if (waiting !== undefined) return void waiting.push(then);
    directoryChecks.set(target, [then]);
    fs.lstat(target, (error, stats) => {
      const ok = !error && stats.isDirectory();
      const waiters = directoryChecks.get(target) ?? [];
      directoryChecks.delete(target);
      for (const waiter of waiters) waiter(ok);
    });
  }

  function queueIfPresent(entry: string, marker: string): void {
    running++;
    fs.lstat(marker, (error) => {
      running--;
      if (!error) queue.push(entry);
      pump();
    });
  }

  /** The entries of `scope` under `dir`, grouped by the directory chain (relative, '' for `dir` itself) each is reached through. */
  function scopeEntries(dir: string): Map<string, { entry: string; marker?: string | undefined }[]> {
    const groups = new Map<string, { entry: string; marker?: string | undefined }[]>();
    const add = (chain: string, entry: string, marker?: string): void => {
      const group = groups.get(chain);
      if (group === undefined) groups.set(chain, [{ entry, marker }]);
      else group.push({ entry, marker });
    };
    if (scope.tree === true) add('', `\0${dir}`);
    else if (scope.topLevel === true) add('', `\u0001${dir}`);
    for (const name of scope.files ?? []) {
      const slash = name.lastIndexOf('/');
      add(slash < 0 ? '' : name.slice(0, slash), `${dir}/${name}`);
    }
    for (const sub of scope.subdirs ?? []) add(sub.dir, `\u0001${dir}/${sub.dir}`, sub.when);
    return groups;
  }

  function pump(): void {
    while (running < inFlight) {
      const next = queue.shift();
      if (next !== undefined) {
        if (next.startsWith('\0')) walk(next.slice(1), true);
        else if (next.startsWith('\u0001')) walk(next.slice(1), false);
        else if (next.startsWith('\u0002')) readFile(next.slice(1), true);
        else readFile(next, false);
        continue;
      }
      if (nextDir >= directories.length || nextDir >= allowed || listing >= MAX_LISTING) return;
      const dir = directories[nextDir++] as string;
      for (const [chain, entries] of scopeEntries(dir)) {
        if (chain === '') for (const { entry, marker } of entries) (marker === undefined ? queue.push(entry) : queueIfPresent(entry, `${dir}/${marker}`));
        else queueUnder(dir, chain, entries);
      }
    }
  }

  pump();
}

