import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { CR_V1, expectedWithRepo } from '../support/fixture.js';
import { fixtureRepo } from '../support/repo.js';

describe('cairn list on the cr-v1 fixture', () => {
  it('prints expected-list.tsv line for line', () => {
    const repo = fixtureRepo();
    const result = runCli(['list', '--format', 'tsv'], { cwd: repo });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const expected = expectedWithRepo(readFileSync(path.join(CR_V1, 'expected-list.tsv'), 'utf8'), repo);
    expect(result.stdout.split('\n')).toEqual(expected.split('\n'));
  });

  it('filters by status and awaiting review; --no-headers drops the header', () => {
    const repo = fixtureRepo();
    const done = runCli(['list', '--format', 'tsv', '--status', 'done', '--no-headers'], { cwd: repo });
    expect(done.stdout.trim().split('\n').map((line) => line.split('\t')[0])).toEqual([
      'src-exports-queue-rb-20260402T081851',
      'src-inventory-schema-py-20260313T214220',
      'src-scheduler-session-go-20260302T111242',
      'src-search-handlers-py-20260513T201931',
    ]);
    const awaiting = runCli(['list', '--format', 'tsv', '--awaiting-review'], { cwd: repo });
    expect(awaiting.stdout.trim().split('\n').slice(1).map((line) => line.split('\t')[0])).toEqual([
      'remove-logging-calls-in-inventory-20260313T164735',
      'src-storage-handlers-py-20260422T081612',
      'type-date-parsing-in-inventory-20260307T175217',
    ]);
    const doneOrSkipped = runCli(['list', '--format', 'tsv', '--status', 'done', 'skipped', '--no-headers'], { cwd: repo });
    expect(doneOrSkipped.stdout.trim().split('\n').map((line) => line.split('\t')[1]).sort()).toEqual(['done', 'done', 'done', 'done', 'skipped']);
    expect(runCli(['list', '--status', 'in-progress'], { cwd: repo }).stdout).toBe('No migrations match the filter.\n');
    const bad = runCli(['list', '--status', 'finished'], { cwd: repo });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("Error: Option '--status <status...>' argument 'finished' is invalid");
  });

  it('prints JSON with a schema version and typed fields', () => {
    const repo = fixtureRepo();
    const result = runCli(['list', '--format', 'json'], { cwd: repo });
    expect(result.code).toBe(0);
    const payload = JSON.parse(result.stdout);
    expect(payload.schema_version).toBe(1);
    expect(payload.migrations).toHaveLength(40);
    expect(payload.migrations.find((row: { slug: string }) => row.slug === 'remove-cache-invalidation-in-search-20260418T184219')).toEqual({
      slug: 'remove-cache-invalidation-in-search-20260418T184219',
      status: 'planning',
      cursor: 'planning:blocked',
      awaiting_review: false,
      last_touch: '2026-04-18T18:44:27.091-07:00',
      cooldown_until: null,
      reason: 'planning-state-missing',
      blocked: true,
    });
  });

  it('prints a header even when the live root is missing', () => {
    const repo = fixtureRepo({ commit: false });
    rmSync(path.join(repo, 'migrations'), { recursive: true });
    const result = runCli(['list', '--format', 'tsv'], { cwd: repo });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('slug\tstatus\tcursor\tawaiting_review\tlast_touch\tcooldown\treason\n');
    expect(runCli(['list'], { cwd: repo }).stdout).toBe('No migrations.\n');
  });
});

