/*
 * Long loops over migrations stay interruptible. Most of a check is
 * synchronous (small regular-file reads), and awaiting settled promises only
 * runs microtasks; a SIGTERM or Ctrl-C handler (signal-exit's, installed by
 * the lock library) runs only when the event loop gets a turn. Without one,
 * `cairn doctor --all` on thousands of migrations ignores SIGTERM until it
 * is done. A turn costs microseconds; taking one every few milliseconds
 * keeps every signal answered well within a second.
 */

/** How long a loop may keep the event loop from a turn. */
const TURN_INTERVAL_MS = 20;
let lastTurn = Date.now();

/**
 * Lets the event loop run (signal handlers included) when it has not had a
 * turn for {@link TURN_INTERVAL_MS}; otherwise returns at once.
 */
export async function yieldToEventLoop(): Promise<void> {
  const now = Date.now();
  if (now - lastTurn < TURN_INTERVAL_MS) return;
  await new Promise<void>((resolve) => setImmediate(resolve));
  lastTurn = Date.now();
}

/**
 * Map `items` through `fn` with at most `limit` calls in flight; results keep
 * the input order.
 */
export async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    for (;;) {
      const index = next++;
      if (index >= items.length) return;
      await yieldToEventLoop();
      results[index] = await fn(items[index] as T, index);
    }
  });
  await Promise.all(workers);
  return results;
}
