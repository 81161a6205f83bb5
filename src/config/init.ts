import { existsSync, lstatSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { CairnError, resolvePath, shellWord } from '../util/index.js';
import { encodeJson, jsonObject } from '../json/index.js';
import { assertConfined, mkdirDurable, writeFileDurable, gitTopLevel } from '../fs/index.js';
import { resolveLiveRoot } from './context.js';
import { hasControlCharacter, trimTrailingSlashes } from './migrations-dir.js';
import { readProjectConfig } from './load.js';
import { CONFIG_RELATIVE_PATH } from './config-rules.js';

/** Lines `.planning/.gitignore` must hold: local state never goes into git. */
export const PLANNING_GITIGNORE_LINES = ['cairn.db*', 'work/'] as const;

export const DEFAULT_MIGRATIONS_DIR = 'migrations';

export interface InitOptions {
  cwd: string;
  repo?: string | undefined;
  migrationsDir?: string | undefined;
}

export interface InitResult {
  repoRoot: string;
  configPath: string;
  migrationsDir: string;
  liveRoot: string;
  /** Repo-relative paths this call created or changed. */
  created: string[];
  /** Repo-relative paths that were already as required. */
  unchanged: string[];
}

/**
 * Set up cairn in a repository: `.planning/config.json`, the migrations
 * directory and `.planning/.gitignore`. Idempotent; never moves an existing
 * migrations root.
 */
export async function initProject(options: InitOptions): Promise<InitResult> {
  const repoRoot = resolvePath(
    options.repo !== undefined ? path.resolve(options.cwd, options.repo) : (gitTopLevel(options.cwd) ?? options.cwd),
  );
  if (!existsSync(repoRoot)) {
    throw new CairnError('usage', `--repo ${options.repo}: no such directory (${repoRoot}).`);
  }
  const configPath = path.join(repoRoot, CONFIG_RELATIVE_PATH);
  const gitignorePath = path.join(repoRoot, '.planning', '.gitignore');
  // init writes only into the repository: a committed link out of it is refused before anything is created.
  assertConfined(repoRoot, configPath, 'the cairn config', 'file');
  assertConfined(repoRoot, gitignorePath, 'the .planning/.gitignore file', 'file');
  const created: string[] = [];
  const unchanged: string[] = [];

  let migrationsDir = options.migrationsDir === undefined ? DEFAULT_MIGRATIONS_DIR : trimTrailingSlashes(options.migrationsDir);
  const configExists = lstatSync(configPath, { throwIfNoEntry: false }) !== undefined;
  if (configExists) {
    const existing = await readProjectConfig(configPath);
    if (options.migrationsDir !== undefined && path.normalize(options.migrationsDir) !== path.normalize(existing.migrations_dir)) {
      throw new CairnError(
        'usage',
        `cairn is already set up in ${repoRoot} with migrations_dir '${existing.migrations_dir}'; refusing to change it to '${options.migrationsDir}'.`,
        { hint: moveRootHint(existing.migrations_dir, options.migrationsDir) },
      );
    }
    migrationsDir = existing.migrations_dir;
  }
  if (path.isAbsolute(migrationsDir) && !hasControlCharacter(migrationsDir)) {
    migrationsDir = path.relative(repoRoot, resolvePath(migrationsDir)) || migrationsDir;
  }
  migrationsDir = migrationsDir.split(path.sep).join('/');
  const liveRoot = resolveLiveRoot(repoRoot, migrationsDir);

  if (existsSync(liveRoot) && !(await fs.stat(liveRoot)).isDirectory()) {
    throw new CairnError('usage', `Cannot use ${liveRoot} as the migrations directory: it exists and is not a directory.`);
  }

  if (configExists) {
    unchanged.push(CONFIG_RELATIVE_PATH);
  } else {
    await mkdirDurable(path.dirname(configPath));
    const config = jsonObject();
    config['migrations_dir'] = migrationsDir;
    await writeFileDurable(configPath, encodeJson(config));
    created.push(CONFIG_RELATIVE_PATH);
  }

  if (existsSync(liveRoot)) {
    unchanged.push(`${migrationsDir}/`);
  } else {
    await mkdirDurable(liveRoot);
    created.push(`${migrationsDir}/`);
  }

  const current = existsSync(gitignorePath) ? await fs.readFile(gitignorePath, 'utf8') : null;
  const present = new Set((current ?? '').split(/\r?\n/).map((line) => line.trim()));
  const missing = PLANNING_GITIGNORE_LINES.filter((line) => !present.has(line));
  if (missing.length === 0) {
    unchanged.push('.planning/.gitignore');
  } else {
    const prefix = current === null || current === '' || current.endsWith('\n') ? (current ?? '') : `${current}\n`;
    const header = current === null ? '# cairn local state (never committed)\n' : '';
    await writeFileDurable(gitignorePath, `${prefix}${header}${missing.join('\n')}\n`);
    created.push('.planning/.gitignore');
  }

  return { repoRoot, configPath, migrationsDir, liveRoot, created, unchanged };
}

/** How to move the migrations root: `cairn mv --root` moves it with every path the migrations record. */
function moveRootHint(from: string, to: string): string {
  const now = trimTrailingSlashes(to).split(path.sep).join('/');
  const old = trimTrailingSlashes(from).split(path.sep).join('/');
  return (
    `To move the migrations root from ${shellWord(old)}, run \`cairn mv --root ${shellWord(now)}\`: it moves every migration, rewrites the paths their planning state records ` +
    `and sets "migrations_dir" in ${CONFIG_RELATIVE_PATH}, in one crash-safe step. To rename one migration, use \`cairn mv <slug> <new-slug>\`.`
  );
}
