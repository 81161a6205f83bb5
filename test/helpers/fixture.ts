import { cpSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './cli.js';
import { commitAll, initGitRepo } from './git.js';
import { tempDir } from './tmp.js';

export const CR_V1 = path.join(REPO_ROOT, 'test', 'fixtures', 'cr-v1');

/** From EXPECTED.json: git does not keep mtimes, so the lock's is restored. */
const LOCK_MTIME_EPOCH = 1779499205;

/**
 * A temp git repository holding the cr-v1 fixture's `migrations/` with a
 * cairn config, committed. Returns the repository root.
 */
export function fixtureRepo(options: { commit?: boolean } = {}): string {
  const repo = tempDir('cairn-fixture-');
  initGitRepo(repo);
  cpSync(path.join(CR_V1, 'migrations'), path.join(repo, 'migrations'), { recursive: true });
  mkdirSync(path.join(repo, '.planning'), { recursive: true });
  writeFileSync(path.join(repo, '.planning', 'config.json'), '{\n  "migrations_dir": "migrations"\n}\n');
  const lock = path.join(repo, 'migrations', '__transactions__', '.lock');
  utimesSync(lock, LOCK_MTIME_EPOCH, LOCK_MTIME_EPOCH);
  if (options.commit !== false) commitAll(repo, 'fixture');
  utimesSync(lock, LOCK_MTIME_EPOCH, LOCK_MTIME_EPOCH);
  return repo;
}

/** The fixture's expected output with `<repo>` replaced by the real root. */
export function expectedWithRepo(text: string, repo: string): string {
  return text.split('<repo>').join(repo);
}
