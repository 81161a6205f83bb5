import * as z from 'zod';
import { AcceptOutputSchema, stepJson, outputDocument } from '../../outputs/index.js';
import { StepNameInput, withMigrationSession } from '../../app/index.js';
import { acceptManualOutput } from '../../planning/index.js';
import { checkStepOutputSize } from '../../agent/index.js';
import { stepFailure } from '../failures.js';
import { slugField, publishFields } from '../fields.js';
import { defineTool } from '../tool.js';

export const acceptTool = defineTool({
  name: 'accept',
  title: 'Accept the prepared step',
  description:
    "Accept the output of the step prepared by next_prompt (or refine), validated as if an agent had printed it, and publish the workspace with the files written there (as `cairn accept --format json`). Refused as stale when the live migration changed since the step was prepared.",
  input: {
    slug: slugField,
    step: StepNameInput.describe('The prepared step (from next_prompt).'),
    output: z.string().describe("The step's output, as an agent would print it (e.g. 'No findings.' on a line of its own for a clear review; an empty review is refused)."),
    ...publishFields,
  },
  output: AcceptOutputSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run(args, env) {
    checkStepOutputSize(args.output, 'the output argument');
    const dryRun = args.dry_run === true;
    return withMigrationSession(await env.project(), env.io, { target: args.slug, dryRun, lockTimeout: args.lock_timeout_ms }, async ({ context, slug, ctx, recovered }) => {
      const result = await acceptManualOutput(ctx, { step: args.step, stdout: args.output, dryRun });
      const step = stepJson(result, context.repoRoot, null, recovered);
      step.warnings.push(...(ctx.log?.warnings ?? []));
      const document = outputDocument({ slug, status: result.status, steps: [step] });
      const failure = stepFailure(result);
      return failure === null ? { document } : { document, failure };
    });
  },
});
