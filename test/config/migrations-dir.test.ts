import { mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrationsDirProblem, trimTrailingSlashes } from '../../src/config/migrations-dir.js';
import { resolveLiveRoot } from '../../src/config/index.js';
import { CairnError } from '../../src/util/index.js';
import { tempDir } from '../support/tmp.js';

describe('migrationsDirProblem: a plain relative path of safe segments', () => {
  const good = ['migrations', 'plans/migrations', 'a b/c-d_e.f', 'migrations.git', 'git', '.github/migrations', 'sub/.gitkeep', '-x', '…ü'];
  it.each(good)('accepts %j', (value) => {
    expect(migrationsDirProblem(value)).toBeNull();
  });

  const bad: [string, string][] = [
    ['', 'it is empty'],
    ['/abs/migrations', 'it is an absolute path'],
    ['\\\\server\\share', 'it is an absolute path'],
    ['C:/migrations', 'it is an absolute path'],
    ['migrations/', "it has an empty segment (a doubled, leading or trailing '/')"],
    ['a//b', "it has an empty segment (a doubled, leading or trailing '/')"],
    ['.', "it has a '.' segment"],
    ['./migrations', "it has a '.' segment"],
    ['..', "it has a '..' segment"],
    ['a/../b', "it has a '..' segment"],
    ['a\\..\\b', "it has a '..' segment"],
    ['.git', "it names git's own directory `.git` or a directory inside it"],
    ['.GIT', "it names git's own directory `.git` or a directory inside it"],
    ['.git/refs', "it names git's own directory `.git` or a directory inside it"],
    ['vendor/.git', "it names git's own directory `.git` or a directory inside it"],
    ['.planning', "it names cairn's `.planning` directory or a directory inside it"],
    ['.planning/work', "it names cairn's `.planning` directory or a directory inside it"],
    ['mig\u0000rations', 'it contains the control character U+0000'],
    ['mig\nrations', 'it contains the control character U+000A'],
    ['mig\trations', 'it contains the control character U+0009'],
    ['mig\u001b[31m', 'it contains the control character U+001B'],
    ['mig\u007f', 'it contains the control character U+007F'],
    ['mig\u0085', 'it contains the control character U+0085'],
  ];
  it.each(bad)('refuses %j: %s', (value, rule) => {
    expect(migrationsDirProblem(value)).toBe(rule);
  });

  it('flags lose only the trailing slashes shell completion adds', () => {
    expect(trimTrailingSlashes('migrations/')).toBe('migrations');
    expect(trimTrailingSlashes('a/b//')).toBe('a/b');
    expect(trimTrailingSlashes('/')).toBe('/');
  });
});

describe('resolveLiveRoot', () => {
  function refusal(repo: string, value: string): CairnError {
    try {
      resolveLiveRoot(repo, value);
    } catch (error) {
      if (error instanceof CairnError) return error;
      throw error;
    }
    throw new Error(`accepted ${JSON.stringify(value)}`);
  }

  it('refuses a NUL before it reaches the filesystem, with invalid-config (exit 2)', () => {
    const repo = tempDir();
    const error = refusal(repo, 'migrations\u0000/x');
    expect([error.code, error.exitCode, error.message]).toEqual([
      'invalid-config',
      2,
      'migrations_dir "migrations\\u0000/x" is not a plain relative path inside the repository: it contains the control character U+0000.',
    ]);
  });

  it('keeps the escape message for a path leading out of the repository', () => {
    const repo = tempDir();
    expect(refusal(repo, '../elsewhere').message).toBe(
      `migrations_dir escapes the repository: '../elsewhere' resolves to ${path.join(path.dirname(repo), 'elsewhere')}, which is not a directory below ${repo}.`,
    );
  });

  it('refuses a plain name that is a symlink into .git', () => {
    const repo = tempDir();
    mkdirSync(path.join(repo, '.git'));
    symlinkSync('.git', path.join(repo, 'migrations'));
    expect(refusal(repo, 'migrations').message).toBe(
      `migrations_dir "migrations" is not a plain relative path inside the repository: it resolves to ${path.join(repo, '.git')}: it names git's own directory \`.git\` or a directory inside it.`,
    );
  });

  it('accepts a plain relative path', () => {
    const repo = tempDir();
    expect(resolveLiveRoot(repo, 'plans/migrations')).toBe(path.join(repo, 'plans', 'migrations'));
  });
});
