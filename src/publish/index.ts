/*
 * The publish layer: the lock, the journaled transaction, recovery, unlock
 * and the dirty check. It knows nothing of what a migration holds: the
 * request's validator judges the trees it swaps.
 */
export { DIRTY_LIVE_MESSAGE, DIRTY_LIVE_REASON, blockingDirtyPaths, dirtyLiveHint, type DirtyCheckInput } from './dirty.js';
export { TRANSACTIONS_DIR, assertTransactionsRootConfined, transactionsRootProblem } from './layout.js';
export { STALE_LIMIT_MS, decodeOwnerRecord, isCairnOwner, isProcessAlive, judgeStaleness, readLockHolder, type LockHolder, type LockOwner, type Staleness } from './lock-owner.js';
export { crashPoint, faultPoint } from './faults.js';
export { acquirePublishLock, type HeldLock } from './lock.js';
export { lockWaitMessage, setLockWaitSink } from './lock-wait.js';
export { MOVE_OPERATION, moveMigrationDir, type MoveRequest, type MoveResult } from './move.js';
export { MOVED_ROOTS_RELATIVE_PATH, movedRootTarget, recordMovedRoot, relativeRoot } from './moved-roots.js';
export { writePublishedRecordSafely } from './published-record.js';
export { MemoryRecorder, type PublishRecorder } from './recorder.js';
export { interruptedPublishes } from './interrupted.js';
export { recoverPendingTransactions } from './recover-pending.js';
export { planRecovery, type RecoveryPlan } from './recovery-plan.js';
export { recover, recoverUnderLock, type RecoveryReport } from './recovery.js';
export { publishErrorMessage, type PublishResult } from './result.js';
export { publish, type PublishRequest } from './transaction.js';
export { unlockPublishLock, type UnlockResult } from './unlock.js';
export { type CandidateVerdict, type PublishValidator, type Transition, type ValidationTarget } from './validator.js';
