import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyRepo, fakeAgentBin, planRepoAt, SLUG, stateOf, TARGET } from './plan-support.js';

describe('what cairn itself published is not a human edit', () => {
  it('plans right after an uncommitted cairn new, and refuses a hand edit', () => {
    const p = planRepoAt(emptyRepo(), fakeAgentBin());
    expect(p.cli(['new', SLUG, '--target', TARGET]).code).toBe(0);
    const step = p.cli(['plan', SLUG, '--agent', 'command', '--agent-cmd', 'fake-agent']);
    expect(step.stderr).not.toContain('dirty');
    expect(step.code).toBe(0);
    expect(stateOf(p).next_step).toBe('pick-best');
    appendFileSync(path.join(p.dir, 'plan.md'), 'a hand edit\n');
    const blocked = p.cli(['plan', SLUG, '--agent', 'command', '--agent-cmd', 'fake-agent']);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain('dirty live migration directory');
    expect(stateOf(p).next_step).toBe('pick-best');
  });

  it('treats a tree rolled forward by recover as published by cairn', () => {
    const p = planRepoAt(emptyRepo(), fakeAgentBin());
    const crashed = p.cli(['new', SLUG, '--target', TARGET], { CAIRN_TEST_CRASH_AT: 'journal-committed' });
    expect(crashed.code).toBeNull();
    const recovered = p.cli(['recover', '--format', 'json']);
    expect(recovered.code).toBe(0);
    expect(JSON.parse(recovered.stdout).transactions.map((plan: { action: string }) => plan.action)).toEqual(['roll-forward']);
    const step = p.cli(['plan', SLUG, '--agent', 'command', '--agent-cmd', 'fake-agent']);
    expect(step.stderr).not.toContain('dirty');
    expect(step.code).toBe(0);
  });
});
