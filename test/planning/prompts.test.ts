import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CairnError } from '../../src/util/errors.js';
import { appendFeedback, completeStep, reopenForRevise } from '../../src/migration/graph.js';
import { STAGE_INSTRUCTIONS, TASTE_RELATIVE_PATH, buildStagePrompt, loadTaste, stageForStep, type StagePromptInput } from '../../src/planning/prompts.js';
import { loadState, type PlanningState } from '../../src/migration/state.js';
import { DEFAULT_MAX_READ_BYTES } from '../../src/fs/regular-file.js';
import { tempDir } from '../support/tmp.js';
import { fixtureWorkspace } from './support.js';

const REVIEW_SLUG = 'extract-pagination-helpers-in-reports-20260421T081406';
const EXPAND_SLUG = 'remove-global-state-in-ingest-20260422T004017';
const APPROACHES_SLUG = 'src-notifications-validators-rb-20260426T192033';
const REVISE_SLUG = 'src-audit-cache-go-20260422T114249';
const REVIEW_2_SLUG = 'deduplicate-logging-calls-in-scheduler-20260313T034302';
const FINAL_REVIEW_SLUG = 'migrate-env-var-access-in-inventory-20260423T212953';
const TERMINAL_SLUG = 'src-cli-serializers-py-20260329T045020';

interface Workspace {
  repo: string;
  live: string;
  workspace: string;
  state: PlanningState;
  input: StagePromptInput;
}

/** A repository holding one fixture migration live, and a workspace copy of it as `cairn plan` prepares one. */
async function workspaceOf(slug: string, repo = tempDir('cairn-prompt-')): Promise<Workspace> {
  const { liveDir: live, workspaceDir: workspace } = fixtureWorkspace(slug, repo);
  const state = await loadState(path.join(workspace, '.planning', 'state.json'), { repoRoot: repo, publishedRoot: live });
  const input: StagePromptInput = { slug, step: state.next_step, state, workspaceDir: workspace, liveDir: live, repoRoot: repo };
  return { repo, live, workspace, state, input };
}

function fileText(file: string): string {
  return readFileSync(file, 'utf8').replace(/\n+$/, '');
}

