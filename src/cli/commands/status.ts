import path from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { describeMigration, type MigrationDescription } from '../../planning/describe.js';
import { statusJson } from '../../outputs/status.js';
import { resolveMigrationTarget } from '../../planning/resolve.js';
import { action, type ExitHolder } from '../action.js';
import { projectContext } from '../context.js';
import { alignColumns, paint, printJson, type Io } from '../output.js';

function statusText(io: Io, description: MigrationDescription, repoRoot: string): string {
  const { manifest, state } = description;
  const out: string[] = [];
  const review = manifest.awaiting_human_review
    ? paint(io, 'yellow', `awaiting human review — ${manifest.human_review_reason ?? '(no reason recorded)'}`)
    : 'not awaiting review';
  const summary: string[][] = [
    ['Migration', description.slug],
    ['Path', path.relative(repoRoot, description.path).split(path.sep).join('/')],
    ['Status', manifest.status],
  ];
  if (state !== null) {
    summary.push(['Target', state.target]);
    summary.push(['Next step', state.next_step]);
    if (state.final_decision !== null) summary.push(['Decision', `${state.final_decision} — ${state.final_reason ?? ''}`]);
  }
  if (description.stateError !== null) summary.push(['Planning', paint(io, 'red', `blocked: ${description.stateError}`)]);
  summary.push(['Review', review]);
  summary.push(['Created', manifest.created_at]);
  summary.push(['Last touch', manifest.last_touch]);
  if (manifest.cooldown_until !== null) summary.push(['Cooldown', `until ${manifest.cooldown_until}`]);
  if (manifest.wake_up_on !== null) summary.push(['Wake up on', manifest.wake_up_on]);
  out.push(...alignColumns(summary));

  const steps = state?.completed_steps ?? [];
  out.push('', paint(io, 'bold', `Accepted steps (${steps.length})`));
  if (steps.length === 0) out.push('  none yet');
  out.push(
    ...alignColumns(
      steps.map((step, i) => [
        `  ${i + 1}.`,
        step.name,
        step.outcome,
        step.completed_at,
        [step.agent, step.model, step.effort].filter((part) => part !== undefined && part !== null).join(' '),
      ]),
    ),
  );
  const anchors = state?.revision_base_step_counts ?? [];
  if (anchors.length > 0) out.push(`  reopened for revise after step ${anchors.join(', ')}`);

  const feedback = state?.feedback ?? [];
  if (feedback.length > 0) {
    out.push('', paint(io, 'bold', `Feedback (${feedback.length})`));
    for (const entry of feedback) {
      out.push(`  ${entry.received_at || '(no time)'} [${entry.source}] ${entry.text.split('\n')[0] ?? ''}`);
    }
  }

  out.push('', paint(io, 'bold', `Phases (${manifest.phases.length})`));
  if (manifest.phases.length === 0) out.push('  none yet');
  out.push(
    ...alignColumns(
      manifest.phases.map((phase) => [
        `  [${phase.done ? 'x' : ' '}]`,
        phase.name,
        phase.file,
        [phase.required_effort ? `effort ${phase.required_effort}` : '', phase.name === manifest.current_phase ? '← current' : '']
          .filter((part) => part !== '')
          .join('  '),
      ]),
    ),
  );
  return `${out.join('\n')}\n`;
}

export function registerStatus(program: Command, io: Io, exit: ExitHolder): void {
  program
    .command('status')
    .description("show one migration: next step, accepted steps, feedback, phases and review state")
    .argument('<slug-or-path>', 'migration slug, or its directory under the migrations dir')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(
      action(io, exit, async (target: string, options: { format: string }, command: Command) => {
        const context = await projectContext(command);
        const resolved = resolveMigrationTarget(target, context.liveRoot, context.repoRoot);
        const description = await describeMigration(resolved.slug, resolved.path, context.repoRoot);
        if (options.format === 'json') printJson(io, 'status', statusJson(description, context.repoRoot));
        else io.stdout(statusText(io, description, context.repoRoot));
        if (description.stateError !== null) {
          io.stderr(`Error: ${description.stateError}\nHint: Run \`cairn doctor ${resolved.slug}\` for details.\n`);
          return 2;
        }
        return 0;
      }),
    );
}
