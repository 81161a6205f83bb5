import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { snapshotId } from '../../src/fs/digest.js';
import { AGENT } from '../support/agents.js';
import { CLI, cliEnv } from '../support/cli.js';
import { commitAll } from '../support/git.js';
import { SLUG, TARGET, copyRepo, manifestOf, newPlanRepo, stateOf, type PlanRepo } from '../support/plan-repo.js';
import { templateDir } from '../support/tmp.js';
import { expectDoctorClean, expectV1Bytes, gitLog } from './support.js';

const REVIEWER = 'Cairn Test <test@cairn.invalid>';
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/;
const NEEDS_HUMAN = { FAKE_FINAL: 'final-decision: approve-needs-human — phase 2 deletes a public API' };

let awaiting: PlanRepo;
beforeAll(() => {
  awaiting = newPlanRepo(templateDir());
  expect(awaiting.cli(['plan', SLUG, ...AGENT, '--until', 'terminal', '--commit'], NEEDS_HUMAN).code).toBe(0);
});

function reviewLines(p: PlanRepo): Record<string, unknown>[] {
  const text = readFileSync(path.join(p.dir, '.planning', 'reviews.jsonl'), 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .trimEnd()
    .split('\n')
    .map((line) => {
      const record = JSON.parse(line) as Record<string, unknown>;
      expect(Object.keys(record)).toEqual([...Object.keys(record)].sort());
      return record;
    });
}

describe('cairn review', () => {
  it('shows the plan and approves it: the flag clears, the decision is recorded and published', async () => {
    const p = copyRepo(awaiting);
    const reviewed = await snapshotId(p.dir);
    const dry = p.cli(['review', SLUG, '--approve', '--dry-run', '--format', 'json']);
    expect(dry.code).toBe(0);
    const preview = JSON.parse(dry.stdout) as { schema_version: number; summary: Record<string, unknown>; review: Record<string, unknown> };
    expect(preview.schema_version).toBe(1);
    expect(preview.summary['snapshot_id']).toBe(reviewed);
    expect(preview.review['decision']).toBe('approve');
    expect(preview.review['reviewer']).toBe(REVIEWER);
    const publish = preview.review['publish'] as Record<string, unknown>;
    expect([publish['status'], publish['dry_run'], publish['operation']]).toEqual(['would-publish', true, 'migration.review']);
    expect((publish['diff'] as { added: { path: string }[] }).added.map((entry) => entry.path)).toEqual(['.planning/reviews.jsonl']);
    expect(await snapshotId(p.dir)).toBe(reviewed);

    const result = p.cli(['review', SLUG, '--approve', '--note', 'Checked the callers.', '--commit']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toContain('Review of alpha (migrations/alpha)\n');
    expect(out).toContain('Status        ready, awaiting human review\n');
    expect(out).toContain(`Target        ${TARGET}\n`);
    // The final review's reason is the review reason: shown once.
    expect(out).not.toContain('Review reason');
    expect(out).toContain('Final review  approve-needs-human — phase 2 deletes a public API\n');
    expect(out).toContain(`Snapshot      ${reviewed}\n`);
    expect(out).toContain('Plan (migrations/alpha/plan.md)\n  # Plan\n\n  Replace the widget API in two phases.\n');
    expect(out).toContain(
      'Phases (2)\n  [ ] 1. add-api  phase-1-add-api.md  effort low  ← current\n' +
        '      Precondition:       The widget API is in use.\n      Definition of Done: New API exists.\n' +
        '  [ ] 2. remove-old  phase-2-remove-old.md\n' +
        '      Precondition:       Phase 1 is done.\n      Definition of Done: Old API removed.\n',
    );
    expect(out).toContain('Changes (first review: everything so far)\n  accepted approaches (completed) at ');
    expect(out).toMatch(/Approved alpha \(reviewer Cairn Test <test@cairn\.invalid>\)\.\nNext: cairn ready\nCommitted [0-9a-f]{12}: cairn: alpha: migration\.review\n$/);

    const [record] = reviewLines(p);
    expect(record).toEqual({ at: record?.['at'], decision: 'approve', note: 'Checked the callers.', reviewer: REVIEWER, snapshot_id: reviewed });
    expect(record?.['at']).toMatch(TIMESTAMP);
    const manifest = manifestOf(p);
    expect([manifest['status'], manifest['awaiting_human_review'], manifest['human_review_reason']]).toEqual(['ready', false, null]);
    expect(gitLog(p)[0]).toBe('cairn: alpha: migration.review');
    expectDoctorClean(p);
    await expectV1Bytes(p);

    const again = p.cli(['review', SLUG, '--approve']);
    expect(again.code).toBe(1);
    expect(again.stdout).toBe('');
    expect(again.stderr).toBe(
      "Error: Migration 'alpha' is not awaiting human review.\n" +
        'Hint: To revise it instead, run `cairn refine alpha --message ...`; `cairn list --awaiting-review` lists the migrations that are.\n',
    );
  });

  it('rejects: status skipped, intentional-skip.md holds the reviewer’s reason', async () => {
    const p = copyRepo(awaiting);
    const reviewed = await snapshotId(p.dir);
    const result = p.cli(['review', SLUG, '--reject', '--reason', 'Too risky this quarter.']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'Rejected alpha (reviewer Cairn Test <test@cairn.invalid>); status skipped, reason in intentional-skip.md.\nNext: cairn list\n',
    );
    expect(readFileSync(path.join(p.dir, 'intentional-skip.md'), 'utf8')).toBe(
      `# Intentional Skip: alpha\n\n## Target\n${TARGET}\n\n## Blocker Reason\nToo risky this quarter.\n`,
    );
    const manifest = manifestOf(p);
    expect([manifest['status'], manifest['awaiting_human_review'], manifest['human_review_reason']]).toEqual(['skipped', false, null]);
    const [record] = reviewLines(p);
    expect(record).toMatchObject({ decision: 'reject', note: 'Too risky this quarter.', reviewer: REVIEWER, snapshot_id: reviewed });
    expectDoctorClean(p);

    const again = p.cli(['review', SLUG]);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(
      "Error: Migration 'alpha' is not awaiting human review.\n" +
        'Hint: It cannot be refined either: only planning migrations and ready ones whose phases have not started can. `cairn list --awaiting-review` lists the migrations that are.\n',
    );
  });

  it('requests changes: a refine runs revise; the next review shows what changed since', async () => {
    const p = copyRepo(awaiting);
    // The changes come from stdin (`--file -`), as a long message would.
    const result = p.cli(['review', SLUG, '--request-changes', '--file', '-', ...AGENT], {}, 'Add a rollback section.');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'Requested changes to alpha (reviewer Cairn Test <test@cairn.invalid>).\nRefined alpha: migration.refine.revise accepted; next step: review-2\nNext: cairn plan alpha --agent command --agent-cmd fake-agent\n',
    );
    const state = stateOf(p);
    expect(state['next_step']).toBe('review-2');
    expect((state['feedback'] as { text: string }[]).map((entry) => entry.text)).toEqual(['Add a rollback section.']);
    expect(manifestOf(p)['status']).toBe('planning');
    const [record] = reviewLines(p);
    expect(record).toMatchObject({ decision: 'request-changes', note: 'Add a rollback section.', reviewer: REVIEWER });
    expectDoctorClean(p);

    expect(p.cli(['plan', SLUG, ...AGENT, '--until', 'terminal'], NEEDS_HUMAN).code).toBe(0);
    const shown = p.cli(['review', SLUG]);
    expect(shown.code).toBe(2);
    expect(shown.stdout).toContain(`Changes since the last review (request-changes by ${REVIEWER}, ${String(record?.['at'])})\n`);
    const changes = shown.stdout.slice(shown.stdout.indexOf('Changes since'));
    expect(changes.split('\n').slice(1, -1).map((line) => line.replace(/ at .*$/, ''))).toEqual([
      '  accepted revise (completed)',
      '  accepted review-2 (clear)',
      '  accepted final-review (approve-needs-human)',
    ]);
    expect(shown.stderr).toBe(
      'Error: No decision given for alpha. Decide with --approve [--note <text>], --reject --reason <text>, or --request-changes --message <text>.\n',
    );
  });

  it('returns the review summary as JSON when no decision is given, and checks the agent of a request for changes first', async () => {
    const p = copyRepo(awaiting);
    const before = await snapshotId(p.dir);
    const shown = p.cli(['review', SLUG, '--format', 'json']);
    expect(shown.stderr).toBe('');
    expect(shown.code).toBe(0);
    const document = JSON.parse(shown.stdout) as { schema_version: number; summary: Record<string, unknown>; review: unknown };
    expect(document.review).toBeNull();
    expect(document.summary).toMatchObject({ slug: SLUG, pending: true, snapshot_id: before, human_review_reason: 'phase 2 deletes a public API' });
    expect((document.summary['phases'] as Record<string, unknown>[]).map((phase) => [phase['name'], phase['precondition'], phase['definition_of_done']])).toEqual([
      ['add-api', 'The widget API is in use.', 'New API exists.'],
      ['remove-old', 'Phase 1 is done.', 'Old API removed.'],
    ]);

    // No agent anywhere: refused before the plan is shown.
    const noAgent = p.cli(['review', SLUG, '--request-changes', '--message', 'Add a rollback section.']);
    expect(noAgent.code).toBe(2);
    expect(noAgent.stdout).toBe('');
    expect(noAgent.stderr.split('\n')[0]).toBe('Error: No agent chosen');
    expect(await snapshotId(p.dir)).toBe(before);
    expect(manifestOf(p)['awaiting_human_review']).toBe(true);
  });

  it('refuses a migration that is not awaiting review, and inconsistent flags', () => {
    const p = copyRepo(awaiting);
    const flags = [
      [['--note', 'x'], '--note goes with --approve.'],
      [['--reject'], 'A rejection needs a reason: --reject --reason "<why>".'],
      [['--approve', '--reject', '--reason', 'x'], 'Give one decision: --approve [--note <text>], --reject --reason <text>, or --request-changes --message <text>.'],
      [['--request-changes', '--message', ' '], 'Refinement feedback must not be empty.'],
      [['--approve', '--file', 'changes.md'], '--file goes with --request-changes.'],
      [['--request-changes', '--message', 'x', '--file', 'changes.md'], 'Give the feedback with exactly one of --message <text> or --file <path>.'],
    ] as const;
    for (const [args, message] of flags) {
      const result = p.cli(['review', SLUG, ...args]);
      expect(result.code).toBe(2);
      expect(result.stderr.split('\n')[0]).toBe(`Error: ${message}`);
    }
    expect(manifestOf(p)['awaiting_human_review']).toBe(true);
  });
});

const hasScript = spawnSync('script', ['--version']).status === 0;

describe('cairn review on a terminal', () => {
  it.skipIf(!hasScript)('asks for the decision when no flag is given (under script(1), which provides a pty)', () => {
    const p = copyRepo(awaiting);
    const command = `'${process.execPath}' '${CLI}' review ${SLUG}`;
    const result = spawnSync('script', ['-qec', command, '/dev/null'], {
      cwd: p.repo,
      env: cliEnv({ XDG_CONFIG_HOME: path.join(p.bin, 'xdg') }),
      input: 'maybe\na\nChecked on a terminal.\n',
      encoding: 'utf8',
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Approved alpha (reviewer Cairn Test <test@cairn.invalid>).');
    const [record] = reviewLines(p);
    expect(record).toMatchObject({ decision: 'approve', note: 'Checked on a terminal.' });
    expect(manifestOf(p)['awaiting_human_review']).toBe(false);
  });
});

describe('review policy "always"', () => {
  it('holds every approved plan for a human until it is approved', () => {
    const p = newPlanRepo();
    writeFileSync(path.join(p.repo, '.planning', 'config.json'), '{\n  "migrations_dir": "migrations",\n  "review": "always"\n}\n');
    commitAll(p.repo, 'review always');
    expect(p.cli(['plan', SLUG, ...AGENT, '--until', 'terminal']).code).toBe(0);
    const manifest = manifestOf(p);
    expect([manifest['status'], manifest['awaiting_human_review'], manifest['human_review_reason']]).toEqual([
      'ready',
      true,
      'review policy is "always": the plan is complete',
    ]);
    const ready = p.cli(['ready', '--format', 'json']);
    expect((JSON.parse(ready.stdout) as { items: { kind: string }[] }).items.map((item) => item.kind)).toEqual(['review']);
    const phase = p.cli(['phase', 'done', SLUG]);
    expect(phase.code).toBe(1);
    expect(phase.stderr).toContain("Error: Migration 'alpha' is awaiting human review; no phase may start or complete before it is reviewed\n");
    expect(p.cli(['review', SLUG, '--approve']).code).toBe(0);
    const after = p.cli(['ready', '--format', 'json']);
    expect((JSON.parse(after.stdout) as { items: { kind: string; command: string }[] }).items).toEqual([
      expect.objectContaining({ kind: 'phase', command: 'cairn run alpha' }),
    ]);
    expectDoctorClean(p);
  });
});

describe('review policy "always" switched on for a plan that is already ready', () => {
  it('every command and JSON output agrees that it awaits review, until it is approved', () => {
    const p = newPlanRepo();
    expect(p.cli(['plan', SLUG, ...AGENT, '--until', 'terminal', '--commit']).code).toBe(0);
    expect(manifestOf(p)['awaiting_human_review']).toBe(false);
    // Cached list rows of the old policy must not survive the switch.
    expect(p.cli(['list']).stdout).not.toContain('awaiting review');
    writeFileSync(path.join(p.repo, '.planning', 'config.json'), '{\n  "migrations_dir": "migrations",\n  "review": "always"\n}\n');
    commitAll(p.repo, 'review always');
    const reason = 'review policy is "always"';

    const list = p.cli(['list']);
    expect(list.stdout).toContain('awaiting review');
    expect(list.stdout).toContain(reason);
    expect(p.cli(['list', '--awaiting-review', '--format', 'json']).stdout).toContain('"slug": "alpha"');
    const rows = (JSON.parse(p.cli(['list', '--format', 'json']).stdout) as { migrations: Record<string, unknown>[] }).migrations;
    expect(rows.map((row) => [row['slug'], row['awaiting_review'], row['reason']])).toEqual([['alpha', true, reason]]);
    expect(p.cli(['list', '--format', 'tsv']).stdout.split('\n')[1]?.split('\t')[3]).toBe('yes');

    expect(p.cli(['status', SLUG]).stdout).toMatch(new RegExp(`\\nReview +awaiting human review — review policy is "always"\\n`));
    const status = JSON.parse(p.cli(['status', SLUG, '--format', 'json']).stdout) as Record<string, unknown>;
    expect([status['awaiting_review'], status['review_reason'], status['awaiting_human_review']]).toEqual([true, reason, false]);

    const ready = JSON.parse(p.cli(['ready', '--format', 'json']).stdout) as { items: { kind: string; detail: string }[] };
    expect(ready.items.map((item) => [item.kind, item.detail])).toEqual([['review', reason]]);

    const run = p.cli(['run', SLUG, ...AGENT, '--validate', 'true']);
    expect(run.stderr).toContain(`Error: Migration 'alpha' is awaiting human review: ${reason}; no phase may run before it is reviewed\n`);
    expect(run.code).toBe(1);
    const done = p.cli(['phase', 'done', SLUG, '--dry-run']);
    expect(done.stderr).toContain("Error: Migration 'alpha' is awaiting human review; no phase may start or complete before it is reviewed\n");
    expect(done.code).toBe(1);

    expect(p.cli(['review', SLUG, '--approve', '--commit']).code).toBe(0);
    expect(p.cli(['list']).stdout).not.toContain('awaiting review');
    expect(p.cli(['list', '--awaiting-review']).stdout).toBe('No migrations match the filter.\n');
    expect(p.cli(['status', SLUG]).stdout).toMatch(/\nReview +not awaiting review\n/);
    const approved = JSON.parse(p.cli(['status', SLUG, '--format', 'json']).stdout) as Record<string, unknown>;
    expect([approved['awaiting_review'], approved['review_reason']]).toEqual([false, null]);
    const after = JSON.parse(p.cli(['ready', '--format', 'json']).stdout) as { items: { kind: string }[] };
    expect(after.items.map((item) => item.kind)).toEqual(['phase']);
  });
});
