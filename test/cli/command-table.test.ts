import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import type { Io } from '../../src/app/index.js';
import { run as runEager } from '../../src/cli/main.js';
import { buildProgram } from '../../src/cli/program.js';
import { COMMAND_LOADERS } from '../../src/cli/command-table.js';
import { CLI, REPO_ROOT, cliEnv } from '../support/cli.js';
import { copyFixtureMigrations, PLANNING } from '../support/fixture.js';
import { gitRepo } from '../support/git.js';
import { tempDir } from '../support/tmp.js';

/*
 * The built CLI builds its command tree from the specs the build wrote
 * (dist/bundle/command-specs.json) and loads only the command that runs; the
 * sources build it with every command loaded. Both must show the same help,
 * and `--version` / `--help` must load no command.
 */

type Run = (argv: string[], io: Io) => Promise<number>;

function capture(): { io: Io; text: () => string } {
  let text = '';
  const write = (part: string): void => void (text += part);
  return { io: { stdout: write, stderr: write, color: false, isTty: false }, text: () => text };
}

function commandPaths(command: Command, prefix: string[] = []): string[][] {
  return command.commands.flatMap((sub) => [[...prefix, sub.name()], ...commandPaths(sub, [...prefix, sub.name()])]);
}

const PATHS = [[], ...commandPaths(buildProgram(capture().io, { code: 0 }))];

describe('the built command table', () => {
  it('shows the same help as the full command tree, for cairn and every command', async () => {
    const built = (await import(path.join(REPO_ROOT, 'dist', 'bundle', 'cairn.js'))) as { run: Run };
    expect(PATHS.length).toBeGreaterThan(20);
    for (const words of PATHS) {
      for (const argv of [[...words, '--help'], ['help', ...words]]) {
        const eager = capture();
        const lazy = capture();
        const eagerCode = await runEager(['node', 'cairn', ...argv], eager.io);
        expect(await built.run(['node', 'cairn', ...argv], lazy.io), argv.join(' ')).toBe(eagerCode);
        expect(lazy.text(), argv.join(' ')).toBe(eager.text());
        expect(lazy.text()).toContain('Usage: cairn');
      }
    }
  });

  it('reports a usage error as the full tree does', async () => {
    const built = (await import(path.join(REPO_ROOT, 'dist', 'bundle', 'cairn.js'))) as { run: Run };
    for (const argv of [['stauts'], ['status'], ['plan', 'x', '--timeout', 'soon'], ['list', '--status', 'nope', '--format', 'json'], ['--bogus']]) {
      const eager = capture();
      const lazy = capture();
      const eagerCode = await runEager(['node', 'cairn', ...argv], eager.io);
      expect(await built.run(['node', 'cairn', ...argv], lazy.io), argv.join(' ')).toBe(eagerCode);
      expect(lazy.text(), argv.join(' ')).toBe(eager.text());
    }
  });

  it('has a loader for every command, and only for those', () => {
    const names = buildProgram(capture().io, { code: 0 }).commands.map((command) => command.name());
    expect(Object.keys(COMMAND_LOADERS).sort()).toEqual([...names].sort());
  });
});

