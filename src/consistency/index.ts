/*
 * The consistency engine: finding rules and modes, doctor aggregation, and
 * the reporters. The library returns findings; it never prints or exits.
 */
export { VALIDATION_MODES, type CheckOptions, type Finding, type Severity, type ValidationMode } from '../migration/finding.js';
export { RULES, makeFinding, ruleFor, rulesMarkdownTable, type Rule, type RuleOrigin } from './rules.js';
export { checkMigrationDir, inspectMigration, type InspectOptions } from './migration.js';
export {
  DOCTOR_CONCURRENCY,
  doctorAll,
  doctorMigration,
  type DoctorAllOptions,
  type DoctorGroup,
} from './doctor.js';
export {
  TRANSACTIONS_SLUG,
  leftoverTransactionFindings,
  transactionFindings,
  type TransactionCheckOptions,
  type TransactionDirInspector,
} from './transactions.js';
export { PUBLISH_LOCK_STALE_MS, isPidAlive, localIsoSeconds, publishLockFinding, type LockCheckOptions } from './publish-lock.js';
export { CONFIG_SLUG, configFindings } from './config-rules.js';
export { firstConflictMarkerLine } from './conflict-markers.js';
export {
  REVIEW_DECISIONS,
  REVIEWS_RELATIVE_PATH,
  ReviewRecordSchema,
  type ReviewDecision,
  type ReviewRecord,
} from '../migration/reviews-schema.js';
export { reviewLineProblem } from './review-rules.js';
export { SEVERITIES, SummaryCounter, doctorExitCode, isAtLeast, summarize, type DoctorSummary } from './summary.js';
export {
  DOCTOR_FORMATS,
  SARIF_SCHEMA_URI,
  createReporter,
  escapeGithubData,
  escapeGithubProperty,
  escapeXml,
  doctorJsonDocument,
  findingJson,
  DoctorOutputSchema,
  DoctorSummarySchema,
  FindingJsonSchema,
  type DoctorJsonDocument,
  type FindingJson,
  repoRelative,
  type DoctorFormat,
  type Painter,
  type PaintColour,
  type Reporter,
  type ReporterOptions,
} from './reporters/index.js';
