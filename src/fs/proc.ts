import { readFileSync, readdirSync } from 'node:fs';

/*
 * What Linux's /proc says about a process: enough to tell a live process
 * from a zombie, find the members of a process group, and recognise a
 * process by its start time (so a reused pid is never mistaken for it).
 */

export interface ProcStat {
  /** Process group id. */
  pgrp: number;
  /** Start time after boot in clock ticks (field 22), as written. */
  startTime: string;
  /** Dead but not reaped (`Z`, `X`): it runs nothing. */
  zombie: boolean;
}

/** Fields of /proc/<pid>/stat, or null when there is no such process (or no /proc). */
export function procStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return null;
  }
  // "pid (comm) state ppid pgrp … starttime(22) …"; comm may hold spaces and parentheses.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const startTime = fields[19];
  if (startTime === undefined) return null;
  return { pgrp: Number(fields[2]), startTime, zombie: state === 'Z' || state === 'X' };
}

/** The pids /proc lists, or null when it cannot be read (no /proc). */
export function procPids(): number[] | null {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return null;
  }
  return entries.filter((entry) => /^\d+$/.test(entry)).map(Number);
}
