import path from 'node:path';
import { messageOf } from '../util/index.js';
import { encodeJson, parseJson } from '../json/index.js';
import { loadManifest, resolveOutputRef, decodeState, loadState, stateToJson, MIGRATION_FILES, INVARIANT_NAMES, type Manifest, type PlanningState, type InvariantName, type InvariantResult, type InvariantViolation } from '../migration/index.js';
import { isDirectory, isRegularFile, pathExists, readRegularFileSync, readRegularTextSync } from '../fs/index.js';

/*
 * Invariants between the old live tree and a candidate that replaces it
 * (docs/format.md §12.5): accepted history only grows. Every invariant is evaluated
 * and every violation reported, each under a stable name.
 */

export interface InvariantContext {
  repoRoot: string;
  /** The live migration directory: where state output refs point. */
  liveDir: string;
}

const MANIFEST = MIGRATION_FILES.manifest;
const STATE = MIGRATION_FILES.state;
const SUMS = MIGRATION_FILES.sums;
const REVIEWS = MIGRATION_FILES.reviews;

interface Side {
  dir: string;
  exists: boolean;
  /** Decoded (not validated) state, null when absent or unreadable. */
  state: PlanningState | null;
  stateError: string | null;
  stateExists: boolean;
  manifest: Manifest | null;
  manifestError: string | null;
  manifestExists: boolean;
}

/**
 * Checks every invariant between `oldDir` (the live migration; null or
 * missing for a new migration) and the candidate `newDir`. Never throws for
 * content problems: they are violations.
 */
export async function checkInvariants(oldDir: string | null, newDir: string, context: InvariantContext): Promise<InvariantResult[]> {
  const old = await readSide(oldDir);
  const candidate = await readSide(newDir);
  const checks: Record<InvariantName, () => Promise<InvariantViolation[]>> = {
    'accepted-steps-append-only': async () =>
      appendOnly(old, candidate, 'completed_steps', 'accepted step', (state) => stateToJson(state)['completed_steps']),
    'feedback-append-only': async () => appendOnly(old, candidate, 'feedback', 'feedback entry', (state) => stateToJson(state)['feedback']),
    'stage-files-preserved': () => stageFilesPreserved(old, candidate, context),
    'done-phases-stay-done': async () => donePhasesStayDone(old, candidate),
    'references-resolve': () => referencesResolve(candidate, context),
    'required-files-present': async () => requiredFilesPresent(old, candidate),
    'sums-append-only': () => linesAppendOnly(old, candidate, SUMS),
    'reviews-append-only': () => linesAppendOnly(old, candidate, REVIEWS),
  };
  const results: InvariantResult[] = [];
  for (const name of INVARIANT_NAMES) {
    let violations: InvariantViolation[];
    try {
      violations = await checks[name]();
    } catch (error) {
      violations = [{ path: newDir, message: `could not be checked: ${messageOf(error)}` }];
    }
    results.push({ name, passed: violations.length === 0, violations });
  }
  return results;
}

async function readSide(dir: string | null): Promise<Side> {
  const side: Side = {
    dir: dir ?? '',
    exists: dir !== null && (await isDirectory(dir)),
    state: null,
    stateError: null,
    stateExists: false,
    manifest: null,
    manifestError: null,
    manifestExists: false,
  };
  if (!side.exists || dir === null) return side;
  const stateFile = path.join(dir, STATE);
  side.stateExists = await pathExists(stateFile);
  if (side.stateExists) {
    try {
      side.state = decodeState(parseJson(readRegularTextSync(stateFile)));
    } catch (error) {
      side.stateError = messageOf(error);
    }
  }
  const manifestFile = path.join(dir, MANIFEST);
  side.manifestExists = await pathExists(manifestFile);
  if (side.manifestExists) {
    try {
      side.manifest = await loadManifest(manifestFile);
    } catch (error) {
      side.manifestError = messageOf(error);
    }
  }
  return side;
}

function appendOnly(
  old: Side,
  candidate: Side,
  field: string,
  label: string,
  entriesOf: (state: PlanningState) => unknown,
): InvariantViolation[] {
  if (old.state === null) return [];
  const stateFile = path.join(candidate.dir, STATE);
  const oldEntries = entriesOf(old.state) as Parameters<typeof encodeJson>[0][];
  if (candidate.state === null) {
    if (oldEntries.length === 0) return [];
    const why = candidate.stateExists ? `cannot be read (${candidate.stateError ?? 'unknown error'})` : 'was removed';
    return [{ path: stateFile, message: `state.json ${why}, dropping ${oldEntries.length} ${label}(s) of the live history` }];
  }
  const newEntries = entriesOf(candidate.state) as Parameters<typeof encodeJson>[0][];
  const violations: InvariantViolation[] = [];
  if (newEntries.length < oldEntries.length) {
    violations.push({
      path: stateFile,
      message: `${field} shrank from ${oldEntries.length} to ${newEntries.length} entries; accepted history is append-only`,
    });
  }
  const shared = Math.min(oldEntries.length, newEntries.length);
  for (let index = 0; index < shared; index += 1) {
    if (encodeJson(oldEntries[index]!) !== encodeJson(newEntries[index]!)) {
      violations.push({ path: stateFile, message: `${field}[${index}] differs from the live ${label}; accepted history is append-only` });
    }
  }
  return violations;
}

