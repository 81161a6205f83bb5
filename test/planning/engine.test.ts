import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AgentSettings } from '../../src/agent/index.js';
import { commitMessage, checkCanCommit, commitMigration } from '../../src/planning/commit.js';
import { acceptManualOutput } from '../../src/planning/engine-accept.js';
import { nullPlanningLog, type PlanningLog } from '../../src/planning/engine-log.js';
import { nextStepOf, type EngineContext } from '../../src/planning/engine.js';
import { newState } from '../../src/migration/graph.js';
import { parseUntil, planNextStep, untilAlreadyReached, untilReached, type PlanStepOutcome } from '../../src/planning/run-plan.js';
import type { PlanningState } from '../../src/migration/index.js';
import {
  createRunWorkspace,
  latestManualRun,
  listRuns,
  newRunId,
  newRunRecord,
  readRunRecord,
  removeRun,
  slugWorkDir,
  writeRunRecord,
} from '../../src/planning/workspace.js';
import { snapshotId } from '../../src/fs/digest.js';
import { MemoryRecorder } from '../../src/publish/recorder.js';
import { fakeAgents } from '../support/agents.js';
import { commitAll, git, initGitRepo } from '../support/git.js';
import { cairnRepo, newMigration } from '../support/repo.js';
import { tempDir } from '../support/tmp.js';

// Runs are sealed with a key in the user's config dir: keep it in a temp dir.
beforeAll(() => {
  process.env['XDG_CONFIG_HOME'] = tempDir('cairn-engine-xdg-');
});

const NOW = '2026-06-01T10:00:00.000+00:00';
const ID = 'a'.repeat(64);

/** A repository (not git) with migration `m1` freshly created by `cairn new`, at `approaches`. */
function repoWithMigration(): { repo: string; live: string; dir: string } {
  const t = cairnRepo({ prefix: 'cairn-engine-' });
  newMigration(t.repo, 'm1', 'tidy the module');
  return { repo: t.repo, live: t.live, dir: t.dir('m1') };
}

function settings(agent: AgentSettings['agent'], agentCmd: string | null = null): AgentSettings {
  return { agent, model: null, effort: null, agentCmd, sources: { agent: 'flag', model: null, effort: null, agentCmd: agentCmd === null ? null : 'flag' } };
}

function context(repo: string, live: string, log: PlanningLog = nullPlanningLog()): EngineContext {
  return { repoRoot: repo, liveRoot: live, slug: 'm1', reviewPolicy: 'when-flagged', lockTimeoutMs: 5_000, recorder: new MemoryRecorder(), log };
}

describe('planning runs on disk', () => {
  it('names runs by time, then random hex', () => {
    const id = newRunId(new Date(2026, 4, 14, 0, 27, 12, 66));
    expect(id).toMatch(/^20260514T002712066-[0-9a-f]{16}$/);
    expect(newRunId(new Date(2026, 4, 14, 0, 27, 13)) > id).toBe(true);
  });

  it('writes run.json sorted and finds the newest manual run; removing a run removes empty parents', async () => {
    const { repo, dir } = repoWithMigration();
    const workRoot = slugWorkDir(repo, 'm1');
    const older = await createRunWorkspace(workRoot, 'm1', dir, new Date(2026, 0, 1));
    const newer = await createRunWorkspace(workRoot, 'm1', dir, new Date(2026, 0, 2));
    expect(readdirSync(newer.workspaceDir).sort()).toEqual(['.planning', 'manifest.json']);
    const fields = { slug: 'm1', step: 'approaches' as const, operation: 'planning.approaches', base_snapshot_id: ID, agent: 'manual', model: null, effort: null, prompt_sha256: null, prepared_tree: {} };
    await writeRunRecord(older.runDir, newRunRecord({ ...fields, run_id: older.runId, mode: 'manual' }, new Date(Date.UTC(2026, 0, 1))));
    await writeRunRecord(newer.runDir, newRunRecord({ ...fields, run_id: newer.runId, mode: 'agent' }, new Date(Date.UTC(2026, 0, 2))));
    expect(readFileSync(path.join(older.runDir, 'run.json'), 'utf8').split('\n').slice(0, 4)).toEqual([
      '{',
      '  "agent": "manual",',
      `  "base_snapshot_id": "${ID}",`,
      `  "created_at": "${(await readRunRecord(older.runDir))?.created_at}",`,
    ]);
    expect((await listRuns(repo, 'm1')).map((run) => run.runId)).toEqual([older.runId, newer.runId]);
    expect((await latestManualRun(repo, 'm1'))?.runId).toBe(older.runId);
    expect(await removeRun(older.runDir)).toBeNull();
    expect(await removeRun(newer.runDir)).toBeNull();
    expect(existsSync(workRoot)).toBe(false);
    // `cairn new` left the record of what it published (format.md §2.6); nothing else remains.
    expect(readdirSync(path.join(repo, '.planning', 'work'))).toEqual(['.published']);
    expect(await latestManualRun(repo, 'm1')).toBeNull();
  });
});

