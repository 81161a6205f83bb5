import { ReadyOutputSchema, outputDocument } from '../../outputs/index.js';
import { readyWork } from '../../app/index.js';
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
    return { document: outputDocument({ items: await readyWork(await env.project()) }) };
  },
});
