import { CairnError, messageOf, compareCodePoints } from '../util/index.js';
import { encodeJson, isJsonInteger, isJsonObject, pickJson, pyRepr, isJsonParseFailure, readJsonFile, parseJsonSource, peekJsonStringField, type JsonSource, type JsonObject, type JsonValue } from '../json/index.js';
import { writeFileDurable } from '../fs/index.js';

/*
 * The codec of `<migration>/manifest.json` (docs/format.md §4). Lenient about unknown
 * keys (ignored, dropped on save) and legacy forms (`ready_when`, integer
 * `current_phase`); strict about the types of the keys it knows.
 */

export const MIGRATION_STATUSES = ['planning', 'ready', 'in-progress', 'skipped', 'done'] as const;
export type MigrationStatus = (typeof MIGRATION_STATUSES)[number];

/** Effort tiers, lowest first. */
export const EFFORTS = ['low', 'medium', 'high', 'xhigh'] as const;
export type Effort = (typeof EFFORTS)[number];

export interface Phase {
  name: string;
  /** Phase doc path relative to the migration dir, normally `phase-<n>-<name>.md`. */
  file: string;
  done: boolean;
  precondition: string;
  required_effort: Effort | null;
  effort_reason: string | null;
}

export interface Manifest {
  name: string;
  created_at: string;
  last_touch: string;
  wake_up_on: string | null;
  awaiting_human_review: boolean;
  status: MigrationStatus;
  /** A phase name, or `''` for none. */
  current_phase: string;
  phases: Phase[];
  human_review_reason: string | null;
  cooldown_until: string | null;
}

/** The manifest of a migration that has just been created (docs/format.md §9.5). */
export function seedManifest(slug: string, now: string): Manifest {
  return {
    name: slug,
    created_at: now,
    last_touch: now,
    wake_up_on: null,
    awaiting_human_review: false,
    status: 'planning',
    current_phase: '',
    phases: [],
    human_review_reason: null,
    cooldown_until: null,
  };
}

export function isMigrationStatus(value: string): value is MigrationStatus {
  return (MIGRATION_STATUSES as readonly string[]).includes(value);
}

export function isEffort(value: string): value is Effort {
  return (EFFORTS as readonly string[]).includes(value);
}

function invalid(message: string): CairnError {
  return new CairnError('invalid-manifest', message);
}

/** Python's repr of a value for messages, shortened when very long. */
function shown(value: JsonValue | undefined): string {
  const repr = pyRepr(value === undefined ? null : value);
  return repr.length > 200 ? `${repr.slice(0, 200)}...` : repr;
}

// A missing key reads as null (Python's `dict.get`), so "required" fields
// report a missing key as `None`.
function field(object: JsonObject, key: string): JsonValue {
  return Object.prototype.hasOwnProperty.call(object, key) ? (object[key] as JsonValue) : null;
}

function requireString(value: JsonValue, label: string): string {
  if (typeof value !== 'string') throw invalid(`Migration field '${label}' must be a string: ${shown(value)}`);
  return value;
}

function optionalString(value: JsonValue, label: string): string | null {
  if (value === null) return null;
  if (typeof value !== 'string') throw invalid(`Migration field '${label}' must be a string or null: ${shown(value)}`);
  return value;
}

function requireBoolean(value: JsonValue, label: string): boolean {
  if (typeof value !== 'boolean') throw invalid(`Migration field '${label}' must be a boolean: ${shown(value)}`);
  return value;
}

/**
 * Decodes parsed `manifest.json` content (docs/format.md §4), applying the legacy
 * forms and the defaults for missing optional keys. Throws
 * `CairnError('invalid-manifest')` naming the field and the offending value.
 */
export function decodeManifest(value: JsonValue): Manifest {
  if (!isJsonObject(value)) throw invalid(`Migration manifest must be an object: ${shown(value)}`);
  const name = requireString(field(value, 'name'), 'name');
  const created_at = requireString(field(value, 'created_at'), 'created_at');
  const last_touch = requireString(field(value, 'last_touch'), 'last_touch');
  const wake_up_on = optionalString(field(value, 'wake_up_on'), 'wake_up_on');
  const awaiting_human_review = Object.prototype.hasOwnProperty.call(value, 'awaiting_human_review')
    ? requireBoolean(field(value, 'awaiting_human_review'), 'awaiting_human_review')
    : false;
  const status = decodeStatus(field(value, 'status'));
  const phases = decodePhases(field(value, 'phases'));
  checkUniquePhaseNames(phases);
  const human_review_reason = optionalString(field(value, 'human_review_reason'), 'human_review_reason');
  const cooldown_until = optionalString(field(value, 'cooldown_until'), 'cooldown_until');
  const current_phase = decodeCurrentPhase(field(value, 'current_phase'), phases);
  return {
    name,
    created_at,
    last_touch,
    wake_up_on,
    awaiting_human_review,
    status,
    current_phase,
    phases,
    human_review_reason,
    cooldown_until,
  };
}

function decodeStatus(value: JsonValue): MigrationStatus {
  if (typeof value !== 'string') throw invalid(`Migration status must be a string: ${shown(value)}`);
  if (!isMigrationStatus(value)) throw invalid(`Unknown migration status: ${shown(value)}`);
  return value;
}

function decodePhases(value: JsonValue): Phase[] {
  if (value === null) return [];
  if (!Array.isArray(value)) throw invalid(`Migration field 'phases' must be a list: ${shown(value)}`);
  return value.map((item, index) => decodePhase(item, `phases[${index}]`));
}

