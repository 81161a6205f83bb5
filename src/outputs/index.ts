/*
 * The `--format json` documents: one zod schema per command output (the
 * published JSON Schemas are generated from them) and the builders that
 * turn library results into them, typed by those schemas.
 */
export { CleanOutputSchema, cleanReportJson } from './clean.js';
export { ResolveOutputSchema, resolveJson } from './resolve.js';
export type { DocumentPayload } from './document.js';
export { JSON_SCHEMA_VERSION, outputDocument } from './output-document.js';
export { errorJson } from './error-json.js';
export { IndexOutputSchema, indexReportJson } from './index-output.js';
export { inspectionJson, type InfoMigrationJson, type InfoUserConfigJson } from './info.js';
export { ListOutputSchema } from './list.js';
export { listRowJson } from './list-json.js';
export { LogListOutputSchema, eventJson, runJson, storeTime } from './log.js';
export { NextPromptOutputSchema, nextPromptJson, type NextPromptPayload } from './next-prompt.js';
export { publishResultJson, recoveryPlanJson } from './publish-result.js';
export { NewOutputSchema, PhaseDoneOutputSchema } from './publish.js';
export { publishedSchemas, renderPublishedSchemas, type PublishedSchema } from './published.js';
export { ReadyOutputSchema, ReadyItemSchema } from './ready.js';
export { RecoverOutputSchema, recoverReportJson } from './recover.js';
export { MoveOutputSchema, moveResultJson, moveRootResultJson } from './move.js';
export { JSON_OUTPUTS, type JsonOutputName } from './registry.js';
export { escapeGithubData, escapeGithubProperty, githubStepSummary } from './reporters/github.js';
export { createReporter } from './reporters/index.js';
export { DoctorOutputSchema, type FindingJson } from './reporters/json-schema.js';
export { doctorJsonDocument, findingJson } from './reporters/json.js';
export { escapeXml } from './reporters/junit.js';
export { DOCTOR_FORMATS, type DoctorFormat, type Reporter } from './reporters/types.js';
export { reviewSummaryJson } from './review.js';
export { FinishPhaseOutputSchema, NextPhaseOutputSchema, RunOutputSchema, cleanedUpJson, phaseRunJson, runActionJson } from './run.js';
export { StatusOutputSchema } from './status.js';
export { statusJson } from './status-json.js';
export { AcceptOutputSchema, acceptCommand, repoRelativePath, stepJson } from './step.js';
export { TrustOutputSchema } from './trust.js';
export { BOARD_COLUMNS, DEFAULT_HTML_MAX_BYTES, HtmlReportPage, anchorOf, boardColumn, htmlReportParts, newestTimestamp, phaseTrackText, planningGraphText, renderHtmlReport, renderMarkdown, renderMarkdownReport, type BoardColumn, type GraphColour, type ReportData } from './report/index.js';
