import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { snapshotId } from '../../src/fs/digest.js';
import { decodeJournal, encodeJournal, readJournal, writeJournal, writeTransactionMarker, type JournalBody } from '../../src/publish/journal.js';
import { MemoryRecorder } from '../../src/publish/recorder.js';
import { planRecovery, recover } from '../../src/publish/recovery.js';
import { publish } from '../../src/publish/transaction.js';
import { publishValidator } from '../../src/consistency/publish-validator.js';
import { acceptNext, publishRepo, seedWorkspace, workspaceFor, type PublishRepo } from '../support/publish-repo.js';

interface Scene {
  repo: PublishRepo;
  live: string;
  oldId: string;
  newTree: string;
  newId: string;
  tx: string;
  journal: JournalBody;
}

/** A published migration `alpha` (old), a changed copy of it (new) and an empty transaction dir. */
async function scene(): Promise<Scene> {
  const repo = publishRepo();
  const seed = workspaceFor(repo, 'alpha', 'seed', false);
  await seedWorkspace(repo, seed, 'alpha');
  const base = await snapshotId(path.join(repo.liveRoot, 'alpha'));
  const published = await publish({ repoRoot: repo.repoRoot, liveRoot: repo.liveRoot, slug: 'alpha', workspaceDir: seed, baseSnapshotId: base, validator: publishValidator('planning-snapshot') });
  expect(published.status).toBe('published');
  const newTree = workspaceFor(repo, 'alpha', 'next');
  await acceptNext(repo, newTree, 'alpha', 'approaches\n');
  const live = path.join(repo.liveRoot, 'alpha');
  const tx = path.join(repo.liveRoot, '__transactions__', '0123456789abcdef0123456789abcdef');
  mkdirSync(tx, { recursive: true });
  const oldId = await snapshotId(live);
  const newId = await snapshotId(newTree);
  const journal: JournalBody = {
    tx_id: path.basename(tx),
    slug: 'alpha',
    operation: 'test.publish',
    live_dir: live,
    base_snapshot_id: oldId,
    old_snapshot_id: oldId,
    new_snapshot_id: newId,
    old_exists: true,
    created_at: '2026-05-14T00:27:12.066-07:00',
    phase: 'prepared',
  };
  return { repo, live, oldId, newTree, newId, tx, journal };
}

async function prepared(s: Scene, journal: Partial<JournalBody> = {}): Promise<void> {
  await writeTransactionMarker(s.tx, { slug: 'alpha', operation: 'test.publish' });
  cpSync(s.newTree, path.join(s.tx, 'staged'), { recursive: true });
  await writeJournal(s.tx, { ...s.journal, ...journal });
}

describe('journal', () => {
  it('round-trips and detects a damaged body by its checksum', () => {
    const body: JournalBody = {
      tx_id: 'a'.repeat(32),
      slug: 'alpha',
      operation: 'op',
      live_dir: '/x/alpha',
      base_snapshot_id: 'b',
      old_snapshot_id: 'o',
      new_snapshot_id: 'n',
      old_exists: false,
      created_at: 't',
      phase: 'prepared',
    };
    const text = encodeJournal(body);
    expect(decodeJournal(text)).toEqual({ status: 'valid', body });
    expect(text.startsWith('{\n  "body": {\n    "base_snapshot_id": "b",\n')).toBe(true);
    expect(text).toMatch(/\n {2}"checksum": "sha256:[0-9a-f]{64}",\n {2}"magic": "cairn-publish-journal",\n {2}"tool": "cairn 0\.1\.0",\n {2}"version": 1\n\}\n$/);
    expect(decodeJournal(text.replace('"phase": "prepared"', '"phase": "committed"'))).toEqual({
      status: 'invalid',
      reason: 'journal checksum does not match its body',
    });
    expect(decodeJournal(text.slice(0, 40))).toMatchObject({ status: 'invalid' });
    expect(decodeJournal(text.replace('cairn-publish-journal', 'other'))).toEqual({ status: 'invalid', reason: 'journal magic is wrong' });
  });
});

