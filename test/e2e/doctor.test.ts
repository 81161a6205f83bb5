import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { CR_V1, expectedWithRepo, PLANNING, READY } from '../support/fixture.js';
import { cairnRepo, fixtureRepo } from '../support/repo.js';
import { tempDir } from '../support/tmp.js';

/* `cairn doctor`, driven through the built CLI. */

const UTC = { TZ: 'UTC' };
const MISSING_PLAN = 'inline-permission-checks-in-search-20260408T130909';

describe('cairn doctor --all on the cr-v1 fixture', () => {
  it('prints expected-doctor.tsv line for line and exits 1', () => {
    const repo = fixtureRepo();
    const result = runCli(['doctor', '--all', '--format', 'tsv'], { cwd: repo, env: UTC });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    const expected = expectedWithRepo(readFileSync(path.join(CR_V1, 'expected-doctor.tsv'), 'utf8'), repo);
    expect(result.stdout.split('\n')).toEqual(expected.split('\n'));
  });

  it('prints the same lines with the migrations checked on worker threads (--jobs)', () => {
    const repo = fixtureRepo();
    const expected = expectedWithRepo(readFileSync(path.join(CR_V1, 'expected-doctor.tsv'), 'utf8'), repo);
    for (const jobs of ['3', '1']) {
      const result = runCli(['doctor', '--all', '--format', 'tsv', '--jobs', jobs], { cwd: repo, env: UTC });
      expect([result.code, result.stderr]).toEqual([1, '']);
      expect(result.stdout.split('\n')).toEqual(expected.split('\n'));
    }
    for (const bad of ['0', '65', 'two']) {
      const result = runCli(['doctor', '--all', '--jobs', bad], { cwd: repo, env: UTC });
      expect([result.code, result.stdout]).toEqual([2, '']);
      expect(result.stderr).toContain(`--jobs takes a whole number from 1 to 64, not '${bad}'.`);
    }
  });

  it('prints the lock mtime in the local timezone', () => {
    const repo = fixtureRepo();
    const result = runCli(['doctor', '--all', '--format', 'tsv'], { cwd: repo, env: { TZ: 'America/Los_Angeles' } });
    const lockLine = result.stdout.split('\n').find((line) => line.includes('publish-lock-present'));
    expect(lockLine?.split('\t')[4]).toBe(
      'Planning publish lock is present; mtime=2026-05-22T18:20:05-07:00; pid=42959, operation=planning.final-review, created_at=2026-05-22T18:20:05.166-07:00.',
    );
  });

  it('summarises in text, json, github, junit and sarif with the same exit code', () => {
    const repo = fixtureRepo();
    const text = runCli(['doctor', '--all'], { cwd: repo, env: UTC });
    expect([text.code, text.stderr]).toEqual([1, '']);
    expect(text.stdout).not.toContain('\u001b[');
    expect(text.stdout.endsWith('\n16 errors, 0 warnings, 0 info; 40 migrations checked, 14 with findings.\n')).toBe(true);

    const json = runCli(['doctor', '--all', '--format', 'json'], { cwd: repo, env: UTC });
    const doc = JSON.parse(json.stdout) as { schema_version: number; findings: unknown[]; summary: unknown };
    expect([json.code, doc.schema_version, doc.findings.length]).toEqual([1, 1, 16]);
    expect(doc.summary).toEqual({
      migrations: 40,
      migrations_with_findings: 14,
      findings: 16,
      errors: 16,
      warnings: 0,
      infos: 0,
      fail_on: 'error',
      failed: true,
    });

    const github = runCli(['doctor', '--all', '--format', 'github'], { cwd: repo, env: UTC });
    const lines = github.stdout.trimEnd().split('\n');
    expect(github.code).toBe(1);
    expect(lines).toHaveLength(17);
    expect(lines[1]).toBe(
      `::error file=migrations/${MISSING_PLAN}/plan.md,title=missing-plan::Ready and in-progress migrations require plan.md.%0Ahint: Restore plan.md from version control, or set the status back to planning and plan the migration again.`,
    );
    expect(lines[16]).toBe('cairn doctor: 16 errors, 0 warnings, 0 info; 40 migrations checked.');

    const junit = runCli(['doctor', '--all', '--format', 'junit'], { cwd: repo, env: UTC });
    expect(junit.code).toBe(1);
    expect(junit.stdout.split('\n').slice(0, 3)).toEqual([
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<testsuites name="cairn doctor" tests="42" failures="15">',
      '  <testsuite name="cairn doctor" tests="42" failures="15" errors="0" skipped="0">',
    ]);
    expect((junit.stdout.match(/<failure /g) ?? []).length).toBe(16);

    const sarif = runCli(['doctor', '--all', '--format', 'sarif'], { cwd: repo, env: UTC });
    const log = JSON.parse(sarif.stdout) as { version: string; runs: { results: unknown[] }[] };
    expect([sarif.code, log.version, log.runs[0]?.results.length]).toEqual([1, '2.1.0', 16]);
  });
});

