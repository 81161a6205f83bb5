import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { isJsonObject, parseJson, type JsonValue } from '../../src/json/index.js';
import {
  appendFeedback,
  checkReplayMatches,
  completeStep,
  isReopenableCursor,
  isTerminalCursor,
  newState,
  reopenForRevise,
  STEP_OUTCOMES,
  type Step,
} from '../../src/migration/graph.js';
import { decodeManifest, EFFORTS, encodeManifest, MIGRATION_STATUSES, type Manifest, type Phase } from '../../src/migration/manifest.js';
import { ManifestFileSchema, StateFileSchema } from '../../src/migration/schemas.js';
import { decodeState, encodeState, type PlanningState } from '../../src/migration/state.js';
import { compareCodePoints } from '../../src/util/compare.js';

/** Any text, including astral characters, controls and lone surrogates. */
const text = fc.string({ unit: 'binary', maxLength: 12 });
const nullableText = fc.option(text, { nil: null });

const phaseArb: fc.Arbitrary<Phase> = fc.record({
  name: text,
  file: text,
  done: fc.boolean(),
  precondition: text,
  required_effort: fc.option(fc.constantFrom(...EFFORTS), { nil: null }),
  effort_reason: nullableText,
});

const manifestArb: fc.Arbitrary<Manifest> = fc
  .record({
    name: text,
    created_at: text,
    last_touch: text,
    wake_up_on: nullableText,
    awaiting_human_review: fc.boolean(),
    status: fc.constantFrom(...MIGRATION_STATUSES),
    phases: fc.uniqueArray(phaseArb, { selector: (phase) => phase.name, maxLength: 5 }),
    human_review_reason: nullableText,
    cooldown_until: nullableText,
    currentPick: fc.nat(),
  })
  .map(({ currentPick, ...rest }) => {
    const choices = ['', ...rest.phases.map((phase) => phase.name)];
    return { ...rest, current_phase: choices[currentPick % choices.length] as string };
  });

/** One move of a random walk over the planning graph. */
const moveArb = fc.record({
  pick: fc.nat(),
  reopen: fc.boolean(),
  feedback: fc.option(fc.record({ text, source: fc.constantFrom('message' as const, 'file' as const) }), { nil: null }),
  agent: fc.option(text, { nil: null }),
  model: fc.option(text, { nil: null }),
  effort: fc.option(text, { nil: null }),
  reason: fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }),
  at: text,
});

/** Valid states: built by walking the graph with random outcomes and reopen points, so replay always holds. */
const stateArb: fc.Arbitrary<PlanningState> = fc
  .record({ target: text, started: text, moves: fc.array(moveArb, { maxLength: 24 }) })
  .map(({ target, started, moves }) => {
    let state = newState(target, started);
    const counts = new Map<Step, number>();
    for (const move of moves) {
      if (move.feedback !== null) state = appendFeedback(state, move.feedback.text, move.feedback.source, move.at);
      const cursor = state.next_step;
      if (isReopenableCursor(cursor) && (move.reopen || isTerminalCursor(cursor))) {
        state = reopenForRevise(state, move.at);
        continue;
      }
      if (isTerminalCursor(cursor)) break;
      const outcomes = STEP_OUTCOMES[cursor];
      const outcome = outcomes[move.pick % outcomes.length]!;
      const n = (counts.get(cursor) ?? 0) + 1;
      counts.set(cursor, n);
      state = completeStep(state, {
        step: cursor,
        outcome,
        stdoutRef: `migrations/m/.planning/stages/${cursor}${n === 1 ? '' : `-${n}`}.stdout.md`,
        completedAt: move.at,
        agent: move.agent,
        model: move.model,
        effort: move.effort,
        finalReason: move.reason,
      });
    }
    return state;
  });

/** Checks the formatting rules of Python's json.dumps(indent=2, sort_keys=True) + "\n". */
function expectPythonFormatting(bytes: string): void {
  expect(bytes.endsWith('}\n')).toBe(true);
  expect(bytes).toMatch(/^[\x20-\x7e\n]*$/);
  let depth = 0;
  for (const line of bytes.slice(0, -1).split('\n')) {
    const body = line.trimStart();
    if (body.startsWith('}') || body.startsWith(']')) depth--;
    expect(line.length - body.length).toBe(2 * depth);
    expect(body).not.toMatch(/\s$/);
    if (body.endsWith('{') || body.endsWith('[')) depth++;
  }
  expect(depth).toBe(0);
  const walk = (value: JsonValue): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (isJsonObject(value)) {
      const keys = Object.keys(value);
      expect(keys).toEqual([...keys].sort(compareCodePoints));
      keys.forEach((key) => walk(value[key] as JsonValue));
    }
  };
  walk(parseJson(bytes));
}

describe('round trip', () => {
  test('manifests: decode(parse(encode(x))) = x, formatted as Python writes it, valid for the schema', () => {
    fc.assert(
      fc.property(manifestArb, (manifest) => {
        const bytes = encodeManifest(manifest);
        expect(decodeManifest(parseJson(bytes))).toEqual(manifest);
        expectPythonFormatting(bytes);
        expect(ManifestFileSchema.safeParse(JSON.parse(bytes)).success).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  test('states: decode(parse(encode(x))) = x, formatted as Python writes it, valid for the schema', () => {
    fc.assert(
      fc.property(stateArb, (state) => {
        expect(checkReplayMatches(state).cursor).toBe(state.next_step);
        const bytes = encodeState(state);
        expect(decodeState(parseJson(bytes))).toEqual(state);
        expectPythonFormatting(bytes);
        expect(StateFileSchema.safeParse(JSON.parse(bytes)).success).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  test('the state walk reaches every cursor and reopens', () => {
    const seen = new Set<string>();
    let reopened = 0;
    for (const state of fc.sample(stateArb, { numRuns: 400, seed: 7 })) {
      seen.add(state.next_step);
      if (state.revision_base_step_counts.length > 1) reopened++;
    }
    expect([...seen].sort()).toEqual(
      [
        'approaches',
        'pick-best',
        'expand',
        'review',
        'revise',
        'review-2',
        'final-review',
        'terminal-ready',
        'terminal-ready-awaiting-human',
        'terminal-skipped',
      ].sort(),
    );
    expect(reopened).toBeGreaterThan(0);
  });
});

describe('schemas', () => {
  test('reject what the encoder never writes', () => {
    const manifest = JSON.parse(encodeManifest(fc.sample(manifestArb, { numRuns: 1, seed: 1 })[0]!)) as Record<string, unknown>;
    expect(ManifestFileSchema.safeParse({ ...manifest, extra: 1 }).success).toBe(false);
    expect(ManifestFileSchema.safeParse({ ...manifest, status: 'paused' }).success).toBe(false);
    const { cooldown_until: _dropped, ...missing } = manifest;
    expect(ManifestFileSchema.safeParse(missing).success).toBe(false);

    const state = JSON.parse(encodeState(newState('t', 'now'))) as Record<string, unknown>;
    expect(StateFileSchema.safeParse(state).success).toBe(true);
    expect(StateFileSchema.safeParse({ ...state, schema_version: 2 }).success).toBe(false);
    expect(StateFileSchema.safeParse({ ...state, revision_base_step_count: null }).success).toBe(false);
    expect(StateFileSchema.safeParse({ ...state, revision_base_step_counts: [1.5] }).success).toBe(false);
    expect(StateFileSchema.safeParse({ ...state, feedback: ['legacy string'] }).success).toBe(false);
    expect(StateFileSchema.safeParse({ ...state, next_step: 'done' }).success).toBe(false);
  });
});
