import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeFinding, rulesMarkdownTable, RULES, summarize, type DoctorGroup } from '../../src/consistency/index.js';
import { createReporter, escapeGithubData, escapeGithubProperty, escapeXml, type DoctorFormat } from '../../src/outputs/index.js';
import { REPO_ROOT } from '../support/cli.js';

/*
 * The six output formats, on hand-made groups: exact bytes for each.
 */

const REPO = '/work/repo';

const GROUPS: DoctorGroup[] = [
  {
    slug: 'alpha',
    path: `${REPO}/migrations/alpha`,
    kind: 'migration',
    findings: [
      makeFinding('missing-plan', {
        mode: 'doctor',
        slug: 'alpha',
        path: `${REPO}/migrations/alpha/plan.md`,
        message: 'Ready and in-progress migrations require plan.md.',
      }),
      makeFinding('stage-output-unrecorded', {
        mode: 'doctor',
        slug: 'alpha',
        path: `${REPO}/migrations/alpha/.planning/stages/a,b:c%.md`,
        message: "Stage file '.planning/stages/a,b:c%.md' is\nnot named <by> any \"accepted\" step & more.",
      }),
    ],
  },
  { slug: 'beta', path: `${REPO}/migrations/beta`, kind: 'migration', findings: [] },
  {
    slug: 'gamma',
    path: `${REPO}/migrations/gamma`,
    kind: 'migration',
    findings: [
      makeFinding('merge-conflict', {
        mode: 'doctor',
        slug: 'gamma',
        path: `${REPO}/migrations/gamma/manifest.json`,
        message: 'Unresolved git merge conflict in manifest.json (first conflict marker on line 3).',
        v1: { code: 'invalid-manifest', message: 'Could not parse manifest: Expecting value: line 3 column 1 (char 9)' },
      }),
    ],
  },
  {
    slug: '__transactions__',
    path: `${REPO}/migrations/__transactions__`,
    kind: 'transactions',
    findings: [
      makeFinding('publish-lock-present', {
        mode: 'doctor',
        slug: '__transactions__',
        path: `${REPO}/migrations/__transactions__/.lock`,
        message: 'Planning publish lock L is held by pid 1 on h; last heartbeat t.',
        severity: 'info',
        hint: 'Wait.',
      }),
    ],
  },
];

function render(format: DoctorFormat, groups: DoctorGroup[] = GROUPS, colour = false): string {
  const reporter = createReporter(format, {
    repoRoot: REPO,
    schemaVersion: 1,
    toolVersion: '9.9.9',
    ...(colour ? { paint: (c: string, text: string) => `<${c}>${text}</${c}>` } : {}),
  });
  let out = '';
  for (const group of groups) out += reporter.group(group);
  return out + reporter.end(summarize(groups));
}

const HINT_PLAN = 'Restore plan.md from version control, or set the status back to planning and plan the migration again.';
const HINT_UNRECORDED =
  'Stage files are written only for accepted steps: remove the stray file, or restore the state.json that recorded it.';
const HINT_CONFLICT = 'Take one side with `cairn resolve <slug> --ours` or `--theirs` while the merge is in progress, or keep the right lines, delete the <<<<<<<, ======= and >>>>>>> marker lines, then commit.';

describe('tsv', () => {
  it('is the original’s five columns, each field escaped (a newline stays in its row), v1 terms where cairn differs', () => {
    expect(render('tsv')).toBe(
      [
        `alpha\terror\tmissing-plan\t${REPO}/migrations/alpha/plan.md\tReady and in-progress migrations require plan.md.`,
        `alpha\twarning\tstage-output-unrecorded\t${REPO}/migrations/alpha/.planning/stages/a,b:c%.md\tStage file '.planning/stages/a,b:c%.md' is\\nnot named <by> any "accepted" step & more.`,
        `gamma\terror\tinvalid-manifest\t${REPO}/migrations/gamma/manifest.json\tCould not parse manifest: Expecting value: line 3 column 1 (char 9)`,
        `__transactions__\tinfo\tpublish-lock-present\t${REPO}/migrations/__transactions__/.lock\tPlanning publish lock L is held by pid 1 on h; last heartbeat t.`,
        '',
      ].join('\n'),
    );
  });

  it('prints nothing at all when clean', () => {
    expect(render('tsv', [GROUPS[1] as DoctorGroup])).toBe('');
  });
});

