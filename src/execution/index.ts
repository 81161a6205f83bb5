/*
 * Carrying out phases: preflight, the worktree a phase runs in, the
 * ready-check, the agent, the validation command, the phase commit and its
 * integration, deferrals, and recovery after a killed run.
 */
export { runAll, type RunAllAction, type RunAllOptions, type RunAllResult, type RunAllStop } from './run-all.js';
export type { IntegrationRecovery } from './integration.js';
export { recoverExecutions, type AbandonedRun, type ExecutionRecoveryReport } from './recovery.js';
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
export type { StatusBlock } from './status-block.js';
export type { DeferralKind } from './deferral.js';
export { resolveValidationCommand, untrustedCommandError, type ValidationCommand, type ValidationSource } from './validation-command.js';
