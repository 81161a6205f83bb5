import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, cpSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AGENT } from '../support/agents.js';
import { CLI, cliEnv, runCli, type CliResult } from '../support/cli.js';
import { CR_V1, PLANNING, READY } from '../support/fixture.js';
import { commitAll } from '../support/git.js';
import { fixturePlanRepo, newPlanRepo, SLUG } from '../support/plan-repo.js';
import { cairnRepo } from '../support/repo.js';
import { tempDir } from '../support/tmp.js';
import { envelopeOf, startMcp } from '../mcp/support.js';

/*
 * Files a cloned repository can commit where cairn reads one (issue 13,
 * items 3, 4 and 8; docs/security.md §2): a symlink out of the repository, a
 * FIFO, a device, a file far too large. Every command ends with a clear
 * message; nothing outside the repository is read into a prompt, written
 * or deleted; nothing hangs (every run has a timeout).
 */

const TIMEOUT_MS = 30_000;

/** Every entry below `dir`, with its kind, for before/after comparisons. */
function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (current: string): void => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      out.push(`${path.relative(dir, full)}${entry.isDirectory() ? '/' : entry.isSymbolicLink() ? '@' : ''}`);
      if (entry.isDirectory()) walk(full);
    }
  };
  walk(dir);
  return out.sort();
}

/** The regular files below `dir` (links not followed, `.git` skipped) whose bytes contain `needle`. */
function filesContaining(dir: string, needle: string): string[] {
  const found: string[] = [];
  const walk = (current: string): void => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory() && entry.name !== '.git') walk(full);
      else if (entry.isFile() && readFileSync(full).includes(needle)) found.push(path.relative(dir, full));
    }
  };
  walk(dir);
  return found;
}

/** A directory outside the repository standing for the user's home, with a secret in it. */
function sentinel(): { dir: string; secret: string } {
  const dir = tempDir('cairn-sentinel-');
  const secret = path.join(dir, 'ssh-config');
  writeFileSync(secret, 'Host prod\n  IdentityFile ~/.ssh/SENTINEL-SECRET\n');
  return { dir, secret };
}

function run(args: string[], cwd: string, env: Record<string, string> = {}): CliResult {
  const result = runCli(args, { cwd, env, timeoutMs: TIMEOUT_MS });
  expect(result.timedOut, result.stderr).toBe(false);
  expect(result.stderr).not.toMatch(/\n\s+at |Maximum call stack|this is a bug/);
  return result;
}

describe('a taste file that is a symlink out of the repository (item 3)', () => {
  it('is refused with exit 2 before any prompt is built; the agent never runs and the secret is in no output', () => {
    const p = newPlanRepo();
    const outside = sentinel();
    const before = listing(outside.dir);
    symlinkSync(outside.secret, path.join(p.repo, '.planning', 'taste.md'));
    commitAll(p.repo, 'taste');
    const prompts = tempDir('cairn-prompts-');

    const planned = p.cli(['plan', SLUG, ...AGENT], { FAKE_PROMPT_DIR: prompts });
    expect(planned.timedOut).toBe(false);
    expect(planned.code).toBe(2);
    expect(planned.stderr.split('\n')[0]).toBe(
      `Error: Refusing to use the taste file: \`.planning/taste.md\` is a symbolic link to ${outside.secret}, outside the repository.`,
    );
    expect(readdirSync(prompts)).toEqual([]);

    const manual = p.cli(['plan', SLUG, '--agent', 'manual']);
    expect(manual.code).toBe(2);
    expect(manual.stdout + manual.stderr).not.toContain('SENTINEL-SECRET');
    expect(manual.stderr).toContain('Refusing to use the taste file');
    expect(filesContaining(p.repo, 'SENTINEL-SECRET')).toEqual([]);
    expect(listing(outside.dir)).toEqual(before);
  });

  it('the MCP next_prompt tool refuses it too and returns no prompt', async () => {
    const p = newPlanRepo();
    const outside = sentinel();
    symlinkSync(outside.secret, path.join(p.repo, '.planning', 'taste.md'));
    commitAll(p.repo, 'taste');
    const mcp = await startMcp(p.repo);
    const result = await mcp.call('next_prompt', { slug: SLUG });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result)).not.toContain('SENTINEL-SECRET');
    expect(envelopeOf(result).error).toMatchObject({
      code: 'unsafe-path',
      message: `Refusing to use the taste file: \`.planning/taste.md\` is a symbolic link to ${outside.secret}, outside the repository.`,
    });
  });

  it('a taste file that is a FIFO is refused with exit 2 instead of blocking', () => {
    const p = newPlanRepo();
    spawnSync('mkfifo', [path.join(p.repo, '.planning', 'taste.md')]);
    const result = p.cli(['plan', SLUG, '--agent', 'manual']);
    expect(result.timedOut).toBe(false);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe('Error: Refusing to use the taste file: `.planning/taste.md` is a FIFO, not a regular file.');
  });
});

