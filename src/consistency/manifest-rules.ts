import path from 'node:path';
import { messageOf } from '../util/index.js';
import { loadManifest, migrationFiles, MIGRATION_FILES, type Manifest, type Finding } from '../migration/index.js';
import { pyStrRepr } from '../json/index.js';
import { conflictMarkerLineInFile } from './conflict-markers.js';
import type { MigrationContext } from './context.js';
import { isGone } from '../fs/index.js';
import { readJsonSource } from '../json/index.js';

export type ManifestOutcome = { manifest: Manifest; finding?: undefined } | { manifest?: undefined; finding: Finding };

/** The message of a `merge-conflict` finding for `fileLabel` (e.g. `manifest.json`). */
export function mergeConflictMessage(fileLabel: string, line: number): string {
  return `Unresolved git merge conflict in ${fileLabel} (first conflict marker on line ${line}).`;
}

/**
 * Loads `<dir>/manifest.json` for a check: `missing-manifest` when there is
 * none, `merge-conflict` when it fails to load and holds conflict markers,
 * else `invalid-manifest` with the loader's message.
 */
export async function loadManifestForCheck(ctx: MigrationContext): Promise<ManifestOutcome> {
  const file = migrationFiles(ctx.dir).manifest;
  // Read first: a read that finds nothing is what a stat would have said.
  const source = readJsonSource(file);
  if ('error' in source && isGone(source.error)) {
    return { finding: ctx.finding('missing-manifest', file, 'Migration manifest is missing.') };
  }
  try {
    return { manifest: await loadManifest(file, source) };
  } catch (error) {
    const message = messageOf(error);
    const line = conflictMarkerLineInFile(file);
    if (line !== null) {
      const v1 = { code: 'invalid-manifest', message };
      return { finding: ctx.finding('merge-conflict', file, mergeConflictMessage(MIGRATION_FILES.manifest, line), { v1 }) };
    }
    return { finding: ctx.finding('invalid-manifest', file, message) };
  }
}

/** True for `<…>/__transactions__/<tx>/staged`, the publish transaction's staged copy. */
export function isStagedTransactionCopy(dir: string): boolean {
  const parts = path.resolve(dir).split(path.sep);
  return parts[parts.length - 1] === 'staged' && parts.slice(0, -1).includes('__transactions__');
}

/**
 * `manifest-slug-mismatch`: the manifest name must equal the expected slug
 * (`expectedSlug`, else the directory name; a staged transaction copy is
 * exempt unless the slug was given).
 */
export function identityFindings(ctx: MigrationContext, manifest: Manifest, expectedSlug: string | undefined): Finding[] {
  if (expectedSlug === undefined && isStagedTransactionCopy(ctx.dir)) return [];
  const slug = expectedSlug ?? path.basename(path.resolve(ctx.dir));
  if (manifest.name === slug) return [];
  return [
    ctx.finding(
      'manifest-slug-mismatch',
      migrationFiles(ctx.dir).manifest,
      `Manifest name ${pyStrRepr(manifest.name)} does not match directory slug ${pyStrRepr(slug)}.`,
    ),
  ];
}
