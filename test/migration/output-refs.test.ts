import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { CairnError } from '../../src/util/errors.js';
import { checkOutputRefSyntax, outputRefResolver, resolveOutputRef } from '../../src/migration/output-refs.js';
import { encodeState, loadState } from '../../src/migration/state.js';
import { tempDir } from '../support/tmp.js';
import { migrationRepo, stageRef, stateWith, step } from './support.js';

function refError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CairnError);
    expect((error as CairnError).code).toBe('invalid-state');
    return (error as CairnError).message;
  }
  throw new Error('no error');
}

describe('checkOutputRefSyntax', () => {
  test.each(['', '.', './', './.', '/etc/passwd', '//x', '..', '../x', 'a/../b', 'a/..'])('refuses %j', (ref) => {
    expect(refError(() => checkOutputRefSyntax(ref))).toBe(`Planning output path '${ref}' must be repo-relative`);
  });

  test.each(['a', 'migrations/m/.planning/stages/x.stdout.md', './a', 'a//b', 'a/./b', '..a/b', 'a/..b'])('accepts %j', (ref) => {
    expect(checkOutputRefSyntax(ref)).toBeUndefined();
  });

  test('quotes the ref as Python repr does', () => {
    expect(refError(() => checkOutputRefSyntax("/it's"))).toBe(`Planning output path "/it's" must be repo-relative`);
  });
});

