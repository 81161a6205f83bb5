import * as z from 'zod';
import { printWarnings, withPhaseSession } from '../../app/index.js';
import { INTEGRATE_MODES, finishPhase } from '../../execution/index.js';
import { FinishPhaseOutputSchema, outputDocument, phaseRunJson } from '../../outputs/index.js';
import { CairnError } from '../../util/index.js';
import { lockTimeoutField, slugField } from '../fields.js';
import { defineTool } from '../tool.js';

const SUCCESS = new Set(['integrated', 'committed', 'pushed']);

export const finishPhaseTool = defineTool({
  name: 'finish_phase',
  title: 'Validate, commit and integrate a prepared phase',
  description:
    "Finish a phase prepared by next_phase: checks it is still the current phase and not awaiting review, that the worktree stays on its branch and leaves the migration directory alone, runs the validation command recorded by next_phase, then makes one commit holding the change and the phase's completion and integrates it (integrate ff: fast-forward the user's branch when it is checked out clean at the same commit, else the branch is left and the merge command returned; branch; push with remote). A red validation keeps the worktree so you can fix it and call again; abandon discards it.",
  input: {
    slug: slugField,
    run_id: z.string().min(1).describe('The run id next_phase returned.'),
    report: z.string().optional().describe('Your final message, ending with the status block (BEGIN_CONTINUOUS_REFACTORING_STATUS … END_CONTINUOUS_REFACTORING_STATUS); its commit_rationale becomes the commit\'s "Why".'),
    integrate: z.enum(INTEGRATE_MODES).optional().describe('ff (default), branch or push.'),
    remote: z.string().min(1).optional().describe('The remote for integrate push.'),
    commit_prefix: z.string().min(1).optional().describe('Subject prefix of the phase commit (default cairn).'),
    abandon: z.boolean().optional().describe('Discard the prepared phase: worktree and branch removed, nothing committed.'),
    lock_timeout_ms: lockTimeoutField,
  },
  output: FinishPhaseOutputSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run(args, env) {
    const integrate = args.integrate ?? 'ff';
    if (integrate === 'push' && args.remote === undefined) throw new CairnError('usage', 'integrate push needs remote', { hint: 'Pass remote, e.g. "origin".' });
    return withPhaseSession(await env.project(), env.io, { target: args.slug, dryRun: false, lockTimeout: args.lock_timeout_ms }, async ({ ctx }) => {
      const result = await finishPhase(ctx, {
        runId: args.run_id,
        report: args.report ?? null,
        integrate,
        remote: args.remote ?? null,
        commitPrefix: args.commit_prefix ?? 'cairn',
        abandon: args.abandon === true,
      });
      printWarnings(env.io, [...(ctx.log?.warnings ?? []), ...result.warnings]);
      const document = outputDocument({ phase: phaseRunJson(result) });
      if (SUCCESS.has(result.status) || args.abandon === true) return { document };
      return { document, failure: new CairnError('failed', result.reason, { hint: 'Fix the change in the worktree and call finish_phase again, or call it with abandon.' }) };
    });
  },
});
