import path from 'node:path';
import { createInterface } from 'node:readline';
import { postPublishCommit, agentChoice, printWarnings, withMigrationSession, type AgentOptions, type GlobalOptions, type Io } from '../../app/index.js';
import { CairnError } from '../../util/index.js';
import { loadTaste, decideReview, notAwaitingReviewError, reviewSummary, describeMigration, type PlanStepOptions, type ReviewInput, type ReviewResult, type ReviewSummary } from '../../planning/index.js';
import type { RecoveryPlan } from '../../publish/index.js';
import { publishResultJson, reviewSummaryJson, stepJson } from '../../outputs/index.js';
import { defineCommand } from '../command.js';
import { readFeedback } from './refine.js';
import { AGENT_OPTIONS, TARGET_ARGUMENT, publishingOptions } from '../options.js';
import { alignColumns, paint, printJson } from '../output.js';
import { printDryRunLines, publishFailureText } from '../publish-text.js';
import { nextCommands, type NextCommands } from '../next-command.js';
import { printNextLine, printStepText, stepExitCode } from '../step-text.js';

interface ReviewOptions extends AgentOptions {
  approve?: boolean;
  note?: string;
  reject?: boolean;
  reason?: string;
  requestChanges?: boolean;
  message?: string;
  file?: string;
  dryRun?: boolean;
  commit?: boolean;
  format: string;
  lockTimeout?: number;
}

const DECISION_FLAGS = '--approve [--note <text>], --reject --reason <text>, or --request-changes --message <text>';

/** The decision given by flags, null when none; inconsistent flags are usage errors. A `--file` is read here, before anything else. */
async function decisionFromFlags(options: ReviewOptions): Promise<ReviewInput | null> {
  const chosen = [options.approve, options.reject, options.requestChanges].filter((flag) => flag === true).length;
  if (chosen > 1) throw new CairnError('usage', `Give one decision: ${DECISION_FLAGS}.`);
  if (options.note !== undefined && options.approve !== true) throw new CairnError('usage', '--note goes with --approve.');
  if (options.reason !== undefined && options.reject !== true) throw new CairnError('usage', '--reason goes with --reject.');
  if (options.message !== undefined && options.requestChanges !== true) throw new CairnError('usage', '--message goes with --request-changes.');
  if (options.file !== undefined && options.requestChanges !== true) throw new CairnError('usage', '--file goes with --request-changes.');
  if (options.approve === true) return { decision: 'approve', note: options.note ?? null };
  if (options.reject === true) {
    if (options.reason === undefined) throw new CairnError('usage', 'A rejection needs a reason: --reject --reason "<why>".');
    return { decision: 'reject', reason: options.reason };
  }
  if (options.requestChanges === true) {
    if (options.message === undefined && options.file === undefined) {
      throw new CairnError('usage', 'Requesting changes needs the changes: --request-changes --message "<what to change>" or --file <path|->.');
    }
    const feedback = await readFeedback(options, process.cwd());
    return { decision: 'request-changes', message: feedback.text };
  }
  return null;
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}

/** The review summary as text. */
function summaryText(io: Io, summary: ReviewSummary): string {
  const out: string[] = [];
  out.push(paint(io, 'bold', `Review of ${summary.slug} (${summary.path})`));
  const rows: string[][] = [['Status', summary.status + (summary.pending ? ', awaiting human review' : '')]];
  if (summary.target !== null) rows.push(['Target', summary.target]);
  // A plan held for review by its final review records that review's reason as the review reason: show it once.
  const sameReason = summary.finalDecision !== null && summary.humanReviewReason === summary.finalReason;
  if (!sameReason) rows.push(['Review reason', summary.humanReviewReason ?? '(no reason recorded)']);
  if (summary.finalDecision !== null) rows.push(['Final review', `${summary.finalDecision} — ${summary.finalReason ?? ''}`]);
  rows.push(['Snapshot', summary.snapshotId]);
  out.push(...alignColumns(rows));
  out.push('', paint(io, 'bold', `Plan (${summary.path}/plan.md)`));
  if (summary.planHead === null) out.push('  (no plan.md)');
  else out.push(...summary.planHead.map((line) => `  ${line}`.trimEnd()));
  if (summary.planMoreLines > 0) out.push(`  … ${summary.planMoreLines} more lines`);
  out.push('', paint(io, 'bold', `Phases (${summary.phases.length})`));
  if (summary.phases.length === 0) out.push('  none');
  summary.phases.forEach((phase, i) => {
    const marks = [phase.required_effort === null ? '' : `effort ${phase.required_effort}`, phase.name === summary.currentPhase ? '← current' : '']
      .filter((part) => part !== '')
      .join('  ');
    out.push(`  [${phase.done ? 'x' : ' '}] ${i + 1}. ${phase.name}  ${phase.file}${marks === '' ? '' : `  ${marks}`}`);
    out.push(`      Precondition:       ${phase.precondition}`);
    out.push(`      Definition of Done: ${phase.definitionOfDone ?? '(none in the phase doc)'}`);
  });
  const last = summary.lastReview;
  out.push(
    '',
    paint(io, 'bold', last === null ? 'Changes (first review: everything so far)' : `Changes since the last review (${last.decision} by ${last.reviewer}, ${last.at})`),
  );
  if (summary.changedSteps.length === 0 && summary.changedFeedback.length === 0) out.push('  none');
  for (const step of summary.changedSteps) out.push(`  accepted ${step.name} (${step.outcome}) at ${step.completed_at}`);
  for (const entry of summary.changedFeedback) out.push(`  feedback [${entry.source}] at ${entry.received_at || '(no time)'}: ${firstLine(entry.text)}`);
  return `${out.join('\n')}\n`;
}

