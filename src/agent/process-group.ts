import { setTimeout as sleep } from 'node:timers/promises';
import { errnoCode } from '../util/index.js';
import { procPids, procStat } from '../fs/index.js';

/*
 * The agent runs as the leader of its own process group (spawned detached),
 * so everything it starts can be signalled at once with `kill(-pgid)`.
 */

/** Sends `signal` to every process in group `pgid`; false when the group no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ESRCH') return false;
    // EPERM: a member we may not signal (it changed user); nothing more we can do.
    return true;
  }
}

/**
 * Whether group `pgid` still has a process that is not a zombie. Zombies
 * count as gone: under an init that never reaps orphans (as in some
 * containers) they stay in the table forever, though they run nothing.
 * Without /proc the answer is whether the group exists at all.
 */
export function groupHasLiveMembers(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    if (errnoCode(error) === 'ESRCH') return false;
    return true;
  }
  if (process.platform !== 'linux') return true;
  const pids = procPids();
  if (pids === null) return true;
  return pids.some((pid) => {
    const stat = procStat(pid);
    return stat !== null && stat.pgrp === pgid && !stat.zombie;
  });
}

/**
 * Makes sure no process of group `pgid` survives: SIGTERM (unless it was
 * already sent at `termSentAt`), then SIGKILL once `graceMs` have passed
 * since the SIGTERM, then a short wait for the kill to land. Returns at
 * once when the group is already empty.
 */
export async function reapGroup(pgid: number, graceMs: number, termSentAt: number | null): Promise<void> {
  if (!groupHasLiveMembers(pgid)) return;
  let sentAt = termSentAt;
  if (sentAt === null) {
    signalGroup(pgid, 'SIGTERM');
    sentAt = Date.now();
  }
  while (Date.now() - sentAt < graceMs) {
    await sleep(Math.min(25, Math.max(1, graceMs - (Date.now() - sentAt))));
    if (!groupHasLiveMembers(pgid)) return;
  }
  signalGroup(pgid, 'SIGKILL');
  for (let waited = 0; waited < 1000; waited += 25) {
    await sleep(25);
    if (!groupHasLiveMembers(pgid)) return;
  }
}
