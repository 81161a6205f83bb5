import { threadId } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { mapInThreads, workerModuleExists } from '../../src/util/thread-pool.js';

/* Mapping chunks over worker threads and the calling thread, in order, with the built worker side. */

const DOUBLE = new URL('../fixtures/threads/double-worker.mjs', import.meta.url);
const BROKEN = new URL('../fixtures/threads/broken-worker.mjs', import.meta.url);

interface Doubled {
  value: number;
  thread: number;
}

async function collect(generator: AsyncGenerator<Doubled>): Promise<Doubled[]> {
  const out: Doubled[] = [];
  for await (const item of generator) out.push(item);
  return out;
}

function doubled(items: number[], workerUrl: URL, workerData: unknown = {}, workers = 2): AsyncGenerator<Doubled> {
  return mapInThreads(items, {
    workerUrl,
    workerData,
    workers,
    chunkSize: 5,
    runLocal: async (chunk: number[]) => chunk.map((value) => ({ value: value * 2, thread: threadId })),
  });
}

const ITEMS = Array.from({ length: 400 }, (_, i) => i);

describe('mapInThreads', () => {
  it('yields every result in the order of the items, some from worker threads', async () => {
    const out = await collect(doubled(ITEMS, DOUBLE));
    expect(out.map((item) => item.value)).toEqual(ITEMS.map((i) => i * 2));
    expect(out.some((item) => item.thread !== threadId)).toBe(true);
  });

  it('runs a failed chunk in the calling thread instead, with the same results', async () => {
    const out = await collect(doubled(ITEMS, DOUBLE, { failOn: 123 }));
    expect(out.map((item) => item.value)).toEqual(ITEMS.map((i) => i * 2));
    expect(out[123]?.thread).toBe(threadId);
  });

  it('runs the chunks of a worker that exits in the calling thread', async () => {
    const out = await collect(doubled(ITEMS, DOUBLE, { exitOn: 7 }));
    expect(out.map((item) => item.value)).toEqual(ITEMS.map((i) => i * 2));
    expect(out[7]?.thread).toBe(threadId);
  });

  it('runs everything in the calling thread when no worker can start', async () => {
    const out = await collect(doubled(ITEMS, BROKEN));
    expect(out.map((item) => item.value)).toEqual(ITEMS.map((i) => i * 2));
    expect(out.every((item) => item.thread === threadId)).toBe(true);
  });

  it('starts no worker for a single chunk or none asked for', async () => {
    for (const [items, workers] of [[[1, 2, 3], 2], [ITEMS, 0]] as const) {
      const out = await collect(doubled([...items], DOUBLE, {}, workers));
      expect(out.map((item) => item.value)).toEqual(items.map((i) => i * 2));
      expect(out.every((item) => item.thread === threadId)).toBe(true);
    }
  });

  it('stops when the consumer stops early', async () => {
    const generator = doubled(ITEMS, DOUBLE);
    const first = await generator.next();
    expect(first.value).toEqual(expect.objectContaining({ value: 0 }));
    expect(await generator.return(undefined as never)).toEqual({ done: true, value: undefined });
    expect(await generator.next()).toEqual({ done: true, value: undefined });
  });

  it('tells whether a worker module exists', () => {
    expect(workerModuleExists(DOUBLE)).toBe(true);
    expect(workerModuleExists(new URL('../fixtures/threads/none.mjs', import.meta.url))).toBe(false);
    expect(workerModuleExists(new URL('https://example.com/worker.js'))).toBe(false);
  });
});
