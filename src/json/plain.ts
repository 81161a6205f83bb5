import { PyFloat, type JsonValue } from './value.js';

/**
 * A parsed value as plain JavaScript, for validators such as zod: floats and
 * big integers become numbers (zod's `.int()` still refuses `1.5`).
 */
export function toPlainJson(value: JsonValue): unknown {
  if (value instanceof PyFloat) return value.value;
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(toPlainJson);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = toPlainJson(item);
    return out;
  }
  return value;
}
