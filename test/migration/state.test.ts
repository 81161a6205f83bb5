import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { CairnError } from '../../src/util/errors.js';
import { parseJson } from '../../src/json/index.js';
import {
  decodeState,
  encodeState,
  loadState,
  saveState,
  validateState,
  type PlanningState,
} from '../../src/migration/state.js';
import { migrationRepo, stageRef, stateWith, step, writeStageFiles } from './support.js';

const REF = 'migrations/m1/.planning/stages/approaches.stdout.md';
const STEP = `{"name": "approaches", "completed_at": "c1", "outcome": "completed", "outputs": {"stdout": "${REF}"}}`;

/** A state document at `pick-best`; `fields` (raw JSON) override or add keys, `undefined` removes one. */
function doc(fields: Record<string, string | undefined> = {}): string {
  const base: Record<string, string | undefined> = {
    schema_version: '1',
    target: '"src/x.ts"',
    next_step: '"pick-best"',
    completed_steps: `[${STEP}]`,
    started_at: '"s"',
    updated_at: '"u"',
    feedback: '[]',
    review_findings: 'null',
    final_decision: 'null',
    final_reason: 'null',
    revision_base_step_counts: '[]',
    ...fields,
  };
  const parts = Object.entries(base)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${JSON.stringify(key)}: ${value}`);
  return `{${parts.join(', ')}}`;
}

function withStep(stepFields: string): string {
  return doc({ completed_steps: `[${stepFields}]` });
}

function decode(text: string): PlanningState {
  return decodeState(parseJson(text));
}

describe('decodeState', () => {
  test('decodes every field', () => {
    expect(decode(doc({ completed_steps: `[${STEP.replace('}}', '}, "agent": "codex", "model": "m", "effort": "low"}')}]` }))).toEqual({
      schema_version: 1,
      target: 'src/x.ts',
      next_step: 'pick-best',
      completed_steps: [
        { name: 'approaches', completed_at: 'c1', outcome: 'completed', outputs: { stdout: REF }, agent: 'codex', model: 'm', effort: 'low' },
      ],
      started_at: 's',
      updated_at: 'u',
      feedback: [],
      review_findings: null,
      final_decision: null,
      final_reason: null,
      revision_base_step_counts: [],
    });
  });

  test('null agent, model and effort read as absent', () => {
    const state = decode(withStep(STEP.replace('}}', '}, "agent": null, "model": null, "effort": null}')));
    expect(state.completed_steps[0]).toEqual({ name: 'approaches', completed_at: 'c1', outcome: 'completed', outputs: { stdout: REF } });
  });

  test('legacy string feedback reads as a message with no time', () => {
    const state = decode(doc({ feedback: '["tighten phase 2", {"received_at": "r", "source": "file", "text": "t"}]' }));
    expect(state.feedback).toEqual([
      { received_at: '', source: 'message', text: 'tighten phase 2' },
      { received_at: 'r', source: 'file', text: 't' },
    ]);
  });

  test.each([
    ['legacy int', { revision_base_step_counts: undefined, revision_base_step_count: '1' }, [1]],
    ['legacy null', { revision_base_step_counts: undefined, revision_base_step_count: 'null' }, []],
    ['neither key', { revision_base_step_counts: undefined }, []],
    ['modern list with legacy null', { revision_base_step_counts: '[1]', revision_base_step_count: 'null' }, [1]],
    ['modern list', { revision_base_step_counts: '[1]' }, [1]],
  ])('revision anchors: %s', (_label, fields, anchors) => {
    expect(decode(doc(fields)).revision_base_step_counts).toEqual(anchors);
  });

  test.each(['review', 'final-review', 'terminal-ready', 'terminal-ready-awaiting-human', 'terminal-skipped'])(
    'any cursor decodes (%s); agreement is checked by validation',
    (cursor) => {
      expect(decode(doc({ next_step: JSON.stringify(cursor) })).next_step).toBe(cursor);
    },
  );

  // Every message the state decoder produces, in one table.
  test.each([
    ['top level is a list', '[]', "Planning field 'planning state' must be an object"],
    ['missing keys', doc({ target: undefined, feedback: undefined }), "Planning field 'planning state' is missing keys: feedback, target"],
    ['unknown keys', doc({ zeta: '1', alpha: '2' }), "Planning field 'planning state' has unknown keys: alpha, zeta"],
    ['missing before unknown', doc({ target: undefined, zeta: '1' }), "Planning field 'planning state' is missing keys: target"],
    ['schema_version "1"', doc({ schema_version: '"1"' }), "Planning field 'schema_version' must be an integer"],
    ['schema_version true', doc({ schema_version: 'true' }), "Planning field 'schema_version' must be an integer"],
    ['schema_version 1.0', doc({ schema_version: '1.0' }), "Planning field 'schema_version' must be an integer"],
    ['schema_version 2', doc({ schema_version: '2' }), 'Unsupported planning state schema_version: 2'],
    [
      'schema_version huge',
      doc({ schema_version: '123456789012345678901234567890' }),
      'Unsupported planning state schema_version: 123456789012345678901234567890',
    ],
    ['target is a number', doc({ target: '5' }), "Planning field 'target' must be a string"],
    ['next_step is null', doc({ next_step: 'null' }), "Planning field 'next_step' must be a string"],
    ['next_step unknown', doc({ next_step: '"done"' }), "Unknown planning cursor: 'done'"],
    ['completed_steps is an object', doc({ completed_steps: '{}' }), "Planning field 'completed_steps' must be a list"],
    ['a step is a string', withStep('"approaches"'), "Planning field 'completed_steps[0]' must be an object"],
    [
      'a step misses keys',
      withStep('{"name": "approaches", "outcome": "completed"}'),
      "Planning field 'completed_steps[0]' is missing keys: completed_at, outputs",
    ],
    [
      'a step has unknown keys',
      withStep(STEP.replace('}}', '}, "stderr": "x", "duration": 1}')),
      "Planning field 'completed_steps[0]' has unknown keys: duration, stderr",
    ],
    ['step name unknown', withStep(STEP.replace('"approaches"', '"deploy"')), "Unknown planning step: 'deploy'"],
    ['step name is a terminal cursor', withStep(STEP.replace('"approaches"', '"terminal-ready"')), "Unknown planning step: 'terminal-ready'"],
    ['step name is null', withStep(STEP.replace('"approaches"', 'null')), "Planning field 'completed_steps[0].name' must be a string"],
    ['completed_at is a number', withStep(STEP.replace('"c1"', '1')), "Planning field 'completed_steps[0].completed_at' must be a string"],
    ['outcome unknown', withStep(STEP.replace('"completed"', '"ok"')), "Unknown planning outcome: 'ok'"],
    ['outcome is a list', withStep(STEP.replace('"completed"', '[]')), "Planning field 'completed_steps[0].outcome' must be a string"],
    [
      'outputs is a list',
      withStep('{"name": "approaches", "completed_at": "c", "outcome": "completed", "outputs": []}'),
      "Planning field 'completed_steps[0].outputs' must be an object",
    ],
    [
      'outputs is empty',
      withStep('{"name": "approaches", "completed_at": "c", "outcome": "completed", "outputs": {}}'),
      "Planning field 'completed_steps[0].outputs' must record a stdout output",
    ],
    [
      'outputs has more than stdout',
      withStep(`{"name": "approaches", "completed_at": "c", "outcome": "completed", "outputs": {"stdout": "${REF}", "stderr": "e", "log": "l"}}`),
      "Planning field 'completed_steps[0].outputs' has unsupported outputs: log, stderr",
    ],
    [
      'stdout is a number',
      withStep('{"name": "approaches", "completed_at": "c", "outcome": "completed", "outputs": {"stdout": 5}}'),
      "Planning field 'completed_steps[0].outputs.stdout' must be a string",
    ],
    ['agent is a number', withStep(STEP.replace('}}', '}, "agent": 5}')), "Planning field 'completed_steps[0].agent' must be a string or null"],
    ['model is a bool', withStep(STEP.replace('}}', '}, "model": true}')), "Planning field 'completed_steps[0].model' must be a string or null"],
    ['effort is a list', withStep(STEP.replace('}}', '}, "effort": []}')), "Planning field 'completed_steps[0].effort' must be a string or null"],
    ['started_at is null', doc({ started_at: 'null' }), "Planning field 'started_at' must be a string"],
    ['updated_at is a number', doc({ updated_at: '1' }), "Planning field 'updated_at' must be a string"],
    ['feedback is a string', doc({ feedback: '"x"' }), "Planning field 'feedback' must be a list"],
    ['a feedback entry is a number', doc({ feedback: '[5]' }), "Planning field 'feedback[0]' must be an object or a string"],
    ['a feedback entry misses keys', doc({ feedback: '[{"text": "t"}]' }), "Planning field 'feedback[0]' is missing keys: received_at, source"],
    [
      'a feedback entry has unknown keys',
      doc({ feedback: '[{"text": "t", "source": "file", "received_at": "r", "extra": 1}]' }),
      "Planning field 'feedback[0]' has unknown keys: extra",
    ],
    [
      'a feedback source is unknown',
      doc({ feedback: '["ok", {"text": "t", "source": "email", "received_at": "r"}]' }),
      "Planning field 'feedback[1].source' must be 'message' or 'file': 'email'",
    ],
    ['a feedback text is null', doc({ feedback: '[{"text": null, "source": "file", "received_at": "r"}]' }), "Planning field 'feedback[0].text' must be a string"],
    ['review_findings is a number', doc({ review_findings: '5' }), "Planning field 'review_findings' must be a string or null"],
    ['final_decision unknown', doc({ final_decision: '"approve"' }), "Unknown planning final decision: 'approve'"],
    ['final_decision is a bool', doc({ final_decision: 'false' }), "Planning field 'final_decision' must be a string or null"],
    ['final_reason is a number', doc({ final_reason: '5' }), "Planning field 'final_reason' must be a string or null"],
    ['anchors null', doc({ revision_base_step_counts: 'null' }), "Planning field 'revision_base_step_counts' must be a list"],
    ['anchors an int', doc({ revision_base_step_counts: '1' }), "Planning field 'revision_base_step_counts' must be a list"],
    ['anchor 1.0', doc({ revision_base_step_counts: '[1.0]' }), "Planning field 'revision_base_step_counts[0]' must be an integer"],
    ['anchor true', doc({ revision_base_step_counts: '[true]' }), "Planning field 'revision_base_step_counts[0]' must be an integer"],
    ['anchor "5"', doc({ revision_base_step_counts: '[1, "5"]' }), "Planning field 'revision_base_step_counts[1]' must be an integer"],
    ['anchor null', doc({ revision_base_step_counts: '[null]' }), "Planning field 'revision_base_step_counts[0]' must be an integer"],
    [
      'anchor beyond any integer a number can hold',
      doc({ revision_base_step_counts: '[123456789012345678901234567890]' }),
      'revision_base_step_counts entry 123456789012345678901234567890 is outside completed history (1 completed steps)',
    ],
    [
      'mixed anchor keys',
      doc({ revision_base_step_counts: '[]', revision_base_step_count: '1' }),
      'Planning state may not mix revision_base_step_count and revision_base_step_counts',
    ],
    [
      'legacy anchor "1"',
      doc({ revision_base_step_counts: undefined, revision_base_step_count: '"1"' }),
      "Planning field 'revision_base_step_count' must be an integer",
    ],
    [
      'legacy anchor 1.0',
      doc({ revision_base_step_counts: undefined, revision_base_step_count: '1.0' }),
      "Planning field 'revision_base_step_count' must be an integer",
    ],
    [
      'legacy anchor huge negative',
      doc({ revision_base_step_counts: undefined, revision_base_step_count: '-99999999999999999999' }),
      'revision_base_step_counts entry -99999999999999999999 is outside completed history (1 completed steps)',
    ],
  ])('%s', (_label, text, message) => {
    expect(() => decode(text)).toThrow(new CairnError('invalid-state', message));
    try {
      decode(text);
    } catch (error) {
      expect((error as CairnError).code).toBe('invalid-state');
    }
  });
});

describe('encodeState', () => {
  test('legacy forms are re-saved in the modern form, byte for byte', () => {
    const legacy = doc({
      revision_base_step_counts: undefined,
      revision_base_step_count: 'null',
      feedback: '["caf\u00e9 \ud83d\ude00"]',
      completed_steps: `[${STEP.replace('}}', '}, "agent": null, "model": "gpt", "effort": null}')}]`,
    });
    expect(encodeState(decode(legacy))).toBe(
      [
        '{',
        '  "completed_steps": [',
        '    {',
        '      "completed_at": "c1",',
        '      "model": "gpt",',
        '      "name": "approaches",',
        '      "outcome": "completed",',
        '      "outputs": {',
        `        "stdout": "${REF}"`,
        '      }',
        '    }',
        '  ],',
        '  "feedback": [',
        '    {',
        '      "received_at": "",',
        '      "source": "message",',
        '      "text": "caf\\u00e9 \\ud83d\\ude00"',
        '    }',
        '  ],',
        '  "final_decision": null,',
        '  "final_reason": null,',
        '  "next_step": "pick-best",',
        '  "review_findings": null,',
        '  "revision_base_step_counts": [],',
        '  "schema_version": 1,',
        '  "started_at": "s",',
        '  "target": "src/x.ts",',
        '  "updated_at": "u"',
        '}',
        '',
      ].join('\n'),
    );
  });

  test('a legacy integer anchor is written as a one-item list', () => {
    const text = encodeState(decode(doc({ revision_base_step_counts: undefined, revision_base_step_count: '1' })));
    expect(text).toContain('  "revision_base_step_counts": [\n    1\n  ],\n');
    expect(text).not.toContain('"revision_base_step_count"');
  });
});

describe('validateState', () => {
  function fixture() {
    const m = migrationRepo();
    const state = stateWith({
      next_step: 'review',
      completed_steps: [
        step('approaches', 'completed', stageRef(m.slug, 'approaches.stdout.md')),
        step('pick-best', 'completed', stageRef(m.slug, 'pick-best.stdout.md')),
        step('expand', 'completed', stageRef(m.slug, 'expand.stdout.md')),
      ],
    });
    writeStageFiles(m.repo, state);
    return { m, state, ctx: { repoRoot: m.repo, stateFile: m.stateFile } };
  }

  test('accepts a consistent state whose outputs exist', () => {
    const { state, ctx } = fixture();
    expect(validateState(state, ctx)).toBeUndefined();
  });

  // Validation steps 1–6 in order, each with its message.
  test.each([
    ['schema version', (s: PlanningState) => ({ ...s, schema_version: 2 as 1 }), 'Unsupported planning state schema_version: 2'],
    [
      'replay error before cursor mismatch',
      (s: PlanningState) => ({ ...s, next_step: 'expand' as const, completed_steps: [s.completed_steps[1]!] }),
      "Completed planning step 'pick-best' is invalid: expected approaches",
    ],
    [
      'next_step',
      (s: PlanningState) => ({ ...s, next_step: 'expand' as const }),
      "Planning state next_step 'expand' does not match replayed cursor 'review'",
    ],
    ['review_findings', (s: PlanningState) => ({ ...s, review_findings: 'x' }), 'Planning state review_findings does not match replayed history'],
    [
      'final_decision',
      (s: PlanningState) => ({ ...s, final_decision: 'reject' as const }),
      'Planning state final_decision does not match replayed history',
    ],
    ['final_reason without decision', (s: PlanningState) => ({ ...s, final_reason: '' }), 'Planning state final_reason requires a final-review decision'],
    [
      'missing output',
      (s: PlanningState) => ({
        ...s,
        completed_steps: [...s.completed_steps.slice(0, 2), step('expand', 'completed', 'migrations/m1/.planning/stages/expand-2.stdout.md')],
      }),
      'missing planning output: migrations/m1/.planning/stages/expand-2.stdout.md',
    ],
  ])('%s', (_label, mutate, message) => {
    const { state, ctx } = fixture();
    expect(() => validateState(mutate(state), ctx)).toThrow(new CairnError('invalid-state', message));
  });
});

describe('loadState / saveState', () => {
  test('load reads, decodes and validates; save writes the exact encoding', async () => {
    const m = migrationRepo();
    writeFileSync(path.join(m.dir, '.planning', 'stages', 'approaches.stdout.md'), 'a\n');
    writeFileSync(m.stateFile, doc({ revision_base_step_counts: undefined, feedback: '["x"]' }));
    const state = await loadState(m.stateFile, { repoRoot: m.repo });
    expect(state.feedback).toEqual([{ received_at: '', source: 'message', text: 'x' }]);
    await saveState(m.stateFile, state, { repoRoot: m.repo });
    expect(readFileSync(m.stateFile, 'utf8')).toBe(encodeState(state));
    expect(await loadState(m.stateFile, { repoRoot: m.repo })).toEqual(state);
  });

  test('decode and validation errors are raw messages with the path', async () => {
    const m = migrationRepo();
    writeFileSync(m.stateFile, doc());
    await expect(loadState(m.stateFile, { repoRoot: m.repo })).rejects.toMatchObject({
      code: 'invalid-state',
      path: m.stateFile,
      message: `missing planning output: ${REF}`,
    });
    writeFileSync(m.stateFile, doc({ next_step: '"nope"' }));
    await expect(loadState(m.stateFile, { repoRoot: m.repo })).rejects.toMatchObject({
      code: 'invalid-state',
      path: m.stateFile,
      message: "Unknown planning cursor: 'nope'",
    });
  });

  test('unreadable, non-UTF-8 and malformed files get the load/parse wrappers', async () => {
    const m = migrationRepo();
    await expect(loadState(m.stateFile, { repoRoot: m.repo })).rejects.toMatchObject({
      code: 'invalid-state',
      message: `Could not load planning state ${m.stateFile}: [Errno 2] No such file or directory: '${m.stateFile}'`,
    });
    writeFileSync(m.stateFile, Buffer.from('{"a": "\xe9"}', 'latin1'));
    await expect(loadState(m.stateFile, { repoRoot: m.repo })).rejects.toMatchObject({
      code: 'invalid-state',
      message: `Could not load planning state ${m.stateFile}: 'utf-8' codec can't decode byte 0xe9 in position 7: invalid continuation byte`,
    });
    writeFileSync(m.stateFile, '{\r\n  "a": 1,\r\n}');
    await expect(loadState(m.stateFile, { repoRoot: m.repo })).rejects.toMatchObject({
      code: 'invalid-state',
      path: m.stateFile,
      message: `Could not parse planning state ${m.stateFile}: Expecting property name enclosed in double quotes: line 3 column 1 (char 12)`,
    });
  });

  test('save refuses an invalid state and leaves the old file untouched', async () => {
    const m = migrationRepo();
    writeFileSync(m.stateFile, 'previous');
    const state = stateWith({ next_step: 'expand' });
    await expect(saveState(m.stateFile, state, { repoRoot: m.repo })).rejects.toMatchObject({
      code: 'invalid-state',
      path: m.stateFile,
      message: "Planning state next_step 'expand' does not match replayed cursor 'approaches'",
    });
    expect(readFileSync(m.stateFile, 'utf8')).toBe('previous');
    expect(readdirSync(path.dirname(m.stateFile)).sort()).toEqual(['stages', 'state.json']);
  });

  test('a write failure is an io error', async () => {
    const m = migrationRepo();
    mkdirSync(m.stateFile);
    const error = await saveState(m.stateFile, stateWith({}), { repoRoot: m.repo }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CairnError);
    expect((error as CairnError).code).toBe('io');
    expect((error as CairnError).message).toMatch(new RegExp(`^Could not save planning state ${m.stateFile}: .+`));
  });
});