describe('--until and the terminal cursor', () => {
  it('parses a step or terminal and refuses anything else', () => {
    expect(parseUntil('review-2')).toBe('review-2');
    expect(parseUntil('terminal')).toBe('terminal');
    expect(() => parseUntil('done')).toThrow("--until must be a planning step or 'terminal', got 'done'");
  });

  it('finds a step already behind the cursor, but not one the cursor reaches again', () => {
    const state = (next: string, done: string[]): PlanningState => ({ next_step: next, completed_steps: done.map((name) => ({ name })) }) as unknown as PlanningState;
    expect(untilAlreadyReached(state('pick-best', ['approaches']), 'approaches')).toBe(true);
    expect(untilAlreadyReached(state('pick-best', ['approaches']), 'pick-best')).toBe(false);
    expect(untilAlreadyReached(state('pick-best', ['approaches']), 'terminal')).toBe(false);
    // Reopened for revise after an earlier revise: revise runs again.
    const reopened = ['approaches', 'pick-best', 'expand', 'review', 'revise', 'review-2', 'final-review'];
    expect(untilAlreadyReached(state('revise', reopened), 'revise')).toBe(false);
    expect(untilAlreadyReached(state('revise', reopened), 'expand')).toBe(true);
    expect(untilAlreadyReached(state('terminal-ready', reopened), 'expand')).toBe(false);
  });

  it('stops after the named step, at a terminal cursor, or at anything not published', () => {
    const result = (fields: Partial<PlanStepOutcome>): PlanStepOutcome => ({ status: 'published', step: 'review', nextStep: 'revise', ...fields }) as PlanStepOutcome;
    expect(untilReached(result({}), 'review')).toBe(true);
    expect(untilReached(result({}), 'terminal')).toBe(false);
    expect(untilReached(result({}), null)).toBe(true);
    expect(untilReached(result({ nextStep: 'terminal-ready' }), 'terminal')).toBe(true);
    expect(untilReached(result({ status: 'rejected' }), 'terminal')).toBe(true);
  });

  it('names the migration when the plan is terminal', () => {
    const state = { ...newState('x', NOW), next_step: 'terminal-skipped' as const };
    expect(() => nextStepOf(state, 'm1')).toThrow("Planning state is terminal; no next step for 'm1'");
  });
});

describe('planNextStep and acceptManualOutput (library)', () => {
  it('runs a command agent in the repository root and publishes its step', async () => {
    const { repo, live, dir } = repoWithMigration();
    const script = fakeAgents().write('agent.sh', '#!/bin/sh\ncat > /dev/null\nmkdir "$CAIRN_WORKSPACE/approaches"\npwd > "$CAIRN_WORKSPACE/approaches/cwd.md"\necho other > "$CAIRN_WORKSPACE/approaches/other.md"\necho "step $CAIRN_STEP for $CAIRN_SLUG"\n');
    const runs: string[] = [];
    const log: PlanningLog = { ...nullPlanningLog(), runStarted: (input) => (runs.push(`${input.step}:${input.agent}`), 'r-1'), runEnded: (_id, input) => void runs.push(input.verdict) };
    const ctx = context(repo, live, log);
    const result = await planNextStep(ctx, { agent: { settings: settings('command', script), timeoutMs: 10_000, silenceTimeoutMs: 0 }, taste: null });
    expect([result.status, result.step, result.operation, result.nextStep, result.reason]).toEqual([
      'published',
      'approaches',
      'planning.approaches',
      'pick-best',
      'planning.approaches accepted; next step: pick-best',
    ]);
    expect(result.runDir).toBeNull();
    expect(runs).toEqual(['approaches:command', 'accepted']);
    expect(readFileSync(path.join(dir, 'approaches', 'cwd.md'), 'utf8')).toBe(`${repo}\n`);
    expect(readFileSync(path.join(dir, '.planning', 'stages', 'approaches.stdout.md'), 'utf8')).toBe('step approaches for m1\n');
    expect(ctx.recorder?.lastPublishedSnapshot(live, 'm1')).toBe(await snapshotId(dir));
  });

  it('prepares a manual run that acceptManualOutput publishes against the base snapshot', async () => {
    const { repo, live, dir } = repoWithMigration();
    const ctx = context(repo, live);
    const base = await snapshotId(dir);
    const manual = await planNextStep(ctx, { agent: { settings: settings('manual'), timeoutMs: 0, silenceTimeoutMs: 0 }, taste: 'Prefer small phases.' });
    expect(manual.status).toBe('manual');
    expect(manual.prompt?.prompt).toContain('## Taste\nPrefer small phases.\n');
    expect((await readRunRecord(manual.runDir as string))?.base_snapshot_id).toBe(base);
    mkdirSync(path.join(manual.workspaceDir, 'approaches'));
    for (const name of ['by-hand', 'second-pass']) writeFileSync(path.join(manual.workspaceDir, 'approaches', `${name}.md`), `# ${name}\n`);
    const accepted = await acceptManualOutput(ctx, { step: 'approaches', stdout: 'done by hand\n' });
    expect([accepted.status, accepted.nextStep]).toEqual(['published', 'pick-best']);
    expect(existsSync(manual.runDir as string)).toBe(false);
  });
});

describe('--commit', () => {
  it('commits only the migration directory with the operation in the message', async () => {
    const { repo, dir } = repoWithMigration();
    expect(commitMessage('m1', 'planning.expand')).toBe('cairn: m1: planning.expand');
    expect(() => checkCanCommit(repo)).toThrow(`--commit needs a git repository, and ${repo} is not in one.`);
    initGitRepo(repo);
    writeFileSync(path.join(repo, 'unrelated.txt'), 'not mine\n');
    git(repo, ['add', 'unrelated.txt']);
    commitAll(repo, 'base');
    writeFileSync(path.join(repo, 'unrelated.txt'), 'changed\n');
    writeFileSync(path.join(dir, 'plan.md'), '# Plan\n');
    expect(() => checkCanCommit(repo)).not.toThrow();
    const sha = commitMigration(repo, dir, 'm1', 'planning.expand');
    expect(git(repo, ['rev-parse', 'HEAD']).trim()).toBe(sha);
    expect(git(repo, ['log', '-1', '--format=%s']).trim()).toBe('cairn: m1: planning.expand');
    expect(git(repo, ['show', '--name-only', '--format=', 'HEAD']).trim()).toBe('migrations/m1/plan.md');
    expect(git(repo, ['status', '--porcelain']).trim()).toBe('M unrelated.txt');
  });
});