/** A committed repository with the cr-v1 planning and ready migrations. */
function twoMigrations(): { repo: string; live: string } {
  const { repo, live } = cairnRepo({ git: true, fixtures: [PLANNING, READY], commit: 'fixtures' });
  return { repo, live };
}

function mkfifo(file: string): void {
  rmSync(file, { recursive: true, force: true });
  mkdirSync(path.dirname(file), { recursive: true });
  const made = spawnSync('mkfifo', [file]);
  expect(made.status).toBe(0);
}

describe('FIFOs and devices where cairn reads a file (item 4)', () => {
  // [migration, file in it, the doctor finding's code, its message, the exit code of `status`]
  const cases: [string, string, string, RegExp, number][] = [
    [READY, 'manifest.json', 'invalid-manifest', /^Could not load manifest .*: Not a regular file \(a FIFO\)/, 2],
    [READY, '.planning/state.json', 'planning-state-invalid', /state\.json is a FIFO, not a regular file; cairn reads only regular files$/, 2],
    [PLANNING, '.planning/state.json', 'planning-state-invalid', /^Could not load planning state .*: Not a regular file \(a FIFO\)/, 2],
    [READY, 'plan.md', 'missing-plan', /^plan\.md is not a regular file \(cairn reads no FIFO or device\); ready and in-progress migrations require one\.$/, 0],
    [READY, 'phase-1-docs-and-cleanup.md', 'phase-file-not-regular', /^Manifest phase file 'phase-1-docs-and-cleanup\.md' is not a regular file\.$/, 0],
    [PLANNING, '.planning/stages/expand.stdout.md', 'planning-state-invalid', /expand\.stdout\.md' must be a regular file, not a FIFO$/, 2],
    [READY, '.planning/reviews.jsonl', 'review-record-invalid', /^Could not read \.planning\/reviews\.jsonl: .* is a FIFO, not a regular file; cairn reads only regular files$/, 0],
    [READY, '.planning/sums', 'sums-invalid', /^Could not read \.planning\/sums: .* is a FIFO, not a regular file; cairn reads only regular files$/, 0],
  ];
  for (const [slug, file, code, message, statusCode] of cases) {
    it(`${file} of a ${slug === READY ? 'ready' : 'planning'} migration as a FIFO: doctor, list and status finish`, () => {
      const { repo, live } = twoMigrations();
      const fifo = path.join(live, slug, ...file.split('/'));
      mkfifo(fifo);

      const doctor = run(['doctor', '--all', '--format', 'tsv'], repo);
      expect(doctor.code).toBe(1);
      const rows = doctor.stdout.split('\n').filter((line) => line.startsWith(`${slug}\t`));
      const finding = rows.find((line) => line.split('\t')[2] === code);
      expect(finding?.split('\t')[4], doctor.stdout).toMatch(message);

      const list = run(['list', '--format', 'tsv'], repo);
      expect(list.code).toBe(0);
      expect(list.stdout.split('\n').map((line) => line.split('\t')[0])).toEqual(['slug', PLANNING, READY, '']);

      const status = run(['status', slug], repo);
      expect(status.code, status.stderr).toBe(statusCode);
      if (statusCode === 2) expect(status.stderr).toMatch(/FIFO/);
    });
  }

  it('manifest.json linked to /dev/zero: doctor ends at once with a finding', () => {
    const { repo, live } = twoMigrations();
    const manifest = path.join(live, READY, 'manifest.json');
    rmSync(manifest);
    symlinkSync('/dev/zero', manifest);
    const started = Date.now();
    const doctor = run(['doctor', '--all', '--format', 'tsv'], repo);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout.split('\n').filter((line) => line.startsWith(`${READY}\t`))).toEqual([
      `${READY}\terror\tinvalid-manifest\t${manifest}\tCould not load manifest ${manifest}: Not a regular file (a character device): '${manifest}'`,
    ]);
  });

  it('manifest.json linked to a FIFO outside the repository: doctor and list finish, the FIFO is left alone', () => {
    const { repo, live } = twoMigrations();
    const outside = sentinel();
    const fifo = path.join(outside.dir, 'pipe');
    mkfifo(fifo);
    const before = listing(outside.dir);
    const manifest = path.join(live, READY, 'manifest.json');
    rmSync(manifest);
    symlinkSync(fifo, manifest);
    const doctor = run(['doctor', '--all', '--format', 'tsv'], repo);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout.split('\n').filter((line) => line.startsWith(`${READY}\t`))).toEqual([
      `${READY}\terror\tinvalid-manifest\t${manifest}\tCould not load manifest ${manifest}: Not a regular file (a FIFO): '${manifest}'`,
    ]);
    const list = run(['list', '--format', 'tsv', '--no-headers'], repo);
    expect(list.stdout.split('\n')[1]).toBe(
      `${READY}\tinvalid-manifest\tblocked\tno\t(none)\t(none)\tinvalid-manifest: Could not load manifest ${manifest}: Not a regular file (a FIFO): '${manifest}'`,
    );
    expect(listing(outside.dir)).toEqual(before);
  });

  it('a state file of a ready migration that is a FIFO is a doctor finding naming it', () => {
    const { repo, live } = twoMigrations();
    const state = path.join(live, READY, '.planning', 'state.json');
    mkfifo(state);
    const doctor = run(['doctor', READY, '--format', 'tsv'], repo);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toContain(`\tplanning-state-invalid\t${state}\t${state} is a FIFO, not a regular file; cairn reads only regular files`);
  });
});

