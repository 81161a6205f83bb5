import { cpSync, mkdirSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { runCli } from './cli.js';
import { copyFixtureMigrations, LOCK_MTIME_EPOCH } from './fixture.js';
import { commitAll, initGitRepo } from './git.js';
import { tempDir, templateDir } from './tmp.js';

/*
 * Repositories set up for cairn the way a user sets one up: by `cairn init`
 * and `cairn new` of the built CLI, never by writing cairn's files by hand.
 */

export interface CairnRepo {
  /** The repository root (a real path). */
  repo: string;
  /** The live migrations root, `<repo>/migrations`. */
  live: string;
  /** `<live>/<slug>` */
  dir: (slug: string) => string;
}

export interface CairnRepoOptions {
  /** The repository directory, created when missing; default a temp dir removed after the test. */
  at?: string;
  /** Prefix of the default temp dir. */
  prefix?: string;
  /** `git init` the repository (branch main) before `cairn init`. */
  git?: boolean;
  /** cr-v1 fixture migrations to copy into the migrations root; `'all'` copies the whole fixture. */
  fixtures?: readonly string[] | 'all';
  /** Commit everything once set up, with this message (needs `git`). */
  commit?: string;
}

/** A repository `cairn init` has set up (migrations in `migrations/`), optionally a git repo with fixture migrations. */
export function cairnRepo(options: CairnRepoOptions = {}): CairnRepo {
  const repo = options.at ?? tempDir(options.prefix ?? 'cairn-repo-');
  mkdirSync(repo, { recursive: true });
  if (options.git === true) initGitRepo(repo);
  cpSync(initialised(), repo, { recursive: true });
  const live = path.join(repo, 'migrations');
  if (options.fixtures !== undefined) copyFixtureMigrations(live, options.fixtures === 'all' ? undefined : options.fixtures);
  if (options.commit !== undefined) commitAll(repo, options.commit);
  return { repo, live, dir: (slug) => path.join(live, slug) };
}

/** A copy of the repository at `template` (a template built once) at a fresh path, removed after the test. */
export function copyRepoDir(template: string): string {
  const repo = path.join(tempDir('cairn-copy-'), 'repo');
  cpSync(template, repo, { recursive: true });
  return repo;
}

let initTemplate: string | undefined;

/**
 * A directory where the built CLI ran `cairn init`, once per test file;
 * every repository gets a copy of what it wrote (the same bytes a run in
 * that repository writes, for a fraction of a process start each).
 */
function initialised(): string {
  if (initTemplate === undefined) {
    const dir = templateDir('cairn-init-');
    const result = runCli(['init'], { cwd: dir });
    if (result.code !== 0) throw new Error(`cairn init failed (${result.code}): ${result.stderr}`);
    initTemplate = dir;
  }
  return initTemplate;
}

/** Runs `cairn new <slug> --target <target>` in `repo`; it must succeed. */
export function newMigration(repo: string, slug: string, target: string, env: Record<string, string> = {}): void {
  const created = runCli(['new', slug, '--target', target], { cwd: repo, env });
  expect(created.code).toBe(0);
}

/**
 * A git repository holding the whole cr-v1 fixture `migrations/` with a
 * cairn config, committed (unless `commit` is false). Returns its root.
 */
export function fixtureRepo(options: { commit?: boolean } = {}): string {
  const { repo, live } = cairnRepo({ prefix: 'cairn-fixture-', git: true, fixtures: 'all' });
  // git does not keep mtimes: the lock's is restored after the commit too.
  const lock = path.join(live, '__transactions__', '.lock');
  utimesSync(lock, LOCK_MTIME_EPOCH, LOCK_MTIME_EPOCH);
  if (options.commit !== false) commitAll(repo, 'fixture');
  utimesSync(lock, LOCK_MTIME_EPOCH, LOCK_MTIME_EPOCH);
  return repo;
}
