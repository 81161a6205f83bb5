/*
 * The consistency engine: finding rules, doctor aggregation,
 * and the publish validator (candidate checks and invariants). The library
 * returns findings; it never prints or exits.
 */
export { CONFIG_SLUG, configFindings } from './config-rules.js';
export { THREADED_MIN_MIGRATIONS, doctorAll, doctorChunk, doctorMigration, type DoctorChunkSetup, type DoctorGroup, type DoctorThreads } from './doctor.js';
export { conflictFilesText, mergeConflictFiles, mergeConflictHint } from './conflict-markers.js';
export { checkMigrationDir, checkPlanContract, type InspectedFiles, type PlanContractOptions } from './migration.js';
export { localIsoSeconds } from './publish-lock.js';
export { sumsTarget } from './sums.js';
export { publishValidator } from './publish-validator.js';
export { RULES, makeFinding, rulesMarkdownTable, type Rule } from './rules.js';
export { SummaryCounter, doctorExitCode, summarize, type DoctorSummary } from './summary.js';
export { transactionIncompleteInspector } from './transaction-inspector.js';
export { transactionFindings } from './transactions.js';
export { closeVerifiedDigests, provideVerifiedDigests, type VerifiedDigests, type VerifiedDigestsOpener } from './verified-digests.js';