/** Runs the built CLI, sends `signal` after `delayMs`, and resolves how and how fast it ended. */
function interrupt(args: string[], cwd: string, signal: NodeJS.Signals, delayMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; afterSignalMs: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: cliEnv(), stdio: ['ignore', 'ignore', 'ignore'] });
    let sentAt = 0;
    const timer = setTimeout(() => {
      sentAt = Date.now();
      child.kill(signal);
    }, delayMs);
    const guard = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.on('error', reject);
    child.on('exit', (code, ended) => {
      clearTimeout(timer);
      clearTimeout(guard);
      resolve({ code, signal: ended, afterSignalMs: sentAt === 0 ? -1 : Date.now() - sentAt });
    });
  });
}

/** How long `cairn <args>` takes uninterrupted in `cwd`, in ms. */
function fullRunMs(args: string[], cwd: string): number {
  const started = Date.now();
  spawnSync(process.execPath, [CLI, ...args], { cwd, env: cliEnv(), stdio: 'ignore', timeout: TIMEOUT_MS * 4 });
  return Date.now() - started;
}

/**
 * A repository where `cairn <args>` runs for at least `minMs` uninterrupted:
 * copies of a ready migration, doubled until the command is that slow on
 * this machine (so a signal sent halfway leaves over a second of work, which
 * a loop that never yields would finish before the signal is handled).
 */
