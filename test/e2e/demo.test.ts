import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { git } from '../support/git.js';
import { tempDir } from '../support/tmp.js';

const SLUG = 'async-config-loader';

function repoOf(stdout: string): string {
  const match = /^cairn demo: a throwaway repository at (.+)\n/.exec(stdout);
  expect(match).not.toBeNull();
  return match?.[1] as string;
}

describe('cairn demo', () => {
  it('runs the whole lifecycle in a throwaway repository, commits every step, and ends with a clean doctor', () => {
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
        'Phase add-loader of async-config-loader is done; current phase: migrate-callers.\n',
        'async-config-loader  ready   phase-2-migrate-callers.md\n',
        '$ cairn doctor --all\nNo findings; 1 migration checked.\n',
        `The repository is kept at ${repo}\n`,
      ]) {
        expect(out).toContain(line);
      }
      expect(git(repo, ['log', '--format=%s']).trim().split('\n')).toEqual([
        `cairn: ${SLUG}: migration.phase-done`,
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
    expect(result.stdout.endsWith('The temporary repository was removed (use --keep to keep it).\n')).toBe(true);
    expect(existsSync(repoOf(result.stdout))).toBe(false);
  });
});
