import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { cairnRepo, newMigration } from '../support/repo.js';
import { tempDir } from '../support/tmp.js';

describe('--repo', () => {
  it('may name a directory inside the project: cairn walks up from it, as from the working directory', () => {
    const { repo } = cairnRepo({ git: true });
    newMigration(repo, 'alpha', 'split the monolith');
    const sub = path.join(repo, 'src', 'deep');
    mkdirSync(sub, { recursive: true });
    const elsewhere = tempDir('cairn-elsewhere-');
    const listed = runCli(['--repo', sub, 'list', '--format', 'tsv', '--no-headers'], { cwd: elsewhere });
    expect(listed.code).toBe(0);
    expect(listed.stdout.split('\t').slice(0, 3)).toEqual(['alpha', 'planning', 'planning:approaches']);
  });

  it('outside any project still says there is none', () => {
    const outside = tempDir('cairn-no-project-');
    const result = runCli(['--repo', outside, 'list'], { cwd: outside });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`No cairn project in ${outside}: .planning/config.json is missing.`);
  });
});
