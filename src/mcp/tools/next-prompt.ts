import { loadTaste, planNextStep } from '../../planning/index.js';
import { withMigrationSession } from '../../app/index.js';
import { manualAgent } from '../manual-agent.js';
import { slugField, preparedStepFields } from '../fields.js';
import { NextPromptOutputSchema } from '../../outputs/index.js';
import { preparedStepOutcome } from '../next-prompt.js';
import { defineTool } from '../tool.js';

export const nextPromptTool = defineTool({
  name: 'next_prompt',
  title: 'Prepare the next planning step',
  description:
    "Prepare a planning migration's next step as `cairn plan --agent manual` does: copies the migration into a workspace and returns the step, the prompt and the workspace path. Do the step by writing its files into the workspace, then call accept with the step's output. Publishes nothing.",
  input: {
    slug: slugField,
    ...preparedStepFields,
  },
  output: NextPromptOutputSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run(args, env) {
    const dryRun = args.dry_run === true;
    return withMigrationSession(await env.project(), env.io, { target: args.slug, dryRun, lockTimeout: args.lock_timeout_ms }, async ({ context, ctx, recovered }) => {
      const agent = await manualAgent(env, context, args);
      const result = await planNextStep(ctx, { agent, taste: await loadTaste(context.repoRoot), dryRun });
      return preparedStepOutcome(result, ctx.log?.warnings ?? [], recovered);
    });
  },
});
