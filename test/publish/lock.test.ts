import { existsSync, mkdirSync, readFileSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CairnError } from '../../src/util/errors.js';
import { acquirePublishLock } from '../../src/publish/lock.js';
import { lockWaitMessage } from '../../src/publish/lock-wait.js';
import { MemoryRecorder } from '../../src/publish/recorder.js';
import { unlockPublishLock } from '../../src/publish/unlock.js';
import { startLockHolder } from '../support/drivers.js';
import { deadPid } from '../support/process.js';
import { tempDir } from '../support/tmp.js';

function liveRoot(): string {
  const root = path.join(tempDir('cairn-lock-'), 'migrations');
  mkdirSync(root);
  return root;
}

const lockDirOf = (root: string) => path.join(root, '__transactions__', '.lock');

function writeOwner(root: string, owner: Record<string, unknown>, ageMs: number): void {
  const lockDir = lockDirOf(root);
  mkdirSync(lockDir, { recursive: true });
  writeFileSync(path.join(lockDir, 'owner.json'), `${JSON.stringify(owner, Object.keys(owner).sort(), 2)}\n`);
  const when = new Date(Date.now() - ageMs);
  utimesSync(lockDir, when, when);
}

describe('publish lock', () => {
  it('tells onWait once, naming the holder, when it has to wait more than a second', async () => {
    const root = liveRoot();
    const held = await acquirePublishLock(root, { operation: 'migration.new', timeoutMs: 1000 });
    const told: string[] = [];
    await expect(acquirePublishLock(root, { operation: 'test', timeoutMs: 2500, onWait: (holder) => told.push(lockWaitMessage(holder)) })).rejects.toMatchObject({
      code: 'lock-timeout',
    });
    expect(told).toEqual([`Waiting for the publish lock held by pid ${process.pid} (migration.new)…`]);
    await held.release();
  });

  it('writes owner.json with the original keys plus lock_id, hostname and tool, and removes everything on release', async () => {
    const root = liveRoot();
    const lock = await acquirePublishLock(root, { operation: 'migration.new', timeoutMs: 1000 });
    const text = readFileSync(path.join(lockDirOf(root), 'owner.json'), 'utf8');
    const owner = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(owner)).toEqual(['created_at', 'hostname', 'lock_id', 'operation', 'pid', 'tool']);
    expect(text).toBe(
      `{\n  "created_at": "${owner['created_at'] as string}",\n  "hostname": "${os.hostname()}",\n  "lock_id": "${lock.lockId}",\n` +
        `  "operation": "migration.new",\n  "pid": ${process.pid},\n  "tool": "cairn 0.1.0"\n}\n`,
    );
    expect(lock.lockId).toMatch(/^[0-9a-f-]{36}$/);
    await lock.assertHeld();
    await lock.release();
    await lock.release();
    expect(existsSync(path.join(root, '__transactions__'))).toBe(false);
  });

  it('keeps the heartbeat going across owner.json and never reports itself compromised', async () => {
    const root = liveRoot();
    const lock = await acquirePublishLock(root, { operation: 'test', timeoutMs: 1000 });
    const before = statSync(lockDirOf(root)).mtimeMs;
    await new Promise((resolve) => setTimeout(resolve, 3200));
    expect(statSync(lockDirOf(root)).mtimeMs).toBeGreaterThan(before);
    expect(lock.compromised()).toBeNull();
    await lock.assertHeld();
    await lock.release();
  });

  it('reports a lock moved away by someone else as lost, without crashing', async () => {
    const root = liveRoot();
    const lock = await acquirePublishLock(root, { operation: 'test', timeoutMs: 1000 });
    renameSync(lockDirOf(root), path.join(root, '__transactions__', 'elsewhere'));
    await expect(lock.assertHeld()).rejects.toThrow(
      `The publish lock ${lockDirOf(root)} was lost: the lock directory was removed or replaced by another process`,
    );
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(lock.compromised()?.message).toMatch(/ENOENT/);
    await expect(lock.release()).rejects.toThrow(`Could not release publish lock ${lockDirOf(root)}: it is no longer held by this process`);
  });

  it('reclaims the lock of a dead holder on this host at once and records it', async () => {
    const root = liveRoot();
    const holder = startLockHolder({ liveRoot: root, operation: 'test.dead' });
    const acquired = await holder.next();
    holder.child.kill('SIGKILL');
    await holder.closed;
    const recorder = new MemoryRecorder();
    const started = Date.now();
    const lock = await acquirePublishLock(root, { operation: 'test.after', timeoutMs: 5000, recorder });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(lock.reclaimed).toHaveLength(1);
    expect(lock.reclaimed[0]?.reason).toBe(`holder pid ${holder.child.pid} is no longer running on this host`);
    expect(lock.reclaimed[0]?.owner?.lock_id).toBe(acquired['lockId']);
    expect(recorder.events.map((event) => event.kind)).toEqual(['lock.reclaimed']);
    expect(recorder.events[0]?.details['reason']).toBe(`holder pid ${holder.child.pid} is no longer running on this host`);
    await lock.release();
    expect(existsSync(path.join(root, '__transactions__'))).toBe(false);
  });

  it('never robs a live holder, and its lock stays intact', async () => {
    const root = liveRoot();
    const holder = startLockHolder({ liveRoot: root, operation: 'test.live' });
    const acquired = await holder.next();
    const error = await acquirePublishLock(root, { operation: 'test.waiter', timeoutMs: 1200 }).then(
      () => null,
      (caught: unknown) => caught,
    );
    expect((error as CairnError).code).toBe('lock-timeout');
    expect((error as CairnError).message).toContain(`held by pid ${holder.child.pid} on host ${os.hostname()} (operation test.live`);
    expect((error as CairnError).message).toContain(`lock id ${acquired['lockId'] as string}`);
    const owner = JSON.parse(readFileSync(path.join(lockDirOf(root), 'owner.json'), 'utf8')) as Record<string, unknown>;
    expect(owner['lock_id']).toBe(acquired['lockId']);
    holder.child.stdin.end();
    expect(await holder.next()).toHaveProperty('released');
    expect(await holder.closed).toBe(0);
  });

  it('lets exactly one of several racing reclaimers win a stale lock, and holders never overlap', async () => {
    for (let round = 0; round < 3; round += 1) {
      const root = liveRoot();
      writeOwner(
        root,
        { created_at: '2026-01-01T00:00:00.000+00:00', hostname: os.hostname(), lock_id: 'stale-lock', operation: 'test', pid: deadPid(), tool: 'cairn 0.1.0' },
        0,
      );
      const startAt = Date.now() + 700;
      const holders = Array.from({ length: 6 }, () => startLockHolder({ liveRoot: root, startAt, holdMs: 60, timeoutMs: 20000 }));
      const results = await Promise.all(
        holders.map(async (holder) => {
          const acquired = await holder.next();
          const released = await holder.next();
          expect(await holder.closed).toBe(0);
          return {
            acquired: acquired['acquired'] as number,
            released: released['released'] as number,
            reclaims: acquired['reclaims'] as { lockId: string | null; reason: string }[],
          };
        }),
      );
      expect(results.flatMap((result) => result.reclaims)).toEqual([
        { lockId: 'stale-lock', reason: expect.stringMatching(/^holder pid \d+ is no longer running on this host$/) as unknown as string },
      ]);
      const sorted = [...results].sort((a, b) => a.acquired - b.acquired);
      for (let i = 1; i < sorted.length; i += 1) expect(sorted[i]!.acquired).toBeGreaterThanOrEqual(sorted[i - 1]!.released);
      expect(existsSync(path.join(root, '__transactions__'))).toBe(false);
    }
  });

  it('does not reclaim a lock of the original tool while its heartbeat is fresh, and does once it is stale', async () => {
    const root = liveRoot();
    const original = { created_at: '2026-05-22T18:20:05.166-07:00', operation: 'planning.final-review', pid: deadPid() };
    writeOwner(root, original, 0);
    const error = await acquirePublishLock(root, { operation: 'test', timeoutMs: 400 }).then(
      () => null,
      (caught: unknown) => caught,
    );
    expect((error as CairnError).code).toBe('lock-timeout');
    expect((error as CairnError).message).toMatch(
      new RegExp(
        `it is held by pid ${original.pid} \\(operation planning\\.final-review, since 2026-05-22T18:20:05\\.166-07:00, ` +
          `no lock id: written by continuous-refactoring, last heartbeat \\d\\.\\d s ago\\)$`,
      ),
    );
    const old = new Date(Date.now() - 20_000);
    utimesSync(lockDirOf(root), old, old);
    const lock = await acquirePublishLock(root, { operation: 'test', timeoutMs: 400 });
    expect(lock.reclaimed[0]?.reason).toMatch(/^heartbeat is 20\.\d s old \(stale after 10\.0 s\)$/);
    expect(lock.reclaimed[0]?.owner?.pid).toBe(original.pid);
    await lock.release();
  });
});

