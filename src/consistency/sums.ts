import path from 'node:path';
import { messageOf } from '../util/index.js';
import { pyStrRepr } from '../json/index.js';
import { outsideMessage, parseSums, sha256Hex, migrationFiles, type Finding } from '../migration/index.js';
import type { MigrationContext } from './context.js';
import { malformedLineFindings } from './line-findings.js';
import { entryKind, readBytes, readStrictText, staysInside, type EntryKind, type LstatCache } from '../fs/index.js';

/**
 * `sums-invalid` for malformed lines (at most 100, then
 * a count) and `stage-output-modified` for every recorded file that is
 * missing, not a regular file, or hashes differently (a file a verified
 * digest vouches for counts as hashing as recorded without being read).
 * Silent when there is no sums file.
 */
export function sumsFindings(ctx: MigrationContext): Finding[] {
  const sumsFile = migrationFiles(ctx.dir).sums;
  const read = readStrictText(sumsFile);
  if (read === null) return [];
  if ('error' in read) return [ctx.finding('sums-invalid', sumsFile, `Could not read .planning/sums: ${messageOf(read.error)}`)];
  const { entries, problems } = parseSums(read.text);
  const findings = malformedLineFindings(ctx, 'sums-invalid', sumsFile, '.planning/sums', problems.map((problem) => problem.message));
  for (const entry of entries) {
    const target = sumsTarget(ctx.dir, entry.path, ctx.lstats);
    if (target === null) {
      findings.push(ctx.finding('sums-invalid', sumsFile, outsideMessage(entry.line, entry.path)));
      continue;
    }
    const problem = stageFileProblem(target, entry.sha256, ctx);
    if (problem !== null) findings.push(ctx.finding('stage-output-modified', target.file, `Stage output ${pyStrRepr(entry.path)} ${problem}`));
  }
  return findings;
}

/**
 * The file a `.planning/sums` line names (`rel`, relative to the migration
 * directory `dir`) and what it is, or null when it resolves outside `dir`:
 * the sums rule reads and hashes it only when it is a regular file.
 */
export function sumsTarget(dir: string, rel: string, lstats: LstatCache): { file: string; kind: EntryKind } | null {
  if (!staysInside(dir, rel, lstats)) return null;
  const file = path.join(dir, ...rel.split('/'));
  return { file, kind: entryKind(file, lstats) };
}

function stageFileProblem({ file, kind }: { file: string; kind: EntryKind }, expected: string, ctx: MigrationContext): string | null {
  if (kind === 'missing') return 'recorded in .planning/sums is missing.';
  if (kind === 'symlink') return 'recorded in .planning/sums is a symlink, not the accepted file.';
  if (kind === 'other') return 'recorded in .planning/sums is not a regular file.';
  // A digest verified earlier, still vouched for by the file's stat fields, stands for reading it.
  if (ctx.verifiedDigests?.matches(path.dirname(ctx.dir), file, expected) === true) return null;
  const read = readBytes(file);
  if ('error' in read) return `could not be read: ${messageOf(read.error)}`;
  const actual = sha256Hex(read.bytes);
  return actual === expected ? null : `no longer matches .planning/sums (sha256 ${actual}, recorded ${expected}).`;
}
