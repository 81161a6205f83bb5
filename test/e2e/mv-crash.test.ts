import { existsSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { snapshotId } from '../../src/fs/digest.js';
import { copyFixtureMigrations, PLANNING } from '../support/fixture.js';
import { commitAll } from '../support/git.js';
import { copyRepo, emptyRepo, planRepoAt, type PlanRepo } from '../support/plan-repo.js';
import { templateDir } from '../support/tmp.js';

/*
 * `cairn mv` killed (SIGKILL) at every named instant of the move: after
 * `cairn recover` the migration is exactly the old directory (killed before
 * the journal's commit) or exactly the new one (after it), never both and
 * never neither; no transaction is left and doctor is clean.
 */

const NEW = 'pagination';
const BEFORE_COMMIT = ['move-tx-created', 'move-staged-written', 'move-journal-written', 'move-old-moved-aside', 'move-new-installed'] as const;
const AFTER_COMMIT = ['move-journal-committed', 'move-published-recorded', 'move-tx-removed'] as const;

/** What recovery does with the transaction a move killed at each point leaves. */
const RECOVERY_ACTIONS: Record<(typeof BEFORE_COMMIT)[number] | (typeof AFTER_COMMIT)[number], string[]> = {
  'move-tx-created': ['discard'],
  'move-staged-written': ['discard'],
  'move-journal-written': ['discard'],
  'move-old-moved-aside': ['roll-back'],
  'move-new-installed': ['roll-back'],
  'move-journal-committed': ['roll-forward'],
  'move-published-recorded': ['roll-forward'],
  'move-tx-removed': [],
};

let template: PlanRepo;
let oldId: string;
let newId: string;

beforeAll(async () => {
  const repo = emptyRepo(path.join(templateDir('cairn-mv-crash-template-'), 'repo'));
  copyFixtureMigrations(path.join(repo, 'migrations'), [PLANNING]);
  commitAll(repo, 'fixture migrations');
  template = planRepoAt(repo);
  oldId = await snapshotId(path.join(template.live, PLANNING));
  const reference = copyRepo(template);
  const moved = reference.cli(['mv', PLANNING, NEW]);
  if (moved.code !== 0) throw new Error(`reference move failed: ${moved.stderr}`);
  newId = await snapshotId(path.join(reference.live, NEW));
});

/** The snapshot of whichever of the two directories exists; fails when both or neither do. */
async function theOneMigration(p: PlanRepo): Promise<{ slug: string; id: string }> {
  const present = [PLANNING, NEW].filter((slug) => existsSync(path.join(p.live, slug)));
  expect(present).toHaveLength(1);
  const slug = present[0] as string;
  return { slug, id: await snapshotId(path.join(p.live, slug)) };
}

function recoverOk(p: PlanRepo): { transactions: { action: string }[] } {
  const recovered = p.cli(['recover', '--format', 'json']);
  expect(recovered.stderr).toBe('');
  expect(recovered.code).toBe(0);
  return JSON.parse(recovered.stdout) as { transactions: { action: string }[] };
}

function expectClean(p: PlanRepo): void {
  expect(existsSync(path.join(p.live, '__transactions__'))).toBe(false);
  const doctor = p.cli(['doctor', '--all']);
  expect([doctor.code, doctor.stdout]).toEqual([0, 'No findings; 1 migration checked.\n']);
}

describe('cairn mv killed at every named point', () => {
  for (const point of [...BEFORE_COMMIT, ...AFTER_COMMIT]) {
    const before = (BEFORE_COMMIT as readonly string[]).includes(point);
    it(`${point}: recovery leaves exactly the ${before ? 'old' : 'new'} migration`, async () => {
      const p = copyRepo(template);
      const killed = p.cli(['mv', PLANNING, NEW], { CAIRN_TEST_CRASH_AT: point });
      expect(killed.signal).toBe('SIGKILL');
      const report = recoverOk(p);
      expect(report.transactions.map((plan) => plan.action)).toEqual(RECOVERY_ACTIONS[point]);
      expect(await theOneMigration(p)).toEqual(before ? { slug: PLANNING, id: oldId } : { slug: NEW, id: newId });
      expectClean(p);
      if (before) {
        // The killed move's lease and workspace are no obstacle to moving it again.
        const again = p.cli(['mv', PLANNING, NEW]);
        expect(again.stderr).toBe('');
        expect(again.code).toBe(0);
        expect(await theOneMigration(p)).toEqual({ slug: NEW, id: newId });
      }
    });
  }

  it('a recovery killed while undoing a move is finished by the next one', async () => {
    const p = copyRepo(template);
    expect(p.cli(['mv', PLANNING, NEW], { CAIRN_TEST_CRASH_AT: 'move-new-installed' }).signal).toBe('SIGKILL');
    expect(existsSync(path.join(p.live, PLANNING))).toBe(false);
    expect(existsSync(path.join(p.live, NEW))).toBe(true);
    for (const point of ['recovery-live-moved-aside', 'recovery-rollback-restored']) {
      expect(p.cli(['recover'], { CAIRN_TEST_CRASH_AT: point }).signal).toBe('SIGKILL');
    }
    recoverOk(p);
    expect(await theOneMigration(p)).toEqual({ slug: PLANNING, id: oldId });
    expectClean(p);
  });

  it('the next move undoes a killed one before it looks for the migration', async () => {
    const p = copyRepo(template);
    expect(p.cli(['mv', PLANNING, NEW], { CAIRN_TEST_CRASH_AT: 'move-old-moved-aside' }).signal).toBe('SIGKILL');
    expect(existsSync(path.join(p.live, PLANNING))).toBe(false);
    const again = p.cli(['mv', PLANNING, 'paging', '--format', 'json']);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    const doc = JSON.parse(again.stdout) as { status: string; recovered: { action: string; slug: string }[] };
    expect(doc.status).toBe('moved');
    expect(doc.recovered.map((plan) => [plan.action, plan.slug])).toEqual([['roll-back', PLANNING]]);
    expect([PLANNING, NEW, 'paging'].filter((slug) => existsSync(path.join(p.live, slug)))).toEqual(['paging']);
    expect(existsSync(path.join(p.live, '__transactions__'))).toBe(false);
  });

  it('a move that fails between its renames is undone at once: the old migration, nothing left', async () => {
    const p = copyRepo(template);
    const failed = p.cli(['mv', PLANNING, NEW], { CAIRN_TEST_FAULT: 'move-install:EIO' });
    expect(failed.code).toBe(1);
    expect(failed.stdout).toBe('');
    expect(failed.stderr).toBe(
      `Error: Could not move migrations/${PLANNING} to migrations/${NEW}: the rename failed: EIO: i/o error, injected at move-install; ${PLANNING} was restored\n` +
        `Hint: ${PLANNING} is as it was; fix the cause and run \`cairn mv\` again.\n`,
    );
    expect(await theOneMigration(p)).toEqual({ slug: PLANNING, id: oldId });
    expectClean(p);
  });
});
