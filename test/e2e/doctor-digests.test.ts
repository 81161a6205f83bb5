import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LATEST_STORE_VERSION, RACY_WINDOW_MS, STORE_MIGRATIONS, openStore } from '../../src/store/index.js';
import { runCli, type CliResult } from '../support/cli.js';
import { DONE, READY } from '../support/fixture.js';
import { fixtureRepo } from '../support/repo.js';
import { holdStoreLock, releaseStoreLocks } from '../support/store-lock.js';
import { tempDir } from '../support/tmp.js';

/*
 * `cairn index` records the digests of the stage outputs `.planning/sums`
 * names; doctor takes a record a fresh lstat still vouches for instead of
 * reading the file, prints exactly what it prints without a store, and never
 * writes the store. That a file was not read is seen from the outside: a
 * module preloaded into the CLI process (NODE_OPTIONS=--import) counts every
 * open of a stage output and writes the list when the process exits.
 */

const UTC = { TZ: 'UTC' };
const FORMATS = ['tsv', 'json', 'text', 'sarif'];

const COUNTER = `
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { isMainThread } from 'node:worker_threads';
const original = fs.openSync;
// Every thread (worker threads run this too) appends what it opens as it opens it.
fs.openSync = function (file, ...rest) {
  if (typeof file === 'string' && file.includes('/.planning/stages/')) fs.appendFileSync(process.env.OPENED_FILE, file + '\\n');
  return original.call(this, file, ...rest);
};
syncBuiltinESMExports();
if (isMainThread) fs.appendFileSync(process.env.OPENED_FILE, '');
`;

