import { StatusOutputSchema, statusJson, outputDocument } from '../../outputs/index.js';
import { describeTarget } from '../../app/index.js';
import { slugField } from '../fields.js';
import { defineTool } from '../tool.js';

export const statusTool = defineTool({
  name: 'status',
  title: 'Migration status',
  description:
    'One migration: status, next step, accepted steps, feedback, phases and review state (as `cairn status --format json`); state_error says why its planning state is unusable.',
  input: { slug: slugField },
  output: StatusOutputSchema,
  annotations: { readOnlyHint: true, openWorldHint: false },
  async run(args, env) {
    const context = await env.project();
    const description = await describeTarget(context, args.slug);
    return { document: outputDocument(statusJson(description, context.repoRoot)) };
  },
});
