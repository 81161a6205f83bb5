import * as z from 'zod';
import type { Severity, ValidationMode } from '../../migration/index.js';

/*
 * `cairn doctor --format json`: the document the json reporter writes. The
 * reporter is typed by these schemas and the published JSON Schema is
 * generated from them.
 */

const SeveritySchema = z.enum(['error', 'warning', 'info'] satisfies Severity[]);

/** One finding as the JSON format prints it. */
export const FindingJsonSchema = z
  .strictObject({
    slug: z.string().describe('The migration slug, `__transactions__` for live-root findings, `.planning` for the config.'),
    severity: SeveritySchema,
    mode: z.enum(['planning-snapshot', 'ready-publish', 'execution-gate', 'doctor'] satisfies ValidationMode[]),
    code: z.string().describe('Stable finding code, e.g. missing-plan.'),
    path: z.string().describe('Absolute path of the file or directory at fault.'),
    file: z.string().describe('The same path relative to the repository (POSIX), or absolute outside it.'),
    message: z.string(),
    hint: z.string().describe('How to fix it.'),
    v1: z
      .strictObject({ code: z.string(), message: z.string() })
      .optional()
      .describe('How continuous-refactoring reports the same problem, when cairn names it differently.'),
  })
  .describe('One doctor finding.')
  .meta({ id: 'Finding' });

export type FindingJson = z.infer<typeof FindingJsonSchema>;

export const DoctorSummarySchema = z.strictObject({
  migrations: z.int().min(0).describe('Migrations checked.'),
  migrations_with_findings: z.int().min(0),
  findings: z.int().min(0),
  errors: z.int().min(0),
  warnings: z.int().min(0),
  infos: z.int().min(0),
  fail_on: SeveritySchema.describe('The --severity threshold.'),
  failed: z.boolean().describe('True when some finding is at or above fail_on (exit 1).'),
});

/** The whole `--format json` document. */
export const DoctorOutputSchema = z
  .strictObject({
    schema_version: z.literal(1),
    findings: z.array(FindingJsonSchema),
    summary: DoctorSummarySchema,
  })
  .describe('Output of `cairn doctor --format json`.');

export type DoctorJsonDocument = z.infer<typeof DoctorOutputSchema>;