describe('text', () => {
  it('groups by migration with hints and a summary line', () => {
    expect(render('text')).toBe(
      [
        'alpha',
        '  error   missing-plan  migrations/alpha/plan.md',
        '          Ready and in-progress migrations require plan.md.',
        `          hint: ${HINT_PLAN}`,
        '  warning stage-output-unrecorded  migrations/alpha/.planning/stages/a,b:c%.md',
        '          Stage file \'.planning/stages/a,b:c%.md\' is\\nnot named <by> any "accepted" step & more.',
        `          hint: ${HINT_UNRECORDED}`,
        '',
        'gamma',
        '  error   merge-conflict  migrations/gamma/manifest.json',
        '          Unresolved git merge conflict in manifest.json (first conflict marker on line 3).',
        `          hint: ${HINT_CONFLICT}`,
        '',
        '__transactions__',
        '  info    publish-lock-present  migrations/__transactions__/.lock',
        '          Planning publish lock L is held by pid 1 on h; last heartbeat t.',
        '          hint: Wait.',
        '',
        '2 errors, 1 warning, 1 info; 3 migrations checked, 2 with findings.',
        '',
      ].join('\n'),
    );
  });

  it('colours severities, headings, hints and the summary through the painter', () => {
    const out = render('text', [GROUPS[0] as DoctorGroup], true);
    expect(out.split('\n').slice(0, 2)).toEqual(['<bold>alpha</bold>', '  <red>error  </red> missing-plan  migrations/alpha/plan.md']);
    expect(out).toContain(`<dim>hint: ${HINT_PLAN}</dim>`);
    expect(out).toContain('<yellow>warning</yellow> stage-output-unrecorded');
    expect(out.endsWith('<red>1 error, 1 warning, 0 info; 1 migration checked, 1 with findings.</red>\n')).toBe(true);
    expect(render('text', [GROUPS[1] as DoctorGroup], true)).toBe('<green>No findings; 1 migration checked.</green>\n');
  });
});

describe('json', () => {
  it('is {schema_version, findings, summary}', () => {
    const doc = JSON.parse(render('json')) as { schema_version: number; findings: Record<string, unknown>[]; summary: unknown };
    expect(doc.schema_version).toBe(1);
    expect(doc.findings[0]).toEqual({
      slug: 'alpha',
      severity: 'error',
      mode: 'doctor',
      code: 'missing-plan',
      path: `${REPO}/migrations/alpha/plan.md`,
      file: 'migrations/alpha/plan.md',
      message: 'Ready and in-progress migrations require plan.md.',
      hint: HINT_PLAN,
    });
    expect(doc.findings.map((f) => f['code'])).toEqual(['missing-plan', 'stage-output-unrecorded', 'merge-conflict', 'publish-lock-present']);
    expect(doc.findings[2]?.['v1']).toEqual({
      code: 'invalid-manifest',
      message: 'Could not parse manifest: Expecting value: line 3 column 1 (char 9)',
    });
    expect('v1' in (doc.findings[0] as object)).toBe(false);
    expect(doc.summary).toEqual({
      migrations: 3,
      migrations_with_findings: 2,
      findings: 4,
      errors: 2,
      warnings: 1,
      infos: 1,
      fail_on: 'error',
      failed: true,
    });
  });
});

describe('github', () => {
  it('escapes data (%, CR, LF) and properties (also : and ,)', () => {
    expect(escapeGithubData('50% done\r\nnext: a,b')).toBe('50%25 done%0D%0Anext: a,b');
    expect(escapeGithubProperty('a,b:c%\n')).toBe('a%2Cb%3Ac%25%0A');
  });

  it('prints one workflow command per finding and a summary line', () => {
    expect(render('github')).toBe(
      [
        `::error file=migrations/alpha/plan.md,title=missing-plan::Ready and in-progress migrations require plan.md.%0Ahint: ${HINT_PLAN}`,
        `::warning file=migrations/alpha/.planning/stages/a%2Cb%3Ac%25.md,title=stage-output-unrecorded::Stage file '.planning/stages/a,b:c%25.md' is%0Anot named <by> any "accepted" step & more.%0Ahint: ${HINT_UNRECORDED}`,
        `::error file=migrations/gamma/manifest.json,title=merge-conflict::Unresolved git merge conflict in manifest.json (first conflict marker on line 3).%0Ahint: ${HINT_CONFLICT}`,
        '::notice file=migrations/__transactions__/.lock,title=publish-lock-present::Planning publish lock L is held by pid 1 on h; last heartbeat t.%0Ahint: Wait.',
        'cairn doctor: 2 errors, 1 warning, 1 info; 3 migrations checked.',
        '',
      ].join('\n'),
    );
  });
});

