import { nextCommands } from '../next-command.js';
import { warnInterruptedPublishes } from '../interrupted-publish.js';
import path from 'node:path';
import { describeTarget, type Io } from '../../app/index.js';
import type { MigrationDescription } from '../../planning/index.js';
import { isTerminalCursor } from '../../migration/index.js';
import { statusJson } from '../../outputs/index.js';
import { defineCommand } from '../command.js';
import { TARGET_ARGUMENT, formatOption } from '../common-options.js';
import { alignColumns, paint, printJson } from '../output.js';

/**
 * What comes next for the migration as a whole. The planning cursor is the
 * answer only while planning goes on: once it is terminal, the next thing is
 * a person's review, the current phase, or nothing.
 */
function nextStepText(description: MigrationDescription, cursor: string): string {
  const { manifest } = description;
  if (!isTerminalCursor(cursor) && manifest.status === 'planning') return cursor;
  if (manifest.status === 'done') return 'none: every phase is done';
  if (manifest.status === 'skipped') return 'none: the migration is skipped';
  if (description.awaitingReview !== null) return 'human review of the plan';
  if (manifest.current_phase !== '') return `phase ${manifest.current_phase}`;
  return isTerminalCursor(cursor) ? 'none: planning is finished' : cursor;
}

function statusText(io: Io, description: MigrationDescription, repoRoot: string): string {
  const { manifest, state } = description;
  const out: string[] = [];
  const review =
    description.awaitingReview !== null ? paint(io, 'yellow', `awaiting human review — ${description.awaitingReview}`) : 'not awaiting review';
  const summary: string[][] = [
    ['Migration', description.slug],
    ['Path', path.relative(repoRoot, description.path).split(path.sep).join('/')],
    ['Status', manifest.status],
  ];
  if (state !== null) {
    summary.push(['Target', state.target]);
    summary.push(['Next step', nextStepText(description, state.next_step)]);
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

/** `graph`: the `--graph` drawing, '' without it. */
type StatusView = (description: MigrationDescription, repoRoot: string, graph: string) => void;

export const statusCommand = defineCommand<[string], { format: string; graph?: boolean; ascii?: boolean }, StatusView>({
  name: 'status',
  description: 'show one migration: next step, accepted steps, feedback, phases and review state',
  arguments: [TARGET_ARGUMENT],
  options: [formatOption(), { flags: '--graph', description: 'also draw the planning path and the phase track' }, { flags: '--ascii', description: 'draw --graph in plain ASCII' }],
  views: {
    text: (io) => (description, repoRoot, graph) => io.stdout(statusText(io, description, repoRoot) + graph),
    json: (io) => (description, repoRoot) => printJson(io, 'status', statusJson(description, repoRoot)),
  },
  examples: ['status my-migration', 'status my-migration --format json', 'status my-migration --graph --ascii'],
  async run({ args: [target], io, globals, options, project }, show) {
    const context = await project();
    const description = await describeTarget(context, target);
    // The drawing code is loaded only for --graph.
    const graph = options.graph === true && options.format !== 'json' ? (await import('../status-graph.js')).statusGraphText(io, description, options.ascii === true) : '';
    show(description, context.repoRoot, graph);
    await warnInterruptedPublishes(io, context.liveRoot, globals, description.slug);
    if (description.stateError !== null) {
      io.stderr(`Error: ${description.stateError}\nHint: Run \`${nextCommands(globals).cairn('doctor', [description.slug])}\` for details.\n`);
      return 2;
    }
    return 0;
  },
});
