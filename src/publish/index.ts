/*
 * The publish layer: the lock, the journaled transaction, recovery, unlock
 * and the dirty check. It knows nothing of what a migration holds: the
 * request's validator judges the trees it swaps.
 */
export { publish, DEFAULT_LOCK_TIMEOUT_MS, DEFAULT_PUBLISH_OPERATION, type PublishRequest } from './transaction.js';
export type { CandidateVerdict, PublishValidator, Transition, ValidationTarget } from './validator.js';
export { publishErrorMessage, type PublishDiff, type PublishResult, type PublishStatus } from './result.js';
export { blockingDirtyPaths, DIRTY_LIVE_REASON, type DirtyCheckInput } from './dirty.js';
export {
  acquirePublishLock,
  withPublishLock,
  removeTransactionsRootIfEmpty,
  type AcquireLockOptions,
  type HeldLock,
  type ReclaimedLock,
} from './lock.js';
export {
  describeHolder,
  isCairnOwner,
  isProcessAlive,
  judgeStaleness,
  readLockHolder,
  STALE_LIMIT_MS,
  type LockHolder,
  type LockOwner,
  type Staleness,
} from './lock-owner.js';
export { unlockPublishLock, type UnlockOptions, type UnlockResult } from './unlock.js';
export {
  executeRecovery,
  planRecovery,
  recover,
  type LockStatus,
  type RecoveryAction,
  type RecoveryOperation,
  type RecoveryOptions,
  type RecoveryPlan,
  type RecoveryReport,
} from './recovery.js';
export { recoverPendingTransactions, type RecoverPendingInput } from './recover-pending.js';
export { readJournal, JOURNAL_MAGIC, JOURNAL_VERSION, type JournalBody, type JournalPhase, type JournalRead } from './journal.js';
export {
  listTransactionsRoot,
  lockDirPath,
  transactionsRoot,
  TRANSACTIONS_DIR,
  JOURNAL_FILE_NAME,
  LOCK_DIR_NAME,
  LOCK_TOMB_PREFIX,
  TX_MARKER_NAME,
} from './layout.js';
export { MemoryRecorder, type PublishEvent, type PublishRecorder } from './recorder.js';
export { CRASH_POINTS, FAULT_CODES, FAULT_POINTS, crashPoint, faultPoint, type CrashPointName, type FaultCode, type FaultPointName } from './faults.js';
