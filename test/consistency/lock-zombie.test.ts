import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { transactionFindings } from '../../src/consistency/index.js';
import { acquirePublishLock, isProcessAlive, judgeStaleness, readLockHolder, unlockPublishLock } from '../../src/publish/index.js';
import { cairnRepo } from '../support/repo.js';

/*
 * Doctor, publish and unlock judge the same lock the same way: a holder that
 * exited but was never reaped by its parent (a zombie) still answers
 * signal 0, yet is gone for good, so the lock is stale for all three.
 */

let parent: ChildProcess | null = null;

afterEach(async () => {
  if (parent !== null && parent.exitCode === null && parent.signalCode === null) {
    const exited = once(parent, 'exit');
    parent.kill();
    await exited;
  }
  parent = null;
});

function processState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

/** A process that has exited and stays unreaped: its parent is `sleep`, which never waits for children. */
async function zombiePid(): Promise<number> {
  parent = spawn('sh', ['-c', 'sleep 0.1 & echo $!; exec sleep 60'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const [chunk] = (await once(parent.stdout!, 'data')) as [Buffer];
  const pid = Number(chunk.toString('utf8').trim());
  while (processState(pid) !== 'Z') await new Promise((resolve) => setTimeout(resolve, 20));
  return pid;
}

describe.runIf(process.platform === 'linux')('a publish lock held by a zombie', () => {
  it('is stale for doctor, publish and unlock alike', async () => {
    const t = cairnRepo();
    const pid = await zombiePid();
    // The zombie still exists as far as signal 0 can tell; only its state says it is gone.
    expect(() => process.kill(pid, 0)).not.toThrow();
    expect(isProcessAlive(pid)).toBe(false);

    const lockDir = path.join(t.live, '__transactions__', '.lock');
    mkdirSync(lockDir, { recursive: true });
    const owner = { created_at: '2026-05-23T01:20:00.000+00:00', hostname: os.hostname(), lock_id: 'L-Z', operation: 'planning.expand', pid };
    writeFileSync(path.join(lockDir, 'owner.json'), JSON.stringify(owner));

    const [finding] = await transactionFindings(t.live);
    expect([finding?.severity, finding?.code, finding?.message]).toEqual([
      'error',
      'publish-lock-stale',
      `Planning publish lock L-Z is stale: held by pid ${pid} on ${os.hostname()} (operation planning.expand) since 2026-05-23T01:20:00.000+00:00; process ${pid} is no longer running.`,
    ]);

    const holder = await readLockHolder(lockDir);
    expect(holder === null ? null : judgeStaleness(holder)).toEqual({
      stale: true,
      cause: 'holder-gone',
      reason: `holder pid ${pid} is no longer running on this host`,
    });
    const unlock = await unlockPublishLock(t.live, 'L-Z', { dryRun: true });
    expect([unlock.holderAlive, unlock.removed]).toEqual([false, false]);

    const lock = await acquirePublishLock(t.live, { operation: 'test.zombie', timeoutMs: 0 });
    try {
      expect(lock.reclaimed.map((claim) => [claim.owner?.lock_id, claim.reason])).toEqual([
        ['L-Z', `holder pid ${pid} is no longer running on this host`],
      ]);
    } finally {
      await lock.release();
    }
  });
});
