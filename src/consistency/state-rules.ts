import { messageOf, collapseWhitespace } from '../util/index.js';
import { decodeUtf8, parseJson, readJsonSource } from '../json/index.js';
import { decodeState, loadState, MIGRATION_FILES, migrationFiles, type Manifest, type PlanningState, type Finding } from '../migration/index.js';
import { conflictMarkerLineInFile } from './conflict-markers.js';
import type { MigrationContext } from './context.js';
import { isGone, pathKind, readBytes } from '../fs/index.js';
import { mergeConflictMessage } from './manifest-rules.js';

/**
 * `.planning/state.json` as the checks see it: missing; usable (`state`
 * holds the accepted steps, fully validated when validation was asked for);
 * or not usable, with why and where its first conflict marker is.
 */
export type StateOutcome =
  | { kind: 'missing'; state?: undefined }
  | { kind: 'usable'; state: PlanningState }
  | { kind: 'invalid'; state?: undefined; message: string; conflictLine: number | null };


function invalid(stateFile: string, error: unknown): StateOutcome {
  return { kind: 'invalid', message: messageOf(error), conflictLine: conflictMarkerLineInFile(stateFile) };
}

/**
 * Reads the state file. With `validate`, through the codec's full load
 * (replay and output refs, against the context's published root), as the
 * planning-state findings need; without, only decoded, which is all the
 * stage-file rules need and spares resolving every output ref.
 */
export async function loadStateForCheck(ctx: MigrationContext, validate: boolean): Promise<StateOutcome> {
  const stateFile = migrationFiles(ctx.dir).state;
  // Read first: a read that finds nothing is what a stat would have said.
  if (validate) {
    const source = readJsonSource(stateFile);
    if ('error' in source && isGone(source.error)) return { kind: 'missing' };
    try {
      return { kind: 'usable', state: await loadState(stateFile, { repoRoot: ctx.repoRoot, stateFile, publishedRoot: ctx.publishedRoot, realpaths: ctx.realpaths }, source) };
    } catch (error) {
      return invalid(stateFile, error);
    }
  }
  const read = readBytes(stateFile);
  if ('error' in read && isGone(read.error)) return { kind: 'missing' };
  try {
    if ('error' in read) throw read.error;
    return { kind: 'usable', state: decodeState(parseJson(decodeUtf8(read.bytes))) };
  } catch (error) {
    return invalid(stateFile, error);
  }
}

/** True when the state findings of `cairn doctor` apply: asked for, and the migration is planning. */
export function wantsPlanningChecks(manifest: Manifest, planningChecks: boolean): boolean {
  return planningChecks && manifest.status === 'planning';
}

/**
 * The state findings. For `cairn doctor` on a planning migration
 * (`planning`): `planning-state-missing`, `planning-state-invalid` (message
 * on one line), or `merge-conflict` instead of the latter. Otherwise only
 * `merge-conflict`, which is worth saying whatever the status, and
 * `planning-state-invalid` for a state file that is not a regular file (a
 * FIFO, a device, a directory: docs/security.md §2), which no command can read.
 */
export function stateFindings(ctx: MigrationContext, outcome: StateOutcome, planning: boolean): Finding[] {
  const stateFile = migrationFiles(ctx.dir).state;
  if (outcome.kind === 'missing') {
    return planning ? [ctx.finding('planning-state-missing', stateFile, 'Planning migration is missing .planning/state.json.')] : [];
  }
  if (outcome.kind === 'usable') return [];
  const message = collapseWhitespace(outcome.message);
  if (outcome.conflictLine !== null) {
    const conflict = mergeConflictMessage(MIGRATION_FILES.state, outcome.conflictLine);
    const extras = planning ? { v1: { code: 'planning-state-invalid', message } } : {};
    return [ctx.finding('merge-conflict', stateFile, conflict, extras)];
  }
  if (planning || pathKind(stateFile) !== 'file') return [ctx.finding('planning-state-invalid', stateFile, message)];
  return [];
}
