import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { committedWorkFindings } from '../../src/consistency/work-rules.js';
import { git, gitRepo } from '../support/git.js';
import { tempDir } from '../support/tmp.js';

function writeRun(repo: string, file: string): void {
  const target = path.join(repo, '.planning', 'work', 'alpha', 'run-1', file);
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, '{}\n');
}

describe('work-content-committed', () => {
  it('names the files git tracks under .planning/work/, and nothing untracked', () => {
    const repo = gitRepo();
    writeRun(repo, 'run.json');
    writeRun(repo, 'alpha/manifest.json');
    expect(committedWorkFindings(repo)).toEqual([]);
    git(repo, ['add', '-f', '.planning/work/alpha/run-1/run.json', '.planning/work/alpha/run-1/alpha/manifest.json']);
    expect(committedWorkFindings(repo)).toEqual([
      {
        severity: 'error',
        mode: 'doctor',
        code: 'work-content-committed',
        slug: '.planning',
        path: path.join(repo, '.planning', 'work'),
        message:
          'git tracks 2 files under .planning/work/, which cairn ignores: ".planning/work/alpha/run-1/alpha/manifest.json", ".planning/work/alpha/run-1/run.json"',
        hint: 'Remove the run files from the index (`git rm -r --cached .planning/work`) and commit; .planning/work is local and gitignored.',
      },
    ]);
  });

  it('is silent outside git', () => {
    const dir = tempDir('cairn-no-git-');
    writeRun(dir, 'run.json');
    expect(committedWorkFindings(dir)).toEqual([]);
  });
});
