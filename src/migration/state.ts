import { CairnError, messageOf, compareCodePoints } from '../util/index.js';
import { encodeJson, isJsonInteger, isJsonObject, jsonObject, pickJson, pyRepr, isJsonParseFailure, readJsonFile, parseJsonSource, peekJsonStringField, type JsonSource, type JsonObject, type JsonValue } from '../json/index.js';
import { writeFileDurable, type LstatCache } from '../fs/index.js';
import { anchorOutsideHistoryMessage, checkReplayMatches, isCursor, isFinalDecision, isOutcome, isStep, type CompletedStep, type FeedbackEntry, type PlanningState } from './graph.js';
import { outputRefResolver, type OutputRefContext } from './output-refs.js';

export type { CompletedStep, Cursor, FeedbackEntry, FeedbackSource, FinalDecision, Outcome, PlanningState, Step } from './graph.js';

/*
 * The codec of `<migration>/.planning/state.json` (docs/format.md §5): the accepted
 * history of a plan. Decoding checks shapes and types; validation checks
 * that the history replays to the stored cursor and that every accepted
 * output exists.
 */

/** How a state file is checked: the repository and, for a workspace copy, the live migration dir. */
export interface StateContext {
  repoRoot: string;
  /** Defaults to the path being loaded or saved. */
  stateFile?: string;
  publishedRoot?: string;
  /** Directories already resolved (`resolvePathWith`), reused and added to by the output ref checks. */
  realpaths?: Map<string, string>;
  /** `lstat`s a check of the same migration took moments ago (see `OutputRefContext.lstats`). */
  lstats?: LstatCache;
}

const STATE_REQUIRED_KEYS = [
  'completed_steps',
  'feedback',
  'final_decision',
  'final_reason',
  'next_step',
  'review_findings',
  'schema_version',
  'started_at',
  'target',
  'updated_at',
];
const STATE_OPTIONAL_KEYS = ['revision_base_step_count', 'revision_base_step_counts'];
const STEP_REQUIRED_KEYS = ['completed_at', 'name', 'outcome', 'outputs'];
const STEP_OPTIONAL_KEYS = ['agent', 'effort', 'model'] as const;
const FEEDBACK_KEYS = ['received_at', 'source', 'text'];

function invalid(message: string): CairnError {
  return new CairnError('invalid-state', message);
}

function has(object: JsonObject, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key);
}

function sortedJoin(keys: string[]): string {
  return [...keys].sort(compareCodePoints).join(', ');
}

function checkKeySet(object: JsonObject, label: string, required: string[], optional: string[]): void {
  const missing = required.filter((key) => !has(object, key));
  if (missing.length > 0) throw invalid(`Planning field '${label}' is missing keys: ${sortedJoin(missing)}`);
  const known = new Set([...required, ...optional]);
  const unknown = Object.keys(object).filter((key) => !known.has(key));
  if (unknown.length > 0) throw invalid(`Planning field '${label}' has unknown keys: ${sortedJoin(unknown)}`);
}

function requireObject(value: JsonValue | undefined, label: string): JsonObject {
  if (!isJsonObject(value)) throw invalid(`Planning field '${label}' must be an object`);
  return value;
}

function requireString(value: JsonValue | undefined, label: string): string {
  if (typeof value !== 'string') throw invalid(`Planning field '${label}' must be a string`);
  return value;
}

function optionalString(value: JsonValue | undefined, label: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw invalid(`Planning field '${label}' must be a string or null`);
  return value;
}

function requireList(value: JsonValue | undefined, label: string): JsonValue[] {
  if (!Array.isArray(value)) throw invalid(`Planning field '${label}' must be a list`);
  return value;
}

function requireInteger(value: JsonValue | undefined, label: string): number | bigint {
  if (!isJsonInteger(value)) throw invalid(`Planning field '${label}' must be an integer`);
  return value;
}

/**
 * Decodes parsed `state.json` content, enforcing the exact key sets, strict
 * types (integers are real integers: not `1.0`, not `true`, not `"5"`) and
 * the enum values; accepts the legacy string feedback and the legacy
 * `revision_base_step_count`. Does not replay the history: see
 * `validateState`. Throws `CairnError('invalid-state')`.
 */
