import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { runDriverAsync, seedMigration, type DriverRun } from '../support/drivers.js';
import { publishRepo, type PublishRepo } from '../support/publish-repo.js';

/*
 * Eight processes publish at once. Every call must end published, blocked
 * on a stale snapshot, or with a lock timeout (exit 3); every published
 * change must be in the final history, which only grew.
 */

interface History {
  steps: { name: string; outputs: { stdout: string } }[];
  feedback: { text: string }[];
}

function history(repo: PublishRepo, slug: string): History {
  const state = JSON.parse(readFileSync(path.join(repo.liveRoot, slug, '.planning', 'state.json'), 'utf8')) as {
    completed_steps: History['steps'];
    feedback: History['feedback'];
  };
  return { steps: state.completed_steps, feedback: state.feedback };
}

function classify(run: DriverRun): 'published' | 'stale' | 'lock-timeout' {
  if (run.code === 0 && run.output?.status === 'published') return 'published';
  if (run.code === 1 && run.output?.status === 'blocked' && run.output.reason?.startsWith('stale base snapshot: base_snapshot_id does not match')) {
    return 'stale';
  }
  if (run.code === 3 && run.output?.error?.code === 'lock-timeout') return 'lock-timeout';
  throw new Error(`unexpected publish outcome: ${JSON.stringify(run)}`);
}

/** The tag of the change a published run made, as it appears in the history. */
function changeText(run: DriverRun, repo: PublishRepo): string {
  const change = run.output!.change;
  if (change.kind === 'feedback') return `feedback:${change.text!}`;
  return `step:${readFileSync(path.join(repo.repoRoot, change.ref!), 'utf8')}`;
}

function historyTexts(repo: PublishRepo, slug: string): string[] {
  const { steps, feedback } = history(repo, slug);
  return [
    ...steps.map((step) => `step:${readFileSync(path.join(repo.repoRoot, step.outputs.stdout), 'utf8')}`),
    ...feedback.map((entry) => `feedback:${entry.text}`),
  ];
}

function isPrefix(before: string[], after: string[]): boolean {
  return before.every((entry, index) => after[index] === entry);
}

describe('concurrent publishes', () => {
  it('eight processes on one migration: at least one wins, the rest are stale or time out, nothing is lost', async () => {
    const repo = publishRepo();
    seedMigration(repo, 'alpha', 1);
    const before = history(repo, 'alpha');
    const runs = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        runDriverAsync(repo, { slug: 'alpha', change: 'next', tag: `p${i}`, extraFiles: 3, lockTimeoutMs: i < 2 ? 0 : 30_000 }),
      ),
    );
    const outcomes = runs.map(classify);
    const published = runs.filter((_, i) => outcomes[i] === 'published');
    expect(published.length).toBeGreaterThanOrEqual(1);
    const after = history(repo, 'alpha');
    expect(after.steps.length + after.feedback.length).toBe(before.steps.length + before.feedback.length + published.length);
    expect(after.steps.slice(0, before.steps.length)).toEqual(before.steps);
    const texts = historyTexts(repo, 'alpha');
    for (const run of published) expect(texts).toContain(changeText(run, repo));
    expect(existsSync(path.join(repo.liveRoot, '__transactions__'))).toBe(false);
    expect(runCli(['doctor', '--all'], { cwd: repo.repoRoot }).code).toBe(0);
  });

  it('eight retrying processes on one shared and four separate migrations keep every accepted change', async () => {
    const repo = publishRepo();
    const slugs = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];
    for (const slug of slugs) seedMigration(repo, slug, 0);
    const lanes = [
      ...Array.from({ length: 4 }, (_, i) => ({ slug: 'alpha', lane: `shared${i}` })),
      ...slugs.slice(1).map((slug) => ({ slug, lane: `own-${slug}` })),
    ];
    const ATTEMPTS = 3;
    const snapshots = new Map<string, string[][]>(slugs.map((slug) => [slug, []]));
    const results = await Promise.all(
      lanes.map(async ({ slug, lane }) => {
        const runs: DriverRun[] = [];
        for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
          const run = await runDriverAsync(repo, { slug, change: 'next', tag: `${lane}-${attempt}`, extraFiles: 2 });
          runs.push(run);
          snapshots.get(slug)!.push(historyTexts(repo, slug));
        }
        return { slug, lane, runs };
      }),
    );
    const publishedBySlug = new Map<string, DriverRun[]>(slugs.map((slug) => [slug, []]));
    for (const { slug, runs } of results) {
      for (const run of runs) {
        const outcome = classify(run);
        if (slug !== 'alpha') expect(outcome).toBe('published');
        if (outcome === 'published') publishedBySlug.get(slug)!.push(run);
      }
    }
    for (const slug of slugs) {
      const texts = historyTexts(repo, slug);
      const published = publishedBySlug.get(slug)!;
      expect(texts).toHaveLength(published.length);
      for (const run of published) expect(texts).toContain(changeText(run, repo));
      // Every history observed along the way is a prefix of the final one: append-only.
      for (const seen of snapshots.get(slug)!) expect(isPrefix(seen, texts)).toBe(true);
    }
    expect(publishedBySlug.get('alpha')!.length).toBeGreaterThanOrEqual(1);
    expect(publishedBySlug.get('beta')!.length).toBe(ATTEMPTS);
    expect(existsSync(path.join(repo.liveRoot, '__transactions__'))).toBe(false);
    const doctor = runCli(['doctor', '--all'], { cwd: repo.repoRoot });
    expect(doctor.code).toBe(0);
  }, 120_000);
});
