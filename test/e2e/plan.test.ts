import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { snapshotId } from '../../src/fs/digest.js';
import { AGENT, saveAgentHint } from '../support/agents.js';
import { commitAll } from '../support/git.js';
import { SLUG, TARGET, copyRepo, manifestOf, newPlanRepo, stateOf, workRuns, type PlanRepo } from '../support/plan-repo.js';
import { liveGroupMembers } from '../support/process.js';
import { tempDir, templateDir } from '../support/tmp.js';
import { listTree } from '../support/tree.js';
import { expectDoctorClean, expectV1Bytes, gitLog, gitStatus, storeRuns } from './support.js';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const stageRef = (file: string): string => `migrations/${SLUG}/.planning/stages/${file}`;
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/;

let fresh: PlanRepo;
let atReview: PlanRepo;
beforeAll(() => {
  fresh = newPlanRepo(templateDir());
  atReview = newPlanRepo(templateDir());
  const planned = atReview.cli(['plan', SLUG, ...AGENT, '--until', 'expand', '--commit']);
  expect(planned.code).toBe(0);
});

describe('cairn plan: one step at a time', () => {
  it('runs exactly the next step, publishes it and says what to run next', async () => {
    const p = copyRepo(fresh);
    const result = p.cli(['plan', SLUG, ...AGENT]);
    expect(result.stdout).toBe('Accepted planning.approaches for alpha; next step: pick-best.\nNext: cairn plan alpha --agent command --agent-cmd fake-agent\n');
    expect(result.stderr).toBe(`Running planning.approaches for alpha with fake-agent…\n${saveAgentHint(p.bin)}`);
    expect(result.code).toBe(0);

    const state = stateOf(p);
    expect(state['next_step']).toBe('pick-best');
    const steps = state['completed_steps'] as Record<string, unknown>[];
    expect(steps).toHaveLength(1);
    expect(steps[0]).toEqual({
      agent: 'command',
      completed_at: steps[0]?.['completed_at'],
      name: 'approaches',
      outcome: 'completed',
      outputs: { stdout: stageRef('approaches.stdout.md') },
    });
    expect(steps[0]?.['completed_at']).toMatch(TIMESTAMP);
    const stdout = 'Wrote two approaches: incremental, big-bang.\n';
    expect(readFileSync(path.join(p.dir, '.planning', 'stages', 'approaches.stdout.md'), 'utf8')).toBe(stdout);
    expect(readFileSync(path.join(p.dir, '.planning', 'sums'), 'utf8')).toBe(`${sha256(stdout)}  .planning/stages/approaches.stdout.md\n`);
    expect(listTree(p.dir)).toEqual([
      '.planning/stages/approaches.stdout.md',
      '.planning/state.json',
      '.planning/sums',
      'approaches/big-bang.md',
      'approaches/incremental.md',
      'manifest.json',
    ]);
    expect(manifestOf(p)['last_touch']).toBe(steps[0]?.['completed_at']);
    expect(workRuns(p)).toEqual([]);
    // What stays under work/ is the record of the snapshot cairn published (format.md §2.6).
    expect(readdirSync(path.join(p.repo, '.planning', 'work'))).toEqual(['.published']);

    const runs = storeRuns(p);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ slug: SLUG, step: 'approaches', agent: 'command', verdict: 'accepted', exitCode: 0, stdoutBytes: stdout.length });
    expect(runs[0]?.promptSha256).toMatch(/^[0-9a-f]{64}$/);
    await expectV1Bytes(p);

    // Not committed: the live tree is what cairn published, so the next step is not blocked as dirty.
    expect(gitStatus(p)).not.toBe('');
    const next = p.cli(['plan', SLUG, ...AGENT]);
    expect(next.stdout).toBe('Accepted planning.pick-best for alpha; next step: expand.\nNext: cairn plan alpha --agent command --agent-cmd fake-agent\n');
    expect(next.code).toBe(0);
  });

  it('takes the clear path to terminal-ready with --until terminal --commit, then refuses a next step', async () => {
    const p = copyRepo(atReview);
    const result = p.cli(['plan', SLUG, ...AGENT, '--until', 'terminal', '--commit', '--format', 'json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as { schema_version: number; slug: string; status: string; steps: Record<string, unknown>[] };
    expect(json.schema_version).toBe(1);
    expect(json.status).toBe('published');
    expect(json.steps.map((step) => [step['step'], step['outcome'], step['next_step'], step['status']])).toEqual([
      ['review', 'clear', 'final-review', 'published'],
      ['final-review', 'approve-auto', 'terminal-ready', 'published'],
    ]);
    expect(json.steps[1]?.['terminal']).toEqual({ outcome: 'ready', reason: 'the plan is complete' });
    expect(json.steps[1]?.['reason']).toBe('the plan is complete');
    expect(json.steps[0]?.['reason']).toBe('planning.review accepted; next step: final-review');
    expect((json.steps[1]?.['publish'] as Record<string, unknown>)['status']).toBe('published');
    expect(gitLog(p).slice(0, 5)).toEqual([
      'cairn: alpha: planning.final-review',
      'cairn: alpha: planning.review',
      'cairn: alpha: planning.expand',
      'cairn: alpha: planning.pick-best',
      'cairn: alpha: planning.approaches',
    ]);
    expect(gitStatus(p)).toBe('');

    const state = stateOf(p);
    expect(state['next_step']).toBe('terminal-ready');
    expect(state['final_decision']).toBe('approve-auto');
    expect(state['final_reason']).toBe('the plan is complete');
    expect(state['review_findings']).toBeNull();
    expect((state['completed_steps'] as { name: string }[]).map((step) => step.name)).toEqual([
      'approaches',
      'pick-best',
      'expand',
      'review',
      'final-review',
    ]);
    const manifest = manifestOf(p);
    expect(manifest['status']).toBe('ready');
    expect(manifest['awaiting_human_review']).toBe(false);
    expect(manifest['human_review_reason']).toBeNull();
    expect(manifest['current_phase']).toBe('add-api');
    expect(manifest['phases']).toEqual([
      {
        done: false,
        effort_reason: null,
        file: 'phase-1-add-api.md',
        name: 'add-api',
        precondition: 'The widget API is in use.',
        required_effort: 'low',
      },
      {
        done: false,
        effort_reason: null,
        file: 'phase-2-remove-old.md',
        name: 'remove-old',
        precondition: 'Phase 1 is done.',
        required_effort: null,
      },
    ]);
    expect(readFileSync(path.join(p.dir, '.planning', 'sums'), 'utf8').split('\n').filter(Boolean).map((line) => line.slice(66))).toEqual([
      '.planning/stages/approaches.stdout.md',
      '.planning/stages/pick-best.stdout.md',
      '.planning/stages/expand.stdout.md',
      '.planning/stages/review.stdout.md',
      '.planning/stages/final-review.stdout.md',
    ]);
    expectDoctorClean(p);
    await expectV1Bytes(p);

    const again = p.cli(['plan', SLUG, ...AGENT]);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(
      "Error: Migration 'alpha' has status 'ready'; only planning migrations have a next planning step\n" +
        'Hint: Run `cairn refine alpha --message ... --agent command --agent-cmd fake-agent` to revise an unexecuted plan, or `cairn ready` to see what to do next.\n',
    );
  });

  it('takes the findings path: review → revise → review-2 → final-review', async () => {
    const p = copyRepo(atReview);
    const findings = '1. Phase 2 has no rollback note.';
    const result = p.cli(['plan', SLUG, ...AGENT, '--until', 'terminal'], { FAKE_REVIEW: findings });
    expect(result.stdout).toBe(
      [
        'Accepted planning.review (findings) for alpha; next step: revise.',
        'Accepted planning.revise for alpha; next step: review-2.',
        'Accepted planning.review-2 (clear) for alpha; next step: final-review.',
        'Accepted planning.final-review for alpha: approve-auto — the plan is complete',
        'alpha is ready: run its first phase with `cairn run alpha --agent command --agent-cmd fake-agent`.',
        'Next: cairn ready',
        '',
      ].join('\n'),
    );
    expect(result.code).toBe(0);
    const state = stateOf(p);
    expect(state['review_findings']).toBe(stageRef('review.stdout.md'));
    expect(state['next_step']).toBe('terminal-ready');
    expect(readFileSync(path.join(p.dir, '.planning', 'stages', 'review.stdout.md'), 'utf8')).toBe(`${findings}\n`);
    expect(readFileSync(path.join(p.dir, 'plan.md'), 'utf8')).toBe('# Plan\n\nReplace the widget API in two phases (revised).\n');
    expectDoctorClean(p);
    await expectV1Bytes(p);
  });

  it('publishes nothing when review-2 still finds problems, and resumes at review-2', async () => {
    const p = copyRepo(atReview);
    expect(p.cli(['plan', SLUG, ...AGENT, '--until', 'revise', '--commit'], { FAKE_REVIEW: '1. Missing rollback.' }).code).toBe(0);
    const before = await snapshotId(p.dir);
    const failed = p.cli(['plan', SLUG, ...AGENT], { FAKE_REVIEW2: '1. Still no rollback.' });
    expect(failed.code).toBe(1);
    expect(failed.stdout).toBe('');
    const runs = storeRuns(p);
    const kept = workRuns(p);
    expect(kept).toHaveLength(1);
    expect(failed.stderr).toBe(
      'Running planning.review-2 for alpha with fake-agent…\n' +
        'Error: planning.review-2 failed: revised plan still has findings\n' +
        `Nothing was published. The agent's output is in the local run log: cairn log --show ${runs[0]?.id}. ` +
        `The workspace is kept: .planning/work/alpha/${kept[0]}/alpha\n` +
        'Hint: Run `cairn plan alpha --agent command --agent-cmd fake-agent` to run the step again.\n',
    );
    expect(runs[0]).toMatchObject({ step: 'review-2', verdict: 'rejected', reason: 'planning.review-2 failed: revised plan still has findings' });
    expect(await snapshotId(p.dir)).toBe(before);
    expect(stateOf(p)['next_step']).toBe('review-2');

    const resumed = p.cli(['plan', SLUG, ...AGENT]);
    expect(resumed.stdout).toBe('Accepted planning.review-2 (clear) for alpha; next step: final-review.\nNext: cairn plan alpha --agent command --agent-cmd fake-agent\n');
    expect(resumed.code).toBe(0);
  });

  it('a final-review rejection writes intentional-skip.md and skips the migration', async () => {
    const p = copyRepo(atReview);
    const result = p.cli(['plan', SLUG, ...AGENT, '--until', 'terminal'], {
      FAKE_FINAL: 'Checked the plan.\nfinal-decision: reject — the widget API is frozen until Q3',
    });
    expect(result.stdout).toBe(
      'Accepted planning.review (clear) for alpha; next step: final-review.\n' +
        'Accepted planning.final-review for alpha: reject — the widget API is frozen until Q3\n' +
        'alpha was skipped (see intentional-skip.md).\n' +
        'Next: cairn status alpha\n',
    );
    expect(result.code).toBe(0);
    expect(readFileSync(path.join(p.dir, 'intentional-skip.md'), 'utf8')).toBe(
      `# Intentional Skip: alpha\n\n## Target\n${TARGET}\n\n## Blocker Reason\nthe widget API is frozen until Q3\n`,
    );
    expect(manifestOf(p)['status']).toBe('skipped');
    expect(stateOf(p)['next_step']).toBe('terminal-skipped');
    expectDoctorClean(p);
    await expectV1Bytes(p);
  });

  it('an approval whose plan fails the ready gates is blocked: live stays planning at final-review', async () => {
    const p = copyRepo(atReview);
    writeFileSync(path.join(p.dir, 'phase-2-remove-old.md'), '# Phase 2\n\n## Precondition\nPhase 1 is done.\n');
    commitAll(p.repo, 'drop the definition of done');
    expect(p.cli(['plan', SLUG, ...AGENT, '--commit']).code).toBe(0);
    const before = await snapshotId(p.dir);
    const result = p.cli(['plan', SLUG, ...AGENT]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Error: Workspace validation failed: migration snapshot is inconsistent: missing-phase-definition-of-done: ');
    expect(result.stderr).toMatch(/\nNothing was published\. This run's workspace is kept for inspection: \.planning\/work\/alpha\/[^/]+\/alpha\n$/);
    expect(result.stderr).not.toContain('lock=');
    expect(await snapshotId(p.dir)).toBe(before);
    expect(stateOf(p)['next_step']).toBe('final-review');
    expect(manifestOf(p)['status']).toBe('planning');
  });

  it('approve-needs-human leaves the migration ready but awaiting review', async () => {
    const p = copyRepo(atReview);
    const result = p.cli(['plan', SLUG, ...AGENT, '--until', 'terminal'], {
      FAKE_FINAL: 'final-decision: approve-needs-human — phase 2 deletes a public API',
    });
    expect(result.stdout).toContain('alpha is ready, awaiting human review.\nNext: cairn review alpha --agent command --agent-cmd fake-agent\n');
    expect(result.code).toBe(0);
    const manifest = manifestOf(p);
    expect([manifest['status'], manifest['awaiting_human_review'], manifest['human_review_reason']]).toEqual([
      'ready',
      true,
      'phase 2 deletes a public API',
    ]);
    expect(stateOf(p)['next_step']).toBe('terminal-ready-awaiting-human');
    expectDoctorClean(p);
  });
});

describe('cairn plan: agents that fail', () => {
  it('an agent exiting non-zero publishes nothing and is logged as failed (its output mirrored with --show-agent-logs)', async () => {
    const p = copyRepo(fresh);
    const before = await snapshotId(p.dir);
    const result = p.cli(['plan', SLUG, ...AGENT, '--show-agent-logs'], { FAKE_FAIL_STEP: 'approaches' });
    expect(result.code).toBe(1);
    // --show-agent-logs mirrors what the agent printed while it ran.
    expect(result.stderr).toContain('Running planning.approaches for alpha with fake-agent…\nfake agent failed on approaches\n');
    expect(result.stderr).toContain('Error: planning.approaches failed: fake-agent exited with code 3\n');
    expect(await snapshotId(p.dir)).toBe(before);
    const runs = storeRuns(p);
    expect(runs[0]).toMatchObject({ step: 'approaches', verdict: 'failed', exitCode: 3, reason: 'planning.approaches failed: fake-agent exited with code 3' });
    expect(runs[0]?.stderrBytes).toBe('fake agent failed on approaches\n'.length);
    expect(workRuns(p)).toHaveLength(1);
  });

  it('an agent that hangs is stopped at --timeout, with its whole process group', async () => {
    const p = copyRepo(fresh);
    const pidFile = path.join(tempDir('cairn-pid-'), 'agent.pid');
    const before = await snapshotId(p.dir);
    const result = p.cli(['plan', SLUG, ...AGENT, '--timeout', '1'], { FAKE_HANG_STEP: 'approaches', FAKE_PID_FILE: pidFile });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Error: planning.approaches failed: fake-agent did not finish within 1000 ms and was stopped\n');
    expect(await snapshotId(p.dir)).toBe(before);
    expect(storeRuns(p)[0]).toMatchObject({ step: 'approaches', verdict: 'timeout' });
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(liveGroupMembers(pid)).toEqual([]);
  });

  it('an agent flooding stdout is refused without unbounded memory', async () => {
    const p = copyRepo(fresh);
    const dir = tempDir('cairn-rss-');
    const hook = path.join(dir, 'rss.cjs');
    const report = path.join(dir, 'rss.txt');
    writeFileSync(hook, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(report)}, String(process.resourceUsage().maxRSS)));\n`);
    const bytes = 400_000_000;
    const result = p.cli(['plan', SLUG, ...AGENT], {
      FAKE_FLOOD_STEP: 'approaches',
      FAKE_FLOOD_BYTES: String(bytes),
      NODE_OPTIONS: `--require ${hook}`,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `Error: planning.approaches failed: the agent printed ${bytes} bytes, more than cairn keeps of one output; it was not accepted\n`,
    );
    const maxRssKb = Number(readFileSync(report, 'utf8'));
    // The capture keeps 16 MiB; what is left is Node itself and garbage not yet collected.
    expect(maxRssKb * 1024).toBeLessThan(bytes * 0.75);
    const run = storeRuns(p)[0];
    expect(run).toMatchObject({ step: 'approaches', verdict: 'rejected', stdoutTruncated: true });
    expect(stateOf(p)['next_step']).toBe('approaches');
  });
});

/**
 * Runs the next step of `p` with the fake agent steered by `env` and checks
 * that it was refused as a rejected run: exit 1, the exact error and retry
 * hint, nothing published, the cursor where it was, the run logged as
 * rejected with `reason`.
 */
async function expectRejectedStep(p: PlanRepo, env: Record<string, string>, step: string, reason: string): Promise<void> {
  const before = await snapshotId(p.dir);
  const result = p.cli(['plan', SLUG, ...AGENT], env);
  const runs = storeRuns(p);
  const kept = workRuns(p);
  expect(kept).toHaveLength(1);
  expect(result.stderr).toBe(
    `Running planning.${step} for alpha with fake-agent…\n` +
      `Error: ${reason}\n` +
      `Nothing was published. The agent's output is in the local run log: cairn log --show ${runs[0]?.id}. ` +
      `The workspace is kept: .planning/work/alpha/${kept[0]}/alpha\n` +
      'Hint: Run `cairn plan alpha --agent command --agent-cmd fake-agent` to run the step again.\n',
  );
  expect(result.stdout).toBe('');
  expect(result.code).toBe(1);
  expect(runs[0]).toMatchObject({ step, verdict: 'rejected', reason });
  expect(await snapshotId(p.dir)).toBe(before);
  expect(stateOf(p)['next_step']).toBe(step);
}

describe('cairn plan: each step checks its own contract when it is accepted', () => {
  const PLAN_NEEDED =
    'the step must leave a non-empty plan.md and phase-<n>-<name>.md docs, each with a ## Precondition and a ## Definition of Done heading';

  it('approaches: one approach file is refused, naming the file and what the step needs', async () => {
    const p = copyRepo(fresh);
    await expectRejectedStep(
      p,
      { FAKE_APPROACHES: 'only' },
      'approaches',
      'planning.approaches failed: the workspace has 1 approach file (approaches/only.md); the step needs 2 to 4 approaches/*.md files, none of them empty',
    );
    expect(existsSync(path.join(p.dir, 'approaches'))).toBe(false);
  });

  it('approaches: five approach files are refused too', async () => {
    const p = copyRepo(fresh);
    await expectRejectedStep(
      p,
      { FAKE_APPROACHES: 'a b c d e' },
      'approaches',
      'planning.approaches failed: the workspace has 5 approach files (approaches/a.md, approaches/b.md, approaches/c.md, approaches/d.md, approaches/e.md); ' +
        'the step needs 2 to 4 approaches/*.md files, none of them empty',
    );
  });

  it('pick-best: an output that names none of the approaches is refused; naming one by its file is accepted', async () => {
    const p = copyRepo(fresh);
    expect(p.cli(['plan', SLUG, ...AGENT, '--until', 'approaches', '--commit']).code).toBe(0);
    await expectRejectedStep(
      p,
      { FAKE_PICK: 'The first approach is the safest; go with it.' },
      'pick-best',
      'planning.pick-best failed: the output names none of the approaches (big-bang, incremental); ' +
        'it must name the chosen one as its file is named, e.g. big-bang or approaches/big-bang.md',
    );
    const named = p.cli(['plan', SLUG, ...AGENT], { FAKE_PICK: 'Chosen: approaches/big-bang.md, since the codebase is small.' });
    expect(named.stdout).toBe('Accepted planning.pick-best for alpha; next step: expand.\nNext: cairn plan alpha --agent command --agent-cmd fake-agent\n');
    expect(named.code).toBe(0);
  });

  it('expand: a plan without plan.md is refused', async () => {
    const p = copyRepo(fresh);
    expect(p.cli(['plan', SLUG, ...AGENT, '--until', 'pick-best', '--commit']).code).toBe(0);
    await expectRejectedStep(p, { FAKE_EXPAND: 'no-plan' }, 'expand', `planning.expand failed: plan.md is missing; ${PLAN_NEEDED}`);
    expect(manifestOf(p)['phases']).toEqual([]);
  });

  it('expand: a phase doc without ## Definition of Done is refused', async () => {
    const p = copyRepo(fresh);
    expect(p.cli(['plan', SLUG, ...AGENT, '--until', 'pick-best', '--commit']).code).toBe(0);
    await expectRejectedStep(
      p,
      { FAKE_EXPAND: 'no-done' },
      'expand',
      `planning.expand failed: phase-2-remove-old.md has no ## Definition of Done heading; ${PLAN_NEEDED}`,
    );
    expect(existsSync(path.join(p.dir, 'phase-1-add-api.md'))).toBe(false);
  });

  it('revise: a revision that drops a ## Definition of Done is refused and the plan stays at revise', async () => {
    const p = copyRepo(atReview);
    expect(p.cli(['plan', SLUG, ...AGENT, '--commit'], { FAKE_REVIEW: '1. Phase 2 has no rollback note.' }).code).toBe(0);
    await expectRejectedStep(
      p,
      { FAKE_REVISE: 'no-done' },
      'revise',
      `planning.revise failed: phase-2-remove-old.md has no ## Definition of Done heading; ${PLAN_NEEDED}`,
    );
    expect(readFileSync(path.join(p.dir, 'phase-2-remove-old.md'), 'utf8')).toContain('## Definition of Done\n');
  });
});

describe('cairn plan: a review is clear only on the no-findings line', () => {
  const EMPTY_REVIEW =
    'the review printed nothing; a review prints numbered findings, or the line `no findings.` on its own when the plan is clear';

  it('an empty review is a failed run, not a clear plan', async () => {
    await expectRejectedStep(copyRepo(atReview), { FAKE_REVIEW: '' }, 'review', `planning.review failed: ${EMPTY_REVIEW}`);
  });

  it('"no findings" inside a sentence is a finding', () => {
    const p = copyRepo(atReview);
    const review = '1. phase-1-add-api.md: there are no findings about naming, but the Definition of Done is not checkable.';
    const result = p.cli(['plan', SLUG, ...AGENT], { FAKE_REVIEW: review });
    expect(result.stdout).toBe('Accepted planning.review (findings) for alpha; next step: revise.\nNext: cairn plan alpha --agent command --agent-cmd fake-agent\n');
    expect(result.code).toBe(0);
    expect(stateOf(p)['review_findings']).toBe(stageRef('review.stdout.md'));
  });

  it('the no-findings line on its own after other text is clear', () => {
    const p = copyRepo(atReview);
    const result = p.cli(['plan', SLUG, ...AGENT], { FAKE_REVIEW: 'Checked every phase against the rules.\n\nNo findings.' });
    expect(result.stdout).toBe('Accepted planning.review (clear) for alpha; next step: final-review.\nNext: cairn plan alpha --agent command --agent-cmd fake-agent\n');
    expect(result.code).toBe(0);
  });

  it('an empty review-2 is a failed run too', async () => {
    const p = copyRepo(atReview);
    expect(p.cli(['plan', SLUG, ...AGENT, '--until', 'revise', '--commit'], { FAKE_REVIEW: '1. Missing rollback.' }).code).toBe(0);
    await expectRejectedStep(p, { FAKE_REVIEW2: '' }, 'review-2', `planning.review-2 failed: ${EMPTY_REVIEW}`);
  });
});

describe('cairn plan: refusals and dry runs', () => {
  it('--dry-run shows the prompt and the agent, and touches nothing', async () => {
    const p = copyRepo(atReview);
    const before = await snapshotId(p.dir);
    const dbBefore = readFileSync(path.join(p.repo, '.planning', 'cairn.db'));
    const recordFile = path.join(p.repo, '.planning', 'work', '.published', `${SLUG}.json`);
    const recordBefore = readFileSync(recordFile);
    const result = p.cli(['plan', SLUG, ...AGENT, '--dry-run']);
    expect(result.code).toBe(0);
    const [head, prompt] = result.stdout.split(/--- prompt \(sha256 [0-9a-f]{64}\) ---\n/);
    expect(head).toBe(
      'Dry run: would run planning.review for alpha; nothing was changed.\nAgent: fake-agent\nWorkspace: .planning/work/alpha/<run-id>/alpha\n',
    );
    expect(prompt).toContain('## Migration\nalpha\n');
    expect(prompt).toContain('Migration directory: .planning/work/alpha/<run-id>/alpha\n');
    expect(prompt).toContain('Plan:\n# Plan\n\nReplace the widget API in two phases.\n');
    expect(result.stderr).toBe('');
    expect(await snapshotId(p.dir)).toBe(before);
    expect(readdirSync(path.join(p.repo, '.planning', 'work'))).toEqual(['.published']);
    expect(readFileSync(recordFile).equals(recordBefore)).toBe(true);
    const quoted = p.cli(['plan', SLUG, '--agent', 'command', '--agent-cmd', "bash -c 'cat >/dev/null; echo hi'", '--dry-run']);
    expect(quoted.stdout).toContain("\nAgent: bash -c 'cat >/dev/null; echo hi'\n");
    expect(readFileSync(path.join(p.repo, '.planning', 'cairn.db')).equals(dbBefore)).toBe(true);
  });

  it('refuses a dirty live migration before running anything', () => {
    const p = copyRepo(fresh);
    writeFileSync(path.join(p.dir, 'notes.md'), 'hand edit\n');
    const result = p.cli(['plan', SLUG, ...AGENT]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      "Error: The migration directory has uncommitted changes that are not cairn's last publish:\n" +
        '  migrations/alpha/notes.md\n' +
        'Hint: The files listed under migrations/alpha are not committed, and the directory is not the snapshot cairn last published there, ' +
        'so cairn will not build on it. Commit them (`git add -- migrations/alpha && git commit`) and run the command again, ' +
        'or run `cairn doctor alpha` to inspect the directory first.\n',
    );
    expect(workRuns(p)).toEqual([]);
  });

  it('runs nothing when the step given to --until is already accepted', async () => {
    const p = copyRepo(atReview);
    const before = { snapshot: await snapshotId(p.dir), runs: storeRuns(p).length, work: workRuns(p) };
    const text = p.cli(['plan', SLUG, ...AGENT, '--until', 'approaches']);
    expect(text.code).toBe(0);
    expect(text.stdout).toBe('approaches is already accepted for alpha; nothing was run.\nNext: cairn plan alpha --agent command --agent-cmd fake-agent\n');
    const json = p.cli(['plan', SLUG, ...AGENT, '--until', 'expand', '--format', 'json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ schema_version: 1, slug: SLUG, status: 'already-accepted', steps: [] });
    expect(await snapshotId(p.dir)).toBe(before.snapshot);
    expect(storeRuns(p)).toHaveLength(before.runs);
    expect(workRuns(p)).toEqual(before.work);
    expect(stateOf(p)['next_step']).toBe('review');
    // The step at the cursor still runs.
    const review = p.cli(['plan', SLUG, ...AGENT, '--until', 'review']);
    expect(review.code).toBe(0);
    expect(stateOf(p)['next_step']).toBe('final-review');
  });

  it('refuses bad --until and --timeout values and an unknown migration with exit 2', () => {
    const p = copyRepo(fresh);
    const until = p.cli(['plan', SLUG, ...AGENT, '--until', 'done']);
    expect(until.code).toBe(2);
    expect(until.stderr).toContain("Error: --until must be a planning step or 'terminal', got 'done'\n");
    const timeout = p.cli(['plan', SLUG, ...AGENT, '--timeout', 'soon']);
    expect(timeout.code).toBe(2);
    expect(timeout.stderr).toContain("--timeout must be a number of seconds (0 for none), got 'soon'.");
    const missing = p.cli(['plan', 'nope', ...AGENT]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("Error: Migration 'nope' does not exist.\n");
    const noAgent = p.cli(['plan', SLUG]);
    expect(noAgent.code).toBe(2);
    expect(noAgent.stderr).toContain('Error: No agent chosen\n');
  });
});
