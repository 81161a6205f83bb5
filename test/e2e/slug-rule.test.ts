import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { READY } from '../support/fixture.js';
import { cairnRepo } from '../support/repo.js';

describe('cairn new and the slug rule', () => {
  it('refuses a name outside the rule with what breaks it and a name to use instead', () => {
    const { repo } = cairnRepo({ git: true });
    const refused = runCli(['new', 'Widget_API', '--target', 'x'], { cwd: repo });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      "Error: Migration slug 'Widget_API' does not follow the naming rule (it has capital letters): lowercase letters a-z, digits and single '-' between them (not at either end), at most 64 characters.\nHint: Try `widget-api`.\n",
    );
    expect(runCli(['new', 'widget-api', '--target', 'x'], { cwd: repo }).code).toBe(0);
  });

  it('still reads migrations the original tool named otherwise', () => {
    const { repo } = cairnRepo({ git: true, fixtures: [READY] });
    const list = runCli(['list'], { cwd: repo });
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(READY);
    expect(runCli(['doctor', READY], { cwd: repo }).code).toBe(0);
  });
});
