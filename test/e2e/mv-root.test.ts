import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MoveOutputSchema } from '../../src/outputs/move.js';
import { acquireRunLease } from '../../src/planning/run-lease.js';
import { acquirePublishLock } from '../../src/publish/lock.js';
import { recordMovedRoot } from '../../src/publish/moved-roots.js';
import { CLI } from '../support/cli.js';
import { copyFixtureMigrations, PLANNING } from '../support/fixture.js';
import { commitAll, git } from '../support/git.js';
import { copyRepo, emptyRepo, planRepoAt, type PlanRepo } from '../support/plan-repo.js';
import { templateDir } from '../support/tmp.js';
import { projectBytes } from '../support/tree.js';

/*
 * `cairn mv --root` through the built CLI, on migrations written by the
 * original tool: the result is byte for byte what moving the root by hand
 * (git mv, the config, every state.json's paths) gives.
 */

const OTHER = 'deduplicate-logging-calls-in-scheduler-20260313T034302';
const CONFIG = path.join('.planning', 'config.json');

let template: PlanRepo;
let byHand: Record<string, string>;

beforeAll(() => {
  const repo = emptyRepo(path.join(templateDir('cairn-mv-root-template-'), 'repo'));
  copyFixtureMigrations(path.join(repo, 'migrations'), [PLANNING, OTHER]);
  commitAll(repo, 'fixture migrations');
  template = planRepoAt(repo);
  const reference = copyRepo(template);
  mkdirSync(path.join(reference.repo, 'plans'));
  git(reference.repo, ['mv', 'migrations', 'plans/live']);
  const config = path.join(reference.repo, CONFIG);
  writeFileSync(config, readFileSync(config, 'utf8').replace('"migrations_dir": "migrations"', '"migrations_dir": "plans/live"'));
  for (const slug of [PLANNING, OTHER]) {
    const state = path.join(reference.repo, 'plans', 'live', slug, '.planning', 'state.json');
    writeFileSync(state, readFileSync(state, 'utf8').replaceAll('"migrations/', '"plans/live/'));
  }
  byHand = projectBytes(reference.repo);
});

function gitStatus(repo: string): string {
  return git(repo, ['status', '--porcelain', '--untracked-files=all']);
}

