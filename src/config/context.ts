import { existsSync, lstatSync, statSync } from 'node:fs';
import path from 'node:path';
import { CairnError, isInside, resolvePath, toPosix } from '../util/index.js';
import { hasControlCharacter, migrationsDirProblem, showMigrationsDir, trimTrailingSlashes } from './migrations-dir.js';
import { gitTopLevel } from '../fs/index.js';
import { findProjectRoot, readProjectConfig } from './load.js';
import type { ProjectConfig } from './schema.js';
import { CONFIG_RELATIVE_PATH, DEFAULT_LOCK_TIMEOUT_MS } from './config-rules.js';

/** Where a command works: the repository, its config and its live migrations root. */
export interface ProjectContext {
  /** Repository root, symlinks resolved. */
  repoRoot: string;
  /** `.planning/config.json`, or null when running from flags alone. */
  configPath: string | null;
  config: ProjectConfig | null;
  /** The migrations dir as configured or given (repo-relative when relative). */
  migrationsDir: string;
  /** The live migrations root, absolute, symlinks resolved. */
  liveRoot: string;
  lockTimeoutMs: number;
  reviewPolicy: 'when-flagged' | 'always';
}

export interface ContextOptions {
  cwd: string;
  /** `--repo`: the repository root, instead of walking up from cwd. */
  repo?: string | undefined;
  /** `--migrations-dir`: overrides the config's `migrations_dir`. */
  migrationsDir?: string | undefined;
}

/**
 * Check that a migrations dir stays inside the repository and return it
 * resolved. Used by `init` (before anything exists) and by every command.
 */
export function resolveLiveRoot(repoRoot: string, migrationsDir: string): string {
  if (migrationsDir.trim() === '') {
    throw new CairnError('invalid-config', 'migrations_dir must not be empty.', {
      hint: 'Set "migrations_dir" in .planning/config.json, e.g. "migrations".',
    });
  }
  // A NUL or other control character never reaches the filesystem.
  if (hasControlCharacter(migrationsDir)) throw invalidMigrationsDir(migrationsDir, migrationsDirProblem(migrationsDir) as string);
  const liveRoot = resolvePath(path.resolve(repoRoot, migrationsDir));
  if (!isInside(liveRoot, repoRoot) || liveRoot === repoRoot) {
    throw new CairnError(
      'invalid-config',
      `migrations_dir escapes the repository: '${migrationsDir}' resolves to ${liveRoot}, which is not a directory below ${repoRoot}.`,
      { hint: 'Choose a directory inside the repository, e.g. --migrations-dir migrations.' },
    );
  }
  const problem = migrationsDirProblem(migrationsDir);
  if (problem !== null) throw invalidMigrationsDir(migrationsDir, problem);
  // A symlinked component may still lead into `.git` or `.planning`.
  const resolved = migrationsDirProblem(toPosix(path.relative(repoRoot, liveRoot)));
  if (resolved !== null) throw invalidMigrationsDir(migrationsDir, `it resolves to ${liveRoot}: ${resolved}`);
  return liveRoot;
}

function invalidMigrationsDir(migrationsDir: string, problem: string): CairnError {
  return new CairnError('invalid-config', `migrations_dir ${showMigrationsDir(migrationsDir)} is not a plain relative path inside the repository: ${problem}.`, {
    hint: 'Set "migrations_dir" in .planning/config.json (or --migrations-dir) to a relative path of ordinary directory names, e.g. "migrations".',
  });
}

export async function resolveProjectContext(options: ContextOptions): Promise<ProjectContext> {
  let repoRoot: string;
  if (options.repo !== undefined) {
    const given = path.resolve(options.cwd, options.repo);
    if (!existsSync(given) || !statSync(given).isDirectory()) {
      throw new CairnError('usage', `--repo ${options.repo}: no such directory (${given}).`);
    }
    repoRoot = resolvePath(given);
    // --repo may name a directory inside the project, as the working directory may.
    if (options.migrationsDir === undefined && lstatSync(path.join(repoRoot, CONFIG_RELATIVE_PATH), { throwIfNoEntry: false }) === undefined) {
      const found = await findProjectRoot(repoRoot);
      if (found !== null) repoRoot = resolvePath(found);
    }
  } else {
    const found = await findProjectRoot(options.cwd);
    if (found !== null) {
      repoRoot = resolvePath(found);
    } else if (options.migrationsDir !== undefined) {
      repoRoot = resolvePath(gitTopLevel(options.cwd) ?? options.cwd);
    } else {
      throw new CairnError(
        'not-initialized',
        `No cairn project here: no ${CONFIG_RELATIVE_PATH} in ${path.resolve(options.cwd)} or any directory above it.`,
        { hint: 'Run `cairn init` at the repository root, or pass --repo <dir> or --migrations-dir <dir>.' },
      );
    }
  }

  const configPath = path.join(repoRoot, CONFIG_RELATIVE_PATH);
  // lstat, not stat: a dangling link or a FIFO is there, and refused when read.
  const hasConfig = lstatSync(configPath, { throwIfNoEntry: false }) !== undefined;
  const config = hasConfig ? await readProjectConfig(configPath) : null;
  const migrationsDir = options.migrationsDir === undefined ? config?.migrations_dir : flagMigrationsDir(repoRoot, options.migrationsDir);
  if (migrationsDir === undefined) {
    throw new CairnError('not-initialized', `No cairn project in ${repoRoot}: ${CONFIG_RELATIVE_PATH} is missing.`, {
      hint: 'Run `cairn init` there, or pass --migrations-dir <dir>.',
    });
  }
  return {
    repoRoot,
    configPath: hasConfig ? configPath : null,
    config,
    migrationsDir,
    liveRoot: resolveLiveRoot(repoRoot, migrationsDir),
    lockTimeoutMs: config?.lock_timeout_ms ?? DEFAULT_LOCK_TIMEOUT_MS,
    reviewPolicy: config?.review ?? 'when-flagged',
  };
}

/**
 * `--migrations-dir` may be given absolute, or with the trailing `/` shell
 * completion adds; it is checked as the relative path it names.
 */
function flagMigrationsDir(repoRoot: string, flag: string): string {
  const given = trimTrailingSlashes(flag);
  if (!path.isAbsolute(given) || hasControlCharacter(given)) return given;
  const relative = path.relative(repoRoot, resolvePath(given));
  const outside = relative === '' || relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative);
  return outside ? given : toPosix(relative);
}
