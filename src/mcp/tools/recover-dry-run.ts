import { RecoverOutputSchema, recoverReportJson, outputDocument } from '../../outputs/index.js';
import { recoverProject } from '../../app/index.js';
import { defineTool } from '../tool.js';

export const recoverDryRunTool = defineTool({
  name: 'recover_dry_run',
  title: 'What recovery would do',
  description:
    'Say what `cairn recover` would do with interrupted publish transactions and the publish lock (as `cairn recover --dry-run --format json`); takes no lock and changes nothing.',
  input: {},
  output: RecoverOutputSchema,
  annotations: { readOnlyHint: true, openWorldHint: false },
  async run(_args, env) {
    const report = await recoverProject(await env.project(), env.io, { dryRun: true });
    return { document: outputDocument(recoverReportJson(report)) };
  },
});
