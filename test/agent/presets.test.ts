import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentEnv, extractAgentText, resolveAgentCommand, runAgent } from '../../src/agent/index.js';
import { CairnError } from '../../src/util/errors.js';
import { fakeAgents } from '../support/agents.js';
import { tempDir } from '../support/tmp.js';

describe('resolveAgentCommand', () => {
  it('runs claude in print mode with stream-json output, the prompt on stdin', () => {
    expect(resolveAgentCommand({ agent: 'claude' })).toEqual({
      kind: 'process',
      argv: ['claude', '-p', '--output-format', 'stream-json', '--verbose', '--permission-mode', 'acceptEdits'],
      outputMode: 'claude-stream-json',
    });
    expect(resolveAgentCommand({ agent: 'claude', model: 'opus', effort: 'xhigh' })).toEqual({
      kind: 'process',
      argv: [
        'claude',
        '-p',
        '--output-format',
        'stream-json',
        '--verbose',
        '--permission-mode',
        'acceptEdits',
        '--model',
        'opus',
        '--effort',
        'xhigh',
      ],
      outputMode: 'claude-stream-json',
    });
  });

  it('runs codex exec reading the prompt from stdin', () => {
    expect(resolveAgentCommand({ agent: 'codex' })).toEqual({
      kind: 'process',
      argv: ['codex', 'exec', '--sandbox', 'workspace-write', '--skip-git-repo-check', '--color', 'never', '-'],
      outputMode: 'raw',
    });
    expect(resolveAgentCommand({ agent: 'codex', model: 'gpt-5.3-codex', effort: 'low' })).toEqual({
      kind: 'process',
      argv: [
        'codex',
        'exec',
        '--sandbox',
        'workspace-write',
        '--skip-git-repo-check',
        '--color',
        'never',
        '--model',
        'gpt-5.3-codex',
        '-c',
        'model_reasoning_effort="low"',
        '-',
      ],
      outputMode: 'raw',
    });
  });

  it('renders a command template with the step values', () => {
    expect(
      resolveAgentCommand({
        agent: 'command',
        agentCmd: "my-agent --model {model} --effort {effort} --out '{workspace}' {slug}/{step}",
        model: 'm1',
        effort: 'medium',
        step: 'expand',
        slug: 's',
        workspace: '/w s/x',
      }),
    ).toEqual({
      kind: 'process',
      argv: ['my-agent', '--model', 'm1', '--effort', 'medium', '--out', '/w s/x', 's/expand'],
      outputMode: 'raw',
    });
  });

  it('manual mode runs nothing', () => {
    expect(resolveAgentCommand({ agent: 'manual', model: 'x', agentCmd: 'ignored' })).toEqual({ kind: 'manual' });
  });

  it('refuses a command agent without a template, an unknown agent or effort, and an empty model', () => {
    expect(() => resolveAgentCommand({ agent: 'command' })).toThrow(
      new CairnError('usage', '--agent command needs a command template', {
        hint: "Pass --agent-cmd '<command line>', e.g. --agent-cmd 'my-agent --model {model}'.",
      }),
    );
    expect(() => resolveAgentCommand({ agent: 'gemini' as never })).toThrow("Unknown agent 'gemini'");
    expect(() => resolveAgentCommand({ agent: 'claude', effort: 'max' as never })).toThrow("Unknown effort 'max'");
    expect(() => resolveAgentCommand({ agent: 'claude', model: ' ' })).toThrow('The agent model must not be empty');
    expect(() => resolveAgentCommand({ agent: 'command', agentCmd: 'a {model}' })).toThrow(
      '--agent-cmd uses {model}, but no model is set',
    );
  });

  it('a rendered template runs as a real process with the step environment', async () => {
    const agents = fakeAgents();
    const repo = tempDir('cairn-repo-');
    agents.write('echo-agent', 'printf "%s|" "$@"; printf "%s" "$CAIRN_STEP"\n');
    const workspace = path.join(repo, 'ws');
    const command = resolveAgentCommand({
      agent: 'command',
      agentCmd: 'echo-agent {model} "{workspace}"',
      model: 'a b',
      workspace,
    });
    if (command.kind !== 'process') throw new Error('expected a process');
    const result = await runAgent({
      argv: command.argv,
      cwd: repo,
      prompt: '',
      env: { ...agents.env, ...agentEnv({ slug: 's', step: 'review', workspaceDir: workspace, repoRoot: repo }) },
    });
    expect(result.stdout).toBe(`a b|${workspace}|review`);
  });
});

describe('extractAgentText', () => {
  const stream = [
    '{"type":"system","subtype":"init","session_id":"abc","tools":[]}',
    '{"type":"assistant","message":{"content":[{"type":"text","text":"Reading plan.md"}]}}',
    '{"type":"user","message":{"content":[{"type":"tool_result","content":"..."}]}}',
    '{"type":"result","subtype":"success","is_error":false,"duration_ms":1200,"result":"1. phase-2 restates tests pass.\\n2. Missing DoD.","session_id":"abc"}',
    '',
  ].join('\n');

  it('raw output is the stage text as is', () => {
    expect(extractAgentText('raw', 'no findings.\n')).toBe('no findings.\n');
  });

  it('claude stream-json yields the final result text', () => {
    expect(extractAgentText('claude-stream-json', stream)).toBe('1. phase-2 restates tests pass.\n2. Missing DoD.');
  });

  it('skips noise lines and takes the last result event', () => {
    const noisy = `warning: something\n${stream}{"type":"result","subtype":"success","is_error":false,"result":"second"}\nnot json\n`;
    expect(extractAgentText('claude-stream-json', noisy)).toBe('second');
  });

  it('looks in the tail of a truncated output first', () => {
    const tail = 'ted line\n{"type":"result","subtype":"success","is_error":false,"result":"from the tail"}\n';
    expect(extractAgentText('claude-stream-json', stream, tail)).toBe('from the tail');
    expect(extractAgentText('claude-stream-json', stream, 'no result here')).toBe(
      '1. phase-2 restates tests pass.\n2. Missing DoD.',
    );
  });

  it('fails without a result event, or when claude reports an error', () => {
    expect(() => extractAgentText('claude-stream-json', '{"type":"system"}\n')).toThrow(
      new CairnError('failed', 'claude printed no result event in its stream-json output', {
        hint: 'Run with --show-agent-logs to see what it printed.',
      }),
    );
    const failed = '{"type":"result","subtype":"error_max_turns","is_error":true,"result":"Reached max turns"}\n';
    expect(() => extractAgentText('claude-stream-json', failed)).toThrow(
      new CairnError('failed', 'claude reported an error (error_max_turns): Reached max turns'),
    );
  });
});
