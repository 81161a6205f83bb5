import { ReadyOutputSchema } from '../../outputs/ready.js';
import { listReadyWork } from '../../planning/ready.js';
import { outputDocument } from '../results.js';
import { defineTool } from '../tool.js';

export const readyTool = defineTool({
  name: 'ready',
  title: 'Work ready now',
  description:
    'The work that can be done now, in order: planning steps to run, reviews awaiting a human, phases ready to start (as `cairn ready --format json`).',
  input: {},
  output: ReadyOutputSchema,
  annotations: { readOnlyHint: true, openWorldHint: false },
  async run(_args, env) {
    const context = await env.project();
    const items = await listReadyWork({ liveRoot: context.liveRoot, repoRoot: context.repoRoot, reviewPolicy: context.reviewPolicy });
    return { document: outputDocument({ items }) };
  },
});
