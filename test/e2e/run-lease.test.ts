import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AGENT, fakeAgents } from '../support/agents.js';
import { CLI, cliEnv } from '../support/cli.js';
import { SLUG, copyRepo, newPlanRepo, stateOf, workRuns, type PlanRepo } from '../support/plan-repo.js';
import { EXEC_AGENT, runRepo } from '../support/run-repo.js';
import { tempDir, templateDir } from '../support/tmp.js';

/*
 * One run per migration at a time (.planning/work/.leases/<slug>.json): a
 * second command that would start an agent for a migration another cairn is
 * working on refuses at once, before any agent or workspace, and a lease
 * whose holder died is taken over.
 */

/** Logs each start (`<step> <pid>`), then waits for the go file before doing what fake-agent does. */
const SLOW_AGENT = `#!/bin/sh
echo "$CAIRN_STEP $$" >> "$SLOW_LOG"
while [ ! -e "$SLOW_GO" ]; do sleep 0.05; done
exec fake-agent
`;
const SLOW = ['--agent', 'command', '--agent-cmd', 'slow-agent'];
const HINT =
  'Hint: Wait for that command to finish, then run yours again (`cairn status alpha` shows where the migration is). ' +
  'If that process is gone, the lease is reclaimed by the next command on its own, and `cairn recover` cleans up what it left.\n';

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface Started {
  pid: number;
  exited: Promise<Exit>;
}

