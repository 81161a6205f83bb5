import { lstatSync } from 'node:fs';
import { CairnError, messageOf, shellWord } from '../util/index.js';
import { readJsonSource } from '../json/index.js';
import { loadManifest, loadState, migrationFiles, validateDecodedState, type Manifest, type PlanningState, type StateContext } from '../migration/index.js';
import { conflictFilesText, mergeConflictFiles, mergeConflictHint, type InspectedFiles } from '../consistency/index.js';
import type { LstatCache } from '../fs/index.js';
import type { ReviewPolicy } from './accept-step.js';
import { awaitingReviewReason } from './review-pending.js';

/** Everything `cairn status` shows about one migration. */
export interface MigrationDescription {
  slug: string;
  path: string;
  manifest: Manifest;
  /** Null when the migration has no `.planning/state.json`. */
  state: PlanningState | null;
  /** Why the planning state could not be used, if it could not. */
  stateError: string | null;
  /** Why the migration awaits a human review under the project's policy, or null when it does not (`awaitingReviewReason`). */
  awaitingReview: string | null;
}

/**
 * Load a migration's manifest, planning state and review state (under
 * review policy `policy`) for display. A missing or
 * invalid manifest, or a git merge conflict in the manifest or state, is an error (nothing to show); an invalid state is
 * reported in `stateError` so the rest can still be shown. Each of
 * manifest.json and state.json is read once. `roots`: the repository and
 * live root already resolved (`resolvedRoots`), for a caller describing many
 * migrations. `read`: the manifest and state a check of the same files
 * just loaded (`InspectedFiles`), so they are not read again; a state it
 * could not use is read here as usual.
 */
export async function describeMigration(
  slug: string,
  migrationDir: string,
  repoRoot: string,
  policy: ReviewPolicy,
  roots: ReadonlyMap<string, string> = new Map(),
  read?: InspectedFiles,
): Promise<MigrationDescription> {
  const loaded = read !== undefined && read.state !== undefined ? fromCheck(migrationDir, repoRoot, roots, read) : await readFresh(slug, migrationDir, repoRoot, roots);
  const awaitingReview = await awaitingReviewReason(migrationDir, loaded.manifest, policy);
  return { slug, path: migrationDir, ...loaded, awaitingReview };
}

/** The files of a description: what {@link describeMigration} adds the review state to. */
type DescribedFiles = Pick<MigrationDescription, 'manifest' | 'state' | 'stateError'>;

const MISSING_STATE = 'Planning migration is missing .planning/state.json.';

/** How the state of the migration in `migrationDir` is validated (output refs against that directory). */
function stateContext(migrationDir: string, repoRoot: string, realpaths: Map<string, string>, lstats?: LstatCache): StateContext {
  return { repoRoot, stateFile: migrationFiles(migrationDir).state, publishedRoot: migrationDir, realpaths, ...(lstats === undefined ? {} : { lstats }) };
}

/** Reads manifest.json and state.json once each, refusing a migration without a manifest or with conflict markers. */
async function readFresh(slug: string, migrationDir: string, repoRoot: string, roots: ReadonlyMap<string, string>): Promise<DescribedFiles> {
  const manifestPath = migrationFiles(migrationDir).manifest;
  try {
    lstatSync(manifestPath);
  } catch {
    throw new CairnError('invalid-manifest', `Migration '${slug}' has no manifest.json (${manifestPath}).`, {
      path: manifestPath,
      hint: `Run \`cairn doctor ${shellWord(slug)}\` to see what is wrong with it.`,
    });
  }
  const stateFile = migrationFiles(migrationDir).state;
  let hasState = true;
  try {
    lstatSync(stateFile);
  } catch {
    hasState = false;
  }
  const manifestSource = readJsonSource(manifestPath);
  const stateSource = hasState ? readJsonSource(stateFile) : undefined;
  const conflicted = mergeConflictFiles(migrationFiles(migrationDir), { manifest: manifestSource, state: stateSource });
  if (conflicted.length > 0) {
    throw new CairnError('merge-conflict', `Migration '${slug}' has a git merge conflict in ${conflictFilesText(conflicted)}.`, {
      path: migrationDir,
      hint: mergeConflictHint(slug),
    });
  }
  const manifest = await loadManifest(manifestPath, manifestSource);
  let state: PlanningState | null = null;
  let stateError: string | null = null;
  if (hasState) {
    try {
      state = await loadState(stateFile, stateContext(migrationDir, repoRoot, new Map(roots)), stateSource);
    } catch (error) {
      stateError = messageOf(error);
    }
  } else if (manifest.status === 'planning') {
    stateError = MISSING_STATE;
  }
  return { manifest, state, stateError };
}

/**
 * The same from files a check already loaded: a manifest that loaded and a
 * state that decoded held no conflict markers (JSON never can), and a state
 * only decoded is validated here as `loadState` would.
 */
function fromCheck(migrationDir: string, repoRoot: string, roots: ReadonlyMap<string, string>, read: InspectedFiles): DescribedFiles {
  const { manifest } = read;
  if (read.state === null || read.state === undefined) return { manifest, state: null, stateError: manifest.status === 'planning' ? MISSING_STATE : null };
  if (read.stateValidated) return { manifest, state: read.state, stateError: null };
  try {
    const context = stateContext(migrationDir, repoRoot, read.realpaths ?? new Map(roots), read.lstats);
    return { manifest, state: validateDecodedState(migrationFiles(migrationDir).state, context, read.state), stateError: null };
  } catch (error) {
    return { manifest, state: null, stateError: messageOf(error) };
  }
}
