import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GIT_ENV } from './git.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = path.join(REPO_ROOT, 'bin', 'cairn.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the built CLI as a child process, the way a user does. */
export function runCli(args: string[], options: { cwd: string; env?: Record<string, string>; input?: string }): CliResult {
  const env: Record<string, string | undefined> = { ...process.env, ...GIT_ENV, NO_COLOR: '1', ...options.env };
  delete env['FORCE_COLOR'];
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    env,
    encoding: 'utf8',
    input: options.input ?? '',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
