import * as z from 'zod';
import { printWarnings, withPhaseSession } from '../../app/index.js';
import { EffortInput } from '../../app/index.js';
import { preparePhase, resolveValidationCommand, untrustedCommandError } from '../../execution/index.js';
import { NextPhaseOutputSchema, outputDocument, phaseRunJson } from '../../outputs/index.js';
import { loadTaste } from '../../planning/index.js';
import { CairnError } from '../../util/index.js';
import { lockTimeoutField, slugField } from '../fields.js';
import { defineTool } from '../tool.js';

export const nextPhaseTool = defineTool({
  name: 'next_phase',
  title: 'Prepare the current phase for you to carry out',
  description:
    "Prepare the current phase of a ready migration as `cairn run` does before its agent starts: checks it may run now (never while it awaits a human review), creates a git worktree on a new phase branch, and runs the validation command there (a red baseline stops). Returns the execution prompt and the worktree path: make the phase's change in that worktree (not in the main checkout, not in the migration directory, no commits), then call finish_phase with the run id. Nothing in the user's checkout changes.",
  input: {
    slug: slugField,
    validate: z.string().min(1).optional().describe("The validation command (sh -c, in the worktree); default: the repository's configured command, if the user trusted it with `cairn trust`."),
    max_effort: EffortInput.optional().describe('Defer the phase (instead of preparing it) when its required effort is above this.'),
    commit_prefix: z.string().min(1).optional().describe('Subject prefix of the phase commit (default cairn).'),
    lock_timeout_ms: lockTimeoutField,
  },
  output: NextPhaseOutputSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run(args, env) {
    const context = await env.project();
    const resolved = await resolveValidationCommand({ flag: args.validate ?? null, config: context.config, repoRoot: context.repoRoot, env: process.env });
    if (resolved === null) {
      throw new CairnError('usage', "No validation command: a phase runs only under the project's tests", {
        hint: 'Pass validate (e.g. "npm test"), or ask the user to add "validate" to .planning/config.json and run `cairn trust`.',
      });
    }
    if (!resolved.trusted) throw untrustedCommandError(resolved);
    return withPhaseSession(context, env.io, { target: args.slug, dryRun: false, lockTimeout: args.lock_timeout_ms }, async ({ ctx }) => {
      const prepared = await preparePhase(ctx, {
        validation: { command: resolved.command, source: resolved.source },
        taste: await loadTaste(context.repoRoot),
        maxEffort: args.max_effort ?? null,
        commitPrefix: args.commit_prefix ?? 'cairn',
      });
      printWarnings(env.io, ctx.log?.warnings ?? []);
      if (prepared.kind === 'prepared') {
        return {
          document: outputDocument({
            status: 'prepared' as const,
            slug: prepared.slug,
            phase: prepared.phase,
            phase_file: prepared.phaseFile,
            run_id: prepared.runId,
            worktree: prepared.worktree,
            branch: prepared.branch,
            base_commit: prepared.baseCommit,
            validation_command: prepared.validationCommand,
            prompt: prepared.prompt,
            reason: `phase ${prepared.phase} is prepared in ${prepared.worktree}; the baseline ${prepared.baseline}`,
            result: null,
          }),
        };
      }
      const result = prepared.result;
      const document = outputDocument({
        status: result.status === 'deferred' ? ('deferred' as const) : ('baseline-failed' as const),
        slug: result.slug,
        phase: result.phase,
        phase_file: result.phaseFile,
        run_id: null,
        worktree: null,
        branch: null,
        base_commit: result.baseCommit,
        validation_command: result.validationCommand,
        prompt: null,
        reason: result.reason,
        result: phaseRunJson(result),
      });
      return result.status === 'deferred' ? { document } : { document, failure: new CairnError('failed', result.reason, { hint: 'Fix the tests on the branch first, then call next_phase again.' }) };
    });
  },
});
