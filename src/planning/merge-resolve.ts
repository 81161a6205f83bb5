import { chmodSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CairnError } from '../util/index.js';
import { assertConfined, runGit, runGitBytes } from '../fs/index.js';
import { doctorMigration, type DoctorGroup } from '../consistency/index.js';
import type { Finding } from '../migration/index.js';
import { describeRunLease, readRunLease } from './run-lease.js';

/** Which side of a merge `cairn resolve` takes: HEAD's (`ours`) or MERGE_HEAD's (`theirs`). */
export type MergeSide = 'ours' | 'theirs';

/** What `cairn resolve` did, or would do under `--dry-run`. */
export interface MergeResolution {
  slug: string;
  side: MergeSide;
  /** The commit the migration directory was taken from. */
  commit: string;
  /** The conflicted paths of the migration, relative to it, sorted. */
  conflicted: string[];
  /** Files written from `commit`, relative to the migration directory, sorted. */
  written: string[];
  /** Tracked files `commit` lacks, removed, relative to the migration directory, sorted. */
  removed: string[];
  dryRun: boolean;
  /** Doctor's findings on the result; empty under `--dry-run`. */
  findings: Finding[];
  /** True when the directory was `git add`ed: doctor found no error. */
  staged: boolean;
}

interface TreeEntry {
  mode: string;
  sha: string;
  /** Relative to the repository root, with `/`. */
  path: string;
}

function git(repoRoot: string, args: string[], what: string): string {
  const result = runGit(repoRoot, args);
  if (result.status !== 0 || result.error !== undefined) {
    throw new CairnError('failed', `git ${args[0] ?? ''} failed while ${what}: ${(result.stderr || result.error?.message || '').trim()}`);
  }
  return result.stdout;
}

function nulSeparated(text: string): string[] {
  return text.split('\0').filter((entry) => entry !== '');
}

/** The migration directory relative to the repository root, with `/`. */
function repoRelative(repoRoot: string, dir: string): string {
  return path.relative(repoRoot, dir).split(path.sep).join('/');
}

function inDir(dirRel: string, file: string): string {
  return file.slice(dirRel.length + 1);
}

function refuse(message: string, hint: string): CairnError {
  return new CairnError('no-merge-conflict', message, { hint });
}

function treeEntries(repoRoot: string, commit: string, dirRel: string): TreeEntry[] {
  return nulSeparated(git(repoRoot, ['ls-tree', '-r', '-z', '--full-tree', commit, '--', dirRel], 'listing the migration in that commit')).map(
    (line) => {
      const tab = line.indexOf('\t');
      const [mode = '', , sha = ''] = line.slice(0, tab).split(' ');
      return { mode, sha, path: line.slice(tab + 1) };
    },
  );
}

function writeEntry(repoRoot: string, entry: TreeEntry): void {
  const target = path.join(repoRoot, ...entry.path.split('/'));
  const bytes = runGitBytes(repoRoot, ['cat-file', 'blob', entry.sha]);
  if (bytes === null) throw new CairnError('failed', `Could not read ${entry.path} (${entry.sha}) from git.`);
  mkdirSync(path.dirname(target), { recursive: true });
  assertConfined(repoRoot, path.dirname(target), 'the directory of a file the merge resolution writes', 'directory');
  rmSync(target, { force: true });
  if (entry.mode === '120000') {
    symlinkSync(bytes.toString('utf8'), target);
    return;
  }
  writeFileSync(target, bytes);
  chmodSync(target, entry.mode === '100755' ? 0o755 : 0o644);
}

/**
 * `cairn resolve <slug> --ours|--theirs`: during a `git merge` that
 * conflicts in the migration directory `dir`, make the directory's tracked
 * files exactly those of HEAD (`ours`) or MERGE_HEAD (`theirs`) (files only
 * on the other side are removed, untracked files are left alone), check it
 * with doctor, and `git add` it when doctor finds no error so the merge can
 * be committed. With doctor errors the files stay as written and nothing is
 * staged. Refuses without a merge in progress, without a conflict in the
 * migration, or while a cairn run holds the migration's run lease.
 */
export async function resolveMergeConflict(
  target: { slug: string; path: string },
  options: { repoRoot: string; side: MergeSide; dryRun: boolean },
): Promise<MergeResolution> {
  const { repoRoot, side, dryRun } = options;
  const { slug } = target;
  const dirRel = repoRelative(repoRoot, target.path);
  const mergeHead = runGit(repoRoot, ['rev-parse', '-q', '--verify', 'MERGE_HEAD^{commit}']);
  if (mergeHead.status !== 0) {
    throw refuse(`No git merge is in progress, so ${slug} has no merge conflict to resolve.`, `Run \`cairn doctor ${slug}\` to check the migration.`);
  }
  const unmerged = [...new Set(nulSeparated(git(repoRoot, ['ls-files', '-u', '-z', '--', dirRel], 'listing the unmerged files')).map((line) => line.slice(line.indexOf('\t') + 1)))];
  if (unmerged.length === 0) {
    throw refuse(`The merge in progress has no conflict in ${slug} (${dirRel}).`, 'Resolve the other conflicts `git status` lists, then `git commit`.');
  }
  const holder = await readRunLease(repoRoot, slug);
  if (holder !== null && !holder.staleness.stale) {
    throw new CairnError('blocked', `Refusing to resolve ${slug}: ${describeRunLease(slug, holder)}.`, {
      path: holder.path,
      hint: `Wait for that run to finish, then run \`cairn resolve ${slug} --${side}\` again.`,
    });
  }
  const commit = git(repoRoot, ['rev-parse', '--verify', side === 'ours' ? 'HEAD^{commit}' : 'MERGE_HEAD^{commit}'], 'naming the commit').trim();
  const entries = treeEntries(repoRoot, commit, dirRel);
  const wanted = new Set(entries.map((entry) => entry.path));
  const tracked = [...new Set(nulSeparated(git(repoRoot, ['ls-files', '-z', '--', dirRel], 'listing the tracked files')))];
  const extra = tracked.filter((file) => !wanted.has(file)).sort();
  const conflicted = unmerged.map((file) => inDir(dirRel, file)).sort();
  const result: MergeResolution = {
    slug,
    side,
    commit,
    conflicted,
    written: entries.map((entry) => inDir(dirRel, entry.path)).sort(),
    removed: extra.map((file) => inDir(dirRel, file)),
    dryRun,
    findings: [],
    staged: false,
  };
  if (dryRun) return result;
  assertConfined(repoRoot, target.path, 'the migration directory', 'directory');
  for (const file of extra) rmSync(path.join(repoRoot, ...file.split('/')), { force: true });
  for (const entry of entries) writeEntry(repoRoot, entry);
  const group: DoctorGroup = await doctorMigration(target, { repoRoot });
  result.findings = group.findings;
  if (group.findings.some((finding) => finding.severity === 'error')) return result;
  git(repoRoot, ['add', '-u', '--', dirRel], 'staging the migration');
  if (entries.length > 0) git(repoRoot, ['add', '-f', '--', ...entries.map((entry) => entry.path)], 'staging the migration');
  result.staged = true;
  return result;
}
