/**
 * A migration's vocabulary and the one codec per file it holds: manifest,
 * planning state and graph, output refs, stage outputs, phase docs, sums,
 * review records, live-root rules and findings.
 */
export { INVARIANT_NAMES, VALIDATION_MODES, type CheckOptions, type Finding, type InvariantName, type InvariantResult, type InvariantViolation, type Severity, type ValidationMode } from './finding.js';
export { CURSORS, FINAL_DECISIONS, OUTCOMES, STEPS, appendFeedback, completeStep, isStep, isTerminalCursor, newState, reopenForRevise, type CompletedStep, type Cursor, type FeedbackEntry, type FeedbackSource, type FinalDecision, type Outcome, type PlanningState, type Step } from './graph.js';
export { MIGRATION_FILES, migrationFiles } from './layout.js';
export { SLUG_MAX_LENGTH, SLUG_RULE, slugRuleProblem, suggestedSlug } from './slug-rule.js';
export { isSafeSlug, listMigrationDirectories, listMigrationSlugs, type MigrationDirectories } from './live-root.js';
export { EFFORTS, MIGRATION_STATUSES, decodeManifest, encodeManifest, isEffort, loadManifest, peekManifestStatus, saveManifest, seedManifest, type Effort, type Manifest, type MigrationStatus, type Phase } from './manifest.js';
export { resolveOutputRef, type OutputRefContext } from './output-refs.js';
export { applyDiscoveredPhases, discoverPhases, hasHeading, parsePhaseDocFilename, sectionText, type PhaseDocHeading, type PhaseDocName } from './phase-docs.js';
export { appendReviewRecord, reviewerIdentity } from './review-records.js';
export { readReviewRecords, reviewRecordsOf } from './read-review-records.js';
export { reviewRecordSchema, type ReviewDecision, type ReviewRecord } from './reviews-schema.js';
export { CompletedStepFileSchema, FeedbackFileSchema, ManifestFileSchema, StateFileSchema } from './schemas.js';
export { latestStdoutRef, nextStageOutputPath, readLatestStdout, stdoutRefFor } from './stage-outputs.js';
export { decodeState, encodeState, loadState, peekStateCursor, peekStateOutputRefs, saveState, stateToJson, validateDecodedState, type StateContext } from './state.js';
export { appendSums, outsideMessage, parseSums, sha256Hex } from './sums.js';
export { rewriteForRename, type RenameChange, type RenameInput } from './rename.js';
