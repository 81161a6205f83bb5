import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { CairnError } from '../../src/util/errors.js';
import { parseJson } from '../../src/json/index.js';
import {
  decodeManifest,
  encodeManifest,
  loadManifest,
  saveManifest,
  type Manifest,
} from '../../src/migration/manifest.js';
import { tempDir } from '../support/tmp.js';

const PHASE_A = `{"name": "a", "file": "phase-1-a.md", "done": false, "precondition": "pa"}`;
const PHASE_B = `{"name": "b", "file": "phase-2-b.md", "done": true, "precondition": "pb", "required_effort": "high", "effort_reason": "why"}`;

/** A manifest document with `fields` (raw JSON snippets) overriding or adding keys; `undefined` removes one. */
function doc(fields: Record<string, string | undefined> = {}): string {
  const base: Record<string, string | undefined> = {
    name: '"m"',
    created_at: '"2026-01-01T00:00:00.000+00:00"',
    last_touch: '"2026-01-02T00:00:00.000+00:00"',
    status: '"ready"',
    current_phase: '"a"',
    phases: `[${PHASE_A}, ${PHASE_B}]`,
    ...fields,
  };
  const parts = Object.entries(base)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${JSON.stringify(key)}: ${value}`);
  return `{${parts.join(', ')}}`;
}

function decode(text: string): Manifest {
  return decodeManifest(parseJson(text));
}

function decodeError(text: string): CairnError {
  try {
    decode(text);
  } catch (error) {
    expect(error).toBeInstanceOf(CairnError);
    return error as CairnError;
  }
  throw new Error('decoded without error');
}

function phasesWith(phase: string): string {
  return `[${phase}]`;
}

const EXPECTED_A = {
  name: 'a',
  file: 'phase-1-a.md',
  done: false,
  precondition: 'pa',
  required_effort: null,
  effort_reason: null,
};
const EXPECTED_B = {
  name: 'b',
  file: 'phase-2-b.md',
  done: true,
  precondition: 'pb',
  required_effort: 'high',
  effort_reason: 'why',
};

describe('decodeManifest', () => {
  test('decodes every field and applies the defaults for missing optional keys', () => {
    expect(decode(doc())).toEqual({
      name: 'm',
      created_at: '2026-01-01T00:00:00.000+00:00',
      last_touch: '2026-01-02T00:00:00.000+00:00',
      wake_up_on: null,
      awaiting_human_review: false,
      status: 'ready',
      current_phase: 'a',
      phases: [EXPECTED_A, EXPECTED_B],
      human_review_reason: null,
      cooldown_until: null,
    });
  });

  test('keeps explicit optional values', () => {
    const manifest = decode(
      doc({
        wake_up_on: '"w"',
        awaiting_human_review: 'true',
        human_review_reason: '"needs sign-off"',
        cooldown_until: '"c"',
      }),
    );
    expect([manifest.wake_up_on, manifest.awaiting_human_review, manifest.human_review_reason, manifest.cooldown_until]).toEqual([
      'w',
      true,
      'needs sign-off',
      'c',
    ]);
  });

  test.each(['planning', 'ready', 'in-progress', 'skipped', 'done'])('accepts status %s', (status) => {
    expect(decode(doc({ status: JSON.stringify(status) })).status).toBe(status);
  });

  test('missing or null phases decode as an empty list', () => {
    expect(decode(doc({ phases: undefined, current_phase: '""' })).phases).toEqual([]);
    expect(decode(doc({ phases: 'null', current_phase: '""' })).phases).toEqual([]);
  });

  test('current_phase "" is allowed even when phases exist', () => {
    expect(decode(doc({ current_phase: '""' })).current_phase).toBe('');
  });

  test.each([
    ['0', 'a'],
    ['1', 'b'],
    ['2', ''],
    ['-1', ''],
    ['99999999999999999999999', ''],
  ])('legacy integer current_phase %s reads as %j', (raw, expected) => {
    expect(decode(doc({ current_phase: raw })).current_phase).toBe(expected);
  });

  test('legacy integer current_phase with no phases reads as ""', () => {
    expect(decode(doc({ phases: '[]', current_phase: '0' })).current_phase).toBe('');
  });

  test("legacy ready_when is read as the precondition; 'precondition' wins when both exist", () => {
    const legacy = decode(doc({ phases: phasesWith('{"name": "a", "file": "f", "done": false, "ready_when": "rw"}') }));
    expect(legacy.phases[0]?.precondition).toBe('rw');
    const both = decode(
      doc({ phases: phasesWith('{"name": "a", "file": "f", "done": false, "ready_when": "rw", "precondition": "p"}') }),
    );
    expect(both.phases[0]?.precondition).toBe('p');
  });

  test('unknown keys are ignored and dropped on re-save', () => {
    const manifest = decode(
      doc({ extra: '{"x": 1}', phases: phasesWith('{"name": "a", "file": "f", "done": false, "precondition": "p", "note": 1}') }),
    );
    expect(Object.keys(manifest).sort()).toEqual([
      'awaiting_human_review',
      'cooldown_until',
      'created_at',
      'current_phase',
      'human_review_reason',
      'last_touch',
      'name',
      'phases',
      'status',
      'wake_up_on',
    ]);
    expect(encodeManifest(manifest)).not.toContain('note');
    expect(encodeManifest(manifest)).not.toContain('extra');
  });

  // Every message the manifest codec produces, in one table.
  test.each([
    ['top level is a list', '[1, 2]', 'Migration manifest must be an object: [1, 2]'],
    ['top level is a string', '"x"', "Migration manifest must be an object: 'x'"],
    ['name missing', doc({ name: undefined }), "Migration field 'name' must be a string: None"],
    ['name is a number', doc({ name: '5' }), "Migration field 'name' must be a string: 5"],
    ['created_at is a float', doc({ created_at: '1.0' }), "Migration field 'created_at' must be a string: 1.0"],
    ['last_touch is null', doc({ last_touch: 'null' }), "Migration field 'last_touch' must be a string: None"],
    ['wake_up_on is a bool', doc({ wake_up_on: 'false' }), "Migration field 'wake_up_on' must be a string or null: False"],
    [
      'awaiting_human_review is a string',
      doc({ awaiting_human_review: '"yes"' }),
      "Migration field 'awaiting_human_review' must be a boolean: 'yes'",
    ],
    ['awaiting_human_review is 1', doc({ awaiting_human_review: '1' }), "Migration field 'awaiting_human_review' must be a boolean: 1"],
    ['awaiting_human_review is null', doc({ awaiting_human_review: 'null' }), "Migration field 'awaiting_human_review' must be a boolean: None"],
    ['status missing', doc({ status: undefined }), 'Migration status must be a string: None'],
    ['status is a number', doc({ status: '3' }), 'Migration status must be a string: 3'],
    ['status is unknown', doc({ status: '"active"' }), "Unknown migration status: 'active'"],
    ['phases is an object', doc({ phases: '{}' }), "Migration field 'phases' must be a list: {}"],
    ['phases is a string', doc({ phases: '"a"' }), "Migration field 'phases' must be a list: 'a'"],
    ['a phase is a string', doc({ phases: '["a"]' }), "Migration field 'phases[0]' must be an object: 'a'"],
    ['phase name missing', doc({ phases: phasesWith('{"file": "f", "done": false, "precondition": "p"}') }), "Migration field 'phases[0].name' must be a string: None"],
    ['phase file is a number', doc({ phases: phasesWith('{"name": "a", "file": 1, "done": false, "precondition": "p"}') }), "Migration field 'phases[0].file' must be a string: 1"],
    ['phase done missing', doc({ phases: phasesWith('{"name": "a", "file": "f", "precondition": "p"}') }), "Migration field 'phases[0].done' must be a boolean: None"],
    ['phase done is 0', doc({ phases: phasesWith('{"name": "a", "file": "f", "done": 0, "precondition": "p"}') }), "Migration field 'phases[0].done' must be a boolean: 0"],
    ['phase done is "true"', doc({ phases: phasesWith('{"name": "a", "file": "f", "done": "true", "precondition": "p"}') }), "Migration field 'phases[0].done' must be a boolean: 'true'"],
    [
      'phase without precondition',
      doc({ phases: phasesWith('{"name": "a", "file": "f", "done": false}') }),
      "Migration field 'phases[0]' must include 'precondition' (or legacy 'ready_when')",
    ],
    ['phase precondition is null', doc({ phases: phasesWith('{"name": "a", "file": "f", "done": false, "precondition": null}') }), "Migration field 'phases[0].precondition' must be a string: None"],
    ['phase ready_when is a list', doc({ phases: phasesWith('{"name": "a", "file": "f", "done": false, "ready_when": []}') }), "Migration field 'phases[0].ready_when' must be a string: []"],
    [
      'unknown effort',
      doc({ phases: `[${PHASE_A}, {"name": "c", "file": "f", "done": false, "precondition": "p", "required_effort": "extreme"}]` }),
      "Migration field 'phases[1].required_effort' must be one of low, medium, high, xhigh: 'extreme'",
    ],
    [
      'effort in capitals',
      doc({ phases: phasesWith('{"name": "a", "file": "f", "done": false, "precondition": "p", "required_effort": "HIGH"}') }),
      "Migration field 'phases[0].required_effort' must be one of low, medium, high, xhigh: 'HIGH'",
    ],
    [
      'effort is a number',
      doc({ phases: phasesWith('{"name": "a", "file": "f", "done": false, "precondition": "p", "required_effort": 2}') }),
      "Migration field 'phases[0].required_effort' must be one of low, medium, high, xhigh: 2",
    ],
    [
      'effort_reason is a number',
      doc({ phases: phasesWith('{"name": "a", "file": "f", "done": false, "precondition": "p", "effort_reason": 2}') }),
      "Migration field 'phases[0].effort_reason' must be a string or null: 2",
    ],
    [
      'duplicate phase names',
      doc({ phases: `[${PHASE_B}, ${PHASE_A}, ${PHASE_A}, ${PHASE_B}]` }),
      'Duplicate phase names are not allowed: a, b',
    ],
    ['human_review_reason is a list', doc({ human_review_reason: '[]' }), "Migration field 'human_review_reason' must be a string or null: []"],
    ['cooldown_until is a number', doc({ cooldown_until: '0' }), "Migration field 'cooldown_until' must be a string or null: 0"],
    ['current_phase names no phase', doc({ current_phase: '"setup"' }), "Migration field 'current_phase' names an unknown phase: 'setup'"],
    ['current_phase missing', doc({ current_phase: undefined }), "Migration field 'current_phase' must be a string or legacy int: None"],
    ['current_phase null', doc({ current_phase: 'null' }), "Migration field 'current_phase' must be a string or legacy int: None"],
    ['current_phase true', doc({ current_phase: 'true' }), "Migration field 'current_phase' must be a string or legacy int: True"],
    ['current_phase false', doc({ current_phase: 'false' }), "Migration field 'current_phase' must be a string or legacy int: False"],
    ['current_phase 1.0', doc({ current_phase: '1.0' }), "Migration field 'current_phase' must be a string or legacy int: 1.0"],
    ['current_phase 1e0', doc({ current_phase: '1e0' }), "Migration field 'current_phase' must be a string or legacy int: 1.0"],
    ['current_phase an object', doc({ current_phase: '{"a": 1}' }), "Migration field 'current_phase' must be a string or legacy int: {'a': 1}"],
  ])('%s', (_label, text, message) => {
    const error = decodeError(text);
    expect(error.code).toBe('invalid-manifest');
    expect(error.message).toBe(message);
  });

  test('a very long offending value is shortened in the message', () => {
    const error = decodeError(doc({ name: `[${'1, '.repeat(200)}1]` }));
    expect(error.message).toBe(`Migration field 'name' must be a string: [${'1, '.repeat(66)}1...`);
  });
});

describe('encodeManifest', () => {
  test('writes all ten keys and all six phase keys, sorted, with explicit nulls', () => {
    const manifest = decode(doc({ phases: phasesWith('{"name": "a", "file": "phase-1-a.md", "done": false, "ready_when": "r\u00e9"}') }));
    expect(encodeManifest(manifest)).toBe(
      [
        '{',
        '  "awaiting_human_review": false,',
        '  "cooldown_until": null,',
        '  "created_at": "2026-01-01T00:00:00.000+00:00",',
        '  "current_phase": "a",',
        '  "human_review_reason": null,',
        '  "last_touch": "2026-01-02T00:00:00.000+00:00",',
        '  "name": "m",',
        '  "phases": [',
        '    {',
        '      "done": false,',
        '      "effort_reason": null,',
        '      "file": "phase-1-a.md",',
        '      "name": "a",',
        '      "precondition": "r\\u00e9",',
        '      "required_effort": null',
        '    }',
        '  ],',
        '  "status": "ready",',
        '  "wake_up_on": null',
        '}',
        '',
      ].join('\n'),
    );
  });

  test('legacy integer current_phase is re-saved as the phase name', () => {
    expect(encodeManifest(decode(doc({ current_phase: '1' })))).toContain('  "current_phase": "b",\n');
  });

  test('empty phases are written as []', () => {
    expect(encodeManifest(decode(doc({ phases: undefined, current_phase: '""' })))).toContain('  "phases": [],\n');
  });

  test.each([
    [
      'unknown current phase',
      (m: Manifest): Manifest => ({ ...m, current_phase: 'x' }),
      "Cannot save manifest with unknown current phase 'x'",
    ],
    [
      'duplicate phase names',
      (m: Manifest): Manifest => ({ ...m, phases: [m.phases[0]!, m.phases[0]!] }),
      'Duplicate phase names are not allowed: a',
    ],
    [
      'unknown status',
      (m: Manifest): Manifest => ({ ...m, status: 'paused' as Manifest['status'] }),
      "Unknown migration status: 'paused'",
    ],
  ])('refuses %s', (_label, mutate, message) => {
    const manifest = mutate(decode(doc()));
    expect(() => encodeManifest(manifest)).toThrow(new CairnError('invalid-manifest', message));
  });
});

describe('loadManifest / saveManifest', () => {
  test('round-trips through the filesystem with exact bytes', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'manifest.json');
    writeFileSync(file, doc({ current_phase: '0', extra: '1' }));
    const manifest = await loadManifest(file);
    await saveManifest(file, manifest);
    const written = readFileSync(file, 'utf8');
    expect(written).toBe(encodeManifest({ ...manifest }));
    expect(written).toContain('"current_phase": "a"');
    expect(await loadManifest(file)).toEqual(manifest);
  });

  test('a missing file is a load error', async () => {
    const file = path.join(tempDir(), 'manifest.json');
    await expect(loadManifest(file)).rejects.toMatchObject({
      code: 'invalid-manifest',
      path: file,
      message: `Could not load manifest ${file}: [Errno 2] No such file or directory: '${file}'`,
    });
  });

  test('invalid UTF-8 is a load error', async () => {
    const file = path.join(tempDir(), 'manifest.json');
    writeFileSync(file, Buffer.from([0x7b, 0xff, 0x7d]));
    await expect(loadManifest(file)).rejects.toMatchObject({
      code: 'invalid-manifest',
      message: `Could not load manifest ${file}: 'utf-8' codec can't decode byte 0xff in position 1: invalid start byte`,
    });
  });

  test.each([
    ['truncated', '{"name": "m", ', 'Expecting property name enclosed in double quotes: line 1 column 15 (char 14)'],
    ['conflict markers', '<<<<<<< HEAD\n{}\n=======\n{}\n>>>>>>> x\n', 'Expecting value: line 1 column 1 (char 0)'],
    ['empty', '', 'Expecting value: line 1 column 1 (char 0)'],
  ])('%s JSON is a parse error with the Python message', async (_label, text, pythonMessage) => {
    const file = path.join(tempDir(), 'manifest.json');
    writeFileSync(file, text);
    await expect(loadManifest(file)).rejects.toMatchObject({
      code: 'invalid-manifest',
      path: file,
      message: `Could not parse manifest ${file}: ${pythonMessage}`,
    });
  });

  test('decode errors keep their raw message and carry the path', async () => {
    const file = path.join(tempDir(), 'manifest.json');
    writeFileSync(file, doc({ current_phase: '"setup"' }));
    await expect(loadManifest(file)).rejects.toMatchObject({
      code: 'invalid-manifest',
      path: file,
      message: "Migration field 'current_phase' names an unknown phase: 'setup'",
    });
  });

  test('a file over the size limit is refused unread', async () => {
    const file = path.join(tempDir(), 'manifest.json');
    writeFileSync(file, Buffer.alloc(50 * 1024 * 1024, 0x20));
    await expect(loadManifest(file)).rejects.toMatchObject({
      code: 'invalid-manifest',
      message: expect.stringMatching(/^Could not load manifest .*manifest\.json: file is 52428800 bytes/),
    });
  });

  test('save validates before touching disk', async () => {
    const file = path.join(tempDir(), 'manifest.json');
    writeFileSync(file, 'previous');
    const manifest = { ...decode(doc()), current_phase: 'nope' };
    await expect(saveManifest(file, manifest)).rejects.toMatchObject({
      code: 'invalid-manifest',
      path: file,
      message: "Cannot save manifest with unknown current phase 'nope'",
    });
    expect(readFileSync(file, 'utf8')).toBe('previous');
  });

  test('a write failure is an io error and leaves nothing behind', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'manifest.json');
    mkdirSync(file); // a directory where the file should go: the final rename fails
    const error = await saveManifest(file, decode(doc())).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CairnError);
    expect((error as CairnError).code).toBe('io');
    expect((error as CairnError).path).toBe(file);
    expect((error as CairnError).message).toMatch(new RegExp(`^Could not save manifest ${file}: .+`));
    expect(readdirSync(dir)).toEqual(['manifest.json']);
    expect(readdirSync(file)).toEqual([]);
  });
});
