import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { CairnError } from '../../src/util/errors.js';
import {
  latestStdoutRef,
  nextStageOutputPath,
  readLatestStdout,
  stdoutRefFor,
} from '../../src/migration/stage-outputs.js';
import { tempDir } from '../support/tmp.js';
import { migrationRepo, stageRef, stateWith, step } from './support.js';

describe('nextStageOutputPath', () => {
  test('picks <step>.stdout.md, then -2, -3, … without overwriting', async () => {
    const m = migrationRepo();
    const stages = path.join(m.dir, '.planning', 'stages');
    expect(await nextStageOutputPath(m.dir, 'review-2')).toBe(path.join(stages, 'review-2.stdout.md'));
    writeFileSync(path.join(stages, 'review-2.stdout.md'), '1');
    expect(await nextStageOutputPath(m.dir, 'review-2')).toBe(path.join(stages, 'review-2-2.stdout.md'));
    writeFileSync(path.join(stages, 'review-2-2.stdout.md'), '2');
    symlinkSync('nowhere', path.join(stages, 'review-2-3.stdout.md'));
    expect(await nextStageOutputPath(m.dir, 'review-2')).toBe(path.join(stages, 'review-2-4.stdout.md'));
    expect(await nextStageOutputPath(m.dir, 'review')).toBe(path.join(stages, 'review.stdout.md'));
  });

  test('works before the stages directory exists', async () => {
    const dir = tempDir();
    expect(await nextStageOutputPath(dir, 'approaches')).toBe(path.join(dir, '.planning', 'stages', 'approaches.stdout.md'));
  });
});

describe('stdoutRefFor', () => {
  test('re-roots a migration-relative file at the live dir, as a repo-relative POSIX path', () => {
    expect(stdoutRefFor('/r', '/r/migrations/m1', '.planning/stages/expand-2.stdout.md')).toBe(
      'migrations/m1/.planning/stages/expand-2.stdout.md',
    );
    expect(stdoutRefFor('/r/', '/r/./migrations/x/../m1', '.planning/stages/a.stdout.md')).toBe(
      'migrations/m1/.planning/stages/a.stdout.md',
    );
  });

  test('resolves symlinks in the repository and live dir paths', () => {
    const real = tempDir();
    mkdirSync(path.join(real, 'migrations', 'm1'), { recursive: true });
    const alias = path.join(tempDir(), 'alias');
    symlinkSync(real, alias);
    expect(stdoutRefFor(real, path.join(alias, 'migrations', 'm1'), '.planning/stages/a.stdout.md')).toBe(
      'migrations/m1/.planning/stages/a.stdout.md',
    );
    expect(stdoutRefFor(alias, path.join(real, 'migrations', 'm1'), '.planning/stages/a.stdout.md')).toBe(
      'migrations/m1/.planning/stages/a.stdout.md',
    );
  });

  test('refuses a live dir outside the repository', () => {
    expect(() => stdoutRefFor('/r', '/other/m1', '.planning/stages/a.stdout.md')).toThrow(
      new CairnError('invalid-state', 'Planning output /other/m1/.planning/stages/a.stdout.md must be inside repository /r'),
    );
    expect(() => stdoutRefFor('/r', '/rx/m1', 'a.md')).toThrow(
      new CairnError('invalid-state', 'Planning output /rx/m1/a.md must be inside repository /r'),
    );
  });
});

describe('latestStdoutRef / readLatestStdout', () => {
  const state = stateWith({
    completed_steps: [
      step('approaches', 'completed', stageRef('m1', 'approaches.stdout.md')),
      step('review', 'findings', stageRef('m1', 'review.stdout.md')),
      step('revise', 'completed', stageRef('m1', 'revise.stdout.md')),
      step('revise', 'completed', stageRef('m1', 'revise-2.stdout.md')),
    ],
  });

  test('uses the most recent step of that name', () => {
    expect(latestStdoutRef(state, 'revise')).toBe(stageRef('m1', 'revise-2.stdout.md'));
    expect(latestStdoutRef(state, 'approaches')).toBe(stageRef('m1', 'approaches.stdout.md'));
  });

  test('fails when no accepted step of that name has stdout', () => {
    expect(() => latestStdoutRef(state, 'pick-best')).toThrow(
      new CairnError('invalid-state', "Planning state has no accepted stdout output for step 'pick-best'"),
    );
    const blank = stateWith({ completed_steps: [...state.completed_steps, step('approaches', 'completed', '')] });
    expect(() => latestStdoutRef(blank, 'approaches')).toThrow(
      new CairnError('invalid-state', "Planning state has no accepted stdout output for step 'approaches'"),
    );
  });

  test('reads the text through the output ref rules', async () => {
    const m = migrationRepo('m1');
    writeFileSync(path.join(m.dir, '.planning', 'stages', 'revise-2.stdout.md'), 'second\r\nrevision\n');
    expect(await readLatestStdout(state, 'revise', { repoRoot: m.repo, stateFile: m.stateFile })).toBe('second\nrevision\n');
    await expect(readLatestStdout(state, 'approaches', { repoRoot: m.repo, stateFile: m.stateFile })).rejects.toMatchObject({
      code: 'invalid-state',
      message: 'missing planning output: migrations/m1/.planning/stages/approaches.stdout.md',
    });
    writeFileSync(path.join(m.dir, '.planning', 'stages', 'approaches.stdout.md'), Buffer.from([0x61, 0xc3]));
    await expect(readLatestStdout(state, 'approaches', { repoRoot: m.repo, stateFile: m.stateFile })).rejects.toMatchObject({
      code: 'invalid-state',
      message:
        "Could not read planning output migrations/m1/.planning/stages/approaches.stdout.md: 'utf-8' codec can't decode byte 0xc3 in position 1: unexpected end of data",
    });
  });

  test('an inspection failure other than absence is an io error', async () => {
    const file = path.join(tempDir(), 'not-a-dir');
    writeFileSync(file, 'x');
    const target = path.join(file, '.planning', 'stages', 'expand.stdout.md');
    await expect(nextStageOutputPath(file, 'expand')).rejects.toMatchObject({
      code: 'io',
      path: target,
      message: expect.stringMatching(new RegExp(`^Could not inspect planning output ${target}: ENOTDIR`)),
    });
  });
});
