import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { confinedWorkRoot, removeRun } from '../../src/planning/workspace.js';
import { tempDir } from '../support/tmp.js';

describe('the planning work root', () => {
  it('is refused with unsafe-path when .planning/work (or .planning) links out of the repository', () => {
    const root = tempDir('cairn-work-root-');
    const repo = path.join(root, 'repo');
    const outside = path.join(root, 'outside');
    mkdirSync(path.join(repo, '.planning'), { recursive: true });
    mkdirSync(outside);
    expect(confinedWorkRoot(repo, 'alpha')).toBe(path.join(repo, '.planning', 'work', 'alpha'));
    symlinkSync(outside, path.join(repo, '.planning', 'work'));
    expect(() => confinedWorkRoot(repo, 'alpha')).toThrow(
      expect.objectContaining({
        code: 'unsafe-path',
        message: `Refusing to use the planning work directory: \`.planning/work\` is a symbolic link to ${outside}, outside the repository.`,
      }),
    );
    expect(readdirSync(outside)).toEqual([]);
  });

  it('removeRun never deletes through a linked work directory', async () => {
    const root = tempDir('cairn-work-root-');
    const outside = path.join(root, 'outside');
    mkdirSync(path.join(outside, 'alpha', 'run-1'), { recursive: true });
    writeFileSync(path.join(outside, 'alpha', 'run-1', 'keep.txt'), 'keep\n');
    const work = path.join(root, 'repo', '.planning', 'work');
    mkdirSync(path.dirname(work), { recursive: true });
    symlinkSync(outside, work);
    const runDir = path.join(work, 'alpha', 'run-1');
    expect(await removeRun(runDir)).toBe(`did not remove run directory ${runDir}: ${work} is a symbolic link`);
    expect(readdirSync(path.join(outside, 'alpha', 'run-1'))).toEqual(['keep.txt']);
  });
});