describe('what a command loads', () => {
  /** Text found only in code `--version` and `--help` must not load: a command, zod, the store, the MCP SDK. */
  const HEAVY = ['= defineCommand(', '$ZodType', 'better-sqlite3', 'McpServer'];

  /** The load log of `cairn <args>` (test/support/load-log.mjs): one loaded module per line. */
  function loadLog(args: string[], cwd: string, name: string): string {
    const log = path.join(cwd, `${name}-${args.join('-').replace(/[^a-z-]/g, '')}.txt`);
    const result = spawnSync(process.execPath, ['--import', path.join(REPO_ROOT, 'test', 'support', 'load-log.mjs'), CLI, ...args], {
      cwd,
      env: cliEnv({ CAIRN_LOAD_LOG: log }),
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(result.status, result.stderr).toBe(0);
    return readFileSync(log, 'utf8');
  }

  /** Every file `cairn <args>` loads as a module. */
  function loadedFiles(args: string[], cwd: string): string[] {
    const files = loadLog(args, cwd, 'loads').trim().split('\n').filter((url) => url.startsWith('file:')).map((url) => fileURLToPath(url));
    expect(files).toContain(CLI);
    return files;
  }

  /** The built-in modules `cairn <args>` loads (by import or require), by name. */
  function loadedBuiltins(args: string[], cwd: string): string[] {
    return loadLog(args, cwd, 'builtins').split('\n').filter((line) => line.startsWith('node-builtin:')).map((line) => line.slice('node-builtin:'.length));
  }

  /** The text of every module of this checkout that `cairn <args>` loads. */
  function loaded(args: string[], cwd: string): string[] {
    return loadedFiles(args, cwd).filter((file) => file.startsWith(path.join(REPO_ROOT, 'dist'))).map((file) => readFileSync(file, 'utf8'));
  }

  const heavyIn = (texts: string[]): string[] => HEAVY.filter((marker) => texts.some((text) => text.includes(marker)));

  it('--version and --help load no command, zod, store or MCP SDK; a command loads what it needs', () => {
    const dir = tempDir('cairn-loads-');
    expect(heavyIn(loaded(['--version'], dir))).toEqual([]);
    expect(heavyIn(loaded(['--help'], dir))).toEqual([]);
    expect(heavyIn(loaded(['status', '--help'], dir))).toEqual(['= defineCommand(']);
    expect(heavyIn(loaded(['list', '--help'], dir))).toEqual(['= defineCommand(', '$ZodType', 'better-sqlite3']);
  });

  it('status loads only what it uses: no SQLite, store, publish lock or recovery, root-move code, file writer, output schemas, Markdown renderer, zod, crypto, child_process or other commands', () => {
    const repo = gitRepo({ prefix: 'cairn-loads-status-' });
    copyFixtureMigrations(path.join(repo, 'migrations'), [PLANNING]);
    mkdirSync(path.join(repo, '.planning'));
    writeFileSync(path.join(repo, '.planning', 'config.json'), '{ "migrations_dir": "migrations" }\n');
    const files = loadedFiles(['status', PLANNING], repo);
    expect(files.filter((file) => file.includes(`${path.sep}better-sqlite3${path.sep}`))).toEqual([]);
    const texts = files.filter((file) => file.startsWith(path.join(REPO_ROOT, 'dist'))).map((file) => readFileSync(file, 'utf8'));
    // The bundle names each file it holds in a comment.
    const held = [
      'dist/cli/commands/status.js',
      'node_modules/markdown-it/',
      'zod/v4/locales/he.js',
      'dist/cli/commands/list.js',
      'dist/execution/',
      'dist/store/',
      'dist/publish/lock.js',
      'dist/publish/recovery.js',
      'node_modules/proper-lockfile/',
      'node_modules/graceful-fs/',
      'dist/planning/root-move.js',
      'dist/planning/merge-resolve.js',
      'dist/consistency/rules.js',
      'dist/agent/user-config.js',
      'node_modules/write-file-atomic/',
      'dist/publish/recovery-plan.js',
      'dist/migration/schemas.js',
      'dist/outputs/status.js',
      'dist/outputs/error.js',
      'dist/app/inputs.js',
      'dist/outputs/report/model.js',
      'node_modules/zod/',
      'dist/config/schema.js',
      'dist/migration/reviews-schema.js',
      'dist/publish/random-names.js',
    ];
    expect(held.filter((marker) => texts.some((text) => text.includes(`// ${marker}`) || text.includes(`/${marker}`)))).toEqual(['dist/cli/commands/status.js']);
    // Loaded only to run git, to spawn or to name a new transaction.
    expect(loadedBuiltins(['status', PLANNING], repo).filter((name) => ['child_process', 'crypto'].includes(name))).toEqual([]);
  });
});
