import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentEnv, agentFailureReason, runAgent } from '../../src/agent/index.js';
import { CairnError } from '../../src/util/errors.js';
import { fakeAgents } from '../support/agents.js';
import { isRunning, readPid } from '../support/process.js';
import { tempDir } from '../support/tmp.js';
import { transpileForNode } from '../support/transpile.js';
import { waitFor } from '../support/wait.js';

function setup() {
  const agents = fakeAgents();
  const repo = tempDir('cairn-repo-');
  const workspace = path.join(repo, '.planning', 'work', 'demo', 'run-1', 'demo');
  mkdirSync(workspace, { recursive: true });
  const env = { ...agents.env, ...agentEnv({ slug: 'demo', step: 'review', workspaceDir: workspace, repoRoot: repo }) };
  return { agents, repo, workspace, env };
}

describe('agentEnv', () => {
  it('names the slug, step, absolute workspace and repository root', () => {
    expect(agentEnv({ slug: 's', step: 'pick-best', workspaceDir: '/r/.planning/work/s/x/s', repoRoot: '/r' })).toEqual({
      CAIRN_SLUG: 's',
      CAIRN_STEP: 'pick-best',
      CAIRN_WORKSPACE: '/r/.planning/work/s/x/s',
      CAIRN_REPO_ROOT: '/r',
    });
    const relative = agentEnv({ slug: 's', step: 'expand', workspaceDir: 'ws', repoRoot: '.' });
    expect(relative.CAIRN_WORKSPACE).toBe(path.resolve('ws'));
    expect(relative.CAIRN_REPO_ROOT).toBe(process.cwd());
  });
});