describe('cairn doctor <slug-or-path>', () => {
  it('checks one migration, without transaction findings', () => {
    const repo = fixtureRepo();
    const bySlug = runCli(['doctor', MISSING_PLAN, '--format', 'tsv'], { cwd: repo });
    expect([bySlug.code, bySlug.stderr]).toEqual([1, '']);
    expect(bySlug.stdout).toBe(
      `${MISSING_PLAN}\terror\tmissing-plan\t${repo}/migrations/${MISSING_PLAN}/plan.md\tReady and in-progress migrations require plan.md.\n`,
    );
    const byPath = runCli(['doctor', `migrations/${MISSING_PLAN}`, '--format', 'tsv'], { cwd: path.join(repo, 'migrations') });
    expect([byPath.code, byPath.stdout]).toEqual([1, bySlug.stdout]);
  });

  it('includes the planning-state findings for a planning migration', () => {
    const repo = fixtureRepo();
    const slug = 'remove-cache-invalidation-in-search-20260418T184219';
    const result = runCli(['doctor', slug, '--format', 'tsv'], { cwd: repo });
    expect(result.stdout).toBe(
      `${slug}\terror\tplanning-state-missing\t${repo}/migrations/${slug}/.planning/state.json\tPlanning migration is missing .planning/state.json.\n`,
    );
  });

  it('exits 0 with a clean summary for a valid migration (tsv prints nothing)', () => {
    const repo = fixtureRepo();
    const text = runCli(['doctor', READY], { cwd: repo });
    expect([text.code, text.stdout, text.stderr]).toEqual([0, 'No findings; 1 migration checked.\n', '']);
    const tsv = runCli(['doctor', READY, '--format', 'tsv'], { cwd: repo });
    expect([tsv.code, tsv.stdout]).toEqual([0, '']);
  });
});

describe('usage and input errors exit 2', () => {
  it('refuses --all together with a target', () => {
    const repo = fixtureRepo();
    const message =
      'Error: doctor takes either --all or <slug-or-path>, not both.\nHint: Run `cairn doctor` (or `cairn doctor --all`) to check everything, or `cairn doctor <slug>` for one migration.\n';
    const result = runCli(['doctor', '--all', READY], { cwd: repo });
    expect([result.code, result.stdout, result.stderr]).toEqual([2, '', message]);
  });

  it('without an argument checks everything, exactly as --all does', () => {
    const repo = fixtureRepo();
    const bare = runCli(['doctor', '--format', 'json'], { cwd: repo });
    const all = runCli(['doctor', '--all', '--format', 'json'], { cwd: repo });
    expect(bare.code).toBe(all.code);
    expect(bare.stdout).toBe(all.stdout);
    expect(bare.stderr).toBe(all.stderr);
    const parsed = JSON.parse(bare.stdout) as { summary: { migrations: number }; findings: { slug: string }[] };
    expect(parsed.summary.migrations).toBe(40);
    expect(parsed.findings.some((finding) => finding.slug === '__transactions__')).toBe(true);
  });

  it('reports resolver errors', () => {
    const repo = fixtureRepo();
    const missing = runCli(['doctor', 'no-such-migration'], { cwd: repo });
    expect([missing.code, missing.stderr]).toEqual([
      2,
      "Error: Migration 'no-such-migration' does not exist.\nHint: Run `cairn list` to see the migrations in this repository.\n",
    ]);
    const traversal = runCli(['doctor', '../x'], { cwd: repo });
    expect([traversal.code, traversal.stderr.split('\n')[0]]).toEqual([2, 'Error: Migration path must not contain parent traversal: ../x']);
    const internal = runCli(['doctor', 'migrations/__transactions__'], { cwd: repo });
    expect([internal.code, internal.stderr.split('\n')[0]]).toEqual([
      2,
      `Error: Migration path targets a hidden or internal directory: ${repo}/migrations/__transactions__`,
    ]);
  });

  it('rejects unknown formats and severities', () => {
    const repo = fixtureRepo();
    const format = runCli(['doctor', '--all', '--format', 'xml'], { cwd: repo });
    expect([format.code, format.stderr.split('\n')[0]]).toEqual([
      2,
      "Error: Option '--format <format>' argument 'xml' is invalid. Allowed choices are text, tsv, json, github, sarif, junit.",
    ]);
    const severity = runCli(['doctor', '--all', '--severity', 'fatal'], { cwd: repo });
    expect(severity.code).toBe(2);
  });

  it('outside a cairn project', () => {
    const dir = tempDir('cairn-no-project-');
    const result = runCli(['doctor', '--all'], { cwd: dir });
    expect([result.code, result.stdout, result.stderr.split('\n')[0]]).toEqual([
      2,
      '',
      `Error: No cairn project here: no .planning/config.json in ${dir} or any directory above it.`,
    ]);
  });
});

