import * as z from 'zod';
import { LogListOutputSchema, eventJson, runJson, outputDocument } from '../../outputs/index.js';
import { LogLimitInput, StepNameInput, DEFAULT_LOG_LIMIT, logEntries, readRunLog } from '../../app/index.js';
import { defineTool } from '../tool.js';

export const logTool = defineTool({
  name: 'log',
  title: 'Run log and events',
  description:
    'The local run log (every agent or manual run: step, verdict, exit, duration) and events (publishes, blocks, recoveries, reviews), newest first (as `cairn log --format json`).',
  input: {
    slug: z.string().optional().describe('Only this migration.'),
    step: StepNameInput.optional().describe('Only runs of this step (no events).'),
    failed: z.boolean().optional().describe('Only runs that were not accepted (no events).'),
    limit: LogLimitInput.optional(),
  },
  output: LogListOutputSchema,
  annotations: { readOnlyHint: true, openWorldHint: false },
  async run(args, env) {
    const context = await env.project();
    const log = readRunLog(context, (store) =>
      logEntries(store, { slug: args.slug, step: args.step, failedOnly: args.failed === true, limit: args.limit ?? DEFAULT_LOG_LIMIT }),
    );
    return { document: outputDocument({ runs: (log?.runs ?? []).map(runJson), events: (log?.events ?? []).map(eventJson) }) };
  },
});