function slowRepo(args: string[], minMs: number): { repo: string; fullMs: number } {
  const { repo, live } = cairnRepo({ git: true });
  let count = 0;
  let fullMs = 0;
  for (let target = 1500; target <= 24_000; target *= 2) {
    for (; count < target; count++) cpSync(path.join(CR_V1, 'migrations', READY), path.join(live, `m${count}-${READY}`), { recursive: true });
    fullMs = fullRunMs(args, repo);
    if (fullMs >= minMs) return { repo, fullMs };
  }
  throw new Error(`cairn ${args.join(' ')} takes only ${fullMs} ms on ${count} migrations; the interrupt test needs a slower run`);
}

describe('SIGTERM and Ctrl-C end a long command within a second', () => {
  it('doctor --all interrupted a fifth and halfway into its run, list by Ctrl-C', async () => {
    const { repo, fullMs } = slowRepo(['doctor', '--all'], 2500);
    for (const share of [0.2, 0.5]) {
      const delay = Math.round(fullMs * share);
      const ended = await interrupt(['doctor', '--all'], repo, 'SIGTERM', delay);
      const context = `doctor --all (${fullMs} ms uninterrupted), SIGTERM after ${delay} ms`;
      expect(ended.afterSignalMs, context).toBeGreaterThanOrEqual(0);
      expect(ended.afterSignalMs, context).toBeLessThan(1000);
      expect(ended.signal, context).toBe('SIGTERM');
    }
    const listMs = fullRunMs(['list', '--no-index'], repo);
    const delay = Math.round(listMs * 0.3);
    const listed = await interrupt(['list', '--no-index'], repo, 'SIGINT', delay);
    const context = `list --no-index (${listMs} ms uninterrupted), SIGINT after ${delay} ms`;
    expect(listed.afterSignalMs, context).toBeGreaterThanOrEqual(0);
    expect(listed.afterSignalMs, context).toBeLessThan(1000);
    expect(listed.signal, context).toBe('SIGINT');
  }, 300_000);
});

describe('a huge malformed sums file and a full disk (item 8)', () => {
  it('200,000 malformed sums lines: every check reports 100 of them and a count', () => {
    const { repo, live } = twoMigrations();
    const lines = Array.from({ length: 200_000 }, (_, index) => `garbage line ${index}`);
    writeFileSync(path.join(live, PLANNING, '.planning', 'sums'), `${lines.join('\n')}\n`);
    commitAll(repo, 'sums');

    const doctor = run(['doctor', '--all', '--format', 'tsv'], repo);
    expect(doctor.code).toBe(1);
    const sums = doctor.stdout.split('\n').filter((line) => line.split('\t')[2] === 'sums-invalid');
    expect(sums).toHaveLength(101);
    expect(sums[0]?.split('\t')[4]).toBe(`Line 1 of .planning/sums is not "<sha256>  <path>": 'garbage line 0'.`);
    expect(sums[100]?.split('\t')[4]).toBe('199900 more malformed lines of .planning/sums not shown.');

    expect(run(['list'], repo).code).toBe(0);
    expect(run(['status', PLANNING], repo).code).toBe(0);
    const plan = run(['plan', PLANNING, '--agent', 'manual', '--dry-run'], repo);
    expect(plan.stderr).not.toContain('Maximum call stack');
  });

  it('stdout on a full disk: one line on stderr and exit 1, no stack trace', () => {
    const { repo } = twoMigrations();
    for (const args of [['list'], ['list', '--format', 'json'], ['doctor', '--all']]) {
      const full = openSync('/dev/full', 'w');
      try {
        const result = spawnSync(process.execPath, [CLI, ...args], { cwd: repo, env: cliEnv(), stdio: ['ignore', full, 'pipe'], encoding: 'utf8', timeout: TIMEOUT_MS });
        expect(result.status, args.join(' ')).toBe(1);
        expect(result.stderr).toBe('cairn: could not write to standard output: ENOSPC: no space left on device, write\n');
      } finally {
        closeSync(full);
      }
    }
  });

  it('a reader that stops early ends the output quietly', () => {
    const { repo } = twoMigrations();
    const result = spawnSync('bash', ['-c', `"${process.execPath}" "${CLI}" list --format json | head -c 10; echo " exit=\${PIPESTATUS[0]}"`], {
      cwd: repo,
      env: cliEnv(),
      encoding: 'utf8',
      timeout: TIMEOUT_MS,
    });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('{\n  "schem exit=0\n');
  });
});

