import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CairnError } from '../../src/util/errors.js';
import { snapshotId } from '../../src/fs/digest.js';
import { FAULT_ENV } from '../../src/publish/faults.js';
import { recover } from '../../src/publish/recovery.js';
import { publish } from '../../src/publish/transaction.js';
import { publishValidator } from '../../src/consistency/publish-validator.js';
import { acceptNext, publishRepo, seedWorkspace, workspaceFor, type PublishRepo } from '../support/publish-repo.js';

/*
 * An fs call failing at each step of the transaction (ENOSPC, EACCES,
 * EXDEV): the publish ends failed with the old tree restored, or, after
 * the commit point, published with a cleanup error that recovery clears.
 */

afterEach(() => {
  delete process.env[FAULT_ENV];
});

const BEFORE_SWAP: Record<string, (code: string, tx: string) => string> = {
  'tx-create': (code, tx) => `could not create transaction directory ${tx}: ${code}: `,
  'stage-copy': (code) => `could not copy workspace to staged transaction path: ${code}: `,
  'journal-write': (code) => `could not write transaction journal: ${code}: `,
};
const DURING_SWAP: Record<string, (code: string) => string> = {
  'live-to-rollback': (code) => `could not move live migration to rollback: ${code}: `,
  'staged-to-live': (code) => `could not install staged migration: ${code}: `,
  'live-validate': (code) => `live snapshot validation failed after publish: ${code}: `,
  'journal-commit': (code) => `could not commit transaction journal: ${code}: `,
};
const AFTER_COMMIT = ['rollback-delete', 'tx-remove', 'lock-release'];

interface Setup {
  repo: PublishRepo;
  live: string;
  oldId: string;
  newId: string;
  workspace: string;
}

async function setup(): Promise<Setup> {
  const repo = publishRepo();
  const seed = workspaceFor(repo, 'alpha', 'seed', false);
  await seedWorkspace(repo, seed, 'alpha');
  const live = path.join(repo.liveRoot, 'alpha');
  await publish({ repoRoot: repo.repoRoot, liveRoot: repo.liveRoot, slug: 'alpha', workspaceDir: seed, baseSnapshotId: await snapshotId(live), validator: publishValidator('planning-snapshot') });
  const workspace = workspaceFor(repo, 'alpha');
  await acceptNext(repo, workspace, 'alpha', 'approaches\n');
  return { repo, live, oldId: await snapshotId(live), newId: await snapshotId(workspace), workspace };
}

function run(s: Setup) {
  return publish({
    repoRoot: s.repo.repoRoot,
    liveRoot: s.repo.liveRoot,
    slug: 'alpha',
    workspaceDir: s.workspace,
    baseSnapshotId: s.oldId,
    validator: publishValidator('planning-snapshot'),
    lockTimeoutMs: 2000,
  });
}

describe('injected fs faults', () => {
  for (const code of ['ENOSPC', 'EACCES', 'EXDEV']) {
    it(`${code} before the swap: failed, live untouched, nothing left`, async () => {
      for (const [point, message] of Object.entries(BEFORE_SWAP)) {
        delete process.env[FAULT_ENV];
        const s = await setup();
        process.env[FAULT_ENV] = `${point}:${code}`;
        const result = await run(s);
        expect(result.status).toBe('failed');
        const tx = result.reason.match(/__transactions__\/([0-9a-f]{32})/)?.[0] ?? '';
        expect(result.reason.startsWith(message(code, path.join(s.repo.liveRoot, tx)))).toBe(true);
        expect(result.lockPath).toBe(path.join(s.repo.liveRoot, '__transactions__', '.lock'));
        expect(result.snapshotId).toBe(s.oldId);
        expect(await snapshotId(s.live)).toBe(s.oldId);
        expect(existsSync(path.join(s.repo.liveRoot, '__transactions__'))).toBe(false);
      }
    });

    it(`${code} during the swap: failed, previous live snapshot restored`, async () => {
      for (const [point, message] of Object.entries(DURING_SWAP)) {
        delete process.env[FAULT_ENV];
        const s = await setup();
        process.env[FAULT_ENV] = `${point}:${code}`;
        const result = await run(s);
        expect(result.status).toBe('failed');
        expect(result.reason.startsWith(message(code))).toBe(true);
        const note = point === 'live-to-rollback' ? 'the live migration was not changed' : 'previous live snapshot was restored';
        expect(result.reason.endsWith(`; ${note}`)).toBe(true);
        expect(result.snapshotId).toBe(s.oldId);
        expect(await snapshotId(s.live)).toBe(s.oldId);
        expect(existsSync(path.join(s.repo.liveRoot, '__transactions__'))).toBe(false);
      }
    });

    it(`${code} after the commit point: published with a cleanup error that recovery clears`, async () => {
      for (const point of AFTER_COMMIT) {
        delete process.env[FAULT_ENV];
        const s = await setup();
        process.env[FAULT_ENV] = `${point}:${code}`;
        const result = await run(s);
        delete process.env[FAULT_ENV];
        expect(result.status).toBe('published');
        expect(result.cleanupError).toContain(`${code}: `);
        expect(await snapshotId(s.live)).toBe(s.newId);
        const leftovers = readdirSync(path.join(s.repo.liveRoot, '__transactions__'));
        expect(leftovers).toEqual(point === 'lock-release' ? ['.lock'] : [path.basename(result.transactionDir!)]);
        if (point === 'lock-release') await new Promise((resolve) => setTimeout(resolve, 400));
        const report = await recover(s.repo.liveRoot, { staleLimitMs: 300, lockTimeoutMs: 5000 });
        expect(report.plans.map((plan) => plan.action)).toEqual(point === 'lock-release' ? [] : ['roll-forward']);
        expect(await snapshotId(s.live)).toBe(s.newId);
        expect(existsSync(path.join(s.repo.liveRoot, '__transactions__'))).toBe(false);
      }
    });
  }

  it('a new migration that cannot be installed is left absent', async () => {
    const repo = publishRepo();
    const workspace = workspaceFor(repo, 'alpha', 'new', false);
    await seedWorkspace(repo, workspace, 'alpha');
    const live = path.join(repo.liveRoot, 'alpha');
    process.env[FAULT_ENV] = 'staged-to-live:EXDEV';
    const result = await publish({ repoRoot: repo.repoRoot, liveRoot: repo.liveRoot, slug: 'alpha', workspaceDir: workspace, baseSnapshotId: await snapshotId(live), validator: publishValidator('planning-snapshot') });
    expect(result.status).toBe('failed');
    expect(result.reason).toBe('could not install staged migration: EXDEV: cross-device link not permitted, injected at staged-to-live; the migration was not installed');
    expect(existsSync(live)).toBe(false);
    expect(existsSync(path.join(repo.liveRoot, '__transactions__'))).toBe(false);
  });

  it('a lock that cannot be created is an error, and nothing changes', async () => {
    const s = await setup();
    process.env[FAULT_ENV] = 'lock-acquire:EACCES';
    const error = await run(s).then(
      () => null,
      (caught: unknown) => caught as CairnError,
    );
    expect(error?.code).toBe('io');
    expect(error?.message).toBe(
      `Could not acquire publish lock ${path.join(s.repo.liveRoot, '__transactions__', '.lock')}: EACCES: permission denied, injected at lock-acquire`,
    );
    expect(await snapshotId(s.live)).toBe(s.oldId);
    expect(existsSync(path.join(s.repo.liveRoot, '__transactions__'))).toBe(false);
  });
});
