import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { doctorAll, makeFinding, RULES, summarize, type DoctorGroup } from '../../src/consistency/index.js';
import { createReporter, DOCTOR_FORMATS, listRowJson, type DoctorFormat } from '../../src/outputs/index.js';
import { formatListTsv, scanMigrations, type ListRow } from '../../src/planning/index.js';
import { MIGRATION_STATUSES } from '../../src/migration/index.js';
import { terminalSafe } from '../../src/cli/output.js';
import { tsvField, withoutWorkflowCommands } from '../../src/util/index.js';
import { tempDir } from '../support/tmp.js';
import { assertWellFormedXml, RAW_UNSAFE, RAW_UNSAFE_EXCEPT_NEWLINE, RAW_UNSAFE_EXCEPT_NEWLINE_AND_TAB } from './well-formed.js';

/*
 * Names and file contents full of control characters, bidi controls,
 * workflow-command syntax and lone surrogates never break an output format:
 * one TSV row per finding or migration, every GitHub line a workflow command
 * whose data and properties cannot start another command (or plain text),
 * JSON and SARIF that parse, JUnit that is well-formed XML, and text with no
 * raw control character.
 */

/** Pieces hostile text is built from. */
const PIECES = [
  '\n', '\r', '\r\n', '\t', '\x00', '\x07', '\x1b', '\x1b[31m', '\x1b]0;title\x07', '\x7f', '\x85', '\x9b',
  '\u202a', '\u202e', '\u2066', '\u2069', '\u200e', '\u200f', '\u061c', '\u2028', '\u2029', '\ufeff', '\u200b',
  '::', '::error::pwned', '::add-mask::x', '::stop-commands::t', '##[error]x', '#', '[', '%', '%0A', '%25', ',', ':', '=', '\\', '\\t',
  '<', '>', '&', '&amp;', '"', "'", ']]>', '<!--', '\ud800', '\udfff', '\uffff', 'é', '😀', 'a', 'b', 'z', '-', '.', ' ',
];

const hostileText = fc.array(fc.constantFrom(...PIECES), { maxLength: 10 }).map((parts) => parts.join(''));

/** A directory name Linux can hold: no NUL, no `/`, no lone surrogate (which no UTF-8 name decodes to), not empty. */
const hostileDirName = fc
  .array(fc.constantFrom(...PIECES.filter((piece) => !/[\x00/]|[\ud800-\udfff]/.test(piece) || /[\ud800-\udbff][\udc00-\udfff]/.test(piece))), {
    minLength: 1,
    maxLength: 8,
  })
  .map((parts) => `m${parts.join('')}`)
  .filter((name) => Buffer.byteLength(name) < 200);

const REPO = '/work/repo';
const CODES = RULES.map((rule) => rule.code);

const finding = fc.record({
  code: fc.constantFrom(...CODES),
  severity: fc.constantFrom('error' as const, 'warning' as const, 'info' as const),
  slug: hostileText,
  file: hostileText,
  message: hostileText,
  hint: hostileText,
});

const group = fc.record({ slug: hostileText, findings: fc.array(finding, { maxLength: 4 }) }).map(
  ({ slug, findings }): DoctorGroup => ({
    slug,
    path: `${REPO}/migrations/${slug}`,
    kind: 'migration',
    findings: findings.map((f) =>
      makeFinding(f.code, { mode: 'doctor', slug: f.slug, path: `${REPO}/migrations/${f.file}`, message: f.message, hint: f.hint, severity: f.severity }),
    ),
  }),
);

function render(format: DoctorFormat, groups: DoctorGroup[], repoRoot = REPO): string {
  const reporter = createReporter(format, { repoRoot, schemaVersion: 1, toolVersion: '9.9.9' });
  let out = '';
  for (const g of groups) out += reporter.group(g);
  return out + reporter.end(summarize(groups));
}