/**
 * Asks for a decision on a terminal; null when the reviewer quits or input
 * ends. Lines typed ahead of a question are kept for it.
 */
async function askDecision(): Promise<ReviewInput | null> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  const lines = rl[Symbol.asyncIterator]();
  const ask = async (question: string): Promise<string | null> => {
    process.stderr.write(question);
    const next = await lines.next();
    return next.done === true ? null : String(next.value).trim();
  };
  try {
    for (;;) {
      const answer = (await ask('Decision: [a]pprove, [r]eject, request [c]hanges, or [q]uit? '))?.toLowerCase() ?? null;
      if (answer === null || answer === 'q' || answer === 'quit' || answer === '') return null;
      if (answer === 'a' || answer === 'approve') {
        const note = await ask('Note (optional): ');
        if (note === null) return null;
        return { decision: 'approve', note: note === '' ? null : note };
      }
      if (answer === 'r' || answer === 'reject') {
        const reason = await ask('Reason for rejecting: ');
        if (reason === null) return null;
        if (reason !== '') return { decision: 'reject', reason };
        process.stderr.write('A rejection needs a reason.\n');
        continue;
      }
      if (answer === 'c' || answer === 'changes' || answer === 'request-changes') {
        const message = await ask('What should change: ');
        if (message === null) return null;
        if (message !== '') return { decision: 'request-changes', message };
        process.stderr.write('Say what should change.\n');
      }
    }
  } finally {
    rl.close();
  }
}

function reviewDoneText(result: ReviewResult, slug: string, next: NextCommands): string {
  if (result.publish?.dryRun === true) return `Dry run: would record ${result.decision} of ${slug} by ${result.reviewer}; nothing was changed.`;
  switch (result.decision) {
    case 'approve':
      return `Approved ${slug} (reviewer ${result.reviewer}).\nNext: ${next.cairn('ready')}`;
    case 'reject':
      return `Rejected ${slug} (reviewer ${result.reviewer}); status skipped, reason in intentional-skip.md.\nNext: ${next.cairn('list')}`;
    default:
      return `Requested changes to ${slug} (reviewer ${result.reviewer}).`;
  }
}

interface ReviewView {
  /** The plan as the reviewer sees it before deciding. */
  summary(summary: ReviewSummary): void;
  /** Shows the summary on its own when no decision is given and none can be asked for (exit 0); without it, that is a usage error. */
  undecided?: (summary: ReviewSummary) => void;
  /** Asks for the decision the flags did not give; only where a person can answer. */
  ask?: () => Promise<ReviewInput | null>;
  /** Told when the agent of a request for changes starts. */
  progress?: (message: string) => void;
  decided(result: ReviewResult, summary: ReviewSummary, slug: string, repoRoot: string, commit: string | null, code: number, recovered: readonly RecoveryPlan[]): void;
}

function reviewText(io: Io, options: ReviewOptions, globals: GlobalOptions): ReviewView {
  const next = nextCommands(globals, options);
  return {
    summary: (summary) => io.stdout(summaryText(io, summary)),
    ...(io.isTty && process.stdin.isTTY === true ? { ask: askDecision } : {}),
    progress: (message) => io.stderr(`${message}\n`),
    decided(result, _summary, slug, repoRoot, commit) {
      if (result.step !== null) {
        if (result.step.status === 'published') {
          io.stdout(`${reviewDoneText(result, slug, next)}\nRefined ${slug}: ${result.step.reason}\n`);
          if (commit !== null) io.stdout(`Committed ${commit.slice(0, 12)}: cairn: ${slug}: ${result.step.operation}\n`);
          printNextLine(io, next.cairn('plan', [slug], true), next);
        } else {
          printStepText(io, result.step, repoRoot, commit, next);
        }
        return;
      }
      const publish = result.publish;
      if (publish === null) return;
      if (publish.status !== 'published') {
        if (publish.staleBase) {
          io.stderr(`Error: ${slug} changed while your decision was being recorded; nothing was recorded.\nHint: Run \`${next.cairn('review', [slug])}\` again to see the current plan and decide.\n`);
        } else {
          io.stderr(`Error: ${publishFailureText(publish)}\n`);
        }
        if (publish.dryRun) printDryRunLines(io, publish, repoRoot);
        return;
      }
      io.stdout(`${reviewDoneText(result, slug, next)}\n`);
      if (publish.dryRun) printDryRunLines(io, publish, repoRoot);
      if (commit !== null) io.stdout(`Committed ${commit.slice(0, 12)}: cairn: ${slug}: migration.review\n`);
    },
  };
}

