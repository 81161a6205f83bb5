import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { snapshotId } from '../../src/fs/digest.js';
import { holdPublishLock } from '../support/drivers.js';
import { copyFixtureMigrations } from '../support/fixture.js';
import { commitAll } from '../support/git.js';
import { emptyRepo, manifestOf, planRepoAt, readJson, stateOf, workRuns, type PlanRepo } from '../support/plan-repo.js';
import { listTree } from '../support/tree.js';
import { envelopeOf, startMcp, stderrOf, structuredOf, textOf, type McpSession } from './support.js';

const TOOLS = ['list', 'status', 'ready', 'doctor', 'next_prompt', 'accept', 'new', 'refine', 'phase_done', 'next_phase', 'finish_phase', 'recover_dry_run', 'log'];
const MUTATING = ['next_prompt', 'accept', 'new', 'refine', 'phase_done'];

const TARGET = 'replace the widget API';

/** What a real agent would do for each step: the files it writes into the workspace and what it prints. */
const WORK: Record<string, { files: Record<string, string>; output: string }> = {
  approaches: {
    files: {
      'approaches/incremental.md': '# Incremental\n\nMove one module at a time.\n',
      'approaches/big-bang.md': '# Big bang\n\nChange everything at once.\n',
    },
    output: 'Wrote two approaches: incremental, big-bang.\n',
  },
  'pick-best': { files: {}, output: 'Chosen: incremental. Smallest safe steps.\n' },
  expand: {
    files: {
      'plan.md': '# Plan\n\nReplace the widget API in two phases.\n',
      'phase-1-add-api.md': '# Phase 1\n\n## Precondition\nThe widget API is in use.\n\n## Definition of Done\nNew API exists.\n',
      'phase-2-remove-old.md': '# Phase 2\n\n## Precondition\nPhase 1 is done.\n\n## Definition of Done\nOld API removed.\n',
    },
    output: 'Wrote plan.md and two phases.\n',
  },
  review: { files: {}, output: 'no findings.\n' },
  revise: { files: { 'plan.md': '# Plan\n\nReplace the widget API in two phases, keeping a shim.\n' }, output: 'Revised the plan: keep a shim.\n' },
  'review-2': { files: {}, output: 'No findings.\n' },
  'final-review': { files: {}, output: 'final-decision: approve-auto — the plan is complete\n' },
};

function writeFiles(workspace: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(workspace, name)), { recursive: true });
    writeFileSync(path.join(workspace, name), text);
  }
}

/** next_prompt, then the step's files and accept; returns accept's structured content. */
async function doStep(mcp: McpSession, p: PlanRepo, slug: string, step: string, extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const prepared = structuredOf(await mcp.call('next_prompt', { slug, ...extra }));
  expect(prepared['step']).toBe(step);
  const runId = prepared['run_id'] as string;
  const workspace = prepared['workspace'] as string;
  expect(workspace).toBe(path.join(p.repo, '.planning', 'work', slug, runId, slug));
  expect(existsSync(path.join(workspace, 'manifest.json'))).toBe(true);
  // review-2 is a second review: its prompt is the review prompt.
  const heading = step === 'review-2' ? 'review' : step;
  expect(prepared['prompt']).toMatch(new RegExp(`^# Planning stage: ${heading}\\n`));
  const work = WORK[step]!;
  writeFiles(workspace, work.files);
  return structuredOf(await mcp.call('accept', { slug, step, output: work.output }));
}

function stepOf(accepted: Record<string, unknown>): Record<string, unknown> {
  return (accepted['steps'] as Record<string, unknown>[])[0]!;
}

