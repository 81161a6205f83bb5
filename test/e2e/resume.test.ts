import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { snapshotId } from '../../src/fs/digest.js';
import { AGENT, AGENT_SHOWN } from '../support/agents.js';
import { CLI } from '../support/cli.js';
import { SLUG, copyRepo, newPlanRepo, stateOf, type PlanRepo } from '../support/plan-repo.js';
import { liveGroupMembers } from '../support/process.js';
import { tempDir, templateDir } from '../support/tmp.js';
import { expectDoctorClean, storeRuns } from './support.js';

/*
 * Resumability (docs/format.md §9.1): killing cairn at any moment of a plan step
 * leaves the live migration as it was or with the step fully accepted, and
 * the next `cairn plan` continues from the durable state.
 */

let fresh: PlanRepo;
beforeAll(() => {
  fresh = newPlanRepo(templateDir());
});

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function startCli(p: PlanRepo, args: string[], env: Record<string, string>): { pid: number; exited: Promise<Exit> } {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: p.repo,
    env: p.env(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<Exit>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { pid: child.pid as number, exited };
}

async function waitForFile(file: string, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${file}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return readFileSync(file, 'utf8').trim();
}

describe('killing cairn while the agent runs', () => {
  it('SIGKILL: nothing is published, and the next plan runs the step again', async () => {
    const p = copyRepo(fresh);
    const before = await snapshotId(p.dir);
    const pidFile = path.join(tempDir('cairn-pid-'), 'agent.pid');
    const run = startCli(p, ['plan', SLUG, ...AGENT], { FAKE_HANG_STEP: 'approaches', FAKE_PID_FILE: pidFile });
    const agentPid = Number(await waitForFile(pidFile));
    process.kill(run.pid, 'SIGKILL');
    const exit = await run.exited;
    expect(exit.signal).toBe('SIGKILL');
    // The agent leads its own process group, which outlives a SIGKILLed cairn; stop it as a user would.
    process.kill(-agentPid, 'SIGKILL');
    expect(await snapshotId(p.dir)).toBe(before);
    expect(storeRuns(p)[0]).toMatchObject({ step: 'approaches', verdict: null, endedAt: null });

    const resumed = p.cli(['plan', SLUG, ...AGENT]);
    expect(resumed.stdout).toBe(`Accepted planning.approaches for alpha; next step: pick-best.\nNext: cairn plan alpha ${AGENT_SHOWN}\n`);
    expect(resumed.code).toBe(0);
    expect((stateOf(p)['completed_steps'] as unknown[]).length).toBe(1);
  });

  it('SIGINT: the agent group is stopped, nothing is published, exit 130', async () => {
    const p = copyRepo(fresh);
    const before = await snapshotId(p.dir);
    const pidFile = path.join(tempDir('cairn-pid-'), 'agent.pid');
    const run = startCli(p, ['plan', SLUG, ...AGENT], { FAKE_HANG_STEP: 'approaches', FAKE_PID_FILE: pidFile });
    const agentPid = Number(await waitForFile(pidFile));
    process.kill(run.pid, 'SIGINT');
    const exit = await run.exited;
    expect(exit.code).toBe(130);
    expect(exit.stdout).toBe('');
    expect(exit.stderr).toBe(
      'Running planning.approaches for alpha with fake-agent…\nInterrupted by SIGINT: the agent was stopped and nothing was published.\n',
    );
    expect(liveGroupMembers(agentPid)).toEqual([]);
    expect(await snapshotId(p.dir)).toBe(before);
    expect(storeRuns(p)[0]).toMatchObject({ step: 'approaches', verdict: 'killed' });
  });
});

describe('killing cairn while it publishes', () => {
  const cases = [
    { point: 'live-moved-to-rollback', published: false },
    { point: 'staged-moved-to-live', published: false },
    { point: 'journal-committed', published: true },
    { point: 'published-recorded', published: true },
  ] as const;
  for (const { point, published } of cases) {
    it(`at ${point}: the next plan finds the ${published ? 'new' : 'old'} snapshot and continues`, async () => {
      const p = copyRepo(fresh);
      const crashed = p.cli(['plan', SLUG, ...AGENT], { CAIRN_TEST_CRASH_AT: point });
      expect(crashed.code).toBeNull();
      const resumed = p.cli(['plan', SLUG, ...AGENT]);
      const expected = published
        ? 'Accepted planning.pick-best for alpha; next step: expand.\n'
        : 'Accepted planning.approaches for alpha; next step: pick-best.\n';
      expect(resumed.stdout).toBe(`${expected}Next: cairn plan alpha ${AGENT_SHOWN}\n`);
      expect(resumed.stderr).toMatch(/^Recovered an interrupted transaction \((roll-back|roll-forward)\): /);
      expect(resumed.code).toBe(0);
      expect((stateOf(p)['completed_steps'] as { name: string }[]).map((step) => step.name)).toEqual(
        published ? ['approaches', 'pick-best'] : ['approaches'],
      );
      expect(existsSync(path.join(p.live, '__transactions__'))).toBe(false);
      expectDoctorClean(p);
    });
  }

  it('reports the recovery once on stderr and in the first step of the JSON document', async () => {
    const p = copyRepo(fresh);
    expect(p.cli(['plan', SLUG, ...AGENT], { CAIRN_TEST_CRASH_AT: 'journal-committed' }).code).toBeNull();
    const resumed = p.cli(['plan', SLUG, ...AGENT, '--format', 'json']);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr.match(/Recovered an interrupted transaction/g)).toHaveLength(1);
    const document = JSON.parse(resumed.stdout) as { steps: { recovered: { action: string; slug: string }[] }[] };
    expect(document.steps).toHaveLength(1);
    expect(document.steps[0]?.recovered.map((plan) => [plan.action, plan.slug])).toEqual([['roll-forward', SLUG]]);
  });
});