function reviewJson(io: Io): ReviewView {
  return {
    summary: () => {},
    undecided: (summary) => printJson(io, 'review', { summary: reviewSummaryJson(summary), review: null }),
    decided(result, summary, _slug, repoRoot, commit, code, recovered) {
      printJson(io, 'review', {
        summary: reviewSummaryJson(summary),
        review: {
          decision: result.decision,
          reviewer: result.reviewer,
          snapshot_id: result.snapshotId,
          record: result.record,
          publish: result.publish === null ? null : publishResultJson(result.publish),
          step: result.step === null ? null : stepJson(result.step, repoRoot, commit, recovered),
          commit,
        },
      });
      if (code !== 0) io.stderr(`Error: ${result.step?.reason ?? (result.publish === null ? 'not published' : publishFailureText(result.publish))}\n`);
    },
  };
}

export const reviewCommand = defineCommand<[string], ReviewOptions, ReviewView>({
  name: 'review',
  description: 'show a plan awaiting human review and approve it, reject it or request changes',
  arguments: [TARGET_ARGUMENT],
  options: [
    { flags: '--approve', description: 'approve the plan for execution' },
    { flags: '--note <text>', description: 'a note to record with an approval' },
    { flags: '--reject', description: 'reject the plan (status skipped)' },
    { flags: '--reason <text>', description: 'why the plan is rejected' },
    { flags: '--request-changes', description: 'send the plan back for a revision (a refine with your message)' },
    { flags: '--message <text>', description: 'the changes to make' },
    { flags: '--file <path>', description: "read the changes to make from a file ('-' for stdin) instead of --message" },
    ...AGENT_OPTIONS,
    ...publishingOptions('check everything and show what would change; change nothing'),
  ],
  views: { text: reviewText, json: reviewJson },
  examples: ['review my-migration', "review my-migration --approve --note 'checked the phases'", "review my-migration --request-changes --message 'add a rollback phase'"],
  async run({ args: [target], options, io, project }, view) {
    let decision = await decisionFromFlags(options);
    const context = await project();
    const dryRun = options.dryRun === true;
    const commits = postPublishCommit(context, { commit: options.commit, dryRun });
    const revision = async (): Promise<PlanStepOptions> => ({ agent: await agentChoice(options, context, io), taste: await loadTaste(context.repoRoot), progress: view.progress });
    // A request for changes runs an agent: a missing one is refused before anything is shown.
    let plan = decision?.decision === 'request-changes' ? await revision() : null;
    return withMigrationSession(context, io, { target, dryRun, lockTimeout: options.lockTimeout }, async ({ slug, ctx, recovered }) => {
      const summary = await reviewSummary({ repoRoot: context.repoRoot, liveRoot: context.liveRoot, slug, reviewPolicy: context.reviewPolicy });
      if (!summary.pending) {
        const { manifest } = await describeMigration(slug, path.join(context.liveRoot, slug), context.repoRoot, context.reviewPolicy);
        throw notAwaitingReviewError(manifest, slug);
      }
      view.summary(summary);
      if (decision === null && view.ask === undefined && view.undecided !== undefined) {
        view.undecided(summary);
        return 0;
      }
      if (decision === null) {
        if (view.ask === undefined) throw new CairnError('usage', `No decision given for ${slug}. Decide with ${DECISION_FLAGS}.`);
        decision = await view.ask();
        if (decision === null) {
          io.stderr('No decision recorded.\n');
          return 0;
        }
      }
      if (decision.decision === 'request-changes') plan ??= await revision();
      else plan = null;
      const result = await decideReview(ctx, decision, { reviewedSnapshotId: summary.snapshotId, plan, dryRun });
      const commit = result.publish?.status === 'published' ? commits.after(slug, result.step?.operation ?? 'migration.review') : null;
      printWarnings(io, [...(ctx.log?.warnings ?? []), ...result.warnings]);
      const code = result.step !== null ? stepExitCode(result.step) : result.publish?.status === 'published' ? 0 : 1;
      view.decided(result, summary, slug, context.repoRoot, commit, code, recovered);
      return code;
    });
  },
});
