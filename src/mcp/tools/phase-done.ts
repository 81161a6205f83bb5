import { PhaseDoneOutputSchema, publishResultJson, recoveryPlanJson, outputDocument } from '../../outputs/index.js';
import { completePhase } from '../../planning/index.js';
import * as z from 'zod';
import { printWarnings, withMigrationSession } from '../../app/index.js';
import { publishFailure } from '../failures.js';
import { slugField, publishFields } from '../fields.js';
import { defineTool } from '../tool.js';

export const phaseDoneTool = defineTool({
  name: 'phase_done',
  title: 'Complete the current phase',
  description:
    'Mark the current phase of a ready migration done and move to the next one (status done after the last), through publish (as `cairn phase done --format json`). Refused while the migration awaits a human review.',
  input: {
    slug: slugField,
    phase: z.string().optional().describe('The phase being completed; must be the current one (phases complete in order).'),
    ...publishFields,
  },
  output: PhaseDoneOutputSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run(args, env) {
    const dryRun = args.dry_run === true;
    return withMigrationSession(await env.project(), env.io, { target: args.slug, dryRun, lockTimeout: args.lock_timeout_ms }, async ({ slug, ctx, recovered }) => {
      const done = await completePhase(ctx, { phase: args.phase ?? null, dryRun });
      printWarnings(env.io, [...(ctx.log?.warnings ?? []), ...done.warnings]);
      const document = outputDocument({
        slug,
        phase: done.phase,
        next_phase: done.nextPhase,
        status: done.status,
        commit: null,
        recovered: recovered.map(recoveryPlanJson),
        result: publishResultJson(done.publish),
      });
      return done.publish.status === 'published' ? { document } : { document, failure: publishFailure(done.publish) };
    });
  },
});