async function stageFilesPreserved(old: Side, candidate: Side, context: InvariantContext): Promise<InvariantViolation[]> {
  if (old.state === null) return [];
  const oldStateFile = path.join(old.dir, STATE);
  const violations: InvariantViolation[] = [];
  const seen = new Set<string>();
  for (const step of old.state.completed_steps) {
    const ref = step.outputs.stdout;
    let oldFile: string;
    try {
      oldFile = resolveOutputRef(ref, { repoRoot: context.repoRoot, stateFile: oldStateFile, publishedRoot: context.liveDir });
    } catch {
      continue; // The live tree itself lacks it: nothing accepted to preserve.
    }
    const relative = path.relative(old.dir, oldFile);
    if (seen.has(relative)) continue;
    seen.add(relative);
    const newFile = path.join(candidate.dir, relative);
    const before = readRegularFileSync(oldFile);
    let after: Buffer;
    try {
      after = readRegularFileSync(newFile);
    } catch {
      violations.push({ path: newFile, message: `accepted stage output ${ref} (step ${step.name}) was removed` });
      continue;
    }
    if (!before.equals(after)) {
      violations.push({ path: newFile, message: `accepted stage output ${ref} (step ${step.name}) was changed` });
    }
  }
  return violations;
}

function donePhasesStayDone(old: Side, candidate: Side): InvariantViolation[] {
  if (old.manifest === null) return [];
  const donePhases = old.manifest.phases.filter((phase) => phase.done);
  if (donePhases.length === 0) return [];
  const manifestFile = path.join(candidate.dir, MANIFEST);
  if (candidate.manifest === null) {
    return [{ path: manifestFile, message: `manifest.json cannot be read, so done phases cannot stay done: ${donePhases.map((p) => p.name).join(', ')}` }];
  }
  const byName = new Map(candidate.manifest.phases.map((phase) => [phase.name, phase]));
  const violations: InvariantViolation[] = [];
  for (const phase of donePhases) {
    const now = byName.get(phase.name);
    if (now === undefined) violations.push({ path: manifestFile, message: `done phase '${phase.name}' was removed from the manifest` });
    else if (!now.done) violations.push({ path: manifestFile, message: `done phase '${phase.name}' was marked not done` });
  }
  return violations;
}

async function referencesResolve(candidate: Side, context: InvariantContext): Promise<InvariantViolation[]> {
  const violations: InvariantViolation[] = [];
  const stateFile = path.join(candidate.dir, STATE);
  if (candidate.stateExists) {
    try {
      await loadState(stateFile, { repoRoot: context.repoRoot, stateFile, publishedRoot: context.liveDir });
    } catch (error) {
      violations.push({ path: stateFile, message: messageOf(error) });
    }
  }
  if (candidate.manifest !== null) {
    for (const phase of candidate.manifest.phases) {
      const file = path.resolve(candidate.dir, phase.file);
      if (!(await isRegularFile(file))) {
        violations.push({ path: file, message: `manifest phase '${phase.name}' names ${phase.file}, which is not a file in the migration` });
      }
    }
  }
  return violations;
}

function requiredFilesPresent(old: Side, candidate: Side): InvariantViolation[] {
  const violations: InvariantViolation[] = [];
  const manifestFile = path.join(candidate.dir, MANIFEST);
  if (!candidate.manifestExists) violations.push({ path: manifestFile, message: 'manifest.json is missing' });
  else if (candidate.manifest === null) violations.push({ path: manifestFile, message: `manifest.json cannot be loaded: ${candidate.manifestError ?? ''}` });
  const stateRequired = old.stateExists || candidate.manifest?.status === 'planning';
  if (stateRequired && !candidate.stateExists) {
    violations.push({
      path: path.join(candidate.dir, STATE),
      message: old.stateExists ? '.planning/state.json was removed' : 'a planning migration requires .planning/state.json',
    });
  }
  return violations;
}

async function linesAppendOnly(old: Side, candidate: Side, relative: string): Promise<InvariantViolation[]> {
  if (!old.exists) return [];
  const before = await readTextOrNull(path.join(old.dir, relative));
  if (before === null) return [];
  const target = path.join(candidate.dir, relative);
  const after = await readTextOrNull(target);
  const display = relative.split(path.sep).join('/');
  if (after === null) return [{ path: target, message: `${display} was removed; it is append-only` }];
  const oldLines = linesOf(before);
  const newLines = linesOf(after);
  for (let index = 0; index < oldLines.length; index += 1) {
    if (newLines[index] !== oldLines[index]) {
      return [{ path: target, message: `${display} line ${index + 1} was changed or removed; it is append-only` }];
    }
  }
  return [];
}

function linesOf(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

async function readTextOrNull(file: string): Promise<string | null> {
  try {
    return readRegularTextSync(file);
  } catch {
    return null;
  }
}
