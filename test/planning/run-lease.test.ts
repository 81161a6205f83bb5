import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireRunLease, describeRunLease, noteRunActivity, readRunLease, runLeasePath, withRunLease } from '../../src/planning/run-lease.js';
import { tempDir } from '../support/tmp.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

function liveProcess(): number {
  const child = spawn('sleep', ['300'], { stdio: 'ignore' });
  children.push(child);
  return child.pid as number;
}

/** The pid of a process that has exited and been reaped. */
function deadPid(): number {
  return Number(spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim());
}

/** A lease file as another cairn would leave it. */
function plantLease(repo: string, slug: string, fields: Record<string, unknown>, ageMs = 0): string {
  const file = runLeasePath(repo, slug);
  mkdirSync(path.dirname(file), { recursive: true });
  const record = {
    boot_id: null,
    created_at: '2026-12-06T12:03:01.000+00:00',
    hostname: os.hostname(),
    lock_id: 'other-lease',
    operation: 'plan',
    phase: null,
    pid: 1,
    slug,
    start_time: null,
    step: 'expand',
    tool: 'cairn 0.0.0',
    ...fields,
  };
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  if (ageMs > 0) {
    const then = new Date(Date.now() - ageMs);
    utimesSync(file, then, then);
  }
  return file;
}

function leaseJson(repo: string, slug: string): Record<string, unknown> {
  return JSON.parse(readFileSync(runLeasePath(repo, slug), 'utf8')) as Record<string, unknown>;
}

describe('the run lease', () => {
  it('records its holder, step and phase, and leaves nothing once released', async () => {
    const repo = tempDir('cairn-lease-');
    const lease = await acquireRunLease(repo, 'alpha', { operation: 'plan' });
    expect(lease.path).toBe(path.join(repo, '.planning', 'work', '.leases', 'alpha.json'));
    const record = leaseJson(repo, 'alpha');
    expect(Object.keys(record)).toEqual(['boot_id', 'created_at', 'hostname', 'lock_id', 'operation', 'phase', 'pid', 'slug', 'start_time', 'step', 'tool']);
    expect(record).toMatchObject({ hostname: os.hostname(), operation: 'plan', phase: null, pid: process.pid, slug: 'alpha', step: null });
    await noteRunActivity(repo, 'alpha', { step: 'expand' });
    expect(leaseJson(repo, 'alpha')).toMatchObject({ step: 'expand', lock_id: record['lock_id'], created_at: record['created_at'] });
    await lease.release();
    expect(existsSync(path.join(repo, '.planning', 'work', '.leases'))).toBe(false);
    await lease.release();
  });

  it('shares one lease between nested holders of one process (plan --until, then each step)', async () => {
    const repo = tempDir('cairn-lease-');
    await withRunLease(repo, 'alpha', { operation: 'plan' }, async () => {
      await withRunLease(repo, 'alpha', { operation: 'plan', step: 'approaches' }, async () => {
        expect(leaseJson(repo, 'alpha')['step']).toBe('approaches');
      });
      // The inner release leaves the outer lease in place.
      expect(leaseJson(repo, 'alpha')['pid']).toBe(process.pid);
    });
    expect(existsSync(runLeasePath(repo, 'alpha'))).toBe(false);
  });

  it('is released when the work throws', async () => {
    const repo = tempDir('cairn-lease-');
    await expect(withRunLease(repo, 'alpha', { operation: 'refine' }, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(existsSync(runLeasePath(repo, 'alpha'))).toBe(false);
  });

  it('refuses while a live process on this host holds it, naming it, and touches nothing', async () => {
    const repo = tempDir('cairn-lease-');
    const pid = liveProcess();
    const file = plantLease(repo, 'alpha', { pid, operation: 'run', step: null, phase: 'add-api' });
    const before = readFileSync(file, 'utf8');
    const error = await acquireRunLease(repo, 'alpha', { operation: 'plan' }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: 'blocked',
      exitCode: 1,
      message: `alpha is being run by pid ${pid} since 2026-12-06 12:03 (phase add-api); nothing was started.`,
    });
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('names another host, and says "since HH:MM" for a lease taken today', async () => {
    const repo = tempDir('cairn-lease-');
    const today = new Date();
    const stamp = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}T09:41:00.000+00:00`;
    plantLease(repo, 'alpha', { pid: 77, hostname: 'elsewhere.invalid', created_at: stamp, operation: 'review', step: 'revise' });
    const holder = await readRunLease(repo, 'alpha');
    expect(holder?.staleness.stale).toBe(false);
    expect(describeRunLease('alpha', holder!, today)).toBe('alpha is being revised after a review by pid 77 on host elsewhere.invalid since 09:41 (step revise)');
  });

  it('takes over a lease whose holder is gone, or whose heartbeat stopped', async () => {
    const repo = tempDir('cairn-lease-');
    plantLease(repo, 'alpha', { pid: deadPid() });
    expect((await readRunLease(repo, 'alpha'))?.staleness.cause).toBe('holder-gone');
    const lease = await acquireRunLease(repo, 'alpha', { operation: 'plan' });
    expect(leaseJson(repo, 'alpha')['pid']).toBe(process.pid);
    await lease.release();

    // A live pid (reused, or on a host that stopped) with a heartbeat a minute old.
    plantLease(repo, 'beta', { pid: liveProcess(), hostname: 'elsewhere.invalid' }, 60_000);
    expect((await readRunLease(repo, 'beta'))?.staleness.cause).toBe('heartbeat');
    const taken = await acquireRunLease(repo, 'beta', { operation: 'run' });
    expect(leaseJson(repo, 'beta')).toMatchObject({ pid: process.pid, operation: 'run' });
    await taken.release();
  });

  it('refuses a lease path that leads out of the repository', async () => {
    const repo = tempDir('cairn-lease-');
    const outside = tempDir('cairn-lease-outside-');
    mkdirSync(path.join(repo, '.planning'), { recursive: true });
    spawnSync('ln', ['-s', outside, path.join(repo, '.planning', 'work')]);
    await expect(acquireRunLease(repo, 'alpha', { operation: 'plan' })).rejects.toMatchObject({ code: 'unsafe-path' });
    expect(existsSync(path.join(outside, '.leases'))).toBe(false);
  });
});
