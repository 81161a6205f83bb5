import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { LOCK_TOMB_PREFIX, TRANSACTIONS_DIR } from './layout.js';

/*
 * The random names a publish gives what it creates; apart from layout.ts so
 * that a command that only reads the transactions root does not load crypto.
 */

/** A fresh tombstone path for a lock directory on its way out. */
export function newLockTombPath(liveRoot: string): string {
  return path.join(liveRoot, TRANSACTIONS_DIR, `${LOCK_TOMB_PREFIX}${randomBytes(8).toString('hex')}`);
}

/** A transaction token: a random UUID4 as 32 lowercase hex digits. */
export function newTransactionToken(): string {
  return randomUUID().replaceAll('-', '');
}
