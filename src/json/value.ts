/**
 * Parsed JSON, keeping the distinctions Python's `json` module keeps:
 * integers (a `number` when safe, a `bigint` beyond 2^53) are not floats
 * (`PyFloat`, for any token with a fraction or exponent, and NaN/Infinity),
 * and booleans are not integers. The v1 format's codecs depend on this:
 * `1.0`, `true` and `"5"` are not integers there.
 */
export class PyFloat {
  constructor(
    /** The value as a JS number. */
    readonly value: number,
    /** The token as it appeared in the source text. */
    readonly text: string,
  ) {}
}

export type JsonValue = null | boolean | string | number | bigint | PyFloat | JsonValue[] | JsonObject;

/** A JSON object: a null-prototype record, so `__proto__` is an ordinary key. */
export interface JsonObject {
  [key: string]: JsonValue;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof PyFloat);
}

/** A real JSON integer: not a bool, not a float token, not a string. */
export function isJsonInteger(value: unknown): value is number | bigint {
  return (typeof value === 'number' && Number.isInteger(value)) || typeof value === 'bigint';
}

/** An empty null-prototype object. */
export function jsonObject(): JsonObject {
  return Object.create(null) as JsonObject;
}

/** A null-prototype object holding the fields `keys` of `source`, in that order. */
export function pickJson<K extends string>(source: { readonly [P in K]: JsonValue }, keys: readonly K[]): JsonObject {
  const object = jsonObject();
  for (const key of keys) object[key] = source[key];
  return object;
}

/** Python's name for a JSON value's type, for error messages ("got float"). */
export function pythonTypeName(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return 'NoneType';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'number' || typeof value === 'bigint') return 'int';
  if (value instanceof PyFloat) return 'float';
  if (Array.isArray(value)) return 'list';
  return 'dict';
}
