import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { commitAll, initGitRepo } from '../../helpers/git.js';
import { tempDir } from '../../helpers/tmp.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const DRIVER = path.join(HERE, 'publish-driver.mjs');
export const HOLDER = path.join(HERE, 'hold-lock.mjs');

export interface TestRepo {
  repoRoot: string;
  liveRoot: string;
  /** Outside the live root: where drivers build their workspaces. */
  workRoot: string;
}

/** A repository with `.planning/config.json` (migrations in `migrations/`), optionally a git repo. */
export function makeRepo(options: { git?: boolean; root?: string } = {}): TestRepo {
  const repoRoot = options.root ?? tempDir('cairn-publish-');
  mkdirSync(repoRoot, { recursive: true });
  if (options.git === true) initGitRepo(repoRoot);
  mkdirSync(path.join(repoRoot, '.planning'), { recursive: true });
  writeFileSync(path.join(repoRoot, '.planning', 'config.json'), '{\n  "migrations_dir": "migrations"\n}\n');
  writeFileSync(path.join(repoRoot, '.planning', '.gitignore'), 'cairn.db\nwork/\n');
  mkdirSync(path.join(repoRoot, 'migrations'));
  if (options.git === true) commitAll(repoRoot, 'init');
  return { repoRoot, liveRoot: path.join(repoRoot, 'migrations'), workRoot: path.join(repoRoot, '.planning', 'work') };
}

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

function driverJson(repo: TestRepo, args: DriverArgs): { json: string; workspace: string } {
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
export function runDriver(repo: TestRepo, args: DriverArgs, env: Record<string, string> = {}): DriverRun {
  const { json, workspace } = driverJson(repo, args);
  const result = spawnSync(process.execPath, [DRIVER, json], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  if (result.error) throw result.error;
  return { code: result.status, signal: result.signal, output: parseOutput(result.stdout), stderr: result.stderr, workspace };
}

/** Runs the driver concurrently; resolves when it exits. */
export function runDriverAsync(repo: TestRepo, args: DriverArgs, env: Record<string, string> = {}): Promise<DriverRun> {
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
export function runDriverAndKill(repo: TestRepo, args: DriverArgs, delayMs: number): Promise<DriverRun & { killed: boolean }> {
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

/** The entries of `<live>/__transactions__`, or null when it does not exist. */
export function transactionsEntries(liveRoot: string): string[] | null {
  const root = path.join(liveRoot, '__transactions__');
  return existsSync(root) ? readdirSync(root).sort() : null;
}

/** Creates migration `slug` through the driver and returns its snapshot id. */
export function seedMigration(repo: TestRepo, slug: string, steps = 0): string {
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

export { commitAll };
