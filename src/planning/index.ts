/*
 * The planning engine: runs and their workspaces, the steps and their
 * acceptance, refine, review, phases, ready, list, and creating a migration.
 */
export { abandonedAgentLines, reapAbandonedRuns } from './abandoned-agents.js';
export { checkCanCommit, commitMigration } from './commit.js';
export { DEMO_TEST_COMMAND, commitDemo, createDemoProject, demoCommands, demoGitOutput, type DemoCommand } from './demo.js';
export { describeMigration, type MigrationDescription } from './describe.js';
export { acceptManualOutput } from './engine-accept.js';
export { nullPlanningLog, storePlanningLog } from './engine-log.js';
export { liveDirOf, loadWorkspace, publishRun, withRunCleanupOnThrow, workspaceFiles, type AgentChoice, type EngineContext, type StepRunResult, type StepRunStatus } from './engine.js';
export {
  filterRows,
  LIST_ROW_FILES,
  formatListTsv,
  listRow,
  listRowRead,
  readListRows,
  scanMigrations,
  shownListRow,
  unsafeNameRow,
  withUnsafeNameRows,
  type ListFilter,
  type ListRow,
  type ShownListRow,
} from './list.js';
export { findPlanningLeftovers, removePlanningLeftover, type PlanningLeftovers, type PlanningRunDir } from './leftover-runs.js';
export { createMigration, type NewMigrationRequest, type NewMigrationResult } from './new-migration.js';
export { completePhase, completePhaseInManifest, type PhaseDoneResult } from './phases.js';
export { loadTaste } from './prompts.js';
export { isEligibleNow, listReadyWork, type ReadyItem, type ReadyKind } from './ready.js';
export { checkFeedback, refineMigration, type RefineFeedback } from './refine.js';
export { resolveMigrationTarget } from './resolve.js';
export type { ReviewPolicy } from './accept-step.js';
export { ALWAYS_REVIEW_REASON, awaitingReviewReason, reviewPending, reviewPendingReason } from './review-pending.js';
export { decideReview, notAwaitingReviewError, reviewSummary, type ReviewInput, type ReviewResult, type ReviewSummary } from './review.js';
export { openPlanningRun, parseUntil, planNextStep, planUntil, type PlanStepOptions, type PlanStepOutcome } from './run-plan.js';
export { WORKSPACES_RELATIVE_DIR, readRunRecord } from './workspace.js';
export {
  LEASES_RELATIVE_DIR,
  LEASE_STALE_LIMIT_MS,
  acquireRunLease,
  anyLiveRunLease,
  describeRunLease,
  noteRunActivity,
  readRunLease,
  runLeasePath,
  withRunLease,
  type RunActivity,
  type RunLease,
  type RunLeaseHolder,
  type RunLeaseOperation,
  type RunLeaseRecord,
} from './run-lease.js';
export { liveChange, rerunCommand, staleBaseMessage } from './stale-base.js';
export { resolveMergeConflict, type MergeResolution, type MergeSide } from './merge-resolve.js';
export { rootMovePending } from './root-move-paths.js';
export { ROOT_MOVE_OPERATION, commitRootMove, moveMigrationsRoot, readRootMoveJournal, recoverRootMove, rootCommitMessage, type MoveRootRequest, type MoveRootResult, type RootMoveRecovery } from './root-move.js';
export { commitMove, moveMigration, type MoveMigrationRequest, type MoveMigrationResult, type MoveOutcome } from './move.js';
