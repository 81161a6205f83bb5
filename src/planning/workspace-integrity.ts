import { CairnError, compareCodePoints, visibleText } from '../util/index.js';
import type { TreeFingerprint } from '../fs/index.js';
import { parsePhaseDocFilename, type Step } from '../migration/index.js';

/*
 * Workspace integrity (docs/security.md §4): the agent of a planning step
 * (or the person preparing a manual run) may write only the step's declared
 * outputs. Everything else in the workspace — the manifest, the planning
 * state, sums, review records, accepted stage outputs, `.gitattributes`,
 * any other file — is cairn's: cairn derives it after the check, so an
 * agent cannot mark its own plan ready or forge a human approval.
 */

/** The files one step may write, in words (for messages and docs). */
export interface DeclaredOutputs {
  /** E.g. `["plan.md", "phase-<n>-<name>.md"]`; empty when the step's output is only what it prints. */
  patterns: readonly string[];
  /** Whether `rel` (a workspace-relative POSIX path) may be written, as a file or, when `dir`, as a directory. */
  allows(rel: string, kind: 'file' | 'dir'): boolean;
}

const NOTHING: DeclaredOutputs = { patterns: [], allows: () => false };

const APPROACH_FILES: DeclaredOutputs = {
  patterns: ['approaches/<idea>.md'],
  allows(rel, kind) {
    if (rel === 'approaches') return kind === 'dir';
    const name = rel.startsWith('approaches/') ? rel.slice('approaches/'.length) : null;
    return kind === 'file' && name !== null && !name.includes('/') && name.endsWith('.md') && name !== '.md';
  },
};

const PLAN_FILES: DeclaredOutputs = {
  patterns: ['plan.md', 'phase-<n>-<name>.md'],
  allows(rel, kind) {
    if (kind !== 'file' || rel.includes('/')) return false;
    return rel === 'plan.md' || parsePhaseDocFilename(rel) !== null;
  },
};

/** The workspace paths the agent of `step` may add, change or remove (docs/format.md §6.4, §7, §9.2). */
export function declaredOutputs(step: Step): DeclaredOutputs {
  switch (step) {
    case 'approaches':
      return APPROACH_FILES;
    case 'expand':
    case 'revise':
      return PLAN_FILES;
    default:
      return NOTHING;
  }
}

export type WorkspaceChange = 'added' | 'changed' | 'removed';

/** A path whose change the step did not declare. */
export interface UndeclaredChange {
  path: string;
  change: WorkspaceChange;
}

function kindOf(fingerprint: string): string {
  const space = fingerprint.indexOf(' ');
  return space === -1 ? fingerprint : fingerprint.slice(0, space);
}

function allowed(outputs: DeclaredOutputs, rel: string, fingerprint: string | undefined): boolean {
  if (fingerprint === undefined) return true;
  const kind = kindOf(fingerprint);
  return (kind === 'file' || kind === 'dir') && outputs.allows(rel, kind);
}

/**
 * Every path that differs between the fingerprints taken before and after
 * the step's files were written, and that the step may not write: a path
 * outside its declared outputs, or one of them turned into a symlink, a
 * special file or the wrong kind. Sorted by path; empty when the workspace
 * changed only where the step may write.
 */
export function checkWorkspaceChanges(before: TreeFingerprint, after: TreeFingerprint, step: Step): UndeclaredChange[] {
  const outputs = declaredOutputs(step);
  const paths = new Set([...Object.keys(before), ...Object.keys(after)]);
  const undeclared: UndeclaredChange[] = [];
  for (const rel of paths) {
    const old = Object.hasOwn(before, rel) ? before[rel] : undefined;
    const now = Object.hasOwn(after, rel) ? after[rel] : undefined;
    if (old === now) continue;
    if (allowed(outputs, rel, old) && allowed(outputs, rel, now)) continue;
    undeclared.push({ path: rel, change: old === undefined ? 'added' : now === undefined ? 'removed' : 'changed' });
  }
  return undeclared.sort((a, b) => compareCodePoints(a.path, b.path));
}

/**
 * A path as shown in a message: JSON-quoted when it holds a character that
 * is never printed raw (util/visible.ts) or a quote (names come from the
 * repository).
 */
export function shownPath(rel: string): string {
  return visibleText(rel) !== rel || rel.includes('"') ? JSON.stringify(rel) : rel;
}

/** `plan.md and phase-<n>-<name>.md`, or `no files`. */
export function describeDeclaredOutputs(step: Step): string {
  const patterns = declaredOutputs(step).patterns;
  if (patterns.length === 0) return 'no files (its output is what it prints)';
  return patterns.length === 1 ? `only ${patterns[0]}` : `only ${patterns.slice(0, -1).join(', ')} and ${patterns[patterns.length - 1]}`;
}

/**
 * The refusal of a workspace with undeclared changes:
 * `planning.<step> failed: <who> changed paths the step may not write: <path> (<change>), …;
 * planning.<step> may write <declared>; cairn writes manifest.json and .planning/ itself`.
 */
export function undeclaredChangesError(step: Step, undeclared: readonly UndeclaredChange[], who: string): CairnError {
  const listed = undeclared.map((entry) => `${shownPath(entry.path)} (${entry.change})`).join(', ');
  return new CairnError(
    'failed',
    `planning.${step} failed: ${who} changed paths the step may not write: ${listed}; ` +
      `planning.${step} may write ${describeDeclaredOutputs(step)}, and cairn writes manifest.json and .planning/ itself`,
    { hint: 'Nothing was published. Run the step again; its files must stay within the paths it may write.' },
  );
}

/** Throws {@link undeclaredChangesError} when the workspace changed outside the step's declared outputs. */
export function assertDeclaredChanges(before: TreeFingerprint, after: TreeFingerprint, step: Step, who: string): void {
  const undeclared = checkWorkspaceChanges(before, after, step);
  if (undeclared.length > 0) throw undeclaredChangesError(step, undeclared, who);
}
