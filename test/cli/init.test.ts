import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { gitRepo } from '../support/git.js';
import { tempDir } from '../support/tmp.js';

describe('cairn init', () => {
  it('creates the config, the migrations dir and .planning/.gitignore at the git top level', () => {
    const repo = gitRepo({ commit: false });
    mkdirSync(path.join(repo, 'src', 'deep'), { recursive: true });
    const result = runCli(['init'], { cwd: path.join(repo, 'src', 'deep') });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(readFileSync(path.join(repo, '.planning', 'config.json'), 'utf8')).toBe('{\n  "migrations_dir": "migrations"\n}\n');
    expect(existsSync(path.join(repo, 'migrations'))).toBe(true);
    expect(readFileSync(path.join(repo, '.planning', '.gitignore'), 'utf8')).toBe(
      '# cairn local state (never committed)\ncairn.db*\nwork/\n',
    );
    expect(result.stdout).toContain('created    .planning/config.json\n');
    expect(result.stdout).toContain('created    migrations/\n');
    // git keeps no empty directory: only .planning/ can be committed yet.
    expect(result.stdout).toContain(
      `cairn is set up in ${repo} (migrations in migrations/). Commit .planning/ (migrations/ is committed with its first migration).\n` +
        "Next: cairn new <slug> --target '<what should change>'\n",
    );
  });

  it('says nothing about committing outside a git repository', () => {
    const dir = tempDir();
    const result = runCli(['init'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('Commit');
    expect(result.stdout).toMatch(/\(migrations in migrations\/\)\.\nNext: cairn new <slug> --target '<what should change>'\n$/);
  });

  it('is harmless when run twice and keeps existing .gitignore lines', () => {
    const repo = gitRepo({ commit: false });
    mkdirSync(path.join(repo, '.planning'));
    writeFileSync(path.join(repo, '.planning', '.gitignore'), 'notes.txt');
    expect(runCli(['init', '--migrations-dir', 'plans/migrations'], { cwd: repo }).code).toBe(0);
    const second = runCli(['init', '--format', 'json'], { cwd: repo });
    expect(second.code).toBe(0);
    const payload = JSON.parse(second.stdout);
    expect(payload.schema_version).toBe(1);
    expect(payload.created).toEqual([]);
    expect(payload.unchanged).toEqual(['.planning/config.json', 'plans/migrations/', '.planning/.gitignore']);
    expect(payload.migrations_dir).toBe('plans/migrations');
    expect(readFileSync(path.join(repo, '.planning', '.gitignore'), 'utf8')).toBe(
      'notes.txt\ncairn.db*\nwork/\n',
    );
  });

  it('refuses a migrations dir outside the repository', () => {
    const repo = gitRepo({ commit: false });
    for (const dir of ['../elsewhere', '/tmp', '.']) {
      const result = runCli(['init', '--migrations-dir', dir], { cwd: repo });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^Error: migrations_dir escapes the repository: /);
      expect(existsSync(path.join(repo, '.planning', 'config.json'))).toBe(false);
    }
  });

  it('refuses to change the migrations dir of an existing project', () => {
    const repo = gitRepo({ commit: false });
    expect(runCli(['init'], { cwd: repo }).code).toBe(0);
    const result = runCli(['init', '--migrations-dir', 'other'], { cwd: repo });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("already set up in");
    expect(result.stderr).toContain("refusing to change it to 'other'");
    expect(existsSync(path.join(repo, 'other'))).toBe(false);
  });

  it('refuses a migrations dir that is a file', () => {
    const repo = tempDir();
    writeFileSync(path.join(repo, 'migrations'), 'x');
    const result = runCli(['init'], { cwd: repo });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('exists and is not a directory');
  });
});

describe('project discovery', () => {
  it('finds the config by walking up and says what to run when there is none', () => {
    const repo = gitRepo({ commit: false });
    const none = runCli(['list'], { cwd: repo });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Error: No cairn project here: no .planning/config.json in');
    expect(none.stderr).toContain('Hint: Run `cairn init`');
    runCli(['init'], { cwd: repo });
    mkdirSync(path.join(repo, 'a', 'b'), { recursive: true });
    const found = runCli(['list', '--format', 'tsv'], { cwd: path.join(repo, 'a', 'b') });
    expect(found.code).toBe(0);
    expect(found.stdout).toBe('slug\tstatus\tcursor\tawaiting_review\tlast_touch\tcooldown\treason\n');
  });

  it('reports an invalid config with the key at fault', () => {
    const repo = tempDir();
    mkdirSync(path.join(repo, '.planning'));
    writeFileSync(path.join(repo, '.planning', 'config.json'), '{"migrations_dir": "m", "migration_dir": "x"}');
    const result = runCli(['list'], { cwd: repo });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Invalid cairn config');
    expect(result.stderr).toContain('migration_dir');
    writeFileSync(path.join(repo, '.planning', 'config.json'), '{"migrations_dir": "../m"}');
    const escape = runCli(['list'], { cwd: repo });
    expect(escape.code).toBe(2);
    expect(escape.stderr).toContain("migrations_dir escapes the repository: '../m'");
  });

  it('accepts --migrations-dir without any config, and --repo from elsewhere', () => {
    const repo = tempDir();
    mkdirSync(path.join(repo, 'plans'));
    const direct = runCli(['--migrations-dir', 'plans', 'list', '--format', 'tsv', '--no-headers'], { cwd: repo });
    expect(direct.code).toBe(0);
    expect(direct.stdout).toBe('');
    const elsewhere = tempDir();
    runCli(['init'], { cwd: repo });
    const viaRepo = runCli(['--repo', repo, 'list', '--format', 'json'], { cwd: elsewhere });
    expect(viaRepo.code).toBe(0);
    expect(JSON.parse(viaRepo.stdout).migrations).toEqual([]);
  });
});
