import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { procStat } from '../../src/fs/proc.js';
import { AGENT } from '../support/agents.js';
import { git } from '../support/git.js';
import { SLUG, copyRepo, newPlanRepo, workRuns, type PlanRepo } from '../support/plan-repo.js';
import { tempDir, templateDir } from '../support/tmp.js';
import { footprint } from './support.js';

/*
 * `cairn clean` removes the workspaces of runs that are over and keeps live
 * ones: a planning run whose cairn still runs, the manual run `cairn accept`
 * would continue (unless --all), an execution run whose cairn still runs.
 */

const EXECUTION_RUN = '20260101T000000000-0123456789ab';
const EXECUTION_BRANCH = 'cairn/alpha/phase-1-add-api';
const LIVE_RUN = '20000101T000000000-0000000000000000';

let template: PlanRepo;
beforeAll(() => {
  template = newPlanRepo(templateDir());
});

/** A pid that no process has any more. */
function deadPid(): number {
  const child = spawnSync('true');
  return child.pid as number;
}

/** What a `cairn run` killed mid-phase leaves: its run directory with a worktree on a fresh branch and a record naming a dead cairn. */
function abandonedExecutionRun(p: PlanRepo): string {
  const runDir = path.join(p.repo, '.planning', 'work', '.execute', EXECUTION_RUN);
  mkdirSync(runDir, { recursive: true });
  const head = git(p.repo, ['rev-parse', 'HEAD']).trim();
  const tree = path.join(runDir, 'tree');
  git(p.repo, ['worktree', 'add', '-q', '-b', EXECUTION_BRANCH, tree, head]);
  const record = {
    schema_version: 1,
    run_id: EXECUTION_RUN,
    slug: SLUG,
    phase: 'add-api',
    branch: EXECUTION_BRANCH,
    base_commit: head,
    user_branch: 'refs/heads/main',
    worktree: tree,
    mode: 'agent',
    validation_command: 'true',
    cairn_pid: deadPid(),
    cairn_start_time: null,
    created_at: '2026-01-01T00:00:00.000+00:00',
  };
  writeFileSync(path.join(runDir, 'execution.json'), `${JSON.stringify(record, null, 2)}\n`);
  return runDir;
}

/** A planning run directory owned by this (running) test process. */
function liveRun(p: PlanRepo): string {
  const runDir = path.join(p.repo, '.planning', 'work', SLUG, LIVE_RUN);
  mkdirSync(path.join(runDir, SLUG), { recursive: true });
  const owner = { host: (spawnSync('hostname', { encoding: 'utf8' }).stdout ?? '').trim(), pid: process.pid, start_time: procStat(process.pid)?.startTime ?? null };
  writeFileSync(path.join(runDir, 'owner.json'), `${JSON.stringify(owner)}\n`);
  return runDir;
}

/** A repository with a failed agent run, a manual run waiting for accept, a live run and an abandoned execution run. */
function cluttered(): { p: PlanRepo; failed: string; manual: string } {
  const p = copyRepo(template);
  const failed = p.cli(['plan', SLUG, ...AGENT], { FAKE_FAIL_STEP: 'approaches' });
  expect(failed.code).toBe(1);
  const [failedRun] = workRuns(p);
  expect(p.cli(['plan', SLUG, '--agent', 'manual']).code).toBe(0);
  const manualRun = workRuns(p).find((run) => run !== failedRun) as string;
  abandonedExecutionRun(p);
  liveRun(p);
  return { p, failed: `.planning/work/${SLUG}/${failedRun}`, manual: `.planning/work/${SLUG}/${manualRun}` };
}

