import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, CLI_TIMEOUT_MS, runCli } from '../support/cli.js';
import { READY } from '../support/fixture.js';
import { commitAll } from '../support/git.js';
import { emptyRepo, newPlanRepo, planRepoAt, SLUG, TARGET, workRuns } from '../support/plan-repo.js';
import { cairnRepo, newMigration } from '../support/repo.js';
import { tempDir } from '../support/tmp.js';

/*
 * The commands cairn prints for the user to run next work when pasted into
 * a shell: slugs and paths shell-quoted, `--repo` and the agent flags given
 * repeated; and an agent that is not there is refused before any workspace.
 */

/** A directory with a `cairn` script that runs the built CLI, for running printed commands through `sh -c`. */
function cairnOnPath(): string {
  const bin = tempDir('cairn-bin-');
  const script = path.join(bin, 'cairn');
  writeFileSync(script, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} "$@"\n`);
  chmodSync(script, 0o755);
  return bin;
}

describe('printed next commands', () => {
  it('plan with --repo and agent flags prints a Next: command that works as printed', () => {
    const root = path.join(tempDir('cairn-next-'), "my repo's home");
    mkdirSync(root);
    const p = planRepoAt(emptyRepo(root));
    newMigration(p.repo, SLUG, TARGET, p.env());
    commitAll(p.repo, 'new alpha');
    const elsewhere = tempDir('cairn-cwd-');
    const agentCmd = 'fake-agent {step}';

    const first = runCli(['--repo', p.repo, 'plan', SLUG, '--agent', 'command', '--agent-cmd', agentCmd], { cwd: elsewhere, env: p.env() });
    const quotedRepo = `"${p.repo}"`;
    const next = `cairn --repo ${quotedRepo} plan alpha --agent command --agent-cmd 'fake-agent {step}'`;
    expect(first.stdout).toBe(`Accepted planning.approaches for alpha; next step: pick-best.\nNext: ${next}\n`);
    expect(first.stderr).toContain(
      `Hint: To use these agent settings without repeating the flags, save them in ${path.join(p.bin, 'xdg', 'cairn', 'config.json')}: ` +
        `{"agent": "command", "agent_cmd": "fake-agent {step}"}\n`,
    );
    expect(first.code).toBe(0);

    const bin = cairnOnPath();
    const env = { ...p.env(), PATH: `${bin}${path.delimiter}${p.env().PATH}` };
    const second = spawnSync('sh', ['-c', next], { cwd: elsewhere, env, encoding: 'utf8', timeout: CLI_TIMEOUT_MS });
    expect(second.stdout).toBe(`Accepted planning.pick-best for alpha; next step: expand.\nNext: ${next}\n`);
    expect(second.status).toBe(0);
  });

  it('quotes a migration named with a space or $ in ready and status hints', () => {
    const t = cairnRepo({ git: true, fixtures: [READY] });
    const spaced = 'my ready $HOME';
    cpSync(t.dir(READY), t.dir(spaced), { recursive: true });
    const ready = runCli(['ready'], { cwd: t.repo });
    expect(ready.stdout).toContain(`cairn run 'my ready $HOME'\n`);
    expect(ready.stdout).toContain(`cairn run ${READY}\n`);
    expect(ready.code).toBe(0);

    const elsewhere = tempDir('cairn-cwd-');
    const fromElsewhere = runCli(['--repo', t.repo, 'ready'], { cwd: elsewhere });
    expect(fromElsewhere.stdout).toContain(`cairn --repo ${t.repo} run 'my ready $HOME'\n`);

    // The copy keeps the original's manifest name and planning paths: broken, so status and run hint at doctor.
    const status = runCli(['status', spaced], { cwd: t.repo });
    expect(status.stderr.endsWith("Hint: Run `cairn doctor 'my ready $HOME'` for details.\n")).toBe(true);
    expect(status.code).toBe(2);
    const run = runCli(['run', spaced, '--agent', 'manual'], { cwd: t.repo });
    expect(run.stderr).toBe(
      "Error: Migration 'my ready $HOME' fails the execution gate: manifest-slug-mismatch: " +
        "Manifest name 'src-cli-tasks-ts-20260402T140633' does not match directory slug 'my ready $HOME'.\n" +
        "Hint: Run `cairn doctor 'my ready $HOME'` to see every finding.\n",
    );
    expect(run.code).toBe(1);
  });

  it('a refusal raised inside cairn names its next command with --repo and the agent flags of the call', () => {
    const p = newPlanRepo();
    const elsewhere = tempDir('cairn-cwd-');
    const agent = ['--agent', 'command', '--agent-cmd', 'fake-agent {step}'];
    const repoFlag = `--repo ${p.repo}`;
    const run = runCli(['--repo', p.repo, 'run', SLUG, ...agent, '--validate', 'true'], { cwd: elsewhere, env: p.env() });
    expect(run.stderr).toBe(
      "Error: Migration 'alpha' is still being planned; only ready or in-progress migrations have phases to run\n" +
        `Hint: Finish planning first: \`cairn ${repoFlag} plan alpha --agent command --agent-cmd 'fake-agent {step}'\`` +
        ` (or \`cairn ${repoFlag} run --all --agent command --agent-cmd 'fake-agent {step}'\`).\n`,
    );
    expect(run.code).toBe(1);

    // phase done starts no agent: its hint carries --repo only; the JSON error carries the same hint.
    const done = runCli(['--repo', p.repo, 'phase', 'done', SLUG, '--format', 'json'], { cwd: elsewhere, env: p.env() });
    expect(done.stderr).toBe(
      "Error: Migration 'alpha' has status 'planning'; only ready or in-progress migrations have phases to complete\n" +
        `Hint: Finish planning first: \`cairn ${repoFlag} plan alpha\`.\n`,
    );
    expect((JSON.parse(done.stdout) as { error: { hint: string } }).error.hint).toBe(`Finish planning first: \`cairn ${repoFlag} plan alpha\`.`);
    expect(done.code).toBe(1);
  });

  it('new --commit says what it committed before what to run next', () => {
    const repo = emptyRepo();
    const created = runCli(['new', 'beta', '--target', 'x', '--commit'], { cwd: repo });
    expect(created.stdout).toMatch(/^Created migration beta at migrations\/beta\.\nCommitted [0-9a-f]{12}: cairn: beta: migration\.new\nNext: cairn plan beta\n$/);
    expect(created.code).toBe(0);
  });

  it('refuses an agent command that is not on PATH before making a workspace', () => {
    const root = tempDir('cairn-missing-');
    const p = planRepoAt(emptyRepo(root));
    newMigration(p.repo, SLUG, TARGET, p.env());
    commitAll(p.repo, 'new alpha');
    const result = p.cli(['plan', SLUG, '--agent', 'command', '--agent-cmd', 'no-such-agent-xyz --fast']);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      "Error: Agent command 'no-such-agent-xyz' was not found on PATH: install it, or pass --agent-cmd with a command that exists. Nothing was started.\n",
    );
    expect(result.code).toBe(2);
    expect(workRuns(p)).toEqual([]);
    expect(existsSync(path.join(p.repo, '.planning', 'work', SLUG))).toBe(false);

    const refine = p.cli(['refine', SLUG, '--message', 'smaller', '--agent', 'command', '--agent-cmd', 'no-such-agent-xyz']);
    expect(refine.code).toBe(2);
    expect(refine.stderr).toContain("Agent command 'no-such-agent-xyz' was not found on PATH");
    expect(workRuns(p)).toEqual([]);
  });

  it('refuses an agent command that starts with an environment assignment, in a dry run too, naming env', () => {
    const p = planRepoAt(emptyRepo(tempDir('cairn-env-assign-')));
    newMigration(p.repo, SLUG, TARGET, p.env());
    commitAll(p.repo, 'new alpha');
    for (const extra of [[], ['--dry-run']]) {
      const result = p.cli(['plan', SLUG, '--agent', 'command', '--agent-cmd', 'FOO=1 fake-agent', ...extra]);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(
        "Error: The agent command starts with the environment assignment 'FOO=1': cairn runs agent commands without a shell, so it would look for a program named 'FOO=1'.\n" +
          "Hint: Put env first: --agent-cmd 'env FOO=1 fake-agent'.\n",
      );
    }
    expect(workRuns(p)).toEqual([]);
  });
});
