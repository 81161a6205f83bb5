import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/*
 * V8 flags set while the process runs. Starting a worker thread resets them
 * to the values the process started with, so whoever starts one puts them
 * back once it is online.
 */
const applied: string[] = [];

/** Sets the V8 flag `flag` (as `--name=value`) for the rest of the process, in place of any value set before. */
export function setRuntimeFlag(flag: string): void {
  setFlagsFromString(flag);
  const name = flag.split('=', 1)[0] as string;
  const earlier = applied.findIndex((set) => set.split('=', 1)[0] === name);
  if (earlier >= 0) applied.splice(earlier, 1);
  applied.push(flag);
}

/** Sets again every flag {@link setRuntimeFlag} set: after a worker thread came online. */
export function reapplyRuntimeFlags(): void {
  for (const flag of applied) setFlagsFromString(flag);
}

/** The size of V8's new space (the young generation's two semi-spaces), in bytes. */
function newSpaceBytes(): number {
  return getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;
}

/**
 * Lets the young generation grow once, straight to a new space of about
 * `maxBytes`, and holds it there. V8 reads its size limits only at start-up;
 * the growth factor, which it reads at every scavenge, is the one switch a
 * running process has. It is turned back to 1 after the first scavenge that
 * grew the space, seen once the program yields: one growth step reaches the
 * cap, and a long synchronous stretch can take it at most one step further.
 */
export function capYoungGeneration(maxBytes: number): void {
  const size = newSpaceBytes();
  const hold = (): void => setRuntimeFlag('--semi-space-growth-factor=1');
  if (size === 0 || size >= maxBytes) return hold();
  setRuntimeFlag(`--semi-space-growth-factor=${Math.ceil(maxBytes / size)}`);
  const observer = new PerformanceObserver(() => {
    if (newSpaceBytes() <= size) return;
    hold();
    observer.disconnect();
  });
  observer.observe({ entryTypes: ['gc'] });
}
