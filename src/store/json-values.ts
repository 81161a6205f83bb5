import { CairnError } from '../util/index.js';

/** A value that survives JSON.stringify → JSON.parse unchanged. */
export type StoreJson = null | boolean | number | string | StoreJson[] | { [key: string]: StoreJson };

function check(value: unknown, where: string, seen: Set<object>): void {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new CairnError('invalid-input', `${where} is ${value}, which JSON cannot hold.`);
    return;
  }
  if (typeof value !== 'object') throw new CairnError('invalid-input', `${where} is a ${typeof value}, which JSON cannot hold.`);
  if (seen.has(value)) throw new CairnError('invalid-input', `${where} refers back to itself.`);
  seen.add(value);
  if (Array.isArray(value)) {
    value.forEach((item, i) => check(item, `${where}[${i}]`, seen));
  } else {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw new CairnError('invalid-input', `${where} is not a plain object.`);
    }
    for (const [key, item] of Object.entries(value)) check(item, `${where}.${key}`, seen);
  }
  seen.delete(value);
}

/** JSON text of `value`; throws CairnError('invalid-input') if it would not round-trip exactly. */
export function toStoreJson(value: unknown, what: string): string {
  check(value, what, new Set());
  return JSON.stringify(value);
}
