import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CairnError } from '../../src/util/errors.js';
import { snapshotId } from '../../src/fs/digest.js';
import { publishErrorMessage } from '../../src/publish/result.js';
import { encodePublishedRecord, publishedRecordPath } from '../../src/publish/published-record.js';
import { MemoryRecorder, type PublishRecorder } from '../../src/publish/recorder.js';
import { publish, type PublishRequest } from '../../src/publish/transaction.js';
import { publishValidator } from '../../src/consistency/publish-validator.js';
import { holdPublishLock } from '../support/drivers.js';
import { commitAll } from '../support/git.js';
import { acceptNext, publishRepo, seedWorkspace, workspaceFor, type PublishRepo } from '../support/publish-repo.js';

const MISSING = '3b8ca1a1b4e4c0fd58e07bbbc11e0bdb8bf7ab0fe0575fa8b1ea1ca3e27d6b9c';

async function request(repo: PublishRepo, slug: string, workspace: string, extra: Partial<PublishRequest> = {}): Promise<PublishRequest> {
  return {
    repoRoot: repo.repoRoot,
    liveRoot: repo.liveRoot,
    slug,
    workspaceDir: workspace,
    baseSnapshotId: await snapshotId(path.join(repo.liveRoot, slug)),
    validator: publishValidator('planning-snapshot'),
    operation: 'test.publish',
    ...extra,
  };
}

/** Publishes a new migration `slug` (through `recorder`, when given); resolves to its snapshot id. */
async function seeded(repo: PublishRepo, slug: string, recorder?: PublishRecorder): Promise<string> {
  const workspace = workspaceFor(repo, slug, 'seed', false);
  await seedWorkspace(repo, workspace, slug);
  const result = await publish(await request(repo, slug, workspace, recorder === undefined ? {} : { recorder }));
  expect(result.status).toBe('published');
  return result.snapshotId as string;
}

