import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { AGENT } from '../support/agents.js';
import { runCli, type CliResult } from '../support/cli.js';
import { commitAll, git } from '../support/git.js';
import { SLUG, copyRepo, newPlanRepo, type PlanRepo } from '../support/plan-repo.js';
import { cairnRepo } from '../support/repo.js';
import { tempDir, templateDir } from '../support/tmp.js';

/*
 * Paths a cloned repository can commit where cairn expects its own
 * directories and files. Each attack points INTO a sentinel directory
 * outside the repository; the sentinel is listed before and after and must
 * be unchanged. Every run has a timeout.
 */

const TIMEOUT_MS = 60_000;

/** Every entry under `dir` (directories end in `/`), with file contents, sorted. */
function snapshotDir(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        out.push(`${child}/`);
        walk(child);
      } else {
        out.push(`${child}: ${readFileSync(path.join(dir, child), 'utf8')}`);
      }
    }
  };
  walk('');
  return out.sort();
}

/** A directory outside every repository, holding an empty dir, a lock tombstone look-alike and a file. */
function sentinel(): { dir: string; before: string[] } {
  const dir = path.join(tempDir('cairn-sentinel-'), 'outside');
  mkdirSync(path.join(dir, 'empty'), { recursive: true });
  mkdirSync(path.join(dir, '.lock.tomb-0123456789abcdef'));
  writeFileSync(path.join(dir, '.lock.tomb-0123456789abcdef', 'precious.txt'), 'do not delete\n');
  writeFileSync(path.join(dir, 'notes.txt'), 'mine\n');
  return { dir, before: snapshotDir(dir) };
}

function refusal(what: string, shown: string, target: string, at: string): string {
  return (
    `Error: Refusing to use ${what}: \`${shown}\` is a symbolic link to ${target}, outside the repository.\n` +
    `Hint: cairn reads and writes only regular files and directories inside the repository. Remove or replace ${at} (it may have come from a commit), then run the command again.\n`
  );
}

function run(p: PlanRepo, args: string[]): CliResult {
  return runCli(args, { cwd: p.repo, env: p.env(), timeoutMs: TIMEOUT_MS });
}

let template: PlanRepo;
beforeAll(() => {
  template = newPlanRepo(templateDir());
});

describe('item 1: migrations/__transactions__ committed as a symlink out of the repository', () => {
  it('plan, new, recover and unlock refuse it with unsafe-path before touching it; doctor reports it without following it', () => {
    const out = sentinel();
    const p = copyRepo(template);
    const link = path.join(p.live, '__transactions__');
    symlinkSync(out.dir, link);
    commitAll(p.repo, 'hostile __transactions__');
    const expected = refusal('the publish transactions directory', '__transactions__', out.dir, link);
    const work = path.join(p.repo, '.planning', 'work');
    const workBefore = existsSync(work) ? snapshotDir(work) : [];

    for (const args of [['plan', SLUG, ...AGENT], ['new', 'beta', '--target', 'x'], ['recover'], ['unlock', 'abc']]) {
      const result = run(p, args);
      expect(result.timedOut).toBe(false);
      expect({ args, code: result.code, stderr: result.stderr }).toEqual({ args, code: 2, stderr: expected });
    }
    // Nothing was prepared for the refused commands either.
    expect(existsSync(work) ? snapshotDir(work) : []).toEqual(workBefore);

    const doctor = run(p, ['doctor', '--all', '--format', 'json']);
    expect(doctor.code).toBe(1);
    const findings = (JSON.parse(doctor.stdout) as { findings: { code: string; path: string; message: string }[] }).findings;
    expect(findings.map((finding) => [finding.code, finding.message])).toEqual([
      [
        'transaction-root-invalid',
        `Planning transaction root cannot be used: \`__transactions__\` is a symbolic link to ${out.dir}, outside the repository; cairn does not follow it.`,
      ],
    ]);
    expect(snapshotDir(out.dir)).toEqual(out.before);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });

  it('recovery never follows a symlink inside a transaction directory it removes', () => {
    const out = sentinel();
    const p = copyRepo(template);
    // An interrupted publish cairn would clean up: marker, no journal, and a planted link in it.
    const txDir = path.join(p.live, '__transactions__', '0123456789abcdef0123456789abcdef');
    mkdirSync(txDir, { recursive: true });
    writeFileSync(path.join(txDir, 'cairn-tx'), `{"slug": "${SLUG}"}\n`);
    symlinkSync(out.dir, path.join(txDir, 'failed'));
    mkdirSync(path.join(txDir, 'debris'));
    symlinkSync(out.dir, path.join(txDir, 'debris', 'deeper'));

    const result = run(p, ['recover']);
    expect(result.code).toBe(0);
    expect(existsSync(txDir)).toBe(false);
    expect(snapshotDir(out.dir)).toEqual(out.before);
  });
});

