import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fakeAgentBin } from './agents.js';
import { cliEnv, runCli, type CliResult } from './cli.js';
import { copyFixtureMigrations } from './fixture.js';
import { commitAll } from './git.js';
import { cairnRepo, copyRepoDir, newMigration } from './repo.js';

/*
 * Repositories to plan in, driven through the built CLI with the fake
 * agent first on PATH.
 */

export const SLUG = 'alpha';
export const TARGET = 'replace the widget API';

export interface PlanRepo {
  repo: string;
  live: string;
  /** `<live>/<slug>` */
  dir: string;
  bin: string;
  cli(args: string[], env?: Record<string, string>, input?: string): CliResult;
  /** The environment `cli` runs cairn in, for a test that starts cairn itself. */
  env(extra?: Record<string, string>): Record<string, string>;
}

function withPath(bin: string, env: Record<string, string> = {}): Record<string, string> {
  return { PATH: `${bin}${path.delimiter}${process.env['PATH'] ?? ''}`, XDG_CONFIG_HOME: path.join(bin, 'xdg'), ...env };
}

/** Wraps an existing repository. */
export function planRepoAt(repo: string, bin: string = fakeAgentBin(), slug = SLUG): PlanRepo {
  const live = path.join(repo, 'migrations');
  return {
    repo,
    live,
    dir: path.join(live, slug),
    bin,
    cli: (args, env, input) => runCli(args, { cwd: repo, env: withPath(bin, env), ...(input !== undefined ? { input } : {}) }),
    env: (extra) => cliEnv(withPath(bin, extra)),
  };
}

/** A git repository set up by `cairn init` and committed, with no migrations (at `<root>/repo` when given, else a temp dir). */
export function emptyRepo(root?: string): string {
  return cairnRepo({ prefix: 'cairn-plan-', git: true, commit: 'init', ...(root !== undefined ? { at: path.join(root, 'repo') } : {}) }).repo;
}

/**
 * A repository with migration `alpha` created by `cairn new` and committed.
 * Under `root` when given (a template kept for the file's tests), else in
 * temp dirs removed after the test.
 */
export function newPlanRepo(root?: string): PlanRepo {
  const p = planRepoAt(emptyRepo(root), fakeAgentBin(root));
  newMigration(p.repo, SLUG, TARGET, withPath(p.bin));
  commitAll(p.repo, 'new alpha');
  return p;
}

/** A copy of `template` (a committed repository) at a fresh path, removed after the test. */
export function copyRepo(template: PlanRepo): PlanRepo {
  return planRepoAt(copyRepoDir(template.repo), template.bin);
}

/** A committed repository holding copies of cr-v1 fixture migrations. */
export function fixturePlanRepo(slugs: string[]): PlanRepo {
  const repo = emptyRepo();
  copyFixtureMigrations(path.join(repo, 'migrations'), slugs);
  commitAll(repo, 'fixture migrations');
  return planRepoAt(repo);
}

export function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

export function stateOf(p: PlanRepo, slug = SLUG): Record<string, unknown> {
  return readJson(path.join(p.live, slug, '.planning', 'state.json'));
}

export function manifestOf(p: PlanRepo, slug = SLUG): Record<string, unknown> {
  return readJson(path.join(p.live, slug, 'manifest.json'));
}

/** The run directories under `.planning/work/<slug>`. */
export function workRuns(p: PlanRepo, slug = SLUG): string[] {
  const dir = path.join(p.repo, '.planning', 'work', slug);
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}
