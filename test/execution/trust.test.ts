import { mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTrusted, listTrusted, listTrustedFor, revokeTrust, trustCommand, validateCommandDigest } from '../../src/execution/index.js';
import { CairnError } from '../../src/util/errors.js';
import { tempDir } from '../support/tmp.js';

const NPM_TEST_SHA256 = '328e123c63857fd8473bd4bd3581e655b08b7440d7f5d2c31cc375607582f539';
const AT = new Date('2026-05-01T12:00:00.000Z');

/** A fresh XDG_CONFIG_HOME (its cairn/ directory not created yet) and the config file in it. */
function userEnv(): { env: NodeJS.ProcessEnv; file: string; xdg: string } {
  const xdg = path.join(tempDir('cairn-xdg-'), 'xdg');
  return { env: { XDG_CONFIG_HOME: xdg, HOME: '/nonexistent-home' }, file: path.join(xdg, 'cairn', 'config.json'), xdg };
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

describe('validateCommandDigest', () => {
  it('is the lowercase hex SHA-256 of the UTF-8 text', () => {
    expect(validateCommandDigest('npm test')).toBe(NPM_TEST_SHA256);
    expect(validateCommandDigest('npm test ')).not.toBe(NPM_TEST_SHA256);
    expect(validateCommandDigest('\u00e9')).toBe('4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c');
  });
});

describe('trustCommand', () => {
  it('creates a private directory and file holding the repository, the digest and the time', async () => {
    const { env, file, xdg } = userEnv();
    const repo = tempDir('cairn-repo-');
    expect(await trustCommand(repo, 'npm test', env, AT)).toEqual({ alreadyTrusted: false, configPath: file });
    expect(statSync(path.join(xdg, 'cairn')).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      trusted_validate: [{ repo, sha256: NPM_TEST_SHA256, trusted_at: '2026-05-01T12:00:00.000Z' }],
    });
    expect(await isTrusted(repo, 'npm test', env)).toBe(true);
  });

  it('keeps every other key of the user config, in order, and the mode of an existing file', async () => {
    const { env, file } = userEnv();
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, '{"agent_cmd": "my-agent {model}", "agent": "command", "model": "m1", "effort": "high"}\n', { mode: 0o640 });
    const repo = tempDir('cairn-repo-');
    await trustCommand(repo, 'npm test', env, AT);
    const text = readFileSync(file, 'utf8');
    expect(Object.keys(JSON.parse(text))).toEqual(['agent_cmd', 'agent', 'model', 'effort', 'trusted_validate']);
    expect(JSON.parse(text)).toMatchObject({ agent_cmd: 'my-agent {model}', agent: 'command', model: 'm1', effort: 'high' });
    expect(statSync(file).mode & 0o777).toBe(0o640);
    await revokeTrust(repo, env);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ agent_cmd: 'my-agent {model}', agent: 'command', model: 'm1', effort: 'high' });
  });

  it('says when the command was already trusted and leaves the file alone', async () => {
    const { env, file } = userEnv();
    const repo = tempDir('cairn-repo-');
    await trustCommand(repo, 'npm test', env, AT);
    const before = readFileSync(file, 'utf8');
    expect(await trustCommand(repo, 'npm test', env, new Date('2027-01-01T00:00:00Z'))).toEqual({ alreadyTrusted: true, configPath: file });
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('trusts per repository and per exact text: another repository or a changed command is untrusted', async () => {
    const { env } = userEnv();
    const first = tempDir('cairn-repo-');
    const second = tempDir('cairn-repo-');
    await trustCommand(first, 'npm test', env, AT);
    expect(await isTrusted(first, 'npm test', env)).toBe(true);
    expect(await isTrusted(second, 'npm test', env)).toBe(false);
    expect(await isTrusted(first, 'npm test && curl evil', env)).toBe(false);
    expect(await isTrusted(first, 'npm  test', env)).toBe(false);
    await trustCommand(second, 'make check', env, AT);
    expect(await isTrusted(second, 'make check', env)).toBe(true);
    expect(await isTrusted(first, 'make check', env)).toBe(false);
    expect((await listTrusted(env)).map((entry) => [entry.repo, entry.sha256])).toEqual([
      [first, NPM_TEST_SHA256],
      [second, validateCommandDigest('make check')],
    ]);
  });

  it('names the repository by its real path', async () => {
    const { env } = userEnv();
    const repo = tempDir('cairn-repo-');
    const link = path.join(tempDir('cairn-link-'), 'repo-link');
    symlinkSync(repo, link);
    await trustCommand(link, 'npm test', env, AT);
    expect((await listTrusted(env))[0]?.repo).toBe(repo);
    expect(await isTrusted(repo, 'npm test', env)).toBe(true);
  });

  it('keeps every entry when several trust at once', async () => {
    const { env } = userEnv();
    const repo = tempDir('cairn-repo-');
    const commands = Array.from({ length: 12 }, (_, i) => `make check-${i}`);
    await Promise.all(commands.map((command) => trustCommand(repo, command, env, AT)));
    expect((await listTrustedFor(repo, env)).map((entry) => entry.sha256).sort()).toEqual(commands.map(validateCommandDigest).sort());
  });

  it('waits for a lock file held by another writer', async () => {
    const { env, file } = userEnv();
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(`${file}.lock`, '{"pid": 1}\n');
    setTimeout(() => rmSync(`${file}.lock`), 150);
    const repo = tempDir('cairn-repo-');
    expect((await trustCommand(repo, 'npm test', env, AT)).alreadyTrusted).toBe(false);
    expect(await isTrusted(repo, 'npm test', env)).toBe(true);
    expect(() => statSync(`${file}.lock`)).toThrow(/ENOENT/);
  });

  it('refuses to rewrite an invalid user config', async () => {
    const { env, file } = userEnv();
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, '{"agent": "claude", "colour": "blue"}\n');
    const error = await rejection(trustCommand(tempDir('cairn-repo-'), 'npm test', env, AT));
    expect(error.code).toBe('invalid-config');
    expect(error.path).toBe(file);
    expect(readFileSync(file, 'utf8')).toBe('{"agent": "claude", "colour": "blue"}\n');
  });

  it('refuses a trust store entry that is not one', async () => {
    const { env, file } = userEnv();
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, '{"trusted_validate": [{"repo": "relative", "sha256": "ABC", "trusted_at": "now"}]}\n');
    const error = await rejection(isTrusted('/repo', 'npm test', env));
    expect(error.code).toBe('invalid-config');
    expect(error.message).toBe(
      `Invalid user config ${file}: trusted_validate.0.repo: must be an absolute path; trusted_validate.0.sha256: must be 64 lowercase hex digits`,
    );
  });
});

describe('revokeTrust', () => {
  it("removes only that repository's entries and says how many", async () => {
    const { env } = userEnv();
    const first = tempDir('cairn-repo-');
    const second = tempDir('cairn-repo-');
    await trustCommand(first, 'npm test', env, AT);
    await trustCommand(first, 'npm run check', env, AT);
    await trustCommand(second, 'npm test', env, AT);
    expect(await revokeTrust(first, env)).toBe(2);
    expect(await isTrusted(first, 'npm test', env)).toBe(false);
    expect(await isTrusted(second, 'npm test', env)).toBe(true);
    expect(await revokeTrust(first, env)).toBe(0);
    expect(await listTrustedFor(second, env)).toEqual([{ repo: second, sha256: NPM_TEST_SHA256, trusted_at: '2026-05-01T12:00:00.000Z' }]);
  });

  it('is zero without a user config, and creates none', async () => {
    const { env, file } = userEnv();
    expect(await revokeTrust(tempDir('cairn-repo-'), env)).toBe(0);
    expect(() => statSync(path.dirname(file))).toThrow(/ENOENT/);
    expect(await listTrusted(env)).toEqual([]);
  });
});