const started: Started[] = [];
afterEach(async () => {
  for (const run of started.splice(0)) {
    try {
      process.kill(run.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await run.exited;
  }
});

function startCli(cwd: string, args: string[], env: Record<string, string>): Started {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<Exit>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  const run = { pid: child.pid as number, exited };
  started.push(run);
  return run;
}

async function waitFor<T>(what: string, probe: () => T | null, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((line) => line !== '') : [];
}

function leaseFile(repo: string, slug: string): string {
  return path.join(repo, '.planning', 'work', '.leases', `${slug}.json`);
}

function readLease(repo: string, slug: string): Record<string, unknown> {
  return JSON.parse(readFileSync(leaseFile(repo, slug), 'utf8')) as Record<string, unknown>;
}

/** `12:03` of a cairn timestamp written today. */
function clock(createdAt: unknown): string {
  return String(createdAt).slice(11, 16);
}

interface SlowPlan {
  p: PlanRepo;
  env: Record<string, string>;
  log: string;
  go: string;
  first: Started;
  /** The first agent's pid. */
  agentPid: number;
}

/** A plan whose agent (step approaches) has started and waits for its go file. */
async function startSlowPlan(template: PlanRepo): Promise<SlowPlan> {
  const p = copyRepo(template);
  fakeAgents(p.bin).write('slow-agent', SLOW_AGENT);
  const dir = tempDir('cairn-slow-');
  const log = path.join(dir, 'agent.log');
  const go = path.join(dir, 'go');
  const env = p.env({ SLOW_LOG: log, SLOW_GO: go });
  const first = startCli(p.repo, ['plan', SLUG, ...SLOW], env);
  const line = await waitFor('the first agent to start', () => lines(log)[0] ?? null);
  // The lease names the step once the agent is about to start.
  await waitFor('the lease to name the step', () => (existsSync(leaseFile(p.repo, SLUG)) && readLease(p.repo, SLUG)['step'] === 'approaches' ? true : null));
  return { p, env, log, go, first, agentPid: Number(line.split(' ')[1]) };
}

let fresh: PlanRepo;
beforeAll(() => {
  fresh = newPlanRepo(templateDir());
});

describe('one run per migration', () => {
  it('refuses a second plan at once while the first one’s agent runs, and plans again once it is done', async () => {
    const { p, env, log, go, first } = await startSlowPlan(fresh);
    const lease = readLease(p.repo, SLUG);
    expect(lease).toEqual({
      boot_id: lease['boot_id'],
      created_at: lease['created_at'],
      hostname: os.hostname(),
      lock_id: lease['lock_id'],
      operation: 'plan',
      phase: null,
      pid: first.pid,
      slug: SLUG,
      start_time: lease['start_time'],
      step: 'approaches',
      tool: lease['tool'],
    });
    expect(String(lease['tool'])).toMatch(/^cairn /);

    const second = await startCli(p.repo, ['plan', SLUG, ...SLOW], env).exited;
    expect(second.stdout).toBe('');
    expect(second.stderr).toBe(`Error: alpha is being planned by pid ${first.pid} since ${clock(lease['created_at'])} (step approaches); nothing was started.\n${HINT}`);
    expect(second.code).toBe(1);
    // Its agent never started, and it made no workspace of its own.
    expect(lines(log)).toHaveLength(1);
    expect(workRuns(p)).toHaveLength(1);

    const json = await startCli(p.repo, ['plan', SLUG, ...SLOW, '--format', 'json'], env).exited;
    expect(json.code).toBe(1);
    const envelope = JSON.parse(json.stdout) as { error: { code: string; message: string } };
    expect(envelope.error.code).toBe('blocked');
    expect(envelope.error.message).toBe(`alpha is being planned by pid ${first.pid} since ${clock(lease['created_at'])} (step approaches); nothing was started.`);
    expect(lines(log)).toHaveLength(1);

    writeFileSync(go, '');
    const done = await first.exited;
    expect(done.stdout).toBe('Accepted planning.approaches for alpha; next step: pick-best.\nNext: cairn plan alpha --agent command --agent-cmd slow-agent\n');
    expect(done.code).toBe(0);
    expect(existsSync(path.dirname(leaseFile(p.repo, SLUG)))).toBe(false);

    const next = p.cli(['plan', SLUG, ...AGENT]);
    expect(next.stdout).toBe('Accepted planning.pick-best for alpha; next step: expand.\nNext: cairn plan alpha --agent command --agent-cmd fake-agent\n');
    expect(next.code).toBe(0);
  });

  it('refuses refine and cairn run while a plan holds the lease', async () => {
    const { p, env, log, first } = await startSlowPlan(fresh);
    const since = clock(readLease(p.repo, SLUG)['created_at']);
    const refused = `Error: alpha is being planned by pid ${first.pid} since ${since} (step approaches); nothing was started.\n${HINT}`;

    const refine = await startCli(p.repo, ['refine', SLUG, '--message', 'smaller phases', ...SLOW], env).exited;
    expect(refine.stderr).toBe(refused);
    expect(refine.code).toBe(1);

    const run = await startCli(p.repo, ['run', SLUG, ...AGENT, '--validate', 'true'], env).exited;
    expect(run.stderr).toBe(refused);
    expect(run.code).toBe(1);
    expect(lines(log)).toHaveLength(1);
    expect(workRuns(p)).toHaveLength(1);
  });

  it('takes over the lease of a cairn that was killed', async () => {
    const { p, first, agentPid } = await startSlowPlan(fresh);
    process.kill(first.pid, 'SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    process.kill(-agentPid, 'SIGKILL');
    // The dead holder's lease is still there...
    expect(readLease(p.repo, SLUG)['pid']).toBe(first.pid);

    // ...and the next plan reclaims it and runs.
    const next = p.cli(['plan', SLUG, ...AGENT]);
    expect(next.stdout).toBe('Accepted planning.approaches for alpha; next step: pick-best.\nNext: cairn plan alpha --agent command --agent-cmd fake-agent\n');
    expect(next.code).toBe(0);
    expect((stateOf(p)['completed_steps'] as unknown[]).length).toBe(1);
    expect(existsSync(leaseFile(p.repo, SLUG))).toBe(false);
  });

  it('refuses a refine while cairn run carries out a phase, naming the phase', async () => {
    const r = runRepo();
    const env = cliEnv({ ...r.env, EXEC_MODE: 'hang' });
    const run = startCli(r.repo, ['run', r.slug, ...EXEC_AGENT], env);
    const calls = path.join(r.state, 'calls.log');
    await waitFor('the execute step', () => (lines(calls).some((line) => line.startsWith('execute ')) ? true : null), 60_000);
    const lease = readLease(r.repo, r.slug);
    expect(lease['operation']).toBe('run');
    expect(lease['pid']).toBe(run.pid);
    const phase = String(lease['phase']);
    expect(phase).not.toBe('null');

    const refine = r.cairn(['refine', r.slug, '--message', 'smaller phases', '--agent', 'command', '--agent-cmd', 'exec-agent']);
    expect(refine.stderr).toBe(
      `Error: ${r.slug} is being run by pid ${run.pid} since ${clock(lease['created_at'])} (phase ${phase}); nothing was started.\n` +
        HINT.replaceAll('cairn status alpha', `cairn status ${r.slug}`),
    );
    expect(refine.code).toBe(1);
    const executes = lines(calls).filter((line) => line.startsWith('execute ')).length;

    process.kill(run.pid, 'SIGINT');
    const stopped = await run.exited;
    expect(stopped.code).toBe(130);
    expect(existsSync(leaseFile(r.repo, r.slug))).toBe(false);
    expect(lines(calls).filter((line) => line.startsWith('execute ')).length).toBe(executes);
  });
});
