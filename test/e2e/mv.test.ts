import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { snapshotId } from '../../src/fs/digest.js';
import { MoveOutputSchema } from '../../src/outputs/move.js';
import { acquireRunLease } from '../../src/planning/run-lease.js';
import { copyFixtureMigrations, PLANNING } from '../support/fixture.js';
import { commitAll, git } from '../support/git.js';
import { copyRepo, emptyRepo, planRepoAt, type PlanRepo } from '../support/plan-repo.js';
import { templateDir } from '../support/tmp.js';
import { listTree } from '../support/tree.js';

/* `cairn mv` through the built CLI, on a migration written by the original tool. */

const NEW = 'pagination';
const OTHER = 'deduplicate-logging-calls-in-scheduler-20260313T034302';

let template: PlanRepo;

beforeAll(() => {
  const repo = emptyRepo(path.join(templateDir('cairn-mv-template-'), 'repo'));
  copyFixtureMigrations(path.join(repo, 'migrations'), [PLANNING, OTHER]);
  commitAll(repo, 'fixture migrations');
  template = planRepoAt(repo);
});

/** Every file of a directory tree with its bytes. */
function treeBytes(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of listTree(dir)) {
    const full = path.join(dir, entry);
    if (!existsSync(full) || readdirSafe(full)) continue;
    files[entry] = readFileSync(full).toString('latin1');
  }
  return files;
}

function readdirSafe(entry: string): boolean {
  try {
    readdirSync(entry);
    return true;
  } catch {
    return false;
  }
}

function gitStatus(repo: string): string {
  return git(repo, ['status', '--porcelain', '--untracked-files=all']);
}

