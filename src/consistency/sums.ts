import path from 'node:path';
import { messageOf } from '../util/index.js';
import { pyStrRepr } from '../json/index.js';
import { outsideMessage, parseSums, sha256Hex, migrationFiles, type Finding } from '../migration/index.js';
import type { MigrationContext } from './context.js';
import { malformedLineFindings } from './line-findings.js';
import { entryKind, isGone, readBytes, staysInside } from '../fs/index.js';

/**
 * `sums-invalid` for malformed lines (at most 100, then
 * a count) and `stage-output-modified` for every recorded file that is
 * missing, not a regular file, or hashes differently (a file a verified
 * digest vouches for counts as hashing as recorded without being read).
 * Silent when there is no sums file.
 */
export function sumsFindings(ctx: MigrationContext): Finding[] {
  const sumsFile = migrationFiles(ctx.dir).sums;
  // Read first: a read that finds nothing is what a stat would have said.
  const read = readBytes(sumsFile);
  if ('error' in read && isGone(read.error)) return [];
  let text: string;
  try {
    if ('error' in read) throw read.error;
    text = new TextDecoder('utf-8', { fatal: true }).decode(read.bytes);
  } catch (error) {
    return [ctx.finding('sums-invalid', sumsFile, `Could not read .planning/sums: ${messageOf(error)}`)];
  }
  const { entries, problems } = parseSums(text);
  const findings = malformedLineFindings(ctx, 'sums-invalid', sumsFile, '.planning/sums', problems.map((problem) => problem.message));
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
  // A digest verified earlier, still vouched for by the file's stat fields, stands for reading it.
  if (ctx.verifiedDigests?.matches(path.dirname(ctx.dir), file, expected) === true) return null;
  const read = readBytes(file);
  if ('error' in read) return `could not be read: ${messageOf(read.error)}`;
  const actual = sha256Hex(read.bytes);
  return actual === expected ? null : `no longer matches .planning/sums (sha256 ${actual}, recorded ${expected}).`;
}