describe('item 2: .planning/work and .planning/cairn.db committed as symlinks out of the repository', () => {
  it('plan refuses a .planning/work link before writing a workspace or run.json', () => {
    const out = sentinel();
    const p = copyRepo(template);
    const link = path.join(p.repo, '.planning', 'work');
    rmSync(link, { recursive: true, force: true });
    symlinkSync(out.dir, link);
    commitAll(p.repo, 'hostile work dir');

    // plan takes the migration's run lease (under .planning/work) first; new writes its workspace there.
    for (const [args, role] of [
      [['plan', SLUG, ...AGENT], 'the run lease directory'],
      [['new', 'beta', '--target', 'x'], 'the planning work directory'],
    ] as const) {
      const result = run(p, [...args]);
      expect(result.timedOut).toBe(false);
      expect({ args, code: result.code, stderr: result.stderr }).toEqual({
        args,
        code: 2,
        stderr: refusal(role, '.planning/work', out.dir, link),
      });
    }
    expect(snapshotDir(out.dir)).toEqual(out.before);
    expect(existsSync(path.join(p.live, 'beta'))).toBe(false);
  });

  it('a .planning/cairn.db link is never opened: plan goes on without the store, info refuses with exit 2, nothing is created outside', () => {
    const out = sentinel();
    const p = copyRepo(template);
    const store = path.join(p.repo, '.planning', 'cairn.db');
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(store + suffix, { force: true });
    symlinkSync(path.join(out.dir, 'cairn.db'), store);
    const shown = `Refusing to use the local store: \`.planning/cairn.db\` is a symbolic link that does not resolve.`;

    const plan = run(p, ['plan', SLUG, ...AGENT]);
    expect(plan.timedOut).toBe(false);
    expect(plan.stderr.split('\n')[0]).toBe(
      `Warning: the local store could not be opened (${shown}); continuing without local history.`,
    );
    expect(plan.code).toBe(0);

    const info = run(p, ['info']);
    expect(info.code).toBe(2);
    expect(info.stderr).toBe(
      `Error: ${shown}\nHint: cairn reads and writes only regular files and directories inside the repository. Remove or replace ${store} (it may have come from a commit), then run the command again.\n`,
    );
    expect(snapshotDir(out.dir)).toEqual(out.before);

    // A link to an existing database outside is refused the same way, and the database is not touched.
    writeFileSync(path.join(out.dir, 'cairn.db'), '');
    const withDb = snapshotDir(out.dir);
    const log = run(p, ['log']);
    expect(log.code).toBe(2);
    expect(log.stderr.split('\n')[0]).toBe(
      `Error: Refusing to use the local store: \`.planning/cairn.db\` is a symbolic link to ${path.join(out.dir, 'cairn.db')}, outside the repository.`,
    );
    expect(snapshotDir(out.dir)).toEqual(withDb);
  });
});

