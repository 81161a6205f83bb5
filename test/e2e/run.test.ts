import { saveAgentHintIn } from '../support/agents.js';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadManifest, saveManifest, type Manifest } from '../../src/migration/manifest.js';
import { CLI, CLI_TIMEOUT_MS, cliEnv } from '../support/cli.js';
import { copyFixtureMigrations } from '../support/fixture.js';
import { commitAll, git } from '../support/git.js';
import { isRunning } from '../support/process.js';
import { runOutputDocument } from '../support/run-output-schema.js';
import { EXEC_AGENT, copyRunRepo, runRepo, type RunRepo } from '../support/run-repo.js';
import { tempDir, templateDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';
import type { PlanRepo } from '../support/plan-repo.js';
import { expectV1Bytes } from './support.js';

/*
 * `cairn run <slug>` end to end: the built CLI carries out the current phase
 * of the cr-v1 fixture's ready migration in a repository whose validation
 * command is a real script (check.sh), with the scripted agent of
 * test/support/run-repo.ts.
 */

const PHASE_1 = 'docs-and-cleanup';
const PHASE_1_FILE = 'phase-1-docs-and-cleanup.md';
const SHORT_TIMEOUT_MS = 60_000;

let template: RunRepo;
beforeAll(() => {
  template = runRepo(templateDir('cairn-run-template-'));
});

function fresh(): RunRepo {
  return copyRunRepo(template);
}

type Json = Record<string, unknown>;

function manifestFile(r: RunRepo): string {
  return path.join(r.dir(r.slug), 'manifest.json');
}

function manifest(r: RunRepo): Json {
  return JSON.parse(readFileSync(manifestFile(r), 'utf8')) as Json;
}

function phases(m: Json): { name: string; done: boolean }[] {
  return m['phases'] as { name: string; done: boolean }[];
}

/** Rewrites the live manifest with `change` applied (through the v1 codec) and commits it. */
async function editManifest(r: RunRepo, change: (m: Manifest) => Manifest, message = 'edit the manifest'): Promise<void> {
  await saveManifest(manifestFile(r), change(await loadManifest(manifestFile(r))));
  commitAll(r.repo, message);
}

/** The files of the working tree and their bytes, leaving out .git and cairn's local store. */
function treeBytes(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string): void => {
    for (const entry of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (child === '.git' || child.startsWith('.planning/cairn.db')) continue;
      if (entry.isDirectory()) walk(child);
      else out.set(child, readFileSync(path.join(root, child), 'latin1'));
    }
  };
  walk('');
  return out;
}

interface Snapshot {
  head: string;
  refs: string;
  status: string;
  files: Map<string, string>;
}

function snapshot(r: RunRepo): Snapshot {
  return {
    head: git(r.repo, ['rev-parse', 'HEAD']),
    refs: git(r.repo, ['for-each-ref', '--format=%(refname) %(objectname)']),
    status: git(r.repo, ['status', '--porcelain', '--untracked-files=all']),
    files: treeBytes(r.repo),
  };
}

/** The run left no worktree, no run directory and no phase branch behind. */
function expectNoRunLeft(r: RunRepo): void {
  expect(git(r.repo, ['worktree', 'list', '--porcelain']).split('\n').filter((line) => line.startsWith('worktree '))).toEqual([`worktree ${r.repo}`]);
  expect(existsSync(path.join(r.repo, '.planning', 'work', '.execute'))).toBe(false);
  expect(git(r.repo, ['branch', '--list', 'cairn/*'])).toBe('');
}

/** Nothing the user sees changed: HEAD, refs, status, every file's bytes; and no run is left. */
function expectUnchanged(r: RunRepo, before: Snapshot): void {
  expect(snapshot(r)).toEqual(before);
  expectNoRunLeft(r);
}

/** The lines of the agent's call log (none when it was never called). */
function calls(r: RunRepo): string[] {
  const file = path.join(r.state, 'calls.log');
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : [];
}

function steps(r: RunRepo): string[] {
  return calls(r).map((line) => line.split(' ')[0] as string);
}

function run(r: RunRepo, extra: string[] = [], env: Record<string, string> = {}) {
  return r.cairn(['run', r.slug, ...EXEC_AGENT, ...extra], env, SHORT_TIMEOUT_MS);
}

function subject(r: RunRepo, phaseFile = PHASE_1_FILE): string {
  return `cairn: migration/${r.slug}/${phaseFile}`;
}

/** `+00:00` UTC timestamp with milliseconds, the form deferrals write. */
function utc(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+00:00');
}

const PROGRESS = (slug: string, phase = PHASE_1, attempts = 2): string[] => [
  `Checking the baseline of ${slug} with: sh check.sh`,
  `Asking whether phase ${phase} of ${slug} is ready…`,
  `Running phase ${phase} of ${slug} (attempt 1 of ${attempts})…`,
];

/**
 * Runs `cairn run` with an agent that waits, in `slow` mode, until `during`
 * has done what the user does meanwhile; resolves with the exit code and output.
 */
async function runWhileAgentWorks(r: RunRepo, during: () => void): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const go = path.join(r.state, 'go');
  const cairn = startRun(r, { EXEC_MODE: 'slow', EXEC_WAIT_FOR: go });
  try {
    expect(await waitFor(() => steps(r).includes('execute'), SHORT_TIMEOUT_MS)).toBe(true);
    during();
    writeFileSync(go, '');
    return await cairn.exited;
  } finally {
    cairn.stop();
  }
}

interface StartedRun {
  pid: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  /** SIGKILLs it if it still runs. */
  stop(): void;
}