/** No line reads as a GitHub workflow command: the runner trims leading spaces, then looks for `::` (or the old `##[`). */
function expectNoWorkflowCommand(text: string): void {
  for (const line of text.split('\n')) expect(/^\s*(::|##\[)/.test(line), line).toBe(false);
}

const GITHUB_COMMAND = /^::(error|warning|notice) file=([^\r\n:,]*),title=([^\r\n:,]*)::([^\r\n]*)$/;

/** Every format of one doctor run is well-formed and carries every finding. */
function expectWellFormedDoctor(groups: DoctorGroup[], repoRoot = REPO): void {
  const findings = groups.flatMap((g) => g.findings);

  const tsv = render('tsv', groups, repoRoot);
  const rows = tsv === '' ? [] : tsv.slice(0, -1).split('\n');
  expect(rows).toHaveLength(findings.length);
  for (const row of rows) {
    expect(row.split('\t')).toHaveLength(5);
    expect(row).not.toMatch(RAW_UNSAFE_EXCEPT_NEWLINE_AND_TAB);
  }
  rows.forEach((row, i) => expect(row.split('\t')[0]).toBe(withoutWorkflowCommands(tsvField(findings[i]!.slug))));

  const github = render('github', groups, repoRoot).split('\n');
  expect(github.pop()).toBe('');
  const commands = github.filter((line) => line.startsWith('::'));
  expect(commands).toHaveLength(findings.length);
  for (const line of github) {
    expect(line).not.toMatch(RAW_UNSAFE);
    if (!/^\s*(::|##\[)/.test(line)) continue;
    const match = GITHUB_COMMAND.exec(line);
    expect(match, line).not.toBeNull();
  }
  expect(github.at(-1)).toMatch(/^cairn doctor: /);

  const json = JSON.parse(render('json', groups, repoRoot));
  expect(json.findings.map((f: { slug: string; message: string }) => [f.slug, f.message])).toEqual(findings.map((f) => [f.slug, f.message]));

  const sarif = JSON.parse(render('sarif', groups, repoRoot));
  expect(sarif.runs[0].results).toHaveLength(findings.length);

  const junit = render('junit', groups, repoRoot);
  assertWellFormedXml(junit);
  expect(junit.match(/<failure /g) ?? []).toHaveLength(findings.length);

  const text = render('text', groups, repoRoot);
  expect(text).not.toMatch(RAW_UNSAFE_EXCEPT_NEWLINE);
  expectNoWorkflowCommand(text);
  expectNoWorkflowCommand(tsv);
  expectNoWorkflowCommand(junit);
}


const listRow = fc.record({
  slug: hostileText,
  status: fc.constantFrom(...MIGRATION_STATUSES, 'invalid-manifest' as const),
  cursor: hostileText,
  awaitingReview: fc.boolean(),
  lastTouch: fc.option(hostileText),
  cooldownUntil: fc.option(hostileText),
  reason: fc.option(hostileText),
  blocked: fc.boolean(),
  mergeConflict: fc.constant(null),
}) satisfies fc.Arbitrary<ListRow>;

function expectWellFormedList(rows: ListRow[]): void {
  const tsv = formatListTsv(rows, { headers: true });
  expectNoWorkflowCommand(tsv);
  const lines = tsv.slice(0, -1).split('\n');
  expect(lines).toHaveLength(rows.length + 1);
  for (const line of lines) {
    expect(line.split('\t')).toHaveLength(7);
    expect(line).not.toMatch(RAW_UNSAFE_EXCEPT_NEWLINE_AND_TAB);
  }
  const json = JSON.parse(terminalSafe(`${JSON.stringify({ migrations: rows.map(listRowJson) }, null, 2)}\n`, false));
  expect(json.migrations.map((row: { slug: string }) => row.slug)).toEqual(rows.map((row) => row.slug));
}

/** Decodes a TSV field written by tsvField (`\\`, `\t`, `\n`, `\r`). */
function decodeTsvField(field: string): string {
  return field.replace(/\\(.)/g, (_all, char: string) => ({ t: '\t', n: '\n', r: '\r', '\\': '\\' })[char] ?? `\\${char}`);
}

describe('output formats stay well-formed for hostile names and contents', () => {
  it('doctor: tsv, github, json, sarif, junit and text, on generated findings', () => {
    fc.assert(
      fc.property(fc.array(group, { maxLength: 5 }), (groups) => expectWellFormedDoctor(groups)),
      { numRuns: 400 },
    );
  });

  it('list: one tsv row per migration with the header’s seven columns; json parses to the same slugs', () => {
    fc.assert(fc.property(fc.array(listRow, { maxLength: 6 }), expectWellFormedList), { numRuns: 400 });
  });

  it('a TSV field decodes back to its text (backslash, tab, newline and CR are escaped unambiguously)', () => {
    const plain = fc.array(fc.constantFrom('\\', '\t', '\n', '\r', 'a', 'n', 't', 'r', '\\n'), { maxLength: 12 }).map((p) => p.join(''));
    fc.assert(
      fc.property(plain, (text) => {
        const field = tsvField(text);
        expect(field).not.toMatch(/[\t\n\r]/);
        expect(decodeTsvField(field)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it('the CLI guard leaves no raw control or bidi character but newlines, tabs and, with colour, cairn’s own colours', () => {
    fc.assert(
      fc.property(hostileText, fc.boolean(), (text, color) => {
        const safe = terminalSafe(text, color);
        const withoutOwn = color ? safe.replace(/\x1b\[(?:0|1|2|31|32|33|36)m/g, '') : safe;
        expect(withoutOwn).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|\p{Cs}/u);
      }),
      { numRuns: 500 },
    );
  });

  it('doctor --all and list on real directories with hostile names and hostile file contents', async () => {
    const migration = fc.record({
      name: hostileDirName,
      manifestName: hostileText,
      status: fc.constantFrom('planning', 'ready', 'in-progress', 'done'),
      currentPhase: hostileText,
      phaseFile: hostileText,
      reviewReason: hostileText,
      sums: hostileText,
      reviews: hostileText,
    });
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(migration, { maxLength: 4, selector: (m) => m.name }), async (migrations) => {
        const repo = tempDir('cairn-names-');
        const live = path.join(repo, 'migrations');
        mkdirSync(live);
        for (const m of migrations) {
          const dir = path.join(live, m.name);
          mkdirSync(path.join(dir, '.planning'), { recursive: true });
          const manifest = {
            name: m.manifestName,
            status: m.status,
            current_phase: m.currentPhase,
            awaiting_human_review: true,
            human_review_reason: m.reviewReason,
            created_at: '2026-01-01T00:00:00.000+00:00',
            last_touch: '2026-01-01T00:00:00.000+00:00',
            cooldown_until: null,
            wake_up_on: null,
            phases: [{ name: m.currentPhase, file: m.phaseFile, done: false, precondition: m.reviewReason }],
          };
          writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
          writeFileSync(path.join(dir, '.planning', 'sums'), `${m.sums}\n`);
          writeFileSync(path.join(dir, '.planning', 'reviews.jsonl'), `${m.reviews}\n`);
        }
        const groups: DoctorGroup[] = [];
        for await (const g of doctorAll({ repoRoot: repo, liveRoot: live })) groups.push(g);
        expect(groups.filter((g) => g.kind === 'migration')).toHaveLength(migrations.filter((m) => !m.name.startsWith('.') && !m.name.startsWith('__')).length);
        expectWellFormedDoctor(groups, repo);
        expectWellFormedList(await scanMigrations(live, repo));
      }),
      { numRuns: 40 },
    );
  }, 120_000);
});

describe('every doctor format is covered', () => {
  it('lists the six formats', () => {
    expect([...DOCTOR_FORMATS].sort()).toEqual(['github', 'json', 'junit', 'sarif', 'text', 'tsv']);
  });
});
