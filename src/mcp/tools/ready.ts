import * as z from 'zod';
import { ReadyItemSchema, ReadyOutputSchema, outputDocument } from '../../outputs/index.js';
import { readyWork } from '../../app/index.js';
import { defineTool } from '../tool.js';
import { shellWords, toolFor } from '../tool-hints.js';

/** `cairn ready`'s items, each with the tool call that does the work (none for a review: that is a person's). */
const ReadyToolOutputSchema = ReadyOutputSchema.extend({
  items: z.array(
    ReadyItemSchema.extend({
      tool: z.string().nullable().describe('The tool that does the work: next_prompt for a plan step, next_phase for a phase; null for a review, which a person does with `command`.'),
      arguments: z.record(z.string(), z.string()).nullable().describe("The tool's arguments; null when tool is."),
    }),
  ),
});

export const readyTool = defineTool({
  name: 'ready',
  title: 'Work ready now',
  description:
    'The work that can be done now, in order: planning steps to run, reviews awaiting a human, phases ready to start (as `cairn ready --format json`, each item with the tool and arguments that do it).',
  input: {},
  output: ReadyToolOutputSchema,
  annotations: { readOnlyHint: true, openWorldHint: false },
  async run(_args, env) {
    const items = (await readyWork(await env.project())).map((item) => {
      const call = toolFor(shellWords(item.command.replace(/^cairn /, '')));
      return { ...item, tool: call?.tool ?? null, arguments: call?.arguments ?? null };
    });
    return { document: outputDocument({ items }) };
  },
});
