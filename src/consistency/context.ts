import type { Manifest, Finding, Severity, ValidationMode } from '../migration/index.js';
import { LstatCache } from '../fs/index.js';
import { makeFinding } from './rules.js';
import type { VerifiedDigests } from './verified-digests.js';

/** Optional finding fields beyond code, path and message. */
export interface FindingExtras {
  hint?: string;
  severity?: Severity;
  /** The original's code and message for the same problem (see `Finding.v1`). */
  v1?: { code: string; message: string };
}

/** What every rule of one migration directory check needs. */
export interface MigrationContext {
  /** The directory being checked, absolute. */
  dir: string;
  /** The slug findings carry. */
  slug: string;
  mode: ValidationMode;
  repoRoot: string;
  /** The live directory state output refs point into. */
  publishedRoot: string;
  /** lstat results shared by the rules of this one check. */
  lstats: LstatCache;
  /**
   * Paths already resolved (`resolvePathWith`) during this check; `doctor
   * --all` seeds it with the repository and the live root, resolved once.
   */
  realpaths: Map<string, string>;
  /** Digests verified earlier that the sums rule may take instead of hashing (doctor with a store only). */
  verifiedDigests: VerifiedDigests | null;
  finding(code: string, path: string, message: string, extra?: FindingExtras): Finding;
}

/** A context whose `finding()` stamps the check's mode and slug on every finding. */
export function migrationContext(
  fields: Omit<MigrationContext, 'finding' | 'lstats' | 'realpaths' | 'verifiedDigests'> & {
    realpaths?: Map<string, string> | undefined;
    verifiedDigests?: VerifiedDigests | null | undefined;
  },
): MigrationContext {
  return {
    ...fields,
    lstats: new LstatCache(),
    realpaths: fields.realpaths ?? new Map(),
    verifiedDigests: fields.verifiedDigests ?? null,
    finding: (code, path, message, extra = {}) =>
      makeFinding(code, { mode: fields.mode, slug: fields.slug, path, message, ...extra }),
  };
}

/** Ready-gated rules (docs/format.md §12.2): always in `ready-publish`; in `doctor` only for ready or in-progress migrations. */
export function isReadyGated(mode: ValidationMode, manifest: Manifest): boolean {
  if (mode === 'ready-publish') return true;
  return mode === 'doctor' && isReadyOrInProgress(manifest);
}

/** Ready and in-progress migrations are the ones with a plan being executed. */
export function isReadyOrInProgress(manifest: Manifest): boolean {
  return manifest.status === 'ready' || manifest.status === 'in-progress';
}
