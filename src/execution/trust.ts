import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { mkdir, open, realpath, rm } from 'node:fs/promises';
import path from 'node:path';
import { loadUserAgentConfig, userConfigPath, type TrustedValidateEntry } from '../agent/index.js';
import { fsyncDir, mkdirDurable, pathExists, writeFileDurable } from '../fs/index.js';
import { readJsonFile, toPlainJson } from '../json/index.js';
import { CairnError, errnoCode, messageOf } from '../util/index.js';

/*
 * The trust store for validation commands named by a repository's
 * `.planning/config.json`. A cloned repository must never be able to make
 * cairn run a command on someone's machine, so its `validate` command runs
 * only when this user has recorded the SHA-256 of its exact text for that
 * repository, in the user's own config (`trusted_validate`). A changed
 * command has another digest and is untrusted again.
 *
 * Writes are read-modify-write of the whole user config under a lock file
 * beside it (`config.json.lock`, created exclusively), so two cairn
 * processes trusting at once both land; every other key of the file is kept
 * as it was.
 */

/** One trusted command: the repository's real root, the command's digest, when. */
export type TrustEntry = TrustedValidateEntry;

/** How long a writer waits for another one to release the lock file. */
const LOCK_WAIT_MS = 10_000;
const LOCK_RETRY_MS = 20;

/** Lowercase hex SHA-256 of the command's exact text, UTF-8 encoded. */
export function validateCommandDigest(command: string): string {
  return createHash('sha256').update(command, 'utf8').digest('hex');
}

/** The repository as the trust store names it: the real path of its root (the absolute path when it cannot be resolved). */
export async function trustedRepoKey(repoRoot: string): Promise<string> {
  const absolute = path.resolve(repoRoot);
  try {
    return await realpath(absolute);
  } catch {
    return absolute;
  }
}

/** Every trusted command, in the order they were recorded (an empty list without a user config). */
export async function listTrusted(env: NodeJS.ProcessEnv = process.env): Promise<TrustEntry[]> {
  const loaded = await loadUserAgentConfig(env);
  return loaded.config.trusted_validate ?? [];
}

/** The trusted commands of one repository. */
export async function listTrustedFor(repoRoot: string, env: NodeJS.ProcessEnv = process.env): Promise<TrustEntry[]> {
  const repo = await trustedRepoKey(repoRoot);
  return (await listTrusted(env)).filter((entry) => entry.repo === repo);
}

/** True when this user trusts exactly `command` for the repository at `repoRoot`. */
export async function isTrusted(repoRoot: string, command: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const sha256 = validateCommandDigest(command);
  return (await listTrustedFor(repoRoot, env)).some((entry) => entry.sha256 === sha256);
}

/**
 * Records `command` as trusted for the repository at `repoRoot` (a
 * repository may have several trusted commands, one per text, e.g. across
 * branches). `alreadyTrusted` when it was recorded before; the file is then
 * left untouched.
 */
export async function trustCommand(
  repoRoot: string,
  command: string,
  env: NodeJS.ProcessEnv = process.env,
  now: Date = new Date(),
): Promise<{ alreadyTrusted: boolean; configPath: string }> {
  const repo = await trustedRepoKey(repoRoot);
  const sha256 = validateCommandDigest(command);
  const configPath = userConfigPath(env);
  let alreadyTrusted = false;
  await updateTrustedEntries(env, (entries) => {
    if (entries.some((entry) => entry.repo === repo && entry.sha256 === sha256)) {
      alreadyTrusted = true;
      return null;
    }
    return [...entries, { repo, sha256, trusted_at: now.toISOString() }];
  });
  return { alreadyTrusted, configPath };
}

/** Removes every trusted command of the repository at `repoRoot`; returns how many were removed. */
export async function revokeTrust(repoRoot: string, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const repo = await trustedRepoKey(repoRoot);
  let removed = 0;
  await updateTrustedEntries(env, (entries) => {
    const kept = entries.filter((entry) => entry.repo !== repo);
    removed = entries.length - kept.length;
    return removed === 0 ? null : kept;
  });
  return removed;
}

/**
 * Read-modify-write of `trusted_validate` under the lock: `change` returns
 * the new list, or null to leave the file alone. It may be called twice:
 * once to see whether anything changes, then under the lock. The file must
 * be a valid user config (an invalid one is reported, never overwritten);
 * an empty list drops the key.
 */
async function updateTrustedEntries(env: NodeJS.ProcessEnv, change: (entries: TrustEntry[]) => TrustEntry[] | null): Promise<void> {
  const file = userConfigPath(env);
  // Nothing to write (already trusted, nothing to revoke): no directory, no lock.
  if (change((await loadUserAgentConfig(env)).config.trusted_validate ?? []) === null) return;
  await ensurePrivateDir(path.dirname(file));
  await withLockFile(`${file}.lock`, async () => {
    const loaded = await loadUserAgentConfig(env);
    const next = change(loaded.config.trusted_validate ?? []);
    if (next === null) return;
    const raw = loaded.exists ? await readRawObject(file) : {};
    if (next.length === 0) delete raw['trusted_validate'];
    else raw['trusted_validate'] = next;
    try {
      await writeFileDurable(file, `${JSON.stringify(raw, null, 2)}\n`, loaded.exists ? {} : { mode: 0o600 });
    } catch (error) {
      throw new CairnError('io', `Could not write user config ${file}: ${messageOf(error)}`, { path: file, cause: error });
    }
  });
}

/** The user config as the object it is on disk, keys in their order (already validated by the caller). */
async function readRawObject(file: string): Promise<Record<string, unknown>> {
  try {
    return toPlainJson(await readJsonFile(file)) as Record<string, unknown>;
  } catch (error) {
    throw new CairnError('invalid-config', `Could not read user config ${file}: ${messageOf(error)}`, { path: file, cause: error });
  }
}

/** Creates the user config directory, private to the user (0700), when it is missing; an existing one is left as it is. */
async function ensurePrivateDir(dir: string): Promise<void> {
  try {
    if (await pathExists(dir)) return;
    await mkdirDurable(path.dirname(dir));
    try {
      await mkdir(dir, { mode: 0o700 });
    } catch (error) {
      if (errnoCode(error) !== 'EEXIST') throw error;
      return;
    }
    await fsyncDir(path.dirname(dir));
  } catch (error) {
    throw new CairnError('io', `Could not create the user config directory ${dir}: ${messageOf(error)}`, {
      path: dir,
      hint: 'Make it writable for this user, or set XDG_CONFIG_HOME to a directory that is.',
      cause: error,
    });
  }
}

/**
 * Runs `fn` holding `lockPath`, a file created exclusively and removed
 * afterwards. Waits up to {@link LOCK_WAIT_MS} for another holder; a lock
 * left by a process that died is not taken over (its owner is named, and
 * removing it is for the user to decide).
 */
async function withLockFile<T>(lockPath: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx', 0o600);
      try {
        await handle.writeFile(`${JSON.stringify({ pid: process.pid, hostname: hostname(), created_at: new Date().toISOString() })}\n`);
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if (errnoCode(error) !== 'EEXIST') {
        throw new CairnError('io', `Could not create lock file ${lockPath}: ${messageOf(error)}`, { path: lockPath, cause: error });
      }
      if (Date.now() >= deadline) {
        throw new CairnError('lock-timeout', `Another cairn is updating the user config: ${lockPath} has existed for over ${LOCK_WAIT_MS / 1000} s.`, {
          path: lockPath,
          hint: `If no cairn is running (its pid and host are in the file), remove ${lockPath} and try again.`,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, LOCK_RETRY_MS));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockPath, { force: true });
  }
}
