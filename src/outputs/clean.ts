import * as z from 'zod';
import type { CleanReport } from '../app/index.js';
import { jsonDocument, type DocumentPayload } from './document.js';

export const CleanOutputSchema = jsonDocument(
  {
    dry_run: z.boolean().describe('True when nothing was removed: `workspaces` says what would be.'),
    all: z.boolean().describe('Manual runs were included (`--all`).'),
    workspaces: z
      .array(
        z.strictObject({
          kind: z.enum(['planning', 'execution']).describe('planning: `.planning/work/<slug>/<run-id>`; execution: `.planning/work/.execute/<run-id>`.'),
          slug: z.string().nullable(),
          run_id: z.string(),
          path: z.string().describe('The run directory, relative to the repository.'),
          action: z.enum(['removed', 'would-remove', 'kept', 'failed']).describe("What became of it; a dry run says 'would-remove', never 'removed'."),
          reason: z.string().describe('What the run was, why it stays, or why it could not be removed.'),
        }),
      )
      .describe('Every run directory found under `.planning/work/`: removed (or would be) first, then failed, then kept.'),
  },
  'Output of `cairn clean --format json`.',
);

/** A clean report as JSON, without `schema_version`. */
export function cleanReportJson(report: CleanReport): DocumentPayload<typeof CleanOutputSchema> {
  return {
    dry_run: report.dryRun,
    all: report.all,
    workspaces: report.workspaces.map((entry) => ({
      kind: entry.kind,
      slug: entry.slug,
      run_id: entry.runId,
      path: entry.path,
      action: entry.action,
      reason: entry.reason,
    })),
  };
}
