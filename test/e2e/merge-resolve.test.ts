import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { acquireRunLease } from '../../src/planning/run-lease.js';
import { AGENT } from '../support/agents.js';
import { commitAll, git } from '../support/git.js';
import { SLUG, copyRepo, newPlanRepo, type PlanRepo } from '../support/plan-repo.js';
import { templateDir } from '../support/tmp.js';
import { expectDoctorClean } from './support.js';

/*
 * Two branches each run a planning step of the same migration; merging
 * them conflicts in manifest.json, state.json and the sums.
 */

let branched: PlanRepo;
beforeAll(() => {
  branched = newPlanRepo(templateDir());
  git(branched.repo, ['branch', 'other']);
  expect(branched.cli(['plan', SLUG, ...AGENT, '--commit']).code).toBe(0);
  git(branched.repo, ['checkout', '--quiet', 'other']);
  expect(branched.cli(['plan', SLUG, ...AGENT, '--commit']).code).toBe(0);
  git(branched.repo, ['checkout', '--quiet', 'main']);
});

const DIR = `migrations/${SLUG}`;

function conflictedRepo(): PlanRepo {
  const p = copyRepo(branched);
  const merge = spawnSync('git', ['merge', '--no-edit', 'other'], { cwd: p.repo, encoding: 'utf8' });
  expect(merge.status).toBe(1);
  expect(merge.stdout).toContain(`CONFLICT (content): Merge conflict in ${DIR}/manifest.json`);
  return p;
}

/** Every tracked file of the migration at `rev`, with its content. */
function filesAt(p: PlanRepo, rev: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of git(p.repo, ['ls-tree', '-r', '--name-only', rev, '--', DIR]).trim().split('\n')) {
    out[file] = git(p.repo, ['show', `${rev}:${file}`]);
  }
  return out;
}

/** The same files as they are in the work tree now. */
function filesOnDisk(p: PlanRepo, files: string[]): Record<string, string> {
  return Object.fromEntries(files.map((file) => [file, readFileSync(path.join(p.repo, file), 'utf8')]));
}

