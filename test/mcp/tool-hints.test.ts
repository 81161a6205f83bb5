import { describe, expect, it } from 'vitest';
import { shellWords, toolFor, toolHint } from '../../src/mcp/tool-hints.js';

describe('MCP tool hints', () => {
  it('splits a command as shellWord quotes it', () => {
    expect(shellWords(`plan 'a b' --agent manual`)).toEqual(['plan', 'a b', '--agent', 'manual']);
    expect(shellWords(`status 'it'"'"'s'`)).toEqual(['status', "it's"]);
  });

  it('finds the tool of each command that has one, skipping options and their values', () => {
    expect(toolFor(['plan', '--agent', 'manual', 'mig'])).toEqual({ tool: 'next_prompt', arguments: { slug: 'mig' } });
    expect(toolFor(['phase', 'done', 'mig'])).toEqual({ tool: 'phase_done', arguments: { slug: 'mig' } });
    expect(toolFor(['run', 'mig'])).toEqual({ tool: 'next_phase', arguments: { slug: 'mig' } });
    expect(toolFor(['recover', '--dry-run'])).toEqual({ tool: 'recover_dry_run', arguments: {} });
    expect(toolFor(['recover'])).toBeNull();
    expect(toolFor(['review', 'mig'])).toBeNull();
  });

  it('names tools instead of CLI commands, and asks the user for what only a person may run', () => {
    expect(toolHint('Run `cairn plan mig --agent manual` first: it prepares the workspace.')).toBe(
      'Call the next_prompt tool with {"slug":"mig"} first: it prepares the workspace.',
    );
    expect(toolHint('Finish planning first: `cairn plan mig`.')).toBe('Finish planning first: call the next_prompt tool with {"slug":"mig"}.');
    expect(toolHint('Run `cairn refine mig --message ...` to revise it, or `cairn ready` to see what to do next.')).toBe(
      'Call the refine tool with {"slug":"mig"} to revise it, or the ready tool to see what to do next.',
    );
    expect(toolHint('Run `cairn init` at the repository root.')).toBe('Ask the user to run `cairn init` at the repository root.');
    expect(toolHint('A person decides with `cairn review mig`.')).toBe('A person decides with `cairn review mig`.');
    expect(toolHint('Commit the change, then run `cairn recover`.')).toBe('Commit the change, then ask the user to run `cairn recover`.');
    expect(toolHint('Nothing to rewrite.')).toBe('Nothing to rewrite.');
  });
});
