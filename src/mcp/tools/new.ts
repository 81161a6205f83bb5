import * as z from 'zod';
import { NewOutputSchema, publishResultJson, outputDocument } from '../../outputs/index.js';
import { NewSlugInput, newMigration } from '../../app/index.js';
import { publishFailure } from '../failures.js';
import { publishFields } from '../fields.js';
import { defineTool } from '../tool.js';

export const newTool = defineTool({
  name: 'new',
  title: 'Create a migration',
  description:
    'Create a migration (status planning, next step approaches) through the publish transaction (as `cairn new --format json`). Then call next_prompt for it.',
  input: {
    slug: NewSlugInput,
    target: z.string().describe('What the migration should change.'),
    ...publishFields,
  },
  output: NewOutputSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run(args, env) {
    const created = await newMigration(await env.project(), env.io, {
      slug: args.slug,
      target: args.target,
      dryRun: args.dry_run === true,
      lockTimeout: args.lock_timeout_ms,
    });
    const document = outputDocument({ result: publishResultJson(created.result) });
    if (created.result.status !== 'published') return { document, failure: publishFailure(created.result) };
    return { document };
  },
});