describe('resolveOutputRef', () => {
  function setup() {
    const m = migrationRepo('m1');
    const ctx = { repoRoot: m.repo, stateFile: m.stateFile };
    return { m, ctx, stages: path.join(m.dir, '.planning', 'stages') };
  }

  test('returns the file for a ref naming an existing regular file', () => {
    const { m, ctx, stages } = setup();
    writeFileSync(path.join(stages, 'expand.stdout.md'), 'x');
    expect(resolveOutputRef(stageRef('m1', 'expand.stdout.md'), ctx)).toBe(path.join(m.dir, '.planning', 'stages', 'expand.stdout.md'));
    expect(resolveOutputRef(`./${stageRef('m1', 'expand.stdout.md')}`, ctx)).toBe(
      path.join(m.dir, '.planning', 'stages', 'expand.stdout.md'),
    );
  });

  test('a missing file, or a directory, is a missing output', () => {
    const { ctx, stages } = setup();
    expect(refError(() => resolveOutputRef(stageRef('m1', 'gone.stdout.md'), ctx))).toBe(
      'missing planning output: migrations/m1/.planning/stages/gone.stdout.md',
    );
    mkdirSync(path.join(stages, 'dir.stdout.md'));
    expect(refError(() => resolveOutputRef(stageRef('m1', 'dir.stdout.md'), ctx))).toBe(
      'missing planning output: migrations/m1/.planning/stages/dir.stdout.md',
    );
  });

  test('a symlink to a file inside the migration is refused', () => {
    const { ctx, stages } = setup();
    writeFileSync(path.join(stages, 'real.md'), 'x');
    symlinkSync('real.md', path.join(stages, 'link.stdout.md'));
    expect(refError(() => resolveOutputRef(stageRef('m1', 'link.stdout.md'), ctx))).toBe(
      "Planning output path 'migrations/m1/.planning/stages/link.stdout.md' must be a regular file, not a symlink",
    );
  });

  test('a symlink escaping the repository is not repo-relative', () => {
    const { ctx, stages } = setup();
    const outside = tempDir('cairn-outside-');
    writeFileSync(path.join(outside, 'secret.md'), 'x');
    symlinkSync(path.join(outside, 'secret.md'), path.join(stages, 'leak.stdout.md'));
    expect(refError(() => resolveOutputRef(stageRef('m1', 'leak.stdout.md'), ctx))).toBe(
      "Planning output path 'migrations/m1/.planning/stages/leak.stdout.md' must be repo-relative",
    );
    // A dangling link pointing outside is judged by its target too.
    symlinkSync(path.join(outside, 'nothing.md'), path.join(stages, 'dangling.stdout.md'));
    expect(refError(() => resolveOutputRef(stageRef('m1', 'dangling.stdout.md'), ctx))).toBe(
      "Planning output path 'migrations/m1/.planning/stages/dangling.stdout.md' must be repo-relative",
    );
  });

  test('a symlinked directory escaping the repository is not repo-relative', () => {
    const { m, ctx } = setup();
    const outside = tempDir('cairn-outside-');
    writeFileSync(path.join(outside, 'x.stdout.md'), 'x');
    symlinkSync(outside, path.join(m.dir, 'elsewhere'));
    expect(refError(() => resolveOutputRef('migrations/m1/elsewhere/x.stdout.md', ctx))).toBe(
      "Planning output path 'migrations/m1/elsewhere/x.stdout.md' must be repo-relative",
    );
  });

  test('a file elsewhere in the repository is outside the migration directory', () => {
    const { m, ctx } = setup();
    writeFileSync(path.join(m.repo, 'README.md'), 'x');
    expect(refError(() => resolveOutputRef('README.md', ctx))).toBe(
      "Planning output path 'README.md' must stay inside the migration directory",
    );
  });

  test('with a published root, refs must point inside it', () => {
    const { m, ctx } = setup();
    mkdirSync(path.join(m.repo, 'migrations', 'm2'));
    writeFileSync(path.join(m.repo, 'migrations', 'm2', 'x.md'), 'x');
    expect(refError(() => resolveOutputRef('migrations/m2/x.md', { ...ctx, publishedRoot: m.dir }))).toBe(
      "Planning output path 'migrations/m2/x.md' must stay inside the published migration directory",
    );
  });

  test('a repository reached through a symlink resolves the same way', () => {
    const { m, stages } = setup();
    writeFileSync(path.join(stages, 'a.stdout.md'), 'x');
    const alias = path.join(tempDir('cairn-alias-'), 'repo');
    symlinkSync(m.repo, alias);
    const stateFile = path.join(alias, 'migrations', 'm1', '.planning', 'state.json');
    expect(resolveOutputRef(stageRef('m1', 'a.stdout.md'), { repoRoot: alias, stateFile })).toBe(
      path.join(alias, 'migrations', 'm1', '.planning', 'stages', 'a.stdout.md'),
    );
    expect(
      resolveOutputRef(stageRef('m1', 'a.stdout.md'), { repoRoot: m.repo, stateFile, publishedRoot: path.join(alias, 'migrations', 'm1') }),
    ).toBe(path.join(alias, 'migrations', 'm1', '.planning', 'stages', 'a.stdout.md'));
  });

  test('a workspace copy outside the repository validates against its own files', async () => {
    const { m } = setup();
    const state = stateWith({
      next_step: 'expand',
      completed_steps: [
        step('approaches', 'completed', stageRef('m1', 'approaches.stdout.md')),
        step('pick-best', 'completed', stageRef('m1', 'pick-best.stdout.md')),
      ],
    });
    // Live has only the first output; the workspace has both (the second was just accepted there).
    writeFileSync(path.join(m.dir, '.planning', 'stages', 'approaches.stdout.md'), 'a');
    const workspace = path.join(tempDir('cairn-work-'), 'work', 'm1');
    cpSync(m.dir, workspace, { recursive: true });
    writeFileSync(path.join(workspace, '.planning', 'stages', 'pick-best.stdout.md'), 'p');
    const stateFile = path.join(workspace, '.planning', 'state.json');
    writeFileSync(stateFile, encodeState(state));

    const ctx = { repoRoot: m.repo, stateFile, publishedRoot: m.dir };
    expect(resolveOutputRef(stageRef('m1', 'pick-best.stdout.md'), ctx)).toBe(
      path.join(workspace, '.planning', 'stages', 'pick-best.stdout.md'),
    );
    expect(await loadState(stateFile, { repoRoot: m.repo, publishedRoot: m.dir })).toEqual(state);

    // Against live itself the second output is missing.
    writeFileSync(m.stateFile, encodeState(state));
    await expect(loadState(m.stateFile, { repoRoot: m.repo, publishedRoot: m.dir })).rejects.toMatchObject({
      message: 'missing planning output: migrations/m1/.planning/stages/pick-best.stdout.md',
    });

    // And a workspace missing a file the live dir has is refused: the workspace's files count.
    rmSync(path.join(workspace, '.planning', 'stages', 'approaches.stdout.md'));
    await expect(loadState(stateFile, { repoRoot: m.repo, publishedRoot: m.dir })).rejects.toMatchObject({
      message: 'missing planning output: migrations/m1/.planning/stages/approaches.stdout.md',
    });
  });

  test('a workspace symlink pointing out of the workspace is outside the migration directory', () => {
    const { m } = setup();
    writeFileSync(path.join(m.dir, '.planning', 'stages', 'a.stdout.md'), 'a');
    const workspace = path.join(tempDir('cairn-work-'), 'm1');
    mkdirSync(path.join(workspace, '.planning'), { recursive: true });
    symlinkSync(path.join(m.dir, '.planning', 'stages'), path.join(workspace, '.planning', 'stages'));
    const ctx = { repoRoot: m.repo, stateFile: path.join(workspace, '.planning', 'state.json'), publishedRoot: m.dir };
    expect(refError(() => resolveOutputRef(stageRef('m1', 'a.stdout.md'), ctx))).toBe(
      "Planning output path 'migrations/m1/.planning/stages/a.stdout.md' must stay inside the migration directory",
    );
  });

  test('one resolver for many refs answers each as a fresh check does', () => {
    const { m, ctx, stages } = setup();
    writeFileSync(path.join(stages, 'a.stdout.md'), 'a');
    writeFileSync(path.join(stages, 'b.stdout.md'), 'b');
    symlinkSync('a.stdout.md', path.join(stages, 'link.stdout.md'));
    symlinkSync('stages', path.join(m.dir, '.planning', 'aliased'));
    execFileSync('mkfifo', [path.join(stages, 'pipe.stdout.md')]);
    mkdirSync(path.join(stages, 'dir.stdout.md'));
    const outside = tempDir('cairn-outside-');
    writeFileSync(path.join(outside, 'x.md'), 'x');
    symlinkSync(path.join(outside, 'x.md'), path.join(stages, 'leak.stdout.md'));
    symlinkSync('loop-b', path.join(m.dir, 'loop-a'));
    symlinkSync('loop-a', path.join(m.dir, 'loop-b'));
    const refs = [
      stageRef('m1', 'a.stdout.md'),
      `migrations/m1/.planning//stages/./b.stdout.md`,
      'migrations/m1/.planning/aliased/b.stdout.md',
      stageRef('m1', 'link.stdout.md'),
      stageRef('m1', 'pipe.stdout.md'),
      stageRef('m1', 'dir.stdout.md'),
      stageRef('m1', 'gone.stdout.md'),
      stageRef('m1', 'leak.stdout.md'),
      'migrations/m1/loop-a/x.md',
      'migrations/m1/.planning/stages/',
      'README.md',
      '../x',
    ];
    const answer = (fn: () => string): string => {
      try {
        return `ok ${fn()}`;
      } catch (error) {
        return `error ${(error as Error).message}`;
      }
    };
    const fresh = refs.map((ref) => answer(() => resolveOutputRef(ref, ctx)));
    for (const context of [ctx, { ...ctx, publishedRoot: m.dir }]) {
      const expected = refs.map((ref) => answer(() => resolveOutputRef(ref, context)));
      const resolve = outputRefResolver(context, new Map());
      expect(refs.map((ref) => answer(() => resolve(ref)))).toEqual(expected);
      // Asked again, from what it has already resolved.
      expect(refs.map((ref) => answer(() => resolve(ref)))).toEqual(expected);
    }
    expect(fresh.slice(0, 8)).toEqual([
      `ok ${path.join(stages, 'a.stdout.md')}`,
      `ok ${path.join(stages, 'b.stdout.md')}`,
      `ok ${path.join(m.dir, '.planning', 'aliased', 'b.stdout.md')}`,
      "error Planning output path 'migrations/m1/.planning/stages/link.stdout.md' must be a regular file, not a symlink",
      "error Planning output path 'migrations/m1/.planning/stages/pipe.stdout.md' must be a regular file, not a FIFO",
      'error missing planning output: migrations/m1/.planning/stages/dir.stdout.md',
      'error missing planning output: migrations/m1/.planning/stages/gone.stdout.md',
      "error Planning output path 'migrations/m1/.planning/stages/leak.stdout.md' must be repo-relative",
    ]);
  });
});
