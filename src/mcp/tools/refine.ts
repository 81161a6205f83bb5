import path from 'node:path';
import * as z from 'zod';
import { CairnError, shellWord } from '../../util/index.js';
import { pyRepr } from '../../json/index.js';
import { loadManifest, migrationFiles } from '../../migration/index.js';
import { awaitingReviewReason, loadTaste, refineMigration, type ReviewPolicy } from '../../planning/index.js';
import { withMigrationSession } from '../../app/index.js';
import { manualAgent } from '../manual-agent.js';
import { slugField, preparedStepFields } from '../fields.js';
import { NextPromptOutputSchema } from '../../outputs/index.js';
import { preparedStepOutcome } from '../next-prompt.js';
import { defineTool } from '../tool.js';

export const refineTool = defineTool({
  name: 'refine',
  title: 'Refine a plan with feedback',
  description:
    'Record feedback on a plan (a planning migration, or a ready one whose first phase has not started) and prepare its next step with the feedback like next_prompt: revise when the plan is ready or at a review step, else its current step. No agent is run; the feedback is published with the step when accept succeeds. Refused while the plan awaits a human review.',
  input: {
    slug: slugField,
    feedback: z.string().describe('What should change in the plan.'),
    ...preparedStepFields,
  },
  output: NextPromptOutputSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run(args, env) {
    const dryRun = args.dry_run === true;
    return withMigrationSession(await env.project(), env.io, { target: args.slug, dryRun, lockTimeout: args.lock_timeout_ms }, async ({ context, slug, ctx, recovered }) => {
      await refuseWhileAwaitingReview(path.join(context.liveRoot, slug), slug, context.reviewPolicy);
      const agent = await manualAgent(env, context, args);
      const result = await refineMigration(ctx, {
        agent,
        taste: await loadTaste(context.repoRoot),
        dryRun,
        feedback: { text: args.feedback, source: 'message' },
      });
      return preparedStepOutcome(result, ctx.log?.warnings ?? [], recovered);
    });
  },
});

/**
 * A plan awaiting a human review waits for that person: refining it would
 * clear the flag and let an agent decide in the reviewer's place.
 */
async function refuseWhileAwaitingReview(liveDir: string, slug: string, policy: ReviewPolicy): Promise<void> {
  const manifest = await loadManifest(migrationFiles(liveDir).manifest);
  const reason = await awaitingReviewReason(liveDir, manifest, policy);
  if (reason === null) return;
  throw new CairnError('invalid-state', `Migration ${pyRepr(slug)} is awaiting human review: ${reason}`, {
    hint: `A person decides with \`cairn review ${shellWord(slug)}\` (approve, reject or request changes); it is not offered to agents.`,
  });
}
