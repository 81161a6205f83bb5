import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const HINT = 'Run `cairn --help` or `cairn <command> --help` for usage.';

const CASES: { name: string; args: string[]; message: string }[] = [
  { name: 'unknown option', args: ['list', '--format', 'json', '--bogus'], message: "Unknown option '--bogus'" },
  { name: 'missing argument', args: ['unlock', '--format=json'], message: "Missing required argument 'lock-id'" },
  {
    name: 'bad choice',
    args: ['list', '--format', 'json', '--status', 'finished'],
    message: "Option '--status <status...>' argument 'finished' is invalid. Allowed choices are planning, ready, in-progress, skipped, done.",
  },
  { name: 'unknown command', args: ['frobnicate', '--format', 'json'], message: "Unknown command 'frobnicate'" },
];

describe('usage errors under --format json', () => {
  const cwd = mkdtempSync(path.join(tmpdir(), 'cairn-usage-json-'));
  for (const usage of CASES) {
    it(`${usage.name}: the error envelope on stdout, exit 2`, () => {
      const result = runCli(usage.args, { cwd });
      expect(result.code).toBe(2);
      expect(JSON.parse(result.stdout)).toEqual({ schema_version: 1, error: { code: 'usage', message: usage.message, hint: HINT } });
      expect(result.stderr).toBe(`Error: ${usage.message}\nHint: ${HINT}\n`);
    });
  }

  it('without --format json a usage error is the same Error: and Hint: lines on stderr and nothing on stdout', () => {
    const result = runCli(['list', '--bogus'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`Error: Unknown option '--bogus'\nHint: ${HINT}\n`);
  });

  it('--format json after -- is an argument, not a request for JSON', () => {
    const result = runCli(['unlock', '--bogus', '--', '--format', 'json'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
  });
});
