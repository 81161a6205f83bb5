export { storePathFor, STORE_FILE_NAME } from './paths.js';
export { openStore, Store, type OpenStoreOptions, type StoreRecovery } from './store.js';
export { inspectStore, type StoreInspection } from './inspect.js';
export {
  migrateStore,
  pendingMigrations,
  validateMigrationList,
  STORE_MIGRATIONS,
  LATEST_STORE_VERSION,
  type StoreMigration,
  type MigrationStep,
  type AppliedMigration,
  type MigrationResult,
} from './migrations.js';
export { StoreMigrationError, isCorruptionError, type InvariantFailure, type MigrationInvariant } from './errors.js';
export { BUSY_TIMEOUT_MS, configureConnection } from './connection.js';
export { DEFAULT_MAX_OUTPUT_BYTES } from './output-cap.js';
export {
  RUN_VERDICTS,
  type RunVerdict,
  type RunStartInput,
  type RunEndInput,
  type RunSummary,
  type RunRecord,
  type RunFilter,
} from './runs.js';
export { type EventInput, type EventRecord, type EventFilter, type KnownEventKind } from './events.js';
export { type PublishedSnapshot } from './published.js';
export { type StoreJson } from './json-values.js';
export { fingerprint, fingerprintDifferences, FINGERPRINT_FIELDS, type Fingerprint, type FingerprintKind, type FingerprintField } from './fingerprint.js';
export {
  isIndexEntryFresh,
  indexEntryStaleness,
  RACY_WINDOW_MS,
  type FreshnessInput,
  type FreshnessOptions,
  type Staleness,
} from './freshness.js';
export { type IndexEntry, type IndexEntryInput } from './list-index.js';
