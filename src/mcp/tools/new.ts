import { z } from 'zod';
import { NewOutputSchema } from '../../outputs/publish.js';
import { openServices } from '../../app/services.js';
import { NewSlugInput } from '../../app/inputs.js';
import { createMigration } from '../../planning/new-migration.js';
import { publishResultJson } from '../../outputs/publish-result.js';
import { publishFailure } from '../failures.js';
import { dryRunField, lockTimeoutField } from '../fields.js';
import { outputDocument } from '../results.js';
import { defineTool } from '../tool.js';

export const newTool = defineTool({
  name: 'new',
  title: 'Create a migration',
  description:
    'Create a migration (status planning, next step approaches) through the publish transaction (as `cairn new --format json`). Then call next_prompt for it.',
  input: {
    slug: NewSlugInput,
    target: z.string().describe('What the migration should change.'),
    dry_run: dryRunField,
    lock_timeout_ms: lockTimeoutField,
  },
  output: NewOutputSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run(args, env) {
    const context = await env.project();
    const dryRun = args.dry_run === true;
    const services = dryRun ? null : openServices(context, env.io);
    const created = await createMigration({
      ...(services?.recorder !== undefined ? { recorder: services.recorder } : {}),
      repoRoot: context.repoRoot,
      liveRoot: context.liveRoot,
      slug: args.slug,
      target: args.target,
      dryRun,
      lockTimeoutMs: args.lock_timeout_ms ?? context.lockTimeoutMs,
    }).finally(() => services?.close());
    const document = outputDocument({ result: publishResultJson(created.result) });
    if (created.result.status !== 'published') return { document, failure: publishFailure(created.result) };
    return { document };
  },
});
