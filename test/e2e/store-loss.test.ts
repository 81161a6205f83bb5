import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { snapshotId } from '../../src/fs/index.js';
import { encodePublishedRecord } from '../../src/publish/published-record.js';
import { openStore, storePathFor } from '../../src/store/index.js';
import { fakeAgentBin } from '../support/agents.js';
import { REPO_ROOT } from '../support/cli.js';
import { git } from '../support/git.js';
import { emptyRepo, planRepoAt, SLUG, stateOf, TARGET, type PlanRepo } from '../support/plan-repo.js';
import { waitFor } from '../support/wait.js';
import { gitStatus } from './support.js';

/*
 * The store (.planning/cairn.db) is a cache. Losing it must not make cairn
 * mistake its own published-but-uncommitted step for a human edit: the
 * published-snapshot record (.planning/work/.published/<slug>.json) says
 * which snapshot cairn installed. A real edit is still refused, with a hint
 * that never suggests discarding anything.
 */

const AGENT = ['--agent', 'command', '--agent-cmd', 'fake-agent'];
const RECORD = path.join('.planning', 'work', '.published', `${SLUG}.json`);
const DIRTY_REASON = "Error: The migration directory has uncommitted changes that are not cairn's last publish:";
const DIRTY_HINT =
  'Hint: The files listed under migrations/alpha are not committed, and the directory is not the snapshot cairn last published there, ' +
  'so cairn will not build on it. Commit them (`git add -- migrations/alpha && git commit`) and run the command again, ' +
  'or run `cairn doctor alpha` to inspect the directory first.';
/** What `git status` lists after the first step and a hand edit: cairn's uncommitted step, then the edit. */
const STEP_AND_EDIT = [
  'migrations/alpha/.planning/state.json',
  'migrations/alpha/manifest.json',
  'migrations/alpha/.planning/stages/',
  'migrations/alpha/.planning/sums',
  'migrations/alpha/approaches/',
  'migrations/alpha/notes.md',
];

function refusal(paths: string[]): string {
  return `${DIRTY_REASON}\n${paths.map((entry) => `  ${entry}\n`).join('')}${DIRTY_HINT}\n`;
}

/** A committed migration `alpha`, then its first planning step accepted and published without --commit. */
function repoWithUncommittedStep(env?: Record<string, string>): PlanRepo {
  const p = planRepoAt(emptyRepo(), fakeAgentBin());
  expect(p.cli(['new', SLUG, '--target', TARGET, '--commit']).code).toBe(0);
  const step = p.cli(['plan', SLUG, ...AGENT], env);
  expect(step.stderr).not.toContain('dirty');
  expect(step.code).toBe(0);
  expect(stateOf(p).next_step).toBe('pick-best');
  expect(gitStatus(p)).toContain(' migrations/alpha/');
  return p;
}

async function expectRecordNamesLiveTree(p: PlanRepo): Promise<void> {
  expect(JSON.parse(readFileSync(path.join(p.repo, RECORD), 'utf8'))).toEqual({
    live_dir: 'migrations/alpha',
    snapshot_id: await snapshotId(p.dir),
    version: 1,
  });
}

/** The next step runs on cairn's own uncommitted step; a hand edit on top of it is refused, with a hint that names commit and doctor. */
function expectNextStepThenRefusal(p: PlanRepo): void {
  const next = p.cli(['plan', SLUG, ...AGENT]);
  expect(next.stderr).not.toContain('dirty');
  expect(next.code).toBe(0);
  expect(stateOf(p).next_step).toBe('expand');

  writeFileSync(path.join(p.dir, 'notes.md'), 'a hand edit\n');
  const refused = p.cli(['plan', SLUG, ...AGENT]);
  expect(refused.code).toBe(1);
  expect(refused.stdout).toBe('');
  expect(refused.stderr).toBe(refusal(STEP_AND_EDIT));
  expect(refused.stderr.toLowerCase()).not.toContain('discard');
  expect(stateOf(p).next_step).toBe('expand');
}

