import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileDurable } from '../publish/durable-fs.js';
import { toPosix } from '../util/paths.js';
import type { PlanningState } from './state.js';

/** `<migration>/.planning/sums`: sha256sum lines for accepted stage outputs. */
export function sumsPath(migrationDir: string): string {
  return path.join(migrationDir, '.planning', 'sums');
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** One `sha256sum` line: `<hex>  <path relative to the migration>`. */
export function sumsLine(hex: string, relToMigration: string): string {
  return `${hex}  ${toPosix(relToMigration)}\n`;
}

/**
 * Record newly accepted stage outputs in `.planning/sums` (append-only).
 * When the file does not exist yet (a migration planned without sums), the
 * outputs accepted before are recorded first, as they are now, so later edits
 * of any accepted output are detectable.
 */
export async function appendSums(
  migrationDir: string,
  state: PlanningState,
  liveDir: string,
  repoRoot: string,
  newFiles: readonly string[],
): Promise<void> {
  const file = sumsPath(migrationDir);
  const existing = existsSync(file) ? await fs.readFile(file, 'utf8') : null;
  const recorded = new Set(
    (existing ?? '')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => line.slice(66)),
  );
  const toRecord: string[] = [];
  if (existing === null) {
    for (const step of state.completed_steps) {
      const live = path.resolve(repoRoot, step.outputs.stdout);
      const rel = toPosix(path.relative(liveDir, live));
      if (rel.startsWith('..') || path.isAbsolute(rel)) continue;
      if (!newFiles.includes(rel)) toRecord.push(rel);
    }
  }
  toRecord.push(...newFiles);
  let text = existing ?? '';
  if (text !== '' && !text.endsWith('\n')) text += '\n';
  for (const rel of toRecord) {
    if (recorded.has(rel)) continue;
    const absolute = path.join(migrationDir, rel);
    if (!existsSync(absolute)) continue;
    text += sumsLine(sha256Hex(await fs.readFile(absolute)), rel);
    recorded.add(rel);
  }
  await writeFileDurable(file, text);
}
