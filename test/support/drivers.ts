import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { expect } from 'vitest';
import { REPO_ROOT } from './cli.js';
import type { PublishRepo } from './publish-repo.js';

/*
 * Child processes that drive the built library (test/publish/helpers/*.mjs):
 * a publisher of one change and a holder of the publish lock.
 */

const DRIVERS = path.join(REPO_ROOT, 'test', 'publish', 'helpers');
const DRIVER = path.join(DRIVERS, 'publish-driver.mjs');
const HOLDER = path.join(DRIVERS, 'hold-lock.mjs');

/** How long one synchronous driver run may take before it is killed and the test fails. */
const DRIVER_TIMEOUT_MS = 120_000;

export interface DriverArgs {
  slug: string;
  change: 'new' | 'next';
  tag?: string;
  extraFiles?: number;
  lockTimeoutMs?: number;
  feedbackOnly?: boolean;
  baseSnapshotId?: string;
  waitForGo?: boolean;
  dryRun?: boolean;
  staleLimitMs?: number;
  /** Workspace parent; default `<workRoot>/<tag or slug>`. */
  workspaceRoot?: string;
}

export interface DriverOutput {
  status?: 'published' | 'blocked' | 'failed';
  reason?: string;
  snapshotId?: string | null;
  candidate: string;
  base: string;
  change: { kind: string; step?: string; ref?: string; text?: string };
  cleanupError?: string | null;
  transactionDir?: string | null;
  error?: { code: string | null; message: string };
}

export interface DriverRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: DriverOutput | null;
  stderr: string;
  workspace: string;
}

function driverJson(repo: PublishRepo, args: DriverArgs): { json: string; workspace: string } {
  const workspaceRoot = args.workspaceRoot ?? path.join(repo.workRoot, args.tag ?? args.slug);
  const json = JSON.stringify({ repoRoot: repo.repoRoot, liveRoot: repo.liveRoot, workspaceRoot, ...args });
  return { json, workspace: path.join(workspaceRoot, args.slug) };
}

function parseOutput(stdout: string): DriverOutput | null {
  const lines = stdout.split('\n').filter((line) => line.trim() !== '' && !line.includes('"ready"'));
  const last = lines[lines.length - 1];
  return last === undefined ? null : (JSON.parse(last) as DriverOutput);
}

/** Runs the publish driver to completion (or until it kills itself at a crash point). */
export function runDriver(repo: PublishRepo, args: DriverArgs, env: Record<string, string> = {}): DriverRun {
  const { json, workspace } = driverJson(repo, args);
  const result = spawnSync(process.execPath, [DRIVER, json], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: DRIVER_TIMEOUT_MS,
    killSignal: 'SIGKILL',
  });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT') {
    throw new Error(`publish driver ${json}: timed out after ${DRIVER_TIMEOUT_MS} ms, killed; stderr: ${result.stderr}`);
  }
  if (result.error) throw result.error;
  return { code: result.status, signal: result.signal, output: parseOutput(result.stdout), stderr: result.stderr, workspace };
}

/** Runs the driver concurrently; resolves when it exits. */
export function runDriverAsync(repo: PublishRepo, args: DriverArgs, env: Record<string, string> = {}): Promise<DriverRun> {
  const { json, workspace } = driverJson(repo, args);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DRIVER, json], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, output: parseOutput(stdout), stderr, workspace }));
    child.stdin.end();
  });
}

/**
 * Starts the driver with `waitForGo`, lets it publish once it is ready and
 * SIGKILLs it `delayMs` later (unless it exited first).
 */
export function runDriverAndKill(repo: PublishRepo, args: DriverArgs, delayMs: number): Promise<DriverRun & { killed: boolean }> {
  const { json, workspace } = driverJson(repo, { ...args, waitForGo: true });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DRIVER, json], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killed = false;
    let started = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (!started && stdout.includes('"ready"')) {
        started = true;
        child.stdin.write('go\n');
        setTimeout(() => {
          if (child.exitCode === null && child.signalCode === null) {
            killed = true;
            child.kill('SIGKILL');
          }
        }, delayMs);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, output: parseOutput(stdout), stderr, workspace, killed }));
  });
}

/** Creates migration `slug` through the driver, accepts `steps` steps, and returns its snapshot id. */
export function seedMigration(repo: PublishRepo, slug: string, steps = 0): string {
  const created = runDriver(repo, { slug, change: 'new', tag: `seed-${slug}` });
  if (created.output?.status !== 'published') throw new Error(`seeding ${slug} failed: ${JSON.stringify(created)}`);
  let id = created.output.snapshotId as string;
  for (let step = 0; step < steps; step += 1) {
    const next = runDriver(repo, { slug, change: 'next', tag: `seed-${slug}-${step}` });
    if (next.output?.status !== 'published') throw new Error(`seeding ${slug} step ${step} failed: ${JSON.stringify(next)}`);
    id = next.output.snapshotId as string;
  }
  return id;
}

export interface LockHolder {
  child: ChildProcessWithoutNullStreams;
  /** Every JSON line the holder printed so far. */
  lines: Record<string, unknown>[];
  /** The next line not yet returned; rejects when the holder exits without printing one. */
  next: () => Promise<Record<string, unknown>>;
  closed: Promise<number | null>;
}

/** Starts a holder of the publish lock; `args` as hold-lock.mjs reads them. */
export function startLockHolder(args: Record<string, unknown>): LockHolder {
  const child = spawn(process.execPath, [HOLDER, JSON.stringify(args)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  const waiters: { resolve: (line: Record<string, unknown>) => void; reject: (error: Error) => void }[] = [];
  let buffer = '';
  let stderr = '';
  let read = 0;
  let exit: Error | null = null;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = JSON.parse(buffer.slice(0, newline)) as Record<string, unknown>;
      buffer = buffer.slice(newline + 1);
      lines.push(line);
      waiters.shift()?.resolve(line);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const closed = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      exit = new Error(`lock holder exited with ${code}${stderr === '' ? '' : `: ${stderr}`}`);
      for (const waiter of waiters.splice(0)) waiter.reject(exit);
      resolve(code);
    }),
  );
  const next = (): Promise<Record<string, unknown>> => {
    if (read < lines.length) return Promise.resolve(lines[read++]!);
    if (exit !== null) return Promise.reject(exit);
    return new Promise((resolve, reject) => waiters.push({ resolve: (line) => ((read += 1), resolve(line)), reject }));
  };
  return { child, lines, next, closed };
}

export interface HeldLock {
  lockId: string;
  pid: number;
  /** Lets the holder release the lock and exit; resolves with its exit code. */
  release(): Promise<number | null>;
}

/** Takes the publish lock of `liveRoot` in another process (operation `test.hold`) and holds it until released. */
export async function holdPublishLock(liveRoot: string): Promise<HeldLock> {
  const holder = startLockHolder({ liveRoot, operation: 'test.hold' });
  const first = await holder.next();
  expect(typeof first['lockId']).toBe('string');
  return {
    lockId: first['lockId'] as string,
    pid: holder.child.pid as number,
    release: () => {
      holder.child.stdin.end();
      return holder.closed;
    },
  };
}
