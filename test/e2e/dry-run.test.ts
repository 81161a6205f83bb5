import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { AGENT } from '../support/agents.js';
import { SLUG, copyRepo, emptyRepo, newPlanRepo, planRepoAt, workRuns, type PlanRepo } from '../support/plan-repo.js';
import { templateDir } from '../support/tmp.js';
import { footprint } from './support.js';

/*
 * A dry run touches nothing: no entry under .planning/work/ (not even an
 * empty directory), no store file created, and no store file's bytes or
 * mtime changed. Its JSON says what would happen, never `published`.
 */

/** Runs `args` and expects it to leave `p` exactly as it found it; returns the run. */
function expectUntouched(p: PlanRepo, args: string[], env?: Record<string, string>) {
  const before = footprint(p.repo);
  const result = p.cli(args, env);
  expect(footprint(p.repo), `cairn ${args.join(' ')}\n${result.stderr}`).toEqual(before);
  return result;
}

let planning: PlanRepo;
let awaiting: PlanRepo;
let approved: PlanRepo;
beforeAll(() => {
  planning = newPlanRepo(templateDir());
  const env = { FAKE_FINAL: 'final-decision: approve-needs-human — phase 2 deletes a public API' };
  awaiting = newPlanRepo(templateDir());
  expect(awaiting.cli(['plan', SLUG, ...AGENT, '--until', 'terminal', '--commit'], env).code).toBe(0);
  approved = newPlanRepo(templateDir());
  expect(approved.cli(['plan', SLUG, ...AGENT, '--until', 'terminal', '--commit'], env).code).toBe(0);
  expect(approved.cli(['review', SLUG, '--approve', '--commit']).code).toBe(0);
});

describe('--dry-run touches nothing', () => {
  it('new in a fresh project: no .planning/work/, no store', () => {
    const p = planRepoAt(emptyRepo());
    const result = expectUntouched(p, ['new', 'beta', '--target', 'x', '--dry-run']);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe('Dry run: would create migration beta at migrations/beta; nothing was changed.');
    expect(existsSync(path.join(p.repo, '.planning', 'work'))).toBe(false);
    expect(existsSync(path.join(p.repo, '.planning', 'cairn.db'))).toBe(false);
  });

  it('new, plan, refine and recover next to an existing store', () => {
    const p = copyRepo(planning);
    expect(existsSync(path.join(p.repo, '.planning', 'cairn.db'))).toBe(true);
    expect(expectUntouched(p, ['new', 'beta', '--target', 'x', '--dry-run']).code).toBe(0);
    expect(expectUntouched(p, ['plan', SLUG, ...AGENT, '--dry-run']).code).toBe(0);
    expect(expectUntouched(p, ['plan', SLUG, '--agent', 'manual', '--dry-run']).code).toBe(0);
    expect(expectUntouched(p, ['refine', SLUG, '--message', 'smaller phases', ...AGENT, '--dry-run']).code).toBe(0);
    expect(expectUntouched(p, ['recover', '--dry-run']).code).toBe(0);
    expect(workRuns(p)).toEqual([]);
  });

  it('accept of a prepared manual run', () => {
    const p = copyRepo(planning);
    expect(p.cli(['plan', SLUG, '--agent', 'manual']).code).toBe(0);
    const [run] = workRuns(p);
    const workspace = path.join(p.repo, '.planning', 'work', SLUG, run as string, SLUG);
    mkdirSync(path.join(workspace, 'approaches'));
    writeFileSync(path.join(workspace, 'approaches', 'incremental.md'), '# Incremental\n\nOne module at a time.\n');
    writeFileSync(path.join(workspace, 'approaches', 'big-bang.md'), '# Big bang\n\nEverything at once.\n');
    const output = path.join(p.bin, 'approaches-output.md');
    writeFileSync(output, 'Wrote two approaches: incremental, big-bang.\n');
    const result = expectUntouched(p, ['accept', SLUG, '--step', 'approaches', '--file', output, '--dry-run', '--format', 'json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as { status: string; steps: { status: string; publish: { status: string; dry_run: boolean } }[] };
    expect(json.status).toBe('dry-run');
    expect([json.steps[0]?.status, json.steps[0]?.publish.status, json.steps[0]?.publish.dry_run]).toEqual(['dry-run', 'would-publish', true]);
  });

  it('review, phase done and run', () => {
    const review = copyRepo(awaiting);
    const approve = expectUntouched(review, ['review', SLUG, '--approve', '--dry-run', '--format', 'json']);
    expect(approve.code).toBe(0);
    const reviewJson = JSON.parse(approve.stdout) as { review: { publish: { status: string } } };
    expect(reviewJson.review.publish.status).toBe('would-publish');

    const ready = copyRepo(approved);
    const done = expectUntouched(ready, ['phase', 'done', SLUG, '--dry-run', '--format', 'json']);
    expect(done.code).toBe(0);
    const doneJson = JSON.parse(done.stdout) as { result: { status: string; reason: string; dry_run: boolean } };
    expect(doneJson.result).toMatchObject({ status: 'would-publish', reason: 'dry run: the publish would succeed; nothing was changed', dry_run: true });

    const run = expectUntouched(ready, ['run', SLUG, ...AGENT, '--validate', 'true', '--dry-run']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });
});

describe('dry-run JSON status', () => {
  it("new says 'would-publish', never 'published'", () => {
    const p = copyRepo(planning);
    const result = expectUntouched(p, ['new', 'beta', '--target', 'x', '--dry-run', '--format', 'json']);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as { result: { status: string; dry_run: boolean; lock_path: string | null } };
    expect(json.result).toMatchObject({ status: 'would-publish', dry_run: true, lock_path: null });
  });

  it("a dry run the publish would refuse says 'would-block' and names the uncommitted paths", () => {
    const p = copyRepo(approved);
    appendFileSync(path.join(p.dir, 'plan.md'), 'An edit nobody committed.\n');
    const json = expectUntouched(p, ['phase', 'done', SLUG, '--dry-run', '--format', 'json']);
    expect(json.code).toBe(1);
    const doc = JSON.parse(json.stdout) as { result: { status: string; dirty_paths: string[] } };
    expect(doc.result.status).toBe('would-block');
    expect(doc.result.dirty_paths).toEqual([`migrations/${SLUG}/plan.md`]);

    const text = expectUntouched(p, ['phase', 'done', SLUG, '--dry-run']);
    expect(text.code).toBe(1);
    const lines = text.stdout.split('\n');
    expect(lines[0]).toMatch(/^Dry run: the publish would be blocked: dirty live migration directory/);
    expect(lines).toContain('Findings: none (the publish would be blocked for the reason above)');
    expect(lines).toContain(`Uncommitted: migrations/${SLUG}/plan.md`);
  });
});
