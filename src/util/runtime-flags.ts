import { setFlagsFromString } from 'node:v8';

/*
 * V8 flags set while the process runs. Starting a worker thread resets them
 * to the values the process started with, so whoever starts one puts them
 * back once it is online.
 */
const applied: string[] = [];

/** Sets the V8 flag `flag` (as `--name=value`) for the rest of the process. */
export function setRuntimeFlag(flag: string): void {
  setFlagsFromString(flag);
  if (!applied.includes(flag)) applied.push(flag);
}

/** Sets again every flag {@link setRuntimeFlag} set: after a worker thread came online. */
export function reapplyRuntimeFlags(): void {
  for (const flag of applied) setFlagsFromString(flag);
}
