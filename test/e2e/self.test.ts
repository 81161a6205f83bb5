import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../support/cli.js';

describe("cairn's own migrations", () => {
  it('are listed and pass doctor', () => {
    const list = runCli(['list', '--format', 'tsv', '--no-headers', '--no-index'], { cwd: REPO_ROOT });
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('lazy-command-loading\tplanning\tplanning:');
    const doctor = runCli(['doctor', '--all', '--format', 'tsv'], { cwd: REPO_ROOT });
    expect(doctor.stdout).toBe('');
    expect(doctor.code).toBe(0);
  });
});
