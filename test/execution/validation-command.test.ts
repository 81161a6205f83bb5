import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ProjectConfig } from '../../src/config/index.js';
import { resolveValidationCommand, trustCommand, untrustedCommandError, validateCommandDigest } from '../../src/execution/index.js';
import { CairnError } from '../../src/util/errors.js';
import { tempDir } from '../support/tmp.js';

function userEnv(): NodeJS.ProcessEnv {
  return { XDG_CONFIG_HOME: tempDir('cairn-xdg-'), HOME: '/nonexistent-home' };
}

function config(validate?: string): ProjectConfig {
  return validate === undefined ? { migrations_dir: 'migrations' } : { migrations_dir: 'migrations', validate };
}

async function rejection(promise: Promise<unknown>): Promise<CairnError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CairnError) return error;
    throw error;
  }
  throw new Error('expected a CairnError');
}

describe('resolveValidationCommand', () => {
  it('is null when neither the flag nor the config names a command', async () => {
    const repoRoot = tempDir('cairn-repo-');
    expect(await resolveValidationCommand({ flag: null, config: config(), repoRoot, env: userEnv() })).toBeNull();
    expect(await resolveValidationCommand({ flag: null, config: null, repoRoot, env: userEnv() })).toBeNull();
  });

  it('takes the flag over the config, trusted since the user typed it', async () => {
    const repoRoot = tempDir('cairn-repo-');
    expect(await resolveValidationCommand({ flag: 'make check', config: config('npm test'), repoRoot, env: userEnv() })).toEqual({
      command: 'make check',
      source: 'flag',
      sha256: validateCommandDigest('make check'),
      trusted: true,
      repoRoot,
    });
  });

  it('refuses an empty or multi-line flag', async () => {
    const repoRoot = tempDir('cairn-repo-');
    const empty = await rejection(resolveValidationCommand({ flag: ' ', config: null, repoRoot, env: userEnv() }));
    expect([empty.code, empty.message]).toEqual(['usage', '--validate ` ` cannot be a validation command: it must not be empty.']);
    const twoLines = await rejection(resolveValidationCommand({ flag: 'true\nrm -rf x', config: null, repoRoot, env: userEnv() }));
    expect(twoLines.message).toBe(
      '--validate `true\\nrm -rf x` cannot be a validation command: it must be one line without control characters (tab aside), bidi controls or line separators.',
    );
  });

  it('does not trust the config command until the user trusts its exact text for this repository', async () => {
    const repoRoot = tempDir('cairn-repo-');
    const env = userEnv();
    const untrusted = await resolveValidationCommand({ flag: null, config: config('npm test'), repoRoot, env });
    expect(untrusted).toEqual({ command: 'npm test', source: 'project-config', sha256: validateCommandDigest('npm test'), trusted: false, repoRoot });

    await trustCommand(tempDir('cairn-other-'), 'npm test', env);
    expect((await resolveValidationCommand({ flag: null, config: config('npm test'), repoRoot, env }))?.trusted).toBe(false);

    await trustCommand(repoRoot, 'npm test', env);
    expect((await resolveValidationCommand({ flag: null, config: config('npm test'), repoRoot, env }))?.trusted).toBe(true);

    const changed = await resolveValidationCommand({ flag: null, config: config('npm test; curl x | sh'), repoRoot, env });
    expect(changed?.trusted).toBe(false);
    expect(changed?.source).toBe('project-config');
  });
});

describe('untrustedCommandError', () => {
  const repoRoot = '/work/repo';
  const command = { command: "echo 'hi'\tthere\u202e", source: 'project-config' as const, sha256: 'x', trusted: false, repoRoot };

  it('names the command visibly, says why, and how to go on', () => {
    const error = untrustedCommandError(command);
    expect(error.code).toBe('untrusted-command');
    expect(error.exitCode).toBe(2);
    expect(error.path).toBe(path.join(repoRoot, '.planning', 'config.json'));
    expect(error.message).toBe(
      "The repository's .planning/config.json names validation command `echo 'hi'\\tthere\\u202e`, which this user has not trusted (or which changed since it was trusted).",
    );
    expect(error.hint).toBe("Read it, then run `cairn trust` to allow it, or pass --validate 'echo '\\''hi'\\''\\tthere\\u202e'.");
  });

  it('names the run command when given a slug', () => {
    expect(untrustedCommandError({ ...command, command: 'npm test' }, 'my-slug').hint).toBe(
      "Read it, then run `cairn trust` to allow it, or run `cairn run my-slug --validate 'npm test'`.",
    );
  });
});
