import { createHash } from 'node:crypto';
import path from 'node:path';
import { messageOf } from '../errors.js';
import { pyStrRepr } from '../json/index.js';
import { hasParentTraversal, purePosix } from '../util/paths.js';
import type { MigrationContext } from './context.js';
import { entryKind, pathKind, readBytes, staysInside } from './fs-probe.js';
import type { Finding } from './types.js';

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

function outsideMessage(line: number, file: string): string {
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

/** SHA-256 of bytes, lowercase hex. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * `sums-invalid` for malformed lines and `stage-output-modified` for every
 * recorded file that is missing, not a regular file, or hashes differently.
 * Silent when there is no sums file.
 */
export function sumsFindings(ctx: MigrationContext): Finding[] {
  const sumsFile = path.join(ctx.dir, '.planning', 'sums');
  const kind = pathKind(sumsFile);
  if (kind === 'missing') return [];
  let text: string;
  try {
    if (kind !== 'file') throw new Error('not a regular file');
    const read = readBytes(sumsFile);
    if ('error' in read) throw read.error;
    text = new TextDecoder('utf-8', { fatal: true }).decode(read.bytes);
  } catch (error) {
    return [ctx.finding('sums-invalid', sumsFile, `Could not read .planning/sums: ${messageOf(error)}`)];
  }
  const { entries, problems } = parseSums(text);
  const findings = problems.map((problem) => ctx.finding('sums-invalid', sumsFile, problem.message));
  for (const entry of entries) {
    if (!staysInside(ctx.dir, entry.path, ctx.lstats)) {
      findings.push(ctx.finding('sums-invalid', sumsFile, outsideMessage(entry.line, entry.path)));
      continue;
    }
    const file = path.join(ctx.dir, ...entry.path.split('/'));
    const problem = stageFileProblem(file, entry.sha256, ctx);
    if (problem !== null) findings.push(ctx.finding('stage-output-modified', file, `Stage output ${pyStrRepr(entry.path)} ${problem}`));
  }
  return findings;
}

function stageFileProblem(file: string, expected: string, ctx: MigrationContext): string | null {
  const kind = entryKind(file, ctx.lstats);
  if (kind === 'missing') return 'recorded in .planning/sums is missing.';
  if (kind === 'symlink') return 'recorded in .planning/sums is a symlink, not the accepted file.';
  if (kind === 'other') return 'recorded in .planning/sums is not a regular file.';
  const read = readBytes(file);
  if ('error' in read) return `could not be read: ${messageOf(read.error)}`;
  const actual = sha256Hex(read.bytes);
  return actual === expected ? null : `no longer matches .planning/sums (sha256 ${actual}, recorded ${expected}).`;
}