afterEach(releaseStoreLocks);

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `cairn doctor` with the open counter; returns the result and the stage outputs it opened. */
function doctor(repo: string, args: string[]): CliResult & { opened: string[] } {
  const dir = tempDir();
  const counter = path.join(dir, 'count-opens.mjs');
  writeFileSync(counter, COUNTER);
  const openedFile = path.join(dir, 'opened');
  const result = runCli(['doctor', ...args], { cwd: repo, env: { ...UTC, NODE_OPTIONS: `--import ${counter}`, OPENED_FILE: openedFile } });
  let text: string;
  try {
    text = readFileSync(openedFile, 'utf8');
  } catch (error) {
    throw new Error(`no list of opened files: ${JSON.stringify(result)}`, { cause: error });
  }
  return { ...result, opened: text.split('\n').filter((line) => line !== '') };
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** The fixture with a `.planning/sums` naming every stage output of `slug`; returns the stage files. */
function withSums(repo: string, slug: string): string[] {
  const dir = path.join(repo, 'migrations', slug);
  const names = readdirSync(path.join(dir, '.planning', 'stages')).sort();
  writeFileSync(path.join(dir, '.planning', 'sums'), names.map((name) => `${sha256(path.join(dir, '.planning', 'stages', name))}  .planning/stages/${name}\n`).join(''));
  return names.map((name) => path.join(dir, '.planning', 'stages', name));
}

interface IndexJson {
  list: { migrations: number; refreshed: number };
  digests: { recorded: number; racy: number; fresh: number; removed: number; skipped: Record<string, number> };
}

function index(repo: string): IndexJson {
  const result = runCli(['index', '--format', 'json'], { cwd: repo });
  expect([result.code, result.stderr]).toEqual([0, '']);
  return JSON.parse(result.stdout) as IndexJson;
}

/** What doctor prints for every format with no store at all. */
function withoutStore(repo: string, args: string[][]): CliResult[] {
  const storePath = path.join(repo, '.planning', 'cairn.db');
  const aside = `${storePath}.aside`;
  renameSync(storePath, aside);
  try {
    return args.map((a) => runCli(['doctor', ...a], { cwd: repo, env: UTC }));
  } finally {
    renameSync(aside, storePath);
  }
}

const outcome = (result: CliResult) => [result.code, result.stdout, result.stderr];

describe('cairn index and doctor', () => {
  it('doctor skips the files cairn index verified, prints the same bytes as without a store and leaves the store untouched', async () => {
    const repo = fixtureRepo();
    const files = [...withSums(repo, DONE), ...withSums(repo, READY)];
    await wait(RACY_WINDOW_MS + 100);

    const first = index(repo);
    expect(first.list).toEqual({ migrations: 40, refreshed: 40 });
    expect(first.digests).toEqual({
      recorded: files.length,
      racy: 0,
      fresh: 0,
      removed: 0,
      skipped: { sums_unreadable: 0, outside: 0, missing: 0, symlink: 0, not_regular: 0, unreadable: 0 },
    });
    const text = runCli(['index'], { cwd: repo });
    expect([text.code, text.stderr]).toEqual([0, '']);
    expect(text.stdout).toBe('List index: 40 migrations, 0 refreshed.\nStage output digests: 0 recorded, 14 already fresh, 0 removed.\n');

    const storeDir = path.join(repo, '.planning');
    const storePath = path.join(storeDir, 'cairn.db');
    const storeBytes = readFileSync(storePath);
    const storeMtime = statSync(storePath).mtimeMs;
    const storeFiles = readdirSync(storeDir).sort();
    expect(storeFiles).not.toContain('cairn.db-wal');

    // With --jobs 3 the migrations are checked on worker threads too, each with its own reader.
    const runs = [...FORMATS.map((format) => ['--all', '--format', format]), ['--all', '--format', 'tsv', '--jobs', '3'], [DONE, '--format', 'json']];
    const expected = withoutStore(repo, runs);
    for (const [i, args] of runs.entries()) {
      const run = doctor(repo, args);
      expect(outcome(run)).toEqual(outcome(expected[i] as CliResult));
      expect(run.opened).toEqual([]);
    }
    // Doctor never writes the store: same bytes, same mtime, no -wal or -shm.
    expect(readFileSync(storePath).equals(storeBytes)).toBe(true);
    expect(statSync(storePath).mtimeMs).toBe(storeMtime);
    expect(readdirSync(storeDir).sort()).toEqual(storeFiles);
    // Without records, the counter sees doctor read them.
    rmSync(storePath);
    expect(doctor(repo, [DONE, '--format', 'json']).opened.sort()).toEqual(files.filter((file) => file.includes(DONE)).sort());
    expect(doctor(repo, ['--all', '--format', 'tsv', '--jobs', '3']).opened.sort()).toEqual([...files].sort());
  });

  it('hashes again what changed since the record, so the findings are those of a run without a store', async () => {
    const repo = fixtureRepo();
    const [sameSize, renamed, deleted, racy] = withSums(repo, DONE) as [string, string, string, string];
    // A whole second, so that utimes can put it back exactly.
    const mtime = 1_700_000_000;
    utimesSync(sameSize, mtime, mtime);
    await wait(RACY_WINDOW_MS + 100);
    index(repo);

    // Same size, different bytes, mtime put back: only the ctime says it changed.
    const before = statSync(sameSize, { bigint: true });
    const bytes = readFileSync(sameSize);
    bytes[0] = bytes[0] === 0x41 ? 0x42 : 0x41;
    writeFileSync(sameSize, bytes);
    utimesSync(sameSize, mtime, mtime);
    const after = statSync(sameSize, { bigint: true });
    expect([after.mtimeNs, after.size, after.ino]).toEqual([before.mtimeNs, before.size, before.ino]);
    // Same bytes through a new inode.
    writeFileSync(`${renamed}.new`, readFileSync(renamed));
    renameSync(`${renamed}.new`, renamed);
    rmSync(deleted);

    const args = ['--all', '--format', 'tsv'];
    const [expected] = withoutStore(repo, [args]) as [CliResult];
    expect(expected.stdout).toContain(`stage-output-modified\t${sameSize}\tStage output '.planning/stages/${path.basename(sameSize)}' no longer matches`);
    expect(expected.stdout).toContain(`stage-output-modified\t${deleted}\tStage output '.planning/stages/${path.basename(deleted)}' recorded in .planning/sums is missing.`);
    const run = doctor(repo, args);
    expect(outcome(run)).toEqual(outcome(expected));
    expect(run.opened.sort()).toEqual([sameSize, renamed].sort());

    // A record taken within the racy window of a change is not trusted.
    await wait(RACY_WINDOW_MS + 100);
    const racyBytes = readFileSync(racy);
    writeFileSync(racy, racyBytes);
    const recorded = index(repo);
    expect(recorded.digests).toMatchObject({ recorded: 3, racy: 1, fresh: 3, removed: 1 });
    expect(recorded.digests.skipped.missing).toBe(1);
    const racyRun = doctor(repo, args);
    expect(outcome(racyRun)).toEqual(outcome(expected));
    // The same-size file is read again: its record holds, but for other bytes than the sums file's.
    expect(racyRun.opened.sort()).toEqual([sameSize, racy].sort());
  });

  it('hashes everything when another process holds the store locked, with the same output and exit code', async () => {
    const repo = fixtureRepo();
    withSums(repo, DONE);
    await wait(RACY_WINDOW_MS + 100);
    index(repo);
    const storePath = path.join(repo, '.planning', 'cairn.db');
    const args = ['--all', '--format', 'tsv'];
    const [expected] = withoutStore(repo, [args]) as [CliResult];
    await holdStoreLock(storePath, 'exclusive');
    const locked = runCli(['doctor', ...args], { cwd: repo, env: UTC, timeoutMs: 30_000 });
    expect(outcome(locked)).toEqual(outcome(expected));
  });

  it('upgrades a store of the previous schema version and records into it', () => {
    const repo = fixtureRepo();
    withSums(repo, DONE);
    const storePath = path.join(repo, '.planning', 'cairn.db');
    const old = openStore(storePath, { migrations: STORE_MIGRATIONS.slice(0, LATEST_STORE_VERSION - 1) });
    old.recordEvent({ kind: 'publish.published', slug: DONE, details: {} });
    old.close();
    const result = index(repo);
    expect(result.digests.recorded).toBe(7);
    const store = openStore(storePath, { readonly: true });
    expect(store.schemaVersion).toBe(LATEST_STORE_VERSION);
    expect(store.listEvents().map((event) => event.kind)).toEqual(['publish.published']);
    expect([...store.lookupOutputDigestsLazy(path.join(repo, 'migrations')).files()]).toHaveLength(7);
    store.close();
  });
});
