import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadManifest, saveManifest } from '../../src/migration/manifest.js';
import { snapshotId } from '../../src/fs/digest.js';
import { AGENT } from '../support/agents.js';
import { commitAll } from '../support/git.js';
import { SLUG, copyRepo, fixturePlanRepo, manifestOf, newPlanRepo, stateOf, workRuns, type PlanRepo } from '../support/plan-repo.js';
import { tempDir, templateDir } from '../support/tmp.js';
import { expectDoctorClean, expectV1Bytes } from './support.js';

let fresh: PlanRepo;
let atReview: PlanRepo;
let awaiting: PlanRepo;
beforeAll(() => {
  fresh = newPlanRepo(templateDir());
  atReview = newPlanRepo(templateDir());
  expect(atReview.cli(['plan', SLUG, ...AGENT, '--until', 'expand', '--commit']).code).toBe(0);
  awaiting = newPlanRepo(templateDir());
  const final = awaiting.cli(['plan', SLUG, ...AGENT, '--until', 'terminal', '--commit'], {
    FAKE_FINAL: 'final-decision: approve-needs-human — phase 2 deletes a public API',
  });
  expect(final.code).toBe(0);
});

describe('cairn refine', () => {
  it('reopens a plan at a review cursor and runs revise with the feedback', async () => {
    const p = copyRepo(atReview);
    const prompts = tempDir('cairn-prompts-');
    const result = p.cli(['refine', SLUG, '--message', 'Split phase 2 in two.', ...AGENT], { FAKE_PROMPT_DIR: prompts });
    expect(result.stdout).toBe('Refined alpha: migration.refine.revise accepted; next step: review-2\nNext: cairn plan alpha --agent command --agent-cmd fake-agent\n');
    expect(result.code).toBe(0);
    const state = stateOf(p);
    expect(state['next_step']).toBe('review-2');
    expect(state['revision_base_step_counts']).toEqual([3]);
    const feedback = state['feedback'] as Record<string, unknown>[];
    expect(feedback).toEqual([{ received_at: feedback[0]?.['received_at'], source: 'message', text: 'Split phase 2 in two.' }]);
    expect((state['completed_steps'] as { name: string }[]).map((step) => step.name)).toEqual(['approaches', 'pick-best', 'expand', 'revise']);
    const prompt = readFileSync(path.join(prompts, 'revise.prompt'), 'utf8');
    expect(prompt).toContain('\n\nUser refinement feedback:\nSplit phase 2 in two.\n\nUser refinement feedback to address:\nSplit phase 2 in two.\n');
    expectDoctorClean(p);
    await expectV1Bytes(p);
  });

  it('records feedback before the first review and runs the pending step as is', () => {
    const p = copyRepo(fresh);
    const file = path.join(tempDir('cairn-feedback-'), 'feedback.md');
    writeFileSync(file, 'Consider a codemod.\n');
    const dry = p.cli(['refine', SLUG, '--file', file, ...AGENT, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^Dry run: would run migration\.refine\.approaches for alpha; nothing was changed\.\n/);
    expect(dry.stdout).toContain('\n\nUser refinement feedback:\nConsider a codemod.\n');
    expect(stateOf(p)['feedback']).toEqual([]);
    const result = p.cli(['refine', SLUG, '--file', file, ...AGENT]);
    expect(result.stdout).toBe('Refined alpha: migration.refine.approaches accepted; next step: pick-best\nNext: cairn plan alpha --agent command --agent-cmd fake-agent\n');
    expect(result.code).toBe(0);
    const state = stateOf(p);
    expect(state['revision_base_step_counts']).toEqual([]);
    expect((state['feedback'] as Record<string, unknown>[])[0]).toMatchObject({ source: 'file', text: 'Consider a codemod.\n' });
  });

  it("reads the feedback from stdin with --file -", () => {
    const p = copyRepo(fresh);
    const dry = p.cli(['refine', SLUG, '--file', '-', ...AGENT, '--dry-run'], undefined, 'Feedback from a pipe.\n');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('\n\nUser refinement feedback:\nFeedback from a pipe.\n');
    const result = p.cli(['refine', SLUG, '--file', '-', ...AGENT], undefined, 'Feedback from a pipe.\n');
    expect(result.code).toBe(0);
    expect((stateOf(p)['feedback'] as Record<string, unknown>[])[0]).toMatchObject({ source: 'file', text: 'Feedback from a pipe.\n' });
    const blank = p.cli(['refine', SLUG, '--file', '-', ...AGENT], undefined, '');
    expect(blank.code).toBe(2);
    expect(blank.stderr.split('\n')[0]).toBe('Error: Refinement feedback must not be empty.');
  });

  it('turns an unexecuted ready migration (even one awaiting review) back into planning and revises it', async () => {
    const p = copyRepo(awaiting);
    const result = p.cli(['refine', SLUG, '--message', 'Keep the old API one more release.', ...AGENT, '--commit']);
    expect(result.stdout).toMatch(
      /^Refined alpha: migration\.refine\.revise accepted; next step: review-2\nCommitted [0-9a-f]{12}: cairn: alpha: migration\.refine\.revise\nNext: cairn plan alpha --agent command --agent-cmd fake-agent\n$/,
    );
    expect(result.code).toBe(0);
    const manifest = manifestOf(p);
    expect([manifest['status'], manifest['awaiting_human_review'], manifest['human_review_reason'], manifest['cooldown_until'], manifest['current_phase']]).toEqual([
      'planning',
      false,
      null,
      null,
      'add-api',
    ]);
    const state = stateOf(p);
    expect(state['next_step']).toBe('review-2');
    expect(state['revision_base_step_counts']).toEqual([5]);
    expect(state['final_decision']).toBeNull();
    expect(state['final_reason']).toBeNull();
    expectDoctorClean(p);
    await expectV1Bytes(p);
  });

  it('in manual mode prepares the revise and cairn accept publishes it with the feedback', () => {
    const p = copyRepo(atReview);
    const prepared = p.cli(['refine', SLUG, '--message', 'Name the owners.', '--agent', 'manual']);
    expect(prepared.code).toBe(0);
    expect(prepared.stdout).toContain('User refinement feedback:\nName the owners.\n');
    expect(prepared.stderr).toContain('Manual step: migration.refine.revise for alpha is prepared.\n');
    expect(prepared.stderr).toContain('  cairn accept alpha --step revise --file <output>\n');
    expect(stateOf(p)['feedback']).toEqual([]);
    const accepted = p.cli(['accept', SLUG, '--step', 'revise', '-'], {}, 'Named the owners in plan.md.\n');
    expect(accepted.stdout).toBe('Accepted migration.refine.revise for alpha; next step: review-2.\nNext: cairn plan alpha\n');
    expect(accepted.code).toBe(0);
    expect((stateOf(p)['feedback'] as { text: string }[]).map((entry) => entry.text)).toEqual(['Name the owners.']);
  });
});

describe('cairn refine: refusals (docs/format.md §9.6)', () => {
  it('refuses each ineligible migration with its message, leaving nothing behind', async () => {
    const slugs = {
      donePhase: 'src-ingest-queue-go-20260430T204206',
      skipped: 'src-scheduler-session-py-20260403T070714',
      noPhases: 'src-exports-models-ts-20260514T143811',
      advanced: 'isolate-feature-flags-in-auth-20260510T193323',
      noState: 'remove-cache-invalidation-in-search-20260418T184219',
      badState: 'deduplicate-feature-flags-in-payments-20260322T165923',
      terminal: 'src-cli-serializers-py-20260329T045020',
    };
    const p = fixturePlanRepo(Object.values(slugs));
    const refine = (slug: string) => p.cli(['refine', slug, '--message', 'change it', ...AGENT]);
    const expectRefused = (slug: string, code: number, message: string): void => {
      const result = refine(slug);
      expect(result.stdout).toBe('');
      expect(result.stderr.split('\n')[0]).toBe(`Error: ${message}`);
      expect(result.code).toBe(code);
      expect(workRuns(p, slug)).toEqual([]);
    };
    expectRefused(slugs.donePhase, 1, `Migration '${slugs.donePhase}' has completed phase work and cannot be refined`);
    expectRefused(slugs.skipped, 1, `Migration '${slugs.skipped}' has status 'skipped'; only planning or unexecuted ready migrations can be refined`);
    expectRefused(slugs.noPhases, 1, `Migration '${slugs.noPhases}' has no phases and cannot be refined`);
    expectRefused(slugs.advanced, 1, `Migration '${slugs.advanced}' has already advanced past its first phase`);
    expectRefused(slugs.noState, 1, `Migration '${slugs.noState}' is missing .planning/state.json`);
    const bad = refine(slugs.badState);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Could not parse planning state');

    // A ready migration whose plan was rejected cannot be reopened; a planning one at a terminal cursor has no next step.
    const skippedManifest = path.join(p.live, slugs.skipped, 'manifest.json');
    await saveManifest(skippedManifest, { ...(await loadManifest(skippedManifest)), status: 'ready' });
    const terminalManifest = path.join(p.live, slugs.terminal, 'manifest.json');
    await saveManifest(terminalManifest, { ...(await loadManifest(terminalManifest)), status: 'planning' });
    commitAll(p.repo, 'craft inconsistent states');
    const before = await snapshotId(path.join(p.live, slugs.skipped));
    expectRefused(slugs.skipped, 1, "Cannot reopen planning state at 'terminal-skipped' for revise");
    expectRefused(slugs.terminal, 1, `Planning state is terminal; no next step for '${slugs.terminal}'`);
    expect(await snapshotId(path.join(p.live, slugs.skipped))).toBe(before);
  });

  it('checks the feedback before the migration: empty, unreadable, or given twice', () => {
    const p = copyRepo(fresh);
    const empty = p.cli(['refine', 'no-such-migration', '--message', '  \n', ...AGENT]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toBe('Error: Refinement feedback must not be empty.\nHint: Say what to change with --message "<text>" or --file <path>.\n');
    const missing = path.join(p.repo, 'missing.md');
    const unreadable = p.cli(['refine', 'no-such-migration', '--file', missing, ...AGENT]);
    expect(unreadable.code).toBe(2);
    expect(unreadable.stderr).toContain(`Error: Could not read refinement feedback file: ${missing}: ENOENT`);
    const both = p.cli(['refine', SLUG, '--message', 'a', '--file', missing, ...AGENT]);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe('Error: Give the feedback with exactly one of --message <text> or --file <path>.\n');
    expect(stateOf(p)['feedback']).toEqual([]);
  });
});