describe('junit', () => {
  it('escapes XML and drops characters XML cannot hold', () => {
    expect(escapeXml(`a<b>&"c'\u0001\ud800\ufffe`)).toBe('a&lt;b&gt;&amp;&quot;c&apos;\\x01\\ud800\ufffd');
  });

  it('has one testcase per group and a failure per finding', () => {
    expect(render('junit')).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<testsuites name="cairn doctor" tests="4" failures="3">',
        '  <testsuite name="cairn doctor" tests="4" failures="3" errors="0" skipped="0">',
        '    <testcase classname="cairn.doctor" name="alpha" file="migrations/alpha">',
        `      <failure type="missing-plan" message="Ready and in-progress migrations require plan.md.">error missing-plan migrations/alpha/plan.md`,
        'Ready and in-progress migrations require plan.md.',
        `hint: ${HINT_PLAN}</failure>`,
        `      <failure type="stage-output-unrecorded" message="Stage file &apos;.planning/stages/a,b:c%.md&apos; is\nnot named &lt;by&gt; any &quot;accepted&quot; step &amp; more.">warning stage-output-unrecorded migrations/alpha/.planning/stages/a,b:c%.md`,
        'Stage file &apos;.planning/stages/a,b:c%.md&apos; is',
        'not named &lt;by&gt; any &quot;accepted&quot; step &amp; more.',
        `hint: ${HINT_UNRECORDED}</failure>`,
        '    </testcase>',
        '    <testcase classname="cairn.doctor" name="beta" file="migrations/beta"/>',
        '    <testcase classname="cairn.doctor" name="gamma" file="migrations/gamma">',
        '      <failure type="merge-conflict" message="Unresolved git merge conflict in manifest.json (first conflict marker on line 3).">error merge-conflict migrations/gamma/manifest.json',
        'Unresolved git merge conflict in manifest.json (first conflict marker on line 3).',
        `hint: ${escapeXml(HINT_CONFLICT)}</failure>`,
        '    </testcase>',
        '    <testcase classname="cairn.doctor" name="__transactions__" file="migrations/__transactions__">',
        '      <failure type="publish-lock-present" message="Planning publish lock L is held by pid 1 on h; last heartbeat t.">info publish-lock-present migrations/__transactions__/.lock',
        'Planning publish lock L is held by pid 1 on h; last heartbeat t.',
        'hint: Wait.</failure>',
        '    </testcase>',
        '  </testsuite>',
        '</testsuites>',
        '',
      ].join('\n'),
    );
  });
});

describe('sarif', () => {
  it('lists one rule per registered code and locates results repo-relative', () => {
    const log = JSON.parse(render('sarif')) as {
      version: string;
      runs: { tool: { driver: { name: string; version: string; rules: { id: string }[] } }; results: Record<string, unknown>[]; originalUriBaseIds: unknown }[];
    };
    const run = log.runs[0];
    expect(log.version).toBe('2.1.0');
    expect(run?.tool.driver.name).toBe('cairn');
    expect(run?.tool.driver.version).toBe('9.9.9');
    expect(run?.tool.driver.rules.map((rule) => rule.id)).toEqual(RULES.map((rule) => rule.code));
    expect(run?.originalUriBaseIds).toEqual({ '%SRCROOT%': { uri: 'file:///work/repo/' } });
    expect(run?.results[1]).toEqual({
      ruleId: 'stage-output-unrecorded',
      ruleIndex: RULES.findIndex((rule) => rule.code === 'stage-output-unrecorded'),
      level: 'warning',
      message: { text: "Stage file '.planning/stages/a,b:c%.md' is\nnot named <by> any \"accepted\" step & more." },
      locations: [
        { physicalLocation: { artifactLocation: { uri: 'migrations/alpha/.planning/stages/a%2Cb%3Ac%25.md', uriBaseId: '%SRCROOT%' } } },
      ],
      properties: { slug: 'alpha', mode: 'doctor', hint: HINT_UNRECORDED },
    });
    expect(run?.results.map((r) => r['level'])).toEqual(['error', 'warning', 'error', 'note']);
  });
});

describe('rule table', () => {
  it('has a row per rule, with its severity and hint', () => {
    const table = rulesMarkdownTable().trimEnd().split('\n');
    expect(table.slice(0, 2)).toEqual(['| code | severity | from | runs | meaning | fix |', '|---|---|---|---|---|---|']);
    expect(table).toHaveLength(RULES.length + 2);
    expect(table[2]).toBe(
      '| `missing-manifest` | error | v1 | every mode | The migration directory has no `manifest.json`. Reported alone. | Restore manifest.json from version control; a migration directory without one cannot be planned or executed. |',
    );
    expect(new Set(RULES.map((rule) => rule.code)).size).toBe(RULES.length);
    for (const rule of RULES) expect([rule.description.length > 0, rule.hint.length > 0]).toEqual([true, true]);
  });
});

describe('README', () => {
  it('carries the current rule table', () => {
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(rulesMarkdownTable());
  });
});
