/*
 * The `--format json` documents: one zod schema per command output (the
 * published JSON Schemas are generated from them) and the builders that
 * turn library results into them, typed by those schemas.
 */
export { JSON_SCHEMA_VERSION, jsonDocument, outputDocument, type DocumentPayload } from './document.js';
export { ErrorOutputSchema, errorJson, type ErrorPayload } from './error.js';
export { ListOutputSchema, ListRowJsonSchema, listRowJson } from './list.js';
export { StatusOutputSchema, statusJson } from './status.js';
export { ReadyOutputSchema } from './ready.js';
export { InfoOutputSchema, StoreInspectionJsonSchema, inspectionJson, type InfoMigrationJson } from './info.js';
export { EventJsonSchema, LogListOutputSchema, LogOutputSchema, LogShowOutputSchema, RunJsonSchema, eventJson, runJson } from './log.js';
export { InitOutputSchema } from './init.js';
export { NewOutputSchema, PhaseDoneOutputSchema } from './publish.js';
export {
  AcceptOutputSchema,
  PlanOutputSchema,
  RefineOutputSchema,
  StepJsonSchema,
  acceptCommand,
  repoRelativePath,
  stepJson,
  type StepJson,
} from './step.js';
export { ReviewOutputSchema, ReviewSummaryJsonSchema, reviewSummaryJson } from './review.js';
export { RecoverOutputSchema, recoverReportJson } from './recover.js';
export { LockOwnerJsonSchema, UnlockOutputSchema } from './unlock.js';
export { DoctorOutputSchema, doctorJsonDocument, findingJson, type FindingJson } from './doctor.js';
export { NextPromptOutputSchema, nextPromptJson, type NextPromptPayload } from './next-prompt.js';
export { JSON_OUTPUTS, type JsonOutputName } from './registry.js';
export { publishedSchemas, renderPublishedSchemas, renderSchema, type PublishedSchema } from './published.js';
