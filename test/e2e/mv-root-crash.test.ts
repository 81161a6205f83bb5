import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { copyFixtureMigrations, PLANNING } from '../support/fixture.js';
import { commitAll, git } from '../support/git.js';
import { copyRepo, emptyRepo, planRepoAt, type PlanRepo } from '../support/plan-repo.js';
import { templateDir } from '../support/tmp.js';
import { projectBytes } from '../support/tree.js';

/*
 * `cairn mv --root` killed (SIGKILL) at every named instant of the root
 * move: after `cairn recover` the project is byte for byte the old layout
 * (killed before the journal's commit) or the new one (after it), with no
 * journal, workspace or old root left, and doctor clean.
 */

const BEFORE_COMMIT = ['root-move-staged', 'root-move-journal-written', 'root-move-new-installed', 'root-move-config-written'] as const;
const AFTER_COMMIT = ['root-move-journal-committed', 'root-move-old-moved-aside', 'root-move-done'] as const;

let template: PlanRepo;
let oldLayout: Record<string, string>;
let newLayout: Record<string, string>;

beforeAll(() => {
  const repo = emptyRepo(path.join(templateDir('cairn-mv-root-crash-template-'), 'repo'));
  copyFixtureMigrations(path.join(repo, 'migrations'), [PLANNING]);
  commitAll(repo, 'fixture migrations');
  template = planRepoAt(repo);
  oldLayout = projectBytes(repo);
  const reference = copyRepo(template);
  const moved = reference.cli(['mv', '--root', 'plans']);
  if (moved.code !== 0) throw new Error(`reference move failed: ${moved.stderr}`);
  newLayout = projectBytes(reference.repo);
});

function expectWhole(p: PlanRepo, layout: 'old' | 'new'): void {
  expect(projectBytes(p.repo)).toEqual(layout === 'old' ? oldLayout : newLayout);
  expect(existsSync(path.join(p.repo, layout === 'old' ? 'plans' : 'migrations'))).toBe(false);
  expect(existsSync(path.join(p.repo, '.planning', 'work', 'root-move.json'))).toBe(false);
  expect(existsSync(path.join(p.repo, layout === 'old' ? 'migrations' : 'plans', '__transactions__'))).toBe(false);
  const doctor = p.cli(['doctor', '--all']);
  expect([doctor.code, doctor.stdout, doctor.stderr]).toEqual([0, 'No findings; 1 migration checked.\n', '']);
}

describe('cairn mv --root killed at every named point', () => {
  for (const point of [...BEFORE_COMMIT, ...AFTER_COMMIT]) {
    const layout = (BEFORE_COMMIT as readonly string[]).includes(point) ? 'old' : 'new';
    it(`${point}: recovery leaves exactly the ${layout} layout`, () => {
      const p = copyRepo(template);
      const killed = p.cli(['mv', '--root', 'plans'], { CAIRN_TEST_CRASH_AT: point });
      expect(killed.signal).toBe('SIGKILL');
      const recovered = p.cli(['recover']);
      expect([recovered.code, recovered.stderr]).toEqual([0, '']);
      expectWhole(p, layout);
      if (layout === 'old') {
        // The killed move leaves nothing in the way of moving again.
        const again = p.cli(['mv', '--root', 'plans']);
        expect([again.code, again.stderr]).toEqual([0, '']);
        expectWhole(p, 'new');
      }
    });
  }

  it('any command finishes a killed move first: status after a kill past the commit point reads the new root', () => {
    const p = copyRepo(template);
    expect(p.cli(['mv', '--root', 'plans'], { CAIRN_TEST_CRASH_AT: 'root-move-journal-committed' }).signal).toBe('SIGKILL');
    const status = p.cli(['status', PLANNING]);
    expect([status.code, status.stderr]).toEqual([0, '']);
    expectWhole(p, 'new');
  });

  it('a recovery killed while finishing a root move is finished by the next one', () => {
    const p = copyRepo(template);
    expect(p.cli(['mv', '--root', 'plans'], { CAIRN_TEST_CRASH_AT: 'root-move-journal-committed' }).signal).toBe('SIGKILL');
    expect(p.cli(['recover'], { CAIRN_TEST_CRASH_AT: 'root-move-old-moved-aside' }).signal).toBe('SIGKILL');
    expect(existsSync(path.join(p.repo, '.planning', 'work', 'root-move.json'))).toBe(true);
    const recovered = p.cli(['recover']);
    expect([recovered.code, recovered.stderr]).toEqual([0, '']);
    expectWhole(p, 'new');
  });

  it('a move that fails just before its commit point is undone at once: the old layout, nothing left', () => {
    const p = copyRepo(template);
    const failed = p.cli(['mv', '--root', 'plans'], { CAIRN_TEST_FAULT: 'root-move-commit:EIO' });
    expect([failed.code, failed.stdout]).toEqual([1, '']);
    expect(failed.stderr).toBe(
      'Error: Could not move the migrations root migrations to plans: the move failed: EIO: i/o error, injected at root-move-commit; migrations was left as it was\n' +
        'Hint: migrations and the config are as they were; fix the cause and run `cairn mv --root` again.\n',
    );
    expectWhole(p, 'old');
    expect(existsSync(path.join(p.repo, '.planning', 'work', 'root-move'))).toBe(false);
  });

  it('an empty directory the move took the place of is there again after a roll-back', () => {
    const p = copyRepo(template);
    mkdirSync(path.join(p.repo, 'plans'));
    expect(p.cli(['mv', '--root', 'plans'], { CAIRN_TEST_CRASH_AT: 'root-move-new-installed' }).signal).toBe('SIGKILL');
    expect(p.cli(['recover']).code).toBe(0);
    expect(projectBytes(p.repo)).toEqual(oldLayout);
    expect(readdirSync(path.join(p.repo, 'plans'))).toEqual([]);
    expect(existsSync(path.join(p.repo, '.planning', 'work', 'root-move.json'))).toBe(false);
  });

  it('keeps the layout of a hand-written config, changing only migrations_dir', () => {
    const p = copyRepo(template);
    const config = path.join(p.repo, '.planning', 'config.json');
    writeFileSync(config, '{\n    "lock_timeout_ms": 5000,\n    "migrations_dir":"migrations"\n}\n');
    commitAll(p.repo, 'hand-written config');
    const moved = p.cli(['mv', '--root', 'plans']);
    expect([moved.code, moved.stderr]).toEqual([0, '']);
    expect(readFileSync(config, 'utf8')).toBe('{\n    "lock_timeout_ms": 5000,\n    "migrations_dir":"plans"\n}\n');
    expect(git(p.repo, ['status', '--porcelain']).split('\n').filter((line) => line !== '').length).toBeGreaterThan(0);
  });
});