export function decodeState(value: JsonValue): PlanningState {
  const root = requireObject(value, 'planning state');
  checkKeySet(root, 'planning state', STATE_REQUIRED_KEYS, STATE_OPTIONAL_KEYS);

  const schema_version = requireInteger(root.schema_version, 'schema_version');
  if (schema_version !== 1 && schema_version !== 1n) {
    throw invalid(`Unsupported planning state schema_version: ${String(schema_version)}`);
  }
  const target = requireString(root.target, 'target');
  const next_step = requireString(root.next_step, 'next_step');
  if (!isCursor(next_step)) throw invalid(`Unknown planning cursor: ${pyRepr(next_step)}`);
  const completed_steps = requireList(root.completed_steps, 'completed_steps').map((item, index) =>
    decodeCompletedStep(item, `completed_steps[${index}]`),
  );
  const started_at = requireString(root.started_at, 'started_at');
  const updated_at = requireString(root.updated_at, 'updated_at');
  const feedback = requireList(root.feedback, 'feedback').map((item, index) =>
    decodeFeedback(item, `feedback[${index}]`),
  );
  const review_findings = optionalString(root.review_findings, 'review_findings');
  const finalDecisionText = optionalString(root.final_decision, 'final_decision');
  if (finalDecisionText !== null && !isFinalDecision(finalDecisionText)) {
    throw invalid(`Unknown planning final decision: ${pyRepr(finalDecisionText)}`);
  }
  const final_reason = optionalString(root.final_reason, 'final_reason');
  const revision_base_step_counts = decodeAnchors(root, completed_steps.length);

  return {
    schema_version: 1,
    target,
    next_step,
    completed_steps,
    started_at,
    updated_at,
    feedback,
    review_findings,
    final_decision: finalDecisionText,
    final_reason,
    revision_base_step_counts,
  };
}

function decodeCompletedStep(value: JsonValue, label: string): CompletedStep {
  const object = requireObject(value, label);
  checkKeySet(object, label, STEP_REQUIRED_KEYS, [...STEP_OPTIONAL_KEYS]);
  const name = requireString(object.name, `${label}.name`);
  if (!isStep(name)) throw invalid(`Unknown planning step: ${pyRepr(name)}`);
  const completed_at = requireString(object.completed_at, `${label}.completed_at`);
  const outcome = requireString(object.outcome, `${label}.outcome`);
  if (!isOutcome(outcome)) throw invalid(`Unknown planning outcome: ${pyRepr(outcome)}`);
  const outputs = requireObject(object.outputs, `${label}.outputs`);
  const unsupported = Object.keys(outputs).filter((key) => key !== 'stdout');
  if (unsupported.length > 0) {
    throw invalid(`Planning field '${label}.outputs' has unsupported outputs: ${sortedJoin(unsupported)}`);
  }
  if (!has(outputs, 'stdout')) throw invalid(`Planning field '${label}.outputs' must record a stdout output`);
  const stdout = requireString(outputs.stdout, `${label}.outputs.stdout`);
  const step: CompletedStep = { name, completed_at, outcome, outputs: { stdout } };
  for (const key of STEP_OPTIONAL_KEYS) {
    const text = optionalString(object[key], `${label}.${key}`);
    if (text !== null) step[key] = text;
  }
  return step;
}

function decodeFeedback(value: JsonValue, label: string): FeedbackEntry {
  if (typeof value === 'string') return { received_at: '', source: 'message', text: value };
  if (!isJsonObject(value)) throw invalid(`Planning field '${label}' must be an object or a string`);
  checkKeySet(value, label, FEEDBACK_KEYS, []);
  const received_at = requireString(value.received_at, `${label}.received_at`);
  const source = requireString(value.source, `${label}.source`);
  if (source !== 'message' && source !== 'file') {
    throw invalid(`Planning field '${label}.source' must be 'message' or 'file': ${pyRepr(source)}`);
  }
  const text = requireString(value.text, `${label}.text`);
  return { received_at, source, text };
}

function decodeAnchors(root: JsonObject, historyLength: number): number[] {
  const legacy = root.revision_base_step_count;
  if (has(root, 'revision_base_step_counts')) {
    const list = requireList(root.revision_base_step_counts, 'revision_base_step_counts');
    const anchors = list.map((item, index) =>
      anchorNumber(requireInteger(item, `revision_base_step_counts[${index}]`), historyLength),
    );
    if (legacy !== undefined && legacy !== null) {
      throw invalid('Planning state may not mix revision_base_step_count and revision_base_step_counts');
    }
    return anchors;
  }
  if (legacy === undefined || legacy === null) return [];
  return [anchorNumber(requireInteger(legacy, 'revision_base_step_count'), historyLength)];
}

