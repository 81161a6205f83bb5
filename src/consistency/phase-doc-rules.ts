import type { Dirent } from 'node:fs';
import path from 'node:path';
import { pyStrRepr } from '../json/index.js';
import { parsePhaseDocFilename, type Manifest, type PhaseDocName, type Finding } from '../migration/index.js';
import { compareCodePoints } from '../util/index.js';
import type { MigrationContext } from './context.js';

/** A phase doc found in a migration dir's root. */
export interface PhaseDoc extends PhaseDocName {
  fileName: string;
}

/**
 * The phase docs among a migration dir's direct children (non-directories
 * named `phase-<n>-<name>.md`), sorted by file name.
 */
export function phaseDocsOf(entries: readonly Dirent[]): PhaseDoc[] {
  const docs: PhaseDoc[] = [];
  for (const entry of entries) {
    if (entry.isDirectory()) continue;
    const parsed = parsePhaseDocFilename(entry.name);
    if (parsed !== null) docs.push({ ...parsed, fileName: entry.name });
  }
  return docs.sort((a, b) => compareCodePoints(a.fileName, b.fileName));
}

/**
 * `duplicate-phase-doc-index` and `duplicate-phase-doc-name`: walking the
 * docs in file-name order, a doc whose numeric index (or name) was already
 * seen is reported on its own path, naming the first doc that had it.
 */
export function collisionFindings(ctx: MigrationContext, docs: readonly PhaseDoc[]): Finding[] {
  const findings: Finding[] = [];
  const byIndex = new Map<bigint, string>();
  const byName = new Map<string, string>();
  for (const doc of docs) {
    const docPath = path.join(ctx.dir, doc.fileName);
    const sameIndex = byIndex.get(doc.index);
    if (sameIndex === undefined) byIndex.set(doc.index, doc.fileName);
    else {
      findings.push(
        ctx.finding(
          'duplicate-phase-doc-index',
          docPath,
          `Phase doc index ${doc.index.toString()} is duplicated by ${pyStrRepr(sameIndex)} and ${pyStrRepr(doc.fileName)}.`,
        ),
      );
    }
    const sameName = byName.get(doc.name);
    if (sameName === undefined) byName.set(doc.name, doc.fileName);
    else {
      findings.push(
        ctx.finding(
          'duplicate-phase-doc-name',
          docPath,
          `Phase doc name ${pyStrRepr(doc.name)} is duplicated by ${pyStrRepr(sameName)} and ${pyStrRepr(doc.fileName)}.`,
        ),
      );
    }
  }
  return findings;
}

/**
 * `phase-doc-not-in-manifest`: one finding per phase doc name that is not a
 * manifest phase name, sorted, on the literal path `<dir>/phase-*-<name>.md`.
 */
export function coverageFindings(ctx: MigrationContext, manifest: Manifest, docs: readonly PhaseDoc[]): Finding[] {
  const phaseNames = new Set(manifest.phases.map((phase) => phase.name));
  const stray = [...new Set(docs.map((doc) => doc.name).filter((name) => !phaseNames.has(name)))].sort(compareCodePoints);
  return stray.map((name) =>
    ctx.finding(
      'phase-doc-not-in-manifest',
      path.join(ctx.dir, `phase-*-${name}.md`),
      `Phase doc ${pyStrRepr(name)} is not a manifest phase.`,
    ),
  );
}
