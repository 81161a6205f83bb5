/*
 * The publish layer: snapshot digest, durable fs, trees, the lock, the
 * journaled transaction, recovery and the dirty check.
 */
export { snapshotId } from './digest.js';
export { fsyncDir, fsyncFile, mkdirDurable, removeTreeDurable, renameDurable, writeFileDurable } from './durable-fs.js';
export {
  copyTreeDurable,
  diffTrees,
  fsyncTree,
  listTreeFiles,
  walkTree,
  type DiffEntry,
  type TreeDiff,
  type TreeEntry,
  type TreeFile,
  type WalkFailure,
} from './tree.js';
export {
  publish,
  DEFAULT_LOCK_TIMEOUT_MS,
  DEFAULT_PUBLISH_MODE,
  DEFAULT_PUBLISH_OPERATION,
  type PublishRequest,
} from './transaction.js';
export { publishErrorMessage, publishResultJson, recoveryPlanJson, type PublishDiff, type PublishResult, type PublishStatus } from './result.js';
export { PublishResultJsonSchema, RecoveryPlanJsonSchema, type PublishResultJson, type RecoveryPlanJson } from './result-schema.js';
export { checkInvariants, INVARIANT_NAMES, type InvariantContext, type InvariantName, type InvariantResult, type InvariantViolation } from './invariants.js';
export { gitDirtyPaths } from './dirty.js';
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
export { readJournal, JOURNAL_MAGIC, JOURNAL_VERSION, type JournalBody, type JournalPhase, type JournalRead } from './journal.js';
export {
  listTransactionsRoot,
  lockDirPath,
  transactionsRoot,
  JOURNAL_FILE_NAME,
  LOCK_DIR_NAME,
  LOCK_TOMB_PREFIX,
  TX_MARKER_NAME,
} from './layout.js';
export { MemoryRecorder, type PublishEvent, type PublishRecorder } from './recorder.js';
export { createMigration, WORKSPACES_RELATIVE_DIR, type NewMigrationRequest, type NewMigrationResult } from './new-migration.js';
export { CRASH_POINTS, FAULT_CODES, FAULT_POINTS, crashPoint, faultPoint, type CrashPointName, type FaultCode, type FaultPointName } from './faults.js';
export { transactionIncompleteInspector } from './doctor-inspector.js';