describe('--severity', () => {
  it('sets which findings fail the run', () => {
    const t = cairnRepo({ fixtures: [PLANNING] });
    writeFileSync(path.join(t.dir(PLANNING), '.planning', 'stages', 'review.stdout.md'), 'never accepted\n');
    const line = `${PLANNING}\twarning\tstage-output-unrecorded\t${t.dir(PLANNING)}/.planning/stages/review.stdout.md\tStage file '.planning/stages/review.stdout.md' is not named by any accepted step.\n`;
    const byDefault = runCli(['doctor', '--all', '--format', 'tsv'], { cwd: t.repo });
    expect([byDefault.code, byDefault.stdout]).toEqual([0, line]);
    for (const severity of ['warning', 'info']) {
      const strict = runCli(['doctor', '--all', '--format', 'tsv', '--severity', severity], { cwd: t.repo });
      expect([strict.code, strict.stdout]).toEqual([1, line]);
    }
    const errorOnly = runCli(['doctor', PLANNING, '--severity', 'error', '--format', 'json'], { cwd: t.repo });
    expect(errorOnly.code).toBe(0);
  });
});

describe('config-invalid', () => {
  it('is a finding (exit 1), not a crash, for --all and for a target', () => {
    const t = cairnRepo({ fixtures: [READY] });
    const config = path.join(t.repo, '.planning', 'config.json');
    writeFileSync(config, '{"migrations_dir": "../outside"}\n');
    const message = `migrations_dir escapes the repository: '../outside' resolves to ${path.join(path.dirname(t.repo), 'outside')}, which is not a directory below ${t.repo}.`;
    for (const args of [['doctor', '--all'], ['doctor', READY]]) {
      const result = runCli([...args, '--format', 'tsv'], { cwd: t.repo });
      expect([result.code, result.stdout, result.stderr]).toEqual([1, `.planning\terror\tconfig-invalid\t${config}\t${message}\n`, '']);
    }
    writeFileSync(config, '{"migrations_dir": "migrations", "colour": true}\n');
    const strict = runCli(['doctor', '--all', '--format', 'tsv'], { cwd: t.repo });
    expect([strict.code, strict.stdout]).toEqual([
      1,
      `.planning\terror\tconfig-invalid\t${config}\tInvalid cairn config ${config}: (top level): Unrecognized key: "colour"\n`,
    ]);
  });

  it('an escaping --migrations-dir with a valid config is bad usage (exit 2)', () => {
    const t = cairnRepo({ fixtures: [READY] });
    const result = runCli(['--migrations-dir', '../elsewhere', 'doctor', '--all'], { cwd: t.repo });
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(
      `Error: migrations_dir escapes the repository: '../elsewhere' resolves to ${path.join(path.dirname(t.repo), 'elsewhere')}, which is not a directory below ${t.repo}.`,
    );
  });
});

/** Every entry under `root`: type, mode, mtime, and content hash or link target. */
function treeState(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      const stat = lstatSync(full);
      const rel = path.relative(root, full);
      if (stat.isSymbolicLink()) out.push(`L ${rel} -> ${readlinkSync(full)}`);
      else if (stat.isDirectory()) {
        out.push(`D ${rel} ${stat.mode.toString(8)} ${stat.mtimeMs}`);
        walk(full);
      } else {
        const hash = createHash('sha256').update(readFileSync(full)).digest('hex');
        out.push(`F ${rel} ${stat.mode.toString(8)} ${stat.mtimeMs} ${hash}`);
      }
    }
  };
  walk(root);
  return out;
}

describe('doctor is read-only', () => {
  it('leaves the repository byte-identical (including .planning/ and .git/) in every format', () => {
    const repo = fixtureRepo();
    const before = treeState(repo);
    for (const format of ['text', 'tsv', 'json', 'github', 'sarif', 'junit']) {
      expect(runCli(['doctor', '--all', '--format', format], { cwd: repo, env: UTC }).code).toBe(1);
      expect(runCli(['doctor', READY, '--format', format], { cwd: repo }).code).toBe(0);
    }
    expect(treeState(repo)).toEqual(before);
    expect(before.some((line) => line.startsWith('F .planning/config.json'))).toBe(true);
  });
});