describe('publish', () => {
  it('installs the workspace byte for byte and leaves no transaction behind', async () => {
    const repo = publishRepo();
    const workspace = workspaceFor(repo, 'alpha', 'new', false);
    await seedWorkspace(repo, workspace, 'alpha');
    const candidate = await snapshotId(workspace);
    const result = await publish(await request(repo, 'alpha', workspace));
    const live = path.join(repo.liveRoot, 'alpha');
    expect(result.status).toBe('published');
    expect(result.reason).toBe('published');
    expect(result.snapshotId).toBe(candidate);
    expect(await snapshotId(live)).toBe(candidate);
    expect(readFileSync(path.join(live, 'manifest.json'))).toEqual(readFileSync(path.join(workspace, 'manifest.json')));
    expect(readFileSync(path.join(live, '.planning', 'state.json'))).toEqual(readFileSync(path.join(workspace, '.planning', 'state.json')));
    expect(result.lockPath).toBe(path.join(repo.liveRoot, '__transactions__', '.lock'));
    expect(result.transactionDir).toMatch(/__transactions__\/[0-9a-f]{32}$/);
    expect(result.cleanupError).toBeNull();
    expect(result.invariants.map((invariant) => [invariant.name, invariant.passed])).toEqual([
      ['accepted-steps-append-only', true],
      ['feedback-append-only', true],
      ['stage-files-preserved', true],
      ['done-phases-stay-done', true],
      ['references-resolve', true],
      ['required-files-present', true],
      ['sums-append-only', true],
      ['reviews-append-only', true],
    ]);
    expect(existsSync(path.join(repo.liveRoot, '__transactions__'))).toBe(false);
    expect(existsSync(workspace)).toBe(true);
  });

  it('replaces an existing migration and records the snapshot and an event', async () => {
    const repo = publishRepo();
    await seeded(repo, 'alpha');
    const workspace = workspaceFor(repo, 'alpha');
    await acceptNext(repo, workspace, 'alpha', 'approaches stdout\n');
    const recorder = new MemoryRecorder();
    const result = await publish(await request(repo, 'alpha', workspace, { recorder }));
    const live = path.join(repo.liveRoot, 'alpha');
    expect(result.status).toBe('published');
    expect(await snapshotId(live)).toBe(await snapshotId(workspace));
    expect(readFileSync(path.join(live, '.planning', 'stages', 'approaches.stdout.md'), 'utf8')).toBe('approaches stdout\n');
    expect(recorder.lastPublishedSnapshot(repo.liveRoot, 'alpha')).toBe(result.snapshotId);
    expect(recorder.events.map((event) => [event.kind, event.slug, event.details['operation']])).toEqual([
      ['publish.published', 'alpha', 'test.publish'],
    ]);
    expect(existsSync(path.join(repo.liveRoot, '__transactions__'))).toBe(false);
  });

  it('blocks a stale base snapshot with both ids and leaves nothing behind', async () => {
    const repo = publishRepo();
    const liveId = await seeded(repo, 'alpha');
    const workspace = workspaceFor(repo, 'alpha');
    await acceptNext(repo, workspace, 'alpha', 'x\n');
    const result = await publish(await request(repo, 'alpha', workspace, { baseSnapshotId: MISSING }));
    expect(result.status).toBe('blocked');
    expect(result.reason).toBe(
      `stale base snapshot: base_snapshot_id does not match current live snapshot (base_snapshot_id=${MISSING}, current_snapshot_id=${liveId})`,
    );
    expect(result.staleBase).toBe(true);
    expect(result.snapshotId).toBe(liveId);
    expect(await snapshotId(path.join(repo.liveRoot, 'alpha'))).toBe(liveId);
    expect(existsSync(path.join(repo.liveRoot, '__transactions__'))).toBe(false);
    expect(publishErrorMessage(result)).toBe(`${result.reason}\nlock=${path.join(repo.liveRoot, '__transactions__', '.lock')}`);
  });

  it('reports every validation failure and invariant violation at once', async () => {
    const repo = publishRepo();
    await seeded(repo, 'alpha');
    let workspace = workspaceFor(repo, 'alpha');
    await acceptNext(repo, workspace, 'alpha', 'approaches\n');
    await publish(await request(repo, 'alpha', workspace));
    workspace = workspaceFor(repo, 'alpha', 'bad');
    const manifestFile = path.join(workspace, 'manifest.json');
    writeFileSync(manifestFile, readFileSync(manifestFile, 'utf8').replace('"name": "alpha"', '"name": "beta"'));
    const stage = path.join(workspace, '.planning', 'stages', 'approaches.stdout.md');
    writeFileSync(stage, 'rewritten history\n');
    writeFileSync(path.join(workspace, '.planning', 'sums'), '');
    const liveId = await snapshotId(path.join(repo.liveRoot, 'alpha'));
    const result = await publish(await request(repo, 'alpha', workspace));
    expect(result.status).toBe('blocked');
    expect(result.reason.startsWith('workspace validation failed: migration snapshot is inconsistent: ')).toBe(true);
    expect(result.reason).toContain(`manifest-slug-mismatch: ${manifestFile}: `);
    expect(result.reason).toContain(
      `stage-files-preserved: ${stage}: accepted stage output migrations/alpha/.planning/stages/approaches.stdout.md (step approaches) was changed`,
    );
    expect(result.invariants.filter((invariant) => !invariant.passed).map((invariant) => invariant.name)).toEqual(['stage-files-preserved']);
    expect(await snapshotId(path.join(repo.liveRoot, 'alpha'))).toBe(liveId);
    expect(existsSync(path.join(repo.liveRoot, '__transactions__'))).toBe(false);
  });

  it('refuses a bad request before touching anything', async () => {
    const repo = publishRepo();
    rmSync(repo.liveRoot, { recursive: true });
    const workspace = workspaceFor(repo, 'alpha', 'ws', false);
    const attempt = async (extra: Partial<PublishRequest>): Promise<string> => {
      try {
        await publish({ ...(await request(repo, 'alpha', workspace)), ...extra });
      } catch (error) {
        expect(error).toBeInstanceOf(CairnError);
        expect((error as CairnError).code).toBe('invalid-input');
        return (error as Error).message;
      }
      throw new Error('publish did not refuse');
    };
    expect(await attempt({ slug: '__x' })).toBe("Migration slug is not a safe path segment: '__x'");
    expect(await attempt({ slug: 'beta' })).toBe(
      `Planning workspace snapshot directory must be named for the migration slug 'beta': ${workspace}`,
    );
    expect(await attempt({ baseSnapshotId: '' })).toBe('base_snapshot_id is required');
    const inside = path.join(repo.liveRoot, 'tmp', 'alpha');
    expect(await attempt({ workspaceDir: inside })).toBe(`Planning workspace must be outside live migrations dir: ${inside}`);
    expect(existsSync(repo.liveRoot)).toBe(false);
  });

  it('dry run reports the diff, transition and checks and touches nothing', async () => {
    const repo = publishRepo();
    const liveId = await seeded(repo, 'alpha');
    const workspace = workspaceFor(repo, 'alpha');
    await acceptNext(repo, workspace, 'alpha', 'twelve bytes');
    rmSync(path.join(repo.liveRoot, '__transactions__'), { recursive: true, force: true });
    const recorder = new MemoryRecorder();
    const stateSize = readFileSync(path.join(workspace, '.planning', 'state.json')).length;
    const oldStateSize = readFileSync(path.join(repo.liveRoot, 'alpha', '.planning', 'state.json')).length;
    const result = await publish(await request(repo, 'alpha', workspace, { dryRun: true, recorder }));
    expect(result.status).toBe('published');
    expect(result.dryRun).toBe(true);
    expect(result.reason).toBe('dry run: the publish would succeed; nothing was changed');
    expect(result.lockPath).toBeNull();
    expect(result.diff).toEqual({
      added: [{ path: '.planning/stages/approaches.stdout.md', size: 12 }],
      changed: [{ path: '.planning/state.json', size: stateSize, oldSize: oldStateSize }],
      removed: [],
      cursor: { from: 'approaches', to: 'pick-best' },
      status: { from: 'planning', to: 'planning' },
    });
    expect(await snapshotId(path.join(repo.liveRoot, 'alpha'))).toBe(liveId);
    expect(existsSync(path.join(repo.liveRoot, '__transactions__'))).toBe(false);
    expect(recorder.events).toEqual([]);
    expect(recorder.lastPublishedSnapshot(repo.liveRoot, 'alpha')).toBeNull();
  });

  it('dry run reports a blocked publish without taking the lock', async () => {
    const repo = publishRepo();
    await seeded(repo, 'alpha');
    const workspace = workspaceFor(repo, 'alpha');
    writeFileSync(path.join(workspace, 'extra.md'), 'abc');
    const result = await publish(await request(repo, 'alpha', workspace, { dryRun: true, baseSnapshotId: MISSING }));
    expect(result.status).toBe('blocked');
    expect(result.reason.startsWith('stale base snapshot: ')).toBe(true);
    expect(result.staleBase).toBe(true);
    expect(result.diff?.added).toEqual([{ path: 'extra.md', size: 3 }]);
    expect(existsSync(path.join(repo.liveRoot, '__transactions__'))).toBe(false);
  });

  it('fails with lock-timeout naming a live holder', async () => {
    const repo = publishRepo();
    const workspace = workspaceFor(repo, 'alpha', 'ws', false);
    await seedWorkspace(repo, workspace, 'alpha');
    const holder = await holdPublishLock(repo.liveRoot);
    try {
      const error = await publish(await request(repo, 'alpha', workspace, { lockTimeoutMs: 300 })).then(
        () => null,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(CairnError);
      const cairn = error as CairnError;
      expect(cairn.code).toBe('lock-timeout');
      expect(cairn.exitCode).toBe(3);
      const lockDir = path.join(repo.liveRoot, '__transactions__', '.lock');
      expect(cairn.message).toMatch(
        new RegExp(
          `^Timed out after 300 ms waiting for the publish lock ${lockDir}; it is held by pid ${holder.pid} on host ${os.hostname()} ` +
            `\\(operation test\\.hold, since \\d{4}-\\d\\d-\\d\\dT[^,]+, lock id ${holder.lockId}, last heartbeat \\d+\\.\\d s ago\\)$`,
        ),
      );
      expect(existsSync(path.join(repo.liveRoot, 'alpha'))).toBe(false);
    } finally {
      await holder.release();
    }
    expect(existsSync(path.join(repo.liveRoot, '__transactions__'))).toBe(false);
  });
});

describe('dirty check', () => {
  it('blocks uncommitted and ignored files in the live migration, with their paths', async () => {
    const repo = publishRepo({ git: true });
    await seeded(repo, 'alpha');
    writeFileSync(path.join(repo.repoRoot, '.gitignore'), '*.log\n');
    commitAll(repo.repoRoot, 'alpha');
    writeFileSync(path.join(repo.liveRoot, 'alpha', 'notes.md'), 'hand edit\n');
    writeFileSync(path.join(repo.liveRoot, 'alpha', 'debug.log'), 'ignored\n');
    const workspace = workspaceFor(repo, 'alpha');
    await acceptNext(repo, workspace, 'alpha', 'x\n');
    const liveId = await snapshotId(path.join(repo.liveRoot, 'alpha'));
    const result = await publish(await request(repo, 'alpha', workspace));
    expect(result.status).toBe('blocked');
    expect(result.reason).toBe("dirty live migration directory: its uncommitted changes are not cairn's last publish; commit them, or inspect them with cairn doctor");
    expect(result.staleBase).toBe(false);
    expect(result.dirtyPaths).toEqual(['migrations/alpha/notes.md', 'migrations/alpha/debug.log']);
    expect(publishErrorMessage(result)).toBe(
      `${result.reason}\ndirty paths:\n- migrations/alpha/notes.md\n- migrations/alpha/debug.log\nlock=${result.lockPath}`,
    );
    expect(await snapshotId(path.join(repo.liveRoot, 'alpha'))).toBe(liveId);
    expect(existsSync(path.join(repo.liveRoot, '__transactions__'))).toBe(false);
  });

  it('accepts an uncommitted tree that is exactly what cairn last published', async () => {
    const repo = publishRepo({ git: true });
    const recorder = new MemoryRecorder();
    await seeded(repo, 'alpha', recorder);
    const next = workspaceFor(repo, 'alpha');
    await acceptNext(repo, next, 'alpha', 'approaches\n');
    // Without the store and without the published-snapshot record, nothing says the tree is cairn's.
    rmSync(publishedRecordPath(repo.repoRoot, 'alpha'));
    expect((await publish(await request(repo, 'alpha', next))).status).toBe('blocked');
    const accepted = await publish(await request(repo, 'alpha', next, { recorder }));
    expect(accepted.status).toBe('published');
    writeFileSync(path.join(repo.liveRoot, 'alpha', 'plan.md'), 'hand edit\n');
    const third = workspaceFor(repo, 'alpha', 'third');
    await acceptNext(repo, third, 'alpha', 'pick\n');
    const blocked = await publish(await request(repo, 'alpha', third, { recorder }));
    expect(blocked.status).toBe('blocked');
    expect(blocked.dirtyPaths).toEqual(['migrations/alpha/']);
  });

  it('with the store failing, the published-snapshot record alone accepts what cairn last published', async () => {
    const repo = publishRepo({ git: true });
    const failing: PublishRecorder = {
      lastPublishedSnapshot: () => {
        throw new Error('database is locked');
      },
      recordPublished: () => {
        throw new Error('database is locked');
      },
      recordEvent: () => {
        throw new Error('database is locked');
      },
    };
    const workspace = workspaceFor(repo, 'alpha', 'seed', false);
    await seedWorkspace(repo, workspace, 'alpha');
    const seed = await publish(await request(repo, 'alpha', workspace, { recorder: failing }));
    expect(seed.status).toBe('published');
    expect(seed.cleanupError).toContain('could not record in the store: database is locked');
    expect(readFileSync(publishedRecordPath(repo.repoRoot, 'alpha'), 'utf8')).toBe(
      encodePublishedRecord({ liveDir: 'migrations/alpha', snapshotId: seed.snapshotId as string }),
    );
    const next = workspaceFor(repo, 'alpha');
    await acceptNext(repo, next, 'alpha', 'approaches\n');
    const second = await publish(await request(repo, 'alpha', next, { recorder: failing }));
    expect(second.status).toBe('published');
    expect(second.dirtyPaths).toEqual([]);
    writeFileSync(path.join(repo.liveRoot, 'alpha', 'plan.md'), 'hand edit\n');
    const third = workspaceFor(repo, 'alpha', 'third');
    await acceptNext(repo, third, 'alpha', 'pick\n');
    const blocked = await publish(await request(repo, 'alpha', third));
    expect(blocked.status).toBe('blocked');
    expect(blocked.dirtyPaths).toEqual(['migrations/alpha/']);
  });

  it('runs no git when the store vouches for the live tree, and git when it does not', async () => {
    const repo = publishRepo({ git: true });
    const recorder = new MemoryRecorder();
    await seeded(repo, 'alpha', recorder);
    const next = workspaceFor(repo, 'alpha');
    await acceptNext(repo, next, 'alpha', 'approaches\n');
    const nextRequest = await request(repo, 'alpha', next, { recorder });
    const withoutGit = async <T>(action: () => Promise<T>): Promise<T> => {
      const savedPath = process.env.PATH;
      process.env.PATH = path.join(repo.repoRoot, 'no-git-here');
      try {
        return await action();
      } finally {
        process.env.PATH = savedPath;
      }
    };
    const accepted = await withoutGit(() => publish(nextRequest));
    expect(accepted.reason).toBe('published');
    expect(accepted.dirtyPaths).toEqual([]);
    const third = workspaceFor(repo, 'alpha', 'third');
    await acceptNext(repo, third, 'alpha', 'pick\n');
    // Without the store's word the check needs git, which cannot run there.
    const unvouched = await request(repo, 'alpha', third);
    await expect(withoutGit(() => publish(unvouched))).rejects.toThrow(/^Could not inspect live migration git status: git could not be run/);
    expect((await publish(await request(repo, 'alpha', third, { recorder }))).reason).toBe('published');
  });

  it('outside git only the snapshot check applies', async () => {
    const repo = publishRepo();
    await seeded(repo, 'alpha');
    const workspace = workspaceFor(repo, 'alpha');
    await acceptNext(repo, workspace, 'alpha', 'x\n');
    const result = await publish(await request(repo, 'alpha', workspace));
    expect(result.status).toBe('published');
    expect(result.dirtyPaths).toEqual([]);
  });
});
