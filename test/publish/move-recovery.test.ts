import { cpSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { snapshotId } from '../../src/fs/digest.js';
import { decodeJournal, encodeJournal, writeJournal, writeTransactionMarker, type JournalBody } from '../../src/publish/journal.js';
import { planRecovery } from '../../src/publish/recovery.js';
import { publishRepo, seedWorkspace, workspaceFor } from '../support/publish-repo.js';

/* How recovery judges an interrupted move (docs/format.md §14.6) in the states a crash or a person can leave. */

interface MoveScene {
  live: string;
  from: string;
  to: string;
  tx: string;
  journal: JournalBody;
}

/** A live migration `alpha`, a renamed copy staged for `beta`, a marker and a prepared move journal. */
async function moveScene(phase: JournalBody['phase'] = 'prepared'): Promise<MoveScene> {
  const repo = publishRepo();
  const from = path.join(repo.liveRoot, 'alpha');
  const seed = workspaceFor(repo, 'alpha', 'seed', false);
  await seedWorkspace(repo, seed, 'alpha');
  mkdirSync(repo.liveRoot, { recursive: true });
  cpSync(seed, from, { recursive: true });
  const renamed = workspaceFor(repo, 'beta', 'renamed', false);
  await seedWorkspace(repo, renamed, 'beta');
  const tx = path.join(repo.liveRoot, '__transactions__', 'fedcba9876543210fedcba9876543210');
  mkdirSync(tx, { recursive: true });
  await writeTransactionMarker(tx, { slug: 'alpha', operation: 'migration.move', movedTo: 'beta' });
  cpSync(renamed, path.join(tx, 'staged'), { recursive: true });
  const journal: JournalBody = {
    tx_id: path.basename(tx),
    slug: 'alpha',
    operation: 'migration.move',
    live_dir: from,
    base_snapshot_id: await snapshotId(from),
    old_snapshot_id: await snapshotId(from),
    new_snapshot_id: await snapshotId(renamed),
    old_exists: true,
    created_at: '2026-05-14T00:27:12.066-07:00',
    phase,
    moved_to: 'beta',
  };
  await writeJournal(tx, journal);
  return { live: repo.liveRoot, from, to: path.join(repo.liveRoot, 'beta'), tx, journal };
}

/** The state right after both renames of the move. */
function bothRenamed(s: MoveScene): void {
  renameSync(s.from, path.join(s.tx, 'rollback'));
  renameSync(path.join(s.tx, 'staged'), s.to);
}

describe('move journal', () => {
  it('round-trips moved_to under the checksum, and refuses one that is not a string', () => {
    const body: JournalBody = {
      tx_id: 'a'.repeat(32),
      slug: 'alpha',
      operation: 'migration.move',
      live_dir: '/x/alpha',
      base_snapshot_id: 'b',
      old_snapshot_id: 'o',
      new_snapshot_id: 'n',
      old_exists: true,
      created_at: 't',
      phase: 'prepared',
      moved_to: 'beta',
    };
    const text = encodeJournal(body);
    expect(decodeJournal(text)).toEqual({ status: 'valid', body });
    expect(text).toContain('\n    "moved_to": "beta",\n');
    expect(decodeJournal(text.replace('"moved_to": "beta"', '"moved_to": "gamma"')).status).toBe('invalid');
  });
});

describe('recovery of a move', () => {
  it('prepared, nothing renamed yet: discards and keeps the old directory', async () => {
    const s = await moveScene();
    const plan = await planRecovery(s.live, s.tx);
    expect([plan.action, plan.slug, plan.reason]).toEqual(['discard', 'alpha', 'move of alpha to beta not committed; alpha was not touched']);
    expect(plan.operations).toEqual([{ kind: 'remove-transaction', dir: s.tx }]);
  });

  it('prepared, both renamed: moves the new directory aside and restores the old one', async () => {
    const s = await moveScene();
    bothRenamed(s);
    const plan = await planRecovery(s.live, s.tx);
    expect(plan.action).toBe('roll-back');
    expect(plan.operations).toEqual([
      { kind: 'move-aside', from: s.to, to: path.join(s.tx, 'failed') },
      { kind: 'restore', from: path.join(s.tx, 'rollback'), to: s.from },
      { kind: 'remove-transaction', dir: s.tx },
    ]);
  });

  it('committed: keeps the new directory and removes the old tree with the transaction', async () => {
    const s = await moveScene('committed');
    bothRenamed(s);
    const plan = await planRecovery(s.live, s.tx);
    expect([plan.action, plan.operations]).toEqual(['roll-forward', [{ kind: 'remove-transaction', dir: s.tx }]]);
  });

  it('leaves a new directory that is not the tree it installed', async () => {
    const s = await moveScene();
    bothRenamed(s);
    writeFileSync(path.join(s.to, 'plan.md'), 'written after the crash\n');
    const plan = await planRecovery(s.live, s.tx);
    expect([plan.action, plan.reason]).toEqual(['leave', 'move of alpha to beta not committed, and beta is not the tree it installed; left for inspection']);
  });

  it('leaves a rollback/ that is not the old tree, and an old directory that came back', async () => {
    const s = await moveScene();
    renameSync(s.from, path.join(s.tx, 'rollback'));
    writeFileSync(path.join(s.tx, 'rollback', 'manifest.json'), '{}\n');
    expect((await planRecovery(s.live, s.tx)).action).toBe('leave');

    const t = await moveScene();
    cpSync(t.from, path.join(t.tx, 'rollback'), { recursive: true });
    expect((await planRecovery(t.live, t.tx)).action).toBe('leave');
  });

  it('leaves a move whose journal is damaged', async () => {
    const s = await moveScene();
    writeFileSync(path.join(s.tx, 'journal.json'), '{"torn');
    const plan = await planRecovery(s.live, s.tx);
    expect(plan.action).toBe('leave');
    expect(plan.reason).toMatch(/a move cannot be judged without its journal; left for inspection$/);
  });
});
