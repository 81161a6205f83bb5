import path from 'node:path';
import { messageOf } from '../util/index.js';
import { pyStrRepr } from '../json/index.js';
import { hasHeading, migrationFiles, type Manifest, type PhaseDocHeading, type Finding } from '../migration/index.js';
import { isReadyOrInProgress, type MigrationContext } from './context.js';
import { lenientText, pathKind, readBytes } from '../fs/index.js';
import type { RegularPhaseFile } from './phase-file-rules.js';

/**
 * `missing-plan`: always in `ready-publish`; in `execution-gate` and `doctor`
 * for ready or in-progress migrations; never in `planning-snapshot`.
 */
export function planFindings(ctx: MigrationContext, manifest: Manifest): Finding[] {
  const gated = ctx.mode === 'ready-publish' || (ctx.mode !== 'planning-snapshot' && isReadyOrInProgress(manifest));
  if (!gated) return [];
  const plan = path.join(ctx.dir, 'plan.md');
  // A regular file as the listing saw it needs no stat; a symlink is followed.
  const seen = ctx.lstats.lstat(plan);
  const kind = !(seen instanceof Error) && seen.isFile() ? 'file' : pathKind(plan);
  if (kind === 'file') return [];
  // a directory keeps v1's message; a FIFO or device is named (docs/security.md §2)
  const message =
    kind === 'other'
      ? 'plan.md is not a regular file (cairn reads no FIFO or device); ready and in-progress migrations require one.'
      : 'Ready and in-progress migrations require plan.md.';
  return [ctx.finding('missing-plan', plan, message)];
}

/** `missing-manifest-phases`, else `invalid-current-phase` (ready-gated). */
export function membershipFindings(ctx: MigrationContext, manifest: Manifest): Finding[] {
  const manifestPath = migrationFiles(ctx.dir).manifest;
  if (manifest.phases.length === 0) {
    return [ctx.finding('missing-manifest-phases', manifestPath, 'Ready migrations require at least one manifest phase.')];
  }
  if (manifest.phases.some((phase) => phase.name === manifest.current_phase)) return [];
  return [
    ctx.finding(
      'invalid-current-phase',
      manifestPath,
      `Current phase ${pyStrRepr(manifest.current_phase)} does not match any manifest phase.`,
    ),
  ];
}

const CONTRACT: readonly { heading: PhaseDocHeading; code: string }[] = [
  { heading: 'Precondition', code: 'missing-phase-precondition' },
  { heading: 'Definition of Done', code: 'missing-phase-definition-of-done' },
];

/**
 * The phase doc contract (ready-gated): every manifest phase file that is a
 * regular file must have a `## Precondition` and a `## Definition of Done`
 * heading line. A doc that cannot be read is `path-unreadable`.
 */
export function docContractFindings(ctx: MigrationContext, files: readonly RegularPhaseFile[]): Finding[] {
  const findings: Finding[] = [];
  for (const { file } of files) {
    const read = readBytes(file);
    if ('error' in read) {
      findings.push(ctx.finding('path-unreadable', file, `Could not read phase doc ${file}: ${messageOf(read.error)}`));
      continue;
    }
    // Lenient decoding: the headings are ASCII, so stray bytes elsewhere do not matter here.
    const text = lenientText(read.bytes);
    for (const { heading, code } of CONTRACT) {
      if (!hasHeading(text, heading)) {
        findings.push(ctx.finding(code, file, `Phase docs require a ## ${heading} section before ready publish.`));
      }
    }
  }
  return findings;
}
