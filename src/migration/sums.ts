import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { readRegularFileSync, readRegularTextSync, writeFileDurable } from '../fs/index.js';
import { pyStrRepr } from '../json/index.js';
import { hasParentTraversal, purePosix, toPosix } from '../util/index.js';
import type { PlanningState } from './state.js';
import { migrationFiles } from './layout.js';

/*
 * `<migration>/.planning/sums`: `sha256sum` lines, `<64 hex>  <path>` (or
 * `<64 hex> *<path>`, binary mode), the path relative to the migration dir.
 * Written for every accepted stage output, so hand edits of accepted history
 * show up (`sha256sum -c .planning/sums` in the migration dir checks it too).
 */

export const SUMS_RELATIVE_PATH = '.planning/sums';

export interface SumsEntry {
  /** Lowercase hex SHA-256. */
  sha256: string;
  /** POSIX path relative to the migration dir. */
  path: string;
  /** 1-based line number. */
  line: number;
}

export interface SumsProblem {
  line: number;
  message: string;
}

const SUMS_LINE = /^([0-9a-fA-F]{64}) [ *](.+)$/s;

/** The problem text for a sums line naming a path outside the migration dir. */
export function outsideMessage(line: number, file: string): string {
  return `Line ${line} of .planning/sums names a path outside the migration directory: ${pyStrRepr(file)}.`;
}

/** Parses sums text; blank lines are skipped, every other malformed line is a problem. */
export function parseSums(text: string): { entries: SumsEntry[]; problems: SumsProblem[] } {
  const entries: SumsEntry[] = [];
  const problems: SumsProblem[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const number = index + 1;
    const match = SUMS_LINE.exec(line);
    if (match === null) {
      problems.push({ line: number, message: `Line ${number} of .planning/sums is not "<sha256>  <path>": ${pyStrRepr(line)}.` });
      return;
    }
    const file = match[2] as string;
    if (purePosix(file) === '.' || file.startsWith('/') || hasParentTraversal(file)) {
      problems.push({ line: number, message: outsideMessage(number, file) });
      return;
    }
    entries.push({ sha256: (match[1] as string).toLowerCase(), path: file, line: number });
  });
  return { entries, problems };
}

/** SHA-256, lowercase hex. */
export function sha256Hex(bytes: string | Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
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
  const file = migrationFiles(migrationDir).sums;
  const existing = existsSync(file) ? readRegularTextSync(file) : null;
  const recorded = new Set(parseSums(existing ?? '').entries.map((entry) => entry.path));
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
    text += sumsLine(sha256Hex(readRegularFileSync(absolute)), rel);
    recorded.add(rel);
  }
  await writeFileDurable(file, text);
}
