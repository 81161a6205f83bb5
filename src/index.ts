/**
 * cairn as a library: the calls the CLI and the MCP server make, and the
 * types they take and return. They return values (results and findings) and
 * throw `CairnError` with a stable `code`; they never print or exit.
 *
 * A typical caller opens the project (`resolveProjectContext`), reads it
 * (`scanMigrations`, `describeMigration`, `listReadyWork`, `doctorAll`) and
 * changes it inside a session (`withMigrationSession` → `planNextStep`,
 * `acceptManualOutput`, `refineMigration`, `decideReview`, `completePhase`),
 * each change published through the crash-safe transaction.
 */

// Errors and the version.
export { CairnError, isCairnError, toCairnError, CAIRN_VERSION, type CairnErrorCode } from './util/index.js';

// The project: config discovery and `cairn init`.
export {
  initProject,
  resolveProjectContext,
  ProjectConfigSchema,
  type ContextOptions,
  type InitOptions,
  type InitResult,
  type ProjectConfig,
  type ProjectContext,
} from './config/index.js';

// A migration's files: vocabulary and codecs.
export {
  EFFORTS,
  MIGRATION_FILES,
  MIGRATION_STATUSES,
  STEPS,
  VALIDATION_MODES,
  decodeManifest,
  decodeState,
  encodeManifest,
  encodeState,
  listMigrationSlugs,
  loadManifest,
  loadState,
  migrationFiles,
  readReviewRecords,
  type CompletedStep,
  type Cursor,
  type Effort,
  type Finding,
  type Manifest,
  type MigrationStatus,
  type Phase,
  type PlanningState,
  type ReviewRecord,
  type Severity,
  type Step,
  type ValidationMode,
} from './migration/index.js';

// Checking: the consistency rules, doctor and its reporters.
export { RULES, checkMigrationDir, doctorAll, doctorExitCode, doctorMigration, publishValidator, type DoctorGroup, type Rule } from './consistency/index.js';
export { DOCTOR_FORMATS, createReporter, type DoctorFormat, type Reporter } from './outputs/index.js';

// Reading and changing plans.
export {
  acceptManualOutput,
  completePhase,
  createMigration,
  decideReview,
  describeMigration,
  listReadyWork,
  planNextStep,
  planUntil,
  refineMigration,
  resolveMigrationTarget,
  scanMigrations,
  type EngineContext,
  type ListRow,
  type MigrationDescription,
  type NewMigrationRequest,
  type NewMigrationResult,
  type ReadyItem,
  type StepRunResult,
} from './planning/index.js';

// Sessions: what a front end sets up around a change.
export { agentChoice, withMigrationSession, type AgentOptions, type MigrationSession, type SessionOptions } from './app/index.js';

// The publish transaction and its repair.
export {
  publish,
  recover,
  unlockPublishLock,
  MemoryRecorder,
  type PublishRecorder,
  type PublishRequest,
  type PublishResult,
  type PublishValidator,
  type RecoveryPlan,
  type RecoveryReport,
} from './publish/index.js';

// Agents.
export { AGENT_KINDS, resolveAgentSettings, type AgentKind, type AgentSettings } from './agent/index.js';

// The local store.
export { openStore, inspectStore, storePathFor, type Store, type StoreInspection } from './store/index.js';

// Python-compatible JSON, as the v1 files are written.
export { encodeJson, parseJson } from './json/index.js';

// The `--format json` documents and their JSON Schemas.
export { JSON_OUTPUTS, publishedSchemas, renderPublishedSchemas, type JsonOutputName, type PublishedSchema } from './outputs/index.js';
