/** Where a consistency check runs; each rule declares the modes it runs in (docs/format.md §12.2). */
export type ValidationMode = 'planning-snapshot' | 'ready-publish' | 'execution-gate' | 'doctor';

export const VALIDATION_MODES: readonly ValidationMode[] = ['planning-snapshot', 'ready-publish', 'execution-gate', 'doctor'];

export type Severity = 'error' | 'warning' | 'info';

/** One problem found in a migration directory or the live root. */
export interface Finding {
  severity: Severity;
  mode: ValidationMode;
  /** Stable finding code, e.g. `missing-plan`. */
  code: string;
  /** The migration slug, or `__transactions__` for live-root findings. */
  slug: string;
  /** Absolute path of the file or directory at fault. */
  path: string;
  message: string;
  /** How to fix it. */
  hint: string;
  /**
   * How continuous-refactoring reports the same problem, when a cairn rule
   * names it differently (e.g. `merge-conflict` for a manifest the original
   * calls `invalid-manifest`). The `tsv` format prints this, so its output
   * stays byte-for-byte the original's.
   */
  v1?: { code: string; message: string };
}

/** Options of one directory check. */
export interface CheckOptions {
  mode: ValidationMode;
  repoRoot: string;
  /**
   * The slug the directory must be named for (`manifest-slug-mismatch`).
   * Defaults to the directory's basename; the publish transaction passes the
   * real slug when it validates a staged copy whose directory is `staged`.
   */
  slug?: string;
  /**
   * The live migration directory that state output refs point into; for a
   * workspace or staged copy this differs from the checked directory.
   */
  publishedRoot?: string;
}

/** The invariants every publish checks between the live tree and the candidate that replaces it (docs/format.md §12.5). */
export const INVARIANT_NAMES = [
  'accepted-steps-append-only',
  'feedback-append-only',
  'stage-files-preserved',
  'done-phases-stay-done',
  'references-resolve',
  'required-files-present',
  'sums-append-only',
  'reviews-append-only',
] as const;
export type InvariantName = (typeof INVARIANT_NAMES)[number];

export interface InvariantViolation {
  /** Absolute path in the candidate tree the violation is about. */
  path: string;
  message: string;
}

export interface InvariantResult {
  name: InvariantName;
  passed: boolean;
  violations: InvariantViolation[];
}