function storeFiles(p: PlanRepo): string[] {
  return readdirSync(path.join(p.repo, '.planning'))
    .filter((name) => name.startsWith('cairn.db'))
    .sort();
}

describe('cairn recognises its own publish after the store is lost', () => {
  it('store deleted: the next step proceeds; a hand edit is still refused', async () => {
    const p = repoWithUncommittedStep();
    await expectRecordNamesLiveTree(p);
    for (const name of storeFiles(p)) rmSync(path.join(p.repo, '.planning', name));
    expect(storeFiles(p)).toEqual([]);
    expectNextStepThenRefusal(p);
  });

  it('store damaged and moved aside: the next step proceeds; a hand edit is still refused', async () => {
    const p = repoWithUncommittedStep();
    await expectRecordNamesLiveTree(p);
    for (const name of storeFiles(p)) rmSync(path.join(p.repo, '.planning', name));
    writeFileSync(storePathFor(p.repo), Buffer.from(Array.from({ length: 16384 }, (_, i) => (i * 7919 + 13) % 251)));
    const next = p.cli(['plan', SLUG, ...AGENT]);
    expect(next.stderr).toMatch(/Warning: the local store was damaged \(.+\); it was moved to .+cairn\.db\.corrupt-\d{8}T\d{6} and a new one was created\./);
    expect(next.stderr).not.toContain('dirty');
    expect(next.code).toBe(0);
    expect(stateOf(p).next_step).toBe('expand');
    expect(storeFiles(p).some((name) => /^cairn\.db\.corrupt-/.test(name))).toBe(true);

    writeFileSync(path.join(p.dir, 'notes.md'), 'a hand edit\n');
    const refused = p.cli(['plan', SLUG, ...AGENT]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(refusal(STEP_AND_EDIT));
    expect(stateOf(p).next_step).toBe('expand');
  });

  describe('store locked while the step is published', () => {
    let locker: ChildProcess | null = null;
    afterEach(() => {
      locker?.kill('SIGKILL');
      locker = null;
    });

    it('the next step proceeds once the lock is gone; a hand edit is still refused', async () => {
      const p = planRepoAt(emptyRepo(), fakeAgentBin());
      expect(p.cli(['new', SLUG, '--target', TARGET, '--commit']).code).toBe(0);
      const dbPath = storePathFor(p.repo);
      // Another process holds the store's write lock for the whole step: every store write fails after its busy timeout.
      const script =
        "const Database = require('better-sqlite3'); const db = new Database(process.argv[1]); db.exec('BEGIN IMMEDIATE'); " +
        "db.prepare('CREATE TABLE IF NOT EXISTS held (x)').run(); process.stdout.write('locked\\n'); setInterval(() => {}, 1000);";
      const child = spawn(process.execPath, ['-e', script, dbPath], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
      locker = child;
      let out = '';
      child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
      expect(await waitFor(() => out.includes('locked'), 20_000)).toBe(true);

      const step = p.cli(['plan', SLUG, ...AGENT]);
      expect(step.stderr).toContain('could not record in the store');
      expect(step.stderr).not.toContain('dirty');
      expect(step.code).toBe(0);
      expect(stateOf(p).next_step).toBe('pick-best');
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      locker = null;

      // The store still names the snapshot `new` published; only the record knows the step's.
      const liveId = await snapshotId(p.dir);
      const store = openStore(dbPath, { readonly: true });
      try {
        expect(store.getPublishedSnapshot(p.live, SLUG)?.snapshotId).not.toBe(liveId);
      } finally {
        store.close();
      }
      await expectRecordNamesLiveTree(p);
      expectNextStepThenRefusal(p);
    }, 180_000);
  });

  it('a transaction rolled forward by recover is recorded too', async () => {
    const p = planRepoAt(emptyRepo(), fakeAgentBin());
    expect(p.cli(['new', SLUG, '--target', TARGET, '--commit']).code).toBe(0);
    const created = readFileSync(path.join(p.repo, RECORD), 'utf8');
    const crashed = p.cli(['plan', SLUG, ...AGENT], { CAIRN_TEST_CRASH_AT: 'journal-committed' });
    expect(crashed.code).toBeNull();
    // Killed at the commit point: the record still names what `new` published.
    expect(readFileSync(path.join(p.repo, RECORD), 'utf8')).toBe(created);
    expect(JSON.parse(created).snapshot_id).not.toBe(await snapshotId(p.dir));
    const recovered = p.cli(['recover', '--format', 'json']);
    expect(recovered.code).toBe(0);
    expect(JSON.parse(recovered.stdout).transactions.map((plan: { action: string }) => plan.action)).toEqual(['roll-forward']);
    await expectRecordNamesLiveTree(p);
    for (const name of storeFiles(p)) rmSync(path.join(p.repo, '.planning', name));
    expect(stateOf(p).next_step).toBe('pick-best');
    expectNextStepThenRefusal(p);
  });

  it('the record stays out of git status', () => {
    const p = repoWithUncommittedStep();
    expect(existsSync(path.join(p.repo, RECORD))).toBe(true);
    expect(gitStatus(p)).not.toContain('.planning/work');
  });
});

describe('a record cairn did not write here is not trusted', () => {
  /** A committed migration with a hand edit, and a record naming exactly that edited tree. */
  async function editedWithForgedRecord(): Promise<{ p: PlanRepo; record: string }> {
    const p = planRepoAt(emptyRepo(), fakeAgentBin());
    expect(p.cli(['new', SLUG, '--target', TARGET, '--commit']).code).toBe(0);
    writeFileSync(path.join(p.dir, 'notes.md'), 'a hand edit\n');
    const record = encodePublishedRecord({ liveDir: 'migrations/alpha', snapshotId: await snapshotId(p.dir) });
    return { p, record };
  }

  function expectRefused(p: PlanRepo): void {
    const refused = p.cli(['plan', SLUG, ...AGENT]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(refusal(['migrations/alpha/notes.md']));
    expect(stateOf(p).next_step).toBe('approaches');
  }

  it('a record committed to the repository is ignored', async () => {
    const { p, record } = await editedWithForgedRecord();
    for (const name of storeFiles(p)) rmSync(path.join(p.repo, '.planning', name));
    mkdirSync(path.dirname(path.join(p.repo, RECORD)), { recursive: true });
    writeFileSync(path.join(p.repo, RECORD), record);
    git(p.repo, ['add', '--force', '--', RECORD]);
    git(p.repo, ['commit', '--quiet', '-m', 'a record from the repository']);
    expectRefused(p);
  });

  it('a record reached through a symlinked directory is ignored', async () => {
    const { p, record } = await editedWithForgedRecord();
    for (const name of storeFiles(p)) rmSync(path.join(p.repo, '.planning', name));
    const elsewhere = path.join(p.repo, 'elsewhere');
    mkdirSync(elsewhere);
    writeFileSync(path.join(elsewhere, `${SLUG}.json`), record);
    rmSync(path.join(p.repo, '.planning', 'work', '.published'), { recursive: true, force: true });
    symlinkSync(elsewhere, path.join(p.repo, '.planning', 'work', '.published'));
    expectRefused(p);
  });
});

describe('control: the same record, untracked and in place, is what lets the step through', () => {
  it('accepts a tree whose snapshot the record names', async () => {
    const p = planRepoAt(emptyRepo(), fakeAgentBin());
    expect(p.cli(['new', SLUG, '--target', TARGET, '--commit']).code).toBe(0);
    writeFileSync(path.join(p.dir, 'notes.md'), 'a hand edit\n');
    for (const name of readdirSync(path.join(p.repo, '.planning')).filter((n) => n.startsWith('cairn.db'))) {
      rmSync(path.join(p.repo, '.planning', name));
    }
    mkdirSync(path.dirname(path.join(p.repo, RECORD)), { recursive: true });
    writeFileSync(path.join(p.repo, RECORD), encodePublishedRecord({ liveDir: 'migrations/alpha', snapshotId: await snapshotId(p.dir) }));
    const step = p.cli(['plan', SLUG, ...AGENT]);
    expect(step.stderr).not.toContain('dirty');
    expect(step.code).toBe(0);
  });
});