function workspaceBlocks(slug: string, target: string): string {
  return [
    `Target: ${target}`,
    `Migration directory: .planning/work/${slug}/run-1/${slug}\n` +
      "Read and write this migration's planning files there: approaches/, plan.md and the phase-<n>-<name>.md documents.",
    "That directory is cairn's workspace copy of the migration and the only place you may write.\n" +
      `Live migration directory (read-only): migrations/${slug}\n` +
      'cairn publishes the workspace to the live directory once it accepts your output; do not modify the live directory or any other file in the repository.\n' +
      'Resume input is the last published .planning/state.json plus the accepted stdout under .planning/stages/; output of failed or rejected runs is never resume input.',
  ].join('\n\n');
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function caughtAsync(promise: Promise<unknown>): Promise<CairnError> {
  return promise.then(
    () => {
      throw new Error('expected a CairnError');
    },
    (error: unknown) => {
      if (error instanceof CairnError) return error;
      throw error;
    },
  );
}

describe('stageForStep', () => {
  it('maps revise to expand and review-2 to review', () => {
    expect(
      (['approaches', 'pick-best', 'expand', 'review', 'revise', 'review-2', 'final-review'] as const).map(stageForStep),
    ).toEqual(['approaches', 'pick-best', 'expand', 'review', 'expand', 'review', 'final-review']);
  });
});

describe('buildStagePrompt', () => {
  it('builds the review prompt: instructions, migration, context with the plan', async () => {
    const { workspace, input } = await workspaceOf(REVIEW_SLUG);
    const result = await buildStagePrompt(input);
    const expected =
      `${STAGE_INSTRUCTIONS.review}\n\n` +
      `## Migration\n${REVIEW_SLUG}\n\n` +
      `## Context\n${workspaceBlocks(REVIEW_SLUG, 'extract pagination helpers in reports')}\n\n` +
      `Plan:\n${fileText(path.join(workspace, 'plan.md'))}\n`;
    expect(result.prompt).toBe(expected);
    expect(result.promptSha256).toBe(sha256(expected));
    expect(result.stage).toBe('review');
    expect(result.step).toBe('review');
  });

  it('orders the optional sections: effort budget after the instructions, taste last', async () => {
    const { input } = await workspaceOf(REVIEW_SLUG);
    const result = await buildStagePrompt({
      ...input,
      taste: 'Prefer small phases.\nNever rename public APIs.\n\n',
      extraContext: 'User refinement feedback:\nKeep phase 1 small.',
      effortBudget: { maxEffort: 'high', defaultEffort: 'low' },
    });
    const effort =
      '## Effort Budget\n' +
      'Valid required_effort labels: low, medium, high, xhigh.\n' +
      'Maximum effort allowed in this run: high.\n' +
      'Default effort: low.\n' +
      'Use the lowest safe required_effort for each phase; a phase that needs more than the maximum is deferred, not run.';
    expect(result.prompt.startsWith(`${STAGE_INSTRUCTIONS.review}\n\n${effort}\n\n## Migration\n${REVIEW_SLUG}\n\n## Context\n`)).toBe(
      true,
    );
    expect(result.prompt.endsWith('\n\n## Taste\nPrefer small phases.\nNever rename public APIs.\n')).toBe(true);
    const at = (text: string) => result.prompt.indexOf(text);
    expect(at('## Effort Budget')).toBeLessThan(at('## Migration'));
    expect(at('## Migration')).toBeLessThan(at('## Context'));
    expect(at('## Context')).toBeLessThan(at('User refinement feedback:\nKeep phase 1 small.'));
    expect(at('User refinement feedback:')).toBeLessThan(at('\n\nPlan:\n'));
    expect(at('\n\nPlan:\n')).toBeLessThan(at('## Taste'));
  });

  it('approaches: the context has no step inputs', async () => {
    const { input } = await workspaceOf(APPROACHES_SLUG);
    const result = await buildStagePrompt(input);
    expect(result.stage).toBe('approaches');
    expect(result.prompt).toBe(
      `${STAGE_INSTRUCTIONS.approaches}\n\n## Migration\n${APPROACHES_SLUG}\n\n` +
        `## Context\n${workspaceBlocks(APPROACHES_SLUG, input.state.target)}\n`,
    );
  });

  it('pick-best: every approaches/*.md in name order under its stem', async () => {
    const { workspace, input, state } = await workspaceOf(REVIEW_SLUG);
    const atPickBest: PlanningState = {
      ...state,
      completed_steps: state.completed_steps.slice(0, 1),
      next_step: 'pick-best',
      updated_at: state.completed_steps[0]?.completed_at ?? state.updated_at,
    };
    writeFileSync(path.join(workspace, 'approaches', 'notes.txt'), 'not an approach');
    mkdirSync(path.join(workspace, 'approaches', 'drafts.md'));
    const result = await buildStagePrompt({ ...input, step: 'pick-best', state: atPickBest });
    const stems = ['codemod-callers', 'contract-tests-first', 'delete-dead-paths-then-reprove', 'incremental-typed-boundaries'];
    const approaches = stems
      .map((stem) => `### ${stem}\n${fileText(path.join(workspace, 'approaches', `${stem}.md`))}`)
      .join('\n\n');
    expect(result.stage).toBe('pick-best');
    expect(result.prompt).toBe(
      `${STAGE_INSTRUCTIONS['pick-best']}\n\n## Migration\n${REVIEW_SLUG}\n\n` +
        `## Context\n${workspaceBlocks(REVIEW_SLUG, state.target)}\n\nApproaches:\n${approaches}\n`,
    );
  });

  it('pick-best without approach files says so', async () => {
    const { workspace, input, state } = await workspaceOf(REVIEW_SLUG);
    rmSync(path.join(workspace, 'approaches'), { recursive: true });
    const atPickBest: PlanningState = { ...state, completed_steps: state.completed_steps.slice(0, 1), next_step: 'pick-best' };
    const result = await buildStagePrompt({ ...input, step: 'pick-best', state: atPickBest });
    expect(result.prompt.endsWith('\n\nApproaches:\n(none: the workspace has no approaches/*.md files)\n')).toBe(true);
  });

  it('expand: the accepted pick-best stdout, named by its ref', async () => {
    const { workspace, input } = await workspaceOf(EXPAND_SLUG);
    const result = await buildStagePrompt(input);
    const chosen = fileText(path.join(workspace, '.planning', 'stages', 'pick-best.stdout.md'));
    expect(result.stage).toBe('expand');
    expect(result.prompt).toBe(
      `${STAGE_INSTRUCTIONS.expand}\n\n## Migration\n${EXPAND_SLUG}\n\n` +
        `## Context\n${workspaceBlocks(EXPAND_SLUG, 'remove global state in ingest')}\n\n` +
        `Chosen approach (from migrations/${EXPAND_SLUG}/.planning/stages/pick-best.stdout.md):\n${chosen}\n`,
    );
  });

  it('revise: the review findings, with the expand instructions', async () => {
    const { workspace, input } = await workspaceOf(REVISE_SLUG);
    expect(input.step).toBe('revise');
    const result = await buildStagePrompt(input);
    const findings = fileText(path.join(workspace, '.planning', 'stages', 'review.stdout.md'));
    expect(result.stage).toBe('expand');
    expect(result.step).toBe('revise');
    expect(result.prompt).toBe(
      `${STAGE_INSTRUCTIONS.expand}\n\n## Migration\n${REVISE_SLUG}\n\n` +
        `## Context\n${workspaceBlocks(REVISE_SLUG, input.state.target)}\n\n` +
        `Review findings to address (from migrations/${REVISE_SLUG}/.planning/stages/review.stdout.md):\n${findings}\n`,
    );
  });

  it('revise after a refine: the latest user feedback', async () => {
    const { input, state } = await workspaceOf(REVIEW_SLUG);
    const clear = completeStep(state, {
      step: 'review',
      outcome: 'clear',
      stdoutRef: `migrations/${REVIEW_SLUG}/.planning/stages/review.stdout.md`,
      completedAt: '2026-04-21T09:00:00.000-07:00',
    });
    const reopened = reopenForRevise(clear, '2026-04-21T10:00:00.000-07:00');
    expect(reopened.revision_base_step_counts).toEqual([4]);

    const error = await caughtAsync(buildStagePrompt({ ...input, step: 'revise', state: reopened }));
    expect(error.code).toBe('invalid-state');
    expect(error.message).toBe('Planning refinement requires user feedback');

    const withFeedback = appendFeedback(
      appendFeedback(reopened, 'Old note', 'message', '2026-04-21T10:01:00.000-07:00'),
      'Split phase 2 into two phases.\n',
      'file',
      '2026-04-21T10:02:00.000-07:00',
    );
    const result = await buildStagePrompt({
      ...input,
      step: 'revise',
      state: withFeedback,
      extraContext: 'User refinement feedback:\nSplit phase 2 into two phases.\n',
    });
    expect(result.stage).toBe('expand');
    expect(result.prompt).toBe(
      `${STAGE_INSTRUCTIONS.expand}\n\n## Migration\n${REVIEW_SLUG}\n\n` +
        `## Context\n${workspaceBlocks(REVIEW_SLUG, state.target)}\n\n` +
        'User refinement feedback:\nSplit phase 2 into two phases.\n\n' +
        'User refinement feedback to address:\nSplit phase 2 into two phases.\n',
    );
  });

  it('review-2: the revised plan, with the review instructions', async () => {
    const { workspace, input } = await workspaceOf(REVIEW_2_SLUG);
    expect(input.step).toBe('review-2');
    const result = await buildStagePrompt(input);
    expect(result.stage).toBe('review');
    expect(result.prompt).toBe(
      `${STAGE_INSTRUCTIONS.review}\n\n## Migration\n${REVIEW_2_SLUG}\n\n` +
        `## Context\n${workspaceBlocks(REVIEW_2_SLUG, input.state.target)}\n\n` +
        `Plan (revised):\n${fileText(path.join(workspace, 'plan.md'))}\n`,
    );
  });

  it('final-review: the plan', async () => {
    const { workspace, input } = await workspaceOf(FINAL_REVIEW_SLUG);
    expect(input.step).toBe('final-review');
    const result = await buildStagePrompt(input);
    expect(result.stage).toBe('final-review');
    expect(result.prompt).toBe(
      `${STAGE_INSTRUCTIONS['final-review']}\n\n## Migration\n${FINAL_REVIEW_SLUG}\n\n` +
        `## Context\n${workspaceBlocks(FINAL_REVIEW_SLUG, input.state.target)}\n\n` +
        `Plan:\n${fileText(path.join(workspace, 'plan.md'))}\n`,
    );
  });

  it('a missing plan.md is named as missing', async () => {
    const { workspace, input } = await workspaceOf(REVIEW_SLUG);
    rmSync(path.join(workspace, 'plan.md'));
    const result = await buildStagePrompt(input);
    expect(result.prompt.endsWith('\n\nPlan:\n(plan.md does not exist in the workspace)\n')).toBe(true);
  });

  it('refuses a terminal state', async () => {
    const { input } = await workspaceOf(TERMINAL_SLUG);
    expect(input.step).toBe('terminal-ready');
    const error = await caughtAsync(buildStagePrompt(input));
    expect(error.code).toBe('invalid-state');
    expect(error.exitCode).toBe(1);
    expect(error.message).toBe("Planning state is terminal; no prompt context for 'terminal-ready'");
  });

  it("refuses a step that is not the state's next step", async () => {
    const { input } = await workspaceOf(REVIEW_SLUG);
    const error = await caughtAsync(buildStagePrompt({ ...input, step: 'final-review' }));
    expect(error.message).toBe("Prompt step 'final-review' does not match the planning state's next step 'review'");
  });

  it('uses durable files only: not logs, not unaccepted outputs, not the live copy', async () => {
    const { workspace, live, input } = await workspaceOf(EXPAND_SLUG);
    writeFileSync(path.join(workspace, 'run.log'), 'SECRET-RUN-LOG');
    mkdirSync(path.join(workspace, '.planning', 'runs'), { recursive: true });
    writeFileSync(path.join(workspace, '.planning', 'runs', 'agent.stdout.log'), 'SECRET-AGENT-LOG');
    // A rejected attempt's output lying around under a stage-like name is not the accepted choice.
    writeFileSync(path.join(workspace, '.planning', 'stages', 'pick-best-2.stdout.md'), 'SECRET-REJECTED-CHOICE');
    writeFileSync(path.join(live, '.planning', 'stages', 'pick-best.stdout.md'), 'SECRET-LIVE-EDIT');
    writeFileSync(path.join(workspace, 'plan.md'), 'SECRET-STRAY-PLAN');
    const result = await buildStagePrompt(input);
    expect(result.prompt).not.toMatch(/SECRET/);
    expect(result.prompt).toContain(fileText(path.join(workspace, '.planning', 'stages', 'pick-best.stdout.md')));
  });

  it('refuses a symlinked plan.md', async () => {
    const { workspace, input, repo } = await workspaceOf(REVIEW_SLUG);
    const outside = path.join(repo, 'outside.md');
    writeFileSync(outside, 'SECRET');
    rmSync(path.join(workspace, 'plan.md'));
    symlinkSync(outside, path.join(workspace, 'plan.md'));
    const error = await caughtAsync(buildStagePrompt(input));
    expect(error.code).toBe('invalid-input');
    expect(error.message).toBe('plan.md in the workspace must be a regular file, not a symlink');
    expect(error.path).toBe(path.join(workspace, 'plan.md'));
  });

  it('shows a workspace outside the repository as an absolute path', async () => {
    const { input, state } = await workspaceOf(REVIEW_SLUG);
    const elsewhere = tempDir('cairn-ws-');
    cpSync(input.workspaceDir, elsewhere, { recursive: true });
    const result = await buildStagePrompt({ ...input, workspaceDir: elsewhere, state });
    expect(result.prompt).toContain(`\nMigration directory: ${elsewhere}\n`);
  });
});

describe('loadTaste', () => {
  it('reads .planning/taste.md without trailing whitespace; missing or blank is null', async () => {
    const repo = tempDir('cairn-taste-');
    expect(await loadTaste(repo)).toBeNull();
    mkdirSync(path.join(repo, '.planning'));
    writeFileSync(path.join(repo, TASTE_RELATIVE_PATH), '  \n\n');
    expect(await loadTaste(repo)).toBeNull();
    writeFileSync(path.join(repo, TASTE_RELATIVE_PATH), '# Taste\r\n\r\n- small phases\r\n\r\n');
    expect(await loadTaste(repo)).toBe('# Taste\n\n- small phases');
  });

  it('a taste file that is a directory, a FIFO or a link out of the repository is refused, exit 2', async () => {
    const repo = tempDir('cairn-taste-');
    const file = path.join(repo, TASTE_RELATIVE_PATH);
    mkdirSync(file, { recursive: true });
    let error = await caughtAsync(loadTaste(repo));
    expect([error.code, error.exitCode, error.message]).toEqual(['unsafe-path', 2, 'Refusing to use the taste file: `.planning/taste.md` is a directory, not a regular file.']);

    rmSync(file, { recursive: true });
    const outside = path.join(tempDir('cairn-outside-'), 'ssh-config');
    writeFileSync(outside, 'secret\n');
    symlinkSync(outside, file);
    error = await caughtAsync(loadTaste(repo));
    expect([error.code, error.message]).toEqual(['unsafe-path', `Refusing to use the taste file: \`.planning/taste.md\` is a symbolic link to ${outside}, outside the repository.`]);

    rmSync(file);
    writeFileSync(path.join(repo, '.planning', 'guide.md'), 'Prefer small phases.\n');
    symlinkSync('guide.md', file);
    expect(await loadTaste(repo)).toBe('Prefer small phases.');
  });

  it('a taste file over the read cap is refused; bad UTF-8 is an io error naming it', async () => {
    const repo = tempDir('cairn-taste-');
    const file = path.join(repo, TASTE_RELATIVE_PATH);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, Buffer.alloc(DEFAULT_MAX_READ_BYTES + 1, 0x61));
    let error = await caughtAsync(loadTaste(repo));
    expect(error.code).toBe('unsafe-path');
    expect(error.message).toMatch(new RegExp(`^Refusing to read the taste file ${file}: `));

    writeFileSync(file, Buffer.from([0x66, 0xff, 0x0a]));
    error = await caughtAsync(loadTaste(repo));
    expect(error.code).toBe('io');
    expect(error.message).toMatch(new RegExp(`^Could not read taste file ${file}: `));
  });
});
