import type { Dirent } from 'node:fs';
import path from 'node:path';
import { messageOf } from '../util/index.js';
import { isReadyGated, migrationContext, type MigrationContext } from './context.js';
import { listDir, readBytes, type LstatCache } from '../fs/index.js';
import { identityFindings, loadManifestForCheck } from './manifest-rules.js';
import { collisionFindings, coverageFindings, phaseDocsOf } from './phase-doc-rules.js';
import { phaseFileFindings } from './phase-file-rules.js';
import { docContractFindings, membershipFindings, planFindings } from './ready-rules.js';
import { reviewFindings } from './review-rules.js';
import { unrecordedStageFindings } from './stage-rules.js';
import { movedFindings } from './move-rules.js';
import { loadStateForCheck, stateFindings, wantsPlanningChecks } from './state-rules.js';
import { sumsFindings } from './sums.js';
import { verifiedDigestsAt } from './verified-digests.js';
import { migrationFiles, type CheckOptions, type Finding, type Manifest, type PlanningState } from '../migration/index.js';

/** What one check read of a migration and could use, for a caller that shows it as well (`cairn report`). */
export interface InspectedFiles {
  manifest: Manifest;
  /** The decoded planning state; null when there is no state file; undefined when it could not be read or decoded. */
  state: PlanningState | null | undefined;
  /** Whether `state` also passed the codec's full validation (replay and output refs), as `loadState` does. */
  stateValidated: boolean;
  /** The paths the check resolved (`MigrationContext.realpaths`), for validating `state` without resolving them again. */
  realpaths?: Map<string, string>;
  /** What the check's `lstat`s found (`MigrationContext.lstats`), for the same. */
  lstats?: LstatCache;
  /** What reading `.planning/reviews.jsonl` gave the check (`readBytes`). */
  reviews?: ReturnType<typeof readBytes>;
}

export interface InspectOptions extends CheckOptions {
  /** Add the planning-state findings (`cairn doctor` on a planning migration). */
  planningState?: boolean;
  /** Paths already resolved, to reuse (see `MigrationContext.realpaths`). */
  realpaths?: Map<string, string>;
  /** The local store whose verified digests the sums rule may use (see `verifiedDigestsAt`). */
  digestStore?: string | undefined;
  /** Called with what the check read once it is done, when the manifest could be loaded. */
  onLoaded?: ((files: InspectedFiles) => void) | undefined;
}

function listEntries(ctx: MigrationContext, findings: Finding[]): Dirent[] {
  const listed = listDir(ctx.dir);
  if ('entries' in listed) {
    ctx.lstats.seedListing(ctx.dir, listed.entries);
    return listed.entries;
  }
  findings.push(ctx.finding('path-unreadable', ctx.dir, `Could not list ${ctx.dir}: ${messageOf(listed.error)}`));
  return [];
}

/**
 * Adds `items` to `findings` one by one: a spread `push(...items)` passes
 * every item as an argument, and a hostile file with hundreds of thousands
 * of malformed lines (one finding each) overflows the call stack.
 */
function append(findings: Finding[], items: readonly Finding[]): void {
  for (const item of items) findings.push(item);
}

/**
 * The plan rules, in the contract's order: phase-doc collisions, plan,
 * manifest phase files, then (ready-gated) membership, coverage and the
 * phase doc contract.
 */
function planRuleFindings(ctx: MigrationContext, manifest: Manifest, entries: readonly Dirent[]): Finding[] {
  const findings: Finding[] = [];
  const docs = phaseDocsOf(entries);
  append(findings, collisionFindings(ctx, docs));
  append(findings, planFindings(ctx, manifest));
  const phaseFiles = phaseFileFindings(ctx, manifest);
  append(findings, phaseFiles.findings);
  if (isReadyGated(ctx.mode, manifest)) {
    append(findings, membershipFindings(ctx, manifest));
    append(findings, coverageFindings(ctx, manifest, docs));
    append(findings, docContractFindings(ctx, phaseFiles.regular));
  }
  return findings;
}

