import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { doctorAll } from '../../src/consistency/doctor.js';
import { snapshotId } from '../../src/fs/digest.js';
import { recover } from '../../src/publish/recovery.js';
import { runCli } from '../support/cli.js';
import { runDriver, runDriverAndKill, seedMigration } from '../support/drivers.js';
import { copyPublishRepo, publishRepo, type PublishRepo } from '../support/publish-repo.js';
import { templateDir } from '../support/tmp.js';

/*
 * The SIGKILL harness (docs/durability.md §7): a child publishes and dies at a
 * named crash point or at a random instant; recovery runs; the live
 * migration must be exactly the old or the new snapshot, the lock free, no
 * transaction debris left, and doctor clean.
 */

const BEFORE_COMMIT = [
  'lock-taken',
  'recovery-done',
  'tx-created',
  'staged-written',
  'journal-written',
  'live-moved-to-rollback',
  'staged-moved-to-live',
  'live-validated',
] as const;
const AFTER_COMMIT = ['journal-committed', 'published-recorded', 'rollback-deleted', 'tx-removed', 'lock-released'] as const;

let template: PublishRepo;

beforeAll(() => {
  template = publishRepo({ at: path.join(templateDir('cairn-crash-template-'), 'repo') });
  seedMigration(template, 'alpha', 1);
  seedMigration(template, 'beta', 0);
});

/** A copy of the template repository: `alpha` (one accepted step) and `beta`. */
function freshRepo(): PublishRepo {
  return copyPublishRepo(template);
}

function expectClean(repo: PublishRepo): void {
  expect(existsSync(path.join(repo.liveRoot, '__transactions__'))).toBe(false);
  const doctor = runCli(['doctor', '--all'], { cwd: repo.repoRoot });
  expect(doctor.code).toBe(0);
}

function cliRecover(repo: PublishRepo, env: Record<string, string> = {}): ReturnType<typeof runCli> {
  return runCli(['recover', '--format', 'json'], { cwd: repo.repoRoot, env });
}

describe('crash at every named point of a publish', () => {
  for (const point of [...BEFORE_COMMIT, ...AFTER_COMMIT]) {
    it(`${point}: recovery leaves exactly the ${(BEFORE_COMMIT as readonly string[]).includes(point) ? 'old' : 'new'} snapshot`, async () => {
      const repo = freshRepo();
      const live = path.join(repo.liveRoot, 'alpha');
      const oldId = await snapshotId(live);
      const run = runDriver(repo, { slug: 'alpha', change: 'next', tag: 'crash', extraFiles: 6 }, { CAIRN_TEST_CRASH_AT: point });
      expect(run.signal).toBe('SIGKILL');
      const newId = await snapshotId(run.workspace);
      expect(newId).not.toBe(oldId);
      const recovered = cliRecover(repo);
      expect(recovered.code).toBe(0);
      const report = JSON.parse(recovered.stdout) as { transactions: { action: string }[] };
      const expected = (BEFORE_COMMIT as readonly string[]).includes(point) ? oldId : newId;
      expect(await snapshotId(live)).toBe(expected);
      if (point === 'lock-taken' || point === 'recovery-done' || point === 'lock-released' || point === 'tx-removed') {
        expect(report.transactions).toEqual([]);
      } else {
        expect(report.transactions).toHaveLength(1);
      }
      expectClean(repo);
    });
  }

  for (const point of ['lock-taken', 'tx-created', 'staged-written', 'journal-written', 'staged-moved-to-live', 'journal-committed', 'tx-removed'] as const) {
    it(`cairn new killed at ${point} leaves the migration absent or whole`, async () => {
      const repo = freshRepo();
      const live = path.join(repo.liveRoot, 'gamma');
      const created = runCli(['new', 'gamma', '--target', 'split the monolith'], {
        cwd: repo.repoRoot,
        env: { CAIRN_TEST_CRASH_AT: point },
      });
      expect(created.code).toBeNull();
      const workRoot = path.join(repo.workRoot, 'gamma');
      const [runId] = readdirSync(workRoot);
      const newId = await snapshotId(path.join(workRoot, runId!, 'gamma'));
      expect(cliRecover(repo).code).toBe(0);
      const after = await snapshotId(live);
      expect(after).toBe(point === 'journal-committed' || point === 'tx-removed' ? newId : await snapshotId(path.join(repo.liveRoot, 'nope')));
      expect(existsSync(path.join(repo.liveRoot, '__transactions__'))).toBe(false);
      const doctor = runCli(['doctor', '--all'], { cwd: repo.repoRoot });
      expect(doctor.code).toBe(0);
    });
  }
});

