import { randomUUID } from 'node:crypto';
import { mkdtemp, realpath, rm, rmdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CairnError, hasUnsafeNameCharacter, localTimestamp, visibleText, shellWord } from '../util/index.js';
import { SLUG_RULE, isSafeSlug, saveManifest, seedManifest, newState, saveState, migrationFiles, slugRuleProblem, suggestedSlug } from '../migration/index.js';
import { snapshotId, mkdirDurable, pathExists } from '../fs/index.js';
import { assertTransactionsRootConfined, publish, type PublishRecorder, type PublishRequest, type PublishResult } from '../publish/index.js';
import { publishValidator } from '../consistency/index.js';
import { claimRun } from './run-owner.js';
import { confinedWorkRoot } from './workspace.js';

export interface NewMigrationRequest {
  repoRoot: string;
  liveRoot: string;
  slug: string;
  /** What to change, recorded as the plan's target. */
  target: string;
  dryRun?: boolean;
  lockTimeoutMs?: number;
  recorder?: PublishRecorder;
  /** Creation time; default now. */
  now?: Date;
}

export interface NewMigrationResult {
  result: PublishResult;
  /** The workspace the migration was seeded in (removed after a publish or a dry run). */
  workspaceDir: string;
  workspaceRemoved: boolean;
}

/**
 * Creates a migration through the publish transaction (docs/format.md §9.5):
 * seeds manifest.json (status planning, no phases) and a new planning state
 * for `target` in a workspace `<repo>/.planning/work/<slug>/<run-id>/<slug>`,
 * then publishes it in `planning-snapshot` mode as `migration.new`.
 *
 * Throws CairnError('invalid-input') for an unsafe slug or an empty target
 * and CairnError('blocked') when the migration already exists. The
 * workspace is removed after a successful publish or a dry run and kept
 * for inspection otherwise.
 */
export async function createMigration(request: NewMigrationRequest): Promise<NewMigrationResult> {
  const { slug } = request;
  if (hasUnsafeNameCharacter(slug)) {
    throw new CairnError(
      'invalid-input',
      `Migration slug is not a safe path segment: '${visibleText(slug)}' (it holds control, bidi or invisible characters; use printable characters only).`,
    );
  }
  if (!isSafeSlug(slug)) {
    throw new CairnError(
      'invalid-input',
      `Migration slug is not a safe path segment: '${slug}' (use one name without '/', not starting with '.' or '__').`,
    );
  }
  const broken = slugRuleProblem(slug);
  if (broken !== null) {
    const suggestion = suggestedSlug(slug);
    throw new CairnError('invalid-input', `Migration slug '${slug}' does not follow the naming rule (${broken}): ${SLUG_RULE}.`, {
      hint: suggestion === null ? 'Choose a name such as async-config-loader.' : `Try \`${suggestion}\`.`,
    });
  }
  if (request.target.trim() === '') {
    throw new CairnError('invalid-input', 'The migration target must not be empty: say what to change with --target "<what to change>".');
  }
  const liveDir = path.join(request.liveRoot, slug);
  if (await pathExists(liveDir)) {
    throw new CairnError('blocked', `Migration '${slug}' already exists at ${liveDir}.`, {
      path: liveDir,
      hint: `Run \`cairn status ${shellWord(slug)}\` to see it and \`cairn plan ${shellWord(slug)}\` to continue planning it, or choose another slug.`,
    });
  }
  const baseSnapshotId = await snapshotId(liveDir);

  const now = localTimestamp(request.now ?? new Date());
  // Refused before the workspace exists, so a refusal leaves nothing behind.
  assertTransactionsRootConfined(request.liveRoot);
  const slugWork = confinedWorkRoot(request.repoRoot, slug);
  const runIdNow = runId(request.now ?? new Date());
  if (request.dryRun === true) {
    // A dry run seeds its workspace outside the repository: it leaves nothing under `.planning/work/`.
    const tempRoot = await realpath(await mkdtemp(path.join(os.tmpdir(), 'cairn-dry-run-')));
    try {
      const workspaceDir = path.join(tempRoot, runIdNow, slug);
      const result = await seedAndPublish(request, workspaceDir, baseSnapshotId, now);
      return { result, workspaceDir, workspaceRemoved: true };
    } finally {
      await rm(tempRoot, { recursive: true, force: true });
    }
  }
  const runDir = path.join(slugWork, runIdNow);
  await mkdirDurable(runDir);
  await claimRun(runDir);
  const workspaceDir = path.join(runDir, slug);
  const result = await seedAndPublish(request, workspaceDir, baseSnapshotId, now);
  const remove = result.status === 'published';
  if (remove) await removeWorkspace(runDir);
  return { result, workspaceDir, workspaceRemoved: remove };
}

/** Seeds the new migration's manifest and planning state in `workspaceDir` and publishes it as `migration.new`. */
async function seedAndPublish(request: NewMigrationRequest, workspaceDir: string, baseSnapshotId: string, now: string): Promise<PublishResult> {
  const { slug } = request;
  const liveDir = path.join(request.liveRoot, slug);
  await mkdirDurable(migrationFiles(workspaceDir).planningDir);
  await saveManifest(migrationFiles(workspaceDir).manifest, seedManifest(slug, now));
  const stateFile = migrationFiles(workspaceDir).state;
  await saveState(stateFile, newState(request.target, now), { repoRoot: request.repoRoot, stateFile, publishedRoot: liveDir });
  const publishRequest: PublishRequest = {
    repoRoot: request.repoRoot,
    liveRoot: request.liveRoot,
    slug,
    workspaceDir,
    baseSnapshotId,
    validator: publishValidator('planning-snapshot'),
    operation: 'migration.new',
    dryRun: request.dryRun === true,
  };
  if (request.lockTimeoutMs !== undefined) publishRequest.lockTimeoutMs = request.lockTimeoutMs;
  if (request.recorder !== undefined) publishRequest.recorder = request.recorder;
  return publish(publishRequest);
}

/** `<YYYYMMDDTHHMMSS>-<32 hex>`: sortable by time, unique. */
function runId(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  const stamp = `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}T${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}`;
  return `${stamp}-${randomUUID().replaceAll('-', '')}`;
}

/** Removes a run directory, then its slug directory if that is left empty. */
async function removeWorkspace(runDir: string): Promise<void> {
  await rm(runDir, { recursive: true, force: true });
  try {
    await rmdir(path.dirname(runDir));
  } catch {
    // Other runs of this slug are still there.
  }
}

