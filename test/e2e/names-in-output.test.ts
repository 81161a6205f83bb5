import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { READY } from '../support/fixture.js';
import { cairnRepo } from '../support/repo.js';
import { tempDir } from '../support/tmp.js';
import { assertWellFormedXml, RAW_UNSAFE, RAW_UNSAFE_EXCEPT_NEWLINE, RAW_UNSAFE_EXCEPT_NEWLINE_AND_TAB } from '../outputs/well-formed.js';

/*
 * A repository whose migration directories are named to inject TSV rows,
 * GitHub workflow commands and terminal escapes: every command lists them as
 * broken migrations, shown escaped, and no output format can be broken.
 */

const HOSTILE = {
  newline: 'evil\n::error::pwned',
  tab: 'tab\there',
  esc: 'esc\x1b[31mred\x1b]0;title\x07',
  bidi: 'rtl\u202eexe.md',
};
/** No line of a text output can be read as a GitHub workflow command (the runner trims leading spaces). */
function expectNoWorkflowCommand(text: string): void {
  for (const line of text.split('\n')) expect(/^\s*(::|##\[)/.test(line), line).toBe(false);
}

/** How each name prints in text and TSV. */
const SHOWN = {
  newline: 'evil\\n::error::pwned',
  tab: 'tab\\there',
  esc: 'esc\\x1b[31mred\\x1b]0;title\\x07',
  bidi: 'rtl\\u202eexe.md',
};
const TIMEOUT = { timeoutMs: 60_000 };

function hostileRepo() {
  const sentinel = tempDir('cairn-sentinel-');
  writeFileSync(path.join(sentinel, 'keep.txt'), 'untouched\n');
  const t = cairnRepo({ git: true, fixtures: [READY] });
  for (const name of Object.values(HOSTILE)) {
    mkdirSync(t.dir(name));
    // The attacker's manifest is never read: the name alone makes the directory broken.
    writeFileSync(path.join(t.dir(name), 'manifest.json'), JSON.stringify({ name: `${name}\n::add-mask::x`, status: 'ready' }));
  }
  mkdirSync(t.dir(COMMAND_SLUG));
  const manifestFile = path.join(t.dir(READY), 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  manifest.name = 'other\n::error::from-manifest\x1b[2J';
  manifest.awaiting_human_review = true;
  manifest.human_review_reason = 'look\x1b]0;pwned\x07\u202e\n::warning::x';
  writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  return { ...t, sentinel, sentinelBefore: readdirSync(sentinel) };
}

/** A safe slug (no control character) shaped as a workflow command: listed like any other, never a command line. */
const COMMAND_SLUG = '::error file=x,title=y::pwned';

const SORTED = Object.values(HOSTILE)
  .concat(READY, COMMAND_SLUG)
  .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

describe('migration directories named with control and bidi characters', () => {
  it('list shows them escaped and blocked in text, tsv and json', () => {
    const t = hostileRepo();

    const text = runCli(['list'], { cwd: t.repo, ...TIMEOUT });
    expect([text.code, text.stderr, text.timedOut]).toEqual([0, '', false]);
    expect(text.stdout).not.toMatch(RAW_UNSAFE_EXCEPT_NEWLINE);
    expectNoWorkflowCommand(text.stdout);
    const lines = text.stdout.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(SORTED.length + 1);
    for (const key of Object.keys(HOSTILE) as (keyof typeof HOSTILE)[]) {
      const line = lines.find((candidate) => candidate.startsWith(`${SHOWN[key]} `));
      expect(line, SHOWN[key]).toMatch(/ invalid-manifest +blocked +unsafe-migration-name$/);
    }
    expect(lines.find((line) => line.startsWith('\\x3a:error file=x,title=y::pwned '))).toMatch(/ invalid-manifest +blocked +missing-manifest$/);
    expect(lines.find((line) => line.startsWith(READY))).toContain('look\\x1b]0;pwned\\x07\\u202e\\n::warning::x');

    const tsv = runCli(['list', '--format', 'tsv'], { cwd: t.repo, ...TIMEOUT });
    expect([tsv.code, tsv.stderr]).toEqual([0, '']);
    expect(tsv.stdout).not.toMatch(RAW_UNSAFE_EXCEPT_NEWLINE_AND_TAB);
    const rows = tsv.stdout.slice(0, -1).split('\n');
    expect(rows).toHaveLength(SORTED.length + 1);
    for (const row of rows) expect(row.split('\t')).toHaveLength(7);
    expect(rows).toContain(`${SHOWN.tab}\tinvalid-manifest\tblocked\tno\t(none)\t(none)\tunsafe-migration-name`);
    expectNoWorkflowCommand(tsv.stdout);
    expect(rows).toContain(`\\x3a:error file=x,title=y::pwned\tinvalid-manifest\tblocked\tno\t(none)\t(none)\tmissing-manifest`);
    expect(rows).toContain(`${SHOWN.newline}\tinvalid-manifest\tblocked\tno\t(none)\t(none)\tunsafe-migration-name`);

    const json = runCli(['list', '--format', 'json'], { cwd: t.repo, ...TIMEOUT });
    expect([json.code, json.stderr]).toEqual([0, '']);
    expect(json.stdout).not.toMatch(RAW_UNSAFE_EXCEPT_NEWLINE);
    const payload = JSON.parse(json.stdout);
    expect(payload.migrations.map((row: { slug: string }) => row.slug)).toEqual(SORTED);
    expect(payload.migrations.find((row: { slug: string }) => row.slug === HOSTILE.esc)).toEqual({
      slug: HOSTILE.esc,
      status: 'invalid-manifest',
      cursor: 'blocked',
      awaiting_review: false,
      last_touch: null,
      cooldown_until: null,
      reason: 'unsafe-migration-name',
      blocked: true,
    });
    expect(readdirSync(t.sentinel)).toEqual(t.sentinelBefore);
  });

  it('doctor reports unsafe-migration-name and every format stays well-formed', () => {
    const t = hostileRepo();
    const run = (format: string) => {
      const result = runCli(['doctor', '--all', '--format', format], { cwd: t.repo, ...TIMEOUT });
      expect([result.code, result.stderr, result.timedOut], format).toEqual([1, '', false]);
      return result.stdout;
    };

    const json = JSON.parse(run('json'));
    const unsafe = json.findings.filter((f: { code: string }) => f.code === 'unsafe-migration-name');
    expect(unsafe.map((f: { slug: string }) => f.slug)).toEqual(SORTED.filter((slug) => slug !== READY && slug !== COMMAND_SLUG));
    expect(json.findings.find((f: { slug: string }) => f.slug === COMMAND_SLUG)).toMatchObject({ code: 'missing-manifest' });
    expect(unsafe.find((f: { slug: string }) => f.slug === HOSTILE.bidi)).toMatchObject({
      severity: 'error',
      path: path.join(t.live, HOSTILE.bidi),
      file: `migrations/${HOSTILE.bidi}`,
      message: `Migration directory name '${SHOWN.bidi}' holds control, bidi or invisible characters; cairn does not work on it.`,
    });
    const findings = json.findings.length;
    expect(json.findings.map((f: { code: string }) => f.code)).toContain('manifest-slug-mismatch');

    const text = run('text');
    expect(text).not.toMatch(RAW_UNSAFE_EXCEPT_NEWLINE);
    expectNoWorkflowCommand(text);
    expect(text.startsWith('\\x3a:error file=x,title=y::pwned\n  error   missing-manifest  ')).toBe(true);
    expect(text).toContain(`\n${SHOWN.esc}\n  error   unsafe-migration-name  migrations/${SHOWN.esc}\n`);
    expect(text).toContain("Manifest name 'other\\n::error::from-manifest\\x1b[2J' does not match");

    const tsv = run('tsv');
    expect(tsv).not.toMatch(RAW_UNSAFE_EXCEPT_NEWLINE_AND_TAB);
    expectNoWorkflowCommand(tsv);
    const rows = tsv.slice(0, -1).split('\n');
    expect(rows).toHaveLength(findings);
    for (const row of rows) expect(row.split('\t')).toHaveLength(5);
    expect(rows).toContain(
      // The message quotes the name already escaped (`tab\there`); TSV then escapes its backslash.
      `${SHOWN.tab}\terror\tunsafe-migration-name\t${t.live}/${SHOWN.tab}\tMigration directory name 'tab\\\\there' holds control, bidi or invisible characters; cairn does not work on it.`,
    );

    const github = run('github').split('\n');
    expect(github.pop()).toBe('');
    for (const line of github) {
      expect(line).not.toMatch(RAW_UNSAFE);
      if (line.startsWith('::')) expect(line).toMatch(/^::(error|warning|notice) file=[^\r\n:,]*,title=[a-z-]+::[^\r\n]*$/);
    }
    expect(github.filter((line) => line.startsWith('::'))).toHaveLength(findings);
    expect(github).toContain(
      `::error file=migrations/evil%0A%3A%3Aerror%3A%3Apwned,title=unsafe-migration-name::Migration directory name 'evil\\n::error::pwned' holds control, bidi or invisible characters; cairn does not work on it.%0Ahint: Rename the directory to a name of printable characters (\`ls -b\` shows the escapes; \`git mv\` keeps its history), or remove it if it was not meant to be committed.`,
    );

    const sarif = JSON.parse(run('sarif'));
    expect(sarif.runs[0].results).toHaveLength(findings);
    expect(sarif.runs[0].results.find((r: { properties: { slug: string } }) => r.properties.slug === HOSTILE.newline).locations[0].physicalLocation.artifactLocation).toEqual({
      uri: `migrations/${encodeURIComponent(HOSTILE.newline)}`,
      uriBaseId: '%SRCROOT%',
    });

    const junit = run('junit');
    assertWellFormedXml(junit);
    expectNoWorkflowCommand(junit);
    expect(junit).not.toMatch(RAW_UNSAFE_EXCEPT_NEWLINE);
    expect(junit.match(/<failure /g)).toHaveLength(findings);
    expect(junit).toContain(`<testcase classname="cairn.doctor" name="${SHOWN.esc}" file="migrations/${SHOWN.esc}">`);

    expect(readdirSync(t.sentinel)).toEqual(t.sentinelBefore);
  });

  it('cairn new refuses a slug with a control character (exit 2) and creates nothing', () => {
    const t = cairnRepo({ git: true });
    const result = runCli(['new', 'bad\x1b[2Jname', '--target', 'x'], { cwd: t.repo, ...TIMEOUT });
    expect([result.code, result.stdout, result.timedOut]).toEqual([2, '', false]);
    expect(result.stderr).toBe(
      "Error: Migration slug is not a safe path segment: 'bad\\x1b[2Jname' (it holds control, bidi or invisible characters; use printable characters only).\n",
    );
    expect(readdirSync(t.live)).toEqual([]);

    const bidi = runCli(['new', 'a\u202eb', '--target', 'x'], { cwd: t.repo, ...TIMEOUT });
    expect([bidi.code, bidi.stderr]).toEqual([
      2,
      "Error: Migration slug is not a safe path segment: 'a\\u202eb' (it holds control, bidi or invisible characters; use printable characters only).\n",
    ]);
  });

  it('status and ready print the hostile manifest text escaped', () => {
    const t = hostileRepo();
    const status = runCli(['status', READY], { cwd: t.repo, ...TIMEOUT });
    expect([status.code, status.timedOut]).toEqual([0, false]);
    expect(status.stdout + status.stderr).not.toMatch(RAW_UNSAFE_EXCEPT_NEWLINE);
    expectNoWorkflowCommand(status.stdout);
    expect(status.stdout).toContain('look\\x1b]0;pwned\\x07\\u202e');
    const ready = runCli(['ready'], { cwd: t.repo, ...TIMEOUT });
    expect(ready.timedOut).toBe(false);
    expect(ready.stdout + ready.stderr).not.toMatch(RAW_UNSAFE_EXCEPT_NEWLINE);
    expectNoWorkflowCommand(ready.stdout);
    expect(ready.stdout).toContain('look\\x1b]0;pwned\\x07\\u202e\\n::warning::x');
  });

  it('a command aimed at such a directory refuses it with the name escaped', () => {
    const t = hostileRepo();
    const result = runCli(['status', `migrations/${HOSTILE.esc}`], { cwd: t.repo, ...TIMEOUT });
    expect(result.code).toBe(2);
    expect(result.stderr).not.toMatch(RAW_UNSAFE_EXCEPT_NEWLINE);
    expect(result.stderr).toContain(
      `Migration path names a directory with control, bidi or invisible characters (unsafe-migration-name): ${t.live}/${SHOWN.esc}`,
    );
  });
});