describe('runAgent', () => {
  it('feeds the prompt on stdin byte for byte, in the repo root, with the CAIRN_ variables, and captures both streams', async () => {
    const { agents, repo, workspace, env } = setup();
    agents.write(
      'fake-agent',
      [
        'cat > "$CAIRN_WORKSPACE/stdin.bin"',
        'pwd -P > "$CAIRN_WORKSPACE/cwd.txt"',
        'printf "%s\\n" "$CAIRN_SLUG" "$CAIRN_STEP" "$CAIRN_WORKSPACE" "$CAIRN_REPO_ROOT" > "$CAIRN_WORKSPACE/env.txt"',
        "printf 'h\\303\\251llo \\342\\200\\224 out\\n\\nsecond line'",
        "printf 'warn: \\360\\237\\246\\211\\n' >&2",
        'exit 0',
      ].join('\n'),
    );
    const prompt = `# Stage\n\nünïcödé — ${'x'.repeat(300_000)}\r\nno trailing newline`;
    const result = await runAgent({ argv: ['fake-agent'], cwd: repo, prompt, env });
    expect(result.verdict).toBe('exited');
    expect(result.exitCode).toBe(0);
    expect(result.signal).toBeNull();
    expect(result.error).toBeUndefined();
    expect(result.stdout).toBe('héllo — out\n\nsecond line');
    expect(result.stderr).toBe('warn: 🦉\n');
    expect(result.stdoutTruncated).toBe(false);
    expect(result.stderrTruncated).toBe(false);
    expect(result.stdoutTotalBytes).toBe(Buffer.byteLength('héllo — out\n\nsecond line'));
    expect(result.stdoutTail).toBeNull();
    expect(result.argv).toEqual(['fake-agent']);
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(readFileSync(path.join(workspace, 'stdin.bin')).equals(Buffer.from(prompt, 'utf8'))).toBe(true);
    expect(readFileSync(path.join(workspace, 'cwd.txt'), 'utf8')).toBe(`${realpathSync(repo)}\n`);
    expect(readFileSync(path.join(workspace, 'env.txt'), 'utf8')).toBe(`demo\nreview\n${workspace}\n${repo}\n`);
    expect(agentFailureReason(result)).toBeNull();
  });

  it('mirrors every chunk to the given callbacks', async () => {
    const { agents, repo, env } = setup();
    agents.write('chatty', 'i=0\nwhile [ $i -lt 5 ]; do echo "line $i"; echo "err $i" >&2; i=$((i+1)); done\n');
    const seenOut: Buffer[] = [];
    const seenErr: Buffer[] = [];
    const result = await runAgent({
      argv: ['chatty'],
      cwd: repo,
      prompt: '',
      env,
      mirror: { stdout: (chunk) => seenOut.push(chunk), stderr: (chunk) => seenErr.push(chunk) },
    });
    expect(result.stdout).toBe('line 0\nline 1\nline 2\nline 3\nline 4\n');
    expect(Buffer.concat(seenOut).toString()).toBe(result.stdout);
    expect(Buffer.concat(seenErr).toString()).toBe('err 0\nerr 1\nerr 2\nerr 3\nerr 4\n');
  });

  it('a mirror that throws does not disturb the run', async () => {
    const { agents, repo, env } = setup();
    agents.write('talker', 'echo hi\n');
    const result = await runAgent({
      argv: ['talker'],
      cwd: repo,
      prompt: '',
      env,
      mirror: {
        stdout: () => {
          throw new Error('terminal gone');
        },
      },
    });
    expect(result.verdict).toBe('exited');
    expect(result.stdout).toBe('hi\n');
  });

  it('reports a non-zero exit with its code and output', async () => {
    const { agents, repo, env } = setup();
    agents.write('failing-agent', 'echo "partial plan"\necho "boom" >&2\nexit 3\n');
    const result = await runAgent({ argv: ['failing-agent', '--flag'], cwd: repo, prompt: 'p', env });
    expect(result.verdict).toBe('exited');
    expect(result.exitCode).toBe(3);
    expect(result.stdout).toBe('partial plan\n');
    expect(result.stderr).toBe('boom\n');
    expect(agentFailureReason(result)).toBe('failing-agent exited with code 3');
    expect(agentFailureReason(result, 'claude')).toBe('claude exited with code 3');
  });

  it('passes arguments through untouched, without a shell', async () => {
    const { agents, repo, workspace, env } = setup();
    agents.write('args-agent', 'for a in "$@"; do printf "[%s]\\n" "$a"; done > "$CAIRN_WORKSPACE/args.txt"\n');
    const result = await runAgent({
      argv: ['args-agent', 'two words', '$HOME', '*', "it's", ''],
      cwd: repo,
      prompt: '',
      env,
    });
    expect(result.exitCode).toBe(0);
    expect(readFileSync(path.join(workspace, 'args.txt'), 'utf8')).toBe("[two words]\n[$HOME]\n[*]\n[it's]\n[]\n");
  });

  it('an agent that exits without reading stdin does not break cairn', async () => {
    const { agents, repo, env } = setup();
    agents.write('deaf-agent', 'echo "did not read"\nexit 0\n');
    const result = await runAgent({ argv: ['deaf-agent'], cwd: repo, prompt: 'x'.repeat(8 * 1024 * 1024), env });
    expect(result.verdict).toBe('exited');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('did not read\n');
  });

  it('a missing executable is spawn-failed with a message that says what to do', async () => {
    const { repo, env } = setup();
    const result = await runAgent({ argv: ['cairn-no-such-agent', '-p'], cwd: repo, prompt: 'p', env });
    expect(result.verdict).toBe('spawn-failed');
    expect(result.exitCode).toBeNull();
    expect(result.error).toBe(
      "Agent command 'cairn-no-such-agent' was not found on PATH: install it or pass --agent-cmd to use another command",
    );
    expect(agentFailureReason(result)).toBe(result.error);
    const missingPath = path.join(repo, 'bin', 'agent');
    const byPath = await runAgent({ argv: [missingPath], cwd: repo, prompt: 'p', env });
    expect(byPath.error).toBe(
      `Agent command '${missingPath}' was not found: install it or pass --agent-cmd to use another command`,
    );
  });

  it('a file that is not executable is spawn-failed', async () => {
    const { repo, env } = setup();
    const file = path.join(repo, 'agent.sh');
    writeFileSync(file, '#!/bin/sh\necho hi\n', { mode: 0o644 });
    const result = await runAgent({ argv: [file], cwd: repo, prompt: '', env });
    expect(result.verdict).toBe('spawn-failed');
    expect(result.error).toBe(
      `Agent command '${file}' could not be run (permission denied): make it executable or pass --agent-cmd to use another command`,
    );
  });

  it('a missing working directory is spawn-failed, naming the directory', async () => {
    const { repo, env } = setup();
    const cwd = path.join(repo, 'nope');
    const result = await runAgent({ argv: ['true'], cwd, prompt: '', env });
    expect(result.verdict).toBe('spawn-failed');
    expect(result.error).toMatch(new RegExp(`^The agent's working directory ${cwd} cannot be used: ENOENT`));
  });

  it('refuses an empty command and invalid limits', async () => {
    await expect(runAgent({ argv: [], cwd: '/', prompt: '' })).rejects.toThrow(
      new CairnError('usage', 'The agent command is empty'),
    );
    await expect(runAgent({ argv: ['true'], cwd: '/', prompt: '', timeoutMs: -1 })).rejects.toThrow(
      'Agent run setting timeoutMs must be an integer from 0 to 2147483647, got -1',
    );
    await expect(runAgent({ argv: ['true'], cwd: '/', prompt: '', silenceTimeoutMs: 2 ** 40 })).rejects.toThrow(
      'Agent run setting silenceTimeoutMs must be an integer from 0 to 2147483647, got 1099511627776',
    );
  });

  it('on timeout kills the whole process group, grandchildren included', async () => {
    const { agents, repo, workspace, env } = setup();
    agents.write(
      'hanging-agent',
      [
        'sleep 1000 &',
        'echo $! > "$CAIRN_WORKSPACE/grandchild.pid"',
        'echo $$ > "$CAIRN_WORKSPACE/agent.pid"',
        'echo started',
        'wait',
      ].join('\n'),
    );
    const listenersBefore = process.listenerCount('SIGINT');
    const result = await runAgent({ argv: ['hanging-agent'], cwd: repo, prompt: '', env, timeoutMs: 500 });
    expect(result.verdict).toBe('timeout');
    expect(result.error).toBe('hanging-agent did not finish within 500 ms and was stopped');
    expect(result.exitCode).toBeNull();
    expect(result.signal).toBe('SIGTERM');
    expect(result.stdout).toBe('started\n');
    expect(result.durationMs).toBeGreaterThanOrEqual(490);
    expect(result.durationMs).toBeLessThan(5000);
    expect(agentFailureReason(result)).toBe(result.error);
    expect(isRunning(readPid(path.join(workspace, 'agent.pid')))).toBe(false);
    expect(isRunning(readPid(path.join(workspace, 'grandchild.pid')))).toBe(false);
    expect(process.listenerCount('SIGINT')).toBe(listenersBefore);
  });

  it('escalates to SIGKILL for a group that ignores SIGTERM (silence watchdog)', async () => {
    const { agents, repo, workspace, env } = setup();
    agents.write(
      'stubborn-agent',
      [
        "trap '' TERM",
        'sleep 1000 &',
        'echo $! > "$CAIRN_WORKSPACE/grandchild.pid"',
        'i=0',
        'while [ $i -lt 5 ]; do echo "tick $i"; sleep 0.1; i=$((i+1)); done',
        'wait',
      ].join('\n'),
    );
    const result = await runAgent({
      argv: ['stubborn-agent'],
      cwd: repo,
      prompt: '',
      env,
      silenceTimeoutMs: 1000,
      timeoutMs: 20_000,
      killGraceMs: 300,
    });
    expect(result.verdict).toBe('silence');
    expect(result.error).toBe('stubborn-agent printed nothing for 1000 ms and was stopped');
    // Output kept the watchdog quiet while it flowed.
    expect(result.stdout).toBe('tick 0\ntick 1\ntick 2\ntick 3\ntick 4\n');
    expect(result.signal).toBe('SIGKILL');
    expect(isRunning(readPid(path.join(workspace, 'grandchild.pid')))).toBe(false);
  });

  it('kills a grandchild that ignores SIGTERM after its parent died of it', async () => {
    const { agents, repo, workspace, env } = setup();
    agents.write(
      'parent-agent',
      [
        `sh -c "trap '' TERM; echo \\$\\$ > \\"$CAIRN_WORKSPACE/grandchild.pid\\"; while :; do sleep 1; done" &`,
        'while [ ! -s "$CAIRN_WORKSPACE/grandchild.pid" ]; do sleep 0.01; done',
        'echo ready',
        'wait',
      ].join('\n'),
    );
    const controller = new AbortController();
    const result = await runAgent({
      argv: ['parent-agent'],
      cwd: repo,
      prompt: '',
      env,
      killGraceMs: 300,
      signal: controller.signal,
      mirror: { stdout: () => controller.abort() },
    });
    expect(result.verdict).toBe('aborted');
    expect(result.signal).toBe('SIGTERM');
    expect(result.durationMs).toBeGreaterThanOrEqual(300);
    expect(isRunning(readPid(path.join(workspace, 'grandchild.pid')))).toBe(false);
  });

  it('stops helpers an agent leaves running after it exits', async () => {
    const { agents, repo, workspace, env } = setup();
    agents.write('leaky-agent', 'sleep 1000 &\necho $! > "$CAIRN_WORKSPACE/grandchild.pid"\necho done\nexit 0\n');
    const result = await runAgent({ argv: ['leaky-agent'], cwd: repo, prompt: '', env, killGraceMs: 300 });
    expect(result.verdict).toBe('exited');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('done\n');
    expect(result.durationMs).toBeLessThan(5000);
    expect(isRunning(readPid(path.join(workspace, 'grandchild.pid')))).toBe(false);
  });

  it('aborts through an AbortSignal, killing the group', async () => {
    const { agents, repo, workspace, env } = setup();
    agents.write('waiting-agent', 'sleep 1000 &\necho $! > "$CAIRN_WORKSPACE/grandchild.pid"\necho ready\nwait\n');
    const controller = new AbortController();
    const result = await runAgent({
      argv: ['waiting-agent'],
      cwd: repo,
      prompt: '',
      env,
      signal: controller.signal,
      mirror: { stdout: (chunk) => (chunk.toString().includes('ready') ? controller.abort() : undefined) },
    });
    expect(result.verdict).toBe('aborted');
    expect(result.error).toBe('The agent run was cancelled; waiting-agent was stopped');
    expect(result.interruptedBy).toBeUndefined();
    expect(result.stdout).toBe('ready\n');
    expect(isRunning(readPid(path.join(workspace, 'grandchild.pid')))).toBe(false);
  });

  it('does not start an agent when the signal is already aborted', async () => {
    const { agents, repo, workspace, env } = setup();
    agents.write('never-agent', 'touch "$CAIRN_WORKSPACE/ran"\n');
    const controller = new AbortController();
    controller.abort();
    const result = await runAgent({ argv: ['never-agent'], cwd: repo, prompt: '', env, signal: controller.signal });
    expect(result.verdict).toBe('aborted');
    expect(result.error).toBe('The agent run was cancelled before it started');
    expect(() => readFileSync(path.join(workspace, 'ran'))).toThrow();
  });

  it('caps a flood of output with bounded memory, keeping the head and a tail', async () => {
    const { agents, repo, env } = setup();
    const total = 200 * 1024 * 1024;
    agents.write('flood-agent', `yes 0123456789abcdef | head -c ${total}\nprintf 'THE END'\n`);
    const before = process.memoryUsage();
    let peak = 0;
    const sampler = setInterval(() => {
      const usage = process.memoryUsage();
      peak = Math.max(peak, usage.heapUsed + usage.arrayBuffers - before.heapUsed - before.arrayBuffers);
    }, 10);
    const result = await runAgent({ argv: ['flood-agent'], cwd: repo, prompt: '', env, timeoutMs: 60_000 });
    clearInterval(sampler);
    expect(result.verdict).toBe('exited');
    expect(result.exitCode).toBe(0);
    expect(result.stdoutTruncated).toBe(true);
    expect(result.stdoutTotalBytes).toBe(total + 'THE END'.length);
    expect(result.stdout.length).toBe(16 * 1024 * 1024);
    expect(result.stdout.startsWith('0123456789abcdef\n0123456789abcdef\n')).toBe(true);
    expect(result.stdoutTail?.length).toBe(256 * 1024);
    const line = '0123456789abcdef\n';
    const streamed = total + 'THE END'.length;
    let expectedTail = '';
    for (let i = streamed - 256 * 1024; i < streamed; i++) {
      expectedTail += i < total ? line[i % line.length] : 'THE END'[i - total];
    }
    expect(result.stdoutTail).toBe(expectedTail);
    // Far below the 200 MB printed: the head, the tail and a few chunks in flight.
    expect(peak).toBeLessThan(120 * 1024 * 1024);
  });

  it('cuts a capped stream on a character boundary', async () => {
    const { agents, repo, env } = setup();
    // "é" is 2 bytes: a 5-byte cap keeps "éé" (4 bytes), not half a character.
    agents.write('accent-agent', "printf '\\303\\251\\303\\251\\303\\251\\303\\251'\n");
    const result = await runAgent({ argv: ['accent-agent'], cwd: repo, prompt: '', env, maxOutputBytes: 5, tailBytes: 3 });
    expect(result.stdoutTruncated).toBe(true);
    expect(result.stdout).toBe('éé');
    expect(result.stdoutTotalBytes).toBe(8);
    expect(result.stdoutTail).toBe('é');
  });

  it('stops the agent when cairn receives SIGINT, and removes its listeners', async () => {
    const { agents, repo, workspace, env } = setup();
    agents.write(
      'slow-agent',
      'sleep 1000 &\necho $! > "$CAIRN_WORKSPACE/grandchild.pid"\necho $$ > "$CAIRN_WORKSPACE/agent.pid"\nwait\n',
    );
    const build = tempDir('cairn-build-');
    const runModule = transpileForNode('agent/run.ts', build);
    const driver = path.join(build, 'driver.mjs');
    writeFileSync(
      driver,
      [
        `import { runAgent } from ${JSON.stringify(runModule)};`,
        'const spec = JSON.parse(process.argv[2]);',
        'const result = await runAgent(spec);',
        "process.stdout.write(JSON.stringify({ verdict: result.verdict, error: result.error, interruptedBy: result.interruptedBy, listeners: process.listenerCount('SIGINT') + process.listenerCount('SIGTERM') }));",
      ].join('\n'),
    );
    const spec = { argv: ['slow-agent'], cwd: repo, prompt: '', env, timeoutMs: 30_000 };
    const cairn = spawn(process.execPath, [driver, JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    cairn.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    cairn.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => cairn.on('close', (code) => resolve(code)));
    const agentPidFile = path.join(workspace, 'agent.pid');
    expect(await waitFor(() => {
      try {
        readPid(agentPidFile);
        return readFileSync(agentPidFile, 'utf8').endsWith('\n');
      } catch {
        return false;
      }
    }, 10_000)).toBe(true);
    cairn.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(err).toBe('');
    expect(JSON.parse(out)).toEqual({
      verdict: 'aborted',
      error: 'cairn received SIGINT; slow-agent was stopped',
      interruptedBy: 'SIGINT',
      listeners: 0,
    });
    expect(isRunning(readPid(agentPidFile))).toBe(false);
    expect(isRunning(readPid(path.join(workspace, 'grandchild.pid')))).toBe(false);
  });
});
