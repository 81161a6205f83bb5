import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { CairnError } from '../../src/util/errors.js';
import type { Manifest } from '../../src/migration/manifest.js';
import {
  applyDiscoveredPhases,
  discoverPhases,
  hasHeading,
  parsePhaseDocFilename,
  phaseFromDoc,
} from '../../src/migration/phase-docs.js';
import { tempDir } from '../support/tmp.js';

describe('parsePhaseDocFilename', () => {
  test.each([
    ['phase-1-a.md', { index: 1n, indexText: '1', name: 'a' }],
    ['phase-1-a-b.md', { index: 1n, indexText: '1', name: 'a-b' }],
    ['phase-01-x.md', { index: 1n, indexText: '01', name: 'x' }],
    ['phase-12-split-module.md', { index: 12n, indexText: '12', name: 'split-module' }],
    ['phase-99999999999999999999-x.md', { index: 99999999999999999999n, indexText: '99999999999999999999', name: 'x' }],
    ['phase-3-.md.md', { index: 3n, indexText: '3', name: '.md' }],
  ])('%s', (name, expected) => {
    expect(parsePhaseDocFilename(name)).toEqual(expected);
  });

  test.each(['phase-1-.md', 'phase--a.md', 'phase-a-b.md', 'phase-1a-b.md', 'phase-1-a.MD', 'phase-1-a.txt', 'Phase-1-a.md', 'xphase-1-a.md', 'phase-1.md', 'phase-\u0661-a.md', 'phase-1-a.md.bak'])(
    '%s is not a phase doc',
    (name) => {
      expect(parsePhaseDocFilename(name)).toBeNull();
    },
  );
});

describe('hasHeading', () => {
  test.each([
    ['## Precondition\n', 'Precondition', true],
    ['intro\n## precondition   \nbody', 'Precondition', true],
    ['## PRECONDITION\t', 'Precondition', true],
    ['## Definition of Done\r\n- x', 'Definition of Done', true],
    ['## definition OF done', 'Definition of Done', true],
    ['### Precondition', 'Precondition', false],
    ['## Preconditions', 'Precondition', false],
    [' ## Precondition', 'Precondition', false],
    ['## Precondition: none', 'Precondition', false],
    ['text ## Definition of Done', 'Definition of Done', false],
    ['## Definition  of Done', 'Definition of Done', false],
  ] as const)('%j has %s: %s', (text, heading, expected) => {
    expect(hasHeading(text, heading)).toBe(expected);
  });
});

describe('phaseFromDoc', () => {
  test('sections: body lines trimmed and joined by single spaces, up to the next ## heading', () => {
    const text = [
      '# Phase 1: Split',
      '## Precondition',
      '- Callers use the facade.',
      '',
      '   - The shim is tested.  ',
      '### detail stays in the section',
      '## Definition of Done',
      '- done',
      '## Required Effort',
      '`High`.',
      '## Effort Reason',
      'Touches',
      'the scheduler.',
    ].join('\n');
    expect(phaseFromDoc('phase-1-split.md', 'split', text)).toEqual({
      name: 'split',
      file: 'phase-1-split.md',
      done: false,
      precondition: '- Callers use the facade. - The shim is tested. ### detail stays in the section',
      required_effort: 'high',
      effort_reason: 'Touches the scheduler.',
    });
  });

  test('metadata lines are used when sections are absent; sections win over lines', () => {
    const lines = 'precondition: the adapter exists\nrequired_effort: medium;\neffort_reason: small diff\n';
    expect(phaseFromDoc('phase-2-x.md', 'x', lines)).toMatchObject({
      precondition: 'the adapter exists',
      required_effort: 'medium',
      effort_reason: 'small diff',
    });
    const both = `${lines}## Precondition\nfrom section\n## Required Effort\nxhigh\n## Effort Reason\nsection reason\n`;
    expect(phaseFromDoc('phase-2-x.md', 'x', both)).toMatchObject({
      precondition: 'from section',
      required_effort: 'xhigh',
      effort_reason: 'section reason',
    });
  });

  test('without any precondition, the default names the file; without effort, nulls', () => {
    expect(phaseFromDoc('phase-3-y.md', 'y', '# nothing here\n## Precondition\n\n## Definition of Done\n')).toEqual({
      name: 'y',
      file: 'phase-3-y.md',
      done: false,
      precondition: 'prerequisites in phase-3-y.md are met',
      required_effort: null,
      effort_reason: null,
    });
  });

  test.each([
    ['required_effort: `low`,', 'low'],
    ['required_effort: low: trivially', 'low'],
    ['required_effort:   HIGH.', 'high'],
    ['## Required Effort\n\n  medium because reasons\n', 'medium'],
  ])('effort token cleanup: %j', (text, effort) => {
    expect(phaseFromDoc('phase-1-a.md', 'a', text).required_effort).toBe(effort);
  });

  test('an invalid effort names the file', () => {
    expect(() => phaseFromDoc('phase-1-a.md', 'a', 'required_effort: extreme')).toThrow(
      new CairnError('invalid-manifest', "phase-1-a.md required_effort must be one of low, medium, high, xhigh: 'extreme'"),
    );
  });
});