describe('crash during recovery and lock reclaim', () => {
  for (const point of ['recovery-live-moved-aside', 'recovery-rollback-restored', 'recovery-tx-cleaned'] as const) {
    it(`${point}: a second recovery still restores the old snapshot`, async () => {
      const repo = freshRepo();
      const live = path.join(repo.liveRoot, 'alpha');
      const oldId = await snapshotId(live);
      expect(runDriver(repo, { slug: 'alpha', change: 'next', tag: 'crash' }, { CAIRN_TEST_CRASH_AT: 'staged-moved-to-live' }).signal).toBe('SIGKILL');
      expect(cliRecover(repo, { CAIRN_TEST_CRASH_AT: point }).code).toBeNull();
      expect(cliRecover(repo).code).toBe(0);
      expect(await snapshotId(live)).toBe(oldId);
      expectClean(repo);
    });
  }

  it('lock-claimed: a reclaimer killed mid-claim leaves its claim and a tombstone, which the next recovery removes', async () => {
    const repo = freshRepo();
    const live = path.join(repo.liveRoot, 'alpha');
    const oldId = await snapshotId(live);
    expect(runDriver(repo, { slug: 'alpha', change: 'next', tag: 'crash' }, { CAIRN_TEST_CRASH_AT: 'lock-taken' }).signal).toBe('SIGKILL');
    expect(cliRecover(repo, { CAIRN_TEST_CRASH_AT: 'lock-claimed' }).code).toBeNull();
    const entries = readdirSync(path.join(repo.liveRoot, '__transactions__')).sort();
    expect(entries).toHaveLength(2);
    expect(entries[0]).toBe('.lock.claim');
    expect(entries[1]).toMatch(/^\.lock\.tomb-[0-9a-f]{16}$/);
    const recovered = JSON.parse(cliRecover(repo).stdout) as { lock_tombstones: string[] };
    expect(recovered.lock_tombstones).toEqual([path.join(repo.liveRoot, '__transactions__', entries[1]!)]);
    expect(await snapshotId(live)).toBe(oldId);
    expectClean(repo);
  });
});

describe('kills at random instants', () => {
  const KILLS = 210;
  const WORKERS = 4;

  it(`${KILLS} random SIGKILLs never lose or mix data`, async () => {
    const calibration = freshRepo();
    const timings: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const run = runDriver(calibration, { slug: 'alpha', change: 'next', tag: `cal${i}`, extraFiles: 8 });
      expect(run.output?.status).toBe('published');
      timings.push((run.output as unknown as { ms: number }).ms);
    }
    // Kills spread over a typical publish: some land before the commit point, some after, some after exit.
    // Publishes slow down under load, so the window follows what the kills find: it widens after an old
    // outcome and narrows after a new one, keeping the kills on both sides of the commit point.
    let window = Math.max(30, [...timings].sort((a, b) => a - b)[2]! * 1.2);
    const outcomes = { old: 0, new: 0, finished: 0 };
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < KILLS) {
        next += 1;
        const repo = freshRepo();
        const live = path.join(repo.liveRoot, 'alpha');
        const oldId = await snapshotId(live);
        const run = await runDriverAndKill(repo, { slug: 'alpha', change: 'next', tag: 'rand', extraFiles: 8 }, Math.random() * window);
        const newId = await snapshotId(run.workspace);
        if (!run.killed) {
          expect(run.output?.status).toBe('published');
          outcomes.finished += 1;
        }
        const report = await recover(repo.liveRoot, { lockTimeoutMs: 20_000, staleLimitMs: 500 });
        expect(report.plans.filter((plan) => plan.action === 'leave')).toEqual([]);
        const after = await snapshotId(live);
        expect([oldId, newId]).toContain(after);
        if (after === oldId) {
          outcomes.old += 1;
          window *= 1.05;
        } else {
          outcomes.new += 1;
          window = Math.max(5, window / 1.05);
        }
        expect(existsSync(path.join(repo.liveRoot, '__transactions__'))).toBe(false);
        let errors = 0;
        for await (const group of doctorAll({ repoRoot: repo.repoRoot, liveRoot: repo.liveRoot })) {
          errors += group.findings.filter((finding) => finding.severity === 'error').length;
        }
        expect(errors).toBe(0);
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, worker));
    expect(outcomes.old + outcomes.new).toBe(KILLS);
    // The kills must land on both sides of the commit point to mean anything.
    expect(outcomes.old).toBeGreaterThan(10);
    expect(outcomes.new).toBeGreaterThan(10);
  }, 180_000);
});
