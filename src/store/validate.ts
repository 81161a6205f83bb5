import path from 'node:path';
import { CairnError } from '../util/index.js';

export function requireText(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new CairnError('invalid-input', `${what} must be a non-empty string.`);
  }
  return value;
}

export function optionalText(value: unknown, what: string): string | null {
  if (value === undefined || value === null) return null;
  return requireText(value, what);
}

export function optionalInteger(value: unknown, what: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new CairnError('invalid-input', `${what} must be an integer.`);
  }
  return value;
}

/** A positive integer limit, or null for "no limit". */
export function optionalLimit(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new CairnError('invalid-input', `limit must be a positive integer, got ${String(value)}.`);
  }
  return value;
}

export function isoTime(value: Date | undefined, what: string): string {
  const at = value ?? new Date();
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) {
    throw new CairnError('invalid-input', `${what} must be a valid Date.`);
  }
  return at.toISOString();
}

/** A live root as the store's tables key it: resolved, so every spelling of it finds the same rows. */
export function liveRootKey(liveRoot: string): string {
  return path.resolve(requireText(liveRoot, 'liveRoot'));
}