describe('planRecovery and recover', () => {
  it('discards an empty transaction dir and one interrupted before its journal', async () => {
    const s = await scene();
    expect(await planRecovery(s.repo.liveRoot, s.tx)).toMatchObject({ action: 'discard', reason: 'empty transaction directory' });
    await writeTransactionMarker(s.tx, { slug: 'alpha', operation: 'test.publish' });
    mkdirSync(path.join(s.tx, 'staged', 'half'), { recursive: true });
    const plan = await planRecovery(s.repo.liveRoot, s.tx);
    expect(plan).toMatchObject({
      action: 'discard',
      slug: 'alpha',
      reason: 'interrupted before its journal was written; the live migration was not touched',
      steps: [`remove ${s.tx}`],
      journalPhase: null,
    });
    const report = await recover(s.repo.liveRoot);
    expect(report.plans.map((p) => p.action)).toEqual(['discard']);
    expect(await snapshotId(s.live)).toBe(s.oldId);
    expect(existsSync(path.join(s.repo.liveRoot, '__transactions__'))).toBe(false);
  });

  it("leaves the original tool's transaction dirs alone", async () => {
    const s = await scene();
    cpSync(s.newTree, path.join(s.tx, 'staged'), { recursive: true });
    const plan = await planRecovery(s.repo.liveRoot, s.tx);
    expect(plan).toMatchObject({ action: 'leave', slug: null, reason: 'not a cairn transaction (no cairn-tx marker, no journal); left for inspection', steps: [] });
    const report = await recover(s.repo.liveRoot);
    expect(report.plans.map((p) => p.action)).toEqual(['leave']);
    expect(await snapshotId(path.join(s.tx, 'staged'))).toBe(s.newId);
    expect(existsSync(path.join(s.repo.liveRoot, '__transactions__', '.lock'))).toBe(false);
  });

  it('discards a journaled transaction whose live tree was not moved yet', async () => {
    const s = await scene();
    await prepared(s);
    expect(await planRecovery(s.repo.liveRoot, s.tx)).toMatchObject({
      action: 'discard',
      reason: 'journal not committed; the live migration was not replaced (live is the old snapshot)',
    });
    await recover(s.repo.liveRoot);
    expect(await snapshotId(s.live)).toBe(s.oldId);
    expect(existsSync(s.tx)).toBe(false);
  });

  it('restores rollback/ when the crash came between the renames', async () => {
    const s = await scene();
    await prepared(s);
    renameSync(s.live, path.join(s.tx, 'rollback'));
    const plan = await planRecovery(s.repo.liveRoot, s.tx);
    expect(plan).toMatchObject({
      action: 'roll-back',
      reason: 'journal not committed; interrupted between the renames; restoring the old snapshot from rollback/',
      steps: [`rename ${path.join(s.tx, 'rollback')} to ${s.live}`, `remove ${s.tx}`],
    });
    const recorder = new MemoryRecorder();
    await recover(s.repo.liveRoot, { recorder });
    expect(await snapshotId(s.live)).toBe(s.oldId);
    expect(existsSync(path.join(s.repo.liveRoot, '__transactions__'))).toBe(false);
    expect(recorder.events.map((event) => [event.kind, event.slug, event.details['action']])).toEqual([['recovery', 'alpha', 'roll-back']]);
  });

  it('rolls an installed but uncommitted tree back to the old one', async () => {
    const s = await scene();
    await prepared(s);
    renameSync(s.live, path.join(s.tx, 'rollback'));
    renameSync(path.join(s.tx, 'staged'), s.live);
    expect(await snapshotId(s.live)).toBe(s.newId);
    const plan = await planRecovery(s.repo.liveRoot, s.tx);
    expect(plan).toMatchObject({
      action: 'roll-back',
      reason: 'journal not committed; live is the new snapshot; restoring the old snapshot from rollback/',
      steps: [`move ${s.live} to ${path.join(s.tx, 'failed')}`, `rename ${path.join(s.tx, 'rollback')} to ${s.live}`, `remove ${s.tx}`],
    });
    await recover(s.repo.liveRoot);
    expect(await snapshotId(s.live)).toBe(s.oldId);
    expect(existsSync(path.join(s.repo.liveRoot, '__transactions__'))).toBe(false);
  });

  it('rolls a committed transaction forward, keeping the new tree', async () => {
    const s = await scene();
    await prepared(s, { phase: 'committed' });
    renameSync(s.live, path.join(s.tx, 'rollback'));
    renameSync(path.join(s.tx, 'staged'), s.live);
    expect(await planRecovery(s.repo.liveRoot, s.tx)).toMatchObject({
      action: 'roll-forward',
      journalPhase: 'committed',
      reason: 'journal committed; live is the new snapshot; removing the transaction leftovers',
    });
    await recover(s.repo.liveRoot);
    expect(await snapshotId(s.live)).toBe(s.newId);
    expect(existsSync(path.join(s.repo.liveRoot, '__transactions__'))).toBe(false);
  });

  it('removes an uncommitted new migration', async () => {
    const s = await scene();
    const missing = await snapshotId(path.join(s.repo.liveRoot, 'nope'));
    await prepared(s, { old_exists: false, old_snapshot_id: missing, base_snapshot_id: missing });
    renameSync(s.live, path.join(s.repo.workRoot, 'elsewhere'));
    renameSync(path.join(s.tx, 'staged'), s.live);
    expect(await planRecovery(s.repo.liveRoot, s.tx)).toMatchObject({ action: 'roll-back', reason: 'journal not committed; removing the uncommitted new migration' });
    await recover(s.repo.liveRoot);
    expect(existsSync(s.live)).toBe(false);
    expect(existsSync(path.join(s.repo.liveRoot, '__transactions__'))).toBe(false);
  });

  it('leaves a transaction whose rollback/ does not match the journal', async () => {
    const s = await scene();
    await prepared(s);
    renameSync(s.live, path.join(s.tx, 'rollback'));
    writeFileSync(path.join(s.tx, 'rollback', 'tampered.md'), 'x');
    expect(await planRecovery(s.repo.liveRoot, s.tx)).toMatchObject({
      action: 'leave',
      slug: 'alpha',
      reason: "journal not committed, but rollback/ does not match the journal's old snapshot; left for inspection",
    });
  });

  it('acts safely on a damaged journal: restores a missing live tree, else keeps live', async () => {
    const s = await scene();
    await prepared(s);
    const journalFile = path.join(s.tx, 'journal.json');
    writeFileSync(journalFile, readFileSync(journalFile, 'utf8').replace('"phase": "prepared"', '"phase": "committed"'));
    expect(await readJournal(s.tx)).toEqual({ status: 'invalid', reason: 'journal checksum does not match its body' });
    expect(await planRecovery(s.repo.liveRoot, s.tx)).toMatchObject({
      action: 'discard',
      reason: 'journal checksum does not match its body; the live migration is a whole snapshot and is kept as it is',
    });
    renameSync(s.live, path.join(s.tx, 'rollback'));
    expect(await planRecovery(s.repo.liveRoot, s.tx)).toMatchObject({
      action: 'roll-back',
      reason: 'journal checksum does not match its body; the live migration is missing, restoring rollback/',
    });
    await recover(s.repo.liveRoot);
    expect(await snapshotId(s.live)).toBe(s.oldId);
  });

  it('dry run plans without locking or changing anything and reports a stale lock', async () => {
    const s = await scene();
    await prepared(s);
    renameSync(s.live, path.join(s.tx, 'rollback'));
    const lockDir = path.join(s.repo.liveRoot, '__transactions__', '.lock');
    mkdirSync(lockDir);
    writeFileSync(
      path.join(lockDir, 'owner.json'),
      `${JSON.stringify({ created_at: 'x', hostname: os.hostname(), lock_id: 'L', operation: 'o', pid: 2 ** 22 + 17 })}\n`,
    );
    const tomb = path.join(s.repo.liveRoot, '__transactions__', '.lock.tomb-00ff');
    mkdirSync(tomb);
    expect(await planRecovery(s.repo.liveRoot, tomb)).toMatchObject({ action: 'discard', reason: 'leftover of a released or reclaimed publish lock' });
    const report = await recover(s.repo.liveRoot, { dryRun: true });
    expect(report.plans.map((p) => p.action)).toEqual(['roll-back']);
    expect(report.tombstones).toEqual([tomb]);
    expect(report.lock).toMatchObject({ lockId: 'L', stale: true, reason: `holder pid ${2 ** 22 + 17} is no longer running on this host` });
    expect(existsSync(s.live)).toBe(false);
    expect(existsSync(tomb)).toBe(true);
    const done = await recover(s.repo.liveRoot);
    expect(done.reclaimedLocks.map((lock) => lock.owner?.lock_id)).toEqual(['L']);
    expect(done.tombstones).toEqual([tomb]);
    expect(await snapshotId(s.live)).toBe(s.oldId);
    expect(existsSync(path.join(s.repo.liveRoot, '__transactions__'))).toBe(false);
  });
});

