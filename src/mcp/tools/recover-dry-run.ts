import { RecoverOutputSchema, recoverReportJson, outputDocument } from '../../outputs/index.js';
import { recoverProject } from '../../app/index.js';
import { recoverExecutions } from '../../execution/index.js';
import { defineTool } from '../tool.js';

export const recoverDryRunTool = defineTool({
  name: 'recover_dry_run',
  title: 'What recovery would do',
  description:
    'Say what `cairn recover` would do with interrupted publish transactions, the publish lock, interrupted integrations and runs left by a killed `cairn run` (as `cairn recover --dry-run --format json`); takes no lock and changes nothing.',
  input: {},
  output: RecoverOutputSchema,
  annotations: { readOnlyHint: true, openWorldHint: false },
  async run(_args, env) {
    const context = await env.project();
    const report = await recoverProject(context, env.io, { dryRun: true });
    const runs = await recoverExecutions({ repoRoot: context.repoRoot, liveRoot: context.liveRoot, lockTimeoutMs: context.lockTimeoutMs, dryRun: true });
    return { document: outputDocument(recoverReportJson(report, runs)) };
  },
});