describe('cairn mv', () => {
  it('--dry-run names every rewrite and changes nothing', async () => {
    const p = copyRepo(template);
    const before = await snapshotId(p.live);
    const result = p.cli(['mv', PLANNING, NEW, '--dry-run']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const old = `migrations/${PLANNING}/.planning/stages`;
    const now = `migrations/${NEW}/.planning/stages`;
    expect(result.stdout).toBe(
      `Dry run: would move migrations/${PLANNING} to migrations/${NEW}, rewriting:\n` +
        `  manifest.json name: ${PLANNING} -> ${NEW}\n` +
        `  .planning/state.json completed_steps[0].outputs.stdout: ${old}/approaches.stdout.md -> ${now}/approaches.stdout.md\n` +
        `  .planning/state.json completed_steps[1].outputs.stdout: ${old}/pick-best.stdout.md -> ${now}/pick-best.stdout.md\n` +
        `  .planning/state.json completed_steps[2].outputs.stdout: ${old}/expand.stdout.md -> ${now}/expand.stdout.md\n` +
        'Nothing was changed.\n',
    );
    expect(await snapshotId(p.live)).toBe(before);
    expect(gitStatus(p.repo)).toBe('');
    expect(existsSync(path.join(p.repo, '.planning', 'work', NEW))).toBe(false);
  });

  it('renames the directory, rewrites only the recorded names and paths, and commits it as a rename', async () => {
    const p = copyRepo(template);
    const oldDir = path.join(p.live, PLANNING);
    const newDir = path.join(p.live, NEW);
    const before = treeBytes(oldDir);
    expect(p.cli(['list']).code).toBe(0); // the list index now knows the old slug
    const result = p.cli(['mv', PLANNING, NEW, '--commit', '--format', 'json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const doc = MoveOutputSchema.parse(JSON.parse(result.stdout));
    expect(doc.status).toBe('moved');
    expect(doc.changes.map((change) => `${change.file}:${change.field}`)).toEqual([
      'manifest.json:name',
      '.planning/state.json:completed_steps[0].outputs.stdout',
      '.planning/state.json:completed_steps[1].outputs.stdout',
      '.planning/state.json:completed_steps[2].outputs.stdout',
    ]);
    expect(doc.snapshot_id).toBe(await snapshotId(newDir));
    expect(existsSync(oldDir)).toBe(false);

    // Byte for byte the original tool's files, with only the slug changed in the two values that hold it.
    const expected: Record<string, string> = {};
    for (const [file, bytes] of Object.entries(before)) expected[file] = bytes;
    expected['manifest.json'] = (before['manifest.json'] as string).replace(`"name": "${PLANNING}"`, `"name": "${NEW}"`);
    expected['.planning/state.json'] = (before['.planning/state.json'] as string).replaceAll(`"migrations/${PLANNING}/`, `"migrations/${NEW}/`);
    expect(expected['.planning/state.json']).not.toBe(before['.planning/state.json']);
    expect(treeBytes(newDir)).toEqual(expected);

    // One commit, the migration as a rename, nothing left uncommitted or behind.
    expect(doc.commit).toBe(git(p.repo, ['rev-parse', 'HEAD']).trim());
    expect(git(p.repo, ['log', '-1', '--format=%s'])).toBe(`cairn: ${NEW}: migration.move\n`);
    const renamed = git(p.repo, ['show', '--name-status', '-M', '--format=', 'HEAD']).trim().split('\n');
    expect(renamed).toContain(`R100\tmigrations/${PLANNING}/plan.md\tmigrations/${NEW}/plan.md`);
    expect(renamed.filter((line) => !line.startsWith('R'))).toEqual([]);
    expect(gitStatus(p.repo)).toBe('');
    expect(existsSync(path.join(p.live, '__transactions__'))).toBe(false);
    expect(existsSync(path.join(p.repo, '.planning', 'work', NEW))).toBe(false);
    expect(existsSync(path.join(p.repo, '.planning', 'work', '.leases'))).toBe(false);

    const doctor = p.cli(['doctor', '--all']);
    expect([doctor.code, doctor.stdout]).toEqual([0, 'No findings; 2 migrations checked.\n']);
    const list = p.cli(['list', '--format', 'tsv', '--no-headers']);
    expect(list.code).toBe(0);
    expect(list.stdout.split('\n').map((line) => line.split('\t')[0]).filter((slug) => slug !== '')).toEqual([OTHER, NEW].sort());
    const status = p.cli(['status', NEW, '--format', 'json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ slug: NEW });
  });

  it('rewrites review_findings, and the moved migration is clean without --commit', async () => {
    const p = copyRepo(template);
    const newDir = path.join(p.live, 'flags');
    const result = p.cli(['mv', OTHER, 'flags']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('.planning/state.json review_findings: migrations/');
    expect(result.stdout.endsWith(`Next: git add -A -- migrations/${OTHER} migrations/flags && git commit, then cairn status flags\n`)).toBe(true);
    const state = JSON.parse(readFileSync(path.join(newDir, '.planning', 'state.json'), 'utf8')) as { review_findings: string };
    expect(state.review_findings.startsWith('migrations/flags/.planning/stages/')).toBe(true);
    // The move is cairn's own publish: uncommitted, it does not count as a hand edit.
    const doctor = p.cli(['doctor', 'flags']);
    expect([doctor.code, doctor.stdout]).toEqual([0, 'No findings; 1 migration checked.\n']);
    const back = p.cli(['mv', 'flags', 'flags-again']);
    expect(back.code).toBe(1);
    expect(back.stderr).toMatch(/^Error: Cannot move flags: it has uncommitted changes \(/);
  });

  it('refuses an unknown slug, a bad or taken new slug, and uncommitted changes, each with a hint', () => {
    const p = copyRepo(template);
    const before = gitStatus(p.repo);
    const unknown = p.cli(['mv', 'nope', NEW]);
    expect([unknown.code, unknown.stdout]).toEqual([2, '']);
    expect(unknown.stderr).toBe(`Error: There is no migration 'nope' in ${p.live}.\nHint: Run \`cairn list\` to see the migrations and their slugs.\n`);

    const bad = p.cli(['mv', PLANNING, 'New_Name']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      "Error: The new slug 'New_Name' does not follow the naming rule (it has capital letters): lowercase letters a-z, digits and single '-' between them (not at either end), at most 64 characters.\n" +
        `Hint: Try \`cairn mv ${PLANNING} new-name\`.\n`,
    );

    git(p.repo, ['mv', `migrations/${OTHER}`, 'migrations/taken']);
    git(p.repo, ['commit', '--quiet', '-m', 'rename by hand']);
    const clash = p.cli(['mv', PLANNING, 'taken']);
    expect(clash.code).toBe(1);
    expect(clash.stderr).toBe(
      `Error: Cannot move ${PLANNING} to taken: ${path.join(p.live, 'taken')} already exists.\n` +
        'Hint: Choose another name, or look at the existing one with `cairn status taken`.\n',
    );

    writeFileSync(path.join(p.live, PLANNING, 'plan.md'), 'edited by hand\n');
    const dirty = p.cli(['mv', PLANNING, NEW]);
    expect(dirty.code).toBe(1);
    expect(dirty.stderr).toBe(
      `Error: Cannot move ${PLANNING}: it has uncommitted changes (migrations/${PLANNING}/plan.md).\n` +
        `Hint: Commit them first (\`git add -A -- migrations/${PLANNING} && git commit\`), then run \`cairn mv\` again, so the move is one clean rename in git.\n`,
    );
    expect(existsSync(path.join(p.live, NEW))).toBe(false);
    expect(before).toBe('');
    expect(gitStatus(p.repo)).toBe(` M migrations/${PLANNING}/plan.md\n`);
  });

  it('refuses while another command holds the migration, in a dry run too', async () => {
    const p = copyRepo(template);
    const lease = await acquireRunLease(p.repo, PLANNING, { operation: 'plan', step: 'review' });
    try {
      for (const args of [['mv', PLANNING, NEW], ['mv', PLANNING, NEW, '--dry-run']]) {
        const refused = p.cli(args);
        expect(refused.code).toBe(1);
        expect(refused.stderr).toMatch(new RegExp(`^Error: Cannot move ${PLANNING}: ${PLANNING} is being planned by pid ${process.pid} since \\d\\d:\\d\\d \\(step review\\)\\.\\n`));
        expect(refused.stderr).toContain(`Hint: Wait for that command to finish (\`cairn status ${PLANNING}\` shows where the migration is), then run \`cairn mv\` again.\n`);
      }
    } finally {
      await lease.release();
    }
    expect(existsSync(path.join(p.live, PLANNING))).toBe(true);
    expect(existsSync(path.join(p.live, NEW))).toBe(false);
  });

  it('refuses a migration that is not a git work tree only for --commit', () => {
    const p = copyRepo(template);
    rmSync(path.join(p.repo, '.git'), { recursive: true, force: true });
    const commit = p.cli(['mv', PLANNING, NEW, '--commit']);
    expect(commit.code).toBe(2);
    expect(existsSync(path.join(p.live, PLANNING))).toBe(true);
    const plain = p.cli(['mv', PLANNING, NEW]);
    expect(plain.code).toBe(0);
    expect(existsSync(path.join(p.live, NEW, 'manifest.json'))).toBe(true);
    expect(existsSync(path.join(p.live, PLANNING))).toBe(false);
  });

  it("init's hint names cairn mv --root, and moving the root by hand as it used to say still gives a clean project", () => {
    const p = copyRepo(template);
    const refused = p.cli(['init', '--migrations-dir', 'plans']);
    expect(refused.code).toBe(2);
    expect(refused.stderr.split('\n')[1]).toBe(
      'Hint: To move the migrations root from migrations, run `cairn mv --root plans`: it moves every migration, rewrites the paths their planning state records ' +
        'and sets "migrations_dir" in .planning/config.json, in one crash-safe step. To rename one migration, use `cairn mv <slug> <new-slug>`.',
    );
    git(p.repo, ['mv', 'migrations', 'plans']);
    const config = path.join(p.repo, '.planning', 'config.json');
    writeFileSync(config, readFileSync(config, 'utf8').replace('"migrations_dir": "migrations"', '"migrations_dir": "plans"'));
    for (const slug of [PLANNING, OTHER]) {
      const state = path.join(p.repo, 'plans', slug, '.planning', 'state.json');
      writeFileSync(state, readFileSync(state, 'utf8').replaceAll('"migrations/', '"plans/'));
    }
    commitAll(p.repo, 'move the migrations root');
    const doctor = p.cli(['doctor', '--all']);
    expect([doctor.code, doctor.stdout]).toEqual([0, 'No findings; 2 migrations checked.\n']);
  });
});
