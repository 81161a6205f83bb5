import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeAgentBin } from '../support/agents.js';
import { emptyRepo, planRepoAt, SLUG, stateOf, TARGET } from '../support/plan-repo.js';
import { gitLog, gitStatus } from './support.js';

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
    expect(blocked.stderr).toContain("Error: The migration directory has uncommitted changes that are not cairn's last publish:\n  migrations/alpha/\n");
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

describe('cairn new --commit', () => {
  it('commits only the new migration directory', () => {
    const p = planRepoAt(emptyRepo(), fakeAgentBin());
    appendFileSync(path.join(p.repo, 'unrelated.txt'), 'not mine\n');
    const created = p.cli(['new', SLUG, '--target', TARGET, '--commit']);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/\nCommitted [0-9a-f]{12}: cairn: alpha: migration\.new\nNext: cairn plan alpha\n$/);
    expect(gitLog(p)[0]).toContain('cairn: alpha: migration.new');
    expect(gitStatus(p)).toBe('?? unrelated.txt\n');
  });
});
