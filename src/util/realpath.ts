import { realpathSync } from 'node:fs';
import path from 'node:path';

/**
 * Absolute path with every symlink in its existing prefix resolved; the part
 * that does not exist yet is appended normalised (like Python's
 * `Path.resolve(strict=False)`).
 */
export function resolveReal(target: string): string {
  const absolute = path.resolve(target);
  const missing: string[] = [];
  let current = absolute;
  for (;;) {
    try {
      const real = realpathSync(current);
      return missing.length === 0 ? real : path.join(real, ...missing.reverse());
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return absolute;
      missing.push(path.basename(current));
      current = parent;
    }
  }
}

/** True when `child` is `parent` or below it (both already resolved). */
export function isWithin(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative) && relative.split(path.sep)[0] !== '..');
}