describe('cairn mcp', () => {
  it('lists exactly its tools, with output schemas, dry_run on every mutating tool, and no review tool', async () => {
    const p = planRepoAt(emptyRepo());
    const mcp = await startMcp(p.repo);
    const { tools } = await mcp.client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(TOOLS);
    // The list never changes while the server runs, so it announces no list changes.
    expect(mcp.client.getServerCapabilities()?.tools).toEqual({ listChanged: false });
    // A planning step is ready: the entry names the tool to call, not only the CLI command.
    expect((await mcp.call('new', { slug: 'alpha', target: TARGET })).isError).toBeFalsy();
    const { structuredContent: ready } = await mcp.call('ready');
    expect((ready as { items: unknown[] }).items).toMatchObject([{ kind: 'plan', command: 'cairn plan alpha', tool: 'next_prompt', arguments: { slug: 'alpha' } }]);
    expect(tools.filter((tool) => /review/.test(tool.name))).toEqual([]);
    for (const tool of tools) {
      expect(tool.description?.length ?? 0).toBeGreaterThan(20);
      expect(tool.outputSchema?.type).toBe('object');
      const properties = Object.keys((tool.inputSchema.properties ?? {}) as Record<string, unknown>);
      expect(properties.includes('dry_run')).toBe(MUTATING.includes(tool.name));
    }
    const accept = tools.find((tool) => tool.name === 'accept');
    expect(accept?.inputSchema.required).toEqual(['slug', 'step', 'output']);
    expect((accept?.inputSchema.properties as Record<string, { enum?: string[] }>)['step']?.enum).toEqual([
      'approaches',
      'pick-best',
      'expand',
      'review',
      'revise',
      'review-2',
      'final-review',
    ]);
    expect(await stderrOf(mcp)).toBe(`cairn mcp: serving ${p.repo} (migrations in migrations)\n`);
  });

  it('plans a migration from new to terminal with next_prompt and accept only, then refines it and completes a phase', async () => {
    const p = planRepoAt(emptyRepo());
    const mcp = await startMcp(p.repo);

    const dryNew = structuredOf(await mcp.call('new', { slug: 'alpha', target: TARGET, dry_run: true }));
    expect((dryNew['result'] as Record<string, unknown>)['dry_run']).toBe(true);
    expect(existsSync(p.dir)).toBe(false);
    const created = structuredOf(await mcp.call('new', { slug: 'alpha', target: TARGET }));
    expect(created['schema_version']).toBe(1);
    expect(created['result']).toMatchObject({ status: 'published', operation: 'migration.new', slug: 'alpha', live_dir: p.dir, dry_run: false });

    // A dry run prepares nothing.
    const dryPrompt = await mcp.call('next_prompt', { slug: 'alpha', dry_run: true });
    expect(structuredOf(dryPrompt)).toMatchObject({ status: 'dry-run', step: 'approaches', run_id: null, workspace: null, would_block: null });
    expect(textOf(dryPrompt)).toMatch(/^Dry run: would prepare planning\.approaches for alpha; nothing was changed\.\n\n# Planning stage: approaches\n/);
    expect(workRuns(p)).toEqual([]);

    // approaches, with a dry-run accept first that leaves the prepared run as it was.
    const prepared = await mcp.call('next_prompt', { slug: 'alpha', model: 'test-model', effort: 'high' });
    const first = structuredOf(prepared);
    const workspace = first['workspace'] as string;
    expect(first).toMatchObject({ slug: 'alpha', step: 'approaches', operation: 'planning.approaches', status: 'manual', would_block: null, recovered: [] });
    expect(textOf(prepared)).toBe(
      `Prepared planning.approaches for alpha (run ${first['run_id'] as string}).\nWorkspace: ${workspace}\n` +
        'Write the step\'s files in the workspace, then call accept with slug "alpha", step "approaches" and output: the step\'s output, as an agent would print it.\n\n' +
        (first['prompt'] as string),
    );
    writeFiles(workspace, WORK['approaches']!.files);
    const before = await snapshotId(p.dir);
    const dryAccept = structuredOf(await mcp.call('accept', { slug: 'alpha', step: 'approaches', output: WORK['approaches']!.output, dry_run: true }));
    expect(dryAccept['status']).toBe('dry-run');
    expect((stepOf(dryAccept)['publish'] as Record<string, unknown>)['diff']).toMatchObject({ cursor: { from: 'approaches', to: 'pick-best' } });
    expect(await snapshotId(p.dir)).toBe(before);
    expect(existsSync(workspace)).toBe(true);
    const approaches = structuredOf(await mcp.call('accept', { slug: 'alpha', step: 'approaches', output: WORK['approaches']!.output }));
    expect(approaches).toMatchObject({ slug: 'alpha', status: 'published' });
    expect(stepOf(approaches)).toMatchObject({ status: 'published', step: 'approaches', next_step: 'pick-best', workspace: null });
    expect(existsSync(workspace)).toBe(false);

    expect(stepOf(await doStep(mcp, p, 'alpha', 'pick-best'))['next_step']).toBe('expand');
    expect(stepOf(await doStep(mcp, p, 'alpha', 'expand'))['next_step']).toBe('review');
    expect(stepOf(await doStep(mcp, p, 'alpha', 'review'))).toMatchObject({ outcome: 'clear', next_step: 'final-review' });
    const final = stepOf(await doStep(mcp, p, 'alpha', 'final-review'));
    expect(final).toMatchObject({
      outcome: 'approve-auto',
      next_step: 'terminal-ready',
      terminal: { outcome: 'ready', reason: 'the plan is complete' },
    });

    expect(listTree(p.dir)).toEqual([
      '.planning/stages/approaches.stdout.md',
      '.planning/stages/expand.stdout.md',
      '.planning/stages/final-review.stdout.md',
      '.planning/stages/pick-best.stdout.md',
      '.planning/stages/review.stdout.md',
      '.planning/state.json',
      '.planning/sums',
      'approaches/big-bang.md',
      'approaches/incremental.md',
      'manifest.json',
      'phase-1-add-api.md',
      'phase-2-remove-old.md',
      'plan.md',
    ]);
    expect(readFileSync(path.join(p.dir, '.planning', 'stages', 'review.stdout.md'), 'utf8')).toBe('no findings.\n');
    expect(readFileSync(path.join(p.dir, 'plan.md'), 'utf8')).toBe(WORK['expand']!.files['plan.md']);
    expect(manifestOf(p)).toMatchObject({ status: 'ready', current_phase: 'add-api', awaiting_human_review: false });
    const steps = stateOf(p)['completed_steps'] as Record<string, unknown>[];
    expect(steps.map((step) => [step['name'], step['agent']])).toEqual([
      ['approaches', 'manual'],
      ['pick-best', 'manual'],
      ['expand', 'manual'],
      ['review', 'manual'],
      ['final-review', 'manual'],
    ]);
    expect(steps[0]).toMatchObject({ model: 'test-model', effort: 'high' });

    const status = structuredOf(await mcp.call('status', { slug: 'alpha' }));
    expect(status).toMatchObject({ slug: 'alpha', path: 'migrations/alpha', status: 'ready', next_step: 'terminal-ready', current_phase: 'add-api', state_error: null });
    const listed = structuredOf(await mcp.call('list'));
    expect(listed).toEqual({
      schema_version: 1,
      live_root: p.live,
      migrations: [
        {
          slug: 'alpha',
          status: 'ready',
          cursor: 'phase-1-add-api.md',
          awaiting_review: false,
          last_touch: manifestOf(p)['last_touch'],
          cooldown_until: null,
          reason: null,
          blocked: false,
        },
      ],
    });
    expect(structuredOf(await mcp.call('list', { status: 'planning' }))['migrations']).toEqual([]);
    expect(structuredOf(await mcp.call('ready'))['items']).toEqual([
      {
        kind: 'phase',
        slug: 'alpha',
        created_at: manifestOf(p)['created_at'],
        detail: 'add-api',
        file: 'migrations/alpha/phase-1-add-api.md',
        command: 'cairn run alpha',
        tool: 'next_phase',
        arguments: { slug: 'alpha' },
      },
    ]);
    const doctor = structuredOf(await mcp.call('doctor'));
    expect(doctor['findings']).toEqual([]);
    expect(doctor['summary']).toMatchObject({ migrations: 1, findings: 0, failed: false });
    const log = structuredOf(await mcp.call('log', { slug: 'alpha' }));
    const runs = log['runs'] as Record<string, unknown>[];
    expect(runs.map((run) => [run['step'], run['agent'], run['verdict']])).toEqual([
      ['final-review', 'manual', 'accepted'],
      ['review', 'manual', 'accepted'],
      ['expand', 'manual', 'accepted'],
      ['pick-best', 'manual', 'accepted'],
      ['approaches', 'manual', 'accepted'],
    ]);
    expect((log['events'] as Record<string, unknown>[]).filter((event) => event['kind'] === 'publish.published')).toHaveLength(6);
    expect(structuredOf(await mcp.call('log', { failed: true }))).toEqual({ schema_version: 1, runs: [], events: [] });

    // The plan is terminal: next_prompt says why there is no next step.
    const terminal = envelopeOf(await mcp.call('next_prompt', { slug: 'alpha' }));
    expect(terminal.error).toEqual({
      code: 'invalid-state',
      message: "Migration 'alpha' has status 'ready'; only planning migrations have a next planning step",
      hint: "Call the refine tool with {\"slug\":\"alpha\"} to revise an unexecuted plan, or the ready tool to see what to do next.",
    });

    // refine prepares revise in manual mode; the feedback is published with the step.
    const refined = await mcp.call('refine', { slug: 'alpha', feedback: 'Keep a shim for one release.' });
    expect(structuredOf(refined)).toMatchObject({ step: 'revise', operation: 'migration.refine.revise', status: 'manual' });
    expect(textOf(refined)).toContain('User refinement feedback:\nKeep a shim for one release.');
    expect(stateOf(p)['feedback']).toEqual([]);
    writeFiles(structuredOf(refined)['workspace'] as string, WORK['revise']!.files);
    const revised = structuredOf(await mcp.call('accept', { slug: 'alpha', step: 'revise', output: WORK['revise']!.output }));
    expect(stepOf(revised)).toMatchObject({ status: 'published', operation: 'migration.refine.revise', next_step: 'review-2' });
    expect((stateOf(p)['feedback'] as Record<string, unknown>[]).map((entry) => [entry['source'], entry['text']])).toEqual([
      ['message', 'Keep a shim for one release.'],
    ]);
    expect(manifestOf(p)['status']).toBe('planning');
    expect(stepOf(await doStep(mcp, p, 'alpha', 'review-2'))['next_step']).toBe('final-review');
    expect(stepOf(await doStep(mcp, p, 'alpha', 'final-review'))['next_step']).toBe('terminal-ready');

    // phase_done: a dry run changes nothing, then the first phase is completed.
    const snapshot = await snapshotId(p.dir);
    const dryDone = structuredOf(await mcp.call('phase_done', { slug: 'alpha', dry_run: true }));
    expect(dryDone).toMatchObject({ slug: 'alpha', phase: 'add-api', next_phase: 'remove-old', status: 'ready', commit: null });
    expect(await snapshotId(p.dir)).toBe(snapshot);
    const done = structuredOf(await mcp.call('phase_done', { slug: 'alpha', phase: 'add-api' }));
    expect(done).toMatchObject({ phase: 'add-api', next_phase: 'remove-old', status: 'ready' });
    expect((done['result'] as Record<string, unknown>)['status']).toBe('published');
    expect(manifestOf(p)['current_phase']).toBe('remove-old');

    expect(structuredOf(await mcp.call('recover_dry_run'))).toEqual({
      schema_version: 1,
      live_root: p.live,
      dry_run: true,
      transactions: [],
      lock_tombstones: [],
      reclaimed_locks: [],
      lock: null,
      integrations: [],
      runs: [],
    });
    expect(mcp.errors).toEqual([]);
  });

  it('reports doctor findings of a broken migration as results', async () => {
    const repo = emptyRepo();
    const broken = 'inline-permission-checks-in-search-20260408T130909';
    copyFixtureMigrations(path.join(repo, 'migrations'), [broken]);
    commitAll(repo, 'a broken migration');
    const mcp = await startMcp(repo);
    const one = await mcp.call('doctor', { slug: broken });
    expect(one.isError).toBeFalsy();
    const document = structuredOf(one);
    expect(document['findings']).toEqual([
      {
        slug: broken,
        severity: 'error',
        mode: 'doctor',
        code: 'missing-plan',
        path: path.join(repo, 'migrations', broken, 'plan.md'),
        file: `migrations/${broken}/plan.md`,
        message: expect.stringContaining('require plan.md') as unknown as string,
        hint: 'Restore plan.md from version control, or set the status back to planning and plan the migration again.',
      },
    ]);
    expect(document['summary']).toEqual({
      migrations: 1,
      migrations_with_findings: 1,
      findings: 1,
      errors: 1,
      warnings: 0,
      infos: 0,
      fail_on: 'error',
      failed: true,
    });
    const all = structuredOf(await mcp.call('doctor', { severity: 'warning' }));
    expect((all['findings'] as Record<string, unknown>[]).map((finding) => finding['code'])).toEqual(['missing-plan']);
    expect(all['summary']).toMatchObject({ migrations: 1, fail_on: 'warning', failed: true });
  });

  it('returns clean tool errors with the CLI codes for a bad slug, bad arguments, a stale snapshot and a lock timeout', async () => {
    const p = planRepoAt(emptyRepo());
    const mcp = await startMcp(p.repo);

    // Bad slugs: the same envelope as the CLI's --format json.
    // The same code and message as the CLI's --format json; the hint names tools instead of commands.
    const traversal = envelopeOf(await mcp.call('status', { slug: '../outside' }));
    const cliTraversal = JSON.parse(p.cli(['status', '../outside', '--format', 'json']).stdout) as typeof traversal;
    expect(cliTraversal.error.hint).toBe('Name a migration by its slug (see `cairn list`) or by its directory directly under the migrations dir.');
    expect(traversal.error).toEqual({
      code: 'resolve',
      message: 'Migration path must not contain parent traversal: ../outside',
      hint: 'Name a migration by its slug (see the list tool) or by its directory directly under the migrations dir.',
    });
    expect({ ...traversal.error, hint: null }).toEqual({ ...cliTraversal.error, hint: null });
    expect(envelopeOf(await mcp.call('accept', { slug: 'nope', step: 'approaches', output: 'x' })).error).toEqual({
      code: 'not-found',
      message: "Migration 'nope' does not exist.",
      hint: 'Call the list tool to see the migrations in this repository.',
    });
    const hidden = envelopeOf(await mcp.call('new', { slug: '.hidden', target: TARGET }));
    expect(hidden).toEqual(JSON.parse(p.cli(['new', '.hidden', '--target', TARGET, '--format', 'json']).stdout));
    expect(hidden.error.code).toBe('invalid-input');
    // Arguments outside the advertised input schema are refused before cairn runs.
    const badStep = await mcp.call('accept', { slug: 'alpha', step: 'bogus', output: 'x' });
    expect(badStep.isError).toBe(true);
    expect(textOf(badStep)).toContain("Unknown planning step 'bogus'");

    // Stale snapshot: the live migration changes between next_prompt and accept.
    structuredOf(await mcp.call('new', { slug: 'alpha', target: TARGET }));
    commitAll(p.repo, 'new alpha');
    const prepared = structuredOf(await mcp.call('next_prompt', { slug: 'alpha' }));
    writeFiles(prepared['workspace'] as string, WORK['approaches']!.files);
    writeFileSync(path.join(p.dir, 'notes.md'), 'A note added by hand.\n');
    commitAll(p.repo, 'a note');
    const changed = await snapshotId(p.dir);
    const stale = await mcp.call('accept', { slug: 'alpha', step: 'approaches', output: WORK['approaches']!.output });
    const staleError = envelopeOf(stale).error;
    expect(staleError.code).toBe('blocked');
    expect(staleError.message).toBe(
      'alpha changed after planning.approaches was prepared: its files were changed outside this run (an edit, a commit or a git checkout); nothing was published.',
    );
    expect(staleError.hint).toBe(
      'The live migration changed after this work was prepared: call next_prompt for alpha to prepare the step again from the current state.',
    );
    expect(staleError.path).toBe(p.dir);
    expect(stale.structuredContent).toMatchObject({ slug: 'alpha', status: 'blocked' });
    expect(JSON.parse(textOf(stale, 1))).toEqual(stale.structuredContent);
    expect(await snapshotId(p.dir)).toBe(changed);
    expect(stateOf(p)['next_step']).toBe('approaches');

    // Lock timeout: another process holds the publish lock.
    const again = structuredOf(await mcp.call('next_prompt', { slug: 'alpha' }));
    writeFiles(again['workspace'] as string, WORK['approaches']!.files);
    const lock = await holdPublishLock(p.live);
    try {
      const started = Date.now();
      const timedOut = envelopeOf(await mcp.call('accept', { slug: 'alpha', step: 'approaches', output: WORK['approaches']!.output, lock_timeout_ms: 300 }));
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(timedOut.error.code).toBe('lock-timeout');
      expect(timedOut.error.message).toContain(lock.lockId);
      expect(await snapshotId(p.dir)).toBe(changed);
    } finally {
      expect(await lock.release()).toBe(0);
    }

    // The server is still up, and the prepared step goes through once the lock is free.
    const accepted = structuredOf(await mcp.call('accept', { slug: 'alpha', step: 'approaches', output: WORK['approaches']!.output }));
    expect(stepOf(accepted)).toMatchObject({ status: 'published', next_step: 'pick-best' });
    expect(readJson(path.join(p.dir, 'manifest.json'))['name']).toBe('alpha');
    expect(existsSync(path.join(p.dir, 'notes.md'))).toBe(true);
    expect(mcp.errors).toEqual([]);
  });

  it('accept refuses output that breaks its step contract, as a tool error that says what is missing', async () => {
    const p = planRepoAt(emptyRepo());
    const mcp = await startMcp(p.repo);
    structuredOf(await mcp.call('new', { slug: 'alpha', target: TARGET }));
    commitAll(p.repo, 'new alpha');
    const prepared = structuredOf(await mcp.call('next_prompt', { slug: 'alpha' }));
    const workspace = prepared['workspace'] as string;
    writeFiles(workspace, { 'approaches/incremental.md': '# Incremental\n\nMove one module at a time.\n' });
    const refused = await mcp.call('accept', { slug: 'alpha', step: 'approaches', output: 'Wrote one approach.\n' });
    expect(refused.isError).toBe(true);
    expect(envelopeOf(refused).error).toEqual({
      code: 'invalid-input',
      message:
        'planning.approaches failed: the workspace has 1 approach file (approaches/incremental.md); the step needs 2 to 4 approaches/*.md files, none of them empty',
      hint: 'Correct the output (or the files in the workspace) and call accept for alpha again.',
    });
    expect(stateOf(p)['next_step']).toBe('approaches');

    writeFiles(workspace, WORK['approaches']!.files);
    expect(stepOf(structuredOf(await mcp.call('accept', { slug: 'alpha', step: 'approaches', output: WORK['approaches']!.output })))).toMatchObject({
      status: 'published',
      next_step: 'pick-best',
    });
    for (const step of ['pick-best', 'expand']) expect(stepOf(await doStep(mcp, p, 'alpha', step))).toMatchObject({ status: 'published' });

    structuredOf(await mcp.call('next_prompt', { slug: 'alpha' }));
    const empty = await mcp.call('accept', { slug: 'alpha', step: 'review', output: '' });
    expect(empty.isError).toBe(true);
    expect(envelopeOf(empty).error.message).toBe(
      'planning.review failed: the review printed nothing; a review prints numbered findings, or the line `no findings.` on its own when the plan is clear',
    );
    const sentence = await mcp.call('accept', { slug: 'alpha', step: 'review', output: 'There are no findings about naming, but phase 2 has no rollback.\n' });
    expect(stepOf(structuredOf(sentence))).toMatchObject({ status: 'published', outcome: 'findings', next_step: 'revise' });
    expect(mcp.errors).toEqual([]);
  });

  it('serves the repository given with --repo, and reports a missing project on every call', async () => {
    const p = planRepoAt(emptyRepo());
    const elsewhere = path.dirname(p.repo);
    const withRepo = await startMcp(elsewhere, ['--repo', p.repo]);
    expect(structuredOf(await withRepo.call('list'))['live_root']).toBe(p.live);

    const none = await startMcp(elsewhere);
    expect(await stderrOf(none)).toMatch(/^cairn mcp: warning: No cairn project here/);
    const error = envelopeOf(await none.call('ready'));
    expect(error.error.code).toBe('not-initialized');
    expect(error.error.hint).toBe('Ask the user to run `cairn init` at the repository root, or pass --repo <dir> or --migrations-dir <dir>.');
  });

  it('keeps stdout for the protocol: warnings go to stderr', async () => {
    const p = planRepoAt(emptyRepo());
    writeFileSync(path.join(p.repo, '.planning', 'cairn.db'), 'this is not a database\n');
    const mcp = await startMcp(p.repo);
    expect(structuredOf(await mcp.call('list'))['migrations']).toEqual([]);
    expect(await stderrOf(mcp, 'Warning:')).toContain('Warning: the local store was damaged');
    expect(mcp.errors).toEqual([]);
  });

  it('leaves a plan awaiting human review to people: refine, next_prompt and phase_done are refused', async () => {
    const p = planRepoAt(emptyRepo());
    const mcp = await startMcp(p.repo);
    structuredOf(await mcp.call('new', { slug: 'alpha', target: TARGET }));
    for (const step of ['approaches', 'pick-best', 'expand', 'review']) await doStep(mcp, p, 'alpha', step);
    const prepared = structuredOf(await mcp.call('next_prompt', { slug: 'alpha' }));
    expect(prepared['step']).toBe('final-review');
    const final = structuredOf(
      await mcp.call('accept', { slug: 'alpha', step: 'final-review', output: 'final-decision: approve-needs-human — phase 2 deletes a public API\n' }),
    );
    expect(stepOf(final)).toMatchObject({ next_step: 'terminal-ready-awaiting-human', terminal: { outcome: 'awaiting_human_review' } });
    const before = await snapshotId(p.dir);

    const refine = envelopeOf(await mcp.call('refine', { slug: 'alpha', feedback: 'Looks fine to me, ship it.' }));
    expect(refine.error).toEqual({
      code: 'invalid-state',
      message: "Migration 'alpha' is awaiting human review: phase 2 deletes a public API",
      hint: 'A person decides with `cairn review alpha` (approve, reject or request changes); it is not offered to agents.',
    });
    expect(envelopeOf(await mcp.call('phase_done', { slug: 'alpha' })).error.code).toBe(
      JSON.parse(p.cli(['phase', 'done', 'alpha', '--format', 'json']).stdout).error.code,
    );
    expect(envelopeOf(await mcp.call('next_prompt', { slug: 'alpha' })).error.code).toBe('invalid-state');
    expect(structuredOf(await mcp.call('ready'))['items']).toMatchObject([{ kind: 'review', slug: 'alpha', command: 'cairn review alpha', tool: null, arguments: null }]);
    expect(await snapshotId(p.dir)).toBe(before);
    expect(workRuns(p)).toEqual([]);
  });

  it('agrees with the CLI that a ready plan awaits review once policy "always" is switched on', async () => {
    const p = planRepoAt(emptyRepo());
    const first = await startMcp(p.repo);
    structuredOf(await first.call('new', { slug: 'alpha', target: TARGET }));
    for (const step of ['approaches', 'pick-best', 'expand', 'review', 'final-review']) await doStep(first, p, 'alpha', step);
    expect(manifestOf(p)).toMatchObject({ status: 'ready', awaiting_human_review: false });
    writeFileSync(path.join(p.repo, '.planning', 'config.json'), '{\n  "migrations_dir": "migrations",\n  "review": "always"\n}\n');
    commitAll(p.repo, 'review always');
    const reason = 'review policy is "always"';

    const mcp = await startMcp(p.repo);
    const listed = structuredOf(await mcp.call('list', { awaiting_review: true }));
    expect(listed['migrations']).toMatchObject([{ slug: 'alpha', awaiting_review: true, reason }]);
    expect(listed['migrations']).toEqual(JSON.parse(p.cli(['list', '--awaiting-review', '--format', 'json']).stdout).migrations);
    const status = structuredOf(await mcp.call('status', { slug: 'alpha' }));
    expect([status['awaiting_review'], status['review_reason']]).toEqual([true, reason]);
    expect(structuredOf(await mcp.call('ready'))['items']).toMatchObject([{ kind: 'review', slug: 'alpha', detail: reason }]);
    const refine = envelopeOf(await mcp.call('refine', { slug: 'alpha', feedback: 'Looks fine to me, ship it.' }));
    expect(refine.error).toMatchObject({ code: 'invalid-state', message: `Migration 'alpha' is awaiting human review: ${reason}` });
    expect(envelopeOf(await mcp.call('phase_done', { slug: 'alpha' })).error.code).toBe('invalid-state');
    expect(workRuns(p)).toEqual([]);
  });
});
