/**
 * Carrying out a migration's phases: effort, the ready-check's answer, the
 * execution agent's status block, deferral and the prompts of both agent
 * runs.
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
