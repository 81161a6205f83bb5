import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { encodeJson, isJsonObject, jsonObject, parseJson, type JsonObject } from '../json/index.js';
import { resolvePath, toPosix } from '../util/index.js';
import { mkdirDurable, writeFileDurable } from '../fs/index.js';

/*
 * Where migrations roots went: `<repo>/.planning/work/moved-roots.json`, an
 * object from an old repo-relative root to the root it was moved to. A
 * command that resolved the old root before a root move finished may be
 * waiting for the old root's publish lock; once it has the lock, this record
 * tells it the root it locked is no longer the project's (docs/format.md
 * §14.7), so it never publishes into a recreated old root.
 */

export const MOVED_ROOTS_RELATIVE_PATH = path.join('.planning', 'work', 'moved-roots.json');

function movedRootsPath(repoRoot: string): string {
  return path.join(repoRoot, MOVED_ROOTS_RELATIVE_PATH);
}

/** The live root relative to the repository, `/`-separated. */
export function relativeRoot(repoRoot: string, liveRoot: string): string {
  return toPosix(path.relative(resolvePath(repoRoot), resolvePath(liveRoot)));
}

async function readMovedRoots(repoRoot: string): Promise<JsonObject> {
  try {
    const value = parseJson(await readFile(movedRootsPath(repoRoot), 'utf8'));
    return isJsonObject(value) ? value : jsonObject();
  } catch {
    // Missing, or not cairn's (damaged): no root is recorded as moved.
    return jsonObject();
  }
}

/**
 * The root `liveRoot` was moved to, or null when it was not moved, or when
 * `.planning/config.json` names it again (set back by hand since).
 */
export async function movedRootTarget(repoRoot: string, liveRoot: string): Promise<string | null> {
  const relative = relativeRoot(repoRoot, liveRoot);
  const target = (await readMovedRoots(repoRoot))[relative];
  if (typeof target !== 'string') return null;
  return (await configuredRoot(repoRoot)) === relative ? null : target;
}

/** `migrations_dir` as `.planning/config.json` says now (null when unreadable). */
async function configuredRoot(repoRoot: string): Promise<string | null> {
  try {
    const value = parseJson(await readFile(path.join(repoRoot, '.planning', 'config.json'), 'utf8'));
    const dir = isJsonObject(value) ? value['migrations_dir'] : undefined;
    return typeof dir === 'string' ? dir.replace(/\/+$/u, '') : null;
  } catch {
    return null;
  }
}

/** Records that `from` (repo-relative) became `to`; `to` itself is live again, so an older record for it goes. */
export async function recordMovedRoot(repoRoot: string, from: string, to: string): Promise<void> {
  const roots = await readMovedRoots(repoRoot);
  const next = jsonObject();
  for (const [key, value] of Object.entries(roots)) {
    if (key !== from && key !== to) next[key] = value;
  }
  next[from] = to;
  await mkdirDurable(path.dirname(movedRootsPath(repoRoot)));
  await writeFileDurable(movedRootsPath(repoRoot), encodeJson(next));
}
