import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Io } from '../../src/app/index.js';
import { confirmValidationTrust } from '../../src/cli/trust-prompt.js';
import { isTrusted, resolveValidationCommand, type ValidationCommand } from '../../src/execution/index.js';
import { tempDir } from '../support/tmp.js';

function captureIo(): Io & { err: string[] } {
  const err: string[] = [];
  return { stdout: () => undefined, stderr: (text) => void err.push(text), color: false, isTty: true, err };
}

async function configCommand(command: string): Promise<{ validation: ValidationCommand; env: NodeJS.ProcessEnv }> {
  const env = { XDG_CONFIG_HOME: tempDir('cairn-xdg-'), HOME: '/nonexistent-home' };
  const repoRoot = tempDir('cairn-repo-');
  const validation = await resolveValidationCommand({ flag: null, config: { migrations_dir: 'migrations', validate: command }, repoRoot, env });
  if (validation === null) throw new Error('expected a command');
  return { validation, env };
}

describe('confirmValidationTrust', () => {
  it('shows the command, asks, and records the trust on yes', async () => {
    const { validation, env } = await configCommand('npm test\t--ci');
    const io = captureIo();
    expect(await confirmValidationTrust(io, validation, { input: Readable.from(['y\n']), interactive: true, env })).toBe(true);
    expect(io.err[0]).toBe(
      "The repository's .planning/config.json names this validation command, which you have not trusted (or which changed since you did). cairn runs it through `sh -c`:\n" +
        '  npm test\\t--ci\nTrust and run it? [y/N] ',
    );
    expect(io.err[1]).toMatch(/^Trusted; recorded in .*\/cairn\/config\.json\.\n$/);
    expect(await isTrusted(validation.repoRoot, 'npm test\t--ci', env)).toBe(true);
  });

  it('answers no to anything but y or yes, and to the end of input, recording nothing', async () => {
    for (const answer of ['n\n', '\n', 'yep\n', '']) {
      const { validation, env } = await configCommand('npm test');
      expect(await confirmValidationTrust(captureIo(), validation, { input: Readable.from(answer === '' ? [] : [answer]), interactive: true, env })).toBe(false);
      expect(await isTrusted(validation.repoRoot, 'npm test', env)).toBe(false);
    }
    const { validation, env } = await configCommand('npm test');
    expect(await confirmValidationTrust(captureIo(), validation, { input: Readable.from(['YES\n']), interactive: true, env })).toBe(true);
  });

  it('asks nothing when not interactive, and answers no', async () => {
    const { validation, env } = await configCommand('npm test');
    const io = captureIo();
    expect(await confirmValidationTrust(io, validation, { input: Readable.from(['y\n']), interactive: false, env })).toBe(false);
    expect(io.err).toEqual([]);
    expect(await isTrusted(validation.repoRoot, 'npm test', env)).toBe(false);
  });

  it('asks nothing for a trusted command', async () => {
    const { validation } = await configCommand('npm test');
    const io = captureIo();
    expect(await confirmValidationTrust(io, { ...validation, source: 'flag', trusted: true }, { input: Readable.from([]), interactive: true })).toBe(true);
    expect(io.err).toEqual([]);
  });
});