describe('cairn clean', () => {
  it('--dry-run lists what would go and changes nothing', () => {
    const { p, failed, manual } = cluttered();
    const before = footprint(p.repo);
    const dry = p.cli(['clean', '--dry-run']);
    expect(footprint(p.repo)).toEqual(before);
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    const execution = `.planning/work/.execute/${EXECUTION_RUN}`;
    const width = Math.max(execution.length, failed.length, manual.length);
    const pad = (text: string) => text.padEnd(width);
    expect(dry.stdout).toBe(
      `would-remove  ${pad(execution)}  would clean up the abandoned run ${EXECUTION_RUN} (alpha, phase add-api)\n` +
        `would-remove  ${pad(failed)}  a failed, refused or interrupted planning.approaches run\n` +
        `kept          ${pad(`.planning/work/${SLUG}/${LIVE_RUN}`)}  a cairn that is still running works in it\n` +
        `kept          ${pad(manual)}  a manual run waiting for \`cairn accept\` (--all removes it)\n` +
        'Dry run: would remove 2 workspaces; kept 2; nothing was changed.\n',
    );
    const json = p.cli(['clean', '--dry-run', '--format', 'json']);
    expect(footprint(p.repo)).toEqual(before);
    const doc = JSON.parse(json.stdout) as { schema_version: number; dry_run: boolean; all: boolean; workspaces: { path: string; action: string; kind: string; slug: string | null }[] };
    expect([doc.schema_version, doc.dry_run, doc.all]).toEqual([1, true, false]);
    expect(doc.workspaces.map((entry) => [entry.action, entry.kind, entry.slug, entry.path])).toEqual([
      ['would-remove', 'execution', SLUG, execution],
      ['would-remove', 'planning', SLUG, failed],
      ['kept', 'planning', SLUG, `.planning/work/${SLUG}/${LIVE_RUN}`],
      ['kept', 'planning', SLUG, manual],
    ]);
  });

  it("removes a failed run's workspace and an abandoned execution run's worktree, keeps live and manual runs; --all drops the manual run", () => {
    const { p, failed, manual } = cluttered();
    const result = p.cli(['clean']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').slice(0, 2).map((line) => line.split(/\s{2,}/)[0])).toEqual(['removed', 'removed']);
    expect(result.stdout).toContain(`cleaned up the abandoned run ${EXECUTION_RUN} (alpha, phase add-api); its empty branch ${EXECUTION_BRANCH} was deleted\n`);
    expect(result.stdout.endsWith('Removed 2 workspaces; kept 2.\n')).toBe(true);
    expect(existsSync(path.join(p.repo, failed))).toBe(false);
    expect(existsSync(path.join(p.repo, '.planning', 'work', '.execute'))).toBe(false);
    expect(git(p.repo, ['worktree', 'list', '--porcelain'])).not.toContain(EXECUTION_RUN);
    expect(git(p.repo, ['branch', '--list', EXECUTION_BRANCH])).toBe('');
    expect(existsSync(path.join(p.repo, manual))).toBe(true);
    expect(existsSync(path.join(p.repo, '.planning', 'work', SLUG, LIVE_RUN))).toBe(true);

    const all = p.cli(['clean', '--all', '--format', 'json']);
    expect(all.code).toBe(0);
    const doc = JSON.parse(all.stdout) as { all: boolean; workspaces: { path: string; action: string }[] };
    expect(doc.all).toBe(true);
    expect(doc.workspaces.map((entry) => [entry.action, entry.path])).toEqual([
      ['removed', manual],
      ['kept', `.planning/work/${SLUG}/${LIVE_RUN}`],
    ]);
    expect(existsSync(path.join(p.repo, manual))).toBe(false);
    expect(readdirSync(path.join(p.repo, '.planning', 'work', SLUG))).toEqual([LIVE_RUN]);
  });

  it('info and doctor say how many leftover workspaces there are', () => {
    const { p } = cluttered();
    const info = p.cli(['info']);
    expect(info.code).toBe(0);
    expect(info.stdout).toContain('\nWorkspaces      2 left by finished, failed or abandoned runs (`cairn clean` removes them)\n');
    const infoJson = JSON.parse(p.cli(['info', '--format', 'json']).stdout) as { leftover_workspaces: number };
    expect(infoJson.leftover_workspaces).toBe(2);
    const doctor = p.cli(['doctor', '--all']);
    expect(doctor.stdout).toBe('No findings; 1 migration checked.\n');
    expect(doctor.stderr).toBe('Note: 2 workspaces are left under .planning/work/ by finished, failed or abandoned runs; `cairn clean` removes them.\n');
    expect(doctor.code).toBe(0);
    const strict = p.cli(['doctor', '--all', '--severity', 'info']);
    expect(strict.code).toBe(0);

    expect(p.cli(['clean']).code).toBe(0);
    expect(p.cli(['info']).stdout).toContain('\nWorkspaces      no leftovers\n');
    const after = p.cli(['doctor', '--all']);
    expect([after.stdout, after.stderr, after.code]).toEqual(['No findings; 1 migration checked.\n', '', 0]);
  });

  it('keeps an execution run holding an interrupted integration for cairn recover', () => {
    const p = copyRepo(template);
    const runDir = abandonedExecutionRun(p);
    writeFileSync(path.join(runDir, 'integration.json'), '{}\n');
    const result = p.cli(['clean', '--format', 'json']);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as { workspaces: { path: string; action: string; reason: string }[] };
    expect(doc.workspaces.map((entry) => [entry.action, entry.path, entry.reason])).toEqual([
      ['kept', `.planning/work/.execute/${EXECUTION_RUN}`, 'it holds an interrupted integration: run `cairn recover`'],
    ]);
    expect(existsSync(path.join(runDir, 'tree'))).toBe(true);
  });

  it('deletes nothing through a symbolic link', () => {
    const p = copyRepo(template);
    const outside = tempDir('cairn-outside-');
    const run = path.join(outside, 'beta', '20260101T000000000-aaaaaaaaaaaaaaaa');
    mkdirSync(path.join(run, 'beta'), { recursive: true });
    writeFileSync(path.join(run, 'keep.txt'), 'not cairn’s\n');
    mkdirSync(path.join(p.repo, '.planning', 'work'), { recursive: true });
    symlinkSync(path.join(outside, 'beta'), path.join(p.repo, '.planning', 'work', 'beta'));
    expect(p.cli(['clean']).code).toBe(0);
    expect(existsSync(path.join(run, 'keep.txt'))).toBe(true);

    const q = copyRepo(template);
    const work = path.join(q.repo, '.planning', 'work');
    if (existsSync(work)) spawnSync('rm', ['-rf', work]);
    symlinkSync(outside, work);
    const refused = q.cli(['clean', '--format', 'json']);
    expect(refused.code).toBe(1);
    const doc = JSON.parse(refused.stdout) as { workspaces: { path: string; action: string; reason: string }[] };
    expect(doc.workspaces).toEqual([
      { kind: 'planning', slug: null, run_id: '', path: '.planning/work', action: 'failed', reason: `not removed: \`.planning/work\` is a symbolic link` },
    ]);
    expect(existsSync(path.join(run, 'keep.txt'))).toBe(true);
  });
});
