import * as z from 'zod';
import type { StoreInspection } from '../store/index.js';
import { jsonDocument } from './document.js';

const StoreMigrationJsonSchema = z.strictObject({ version: z.int(), name: z.string() });

export const StoreInspectionJsonSchema = z.strictObject({
  path: z.string(),
  exists: z.boolean(),
  schema_version: z.int().nullable().describe('null when the file cannot be read as a database.'),
  latest_schema_version: z.int(),
  pending_migrations: z.array(StoreMigrationJsonSchema),
  row_counts: z.record(z.string(), z.int().min(0)),
  integrity: z.union([z.literal('ok'), z.strictObject({ problems: z.array(z.string()) })]),
});

export const InfoOutputSchema = jsonDocument(
  {
    cairn_version: z.string(),
    config: z.strictObject({
      repo_root: z.string(),
      config_path: z.string().nullable(),
      migrations_dir: z.string(),
      live_root: z.string(),
      review: z.enum(['when-flagged', 'always']),
      lock_timeout_ms: z.int().min(0),
    }),
    store: StoreInspectionJsonSchema,
    user_config: z
      .strictObject({
        path: z.string(),
        exists: z.boolean(),
        agent: z.string().nullable(),
        model: z.string().nullable(),
        effort: z.string().nullable(),
        agent_cmd: z.string().nullable(),
        trusted_validate: z.int().min(0).describe('How many validation commands this user trusts (`cairn trust`).'),
        problem: z.string().nullable().describe('Why the file could not be used, or null.'),
      })
      .describe("The user's own defaults: $XDG_CONFIG_HOME/cairn/config.json, else ~/.config/cairn/config.json."),
    leftover_workspaces: z
      .int()
      .min(0)
      .describe('Workspaces under .planning/work/ of finished, failed or abandoned runs, which `cairn clean` removes (manual runs waiting for accept not counted).'),
    migration: z
      .union([
        z.strictObject({ dry_run: z.literal(true), would_apply: z.array(StoreMigrationJsonSchema) }),
        z.strictObject({ dry_run: z.literal(false), applied: z.array(StoreMigrationJsonSchema) }),
      ])
      .optional()
      .describe('Only with --migrate.'),
  },
  'Output of `cairn info --format json`.',
);

/** `user_config` of `cairn info`. */
export type InfoUserConfigJson = z.infer<typeof InfoOutputSchema>['user_config'];

/** `migration` of `cairn info --migrate`. */
export type InfoMigrationJson = NonNullable<z.infer<typeof InfoOutputSchema>['migration']>;

/** The store inspection as JSON. */
export function inspectionJson(inspection: StoreInspection): z.infer<typeof StoreInspectionJsonSchema> {
  return {
    path: inspection.path,
    exists: inspection.exists,
    schema_version: inspection.schemaVersion,
    latest_schema_version: inspection.latestVersion,
    pending_migrations: inspection.pending.map((step) => ({ version: step.version, name: step.name })),
    row_counts: inspection.rowCounts,
    integrity: inspection.integrity === 'ok' ? 'ok' : { problems: inspection.integrity },
  };
}
