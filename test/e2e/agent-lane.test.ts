import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { AGENT } from '../support/agents.js';
import { git } from '../support/git.js';
import { copyRepo, newPlanRepo, stateOf, type PlanRepo } from '../support/plan-repo.js';
import { templateDir } from '../support/tmp.js';

/* A planning agent may write its workspace only; the rest of the repository is checked before and after it runs. */

let template: PlanRepo;
beforeAll(() => {
  template = newPlanRepo(templateDir('cairn-lane-'));
});

describe('a planning agent that writes outside its workspace', () => {
  it('is refused, naming the path, and nothing is published', () => {
    const p = copyRepo(template);
    const result = p.cli(['plan', 'alpha', ...AGENT], { FAKE_OUTSIDE_STEP: 'approaches' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'planning.approaches failed: the repository changed outside the workspace while the agent ran (src/x.js); a planning step may only write its workspace.',
    );
    expect(result.stderr).toContain('--allow-outside-writes');
    expect(stateOf(p)['next_step']).toBe('approaches');
    expect(existsSync(path.join(p.dir, 'approaches'))).toBe(false);
  });

  it('is accepted with --allow-outside-writes, with a warning naming the path', () => {
    const p = copyRepo(template);
    const result = p.cli(['plan', 'alpha', ...AGENT, '--allow-outside-writes'], { FAKE_OUTSIDE_STEP: 'approaches' });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('the repository changed outside the workspace while the agent ran (src/x.js); accepted because of --allow-outside-writes');
    expect(stateOf(p)['next_step']).toBe('pick-best');
  });

  it('is not blamed for changes that were there before it started', () => {
    const p = copyRepo(template);
    mkdirSync(path.join(p.repo, 'src'), { recursive: true });
    writeFileSync(path.join(p.repo, 'src', 'mine.js'), '// my own work in progress\n');
    const result = p.cli(['plan', 'alpha', ...AGENT]);
    expect(result.code).toBe(0);
    expect(git(p.repo, ['status', '--porcelain', '--untracked-files=all', '--', 'src']).trim()).toBe('?? src/mine.js');
    expect(stateOf(p)['next_step']).toBe('pick-best');
  });
});
