import * as z from 'zod';
import { ListOutputSchema, listRowJson, outputDocument } from '../../outputs/index.js';
import { MigrationStatusInput, listProject } from '../../app/index.js';
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
    const rows = await listProject(context, env.io, { status: args.status, awaitingReview: args.awaiting_review, useIndex: true });
    return { document: outputDocument({ live_root: context.liveRoot, migrations: rows.map(listRowJson) }) };
  },
});