/** Starts `cairn run <slug>` with the scripted agent in the background (killed after the CLI timeout). */
function startRun(r: RunRepo, env: Record<string, string>, extra: string[] = []): StartedRun {
  const child = spawn(process.execPath, [CLI, 'run', r.slug, ...EXEC_AGENT, ...extra], { cwd: r.repo, env: cliEnv({ ...r.env, ...env }), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), CLI_TIMEOUT_MS);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    }),
  );
  return {
    pid: child.pid as number,
    exited,
    stop: () => {
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

describe('cairn run: a green phase', () => {
  it('makes one commit holding the code and the manifest, fast-forwards main and cleans up', async () => {
    const r = fresh();
    const base = git(r.repo, ['rev-parse', 'HEAD']).trim();
    const before = manifest(r);

    const result = run(r);
    expect(result.stderr).toBe(
      `${[...PROGRESS(r.slug), `Validating phase ${PHASE_1} with: sh check.sh`].join('\n')}\n${saveAgentHintIn(path.join(r.state, 'config'), 'exec-agent')}`,
    );
    expect(result.code).toBe(0);
    const head = git(r.repo, ['rev-parse', 'HEAD']).trim();
    expect(result.stdout).toBe(
      `Phase ${PHASE_1} of ${r.slug} is done: fast-forwarded main to ${head.slice(0, 12)}.\n` + `Validated with: sh check.sh\n` + `Next phase: split-module (run \`cairn run ${r.slug} --agent command --agent-cmd exec-agent --validate 'sh check.sh'\`).\n`,
    );

    // One commit on top of the base, holding both the code and the manifest.
    expect(git(r.repo, ['rev-parse', 'HEAD~1']).trim()).toBe(base);
    expect(git(r.repo, ['symbolic-ref', 'HEAD']).trim()).toBe('refs/heads/main');
    expect(git(r.repo, ['show', '--name-only', '--format=', 'HEAD']).trim().split('\n')).toEqual([`migrations/${r.slug}/manifest.json`, 'src/app.txt']);
    expect(git(r.repo, ['log', '-1', '--format=%B']).trimEnd()).toBe(`${subject(r)}\n\nWhy:\nthe app file now records the phase\n\nValidation:\nsh check.sh`);
    expect(readFileSync(path.join(r.repo, 'src', 'app.txt'), 'utf8')).toBe(`app v1\nchange 1 for ${PHASE_1}\n`);
    expect(git(r.repo, ['status', '--porcelain', '--untracked-files=all'])).toBe('');
    expectNoRunLeft(r);
    expect(readdirSync(path.join(r.repo, '.planning', 'work'))).toEqual([]);
    expect(steps(r)).toEqual(['ready-check', 'execute']);

    // The manifest: phase 1 done (§6.2), the cursor moved, status in-progress.
    const after = manifest(r);
    const lastTouch = after['last_touch'] as string;
    expect(lastTouch).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/);
    expect(after).toEqual({
      ...before,
      current_phase: 'split-module',
      last_touch: lastTouch,
      status: 'in-progress',
      phases: phases(before).map((phase, i) => ({ ...phase, done: i === 0 })),
    });
    expect(git(r.repo, ['show', `HEAD:migrations/${r.slug}/manifest.json`])).toBe(readFileSync(manifestFile(r), 'utf8'));
    await expectV1Bytes({ repo: r.repo, live: r.live } as PlanRepo, r.slug);

    const doctor = r.cairn(['doctor', '--all']);
    expect(doctor.stdout).toBe('No findings; 1 migration checked.\n');
    expect(doctor.code).toBe(0);
  });

  it('runs every phase to the end: status done and an empty current phase', async () => {
    const r = fresh();
    const base = git(r.repo, ['rev-parse', 'HEAD']).trim();
    for (const phase of ['docs-and-cleanup', 'split-module']) {
      const step = run(r, ['--skip-ready-check']);
      expect(step.code, step.stderr).toBe(0);
      expect(step.stdout).toContain(`Phase ${phase} of ${r.slug} is done`);
    }
    const last = run(r);
    expect(last.code, last.stderr).toBe(0);
    const head = git(r.repo, ['rev-parse', 'HEAD']).trim();
    expect(last.stdout).toBe(`Phase switch-default of ${r.slug} is done: fast-forwarded main to ${head.slice(0, 12)}.\nValidated with: sh check.sh\n${r.slug} is done: every phase is complete.\n`);
    expect(git(r.repo, ['log', '--format=%s', `${base}..HEAD`]).trim().split('\n')).toEqual([
      subject(r, 'phase-3-switch-default.md'),
      subject(r, 'phase-2-split-module.md'),
      subject(r, PHASE_1_FILE),
    ]);
    const m = manifest(r);
    expect(m['status']).toBe('done');
    expect(m['current_phase']).toBe('');
    expect(phases(m).map((phase) => phase.done)).toEqual([true, true, true]);
    expect(readFileSync(path.join(r.repo, 'src', 'app.txt'), 'utf8')).toBe('app v1\nchange 1 for docs-and-cleanup\nchange 2 for split-module\nchange 3 for switch-default\n');
    expectNoRunLeft(r);
    await expectV1Bytes({ repo: r.repo, live: r.live } as PlanRepo, r.slug);
    const doctor = r.cairn(['doctor', '--all']);
    expect(doctor.stdout).toBe('No findings; 1 migration checked.\n');
    expect(doctor.code).toBe(0);

    const again = run(r);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`Error: Migration '${r.slug}' has status 'done'; there is no phase to run\nHint: Run \`cairn status ${r.slug}\` to see it.\n`);
  });

  it('gives the agent its environment: step, slug, phase, the worktree as its cwd, the repository root', () => {
    const r = fresh();
    expect(run(r).code).toBe(0);
    const lines = calls(r).map((line) => line.split(' '));
    expect(lines.map((fields) => fields.slice(0, 3))).toEqual([
      ['ready-check', r.slug, PHASE_1],
      ['execute', r.slug, PHASE_1],
    ]);
    for (const [, , , worktree, repoRoot, cwd] of lines) {
      expect(worktree).toMatch(new RegExp(`^${r.repo.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/\\.planning/work/\\.execute/[^/]+/tree$`));
      expect(cwd).toBe(worktree);
      expect(repoRoot).toBe(r.repo);
    }
    // Both steps of one run share one worktree.
    expect(lines[0]?.[3]).toBe(lines[1]?.[3]);
  });
});

