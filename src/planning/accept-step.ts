import { existsSync } from 'node:fs';
import path from 'node:path';
import { CairnError, messageOf, localTimestamp, toPosix, shellWord } from '../util/index.js';
import { mkdirDurable, writeFileDurable } from '../fs/index.js';
import { NO_FINDINGS_LINE, parseFinalDecision, reviewOutcome } from './acceptance.js';
import { checkStepContract } from './step-contract.js';
import { completeStep, isTerminalCursor, loadManifest, saveManifest, applyDiscoveredPhases, discoverPhases, nextStageOutputPath, stdoutRefFor, loadState, saveState, appendSums, migrationFiles, type Outcome, type Step, type Manifest, type PlanningState } from '../migration/index.js';

export type ReviewPolicy = 'when-flagged' | 'always';

/** What a finished planning graph means for execution. */
export interface TerminalOutcome {
  outcome: 'ready' | 'awaiting_human_review' | 'skipped';
  reason: string;
}

export interface AcceptStepInput {
  repoRoot: string;
  slug: string;
  /** The live migration dir: stage refs name the published location. */
  liveDir: string;
  /** The workspace copy being changed. */
  workspaceDir: string;
  step: Step;
  /** The agent's (or person's) output for the step. */
  stdout: string;
  agent?: string | null;
  model?: string | null;
  effort?: string | null;
  reviewPolicy?: ReviewPolicy;
  now?: string;
}

export interface AcceptStepResult {
  state: PlanningState;
  manifest: Manifest;
  outcome: Outcome;
  /** The stage file written, relative to the migration dir. */
  stageFile: string;
  terminal: TerminalOutcome | null;
}

function stepFailed(step: Step, reason: string): CairnError {
  return new CairnError('failed', `planning.${step} failed: ${reason}`, {
    hint: 'Nothing was published. Run the step again (the failed output is kept in `cairn log`).',
  });
}

/** Why an empty review is refused: it is a failed run, never a clear plan. */
const EMPTY_REVIEW = `the review printed nothing; a review prints numbered findings, or the line \`${NO_FINDINGS_LINE}\` on its own when the plan is clear`;

/** The outcome a step's output yields (docs/format.md §9.3). */
export function outcomeOf(step: Step, stdout: string): { outcome: Outcome; finalReason?: string } {
  switch (step) {
    case 'review': {
      const outcome = reviewOutcome(stdout);
      if (outcome === 'empty') throw stepFailed(step, EMPTY_REVIEW);
      return { outcome };
    }
    case 'review-2': {
      const outcome = reviewOutcome(stdout);
      if (outcome === 'empty') throw stepFailed(step, EMPTY_REVIEW);
      if (outcome === 'findings') throw stepFailed(step, 'revised plan still has findings');
      return { outcome: 'clear' };
    }
    case 'final-review':
      try {
        const { decision, reason } = parseFinalDecision(stdout);
        return { outcome: decision, finalReason: reason };
      } catch (error) {
        throw stepFailed(step, messageOf(error));
      }
    default:
      return { outcome: 'completed' };
  }
}

export function intentionalSkipText(slug: string, target: string, reason: string): string {
  return `# Intentional Skip: ${slug}\n\n## Target\n${target}\n\n## Blocker Reason\n${reason}\n`;
}

/**
 * Accept one step's output into a workspace copy of a migration. The output
 * and the workspace must first meet the step's contract (step-contract.ts);
 * a refusal is `CairnError('failed')` before anything is written. Then:
 * stage file, `.planning/sums`, state, manifest refresh (phases after
 * expand/revise) and the terminal effects of a final decision
 * (docs/format.md §9.1 steps 6–7, §9.4). Writes only inside
 * `workspaceDir`; publishing is the caller's job.
 */
export async function acceptStepOutput(input: AcceptStepInput): Promise<AcceptStepResult> {
  const now = input.now ?? localTimestamp();
  const ws = input.workspaceDir;
  const stateFile = migrationFiles(ws).state;
  const manifestFile = migrationFiles(ws).manifest;
  if (!existsSync(manifestFile)) throw new CairnError('invalid-manifest', `Migration '${input.slug}' has no manifest`);
  if (!existsSync(stateFile)) {
    throw new CairnError('invalid-state', `Migration '${input.slug}' is missing .planning/state.json`);
  }
  const ctx = { repoRoot: input.repoRoot, stateFile, publishedRoot: input.liveDir };
  let manifest = await loadManifest(manifestFile);
  const state = await loadState(stateFile, ctx);
  if (state.next_step !== input.step) {
    throw new CairnError('usage', `Migration '${input.slug}' is at step '${state.next_step}', not '${input.step}'.`, {
      hint: `Run \`cairn status ${shellWord(input.slug)}\` to see where it is.`,
    });
  }
  const { outcome, finalReason } = outcomeOf(input.step, input.stdout);
  manifest = { ...manifest, last_touch: now };
  if (input.step === 'expand' || input.step === 'revise') {
    manifest = applyDiscoveredPhases(manifest, await discoverPhases(ws, input.slug), now);
  }
  checkStepContract({ step: input.step, repoRoot: input.repoRoot, slug: input.slug, workspaceDir: ws, stdout: input.stdout, manifest });

  const stagePath = await nextStageOutputPath(ws, input.step);
  const stageFile = toPosix(path.relative(ws, stagePath));
  await mkdirDurable(path.dirname(stagePath));
  await writeFileDurable(stagePath, input.stdout);
  const next = completeStep(state, {
    step: input.step,
    outcome,
    stdoutRef: stdoutRefFor(input.repoRoot, input.liveDir, stageFile),
    completedAt: now,
    agent: input.agent ?? null,
    model: input.model ?? null,
    effort: input.effort ?? null,
    ...(finalReason !== undefined ? { finalReason } : {}),
  });

  let terminal: TerminalOutcome | null = null;
  if (isTerminalCursor(next.next_step)) {
    const reason = next.final_reason ?? next.final_decision ?? '';
    if (next.final_decision === 'reject') {
      manifest = { ...manifest, status: 'skipped' };
      await writeFileDurable(path.join(ws, 'intentional-skip.md'), intentionalSkipText(input.slug, next.target, reason));
      terminal = { outcome: 'skipped', reason };
    } else if (next.final_decision === 'approve-needs-human') {
      manifest = { ...manifest, status: 'ready', awaiting_human_review: true, human_review_reason: reason };
      terminal = { outcome: 'awaiting_human_review', reason };
    } else if (input.reviewPolicy === 'always') {
      const why = `review policy is "always": ${reason}`;
      manifest = { ...manifest, status: 'ready', awaiting_human_review: true, human_review_reason: why };
      terminal = { outcome: 'awaiting_human_review', reason: why };
    } else {
      manifest = { ...manifest, status: 'ready', awaiting_human_review: false, human_review_reason: null };
      terminal = { outcome: 'ready', reason };
    }
  }

  await appendSums(ws, next, input.liveDir, input.repoRoot, [stageFile]);
  await saveState(stateFile, next, ctx);
  await saveManifest(manifestFile, manifest);
  return { state: next, manifest, outcome, stageFile, terminal };
}