// An integer too large for a JS number is far outside any history; report it
// now, with the message replay would give, rather than lose its digits.
function anchorNumber(value: number | bigint, historyLength: number): number {
  if (typeof value === 'number') return value;
  if (value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(value);
  throw invalid(anchorOutsideHistoryMessage(value, historyLength));
}

/** The state as JSON: every key, `revision_base_step_counts` always, the legacy key never. */
export function stateToJson(state: PlanningState): JsonObject {
  const root = pickJson(state, ['schema_version', 'target', 'next_step']);
  root.completed_steps = state.completed_steps.map(completedStepToJson);
  root.started_at = state.started_at;
  root.updated_at = state.updated_at;
  root.feedback = state.feedback.map((entry) => pickJson(entry, ['received_at', 'source', 'text']));
  root.review_findings = state.review_findings;
  root.final_decision = state.final_decision;
  root.final_reason = state.final_reason;
  root.revision_base_step_counts = [...state.revision_base_step_counts];
  return root;
}

function completedStepToJson(step: CompletedStep): JsonObject {
  const object = pickJson(step, ['name', 'completed_at', 'outcome']);
  const outputs = jsonObject();
  outputs.stdout = step.outputs.stdout;
  object.outputs = outputs;
  for (const key of STEP_OPTIONAL_KEYS) {
    const text = step[key];
    if (text !== undefined && text !== null) object[key] = text;
  }
  return object;
}

/** The bytes of `state.json` (sorted keys, 2-space indent, ASCII, trailing newline). Does not validate. */
export function encodeState(state: PlanningState): string {
  return encodeJson(stateToJson(state));
}

/**
 * Validates a decoded state (docs/format.md §5.5, in order): schema version; replay;
 * stored `next_step`, `review_findings`, `final_decision` equal the replay;
 * `final_reason` present exactly when there is a decision; every output ref
 * (see `resolveOutputRef`). Throws `CairnError('invalid-state')`.
 */
export function validateState(state: PlanningState, ctx: OutputRefContext, resolved: Map<string, string> = new Map()): void {
  if (state.schema_version !== 1) {
    throw invalid(`Unsupported planning state schema_version: ${String(state.schema_version)}`);
  }
  checkReplayMatches(state);
  const resolveRef = outputRefResolver(ctx, resolved);
  for (const step of state.completed_steps) resolveRef(step.outputs.stdout);
}

function refContext(file: string, ctx: StateContext): OutputRefContext {
  const full: OutputRefContext = { repoRoot: ctx.repoRoot, stateFile: ctx.stateFile ?? file };
  if (ctx.publishedRoot !== undefined) full.publishedRoot = ctx.publishedRoot;
  if (ctx.lstats !== undefined) full.lstats = ctx.lstats;
  return full;
}

/**
 * Reads, decodes and validates a state file. Unreadable or non-UTF-8 files
 * fail with "Could not load planning state <path>: …", bad JSON with
 * "Could not parse planning state <path>: …" (Python's parser message);
 * decode and validation errors keep their own message. All are
 * `CairnError('invalid-state')` carrying `path`. `source`: the file already
 * read (`readJsonSource`), so it is not read again.
 */
export async function loadState(file: string, ctx: StateContext, source?: JsonSource): Promise<PlanningState> {
  let parsed: JsonValue;
  try {
    parsed = source === undefined ? await readJsonFile(file) : parseJsonSource(source);
  } catch (error) {
    const verb = isJsonParseFailure(error) ? 'parse' : 'load';
    throw new CairnError('invalid-state', `Could not ${verb} planning state ${file}: ${messageOf(error)}`, {
      path: file,
      cause: error,
    });
  }
  let state: PlanningState;
  try {
    state = decodeState(parsed);
  } catch (error) {
    throw withPath(error, file);
  }
  return validateDecodedState(file, ctx, state);
}

/**
 * The validation half of {@link loadState}, for a state `file` already
 * decoded elsewhere (`decodeState` of the same bytes): replay and output
 * refs, failing as `loadState` would. Returns `state`.
 */
export function validateDecodedState(file: string, ctx: StateContext, state: PlanningState): PlanningState {
  try {
    validateState(state, refContext(file, ctx), ctx.realpaths);
    return state;
  } catch (error) {
    throw withPath(error, file);
  }
}

/**
 * Validates `state` as `validateState` does (against `file`'s migration
 * dir), then replaces `file` atomically and durably. Nothing is written when
 * validation fails; a write failure is `CairnError('io')` "Could not save
 * planning state <path>: …".
 */
export async function saveState(file: string, state: PlanningState, ctx: StateContext): Promise<void> {
  try {
    validateState(state, refContext(file, ctx));
  } catch (error) {
    throw withPath(error, file);
  }
  const bytes = encodeState(state);
  try {
    await writeFileDurable(file, bytes);
  } catch (error) {
    throw new CairnError('io', `Could not save planning state ${file}: ${messageOf(error)}`, {
      path: file,
      cause: error,
    });
  }
}

function withPath(error: unknown, file: string): unknown {
  if (error instanceof CairnError && error.path === undefined) {
    return new CairnError(error.code, error.message, { path: file, cause: error });
  }
  return error;
}

/** The cursor (`next_step`) a state file shows, read leniently (null when it shows none); for display, such as a dry run's transition. */
export function peekStateCursor(file: string): Promise<string | null> {
  return peekJsonStringField(file, 'next_step');
}

/**
 * The `outputs.stdout` refs a state file names, read leniently and without
 * validation (an empty list when it names none); for tracking which files a
 * cached view depends on, never for deciding on the plan.
 */
export async function peekStateOutputRefs(file: string, source?: JsonSource): Promise<string[]> {
  let raw;
  try {
    raw = source === undefined ? await readJsonFile(file) : parseJsonSource(source);
  } catch {
    return [];
  }
  if (!isJsonObject(raw) || !Array.isArray(raw['completed_steps'])) return [];
  const refs = new Set<string>();
  for (const step of raw['completed_steps']) {
    if (!isJsonObject(step) || !isJsonObject(step['outputs'])) continue;
    const ref = step['outputs']['stdout'];
    if (typeof ref === 'string') refs.add(ref);
  }
  return [...refs];
}
