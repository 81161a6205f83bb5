/**
 * Carrying out a migration's phases: preflight, the worktree a phase runs
 * in, effort, the ready-check and its answer, the agent and its status
 * block, the validation command, the phase commit and its integration,
 * deferrals, the `--all` loop, and recovery after a killed run.
 */
export { overBudgetReason, parseEffortFlag, phaseEffort, type PhaseEffort } from './effort.js';
export { BASELINE_VALIDATION_PHRASES, mentionsBaselineValidation, parseReadyAnswer, type ReadyAnswer, type ReadyVerdict } from './ready-answer.js';
export {
  RETRY_RECOMMENDATIONS,
  STATUS_BLOCK_BEGIN,
  STATUS_BLOCK_END,
  STATUS_BLOCK_KEYS,
  STATUS_DECISIONS,
  parseStatusBlock,
  type RetryRecommendation,
  type StatusBlock,
  type StatusBlockKey,
  type StatusDecision,
} from './status-block.js';
export { COOLDOWN_MS, WAKE_UP_MS, deferPhase, type DeferralKind } from './deferral.js';
export { executePrompt, readyCheckPrompt, type ExecutePromptInput, type PhasePromptInput } from './prompts.js';
export type { IntegrationRecovery } from './integration.js';
export { finishPhase, preparePhase, type FinishPhaseOptions, type PreparePhaseOptions, type PreparedPhase } from './manual-phase.js';
export { liveExecutionRuns, recoverExecutions, type AbandonedRun, type ExecutionRecoveryReport, type LiveExecutionRun } from './recovery.js';
export { EXECUTE_RELATIVE_DIR } from './run-dir.js';
export { runAll, type RunAllAction, type RunAllOptions, type RunAllResult, type RunAllStop } from './run-all.js';
export {
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_VALIDATION_SILENCE_MS,
  DEFAULT_VALIDATION_TIMEOUT_MS,
  INTEGRATE_MODES,
  runPhase,
  type AttemptRecord,
  type IntegrateMode,
  type IntegrationResult,
  type PhaseRunResult,
  type PhaseRunStatus,
  type RunPhaseOptions,
} from './run-phase.js';
export {
  isTrusted,
  listTrusted,
  listTrustedFor,
  revokeTrust,
  trustCommand,
  trustedRepoKey,
  validateCommandDigest,
  type TrustEntry,
} from './trust.js';
export {
  resolveValidationCommand,
  untrustedCommandError,
  visibleCommand,
  type ResolveValidationInput,
  type ValidationCommand,
  type ValidationSource,
} from './validation-command.js';
