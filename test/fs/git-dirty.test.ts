import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CairnError } from '../../src/util/errors.js';
import { gitDirtyPaths } from '../../src/fs/git-dirty.js';
import { commitAll } from '../support/git.js';
import { publishRepo } from '../support/publish-repo.js';

const savedPath = process.env['PATH'];

afterEach(() => {
  process.env['PATH'] = savedPath;
});

describe('gitDirtyPaths', () => {
  it('lists modified, untracked and ignored paths under the migration only', () => {
    const repo = publishRepo({ git: true });
    const live = path.join(repo.liveRoot, 'alpha');
    mkdirSync(live);
    writeFileSync(path.join(live, 'manifest.json'), '{}\n');
    writeFileSync(path.join(repo.repoRoot, '.gitignore'), '*.tmp\n');
    commitAll(repo.repoRoot, 'alpha');
    expect(gitDirtyPaths(repo.repoRoot, live)).toEqual([]);
    writeFileSync(path.join(live, 'manifest.json'), '{"x": 1}\n');
    writeFileSync(path.join(live, 'new.md'), 'new\n');
    writeFileSync(path.join(live, 'scratch.tmp'), 'ignored\n');
    writeFileSync(path.join(repo.liveRoot, 'elsewhere.md'), 'not in the migration\n');
    expect(gitDirtyPaths(repo.repoRoot, live)).toEqual(['migrations/alpha/manifest.json', 'migrations/alpha/new.md', 'migrations/alpha/scratch.tmp']);
  });

  it('takes a migration name as a literal pathspec, never a glob over its neighbours', () => {
    const repo = publishRepo({ git: true });
    for (const slug of ['a*', '[ab]', 'ab', 'b']) {
      mkdirSync(path.join(repo.liveRoot, slug));
      writeFileSync(path.join(repo.liveRoot, slug, 'manifest.json'), '{}\n');
    }
    commitAll(repo.repoRoot, 'migrations');
    writeFileSync(path.join(repo.liveRoot, 'ab', 'dirty.md'), 'x\n');
    writeFileSync(path.join(repo.liveRoot, 'b', 'dirty.md'), 'x\n');
    expect(gitDirtyPaths(repo.repoRoot, path.join(repo.liveRoot, 'a*'))).toEqual([]);
    expect(gitDirtyPaths(repo.repoRoot, path.join(repo.liveRoot, '[ab]'))).toEqual([]);
    writeFileSync(path.join(repo.liveRoot, 'a*', 'own.md'), 'x\n');
    expect(gitDirtyPaths(repo.repoRoot, path.join(repo.liveRoot, 'a*'))).toEqual(['migrations/a*/own.md']);
  });

  it('returns null outside a git repository', () => {
    const repo = publishRepo();
    expect(gitDirtyPaths(repo.repoRoot, path.join(repo.liveRoot, 'alpha'))).toBeNull();
  });

  it('fails clearly when git cannot be run, and for a live dir outside the repository', () => {
    const repo = publishRepo({ git: true });
    process.env['PATH'] = path.join(repo.repoRoot, 'no-bin');
    let caught: unknown;
    try {
      gitDirtyPaths(repo.repoRoot, path.join(repo.liveRoot, 'alpha'));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CairnError);
    expect((caught as CairnError).code).toBe('failed');
    expect((caught as CairnError).message).toBe('Could not inspect live migration git status: git could not be run (spawnSync git ENOENT).');
    process.env['PATH'] = savedPath;
    expect(() => gitDirtyPaths(repo.repoRoot, '/elsewhere/alpha')).toThrow('Live migration path must stay inside repository: /elsewhere/alpha');
  });
});