describe('unlock', () => {
  it('requires the matching lock id and refuses a live holder without --force', async () => {
    const root = liveRoot();
    await expect(unlockPublishLock(root, 'x')).rejects.toThrow(`No publish lock is present at ${lockDirOf(root)}.`);
    const holder = startLockHolder({ liveRoot: root, operation: 'test.live' });
    const acquired = await holder.next();
    const lockId = acquired['lockId'] as string;
    await expect(unlockPublishLock(root, 'wrong')).rejects.toThrow(
      `Lock id 'wrong' does not match the publish lock at ${lockDirOf(root)}: it has lock id ${lockId}.`,
    );
    const refused = await unlockPublishLock(root, lockId).then(
      () => null,
      (caught: unknown) => caught as CairnError,
    );
    expect(refused?.code).toBe('blocked');
    expect(refused?.message).toContain(`The publish lock ${lockId} is held by a process that still looks alive: pid ${holder.child.pid}`);
    const recorder = new MemoryRecorder();
    const forced = await unlockPublishLock(root, lockId, { force: true, recorder });
    expect(forced.holderAlive).toBe(true);
    expect(existsSync(path.join(root, '__transactions__'))).toBe(false);
    expect(recorder.events.map((event) => [event.kind, event.details['lock_id'], event.details['forced']])).toEqual([['unlock', lockId, true]]);
    holder.child.kill('SIGKILL');
    await holder.closed;
  });

  it('removes the lock of a dead holder, and an original-format lock by its pid', async () => {
    const root = liveRoot();
    const pid = deadPid();
    writeOwner(root, { created_at: 'x', hostname: os.hostname(), lock_id: 'abc', operation: 'test', pid, tool: 'cairn 0.1.0' }, 0);
    expect((await unlockPublishLock(root, 'abc')).holderAlive).toBe(false);
    writeOwner(root, { created_at: 'x', operation: 'planning.expand', pid }, 0);
    await expect(unlockPublishLock(root, 'abc')).rejects.toThrow(
      `it was written by continuous-refactoring and has no lock id; pass its pid (${pid}) instead.`,
    );
    const forced = await unlockPublishLock(root, String(pid), { force: true });
    expect(forced.owner?.operation).toBe('planning.expand');
    expect(existsSync(lockDirOf(root))).toBe(false);
  });
});