describe('cairn run: a red phase', () => {
  it('retries after the agent broke the tests and commits the green second attempt', () => {
    const r = fresh();
    const base = git(r.repo, ['rev-parse', 'HEAD']).trim();
    const result = run(r, ['--format', 'json'], { EXEC_MODE: 'break-once' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const document = runOutputDocument(result.stdout);
    const head = git(r.repo, ['rev-parse', 'HEAD']).trim();
    const statusBlock = {
      phase_reached: 'execute',
      decision: 'commit',
      retry_recommendation: 'none',
      failure_kind: 'none',
      summary: 'updated src/app.txt',
      commit_rationale: 'the app file now records the phase',
      next_retry_focus: 'none',
      tests_run: 'sh check.sh',
      evidence: ['src/app.txt'],
    };
    expect(document['phase']).toEqual({
      status: 'integrated',
      slug: r.slug,
      phase: PHASE_1,
      phase_file: `migrations/${r.slug}/${PHASE_1_FILE}`,
      reason: `phase ${PHASE_1} of ${r.slug} is done and main is fast-forwarded to ${head.slice(0, 12)}`,
      effort: null,
      validation_command: 'sh check.sh',
      agent_argv: ['exec-agent'],
      base_commit: base,
      branch: null,
      commit: head,
      integration: { mode: 'ff', done: true, merge_command: null, detail: `fast-forwarded main to ${head.slice(0, 12)}` },
      ready_check: { verdict: 'yes', reason: 'the precondition holds' },
      deferral: null,
      attempts: [
        { attempt: 1, outcome: 'red', reason: 'the validation command failed (exit 1)', status_block: statusBlock, validation: { verdict: 'failed (exit 1)', tail: 'FAIL: src/app.txt is broken' } },
        { attempt: 2, outcome: 'green', reason: 'validation passed', status_block: statusBlock, validation: { verdict: 'passed', tail: 'ok: 1 passed' } },
      ],
      status_block: statusBlock,
      next_phase: 'split-module',
      migration_status: 'in-progress',
      warnings: [],
    });
    expect(steps(r)).toEqual(['ready-check', 'execute', 'execute']);
    // The second attempt started from a fresh worktree: the first one's "broken" line is gone.
    expect(readFileSync(path.join(r.repo, 'src', 'app.txt'), 'utf8')).toBe(`app v1\nchange 2 for ${PHASE_1}\n`);
    expect(git(r.repo, ['log', '--format=%s', `${base}..HEAD`]).trim()).toBe(subject(r));
    expectNoRunLeft(r);
  });

  it('changes nothing when every attempt breaks the tests, and keeps the diffs in the run log', () => {
    const r = fresh();
    const before = snapshot(r);
    const manifestBefore = readFileSync(manifestFile(r), 'utf8');
    const result = run(r, [], { EXEC_MODE: 'break' });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      'Attempt 1 failed: the validation command failed (exit 1)\n' +
        'Attempt 2 failed: the validation command failed (exit 1)\n' +
        `Error: Phase ${PHASE_1} failed after 2 attempts: the validation command failed (exit 1); nothing was changed\n` +
        `Hint: The attempts' diffs, agent output and validation output are in the run log: \`cairn log ${r.slug}\`.\n`,
    );
    expectUnchanged(r, before);
    expect(readFileSync(manifestFile(r), 'utf8')).toBe(manifestBefore);
    expect(steps(r)).toEqual(['ready-check', 'execute', 'execute']);

    const log = r.cairn(['log', r.slug, '--format', 'json']);
    expect(log.code).toBe(0);
    const runs = (JSON.parse(log.stdout) as { runs: { id: string; step: string; verdict: string; reason: string | null }[] }).runs;
    expect(runs.map((entry) => entry.step)).toEqual(['execute.diff', 'validate', 'execute', 'execute.diff', 'validate', 'execute', 'ready-check', 'baseline']);
    const diffs = runs.filter((entry) => entry.step === 'execute.diff');
    expect(diffs.map((entry) => [entry.verdict, entry.reason])).toEqual([
      ['rejected', 'attempt 2: the validation command failed (exit 1)'],
      ['rejected', 'attempt 1: the validation command failed (exit 1)'],
    ]);
    const text = r.cairn(['log', r.slug]);
    expect(text.stdout).toContain('execute.diff  rejected  attempt 1: the validation command failed (exit 1)');

    const shown = r.cairn(['log', '--show', (diffs[1] as { id: string }).id]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('Step           execute.diff\n');
    expect(shown.stdout).toContain('--- a/src/app.txt\n+++ b/src/app.txt\n@@ -1 +1,2 @@\n app v1\n+broken\n');
    expect(shown.stdout).toContain('--- stderr ---\nFAIL: src/app.txt is broken\n');
    // The agent's own output is kept with its execute run.
    const execute = runs.find((entry) => entry.step === 'execute') as { id: string };
    expect(r.cairn(['log', '--show', execute.id]).stdout).toContain('BEGIN_CONTINUOUS_REFACTORING_STATUS\n');
  });

  it('stops before the agent when the baseline is red', () => {
    const r = fresh();
    writeFileSync(path.join(r.repo, 'src', 'app.txt'), 'app v1\nbroken\n');
    commitAll(r.repo, 'break the tests');
    const before = snapshot(r);
    const result = run(r);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `Checking the baseline of ${r.slug} with: sh check.sh\n` +
        'Warning: baseline output (end):\nFAIL: src/app.txt is broken\n' +
        'Error: The validation command failed (exit 1) before any change (baseline is red); nothing was changed\n' +
        `Hint: Fix the tests on your branch first; see \`cairn log ${r.slug}\` for the validation output.\n`,
    );
    expect(existsSync(path.join(r.state, 'calls.log'))).toBe(false);
    expectUnchanged(r, before);
  });
});

describe('cairn run: deferrals (§6.3)', () => {
  /** Runs with the given ready-check answer; checks the deferral against §6.3 and returns the new manifest. */
  function deferred(r: RunRepo, answer: string, reason: string, extra: string[] = []): { manifest: Json; before: Json; stdout: string } {
    const before = manifest(r);
    const head = git(r.repo, ['rev-parse', 'HEAD']);
    const start = Date.now();
    const result = run(r, extra, { EXEC_READY: answer, EXEC_READY_REASON: reason });
    const end = Date.now();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe(`${PROGRESS(r.slug).slice(0, 2).join('\n')}\n`);
    const after = manifest(r);
    const touched = Date.parse(after['last_touch'] as string);
    expect(touched).toBeGreaterThanOrEqual(start - 1);
    expect(touched).toBeLessThanOrEqual(end);
    expect(after['last_touch']).toBe(utc(touched));
    expect(after['cooldown_until']).toBe(utc(touched + 6 * 3600_000));
    expect(after['wake_up_on']).toBe(utc(touched + 7 * 24 * 3600_000));
    expect(steps(r)).toEqual(['ready-check']);
    expectNoRunLeft(r);
    if (!extra.includes('--commit')) expect(git(r.repo, ['rev-parse', 'HEAD'])).toBe(head);
    return { manifest: after, before, stdout: result.stdout };
  }

  function publishedDefer(r: RunRepo): Json[] {
    const log = JSON.parse(r.cairn(['log', r.slug, '--format', 'json']).stdout) as { events: { kind: string; details: Json }[] };
    return log.events.filter((event) => event.kind === 'publish.published').map((event) => ({ operation: event.details['operation'], reason: event.details['reason'] }));
  }

  it('ready: no cools the migration down, publishes the deferral, and the next run is refused as not eligible', () => {
    const r = fresh();
    const { manifest: after, before, stdout } = deferred(r, 'no', 'the old module is still imported');
    expect(after).toEqual({ ...before, last_touch: after['last_touch'], cooldown_until: after['cooldown_until'], wake_up_on: after['wake_up_on'] });
    expect(stdout).toBe(
      `Deferred: phase ${PHASE_1} deferred (ready: no): the old module is still imported\n` + `  cooldown until ${after['cooldown_until'] as string}; wake up on ${after['wake_up_on'] as string}\n`,
    );
    // Published through the transaction into the live migration, not committed.
    expect(publishedDefer(r)).toEqual([{ operation: 'migration.defer', reason: 'published' }]);
    expect(git(r.repo, ['status', '--porcelain'])).toBe(` M migrations/${r.slug}/manifest.json\n`);
    expect(existsSync(path.join(r.live, '__transactions__'))).toBe(false);

    // Not eligible comes before "not committed": cooling down is the reason that matters.
    const again = run(r);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(
      `Error: Migration '${r.slug}' is not eligible now: cooling down until ${after['cooldown_until'] as string}\n` +
        `Hint: Wait until then, or see why with \`cairn status ${r.slug}\`.\n`,
    );
    commitAll(r.repo, 'commit the deferral');
    const committed = run(r);
    expect(committed.code).toBe(1);
    expect(committed.stderr).toBe(again.stderr);
    expect(steps(r)).toEqual(['ready-check']);
  });

  it('ready: unverifiable also waits for a human review; --commit commits the deferral', () => {
    const r = fresh();
    const head = git(r.repo, ['rev-parse', 'HEAD']).trim();
    const reason = 'needs a person to look at production traffic';
    const { manifest: after, before, stdout } = deferred(r, 'unverifiable', reason, ['--commit']);
    expect(after).toEqual({
      ...before,
      last_touch: after['last_touch'],
      cooldown_until: after['cooldown_until'],
      wake_up_on: after['wake_up_on'],
      awaiting_human_review: true,
      human_review_reason: reason,
    });
    expect(stdout).toBe(
      `Deferred: phase ${PHASE_1} deferred (ready: unverifiable): ${reason}\n` +
        `  cooldown until ${after['cooldown_until'] as string}; wake up on ${after['wake_up_on'] as string}\n` +
        `  ${r.slug} now awaits a human review: \`cairn review ${r.slug}\`\n`,
    );
    expect(git(r.repo, ['log', '--format=%P %s', '-1']).trim()).toBe(`${head} cairn: ${r.slug}: migration.defer`);
    expect(git(r.repo, ['show', '--name-only', '--format=', 'HEAD']).trim()).toBe(`migrations/${r.slug}/manifest.json`);
    expect(git(r.repo, ['status', '--porcelain'])).toBe('');

    const again = run(r);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(
      `Error: Migration '${r.slug}' is awaiting human review: ${reason}; no phase may run before it is reviewed\n` + `Hint: Run \`cairn review ${r.slug}\`.\n`,
    );
  });

  it('downgrades an unverifiable answer about baseline validation to no', () => {
    const r = fresh();
    const reason = 'the baseline validation is not something I can run';
    const { manifest: after, before, stdout } = deferred(r, 'unverifiable', reason);
    expect(after).toEqual({ ...before, last_touch: after['last_touch'], cooldown_until: after['cooldown_until'], wake_up_on: after['wake_up_on'] });
    expect(after['awaiting_human_review']).toBe(false);
    expect(stdout.split('\n')[0]).toBe(`Deferred: phase ${PHASE_1} deferred (ready: no): ${reason}`);
  });

  it('keeps an existing wake-up time', async () => {
    const r = fresh();
    await editManifest(r, (m) => ({ ...m, wake_up_on: '2030-01-01T00:00:00.000+00:00' }));
    const before = manifest(r);
    const result = run(r, [], { EXEC_READY: 'no', EXEC_READY_REASON: 'not yet' });
    expect(result.code, result.stderr).toBe(0);
    const after = manifest(r);
    expect(after['wake_up_on']).toBe('2030-01-01T00:00:00.000+00:00');
    expect(after).toEqual({ ...before, last_touch: after['last_touch'], cooldown_until: after['cooldown_until'] });
  });

  it('defers a phase whose required effort is over --max-effort, with the original wording, without asking the agent', async () => {
    const r = fresh();
    await editManifest(r, (m) => ({ ...m, phases: m.phases.map((phase, i) => (i === 0 ? { ...phase, required_effort: 'high', effort_reason: 'touches the parser' } : phase)) }), 'phase 1 needs high effort');
    const reason = "Phase requires high effort, above this run's max allowed effort low. Reason: touches the parser.";
    const untouched = snapshot(r);
    const dry = run(r, ['--max-effort', 'low', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout.split('\n')[0]).toBe(`Dry run: would defer ${PHASE_1}: ${reason} (phase-effort-over-budget)`);
    expect(snapshot(r)).toEqual(untouched);

    const before = manifest(r);
    const head = git(r.repo, ['rev-parse', 'HEAD']);
    const start = Date.now();
    const result = run(r, ['--max-effort', 'low']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const after = manifest(r);
    expect(result.stdout).toBe(
      `Deferred: phase ${PHASE_1} deferred (phase-effort-over-budget): ${reason}\n` +
        `  cooldown until ${after['cooldown_until'] as string}; wake up on ${after['wake_up_on'] as string}\n`,
    );
    const touched = Date.parse(after['last_touch'] as string);
    expect(touched).toBeGreaterThanOrEqual(start - 1);
    expect(after).toEqual({ ...before, last_touch: utc(touched), cooldown_until: utc(touched + 6 * 3600_000), wake_up_on: utc(touched + 7 * 24 * 3600_000) });
    expect(existsSync(path.join(r.state, 'calls.log'))).toBe(false);
    expect(git(r.repo, ['rev-parse', 'HEAD'])).toBe(head);
    expectNoRunLeft(r);
  });
});

describe('cairn run: a stuck agent', () => {
  function hangPids(r: RunRepo): number[] {
    return readFileSync(path.join(r.state, 'hang.pids'), 'utf8').trim().split('\n').map(Number);
  }

  it('stops an agent that runs past --timeout, twice, then changes nothing and leaves no process', () => {
    const r = fresh();
    const before = snapshot(r);
    const result = run(r, ['--timeout', '2'], { EXEC_MODE: 'hang' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'Attempt 1 failed: the agent failed: exec-agent did not finish within 2000 ms and was stopped\n' +
        'Attempt 2 failed: the agent failed: exec-agent did not finish within 2000 ms and was stopped\n' +
        `Error: Phase ${PHASE_1} failed after 2 attempts: the agent failed: exec-agent did not finish within 2000 ms and was stopped; nothing was changed\n`,
    );
    expect(steps(r)).toEqual(['ready-check', 'execute', 'execute']);
    const pids = hangPids(r);
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(isRunning(pid)).toBe(false);
    expectUnchanged(r, before);
  });

  it('stops an agent that prints nothing for --silence-timeout', () => {
    const r = fresh();
    const before = snapshot(r);
    const result = run(r, ['--silence-timeout', '2', '--max-attempts', '1'], { EXEC_MODE: 'hang' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'Attempt 1 failed: the agent failed: exec-agent printed nothing for 2000 ms and was stopped\n' +
        `Error: Phase ${PHASE_1} failed after 1 attempt: the agent failed: exec-agent printed nothing for 2000 ms and was stopped; nothing was changed\n`,
    );
    const pids = hangPids(r);
    expect(pids).toHaveLength(1);
    expect(isRunning(pids[0] as number)).toBe(false);
    expectUnchanged(r, before);
  });

  it('counts an agent that exits non-zero as a failed attempt', () => {
    const r = fresh();
    const before = snapshot(r);
    const result = run(r, ['--max-attempts', '1'], { EXEC_MODE: 'fail' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('\nAttempt 1 failed: the agent failed: exec-agent exited with code 3\n');
    expectUnchanged(r, before);
  });
  it('stops a validation command that runs past --validate-timeout: a red baseline, the agent never asked', () => {
    const r = fresh();
    const before = snapshot(r);
    const pidFile = path.join(r.state, 'validate.pid');
    const validate = `sleep 600 & echo $! > "${pidFile}"; wait`;
    const result = r.cairn(['run', r.slug, '--agent', 'command', '--agent-cmd', 'exec-agent', '--validate', validate, '--validate-timeout', '2'], {}, SHORT_TIMEOUT_MS);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Error: The validation command timed out after 2 s before any change (baseline is red); nothing was changed\n');
    expect(isRunning(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
    expect(calls(r)).toEqual([]);
    expectUnchanged(r, before);
  });
});

describe('cairn run: integration', () => {
  it('leaves the branch and prints the merge when the user edits the working tree during the run', async () => {
    const r = fresh();
    const base = git(r.repo, ['rev-parse', 'HEAD']).trim();
    const edited = 'app v1\nthe user was here\n';
    const { code, stdout, stderr } = await runWhileAgentWorks(r, () => writeFileSync(path.join(r.repo, 'src', 'app.txt'), edited));
    expect(code, stderr).toBe(0);
    const branch = `cairn/${r.slug}/${PHASE_1}`;
    const commit = git(r.repo, ['rev-parse', branch]).trim();
    expect(stdout).toBe(`Phase ${PHASE_1} of ${r.slug} is committed on branch ${branch} (${commit.slice(0, 12)}).\n` + `Validated with: sh check.sh\n` + `To integrate it: git merge --ff-only ${branch}\n`);
    expect(stderr).toContain('Not integrated: the working tree has uncommitted changes (src/app.txt).\n');
    // The user's edit and branch are untouched; the phase waits on its branch.
    expect(readFileSync(path.join(r.repo, 'src', 'app.txt'), 'utf8')).toBe(edited);
    expect(git(r.repo, ['rev-parse', 'HEAD']).trim()).toBe(base);
    expect(git(r.repo, ['status', '--porcelain'])).toBe(' M src/app.txt\n');
    expect(git(r.repo, ['log', '--format=%P %s', '-1', branch]).trim()).toBe(`${base} ${subject(r)}`);
    expect(git(r.repo, ['show', `${branch}:src/app.txt`])).toBe(`app v1\nchange 1 for ${PHASE_1}\n`);
    expect(JSON.parse(git(r.repo, ['show', `${branch}:migrations/${r.slug}/manifest.json`])).current_phase).toBe('split-module');
    // The live migration is unchanged until the branch is merged.
    expect(manifest(r)['current_phase']).toBe(PHASE_1);
    expect(git(r.repo, ['worktree', 'list', '--porcelain']).split('\n').filter((line) => line.startsWith('worktree '))).toEqual([`worktree ${r.repo}`]);
    expect(existsSync(path.join(r.repo, '.planning', 'work', '.execute'))).toBe(false);

    // Once the user's edit is out of the way, the printed command integrates the phase.
    git(r.repo, ['checkout', '--quiet', '--', 'src/app.txt']);
    git(r.repo, ['merge', '--quiet', '--ff-only', branch]);
    expect(git(r.repo, ['rev-parse', 'HEAD']).trim()).toBe(commit);
  });

  it('prints a merge that works when the user committed on the branch during the run', async () => {
    const r = fresh();
    const base = git(r.repo, ['rev-parse', 'HEAD']).trim();
    const { code, stdout, stderr } = await runWhileAgentWorks(r, () => {
      writeFileSync(path.join(r.repo, 'notes.txt'), 'the user kept working\n');
      commitAll(r.repo, "the user's own commit");
    });
    expect(code, stderr).toBe(0);
    const userCommit = git(r.repo, ['rev-parse', 'HEAD']).trim();
    expect(git(r.repo, ['rev-parse', 'HEAD~1']).trim()).toBe(base);
    const branch = `cairn/${r.slug}/${PHASE_1}`;
    const commit = git(r.repo, ['rev-parse', branch]).trim();
    expect(stderr).toContain(`Not integrated: main moved since the run began (it is at ${userCommit.slice(0, 12)}, the run started from ${base.slice(0, 12)}).\n`);
    expect(stdout).toBe(`Phase ${PHASE_1} of ${r.slug} is committed on branch ${branch} (${commit.slice(0, 12)}).\nValidated with: sh check.sh\nTo integrate it: git merge ${branch}\n`);
    git(r.repo, ['merge', '--quiet', '--no-edit', branch]);
    expect(manifest(r)['current_phase']).toBe('split-module');
    expect(readFileSync(path.join(r.repo, 'notes.txt'), 'utf8')).toBe('the user kept working\n');
  });

  it('refuses a second concurrent run of the same migration by its run lease, before anything starts; the first integrates', async () => {
    const r = fresh();
    const base = git(r.repo, ['rev-parse', 'HEAD']).trim();
    const go = path.join(r.state, 'go');
    const first = startRun(r, { EXEC_MODE: 'slow', EXEC_WAIT_FOR: go });
    try {
      expect(await waitFor(() => steps(r).includes('execute'), SHORT_TIMEOUT_MS)).toBe(true);
      const second = r.cairn(['run', r.slug, ...EXEC_AGENT]);
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(new RegExp(`^Error: ${r.slug} is being run by pid \\d+ since \\d\\d:\\d\\d \\(phase ${PHASE_1}\\); nothing was started\\.\\n`));
      expect(steps(r).filter((step) => step === 'execute')).toHaveLength(1);
      writeFileSync(go, '');
      const result = await first.exited;
      expect(result.code, result.stderr).toBe(0);
      expect(git(r.repo, ['log', '--format=%s', `${base}..main`]).trim()).toBe(subject(r));
      expect(manifest(r)['current_phase']).toBe('split-module');
      expect(git(r.repo, ['branch', '--list', '--format=%(refname:short)', 'cairn/*']).trim()).toBe('');
      expect(git(r.repo, ['worktree', 'list', '--porcelain']).split('\n').filter((line) => line.startsWith('worktree '))).toEqual([`worktree ${r.repo}`]);
      expect(git(r.repo, ['status', '--porcelain'])).toBe('');
    } finally {
      first.stop();
    }
  });

  it("leaves a run directory without its record to a cairn that holds a run lease, and takes it for abandoned once none does", async () => {
    const r = fresh();
    const go = path.join(r.state, 'go');
    const running = startRun(r, { EXEC_MODE: 'slow', EXEC_WAIT_FOR: go });
    const runDir = path.join(r.repo, '.planning', 'work', '.execute', '20260101T000000000-aaaaaaaaaaaa');
    try {
      expect(await waitFor(() => steps(r).includes('execute'), SHORT_TIMEOUT_MS)).toBe(true);
      // As another cairn leaves it for an instant, between making the directory and writing its record.
      mkdirSync(runDir, { recursive: true });
      const during = r.cairn(['recover'], {}, SHORT_TIMEOUT_MS);
      expect(during.code).toBe(0);
      expect(during.stdout).toBe('Nothing to recover.\n');
      expect(existsSync(runDir)).toBe(true);
      writeFileSync(go, '');
      expect((await running.exited).code).toBe(0);
    } finally {
      running.stop();
    }
    const later = r.cairn(['recover'], {}, SHORT_TIMEOUT_MS);
    expect(later.stdout).toBe('cleaned up the abandoned run 20260101T000000000-aaaaaaaaaaaa\n');
    expect(later.code).toBe(0);
    expect(existsSync(path.join(r.repo, '.planning', 'work', '.execute'))).toBe(false);
  });

  it('stops the agent and changes nothing on Ctrl-C (exit 130)', async () => {
    const r = fresh();
    const before = snapshot(r);
    const cairn = startRun(r, { EXEC_MODE: 'slow', EXEC_WAIT_FOR: path.join(r.state, 'never') });
    try {
      expect(await waitFor(() => steps(r).includes('execute'), SHORT_TIMEOUT_MS)).toBe(true);
      process.kill(cairn.pid, 'SIGINT');
      const result = await cairn.exited;
      expect(result.code).toBe(130);
      expect(result.stderr).toContain('Interrupted by SIGINT: the agent was stopped and nothing was changed.\n');
      expectUnchanged(r, before);
    } finally {
      cairn.stop();
    }
  });

  it('--integrate branch leaves the phase on its branch and main where it was', () => {
    const r = fresh();
    const base = git(r.repo, ['rev-parse', 'HEAD']).trim();
    const result = run(r, ['--integrate', 'branch']);
    expect(result.code, result.stderr).toBe(0);
    const branch = `cairn/${r.slug}/${PHASE_1}`;
    const commit = git(r.repo, ['rev-parse', branch]).trim();
    expect(result.stdout).toBe(`Phase ${PHASE_1} of ${r.slug} is committed on branch ${branch} (${commit.slice(0, 12)}).\nValidated with: sh check.sh\nTo integrate it: git merge --ff-only ${branch}\n`);
    expect(result.stderr).not.toContain('Not integrated');
    expect(git(r.repo, ['rev-parse', 'HEAD']).trim()).toBe(base);
    expect(git(r.repo, ['rev-parse', `${commit}~1`]).trim()).toBe(base);
    expect(git(r.repo, ['status', '--porcelain'])).toBe('');
    expect(manifest(r)['current_phase']).toBe(PHASE_1);

    // The same phase again is refused while its branch is not merged.
    const again = run(r, ['--integrate', 'branch']);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(
      `Error: Phase '${PHASE_1}' of '${r.slug}' was already carried out on branch ${branch}, which is not merged into HEAD\n` +
        `Hint: Merge it (\`git merge --ff-only ${branch}\`, or \`git merge ${branch}\`), or discard it with \`git branch -D ${branch}\`, then run again.\n`,
    );
    git(r.repo, ['merge', '--quiet', '--ff-only', branch]);
    expect(manifest(r)['current_phase']).toBe('split-module');
  });

  it('--integrate push --remote origin pushes the phase branch to a bare repository', () => {
    const r = fresh();
    const bare = path.join(tempDir('cairn-remote-'), 'origin.git');
    git(r.repo, ['init', '--quiet', '--bare', bare]);
    git(r.repo, ['remote', 'add', 'origin', bare]);
    git(r.repo, ['push', '--quiet', 'origin', 'main']);
    const base = git(r.repo, ['rev-parse', 'HEAD']).trim();
    const result = run(r, ['--integrate', 'push', '--remote', 'origin']);
    expect(result.code, result.stderr).toBe(0);
    const branch = `cairn/${r.slug}/${PHASE_1}`;
    const commit = git(r.repo, ['rev-parse', branch]).trim();
    expect(result.stdout).toBe(`Phase ${PHASE_1} of ${r.slug} is committed on branch ${branch} (${commit.slice(0, 12)}) and pushed ${branch} to origin.\nValidated with: sh check.sh\n`);
    expect(git(bare, ['rev-parse', `refs/heads/${branch}`]).trim()).toBe(commit);
    expect(git(bare, ['log', '-1', '--format=%s', branch]).trim()).toBe(subject(r));
    expect(git(bare, ['rev-parse', 'refs/heads/main']).trim()).toBe(base);
    expect(git(r.repo, ['rev-parse', 'HEAD']).trim()).toBe(base);
    expect(git(r.repo, ['status', '--porcelain'])).toBe('');
  });
});

describe('cairn run: other starting points', () => {
  it('commits on the phase branch and prints the merge when HEAD is detached', () => {
    const r = fresh();
    const base = git(r.repo, ['rev-parse', 'HEAD']).trim();
    git(r.repo, ['checkout', '--quiet', '--detach']);
    const result = run(r);
    expect(result.code, result.stderr).toBe(0);
    const branch = `cairn/${r.slug}/${PHASE_1}`;
    const commit = git(r.repo, ['rev-parse', branch]).trim();
    expect(result.stdout).toBe(`Phase ${PHASE_1} of ${r.slug} is committed on branch ${branch} (${commit.slice(0, 12)}).\nValidated with: sh check.sh\nTo integrate it: git merge --ff-only ${branch}\n`);
    expect(result.stderr).toContain('Not integrated: HEAD is detached, so there is no branch to fast-forward.\n');
    expect(git(r.repo, ['rev-parse', 'HEAD']).trim()).toBe(base);
    expect(git(r.repo, ['rev-parse', 'main']).trim()).toBe(base);
  });

  it('uses --commit-prefix for the phase commit', () => {
    const r = fresh();
    const result = run(r, ['--commit-prefix', 'refactor']);
    expect(result.code, result.stderr).toBe(0);
    expect(git(r.repo, ['log', '-1', '--format=%s']).trim()).toBe(`refactor: migration/${r.slug}/${PHASE_1_FILE}`);
  });

  it('fails without deferring when the ready-check answer cannot be read', () => {
    const r = fresh();
    const before = snapshot(r);
    const result = run(r, [], { EXEC_READY: 'maybe' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Error: Phase ready-check produced unrecognised output: 'ready: maybe — the precondition holds'\n");
    expect(steps(r)).toEqual(['ready-check']);
    expectUnchanged(r, before);
  });

  it('fails when the ready-check edits files', () => {
    const r = fresh();
    const before = snapshot(r);
    const result = run(r, [], { EXEC_READY_TOUCH: '1' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Error: The ready-check changed files in the worktree (src/app.txt); a ready-check may only look\n');
    expect(steps(r)).toEqual(['ready-check']);
    expectUnchanged(r, before);
  });

  it('commits only the manifest of a deferral with --commit, leaving what the user staged', () => {
    const r = fresh();
    writeFileSync(path.join(r.repo, 'check.sh'), `${readFileSync(path.join(r.repo, 'check.sh'), 'utf8')}# staged by the user\n`);
    git(r.repo, ['add', 'check.sh']);
    const result = run(r, ['--commit'], { EXEC_READY: 'no', EXEC_READY_REASON: 'not yet' });
    expect(result.code, result.stderr).toBe(0);
    expect(git(r.repo, ['show', '--name-only', '--format=%s', 'HEAD']).trim()).toBe(`cairn: ${r.slug}: migration.defer\n\nmigrations/${r.slug}/manifest.json`);
    expect(git(r.repo, ['status', '--porcelain'])).toBe('M  check.sh\n');
  });
});

describe('cairn run: refusals', () => {
  /** Runs `args`, expects `code` and exactly `stderr`, and that nothing changed and no agent ran. */
  function refused(r: RunRepo, args: string[], code: number, stderr: string): void {
    const before = snapshot(r);
    const result = r.cairn(args, {}, SHORT_TIMEOUT_MS);
    expect(result.stderr).toBe(stderr);
    expect(result.stdout).toBe('');
    expect(result.code).toBe(code);
    expectUnchanged(r, before);
    expect(calls(r)).toEqual([]);
  }

  it('names the reason and the command that unblocks it, and changes nothing', () => {
    const r = fresh();
    const planning = 'extract-pagination-helpers-in-reports-20260421T081406';
    const awaiting = 'remove-logging-calls-in-inventory-20260313T164735';
    const uncommitted = 'src-cli-serializers-py-20260329T045020';
    copyFixtureMigrations(r.live, [planning, awaiting]);
    commitAll(r.repo, 'a planning and an awaiting migration');
    copyFixtureMigrations(r.live, [uncommitted]);

    refused(
      r,
      ['run', planning, ...EXEC_AGENT],
      1,
      `Error: Migration '${planning}' is still being planned; only ready or in-progress migrations have phases to run\n` +
        `Hint: Finish planning first: \`cairn plan ${planning} --agent command --agent-cmd exec-agent\` (or \`cairn run --all --agent command --agent-cmd exec-agent\`).\n`,
    );
    refused(
      r,
      ['run', awaiting, ...EXEC_AGENT],
      1,
      `Error: Migration '${awaiting}' is awaiting human review: rollout touches billing exports — needs product sign-off; no phase may run before it is reviewed\n` +
        `Hint: Run \`cairn review ${awaiting}\`.\n`,
    );
    const dir = `migrations/${uncommitted}`;
    refused(
      r,
      ['run', uncommitted, ...EXEC_AGENT],
      1,
      `Error: Migration '${uncommitted}' has changes that are not committed (${dir}/.planning/stages/approaches.stdout.md, ${dir}/.planning/stages/expand.stdout.md, ${dir}/.planning/stages/final-review.stdout.md, …); the phase runs in a git worktree of HEAD, which would not see them\n` +
        `Hint: Commit the migration directory first: git add -A -- ${dir} && git commit -m "cairn: ${uncommitted}"\n`,
    );
    refused(
      r,
      ['run', r.slug, '--agent', 'command', '--agent-cmd', 'exec-agent'],
      2,
      "Error: No validation command: cairn runs a phase only under the project's tests\n" +
        `Hint: Pass --validate '<command>' (e.g. --validate 'npm test'), or add "validate": "<command>" to .planning/config.json and run \`cairn trust\`.\n`,
    );
    refused(
      r,
      ['run', r.slug, '--agent', 'manual', '--validate', 'sh check.sh'],
      2,
      'Error: `cairn run` needs an agent that runs by itself; --agent manual cannot execute a phase\n' +
        'Hint: Pick an agent (--agent claude|codex|command), or drive the phase yourself through the MCP tools next_phase and finish_phase.\n',
    );
    refused(r, ['run', 'nope', ...EXEC_AGENT], 2, "Error: Migration 'nope' does not exist.\nHint: Run `cairn list` to see the migrations in this repository.\n");
    refused(r, ['run', r.slug, '--all', ...EXEC_AGENT], 2, 'Error: Give either a migration or --all, not both.\n');
    refused(r, ['run', ...EXEC_AGENT], 2, 'Error: Which migration? Give its slug, or --all to run every eligible one.\nHint: Run `cairn ready` to see what can run.\n');
    refused(r, ['run', r.slug, ...EXEC_AGENT, '--integrate', 'push'], 2, 'Error: --integrate push needs --remote <name>\nHint: e.g. --integrate push --remote origin\n');
    refused(r, ['run', r.slug, ...EXEC_AGENT, '--remote', 'origin'], 2, 'Error: --remote is only used with --integrate push\n');
    refused(r, ['run', r.slug, ...EXEC_AGENT, '--max-actions', '2'], 2, 'Error: --max-actions and --max-consecutive-failures go with --all\n');
  });

  it('--dry-run shows what would run, as text and as JSON, and changes nothing', () => {
    const r = fresh();
    const before = snapshot(r);
    const base = git(r.repo, ['rev-parse', 'HEAD']).trim();
    const text = run(r, ['--dry-run']);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    expect(text.stdout).toBe(
      [
        `Dry run: would run phase ${PHASE_1} of ${r.slug}`,
        `  phase:       ${PHASE_1} (migrations/${r.slug}/${PHASE_1_FILE})`,
        '  effort:      (agent default)',
        '  agent:       exec-agent',
        '  validation:  sh check.sh',
        `  branch:      cairn/${r.slug}/${PHASE_1}`,
        `  integration: fast-forward main when it is checked out clean at ${base.slice(0, 12)}`,
        'Nothing was changed.',
        '',
      ].join('\n'),
    );
    const json = run(r, ['--dry-run', '--format', 'json', '--integrate', 'push', '--remote', 'origin']);
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    const document = runOutputDocument(json.stdout);
    expect(document).toMatchObject({ mode: 'one', actions: [], awaiting_review: [], stopped_because: null, cleaned_up: [] });
    expect(document['phase']).toMatchObject({
      status: 'dry-run',
      slug: r.slug,
      phase: PHASE_1,
      phase_file: `migrations/${r.slug}/${PHASE_1_FILE}`,
      validation_command: 'sh check.sh',
      agent_argv: ['exec-agent'],
      base_commit: base,
      branch: `cairn/${r.slug}/${PHASE_1}`,
      commit: null,
      integration: { mode: 'push', done: false, merge_command: null, detail: 'push the phase branch to origin' },
      attempts: [],
      next_phase: PHASE_1,
      migration_status: 'ready',
    });
    expectUnchanged(r, before);
    expect(existsSync(path.join(r.repo, '.planning', 'work'))).toBe(false);
    expect(calls(r)).toEqual([]);
  });
});

describe("cairn run: the agent's lane", () => {
  it('rejects an attempt that edits the migration directory', () => {
    const r = fresh();
    const before = snapshot(r);
    const result = run(r, ['--max-attempts', '1'], { EXEC_MODE: 'touch-migration' });
    expect(result.code).toBe(1);
    const why = `the agent changed the migration directory (migrations/${r.slug}/plan.md); only cairn records a phase's completion`;
    expect(result.stderr).toContain(`Attempt 1 failed: ${why}\nError: Phase ${PHASE_1} failed after 1 attempt: ${why}; nothing was changed\n`);
    expectUnchanged(r, before);
  });

  it('rejects an attempt that changes nothing', () => {
    const r = fresh();
    const before = snapshot(r);
    const result = run(r, ['--max-attempts', '1'], { EXEC_MODE: 'nothing' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Attempt 1 failed: the agent changed nothing\nError: Phase ${PHASE_1} failed after 1 attempt: the agent changed nothing; nothing was changed\n`);
    expectUnchanged(r, before);
  });

  it("folds the agent's own commit into the one phase commit on the base", () => {
    const r = fresh();
    const base = git(r.repo, ['rev-parse', 'HEAD']).trim();
    const result = run(r, [], { EXEC_MODE: 'commit' });
    expect(result.code, result.stderr).toBe(0);
    expect(git(r.repo, ['log', '--format=%P %s', `${base}..HEAD`]).trim()).toBe(`${base} ${subject(r)}`);
    expect(git(r.repo, ['show', '--name-only', '--format=', 'HEAD']).trim().split('\n')).toEqual([`migrations/${r.slug}/manifest.json`, 'src/app.txt']);
    expect(git(r.repo, ['log', '--all', '--format=%s']).split('\n')).not.toContain("agent's own commit");
    expectNoRunLeft(r);
  });
});
