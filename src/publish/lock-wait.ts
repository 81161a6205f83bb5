import type { LockHolder } from './lock-owner.js';

/*
 * The process-wide lock-wait notice, apart from the lock itself so that a
 * front end can install it at start-up without loading the lock code.
 */

let waitSink: ((holder: LockHolder) => void) | null = null;

/**
 * Installs (or, with null, removes) the process-wide lock-wait notice: told,
 * like `onWait`, by every acquisition of this process that waits for a live
 * holder; a front end whose stderr is a terminal installs one to say why it
 * is quiet, whichever command or recovery is waiting.
 */
export function setLockWaitSink(next: ((holder: LockHolder) => void) | null): void {
  waitSink = next;
}

/** The installed lock-wait notice, or null. */
export function lockWaitSink(): ((holder: LockHolder) => void) | null {
  return waitSink;
}

/** `Waiting for the publish lock held by pid N (operation)…`, from what owner.json says. */
export function lockWaitMessage(holder: LockHolder): string {
  const pid = holder.owner?.pid ?? null;
  const operation = holder.owner?.operation ?? null;
  const who = pid === null ? 'another process' : `pid ${pid}`;
  return `Waiting for the publish lock held by ${who}${operation === null ? '' : ` (${operation})`}…`;
}
