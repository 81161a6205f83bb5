import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, RACY_WINDOW_MS } from '../../src/store/index.js';
import { runCli } from '../support/cli.js';
import { CR_V1, expectedWithRepo } from '../support/fixture.js';
import { fixtureRepo } from '../support/repo.js';
import { holdStoreLock, releaseStoreLocks } from '../support/store-lock.js';

/*
 * The store is a cache for `list`: served from it or not, the bytes printed
 * are those of a full scan. Another process holding its SQLite lock must not
 * fail the listing nor make it wait out the 5 s busy timeout; the lock is
 * held by a real second process through better-sqlite3.
 */

afterEach(releaseStoreLocks);

describe('cairn list through the index', () => {
  it('prints the same bytes cold (no store), warm (every row from the index) and with --no-index, in every format', async () => {
    const repo = fixtureRepo();
    const storePath = path.join(repo, '.planning', 'cairn.db');
    const expected = expectedWithRepo(readFileSync(path.join(CR_V1, 'expected-list.tsv'), 'utf8'), repo);
    // Entries are trusted only for files older than the racy window.
    await new Promise((resolve) => setTimeout(resolve, RACY_WINDOW_MS + 100));
    for (const format of ['tsv', 'json', 'text']) {
      const scan = runCli(['list', '--format', format, '--no-index'], { cwd: repo });
      for (const suffix of ['', '-wal', '-shm']) rmSync(storePath + suffix, { force: true });
      const cold = runCli(['list', '--format', format], { cwd: repo });
      const warm = runCli(['list', '--format', format], { cwd: repo });
      for (const result of [scan, cold, warm]) expect([result.code, result.stderr]).toEqual([0, '']);
      expect(cold.stdout).toBe(scan.stdout);
      expect(warm.stdout).toBe(scan.stdout);
      if (format === 'tsv') expect(scan.stdout).toBe(expected);
    }
    const store = openStore(storePath, { readonly: true });
    // Every row is indexed, the merge-conflicted one too.
    expect([...store.lookupIndexMany(path.join(repo, 'migrations')).keys()].sort()).toEqual(
      readdirSync(path.join(repo, 'migrations'))
        .filter((name) => !name.startsWith('__'))
        .sort(),
    );
    store.close();
  });

  it('sees conflict markers appear in, and leave, the state file of a ready migration it has indexed', async () => {
    const repo = fixtureRepo();
    const slug = 'src-cli-tasks-ts-20260402T140633';
    const stateFile = path.join(repo, 'migrations', slug, '.planning', 'state.json');
    const original = readFileSync(stateFile, 'utf8');
    await new Promise((resolve) => setTimeout(resolve, RACY_WINDOW_MS + 100));
    const rowOf = (stdout: string) => (JSON.parse(stdout) as { migrations: { slug: string; status: string }[] }).migrations.find((row) => row.slug === slug);
    const indexed = runCli(['list', '--format', 'json'], { cwd: repo });
    expect(rowOf(indexed.stdout)?.status).toBe('ready');

    writeFileSync(stateFile, `<<<<<<< ours\n${original}=======\n${original}>>>>>>> theirs\n`);
    const conflicted = runCli(['list', '--format', 'json'], { cwd: repo });
    expect(rowOf(conflicted.stdout)?.status).toBe('merge-conflict');
    expect(conflicted.stdout).toBe(runCli(['list', '--format', 'json', '--no-index'], { cwd: repo }).stdout);

    writeFileSync(stateFile, original);
    const resolved = runCli(['list', '--format', 'json'], { cwd: repo });
    expect(rowOf(resolved.stdout)?.status).toBe('ready');
    expect(resolved.stdout).toBe(runCli(['list', '--format', 'json', '--no-index'], { cwd: repo }).stdout);
  });
});

describe('cairn list with a damaged store', () => {
  it('lists by a full scan when the index pages cannot be read, and says so on stderr', () => {
    const repo = fixtureRepo();
    const storePath = path.join(repo, '.planning', 'cairn.db');
    const expected = expectedWithRepo(readFileSync(path.join(CR_V1, 'expected-list.tsv'), 'utf8'), repo);
    expect(runCli(['list', '--format', 'tsv'], { cwd: repo }).stdout).toBe(expected);
    for (const suffix of ['-wal', '-shm']) rmSync(storePath + suffix, { force: true });
    // Every page but the first (header and schema) becomes garbage.
    const bytes = readFileSync(storePath);
    const pageSize = bytes.readUInt16BE(16);
    bytes.fill(0xa5, pageSize);
    writeFileSync(storePath, bytes);
    const listed = runCli(['list', '--format', 'tsv'], { cwd: repo });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toBe(expected);
    expect(listed.stderr).toMatch(/^Warning: the (list index could not be read|local store could not be opened) \(.*\); listing by a full scan\.\n$/);
  });
});

describe('cairn list with the store locked by another process', () => {
  it('falls back to a full scan, says so on stderr and prints exactly the full-scan answer', async () => {
    const repo = fixtureRepo();
    const storePath = path.join(repo, '.planning', 'cairn.db');
    const expected = expectedWithRepo(readFileSync(path.join(CR_V1, 'expected-list.tsv'), 'utf8'), repo);
    const first = runCli(['list', '--format', 'tsv'], { cwd: repo });
    expect(first.stderr).toBe('');
    expect(first.stdout).toBe(expected);

    // A manifest rewritten (same row) is recomputed, so this list must write the index.
    const manifest = path.join(repo, 'migrations', 'src-exports-queue-rb-20260402T081851', 'manifest.json');
    writeFileSync(manifest, `${readFileSync(manifest, 'utf8')}\n`);
    await holdStoreLock(storePath, 'write');
    const writeLocked = runCli(['list', '--format', 'tsv'], { cwd: repo });
    expect(writeLocked.code).toBe(0);
    expect(writeLocked.stdout).toBe(expected);
    expect(writeLocked.stderr).toMatch(
      /^Warning: the list index could not be updated \(The local store .*cairn\.db stayed locked by another process while writing the list index \(SQLITE_BUSY\)\.\); the next list scans again\.\n$/,
    );
    releaseStoreLocks();

    await new Promise((resolve) => setTimeout(resolve, 200));
    await holdStoreLock(storePath, 'exclusive');
    const readLocked = runCli(['list', '--format', 'tsv'], { cwd: repo });
    expect(readLocked.code).toBe(0);
    expect(readLocked.stdout).toBe(expected);
    expect(readLocked.stderr).toMatch(/^Warning: the local store could not be opened \(.*SQLITE_BUSY.*\); listing by a full scan\.\n$/);
  });
});
