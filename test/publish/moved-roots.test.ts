import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquirePublishLock } from '../../src/publish/lock.js';
import { movedRootTarget, recordMovedRoot } from '../../src/publish/moved-roots.js';
import { tempDir } from '../support/tmp.js';

/* The record of moved migrations roots, and the publish lock's refusal of one. */

function repoWithConfig(migrationsDir: string): string {
  const repo = tempDir('cairn-moved-roots-');
  mkdirSync(path.join(repo, '.planning'), { recursive: true });
  writeFileSync(path.join(repo, '.planning', 'config.json'), `{\n  "migrations_dir": "${migrationsDir}"\n}\n`);
  return repo;
}

describe('moved-roots.json', () => {
  it('names where a root went until the config names that root again, and forgets a root moved back to', async () => {
    const repo = repoWithConfig('plans');
    expect(await movedRootTarget(repo, path.join(repo, 'migrations'))).toBeNull();
    await recordMovedRoot(repo, 'migrations', 'plans');
    expect(readFileSync(path.join(repo, '.planning', 'work', 'moved-roots.json'), 'utf8')).toBe('{\n  "migrations": "plans"\n}\n');
    expect(await movedRootTarget(repo, path.join(repo, 'migrations'))).toBe('plans');
    expect(await movedRootTarget(repo, path.join(repo, 'plans'))).toBeNull();
    await recordMovedRoot(repo, 'plans', 'migrations');
    expect(readFileSync(path.join(repo, '.planning', 'work', 'moved-roots.json'), 'utf8')).toBe('{\n  "plans": "migrations"\n}\n');
    // Set back by hand: the config names the recorded root, so it counts as live.
    writeFileSync(path.join(repo, '.planning', 'config.json'), '{"migrations_dir": "plans/"}\n');
    expect(await movedRootTarget(repo, path.join(repo, 'plans'))).toBeNull();
  });

  it('a damaged record moves nothing', async () => {
    const repo = repoWithConfig('plans');
    mkdirSync(path.join(repo, '.planning', 'work'));
    writeFileSync(path.join(repo, '.planning', 'work', 'moved-roots.json'), '{not json');
    expect(await movedRootTarget(repo, path.join(repo, 'migrations'))).toBeNull();
  });

  it('the lock of a moved root is given back and refused, and the root it recreated removed', async () => {
    const repo = repoWithConfig('plans');
    await recordMovedRoot(repo, 'migrations', 'plans');
    const live = path.join(repo, 'migrations');
    mkdirSync(live);
    const taken = acquirePublishLock(live, { operation: 'test', timeoutMs: 1000, repoRoot: repo });
    await expect(taken).rejects.toThrow('The migrations root moved to plans; nothing was done in migrations.');
    await expect(taken).rejects.toMatchObject({ code: 'blocked' });
    expect(() => readFileSync(live)).toThrow(/ENOENT/);
    // Without the repository, the lock code knows nothing of moves.
    mkdirSync(live);
    const plain = await acquirePublishLock(live, { operation: 'test', timeoutMs: 1000 });
    await plain.release();
  });
});
