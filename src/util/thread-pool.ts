import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, parentPort, workerData } from 'node:worker_threads';
import { reapplyRuntimeFlags } from './runtime-flags.js';

/*
 * A scan whose items are independent and CPU-bound (doctor's rules) uses
 * every core: the items are cut into chunks, worker threads check chunks
 * while the calling thread checks chunks too, and the results come back in
 * the items' order. The same code runs the items either way, so what a
 * thread returns is exactly what the calling thread would have.
 */

/** What {@link mapInThreads} runs. */
export interface ThreadedMap<T, R> {
  /** The worker module: it calls {@link serveChunks} with the same work as `runLocal`. */
  workerUrl: URL;
  /** Passed to every worker as its `workerData` (structured-cloned). */
  workerData: unknown;
  /** Worker threads to start besides the calling thread. */
  workers: number;
  /** Items per chunk. */
  chunkSize: number;
  /** Runs one chunk in the calling thread; must not reject. */
  runLocal: (items: T[]) => Promise<R[]>;
}

/** How many chunks a worker holds at once: one to run and one queued, so it never waits for the next. */
const QUEUED_PER_WORKER = 2;
/** How far ahead of the oldest unfinished chunk the calling thread may run, bounding what waits in memory. */
const LOCAL_AHEAD = 8;
/**
 * A worker's young generation, in MB. V8's default lets each thread's grow
 * to tens of MB before it collects; this small one cost no time measured
 * and keeps about 30 MB per worker out of the peak RSS.
 */
const WORKER_YOUNG_GENERATION_MB = 2;

type Reply<R> = { id: number; results: R[] } | { id: number; error: string };

/** True when `url` names a worker module this process can start (a source checkout run from TypeScript has none). */
export function workerModuleExists(url: URL): boolean {
  try {
    return existsSync(fileURLToPath(url));
  } catch {
    return false;
  }
}

/**
 * Maps `items` in chunks over `spec.workers` worker threads and the calling
 * thread, and yields the results in the order of `items`. A worker that
 * fails (it cannot start, throws or exits) is dropped, and its chunks are
 * run in the calling thread instead: the results are the same, only later.
 * The workers are stopped when the generator finishes or is abandoned.
 */
export async function* mapInThreads<T, R>(items: readonly T[], spec: ThreadedMap<T, R>): AsyncGenerator<R> {
  const size = Math.max(1, spec.chunkSize);
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  const done = new Map<number, R[]>();
  const orphaned: number[] = [];
  let nextUnassigned = 0;
  let wake: (() => void) | null = null;
  const signal = () => {
    const resolve = wake;
    wake = null;
    resolve?.();
  };

  interface Thread {
    worker: Worker;
    held: Set<number>;
    alive: boolean;
  }
  const threads: Thread[] = [];
  const feed = (thread: Thread) => {
    while (thread.alive && thread.held.size < QUEUED_PER_WORKER && nextUnassigned < chunks.length) {
      const id = nextUnassigned++;
      thread.held.add(id);
      thread.worker.postMessage({ id, items: chunks[id] });
    }
  };
  const drop = (thread: Thread) => {
    if (!thread.alive) return;
    thread.alive = false;
    orphaned.push(...thread.held);
    orphaned.sort((a, b) => a - b);
    thread.held.clear();
    void thread.worker.terminate().catch(() => {});
    signal();
  };
  for (let i = 0; i < spec.workers && chunks.length > 1; i++) {
    let worker: Worker;
    try {
      worker = new Worker(spec.workerUrl, {
        workerData: spec.workerData,
        stdout: true,
        stderr: true,
        resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
      });
    } catch {
      break;
    }
    const thread: Thread = { worker, held: new Set(), alive: true };
    threads.push(thread);
    worker.once('online', reapplyRuntimeFlags);
    worker.on('message', (reply: Reply<R>) => {
      if (!thread.held.delete(reply.id)) return;
      if ('error' in reply) {
        thread.held.add(reply.id);
        drop(thread);
        return;
      }
      done.set(reply.id, reply.results);
      feed(thread);
      signal();
    });
    worker.on('error', () => drop(thread));
    worker.on('exit', () => drop(thread));
    feed(thread);
  }

  const takeLocal = (oldest: number): number | undefined => {
    if (orphaned.length > 0) return orphaned.shift();
    if (nextUnassigned < chunks.length && nextUnassigned < oldest + LOCAL_AHEAD) return nextUnassigned++;
    return undefined;
  };
  try {
    for (let id = 0; id < chunks.length; id++) {
      while (!done.has(id)) {
        const local = takeLocal(id);
        if (local !== undefined) {
          done.set(local, await spec.runLocal(chunks[local] as T[]));
          // Let the workers' replies in: the local run may never have left the microtask queue.
          await new Promise<void>((resolve) => setImmediate(resolve));
          continue;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
      const results = done.get(id) as R[];
      done.delete(id);
      yield* results;
    }
  } finally {
    for (const thread of threads) {
      thread.alive = false;
      void thread.worker.terminate().catch(() => {});
    }
  }
}

/**
 * The worker side of {@link mapInThreads}: answers every chunk the calling
 * thread sends with `run(items, workerData)`, one chunk at a time.
 */
export function serveChunks<T, R>(run: (items: T[], data: unknown) => Promise<R[]>): void {
  const port = parentPort;
  if (port === null) throw new Error('serveChunks runs only in a worker thread');
  let queue = Promise.resolve();
  port.on('message', (message: { id: number; items: T[] }) => {
    queue = queue.then(async () => {
      let reply: Reply<R>;
      try {
        reply = { id: message.id, results: await run(message.items, workerData) };
      } catch (error) {
        reply = { id: message.id, error: error instanceof Error ? error.message : String(error) };
      }
      port.postMessage(reply);
    });
  });
}
