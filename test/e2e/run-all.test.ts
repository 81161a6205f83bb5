import { existsSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { copyFixtureMigrations } from '../support/fixture.js';
import { commitAll, git } from '../support/git.js';
import { newMigration } from '../support/repo.js';
import { runOutputDocument } from '../support/run-output-schema.js';
import { EXEC_AGENT, copyRunRepo, runRepo, type RunRepo } from '../support/run-repo.js';
import { templateDir } from '../support/tmp.js';

/*
 * `cairn run --all` end to end: a repository with a migration still being
 * planned (alpha, made by `cairn new`), the cr-v1 fixture's ready migration
 * and one awaiting a human review. The scripted agent of
 * test/support/run-repo.ts executes phases and hands planning steps to the
 * planning tests' fake agent.
 */

const ALPHA = 'alpha';
const AWAITING = 'remove-logging-calls-in-inventory-20260313T164735';
const AWAITING_REASON = 'rollout touches billing exports — needs product sign-off';
const PLANNING_STEPS = ['approaches', 'pick-best', 'expand', 'review', 'final-review'];
const TIMEOUT_MS = 90_000;

let template: RunRepo;
beforeAll(() => {
  template = runRepo(templateDir('cairn-run-all-template-'));
  newMigration(template.repo, ALPHA, 'replace the widget API', template.env);
  copyFixtureMigrations(template.live, [AWAITING]);
  commitAll(template.repo, 'a migration to plan and one awaiting review');
});

function all(r: RunRepo, extra: string[], env: Record<string, string> = {}) {
  return r.cairn(['run', '--all', ...EXEC_AGENT, ...extra], env, TIMEOUT_MS);
}

function subjects(r: RunRepo, since: string): string[] {
  return git(r.repo, ['log', '--reverse', '--format=%s', `${since}..HEAD`]).trim().split('\n');
}

function commitOf(r: RunRepo, subject: string): string {
  return git(r.repo, ['log', '--format=%H', '--fixed-strings', `--grep=${subject}`, '-1']).trim();
}

describe('cairn run --all', () => {
  it('plans, then executes phases in `cairn ready` order until --max-actions, skipping the migration awaiting review', () => {
    const r = copyRunRepo(template);
    const base = git(r.repo, ['rev-parse', 'HEAD']).trim();
    const result = all(r, ['--commit', '--max-actions', '7']);
    expect(result.code, result.stderr).toBe(0);

    const planned = PLANNING_STEPS.map((step) => `cairn: ${ALPHA}: planning.${step}`);
    const phases = [`cairn: migration/${r.slug}/phase-1-docs-and-cleanup.md`, `cairn: migration/${r.slug}/phase-2-split-module.md`];
    expect(subjects(r, base)).toEqual([...planned, ...phases]);
    const short = (subject: string): string => commitOf(r, subject).slice(0, 12);
    expect(result.stdout).toBe(
      [
        'Ran 7 actions (stopped: max-actions): 5 planning steps, 2 phases done, 0 deferred, 0 failed.',
        ...PLANNING_STEPS.map((step) => `  ok     plan ${ALPHA} ${step}: published`),
        `  ok     phase ${r.slug} docs-and-cleanup: integrated`,
        `  ok     phase ${r.slug} split-module: integrated`,
        `Commits: ${[...planned.map((s) => `${ALPHA}: ${short(s)}`), ...phases.map((s) => `${r.slug}: ${short(s)}`)].join(', ')}`,
        `Awaiting review (skipped): ${AWAITING} — ${AWAITING_REASON}; run \`cairn review ${AWAITING}\``,
        '',
      ].join('\n'),
    );
    const actionLines = result.stderr.split('\n').filter((line) => line.startsWith('['));
    expect(actionLines.map((line) => line.slice(0, line.indexOf(' — ')))).toEqual([
      ...PLANNING_STEPS.map((step) => `[plan] ${ALPHA} ${step}: published`),
      `[phase] ${r.slug} docs-and-cleanup: integrated`,
      `[phase] ${r.slug} split-module: integrated`,
    ]);
    expect(result.stderr).toContain(`Checking the baseline of ${r.slug} with: sh check.sh\n`);
    expect(git(r.repo, ['status', '--porcelain'])).toBe('');
    expect(git(r.repo, ['branch', '--list', 'cairn/*'])).toBe('');
    expect(git(r.repo, ['worktree', 'list', '--porcelain']).split('\n').filter((line) => line.startsWith('worktree '))).toEqual([`worktree ${r.repo}`]);
    const doctor = r.cairn(['doctor', '--all']);
    expect(doctor.stdout).toBe('No findings; 3 migrations checked.\n');
    expect(doctor.code).toBe(0);
  });

  it('stops after --max-consecutive-failures and documents every action in JSON', () => {
    const r = copyRunRepo(template);
    const base = git(r.repo, ['rev-parse', 'HEAD']).trim();
    const result = all(r, ['--commit', '--max-attempts', '1', '--max-consecutive-failures', '2', '--format', 'json'], { EXEC_MODE: 'break' });
    expect(result.code, result.stderr).toBe(1);
    const document = runOutputDocument(result.stdout);
    expect(document['mode']).toBe('all');
    expect(document['phase']).toBe(null);
    expect(document['stopped_because']).toBe('max-consecutive-failures');
    expect(document['awaiting_review']).toEqual([{ slug: AWAITING, reason: AWAITING_REASON }]);
    expect(document['cleaned_up']).toEqual([]);
    const actions = document['actions'] as { kind: string; slug: string; detail: string; status: string; ok: boolean; reason: string; commit: string | null; phase: Record<string, unknown> | null }[];
    expect(actions.map((a) => [a.kind, a.slug, a.detail, a.status, a.ok])).toEqual([
      ...PLANNING_STEPS.map((step) => ['plan', ALPHA, step, 'published', true]),
      ['phase', r.slug, 'docs-and-cleanup', 'failed', false],
      ['phase', ALPHA, 'add-api', 'failed', false],
    ]);
    // Planning commits are reported; failed phases made none.
    const planned = PLANNING_STEPS.map((step) => `cairn: ${ALPHA}: planning.${step}`);
    expect(subjects(r, base)).toEqual(planned);
    expect(actions.slice(0, 5).map((a) => a.commit)).toEqual(planned.map((subject) => commitOf(r, subject)));
    const failed = actions[5] as (typeof actions)[number];
    expect(failed.commit).toBe(null);
    expect(failed.reason).toBe('phase docs-and-cleanup failed after 1 attempt: the validation command failed (exit 1); nothing was changed');
    expect(failed.phase).toMatchObject({ status: 'failed', branch: null, commit: null, attempts: [{ attempt: 1, outcome: 'red', reason: 'the validation command failed (exit 1)' }] });
    expect(git(r.repo, ['status', '--porcelain'])).toBe('');
    expect(git(r.repo, ['branch', '--list', 'cairn/*'])).toBe('');
  });

  it('counts a deferral as done work and commits it with --commit, then finds nothing eligible', () => {
    const r = copyRunRepo(template);
    git(r.repo, ['rm', '-r', '--quiet', `migrations/${ALPHA}`]);
    commitAll(r.repo, 'no planning');
    const base = git(r.repo, ['rev-parse', 'HEAD']).trim();
    const result = all(r, ['--commit'], { EXEC_READY: 'no', EXEC_READY_REASON: 'the old module is still imported' });
    expect(result.code, result.stderr).toBe(0);
    expect(subjects(r, base)).toEqual([`cairn: ${r.slug}: migration.defer`]);
    const head = git(r.repo, ['rev-parse', 'HEAD']).trim();
    expect(result.stdout).toBe(
      [
        'Ran 1 action (stopped: nothing-eligible): 0 planning steps, 0 phases done, 1 deferred, 0 failed.',
        `  ok     phase ${r.slug} docs-and-cleanup: deferred`,
        `Commits: ${r.slug}: ${head.slice(0, 12)}`,
        `Awaiting review (skipped): ${AWAITING} — ${AWAITING_REASON}; run \`cairn review ${AWAITING}\``,
        '',
      ].join('\n'),
    );
    expect(result.stderr).toContain(`[phase] ${r.slug} docs-and-cleanup: deferred — phase docs-and-cleanup deferred (ready: no): the old module is still imported\n`);
    const manifest = JSON.parse(git(r.repo, ['show', `HEAD:migrations/${r.slug}/manifest.json`])) as Record<string, unknown>;
    expect(manifest['cooldown_until']).not.toBe(null);
    expect(git(r.repo, ['status', '--porcelain'])).toBe('');

    const again = all(r, ['--format', 'json']);
    expect(again.code, again.stderr).toBe(0);
    const document = runOutputDocument(again.stdout);
    expect(document['actions']).toEqual([]);
    expect(document['stopped_because']).toBe('nothing-eligible');
  });

  it('refuses --dry-run', () => {
    const r = copyRunRepo(template);
    const result = all(r, ['--dry-run']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("Error: --dry-run shows one migration's phase; run `cairn ready` to see what --all would do.\n");
    expect(result.stdout).toBe('');
    expect(existsSync(path.join(r.state, 'calls.log'))).toBe(false);
    expect(git(r.repo, ['status', '--porcelain'])).toBe('');
  });
});
