import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { git } from '../support/git.js';
import { EXEC_AGENT, runRepo } from '../support/run-repo.js';

describe('cairn run (smoke)', () => {
  it('executes the current phase and fast-forwards main', () => {
    const r = runRepo();
    const result = r.cairn(['run', r.slug, ...EXEC_AGENT]);
    expect(result.stderr).toContain('Checking the baseline');
    expect(result.code).toBe(0);
    expect(git(r.repo, ['log', '-1', '--format=%s']).trim()).toBe(`cairn: migration/${r.slug}/phase-1-docs-and-cleanup.md`);
    expect(readFileSync(path.join(r.repo, 'src', 'app.txt'), 'utf8')).toBe('app v1\nchange 1 for docs-and-cleanup\n');
    expect(git(r.repo, ['status', '--porcelain'])).toBe('');
  });
});

describe('cairn run and what the validation command leaves behind', () => {
  it('keeps files the validation command writes out of the ready-check, the lane checks and the phase commit', () => {
    const r = runRepo();
    const result = r.cairn(['run', r.slug, '--agent', 'command', '--agent-cmd', 'exec-agent', '--validate', 'sh check.sh > report.txt']);
    expect(result.code).toBe(0);
    expect(git(r.repo, ['show', '--name-only', '--format=', 'HEAD']).trim().split('\n')).toEqual(['migrations/' + r.slug + '/manifest.json', 'src/app.txt']);
  });
});