describe('a conflicted git merge of a migration', () => {
  it('list and status say merge conflict and name cairn resolve', () => {
    const p = conflictedRepo();
    const list = p.cli(['list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toBe(
      [
        'MIGRATION  STATUS          NEXT     REVIEW  REASON',
        `alpha      merge-conflict  blocked          merge conflict in manifest.json and .planning/state.json: cairn resolve alpha --ours|--theirs`,
        '',
      ].join('\n'),
    );
    const again = p.cli(['list', '--format', 'json']);
    expect(JSON.parse(again.stdout).migrations).toEqual([
      {
        slug: SLUG,
        status: 'merge-conflict',
        cursor: 'blocked',
        awaiting_review: false,
        last_touch: null,
        cooldown_until: null,
        reason: 'merge conflict in manifest.json and .planning/state.json: cairn resolve alpha --ours|--theirs',
        blocked: true,
      },
    ]);
    const status = p.cli(['status', SLUG]);
    expect(status.code).toBe(1);
    expect(status.stdout).toBe('');
    expect(status.stderr).toBe(
      "Error: Migration 'alpha' has a git merge conflict in manifest.json and .planning/state.json.\n" +
        'Hint: Take one side with `cairn resolve alpha --ours` or `--theirs`, or edit the files and run `cairn doctor alpha`.\n',
    );
    const json = p.cli(['status', SLUG, '--format', 'json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).error).toEqual({
      code: 'merge-conflict',
      message: "Migration 'alpha' has a git merge conflict in manifest.json and .planning/state.json.",
      hint: 'Take one side with `cairn resolve alpha --ours` or `--theirs`, or edit the files and run `cairn doctor alpha`.',
      path: p.dir,
    });
  });

  it('resolve --theirs takes the other branch, doctor is clean, it is staged and the merge commits', () => {
    const p = conflictedRepo();
    const theirs = filesAt(p, 'other');
    const dry = p.cli(['resolve', SLUG, '--theirs', '--dry-run', '--format', 'json']);
    expect(dry.code).toBe(0);
    const plan = JSON.parse(dry.stdout);
    expect(plan.dry_run).toBe(true);
    expect(plan.staged).toBe(false);
    expect(plan.conflicted).toEqual(['.planning/state.json', 'manifest.json']);
    expect(filesOnDisk(p, ['manifest.json'].map((f) => `${DIR}/${f}`))[`${DIR}/manifest.json`]).toContain('<<<<<<<');

    const result = p.cli(['resolve', SLUG, '--theirs']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Took --theirs from MERGE_HEAD (');
    expect(result.stdout).toContain('Staged alpha: doctor found no error. Run `git commit` to complete the merge.\n');
    expect(filesOnDisk(p, Object.keys(theirs))).toEqual(theirs);
    expect(git(p.repo, ['ls-files', '-u'])).toBe('');
    expect(git(p.repo, ['diff', '--cached', '--name-only', 'other', '--', DIR])).toBe('');
    expect(git(p.repo, ['diff', '--cached', '--name-only', '--', DIR])).not.toBe('');
    expectDoctorClean(p);
    git(p.repo, ['commit', '--quiet', '--no-edit']);
    expect(git(p.repo, ['rev-list', '--parents', '-n', '1', 'HEAD']).trim().split(' ')).toHaveLength(3);
    expect(git(p.repo, ['diff', '--name-only', 'HEAD', 'other', '--', DIR])).toBe('');
    expect(p.cli(['status', SLUG]).code).toBe(0);
    // The conflicted row was not cached: the index serves the merged migration.
    const listed = JSON.parse(p.cli(['list', '--format', 'json']).stdout).migrations[0];
    expect([listed.status, listed.blocked]).toEqual(['planning', false]);
  });

  it('resolve --ours keeps this branch, with JSON output', () => {
    const p = conflictedRepo();
    const ours = filesAt(p, 'HEAD');
    const result = p.cli(['resolve', SLUG, '--ours', '--format', 'json']);
    expect(result.code).toBe(0);
    const payload = JSON.parse(result.stdout);
    expect(payload.side).toBe('ours');
    expect(payload.commit).toBe(git(p.repo, ['rev-parse', 'HEAD']).trim());
    expect(payload.staged).toBe(true);
    expect(payload.findings).toEqual([]);
    expect(filesOnDisk(p, Object.keys(ours))).toEqual(ours);
    expect(git(p.repo, ['diff', '--cached', '--name-only', 'HEAD', '--', DIR])).toBe('');
    git(p.repo, ['commit', '--quiet', '--no-edit']);
    expect(git(p.repo, ['diff', '--name-only', 'HEAD~1', 'HEAD', '--', DIR])).toBe('');
  });

  it('the dry run changes nothing', () => {
    const p = conflictedRepo();
    const before = git(p.repo, ['status', '--porcelain']);
    const manifest = readFileSync(path.join(p.dir, 'manifest.json'), 'utf8');
    const dry = p.cli(['resolve', SLUG, '--ours', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^Conflicted in alpha: .*manifest\.json.*\nDry run: would take --ours from HEAD \([0-9a-f]{12}\): \d+ files; nothing was changed\.\n$/);
    expect(git(p.repo, ['status', '--porcelain'])).toBe(before);
    expect(readFileSync(path.join(p.dir, 'manifest.json'), 'utf8')).toBe(manifest);
  });

  it('refuses without a merge in progress, and without exactly one side', () => {
    const p = copyRepo(branched);
    const result = p.cli(['resolve', SLUG, '--theirs']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'Error: No git merge is in progress, so alpha has no merge conflict to resolve.\nHint: Run `cairn doctor alpha` to check the migration.\n',
    );
    const both = p.cli(['resolve', SLUG, '--ours', '--theirs']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('Error: resolve requires exactly one of --ours or --theirs.\n');
    expect(readdirSync(p.dir)).toContain('manifest.json');
  });

  it('refuses while a run holds the lease of the migration, and when the conflict is elsewhere', async () => {
    const p = conflictedRepo();
    const lease = await acquireRunLease(p.repo, SLUG, { operation: 'plan', step: 'expand' });
    try {
      const busy = p.cli(['resolve', SLUG, '--theirs']);
      expect(busy.code).toBe(1);
      expect(busy.stderr).toMatch(/^Error: Refusing to resolve alpha: alpha is being planned by pid \d+ since .* \(step expand\)\.\nHint: Wait for that run to finish, then run `cairn resolve alpha --theirs` again\.\n$/);
      expect(git(p.repo, ['ls-files', '-u', '--', DIR])).not.toBe('');
    } finally {
      await lease.release();
    }

    const q = copyRepo(branched);
    writeFileSync(path.join(q.repo, 'notes.txt'), 'main\n');
    commitAll(q.repo, 'notes on main');
    git(q.repo, ['checkout', '--quiet', '-b', 'notes', 'main~1']);
    writeFileSync(path.join(q.repo, 'notes.txt'), 'notes\n');
    commitAll(q.repo, 'notes on a branch');
    git(q.repo, ['checkout', '--quiet', 'main']);
    expect(spawnSync('git', ['merge', '--no-edit', 'notes'], { cwd: q.repo }).status).toBe(1);
    const elsewhere = q.cli(['resolve', SLUG, '--ours']);
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toBe(
      `Error: The merge in progress has no conflict in alpha (${DIR}).\nHint: Resolve the other conflicts \`git status\` lists, then \`git commit\`.\n`,
    );
  });

  it('leaves a side that doctor finds errors in unstaged and says so', () => {
    const p = copyRepo(branched);
    git(p.repo, ['checkout', '--quiet', 'other']);
    const manifestFile = path.join(p.dir, 'manifest.json');
    writeFileSync(manifestFile, readFileSync(manifestFile, 'utf8').replace('"status": "planning"', '"status": "finished"'));
    commitAll(p.repo, 'a bad status');
    git(p.repo, ['checkout', '--quiet', 'main']);
    expect(spawnSync('git', ['merge', '--no-edit', 'other'], { cwd: p.repo }).status).toBe(1);
    const result = p.cli(['resolve', SLUG, '--theirs', '--format', 'json']);
    expect(result.code).toBe(1);
    const payload = JSON.parse(result.stdout);
    expect(payload.staged).toBe(false);
    expect(payload.findings.some((finding: { severity: string }) => finding.severity === 'error')).toBe(true);
    expect(readFileSync(manifestFile, 'utf8')).toBe(git(p.repo, ['show', `other:${DIR}/manifest.json`]));
    expect(git(p.repo, ['ls-files', '-u', '--', `${DIR}/manifest.json`])).not.toBe('');
  });
});