function decodePhase(value: JsonValue, label: string): Phase {
  if (!isJsonObject(value)) throw invalid(`Migration field '${label}' must be an object: ${shown(value)}`);
  const name = requireString(field(value, 'name'), `${label}.name`);
  const file = requireString(field(value, 'file'), `${label}.file`);
  const done = requireBoolean(field(value, 'done'), `${label}.done`);
  let precondition: string;
  if (Object.prototype.hasOwnProperty.call(value, 'precondition')) {
    precondition = requireString(field(value, 'precondition'), `${label}.precondition`);
  } else if (Object.prototype.hasOwnProperty.call(value, 'ready_when')) {
    precondition = requireString(field(value, 'ready_when'), `${label}.ready_when`);
  } else {
    throw invalid(`Migration field '${label}' must include 'precondition' (or legacy 'ready_when')`);
  }
  const required_effort = decodeEffort(field(value, 'required_effort'), `${label}.required_effort`);
  const effort_reason = optionalString(field(value, 'effort_reason'), `${label}.effort_reason`);
  return { name, file, done, precondition, required_effort, effort_reason };
}

function decodeEffort(value: JsonValue, label: string): Effort | null {
  if (value === null) return null;
  if (typeof value === 'string' && isEffort(value)) return value;
  throw invalid(`Migration field '${label}' must be one of ${EFFORTS.join(', ')}: ${shown(value)}`);
}

function checkUniquePhaseNames(phases: Phase[]): void {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const phase of phases) {
    if (seen.has(phase.name)) duplicates.add(phase.name);
    seen.add(phase.name);
  }
  if (duplicates.size > 0) {
    throw invalid(`Duplicate phase names are not allowed: ${[...duplicates].sort(compareCodePoints).join(', ')}`);
  }
}

function decodeCurrentPhase(value: JsonValue, phases: Phase[]): string {
  if (typeof value === 'string') {
    if (value === '' || phases.some((phase) => phase.name === value)) return value;
    throw invalid(`Migration field 'current_phase' names an unknown phase: ${shown(value)}`);
  }
  if (isJsonInteger(value)) {
    const index = BigInt(value);
    if (index >= 0n && index < BigInt(phases.length)) return (phases[Number(index)] as Phase).name;
    return '';
  }
  throw invalid(`Migration field 'current_phase' must be a string or legacy int: ${shown(value)}`);
}

/**
 * The checks made before a manifest is written: known status, unique phase
 * names, and a non-empty `current_phase` naming a phase. Throws
 * `CairnError('invalid-manifest')`.
 */
export function checkManifestForSave(manifest: Manifest): void {
  if (!isMigrationStatus(manifest.status)) throw invalid(`Unknown migration status: ${shown(manifest.status)}`);
  checkUniquePhaseNames(manifest.phases);
  if (manifest.current_phase !== '' && !manifest.phases.some((phase) => phase.name === manifest.current_phase)) {
    throw invalid(`Cannot save manifest with unknown current phase ${shown(manifest.current_phase)}`);
  }
}

/** The manifest as JSON: all ten keys, each phase with all six keys, nulls explicit. */
export function manifestToJson(manifest: Manifest): JsonObject {
  const root = pickJson(manifest, ['name', 'created_at', 'last_touch', 'wake_up_on', 'awaiting_human_review', 'status', 'current_phase']);
  root.phases = manifest.phases.map((phase) => pickJson(phase, ['name', 'file', 'done', 'precondition', 'required_effort', 'effort_reason']));
  root.human_review_reason = manifest.human_review_reason;
  root.cooldown_until = manifest.cooldown_until;
  return root;
}

/**
 * The bytes of `manifest.json` after `checkManifestForSave` (sorted keys,
 * 2-space indent, ASCII, trailing newline).
 */
export function encodeManifest(manifest: Manifest): string {
  checkManifestForSave(manifest);
  return encodeJson(manifestToJson(manifest));
}

/**
 * Reads and decodes a manifest. Unreadable or non-UTF-8 files fail with
 * "Could not load manifest <path>: …", bad JSON with "Could not parse
 * manifest <path>: …" (Python's parser message); decode errors keep their
 * own message. All are `CairnError('invalid-manifest')` carrying `path`.
 * `source`: the file already read (`readJsonSource`), so it is not read again.
 */
export async function loadManifest(file: string, source?: JsonSource): Promise<Manifest> {
  let parsed: JsonValue;
  try {
    parsed = source === undefined ? await readJsonFile(file) : parseJsonSource(source);
  } catch (error) {
    const verb = isJsonParseFailure(error) ? 'parse' : 'load';
    throw new CairnError('invalid-manifest', `Could not ${verb} manifest ${file}: ${messageOf(error)}`, {
      path: file,
      cause: error,
    });
  }
  try {
    return decodeManifest(parsed);
  } catch (error) {
    throw withPath(error, file);
  }
}

/**
 * Checks and encodes `manifest`, then replaces `file` atomically and
 * durably. Nothing is written when the check fails; a write failure is
 * `CairnError('io')` "Could not save manifest <path>: …".
 */
export async function saveManifest(file: string, manifest: Manifest): Promise<void> {
  let bytes: string;
  try {
    bytes = encodeManifest(manifest);
  } catch (error) {
    throw withPath(error, file);
  }
  try {
    await writeFileDurable(file, bytes);
  } catch (error) {
    throw new CairnError('io', `Could not save manifest ${file}: ${messageOf(error)}`, { path: file, cause: error });
  }
}

function withPath(error: unknown, file: string): unknown {
  if (error instanceof CairnError && error.path === undefined) {
    return new CairnError(error.code, error.message, { path: file, cause: error });
  }
  return error;
}

/** The status a manifest file shows, read leniently (null when it shows none); for display, such as a dry run's transition. */
export function peekManifestStatus(file: string): Promise<string | null> {
  return peekJsonStringField(file, 'status');
}
