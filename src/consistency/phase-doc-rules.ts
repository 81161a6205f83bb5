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

/** What two phase docs may not share, checked in this order for each doc. */
const COLLISIONS = [
  { code: 'duplicate-phase-doc-index', key: (doc: PhaseDoc) => doc.index.toString(), subject: (doc: PhaseDoc) => `Phase doc index ${doc.index.toString()}` },
  { code: 'duplicate-phase-doc-name', key: (doc: PhaseDoc) => doc.name, subject: (doc: PhaseDoc) => `Phase doc name ${pyStrRepr(doc.name)}` },
] as const;

/**
 * `duplicate-phase-doc-index` and `duplicate-phase-doc-name`: walking the
 * docs in file-name order, a doc whose numeric index (or name) was already
 * seen is reported on its own path, naming the first doc that had it.
 */
export function collisionFindings(ctx: MigrationContext, docs: readonly PhaseDoc[]): Finding[] {
  const findings: Finding[] = [];
  const seen = COLLISIONS.map(() => new Map<string, string>());
  for (const doc of docs) {
    COLLISIONS.forEach((collision, i) => {
      const firstWith = seen[i] as Map<string, string>;
      const key = collision.key(doc);
      const first = firstWith.get(key);
      if (first === undefined) firstWith.set(key, doc.fileName);
      else {
        findings.push(
          ctx.finding(
            collision.code,
            path.join(ctx.dir, doc.fileName),
            `${collision.subject(doc)} is duplicated by ${pyStrRepr(first)} and ${pyStrRepr(doc.fileName)}.`,
          ),
        );
      }
    });
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