describe('discoverPhases', () => {
  test('finds phase docs in the migration root, sorted by numeric index', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'phase-10-last.md'), '## Precondition\nten\n');
    writeFileSync(path.join(dir, 'phase-2-middle.md'), 'precondition: two\n');
    writeFileSync(path.join(dir, 'phase-01-first-step.md'), '## Precondition\none\n## Definition of Done\nx\n');
    writeFileSync(path.join(dir, 'plan.md'), '## Precondition\nno\n');
    writeFileSync(path.join(dir, 'phase-x-notes.md'), 'no');
    mkdirSync(path.join(dir, 'phase-3-dir.md'));
    mkdirSync(path.join(dir, 'approaches'));
    writeFileSync(path.join(dir, 'approaches', 'phase-4-nested.md'), 'no');
    expect(await discoverPhases(dir, 'slug')).toEqual([
      { name: 'first-step', file: 'phase-01-first-step.md', done: false, precondition: 'one', required_effort: null, effort_reason: null },
      { name: 'middle', file: 'phase-2-middle.md', done: false, precondition: 'two', required_effort: null, effort_reason: null },
      { name: 'last', file: 'phase-10-last.md', done: false, precondition: 'ten', required_effort: null, effort_reason: null },
    ]);
  });

  test('duplicate names are refused', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'phase-1-same.md'), '');
    writeFileSync(path.join(dir, 'phase-2-same.md'), '');
    await expect(discoverPhases(dir, 'my-slug')).rejects.toMatchObject({
      code: 'invalid-manifest',
      message: 'Duplicate phase names are not allowed in my-slug: same',
    });
  });

  test('an empty migration dir has no phases; a missing one is an error', async () => {
    const dir = tempDir();
    expect(await discoverPhases(dir, 's')).toEqual([]);
    await expect(discoverPhases(path.join(dir, 'gone'), 's')).rejects.toMatchObject({
      code: 'invalid-manifest',
      message: expect.stringMatching(/^Could not list phase docs in .*gone: ENOENT/),
    });
  });

  test('a doc that is not UTF-8 is reported with its path', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'phase-1-a.md'), Buffer.from([0xff]));
    await expect(discoverPhases(dir, 's')).rejects.toMatchObject({
      code: 'invalid-manifest',
      message: `Could not read phase doc ${path.join(dir, 'phase-1-a.md')}: 'utf-8' codec can't decode byte 0xff in position 0: invalid start byte`,
    });
  });
});

describe('applyDiscoveredPhases', () => {
  const manifest: Manifest = {
    name: 'm',
    created_at: 'c',
    last_touch: 'old',
    wake_up_on: null,
    awaiting_human_review: false,
    status: 'planning',
    current_phase: '',
    phases: [],
    human_review_reason: null,
    cooldown_until: null,
  };
  const phase = (name: string) => ({
    name,
    file: `phase-1-${name}.md`,
    done: false,
    precondition: 'p',
    required_effort: null,
    effort_reason: null,
  });

  test.each([
    ['', ['a', 'b'], 'a'],
    ['b', ['a', 'b'], 'b'],
    ['gone', ['a', 'b'], 'a'],
    ['gone', [], ''],
    ['', [], ''],
  ])('current phase %j with phases %j becomes %j', (current, names, expected) => {
    const refreshed = applyDiscoveredPhases({ ...manifest, current_phase: current }, names.map(phase), 'now');
    expect(refreshed.current_phase).toBe(expected);
    expect(refreshed.phases.map((p) => p.name)).toEqual(names);
    expect(refreshed.last_touch).toBe('now');
  });
});
