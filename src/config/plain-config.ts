import type { ProjectConfig } from './schema.js';
import { CONFIG_AGENTS, EFFORTS, MAX_LOCK_TIMEOUT_MS, REVIEW_POLICIES, validateCommandProblem } from './config-rules.js';

/*
 * A config that is plainly valid, checked without the schema: building the
 * zod schema costs more than the rest of a quick command such as `status`.
 * Anything this check does not accept goes to the schema, which decides and
 * words the errors; so the check may refuse more than the schema, never less.
 */

const TOP_KEYS = ['migrations_dir', 'review', 'lock_timeout_ms', 'agent', 'validate'] as const;
const AGENT_KEYS = ['agent', 'model', 'effort'] as const;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

function hasOnlyKeys(value: Record<string, unknown>, keys: readonly string[]): boolean {
  return Object.keys(value).every((key) => keys.includes(key));
}

const isNonEmptyString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;
const isOneOf = (value: unknown, allowed: readonly string[]): boolean => typeof value === 'string' && allowed.includes(value);

function isPlainAgent(value: unknown): value is Record<string, unknown> {
  return (
    isPlainObject(value) &&
    hasOnlyKeys(value, AGENT_KEYS) &&
    (!('agent' in value) || isOneOf(value.agent, CONFIG_AGENTS)) &&
    (!('model' in value) || isNonEmptyString(value.model)) &&
    (!('effort' in value) || isOneOf(value.effort, EFFORTS))
  );
}

function isPlainLockTimeout(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_LOCK_TIMEOUT_MS;
}

/** `keys` of `value` that it has, in `keys` order (the order the schema gives them). */
function pick(value: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) if (key in value) out[key] = value[key];
  return out;
}

/**
 * What `ProjectConfigSchema.parse(value)` returns when `value` is plainly
 * valid; null when it is not (or is unusual), and the schema must decide.
 */
export function plainlyValidConfig(value: unknown): ProjectConfig | null {
  if (!isPlainObject(value) || !hasOnlyKeys(value, TOP_KEYS)) return null;
  if (!isNonEmptyString(value.migrations_dir)) return null;
  if ('review' in value && !isOneOf(value.review, REVIEW_POLICIES)) return null;
  if ('lock_timeout_ms' in value && !isPlainLockTimeout(value.lock_timeout_ms)) return null;
  if ('agent' in value && !isPlainAgent(value.agent)) return null;
  if ('validate' in value && !(isNonEmptyString(value.validate) && validateCommandProblem(value.validate) === null)) return null;
  const config = pick(value, TOP_KEYS);
  if (isPlainObject(value.agent)) config.agent = pick(value.agent, AGENT_KEYS);
  return config as ProjectConfig;
}