describe('cairn status', () => {
  it('shows a finished migration: steps with agents, phases with done marks', () => {
    const repo = fixtureRepo();
    const result = runCli(['status', 'src-exports-queue-rb-20260402T081851'], { cwd: repo });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Status      done\n');
    // Planning is over: the next step is the migration's, not the planning cursor's.
    expect(result.stdout).toContain('Next step   none: every phase is done\n');
    expect(result.stdout).toContain('Decision    approve-auto — plan is incremental and the validation gate is explicit\n');
    expect(result.stdout).toContain('Accepted steps (7)\n');
    expect(result.stdout).toMatch(/ {2}1\. +approaches +completed +2026-04-02T08:20:31\.125-07:00 +codex gpt-5\.5 low\n/);
    expect(result.stdout).toMatch(/ {2}\[x\] +split-module +phase-1-split-module\.md\n/);
  });

  it('names the next step after planning: the review, the current phase once approved, nothing when done or skipped', () => {
    const repo = fixtureRepo();
    const nextStep = (slug: string): string => /^Next step +(.*)$/m.exec(runCli(['status', slug], { cwd: repo }).stdout)?.[1] ?? '(none)';
    expect(nextStep('remove-logging-calls-in-inventory-20260313T164735')).toBe('human review of the plan');
    expect(nextStep('src-exports-routes-py-20260314T112934')).toBe('phase switch-default');
    expect(nextStep('src-inventory-schema-py-20260313T214220')).toBe('none: every phase is done');
    expect(nextStep('src-scheduler-session-py-20260403T070714')).toBe('none: the migration is skipped');
    // The JSON keeps the planning cursor.
    expect(JSON.parse(runCli(['status', 'src-inventory-schema-py-20260313T214220', '--format', 'json'], { cwd: repo }).stdout).next_step).toBe('terminal-ready-awaiting-human');
  });

  it('marks the current phase and the pending review as JSON', () => {
    const repo = fixtureRepo();
    const result = runCli(['status', 'migrations/remove-logging-calls-in-inventory-20260313T164735', '--format', 'json'], { cwd: repo });
    expect(result.code).toBe(0);
    const payload = JSON.parse(result.stdout);
    expect(payload.schema_version).toBe(1);
    expect(payload.status).toBe('ready');
    expect(payload.awaiting_human_review).toBe(true);
    expect(payload.human_review_reason).toBe('rollout touches billing exports — needs product sign-off');
    expect(payload.phases[0]).toMatchObject({ file: 'phase-1-consolidate-helpers.md', done: false, current: true });
    expect(payload.state_error).toBeNull();
  });

  it('exits 2 with the loader error for broken migrations', () => {
    const repo = fixtureRepo();
    const missing = runCli(['status', 'src-audit-schema-go-20260427T042537'], { cwd: repo });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("Error: Migration 'src-audit-schema-go-20260427T042537' has no manifest.json");
    const badState = runCli(['status', 'src-storage-utils-rb-20260402T221110'], { cwd: repo });
    expect(badState.code).toBe(2);
    expect(badState.stderr).toContain("Error: Planning state next_step 'expand' does not match replayed cursor 'review'");
    expect(badState.stdout).toContain('Status      planning\n');
    const unknown = runCli(['status', 'nope'], { cwd: repo });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe("Error: Migration 'nope' does not exist.\nHint: Run `cairn list` to see the migrations in this repository.\n");
  });
});

describe('naming a migration', () => {
  it('suggests the closest slug for a typo, and takes a path relative to a subdirectory of the repository', () => {
    const repo = fixtureRepo();
    const slug = 'src-exports-queue-rb-20260402T081851';
    const typo = runCli(['status', 'src-exports-queu-rb-20260402T081851'], { cwd: repo });
    expect(typo.stderr).toBe(
      "Error: Migration 'src-exports-queu-rb-20260402T081851' does not exist.\n" +
        `Hint: Did you mean ${slug}? Run \`cairn list\` to see the migrations in this repository.\n`,
    );
    expect(typo.code).toBe(2);
    const squashed = runCli(['status', 'srcexportsqueuerb20260402T081851'], { cwd: repo });
    expect(squashed.stderr).toContain(`Hint: Did you mean ${slug}?`);
    const unknown = runCli(['status', 'nothing-like-it'], { cwd: repo });
    expect(unknown.stderr).toBe("Error: Migration 'nothing-like-it' does not exist.\nHint: Run `cairn list` to see the migrations in this repository.\n");

    const sub = path.join(repo, 'src', 'deep');
    mkdirSync(sub, { recursive: true });
    const relative = runCli(['status', `../../migrations/${slug}`], { cwd: sub });
    expect(relative.stderr).toBe('');
    expect(relative.stdout.split('\n')[0]).toBe(`Migration   ${slug}`);
    expect(relative.code).toBe(0);
    // A path relative to the repository root still works from there.
    expect(runCli(['status', `migrations/${slug}`], { cwd: repo }).code).toBe(0);
  });
});
