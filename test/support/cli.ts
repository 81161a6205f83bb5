import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GIT_ENV } from './git.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = path.join(REPO_ROOT, 'bin', 'cairn.js');

/**
 * How long one CLI run may take before it is killed. Far above what a
 * healthy run needs on a loaded machine; it only turns a stalled child into
 * one failed test instead of a suite that never ends.
 */
export const CLI_TIMEOUT_MS = 120_000;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  signal: NodeJS.Signals | null;
  /** Killed after `timeoutMs`; stderr ends with a line saying so. */
  timedOut: boolean;
}

export interface CliOptions {
  cwd: string;
  env?: Record<string, string>;
  input?: string;
  timeoutMs?: number;
}

/** The environment a test runs cairn in: git identity, no colour, then `extra`. */
export function cliEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && key !== 'FORCE_COLOR') env[key] = value;
  return { ...env, ...GIT_ENV, NO_COLOR: '1', ...extra };
}

/** Run the built CLI as a child process, the way a user does. */
export function runCli(args: string[], options: CliOptions): CliResult {
  const timeoutMs = options.timeoutMs ?? CLI_TIMEOUT_MS;
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    env: cliEnv(options.env),
    encoding: 'utf8',
    input: options.input ?? '',
    maxBuffer: 256 * 1024 * 1024,
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
  });
  const timedOut = (result.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
  if (result.error && !timedOut) throw result.error;
  const stderr = timedOut ? `${result.stderr}\nrunCli: \`cairn ${args.join(' ')}\` timed out after ${timeoutMs} ms and was killed\n` : result.stderr;
  return { code: result.status, stdout: result.stdout, stderr, signal: result.signal, timedOut };
}
