import { shellWord } from '../../src/util/index.js';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../support/cli.js';
import { git } from '../support/git.js';
import { tempDir } from '../support/tmp.js';

const SLUG = 'async-config-loader';
const PHASE_SUBJECT = `cairn: migration/${SLUG}/phase-1-add-loader.md`;

interface LoggedRun {
  id: string;
  step: string;
  verdict: string;
  exit_code: number | null;
}

/** The `--agent-cmd` template the built demo runs its replay agent with. */
const BUILT_REPLAY_AGENT = `${shellWord(process.execPath)} ${shellWord(path.join(REPO_ROOT, 'dist', 'bundle', 'demo', 'replay-agent.js'))}`;

function repoOf(stdout: string): string {
  const match = /^cairn demo: a throwaway repository at (.+)\n/.exec(stdout);
  expect(match).not.toBeNull();
  return match?.[1] as string;
}

describe('cairn demo', () => {
  it('runs the whole lifecycle in a throwaway repository, carries out the first phase under node --test, and ends with a clean doctor', () => {
    const cwd = tempDir('cairn-demo-cwd-');
    const result = runCli(['demo', '--keep'], { cwd, env: { XDG_CONFIG_HOME: path.join(cwd, 'xdg') } });
    const repo = repoOf(result.stdout);
    try {
      expect(result.code).toBe(0);
      const out = result.stdout;
      for (const line of [
        `$ cairn new ${SLUG} --target '`,
        'Accepted planning.review (findings) for async-config-loader; next step: revise.\n',
        'Accepted planning.revise for async-config-loader; next step: review-2.\n',
        'Accepted planning.review-2 (clear) for async-config-loader; next step: final-review.\n',
        'Accepted planning.final-review for async-config-loader: approve-needs-human — phase 3 removes the exported getConfigSync(); a maintainer should confirm no other package imports it\n',
        'Reviews awaiting a human (1)\n',
        // runCli gives git an identity through GIT_AUTHOR_*, which wins over the demo's repository config.
        'Approved async-config-loader (reviewer Cairn Test <test@cairn.invalid>).\n',
        // The review comes before the run: the migration is approve-needs-human.
        `$ cairn review ${SLUG} --approve`,
        `$ cairn run ${SLUG} --agent command --agent-cmd 'node replay-agent.js' --validate 'node --test'\nPhase add-loader of ${SLUG} is done: fast-forwarded main to `,
        `Next phase: migrate-callers (run \`cairn --repo ${shellWord(repo)} run async-config-loader --agent command --agent-cmd ${shellWord(BUILT_REPLAY_AGENT)} --validate 'node --test'\`).\n`,
        '$ git log --stat -1\ncommit ',
        `\n    ${PHASE_SUBJECT}\n    \n    Why:\n    Callers can move to a loader that reads config.json once`,
        '\n    Validation:\n    node --test\n',
        ' 3 files changed, ',
        'async-config-loader  in-progress  phase-2-migrate-callers.md\n',
        '  [x]  add-loader          phase-1-add-loader.md          effort low\n',
        '$ cairn doctor --all\nNo findings; 1 migration checked.\n',
        `The repository is kept at ${repo}\n\nTo try it in your own repository (with cairn installed there: npm install --save-dev cairn-cli):\n  npx --no-install cairn init\n`,
      ]) {
        expect(out).toContain(line);
      }
      expect(result.stderr).not.toContain('To use these agent settings');
      expect(out.indexOf(`$ cairn review ${SLUG}`)).toBeLessThan(out.indexOf(`$ cairn run ${SLUG}`));
      expect(out.indexOf(`$ cairn run ${SLUG}`)).toBeLessThan(out.indexOf('$ git log --stat -1'));
      expect(out.indexOf('$ git log --stat -1')).toBeLessThan(out.indexOf('$ cairn doctor --all'));
      expect(git(repo, ['log', '--format=%s']).trim().split('\n')).toEqual([
        PHASE_SUBJECT,
        `cairn: ${SLUG}: migration.review`,
        `cairn: ${SLUG}: planning.final-review`,
        `cairn: ${SLUG}: planning.review-2`,
        `cairn: ${SLUG}: planning.revise`,
        `cairn: ${SLUG}: planning.review`,
        `cairn: ${SLUG}: planning.expand`,
        `cairn: ${SLUG}: planning.pick-best`,
        `cairn: ${SLUG}: planning.approaches`,
        `cairn: ${SLUG}: migration.new`,
        'Set up cairn',
      ]);
      expect(git(repo, ['status', '--porcelain'])).toBe('');
      // One commit holds the code change and the phase's completion; nothing of the run is left behind.
      expect(git(repo, ['show', '--name-only', '--format=', 'HEAD']).trim().split('\n')).toEqual([
        `migrations/${SLUG}/manifest.json`,
        'src/config.js',
        'test/config.test.js',
      ]);
      expect(git(repo, ['branch', '--list', '--format=%(refname:short)']).trim()).toBe('main');
      expect(git(repo, ['worktree', 'list', '--porcelain']).match(/^worktree /gm)).toHaveLength(1);
      expect(existsSync(path.join(repo, '.planning', 'work', '.execute'))).toBe(false);
      expect(readFileSync(path.join(repo, 'src', 'config.js'), 'utf8')).toContain("export async function loadConfig(file = 'config.json') {");
      const manifest = JSON.parse(readFileSync(path.join(repo, 'migrations', SLUG, 'manifest.json'), 'utf8')) as { status: string; current_phase: string; phases: { done: boolean }[] };
      expect([manifest.status, manifest.current_phase, manifest.phases.map((phase) => phase.done)]).toEqual(['in-progress', 'migrate-callers', [true, false, false]]);

      // The baseline and the validation after the agent both ran the project's tests, and they passed.
      const logged = runCli(['log', SLUG, '--format', 'json'], { cwd: repo, env: { XDG_CONFIG_HOME: path.join(cwd, 'xdg') } });
      expect(logged.code).toBe(0);
      const runs = (JSON.parse(logged.stdout) as { runs: LoggedRun[] }).runs.filter((run) => ['baseline', 'ready-check', 'execute', 'validate'].includes(run.step));
      expect(runs.map((run) => [run.step, run.verdict, run.exit_code])).toEqual([
        ['validate', 'accepted', 0],
        ['execute', 'accepted', 0],
        ['ready-check', 'accepted', 0],
        ['baseline', 'accepted', 0],
      ]);
      const validation = runCli(['log', '--show', (runs[0] as LoggedRun).id], { cwd: repo, env: { XDG_CONFIG_HOME: path.join(cwd, 'xdg') } });
      expect(validation.stdout).toContain('ok 2 - loadConfig resolves to the same config\n');
      expect(validation.stdout).toContain('# pass 3\n# fail 0\n');

      // The committed project's own tests pass outside cairn too.
      const tests = spawnSync(process.execPath, ['--test'], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
      expect([tests.status, /# pass (\d+)/.exec(tests.stdout)?.[1]]).toEqual([0, '3']);
      const live = path.join(repo, 'migrations', SLUG);
      const review = JSON.parse(readFileSync(path.join(live, '.planning', 'reviews.jsonl'), 'utf8')) as Record<string, unknown>;
      expect(review['decision']).toBe('approve');
      expect(readFileSync(path.join(live, 'phase-3-remove-sync-loader.md'), 'utf8')).toContain('## Definition of Done\n- getConfigSync() is deleted');
    } finally {
      rmSync(path.dirname(repo), { recursive: true, force: true });
    }
  });

  it('removes the repository without --keep', () => {
    const cwd = tempDir('cairn-demo-cwd-');
    const result = runCli(['demo'], { cwd, env: { XDG_CONFIG_HOME: path.join(cwd, 'xdg') } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('The temporary repository was removed (use --keep to keep it).\n\nTo try it in your own repository');
    expect(existsSync(repoOf(result.stdout))).toBe(false);
  });
});