describe('item 7: migrations_dir and .planning/config.json', () => {
  const configCases: [string, string, string][] = [
    ['.git', '".git"', "it names git's own directory `.git` or a directory inside it"],
    ['.git/hooks', '".git/hooks"', "it names git's own directory `.git` or a directory inside it"],
    ['.planning', '".planning"', "it names cairn's `.planning` directory or a directory inside it"],
    ['migrations\u0000x', '"migrations\\u0000x"', 'it contains the control character U+0000'],
    ['a/../migrations', '"a/../migrations"', "it has a '..' segment"],
  ];
  for (const [value, shown, rule] of configCases) {
    it(`refuses migrations_dir ${shown} with invalid-config naming the rule`, () => {
      const { repo } = cairnRepo({ git: true, commit: 'init' });
      writeFileSync(path.join(repo, '.planning', 'config.json'), `${JSON.stringify({ migrations_dir: value })}\n`);
      const gitDir = snapshotDir(path.join(repo, '.git'));
      for (const args of [['list'], ['new', 'beta', '--target', 'x']]) {
        const result = runCli(args, { cwd: repo, timeoutMs: TIMEOUT_MS });
        expect({ args, code: result.code, stderr: result.stderr }).toEqual({
          args,
          code: 2,
          stderr:
            `Error: migrations_dir ${shown} is not a plain relative path inside the repository: ${rule}.\n` +
            'Hint: Set "migrations_dir" in .planning/config.json (or --migrations-dir) to a relative path of ordinary directory names, e.g. "migrations".\n',
        });
      }
      expect(snapshotDir(path.join(repo, '.git'))).toEqual(gitDir);
    });
  }

  it('cairn init --migrations-dir .git is refused before anything is written', () => {
    const repo = tempDir('cairn-init-');
    execFileSync('git', ['init', '-q', repo]);
    const result = runCli(['init', '--migrations-dir', '.git'], { cwd: repo, timeoutMs: TIMEOUT_MS });
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(
      "Error: migrations_dir \".git\" is not a plain relative path inside the repository: it names git's own directory `.git` or a directory inside it.",
    );
    expect(existsSync(path.join(repo, '.planning'))).toBe(false);
  });

  it('refuses a .planning/config.json that links out of the repository, or is a FIFO, without reading it', () => {
    const out = sentinel();
    writeFileSync(path.join(out.dir, 'config.json'), '{"migrations_dir": "migrations"}\n');
    const before = snapshotDir(out.dir);
    const { repo } = cairnRepo({ git: true, commit: 'init' });
    const config = path.join(repo, '.planning', 'config.json');
    rmSync(config);
    symlinkSync(path.join(out.dir, 'config.json'), config);
    for (const args of [['list'], ['doctor', '--all'], ['init']]) {
      const result = runCli(args, { cwd: repo, timeoutMs: TIMEOUT_MS });
      expect(result.timedOut).toBe(false);
      const message = `Refusing to use the cairn config: \`.planning/config.json\` is a symbolic link to ${path.join(out.dir, 'config.json')}, outside the repository.`;
      if (args[0] === 'doctor') {
        expect([result.code, result.stdout]).toEqual([1, expect.stringContaining(`error   config-invalid  .planning/config.json\n          ${message}\n`)]);
      } else {
        expect({ args, code: result.code, first: result.stderr.split('\n')[0] }).toEqual({ args, code: 2, first: `Error: ${message}` });
      }
    }
    expect(snapshotDir(out.dir)).toEqual(before);

    rmSync(config);
    execFileSync('mkfifo', [config]);
    const fifo = runCli(['list'], { cwd: repo, timeoutMs: 20_000 });
    expect(fifo.timedOut).toBe(false);
    expect(fifo.code).toBe(2);
    expect(fifo.stderr.split('\n')[0]).toBe('Error: Refusing to use the cairn config: `.planning/config.json` is a FIFO, not a regular file.');
  });
});

describe('item 7b: git pathspecs are literal', () => {
  it('a migration named like a glob is judged dirty only by its own files', () => {
    const p = copyRepo(template);
    // `ab` has an uncommitted change; `a*` as a git glob would match it.
    const created = run(p, ['new', 'ab', '--target', 'x']);
    expect(created.code).toBe(0);
    commitAll(p.repo, 'ab');
    const dirtyNeighbour = (): void => writeFileSync(path.join(p.live, 'ab', 'notes.md'), 'uncommitted\n');

    // `cairn new` refuses such names (the slug rule), but another tool or a person may have made them.
    for (const slug of ['a*', '[ab]']) {
      cpSync(path.join(p.live, 'ab'), path.join(p.live, slug), { recursive: true });
      const manifest = path.join(p.live, slug, 'manifest.json');
      writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('"name": "ab"', `"name": ${JSON.stringify(slug)}`));
      expect(run(p, ['doctor', slug]).code).toBe(0);
    }
    commitAll(p.repo, 'glob-named migrations');
    dirtyNeighbour();

    // Its own uncommitted file still blocks it; the neighbour's never did.
    const plan = run(p, ['plan', 'a*', ...AGENT, '--until', 'approaches']);
    expect(plan.code).toBe(0);
    writeFileSync(path.join(p.live, 'a*', 'mine.md'), 'uncommitted\n');
    const blocked = run(p, ['plan', 'a*', ...AGENT]);
    expect(blocked.code).not.toBe(0);
    expect(blocked.stderr).toContain('migrations/a*/mine.md');
    expect(blocked.stderr).not.toContain('migrations/ab/');
    expect(git(p.repo, ['status', '--porcelain', '--', 'migrations/ab'])).toBe('?? migrations/ab/notes.md\n');
  });
});
