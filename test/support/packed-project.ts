import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, cliEnv } from './cli.js';

/*
 * cairn as a user gets it: `npm pack` of this checkout, installed into a
 * fresh project somewhere else, run through npm's own `npx`.
 */

/** How long one npm or npx call may take before it is killed. */
export const NPM_TIMEOUT_MS = 60_000;

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dev?: boolean;
  link?: boolean;
  [key: string]: unknown;
}

interface PackageJson {
  name: string;
  version: string;
  license?: string;
  bin?: Record<string, string>;
  engines?: Record<string, string>;
  dependencies?: Record<string, string>;
}

/** This checkout's package.json. */
export function ownPackage(): PackageJson {
  return JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as PackageJson;
}

/**
 * The environment for npm and npx in a project outside the checkout. Under
 * `npm test` the environment carries `npm_config_local_prefix` and friends
 * pointing at this checkout, and PATH starts with its `node_modules/.bin`;
 * left in, they would make npm install into (and npx run from) the checkout.
 * The global prefix is an empty directory so no globally installed cairn
 * can answer either.
 */
export function npmEnv(globalPrefix: string): Record<string, string> {
  const kept = ['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig'];
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(cliEnv())) {
    const lower = key.toLowerCase();
    if (lower.startsWith('npm_') && !kept.includes(lower)) continue;
    if (lower === 'init_cwd') continue;
    env[key] = value;
  }
  env.PATH = (env.PATH ?? '')
    .split(path.delimiter)
    .filter((dir) => !dir.split(path.sep).includes('node_modules'))
    .join(path.delimiter);
  return {
    ...env,
    npm_config_prefix: globalPrefix,
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
  };
}

/** Runs `command` (npm, npx, git) in `cwd` with a timeout; a timeout is reported in stderr. */
export function run(command: string, args: string[], cwd: string, env: Record<string, string>): CommandResult {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: NPM_TIMEOUT_MS, killSignal: 'SIGKILL', input: '' });
  const timedOut = (result.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
  if (result.error && !timedOut) throw result.error;
  const stderr = timedOut ? `${result.stderr}\n\`${command} ${args.join(' ')}\` timed out after ${NPM_TIMEOUT_MS} ms\n` : result.stderr;
  return { code: result.status, stdout: result.stdout, stderr };
}

export interface PackedTarball {
  file: string;
  integrity: string;
}

/**
 * `npm pack` of the checkout into `dir`. `--ignore-scripts` skips `prepare`
 * (the build): the suite runs against a built dist/ already, as every e2e
 * test does.
 */
export function packCheckout(dir: string, env: Record<string, string>): PackedTarball {
  const packed = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], REPO_ROOT, env);
  if (packed.code !== 0) throw new Error(`npm pack failed:\n${packed.stderr}`);
  const [entry] = JSON.parse(packed.stdout) as { filename: string; integrity: string }[];
  if (!entry) throw new Error(`npm pack printed no package:\n${packed.stdout}`);
  return { file: path.join(dir, entry.filename), integrity: entry.integrity };
}

/**
 * The lockfile `npm install --save-dev <tarball>` would write in a fresh
 * project, with every dependency pinned to the version, URL and integrity
 * in this checkout's package-lock.json. With it, `npm ci` needs no registry
 * metadata (which the npm cache does not hold after an `npm ci`), only the
 * package tarballs, which the cache holds by integrity.
 */
export function consumerLockfile(projectName: string, tarballSpec: string, tarball: PackedTarball): object {
  const own = ownPackage();
  const repoLock = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const packages: Record<string, LockEntry> = {
    '': { name: projectName, version: '1.0.0', devDependencies: { [own.name]: tarballSpec } },
    [`node_modules/${own.name}`]: {
      version: own.version,
      resolved: tarballSpec,
      integrity: tarball.integrity,
      dev: true,
      license: own.license,
      dependencies: own.dependencies,
      bin: own.bin,
      engines: own.engines,
    },
  };
  // The entries cairn needs at run time: those npm did not mark dev-only.
  for (const [key, entry] of Object.entries(repoLock.packages)) {
    if (key === '' || entry.dev === true || entry.link === true) continue;
    packages[key] = { ...entry, dev: true };
  }
  return { name: projectName, version: '1.0.0', lockfileVersion: 3, requires: true, packages };
}

/**
 * A fresh project in `dir` with the tarball installed as a devDependency,
 * as `npm install --save-dev <tarball>` leaves it.
 *
 * Installed with `npm ci --prefer-offline --ignore-scripts`: every package
 * comes from the npm cache that the checkout's own `npm ci` filled (the
 * registry is asked only for one missing from it). Scripts are skipped
 * because better-sqlite3's install script would fetch or compile the native
 * addon again (a minute or more); the addon the checkout's install built is
 * copied in instead, which is valid because the lockfile pins the same
 * better-sqlite3 version.
 */
export function installIntoFreshProject(dir: string, tarball: PackedTarball, env: Record<string, string>): void {
  const name = 'cairn-consumer';
  const spec = `file:${path.relative(dir, tarball.file).split(path.sep).join('/')}`;
  writeFileSync(
    path.join(dir, 'package.json'),
    `${JSON.stringify({ name, version: '1.0.0', private: true, devDependencies: { [ownPackage().name]: spec } }, null, 2)}\n`,
  );
  writeFileSync(path.join(dir, 'package-lock.json'), `${JSON.stringify(consumerLockfile(name, spec, tarball), null, 2)}\n`);
  const installed = run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], dir, env);
  if (installed.code !== 0) throw new Error(`npm ci of the packed tarball failed:\n${installed.stderr}`);
  copyNativeAddon(dir);
}

function copyNativeAddon(projectDir: string): void {
  const from = path.join(REPO_ROOT, 'node_modules', 'better-sqlite3');
  const to = path.join(projectDir, 'node_modules', 'better-sqlite3');
  const version = (dir: string): string => (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  if (version(from) !== version(to)) {
    throw new Error(`better-sqlite3 ${version(to)} was installed but the checkout built ${version(from)}; run \`npm ci\` in the checkout`);
  }
  const addon = path.join('build', 'Release', 'better_sqlite3.node');
  mkdirSync(path.dirname(path.join(to, addon)), { recursive: true });
  copyFileSync(path.join(from, addon), path.join(to, addon));
}
