import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertConfined, confinementProblem } from '../../src/fs/confine.js';
import { CairnError } from '../../src/util/errors.js';
import { tempDir } from '../support/tmp.js';

function layout(): { root: string; outside: string } {
  const base = tempDir('cairn-confine-');
  const root = path.join(base, 'repo');
  const outside = path.join(base, 'outside');
  mkdirSync(path.join(root, '.planning'), { recursive: true });
  mkdirSync(outside);
  return { root, outside };
}

describe('confinementProblem', () => {
  it('accepts plain directories, files and missing components', () => {
    const { root } = layout();
    writeFileSync(path.join(root, '.planning', 'taste.md'), 'x');
    expect(confinementProblem(root, path.join(root, '.planning', 'taste.md'), 'file')).toBeNull();
    expect(confinementProblem(root, path.join(root, '.planning', 'work', 'a', 'b'), 'directory')).toBeNull();
    expect(confinementProblem(root, path.join(root, '.planning'), 'directory')).toBeNull();
  });

  it('refuses a symlinked component that leaves the repository', () => {
    const { root, outside } = layout();
    symlinkSync(outside, path.join(root, '.planning', 'work'));
    const problem = confinementProblem(root, path.join(root, '.planning', 'work', 'slug', 'run'), 'directory');
    expect(problem).toEqual({
      path: path.join(root, '.planning', 'work'),
      reason: 'symlink-outside',
      message: `\`.planning/work\` is a symbolic link to ${outside}, outside the repository`,
    });
  });

  it('follows a symlink that stays inside the repository', () => {
    const { root } = layout();
    mkdirSync(path.join(root, 'real'));
    writeFileSync(path.join(root, 'real', 'taste.md'), 'x');
    symlinkSync(path.join(root, 'real', 'taste.md'), path.join(root, '.planning', 'taste.md'));
    expect(confinementProblem(root, path.join(root, '.planning', 'taste.md'), 'file')).toBeNull();
  });

  it('refuses dangling links, FIFOs and files where a directory is needed', () => {
    const { root } = layout();
    symlinkSync(path.join(root, 'nowhere'), path.join(root, '.planning', 'cairn.db'));
    expect(confinementProblem(root, path.join(root, '.planning', 'cairn.db'))?.reason).toBe('symlink-outside');
    execFileSync('mkfifo', [path.join(root, '.planning', 'config.json')]);
    expect(confinementProblem(root, path.join(root, '.planning', 'config.json'))).toMatchObject({
      reason: 'special-file',
      message: '`.planning/config.json` is a FIFO',
    });
    writeFileSync(path.join(root, 'migrations'), '');
    expect(confinementProblem(root, path.join(root, 'migrations', '__transactions__'))?.reason).toBe('not-directory');
  });

  it('refuses a path outside the root, and assertConfined throws unsafe-path with exit 2', () => {
    const { root, outside } = layout();
    expect(confinementProblem(root, outside)?.reason).toBe('outside-root');
    symlinkSync(outside, path.join(root, '.planning', 'work'));
    let caught: unknown;
    try {
      assertConfined(root, path.join(root, '.planning', 'work'), 'the workspace directory', 'directory');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CairnError);
    expect((caught as CairnError).code).toBe('unsafe-path');
    expect((caught as CairnError).exitCode).toBe(2);
    expect((caught as CairnError).message).toBe(
      `Refusing to use the workspace directory: \`.planning/work\` is a symbolic link to ${outside}, outside the repository.`,
    );
  });
});