describe('cairn mv --root', () => {
  it('--dry-run lists every rewrite and the config change, and touches nothing', () => {
    const p = copyRepo(template);
    const before = projectBytes(p.repo);
    const result = p.cli(['mv', '--root', 'plans/live', '--dry-run']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('Dry run: would move the migrations root migrations to plans/live, rewriting:');
    expect(lines).toContain('  .planning/config.json migrations_dir: migrations -> plans/live');
    expect(lines.filter((line) => line.includes('/.planning/state.json ')).length).toBeGreaterThan(1);
    expect(lines.every((line) => !line.includes('state.json') || line.includes(' -> plans/live/'))).toBe(true);
    expect(lines.at(-2)).toBe('Nothing was changed.');
    expect(projectBytes(p.repo)).toEqual(before);
    expect(existsSync(path.join(p.repo, '.planning', 'work'))).toBe(false);
    expect(gitStatus(p.repo)).toBe('');
  });

  it('moves every migration and the config as moving by hand would, with --commit, and the project stays whole', () => {
    const p = copyRepo(template);
    const listBefore = p.cli(['list', '--format', 'json']);
    expect(listBefore.code).toBe(0);
    const result = p.cli(['mv', '--root', 'plans/live/', '--commit', '--format', 'json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const doc = MoveOutputSchema.parse(JSON.parse(result.stdout));
    expect([doc.kind, doc.status, doc.from, doc.to, doc.transaction_dir]).toEqual(['root', 'moved', 'migrations', 'plans/live', null]);
    expect(doc.changes.at(-1)).toEqual({ file: '.planning/config.json', field: 'migrations_dir', from: 'migrations', to: 'plans/live' });
    expect(projectBytes(p.repo)).toEqual(byHand);
    expect(existsSync(path.join(p.repo, 'migrations'))).toBe(false);
    expect(existsSync(path.join(p.repo, '.planning', 'work', 'root-move'))).toBe(false);
    expect(existsSync(path.join(p.repo, '.planning', 'work', 'root-move.json'))).toBe(false);
    expect(gitStatus(p.repo)).toBe('');
    expect(git(p.repo, ['log', '-1', '--format=%s']).trim()).toBe('cairn: migrations root: move migrations to plans/live');
    const kinds = git(p.repo, ['show', '--name-status', '-M', '--format=', 'HEAD'])
      .trim()
      .split('\n')
      .map((line) => (line.startsWith('R') ? (line.split('\t')[2] as string).split('/').slice(0, 2).join('/') : line));
    expect(new Set(kinds)).toEqual(new Set(['M\t.planning/config.json', 'plans/live']));
    const doctor = p.cli(['doctor', '--all']);
    expect([doctor.code, doctor.stdout, doctor.stderr]).toEqual([0, 'No findings; 2 migrations checked.\n', '']);
    const listAfter = p.cli(['list', '--format', 'json']);
    expect(listAfter.code).toBe(0);
    expect(listAfter.stdout.replaceAll('/plans/live', '/migrations').replaceAll('"plans/live/', '"migrations/')).toBe(listBefore.stdout);
    // Moving back works, and the first move's record of the old root does not get in the way.
    const back = p.cli(['mv', '--root', 'migrations', '--commit']);
    expect([back.code, back.stderr]).toEqual([0, '']);
    expect(p.cli(['doctor', '--all']).stdout).toBe('No findings; 2 migrations checked.\n');
    const fresh = p.cli(['new', 'fresh', '--target', 'x']);
    expect([fresh.code, fresh.stderr]).toEqual([0, '']);
    expect(existsSync(path.join(p.repo, 'migrations', 'fresh', 'manifest.json'))).toBe(true);
  });

  it('refuses, with exit 1 and a hint, every move it cannot make whole', () => {
    const p = copyRepo(template);
    mkdirSync(path.join(p.repo, 'taken'));
    writeFileSync(path.join(p.repo, 'taken', 'x'), 'x');
    const before = projectBytes(p.repo);
    const refusal = (args: string[]): string[] => {
      const result = p.cli(['mv', '--root', ...args]);
      expect(result.stdout).toBe('');
      expect(result.stderr.split('\n')[1]).toMatch(/^Hint: /);
      expect(projectBytes(p.repo)).toEqual(before);
      return [String(result.code), result.stderr.split('\n')[0] as string];
    };
    expect(refusal(['taken'])).toEqual(['1', 'Error: Cannot move the migrations root to taken: it already exists and is not an empty directory.']);
    expect(refusal(['migrations/inner'])).toEqual(['1', 'Error: Cannot move the migrations root migrations to migrations/inner: one would be inside the other.']);
    expect(refusal(['../outside'])).toEqual(['1', `Error: Cannot move the migrations root to "../outside": it is outside the repository ${p.repo}.`]);
    expect(refusal(['migrations'])).toEqual(['2', 'Error: The migrations root is already migrations.']);
    expect(refusal(['.git/x'])[0]).toBe('2');
    const state = path.join(p.live, OTHER, '.planning', 'state.json');
    const clean = readFileSync(state, 'utf8');
    writeFileSync(state, `${clean} `);
    before[`migrations/${OTHER}/.planning/state.json`] = `${clean} `;
    const dirty = refusal(['plans']);
    expect(dirty[0]).toBe('1');
    expect(dirty[1]).toContain('it has uncommitted changes');
    git(p.repo, ['checkout', '--', '.']);
    before[`migrations/${OTHER}/.planning/state.json`] = clean;
    const foreign = path.join(p.live, '__transactions__', 'not-cairns');
    mkdirSync(foreign, { recursive: true });
    writeFileSync(path.join(foreign, 'x'), 'x');
    const pending = refusal(['plans']);
    expect(pending).toEqual([
      '1',
      `Error: Cannot move the migrations root: an interrupted transaction is left that recovery cannot finish (${foreign}: not a cairn transaction (no cairn-tx marker, no journal); left for inspection).`,
    ]);
    expect(readFileSync(path.join(foreign, 'x'), 'utf8')).toBe('x');
    expect(existsSync(path.join(p.repo, 'plans'))).toBe(false);
    expect(existsSync(path.join(p.repo, '.planning', 'work', 'root-move'))).toBe(false);
    const usage = p.cli(['mv', '--root', 'plans', PLANNING]);
    expect(usage.code).toBe(2);
  });

  it('refuses while a migration has a live run lease', async () => {
    const p = copyRepo(template);
    const lease = await acquireRunLease(p.repo, PLANNING, { operation: 'plan', step: 'review' });
    try {
      const result = p.cli(['mv', '--root', 'plans']);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`Error: Cannot move the migrations root: ${PLANNING}`);
      expect(existsSync(path.join(p.repo, 'plans'))).toBe(false);
    } finally {
      await lease.release();
    }
  });
});

describe('a publish that waited on the old root while it was moved', () => {
  it('refuses once it has the lock, and neither recreates the old root nor publishes into it', async () => {
    const p = copyRepo(template);
    const held = await acquirePublishLock(p.live, { operation: 'test.hold', timeoutMs: 5000 });
    const waiter = spawn(process.execPath, [CLI, 'new', 'fresh', '--target', 'x', '--lock-timeout', '60000'], { cwd: p.repo, env: p.env() });
    let stderr = '';
    waiter.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => waiter.on('close', (code) => resolve(code)));
    // Once its workspace exists the waiter has read the config (the old root); it seeds, then waits for the lock.
    const workspace = path.join(p.repo, '.planning', 'work', 'fresh');
    for (let i = 0; i < 600 && !existsSync(workspace); i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(existsSync(workspace)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 500));
    // What the root move does while it holds the lock: the new root and config in place, the old root (and the lock in it) gone.
    renameSync(p.live, path.join(p.repo, 'plans'));
    renameSync(path.join(p.repo, 'plans', '__transactions__'), path.join(p.repo, '.planning', 'work', 'old-transactions'));
    const config = path.join(p.repo, '.planning', 'config.json');
    writeFileSync(config, readFileSync(config, 'utf8').replace('"migrations"', '"plans"'));
    await recordMovedRoot(p.repo, 'migrations', 'plans');
    await held.forget();
    expect(await exited).toBe(1);
    expect(stderr).toContain('Error: The migrations root moved to plans; nothing was done in migrations.\n');
    expect(existsSync(p.live)).toBe(false);
    expect(existsSync(path.join(p.repo, 'plans', 'fresh'))).toBe(false);
    const again = p.cli(['new', 'fresh', '--target', 'x']);
    expect([again.code, again.stderr]).toEqual([0, '']);
    expect(existsSync(path.join(p.repo, 'plans', 'fresh', 'manifest.json'))).toBe(true);
  });
});