describe('a hostile __transactions__', () => {
  it('recover and publish refuse a __transactions__ symlinked out of the live root; nothing is created or deleted there', async () => {
    const repo = publishRepo();
    const outside = path.join(path.dirname(repo.repoRoot), `outside-${path.basename(repo.repoRoot)}`);
    mkdirSync(path.join(outside, 'empty'), { recursive: true });
    mkdirSync(path.join(outside, '.lock.tomb-0123'), { recursive: true });
    writeFileSync(path.join(outside, '.lock.tomb-0123', 'keep'), 'keep\n');
    mkdirSync(repo.liveRoot, { recursive: true });
    symlinkSync(outside, path.join(repo.liveRoot, '__transactions__'));
    const listing = () => readdirSync(outside, { recursive: true }).map(String).sort();
    const before = listing();
    try {
      const message = `Refusing to use the publish transactions directory: \`__transactions__\` is a symbolic link to ${outside}, outside the repository.`;
      await expect(recover(repo.liveRoot)).rejects.toMatchObject({ code: 'unsafe-path', exitCode: 2, message });
      await expect(recover(repo.liveRoot, { dryRun: true })).rejects.toMatchObject({ code: 'unsafe-path', message });
      const seed = workspaceFor(repo, 'alpha', 'seed', false);
      await seedWorkspace(repo, seed, 'alpha');
      await expect(
        publish({ repoRoot: repo.repoRoot, liveRoot: repo.liveRoot, slug: 'alpha', workspaceDir: seed, baseSnapshotId: await snapshotId(path.join(repo.liveRoot, 'alpha')), validator: publishValidator('planning-snapshot') }),
      ).rejects.toMatchObject({ code: 'unsafe-path', message });
      expect(listing()).toEqual(before);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('leaves a transaction whose staged/ or rollback/ is a symlink for inspection', async () => {
    const s = await scene();
    await writeTransactionMarker(s.tx, { slug: 'alpha', operation: 'test.publish' });
    symlinkSync(s.newTree, path.join(s.tx, 'rollback'));
    await writeJournal(s.tx, s.journal);
    expect(await planRecovery(s.repo.liveRoot, s.tx)).toMatchObject({
      action: 'leave',
      reason: 'rollback/ is a symbolic link, not a directory cairn wrote; left for inspection',
      steps: [],
    });
    await recover(s.repo.liveRoot);
    expect(await snapshotId(s.live)).toBe(s.oldId);
    expect(existsSync(path.join(s.newTree, 'manifest.json'))).toBe(true);
  });
});