describe('list with a migration it cannot read (item: list aborts)', () => {
  function expectRows(repo: string, broken: string, reason: RegExp): void {
    const text = run(['list'], repo);
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n').filter((line) => line !== '').map((line) => line.split(/\s+/)[0])).toEqual(['MIGRATION', PLANNING, READY]);
    const tsv = run(['list', '--format', 'tsv', '--no-headers'], repo);
    const row = tsv.stdout.split('\n').find((line) => line.startsWith(`${broken}\t`));
    expect(row?.split('\t')[2]).toMatch(/blocked$/);
    expect(row?.split('\t')[6]).toMatch(reason);
    const json = JSON.parse(run(['list', '--format', 'json'], repo).stdout) as { migrations: { slug: string; blocked: boolean; reason: string }[] };
    expect(json.migrations.map((m) => m.slug)).toEqual([PLANNING, READY]);
    const entry = json.migrations.find((m) => m.slug === broken);
    expect(entry?.blocked).toBe(true);
    expect(entry?.reason).toMatch(reason);
  }

  it('a manifest that is a directory', () => {
    const { repo, live } = twoMigrations();
    const manifest = path.join(live, READY, 'manifest.json');
    rmSync(manifest);
    mkdirSync(manifest);
    expectRows(repo, READY, /^invalid-manifest: Could not load manifest .*Is a directory/);
  });

  it('a state file that is a symlink loop', () => {
    const { repo, live } = twoMigrations();
    const state = path.join(live, PLANNING, '.planning', 'state.json');
    rmSync(state);
    symlinkSync('state.json', state);
    expectRows(repo, PLANNING, /^planning-state-invalid$/);
  });

  it('a migration directory the user may not enter', (ctx) => {
    const { repo, live } = twoMigrations();
    const dir = path.join(live, READY);
    chmodSync(dir, 0o000);
    try {
      if (process.getuid?.() === 0) {
        // root reads anything: run cairn as nobody, on a copy it may traverse
        const shared = path.join(tempDir('cairn-nobody-'), 'repo');
        chmodSync(dir, 0o755);
        cpSync(repo, shared, { recursive: true });
        spawnSync('chmod', ['-R', 'a+rwX', path.dirname(shared)]);
        chmodSync(path.join(shared, 'migrations', READY), 0o000);
        const asNobody = (args: string[]): CliResult => {
          const result = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI, ...args], {
            cwd: shared,
            env: cliEnv({ HOME: shared, XDG_CONFIG_HOME: path.join(shared, '.xdg') }),
            encoding: 'utf8',
            timeout: TIMEOUT_MS,
          });
          return { code: result.status, stdout: result.stdout, stderr: result.stderr, signal: result.signal, timedOut: false };
        };
        if (asNobody(['--version']).code !== 0) ctx.skip(); // no setpriv: root cannot be refused anything
        for (const args of [['list', '--format', 'tsv', '--no-headers'], ['list', '--format', 'tsv', '--no-headers', '--no-index']]) {
          const result = asNobody(args);
          expect(result.code, result.stderr).toBe(0);
          const rows = result.stdout.split('\n').filter((line) => line !== '');
          expect(rows.map((line) => line.split('\t')[0])).toEqual([PLANNING, READY]);
          expect(rows[1]?.split('\t')[6]).toMatch(/^invalid-manifest: Could not load manifest .*Permission denied/);
        }
        return;
      }
      expectRows(repo, READY, /^invalid-manifest: Could not load manifest .*Permission denied/);
    } finally {
      chmodSync(dir, 0o755);
    }
  });
});
