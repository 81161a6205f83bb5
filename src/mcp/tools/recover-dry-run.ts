import { RecoverOutputSchema, recoverReportJson } from '../../outputs/recover.js';
import { recover } from '../../publish/recovery.js';
import { outputDocument } from '../results.js';
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
    const context = await env.project();
    const report = await recover(context.liveRoot, { dryRun: true, lockTimeoutMs: context.lockTimeoutMs });
    return { document: outputDocument(recoverReportJson(report)) };
  },
});
