import { appendFileSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkInvariants } from '../../src/consistency/invariants.js';
import type { InvariantResult } from '../../src/migration/index.js';
import { acceptNext, publishRepo, seedWorkspace, workspaceFor, type PublishRepo } from '../support/publish-repo.js';

/** Live `alpha` with two accepted steps, feedback, a done phase, sums and reviews. */
async function liveWithHistory(): Promise<{ repo: PublishRepo; live: string }> {
  const repo = publishRepo();
  const seed = workspaceFor(repo, 'alpha', 'seed', false);
  await seedWorkspace(repo, seed, 'alpha');
  await acceptNext(repo, seed, 'alpha', 'approaches\n');
  await acceptNext(repo, seed, 'alpha', 'pick\n');
  const stateFile = path.join(seed, '.planning', 'state.json');
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { feedback: unknown[] };
  state.feedback.push({ received_at: 'r', source: 'message', text: 'be careful' });
  writeFileSync(stateFile, `${JSON.stringify(state, null, 2)}\n`);
  const manifestFile = path.join(seed, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, unknown>;
  manifest['phases'] = [{ name: 'one', file: 'phase-1-one.md', done: true, precondition: 'p', required_effort: null, effort_reason: null }];
  writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(path.join(seed, 'phase-1-one.md'), '## Precondition\np\n## Definition of Done\nd\n');
  writeFileSync(path.join(seed, '.planning', 'sums'), 'aaa  x\nbbb  y\n');
  writeFileSync(path.join(seed, '.planning', 'reviews.jsonl'), '{"decision":"approve"}\n');
  // Written directly: these sums and review lines are placeholders the consistency rules would refuse.
  cpSync(seed, path.join(repo.liveRoot, 'alpha'), { recursive: true });
  return { repo, live: path.join(repo.liveRoot, 'alpha') };
}

function failures(results: InvariantResult[]): Record<string, string[]> {
  return Object.fromEntries(
    results.filter((result) => !result.passed).map((result) => [result.name, result.violations.map((v) => v.message)]),
  );
}

describe('invariants', () => {
  it('all pass for a candidate that only appends', async () => {
    const { repo, live } = await liveWithHistory();
    const workspace = workspaceFor(repo, 'alpha');
    await acceptNext(repo, workspace, 'alpha', 'expand\n');
    appendFileSync(path.join(workspace, '.planning', 'sums'), 'ccc  z\n');
    appendFileSync(path.join(workspace, '.planning', 'reviews.jsonl'), '{"decision":"reject"}\n');
    const results = await checkInvariants(live, workspace, { repoRoot: repo.repoRoot, liveDir: live });
    expect(results.every((result) => result.passed)).toBe(true);
    expect(results).toHaveLength(8);
  });

  it('reports every violation, each under its name', async () => {
    const { repo, live } = await liveWithHistory();
    const workspace = workspaceFor(repo, 'alpha');
    const stateFile = path.join(workspace, '.planning', 'state.json');
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { completed_steps: { completed_at: string }[]; feedback: unknown[]; next_step: string };
    state.completed_steps[0]!.completed_at = 'rewritten';
    state.completed_steps.pop();
    state.next_step = 'pick-best';
    state.feedback = [];
    writeFileSync(stateFile, `${JSON.stringify(state, null, 2)}\n`);
    rmSync(path.join(workspace, '.planning', 'stages', 'pick-best.stdout.md'));
    const manifestFile = path.join(workspace, 'manifest.json');
    writeFileSync(manifestFile, readFileSync(manifestFile, 'utf8').replace('"done": true', '"done": false'));
    rmSync(path.join(workspace, 'phase-1-one.md'));
    writeFileSync(path.join(workspace, '.planning', 'sums'), 'aaa  x\n');
    writeFileSync(path.join(workspace, '.planning', 'reviews.jsonl'), '{"decision":"changed"}\n');
    const results = await checkInvariants(live, workspace, { repoRoot: repo.repoRoot, liveDir: live });
    expect(failures(results)).toEqual({
      'accepted-steps-append-only': [
        'completed_steps shrank from 2 to 1 entries; accepted history is append-only',
        'completed_steps[0] differs from the live accepted step; accepted history is append-only',
      ],
      'feedback-append-only': ['feedback shrank from 1 to 0 entries; accepted history is append-only'],
      'stage-files-preserved': ['accepted stage output migrations/alpha/.planning/stages/pick-best.stdout.md (step pick-best) was removed'],
      'done-phases-stay-done': ["done phase 'one' was marked not done"],
      'references-resolve': ["manifest phase 'one' names phase-1-one.md, which is not a file in the migration"],
      'sums-append-only': ['.planning/sums line 2 was changed or removed; it is append-only'],
      'reviews-append-only': ['.planning/reviews.jsonl line 1 was changed or removed; it is append-only'],
    });
  });

  it('requires manifest.json and keeps state.json once it exists', async () => {
    const { repo, live } = await liveWithHistory();
    const workspace = workspaceFor(repo, 'alpha');
    rmSync(path.join(workspace, 'manifest.json'));
    rmSync(path.join(workspace, '.planning', 'state.json'));
    const results = await checkInvariants(live, workspace, { repoRoot: repo.repoRoot, liveDir: live });
    const failed = failures(results);
    expect(failed['required-files-present']).toEqual(['manifest.json is missing', '.planning/state.json was removed']);
    expect(failed['accepted-steps-append-only']).toEqual(['state.json was removed, dropping 2 accepted step(s) of the live history']);
    expect(failed['done-phases-stay-done']).toEqual(['manifest.json cannot be read, so done phases cannot stay done: one']);
  });

  it('passes vacuously for a new migration', async () => {
    const repo = publishRepo();
    const workspace = workspaceFor(repo, 'alpha', 'new', false);
    await seedWorkspace(repo, workspace, 'alpha');
    mkdirSync(path.join(workspace, 'approaches'));
    const live = path.join(repo.liveRoot, 'alpha');
    const results = await checkInvariants(null, workspace, { repoRoot: repo.repoRoot, liveDir: live });
    expect(results.every((result) => result.passed)).toBe(true);
  });
});
