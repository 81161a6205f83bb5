import path from 'node:path';
import { pyStrRepr } from '../json/index.js';
import { migrationFiles, type Manifest, type Phase, type Finding } from '../migration/index.js';
import { hasParentTraversal, purePosix } from '../util/index.js';
import type { MigrationContext } from './context.js';
import { entryKind, staysInside } from '../fs/index.js';

/** A manifest phase whose file is a regular file inside the migration dir. */
export interface RegularPhaseFile {
  phase: Phase;
  /** Absolute path of the phase doc. */
  file: string;
}

export interface PhaseFileResult {
  findings: Finding[];
  regular: RegularPhaseFile[];
}

function isInvalidReference(file: string): boolean {
  return file === '' || purePosix(file) === '.' || path.isAbsolute(file) || hasParentTraversal(file);
}

/**
 * The manifest phase file rules, per phase in manifest order:
 * `invalid-phase-file-reference` (empty, `.`, absolute, `..`),
 * `phase-file-escapes-migration` (resolves outside the dir),
 * `missing-phase-file`, `phase-file-not-regular` (symlink, directory, …).
 * Also returns the phases whose file passed, for the doc contract.
 */
export function phaseFileFindings(ctx: MigrationContext, manifest: Manifest): PhaseFileResult {
  const findings: Finding[] = [];
  const regular: RegularPhaseFile[] = [];
  const manifestPath = migrationFiles(ctx.dir).manifest;
  for (const phase of manifest.phases) {
    const quoted = pyStrRepr(phase.file);
    if (isInvalidReference(phase.file)) {
      findings.push(
        ctx.finding(
          'invalid-phase-file-reference',
          manifestPath,
          `Manifest phase ${pyStrRepr(phase.name)} has an invalid file reference ${quoted}; it must be a relative path inside the migration directory.`,
        ),
      );
      continue;
    }
    const file = path.join(ctx.dir, phase.file);
    if (!staysInside(ctx.dir, phase.file, ctx.lstats)) {
      findings.push(
        ctx.finding('phase-file-escapes-migration', file, `Manifest phase file ${quoted} resolves outside the migration directory.`),
      );
      continue;
    }
    const kind = entryKind(file, ctx.lstats);
    if (kind === 'missing') {
      findings.push(ctx.finding('missing-phase-file', file, `Manifest phase file ${quoted} is missing.`));
    } else if (kind === 'symlink') {
      findings.push(
        ctx.finding('phase-file-not-regular', file, `Manifest phase file ${quoted} must be a regular file, not a symlink.`),
      );
    } else if (kind === 'other') {
      findings.push(ctx.finding('phase-file-not-regular', file, `Manifest phase file ${quoted} is not a regular file.`));
    } else {
      regular.push({ phase, file });
    }
  }
  return { findings, regular };
}
