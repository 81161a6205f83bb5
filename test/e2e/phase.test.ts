import { beforeAll, describe, expect, it } from 'vitest';
import { snapshotId } from '../../src/fs/digest.js';
import { AGENT } from '../support/agents.js';
import { SLUG, copyRepo, manifestOf, newPlanRepo, type PlanRepo } from '../support/plan-repo.js';
import { templateDir } from '../support/tmp.js';
import { expectDoctorClean, expectV1Bytes, gitLog } from './support.js';

let awaiting: PlanRepo;
let approved: PlanRepo;
beforeAll(() => {
  awaiting = newPlanRepo(templateDir());
  const env = { FAKE_FINAL: 'final-decision: approve-needs-human — phase 2 deletes a public API' };
  expect(awaiting.cli(['plan', SLUG, ...AGENT, '--until', 'terminal', '--commit'], env).code).toBe(0);
  approved = newPlanRepo(templateDir());
  expect(approved.cli(['plan', SLUG, ...AGENT, '--until', 'terminal', '--commit'], env).code).toBe(0);
  expect(approved.cli(['review', SLUG, '--approve', '--commit']).code).toBe(0);
});

describe('cairn phase done', () => {
  it('completes phases in order, through publish, until the migration is done', async () => {
    const p = copyRepo(approved);
    const first = p.cli(['phase', 'done', SLUG]);
    expect(first.stderr).toBe('');
    expect(first.stdout).toBe('Phase add-api of alpha is done; current phase: remove-old.\n');
    expect(first.code).toBe(0);
    let manifest = manifestOf(p);
    expect(manifest['status']).toBe('ready');
    expect(manifest['current_phase']).toBe('remove-old');
    expect((manifest['phases'] as { name: string; done: boolean }[]).map((phase) => [phase.name, phase.done])).toEqual([
      ['add-api', true],
      ['remove-old', false],
    ]);

    const out = p.cli(['phase', 'done', SLUG, '--phase', 'add-api']);
    expect(out.code).toBe(1);
    expect(out.stderr).toBe(
      "Error: Phase 'add-api' is not the current phase of 'alpha' (current: 'remove-old'); phases are completed in order\n" +
        'Hint: Run `cairn phase done alpha --phase remove-old` once phase-2-remove-old.md is done.\n',
    );
    const unknown = p.cli(['phase', 'done', SLUG, '--phase', 'polish']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.split('\n')[0]).toBe("Error: Cannot complete unknown phase 'polish'");

    const last = p.cli(['phase', 'done', SLUG, '--phase', 'remove-old', '--commit', '--format', 'json']);
    expect(last.code).toBe(0);
    const json = JSON.parse(last.stdout) as Record<string, unknown>;
    expect(json['schema_version']).toBe(1);
    expect([json['phase'], json['next_phase'], json['status']]).toEqual(['remove-old', null, 'done']);
    expect((json['result'] as Record<string, unknown>)['operation']).toBe('migration.phase-done');
    expect(gitLog(p)[0]).toBe('cairn: alpha: migration.phase-done');
    manifest = manifestOf(p);
    expect([manifest['status'], manifest['current_phase'], manifest['awaiting_human_review'], manifest['cooldown_until'], manifest['wake_up_on']]).toEqual([
      'done',
      '',
      false,
      null,
      null,
    ]);
    expectDoctorClean(p);
    await expectV1Bytes(p);

    const after = p.cli(['phase', 'done', SLUG]);
    expect(after.code).toBe(1);
    expect(after.stderr.split('\n')[0]).toBe("Error: Migration 'alpha' has status 'done'; only ready or in-progress migrations have phases to complete");
  });

  it('refuses while a human review is pending, and while planning', () => {
    const p = copyRepo(awaiting);
    const pending = p.cli(['phase', 'done', SLUG]);
    expect(pending.code).toBe(1);
    expect(pending.stderr).toBe(
      "Error: Migration 'alpha' is awaiting human review; no phase may start or complete before it is reviewed\nHint: Run `cairn review alpha`.\n",
    );
    const planning = newPlanRepo();
    const early = planning.cli(['phase', 'done', SLUG]);
    expect(early.code).toBe(1);
    expect(early.stderr).toBe(
      "Error: Migration 'alpha' has status 'planning'; only ready or in-progress migrations have phases to complete\n" +
        'Hint: Finish planning first: `cairn plan alpha`.\n',
    );
  });

  it('--dry-run shows the change and leaves the migration as it was', async () => {
    const p = copyRepo(approved);
    const before = await snapshotId(p.dir);
    const dry = p.cli(['phase', 'done', SLUG, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('Dry run: would mark phase add-api of alpha done; current phase: remove-old.\n  ~ manifest.json (');
    expect(dry.stdout).toContain('Status: ready → ready\n');
    expect(await snapshotId(p.dir)).toBe(before);
  });
});
