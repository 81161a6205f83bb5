import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { AGENT, fakeAgents } from '../support/agents.js';
import { CLI } from '../support/cli.js';
import { SLUG, copyRepo, newPlanRepo, stateOf, workRuns, type PlanRepo } from '../support/plan-repo.js';
import { isRunning, liveGroupMembers, readPid } from '../support/process.js';
import { tempDir, templateDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';

/*
 * A cairn killed with SIGKILL while its agent runs cannot stop the agent's
 * process group. The run directory's agent.json names the group, and the
 * next run of the migration or `cairn recover` stops it, and says so.
 */

/** An agent that starts a long sleep in its own group, writes both pids, and waits. */
const LINGERING_AGENT = `#!/bin/sh
cat > /dev/null
sleep 300 &
echo $! > "$LINGER_DIR/child.tmp" && mv "$LINGER_DIR/child.tmp" "$LINGER_DIR/child.pid"
echo $$ > "$LINGER_DIR/agent.tmp" && mv "$LINGER_DIR/agent.tmp" "$LINGER_DIR/agent.pid"
wait
`;

let fresh: PlanRepo;
beforeAll(() => {
  fresh = newPlanRepo(templateDir());
  fakeAgents(fresh.bin).write('lingering-agent', LINGERING_AGENT);
});

interface Abandoned {
  p: PlanRepo;
  pgid: number;
  child: number;
  runDir: string;
}

/** Starts `cairn plan` with the lingering agent and waits until the agent runs and is recorded. */
async function startLingering(): Promise<Abandoned & { cairn: ReturnType<typeof spawn>; exited: Promise<NodeJS.Signals | null> }> {
  const p = copyRepo(fresh);
  const linger = tempDir('cairn-linger-');
  const cairn = spawn(process.execPath, [CLI, 'plan', SLUG, '--agent', 'command', '--agent-cmd', 'lingering-agent'], {
    cwd: p.repo,
    env: p.env({ LINGER_DIR: linger }),
    stdio: 'ignore',
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => cairn.on('close', (_code, signal) => resolve(signal)));
  const pidFile = path.join(linger, 'agent.pid');
  expect(await waitFor(() => existsSync(pidFile), 30_000)).toBe(true);
  const pgid = readPid(pidFile);
  const child = readPid(path.join(linger, 'child.pid'));
  const runs = workRuns(p);
  expect(runs).toHaveLength(1);
  const runDir = path.join(p.repo, '.planning', 'work', SLUG, runs[0] as string);
  const record = path.join(runDir, 'agent.json');
  expect(await waitFor(() => existsSync(record), 10_000)).toBe(true);
  expect(JSON.parse(readFileSync(record, 'utf8'))).toMatchObject({ schema_version: 1, pid: pgid, pgid, host: os.hostname(), cairn_pid: cairn.pid });
  return { p, pgid, child, runDir, cairn, exited };
}

/** Starts `cairn plan` with the lingering agent, SIGKILLs cairn once the agent runs, and checks the group outlived it. */
async function abandonAgent(): Promise<Abandoned> {
  const { p, pgid, child, runDir, cairn, exited } = await startLingering();
  cairn.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  // Nothing stopped the group: both the agent and its child still run.
  expect(liveGroupMembers(pgid).sort()).toEqual([pgid, child].sort());
  return { p, pgid, child, runDir };
}

function stopGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // already gone
  }
}

