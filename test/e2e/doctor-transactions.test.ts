import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, runCli } from '../support/cli.js';
import { git } from '../support/git.js';
import { cairnRepo } from '../support/repo.js';

describe('doctor and interrupted publishes', () => {
  it('reports a crashed publish as transaction-incomplete with the action recovery would take, and is clean after recover', () => {
    const { repo } = cairnRepo({ git: true, commit: 'init' });
    const crashed = runCli(['new', 'alpha', '--target', 'src/alpha.ts'], { cwd: repo, env: { CAIRN_TEST_CRASH_AT: 'staged-moved-to-live' } });
    expect(crashed.code).toBeNull();
    const doctor = runCli(['doctor', '--all', '--format', 'json'], { cwd: repo, env: { TZ: 'UTC' } });
    expect(doctor.code).toBe(1);
    const findings = JSON.parse(doctor.stdout).findings as { code: string; message: string; slug: string }[];
    expect(findings.map((finding) => finding.code).sort()).toEqual(['publish-lock-stale', 'transaction-incomplete']);
    const incomplete = findings.find((finding) => finding.code === 'transaction-incomplete');
    expect(incomplete?.slug).toBe('__transactions__');
    expect(incomplete?.message).toMatch(/^An interrupted publish of 'alpha' is pending recovery; recovery would roll it (back|forward): .+\.$/);

    const before = git(repo, ['status', '--porcelain', '--ignored']);
    runCli(['doctor', '--all'], { cwd: repo });
    expect(git(repo, ['status', '--porcelain', '--ignored'])).toBe(before);

    // The read commands show the half-published tree and say so.
    const warning = /^Warning: An interrupted publish of alpha is pending; recovery would (roll it back|finish it), so what is shown may change\. Run `cairn recover`\.\n$/;
    const status = runCli(['status', 'alpha'], { cwd: repo });
    expect([status.code, status.stderr]).toEqual([0, expect.stringMatching(warning)]);
    const list = runCli(['list', '--format', 'json'], { cwd: repo });
    expect([list.code, list.stderr]).toEqual([0, expect.stringMatching(warning)]);

    expect(runCli(['recover'], { cwd: repo }).code).toBe(0);
    expect(runCli(['list'], { cwd: repo }).stderr).toBe('');
    const after = runCli(['doctor', '--all'], { cwd: repo });
    expect(after.stdout + after.stderr).not.toContain('transaction-incomplete');
    expect(after.code).toBe(0);
  });

  it('ends quietly when the reader closes the pipe early', async () => {
    const { repo } = cairnRepo({ git: true, commit: 'init' });
    for (const slug of ['a1', 'a2', 'a3']) expect(runCli(['new', slug, '--target', slug], { cwd: repo }).code).toBe(0);
    const child = spawn(process.execPath, [CLI, 'list', '--format', 'tsv'], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdout.destroy();
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(stderr).not.toContain('EPIPE');
    expect(code).toBe(0);
    void path;
  });
});
