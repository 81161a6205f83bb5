import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PLANNING } from '../support/fixture.js';
import { git } from '../support/git.js';
import { fixturePlanRepo } from '../support/plan-repo.js';

/* `cairn doctor` on a migration moved or renamed by hand with `git mv`, driven through the built CLI. */

const RENAMED = 'renamed-pagination';

describe('cairn doctor on a migration renamed with git mv', () => {
  it('names the move and the old slug instead of a path error', () => {
    const p = fixturePlanRepo([PLANNING]);
    const before = p.cli(['doctor', PLANNING, '--format', 'tsv']);
    expect([before.code, before.stdout, before.stderr]).toEqual([0, '', '']);

    git(p.repo, ['mv', `migrations/${PLANNING}`, `migrations/${RENAMED}`]);
    const result = p.cli(['doctor', '--all', '--format', 'tsv']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    const dir = path.join(p.live, RENAMED);
    expect(result.stdout.split('\n')).toEqual([
      `${RENAMED}\terror\tmanifest-slug-mismatch\t${dir}/manifest.json\tManifest name '${PLANNING}' does not match directory slug '${RENAMED}'.`,
      `${RENAMED}\terror\tmigration-moved\t${dir}/.planning/state.json\tThis migration was moved or renamed from ${PLANNING}: .planning/state.json still records its stage outputs under migrations/${PLANNING}/.`,
      '',
    ]);

    const json = p.cli(['doctor', RENAMED, '--format', 'json']);
    const findings = (JSON.parse(json.stdout) as { findings: { code: string; hint: string }[] }).findings;
    expect(findings.find((finding) => finding.code === 'migration-moved')?.hint).toBe(
      `Move it back with \`git mv migrations/${RENAMED} migrations/${PLANNING}\` and commit, then rename it with \`cairn mv ${PLANNING} <new-slug>\`, which rewrites these paths too; or make the rename complete by hand: rewrite "migrations/${PLANNING}/" to "migrations/${RENAMED}/" in .planning/state.json and set "name" in manifest.json to the directory name.`,
    );

    git(p.repo, ['mv', `migrations/${RENAMED}`, `migrations/${PLANNING}`]);
    const back = p.cli(['doctor', '--all']);
    expect([back.code, back.stdout]).toEqual([0, 'No findings; 1 migration checked.\n']);

    // The hint's way forward: back where it was (nothing left to commit here), cairn renames it.
    const moved = p.cli(['mv', PLANNING, RENAMED, '--commit']);
    expect([moved.code, moved.stderr]).toEqual([0, '']);
    const renamed = p.cli(['doctor', '--all']);
    expect([renamed.code, renamed.stdout]).toEqual([0, 'No findings; 1 migration checked.\n']);
  });
});