describe('an agent left running by a killed cairn', () => {
  it('is stopped by cairn recover, which says so', async () => {
    const { p, pgid, child, runDir } = await abandonAgent();
    try {
      const recovered = p.cli(['recover']);
      expect(recovered.timedOut).toBe(false);
      expect(recovered.code).toBe(0);
      expect(recovered.stdout).toBe(
        `stopped agent process group ${pgid} left running by a cairn that was killed (run ${path.relative(p.repo, runDir)})\n`,
      );
      expect(await waitFor(() => liveGroupMembers(pgid).length === 0, 5000)).toBe(true);
      expect(isRunning(child)).toBe(false);
      expect(existsSync(path.join(runDir, 'agent.json'))).toBe(false);
      // Done once: a second recover has nothing to stop.
      expect(p.cli(['recover']).stdout).toBe('Nothing to recover.\n');
    } finally {
      stopGroup(pgid);
    }
  }, 120_000);

  it('is stopped by the next plan of its migration, which says so and runs the step', async () => {
    const { p, pgid, child, runDir } = await abandonAgent();
    try {
      const planned = p.cli(['plan', SLUG, ...AGENT]);
      expect(planned.timedOut).toBe(false);
      expect(planned.code).toBe(0);
      expect(planned.stderr).toContain(
        `Warning: stopped agent process group ${pgid} left running by a cairn that was killed (run ${path.relative(p.repo, runDir)})\n`,
      );
      expect(await waitFor(() => liveGroupMembers(pgid).length === 0, 5000)).toBe(true);
      expect(isRunning(child)).toBe(false);
      expect(stateOf(p)['next_step']).toBe('pick-best');
    } finally {
      stopGroup(pgid);
    }
  }, 120_000);

  it('is recognised by its run after the agent itself died, leaving its child in the group', async () => {
    const { p, pgid, child, runDir } = await abandonAgent();
    try {
      process.kill(pgid, 'SIGKILL');
      expect(await waitFor(() => !isRunning(pgid), 5000)).toBe(true);
      expect(isRunning(child)).toBe(true);
      const recovered = p.cli(['recover']);
      expect(recovered.code).toBe(0);
      expect(recovered.stdout).toBe(
        `stopped agent process group ${pgid} left running by a cairn that was killed (run ${path.relative(p.repo, runDir)})\n`,
      );
      expect(await waitFor(() => !isRunning(child), 5000)).toBe(true);
    } finally {
      stopGroup(pgid);
    }
  }, 120_000);

  it('--dry-run of recover says what it would stop and stops nothing', async () => {
    const { p, pgid, runDir } = await abandonAgent();
    try {
      const dry = p.cli(['recover', '--dry-run']);
      expect(dry.code).toBe(0);
      expect(dry.stdout).toBe(`would stop agent process group ${pgid} left running by a cairn that was killed (run ${path.relative(p.repo, runDir)})\n`);
      expect(liveGroupMembers(pgid)).toContain(pgid);
      expect(existsSync(path.join(runDir, 'agent.json'))).toBe(true);
    } finally {
      stopGroup(pgid);
    }
  }, 120_000);
});

describe('agent.json never names a process cairn did not start', () => {
  it('leaves alone the agent of a cairn that still runs', async () => {
    const { p, pgid, child, runDir, cairn, exited } = await startLingering();
    try {
      const recovered = p.cli(['recover']);
      expect(recovered.code).toBe(0);
      expect(recovered.stdout).toBe('Nothing to recover.\n');
      expect(liveGroupMembers(pgid).sort()).toEqual([pgid, child].sort());
      expect(existsSync(path.join(runDir, 'agent.json'))).toBe(true);
    } finally {
      cairn.kill('SIGTERM');
      await exited;
      stopGroup(pgid);
    }
  }, 120_000);

  it('leaves alone a process whose pid matches but whose start time does not (a reused pid, or a planted record)', async () => {
    const p = copyRepo(fresh);
    const stranger = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
    const pid = stranger.pid as number;
    try {
      const runDir = path.join(p.repo, '.planning', 'work', SLUG, '20260101T000000000-0000000000000000');
      mkdirSync(runDir, { recursive: true });
      const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
      const record = {
        schema_version: 1,
        pid,
        pgid: pid,
        host: os.hostname(),
        boot_id: bootId,
        start_time: '1',
        cairn_pid: 999_999_999,
        cairn_start_time: '1',
        workspace: path.join(runDir, SLUG),
      };
      writeFileSync(path.join(runDir, 'agent.json'), JSON.stringify(record));
      const recovered = p.cli(['recover']);
      expect(recovered.code).toBe(0);
      expect(recovered.stdout).toBe('Nothing to recover.\n');
      expect(isRunning(pid)).toBe(true);
      expect(readdirSync(runDir)).toEqual([]);
    } finally {
      stranger.kill('SIGKILL');
    }
  });

  it('is removed when the agent ends, even when its run is kept', () => {
    const p = copyRepo(fresh);
    const failed = p.cli(['plan', SLUG, ...AGENT], { FAKE_FAIL_STEP: 'approaches' });
    expect(failed.code).not.toBe(0);
    const runs = workRuns(p);
    expect(runs).toHaveLength(1);
    const runDir = path.join(p.repo, '.planning', 'work', SLUG, runs[0] as string);
    expect(existsSync(path.join(runDir, 'run.json'))).toBe(true);
    expect(existsSync(path.join(runDir, 'agent.json'))).toBe(false);
  });
});
