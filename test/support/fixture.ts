import { chmodSync, cpSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './cli.js';

/** A repository planned with continuous-refactoring 1.0.1: its `migrations/` and expected outputs. */
export const CR_V1 = path.join(REPO_ROOT, 'test', 'fixtures', 'cr-v1');

/** Valid migrations of the cr-v1 fixture, one per status the rules gate on. */
export const READY = 'src-cli-tasks-ts-20260402T140633';
export const PLANNING = 'extract-pagination-helpers-in-reports-20260421T081406';
export const DONE = 'src-exports-queue-rb-20260402T081851';

/** The mtime of the fixture's `__transactions__/.lock` (EXPECTED.json), which git does not keep. */
export const LOCK_MTIME_EPOCH = 1779499205;

/**
 * Copies fixture migrations into the live root `live`: the named ones, or
 * the whole fixture `migrations/` (its `__transactions__` included) when
 * `slugs` is omitted. `writable` adds the owner's write bit everywhere,
 * for a checkout that is read-only.
 */
export function copyFixtureMigrations(live: string, slugs?: readonly string[], options: { writable?: boolean } = {}): void {
  const source = path.join(CR_V1, 'migrations');
  if (slugs === undefined) cpSync(source, live, { recursive: true });
  else for (const slug of slugs) cpSync(path.join(source, slug), path.join(live, slug), { recursive: true });
  if (options.writable === true) makeWritable(live);
}

/** Adds the owner's write bit to `dir` and everything below it. */
function makeWritable(dir: string): void {
  chmodSync(dir, statSync(dir).mode | 0o200);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) makeWritable(full);
    else chmodSync(full, statSync(full).mode | 0o200);
  }
}

/** The fixture's expected output with `<repo>` replaced by the real root. */
export function expectedWithRepo(text: string, repo: string): string {
  return text.split('<repo>').join(repo);
}
