import { z } from 'zod';
import { ListOutputSchema, listRowJson } from '../../outputs/list.js';
import { openServices } from '../../app/services.js';
import { MigrationStatusInput } from '../../app/inputs.js';
import { filterRows } from '../../planning/list.js';
import { listMigrations } from '../../app/list-index.js';
import { outputDocument } from '../results.js';
import { defineTool } from '../tool.js';

export const listTool = defineTool({
  name: 'list',
  title: 'List migrations',
  description: 'List the migrations: status, next step, and whether each awaits a human review (as `cairn list --format json`).',
  input: {
    status: MigrationStatusInput.optional().describe('Only migrations with this status.'),
    awaiting_review: z.boolean().optional().describe('Only migrations awaiting a human review.'),
  },
  output: ListOutputSchema,
  annotations: { readOnlyHint: true, openWorldHint: false },
  async run(args, env) {
    const context = await env.project();
    const services = context.configPath !== null ? openServices(context, env.io) : null;
    let rows;
    try {
      rows = await listMigrations(context.liveRoot, context.repoRoot, services?.store ?? null);
    } finally {
      services?.close();
    }
    const migrations = filterRows(rows, { status: args.status, awaitingReview: args.awaiting_review }).map(listRowJson);
    return { document: outputDocument({ live_root: context.liveRoot, migrations }) };
  },
});