/** Where {@link checkPlanContract} checks and which slug its findings carry. */
export interface PlanContractOptions {
  slug: string;
  repoRoot: string;
}

/**
 * The findings that would keep `manifest` with the plan in `dir` from a
 * ready publish: the plan rules of `ready-publish` (plan.md, phase doc
 * collisions, manifest phase files, at least one manifest phase, every
 * phase doc a manifest phase, `## Precondition` and `## Definition of
 * Done` in each), whatever the manifest's status. `manifest` is given
 * rather than read, so a step can check the phases it is about to record.
 */
export function checkPlanContract(dir: string, manifest: Manifest, options: PlanContractOptions): Finding[] {
  const absolute = path.resolve(dir);
  const ctx = migrationContext({ dir: absolute, slug: options.slug, mode: 'ready-publish', repoRoot: options.repoRoot, publishedRoot: absolute });
  const findings: Finding[] = [];
  const entries = listEntries(ctx, findings);
  append(findings, planRuleFindings(ctx, manifest, entries));
  return findings;
}

/**
 * Every rule for one migration directory, in the contract's order: manifest
 * (missing / invalid / merge conflict end the check), identity, phase-doc
 * collisions, plan, manifest phase files, ready metadata (membership,
 * coverage, doc contract); then cairn's rules: a hand move (doctor),
 * state (planning-state findings when asked, merge conflicts), `.planning/sums`, unrecorded stage
 * files, review records.
 */
export async function inspectMigration(dir: string, options: InspectOptions): Promise<Finding[]> {
  const absolute = path.resolve(dir);
  const ctx = migrationContext({
    dir: absolute,
    slug: options.slug ?? path.basename(absolute),
    mode: options.mode,
    repoRoot: options.repoRoot,
    publishedRoot: options.publishedRoot ?? absolute,
    realpaths: options.realpaths,
    verifiedDigests: verifiedDigestsAt(options.digestStore),
  });
  const loaded = await loadManifestForCheck(ctx);
  if (loaded.finding !== undefined) return [loaded.finding];
  const manifest = loaded.manifest;

  const findings: Finding[] = [];
  const entries = listEntries(ctx, findings);
  append(findings, identityFindings(ctx, manifest, options.slug));
  append(findings, planRuleFindings(ctx, manifest, entries));

  const planning = wantsPlanningChecks(manifest, options.planningState === true);
  const state = await loadStateForCheck(ctx, planning);
  const decoded = state.kind === 'invalid' && planning ? await loadStateForCheck(ctx, false) : state;
  const moved = movedFindings(ctx, decoded.state);
  // A moved migration's refs fail as path errors: the move is the finding to report instead.
  const stateIssues = stateFindings(ctx, state, planning).filter((f) => moved.length === 0 || f.code !== 'planning-state-invalid');
  append(findings, moved);
  append(findings, stateIssues);
  append(findings, sumsFindings(ctx));
  // A moved migration's stage files are all named under the old path: the move says it once.
  if (state.state !== undefined && moved.length === 0) append(findings, unrecordedStageFindings(ctx, state.state));
  const reviews = readBytes(migrationFiles(ctx.dir).reviews);
  append(findings, reviewFindings(ctx, reviews));
  options.onLoaded?.({ manifest, state: state.kind === 'missing' ? null : state.state, stateValidated: planning, realpaths: ctx.realpaths, lstats: ctx.lstats, reviews });
  return findings;
}

/**
 * Checks one migration directory in `options.mode` (docs/format.md §12.3 plus cairn's
 * migration rules) and returns the findings in rule order; never throws for
 * bad content. `options.slug` is the slug the manifest must name (default:
 * the directory name; a `__transactions__/<tx>/staged` copy is exempt unless
 * it is given) and the slug findings carry. `options.publishedRoot` is the
 * live directory state refs point into (default: `dir`).
 */
export async function checkMigrationDir(dir: string, options: CheckOptions): Promise<Finding[]> {
  return inspectMigration(dir, { ...options, planningState: false });
}
