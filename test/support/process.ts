import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/**
 * The fields of `/proc/<pid>/stat` after the command name (state first),
 * or null when the process is gone or /proc cannot tell. Linux only.
 */
function procStat(pid: number | string): string[] | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return null;
  }
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/**
 * Whether a process runs: false when it does not exist or is a zombie (an
 * init that does not reap orphans leaves those behind; they run nothing).
 */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const fields = procStat(pid);
  if (fields === null) return process.platform !== 'linux';
  return fields[0] !== 'Z' && fields[0] !== 'X';
}

/**
 * Processes of process group `pgid` that are still running (zombies, which
 * are dead but not yet reaped by whoever inherited them, do not count).
 * Linux: read from /proc.
 */
export function liveGroupMembers(pgid: number): number[] {
  const alive: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const fields = procStat(name);
    if (fields !== null && Number(fields[2]) === pgid && fields[0] !== 'Z') alive.push(Number(name));
  }
  return alive;
}

/** A pid that is certainly not running: a child that already exited. */
export function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

/** The pid a test script wrote into `file`. */
export function readPid(file: string): number {
  return Number(readFileSync(file, 'utf8').trim());
}
