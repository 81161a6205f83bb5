import path from 'node:path';
import { mapWithConcurrency, toPosix, shellWord } from '../util/index.js';
import type { ReviewPolicy } from './accept-step.js';
import { isTerminalCursor, listMigrationSlugs, loadManifest, loadState, migrationFiles, type Manifest } from '../migration/index.js';
import { awaitingReviewReason } from './review-pending.js';
import { pathExistsSync } from '../fs/index.js';

/*
 * `cairn ready`: the actionable work across migrations, in the order it
 * should be done: planning steps to run, reviews waiting for a human, then
 * phases ready to start. Migrations in a cooldown or not yet due to wake up
 * (docs/format.md §10.3) and broken ones (`cairn doctor` reports those) are left out.
 */

const WAKE_UP_GRACE_MS = 7 * 24 * 60 * 60 * 1000;

function parseTime(value: string | null): number | null {
  if (value === null) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * Eligible now (docs/format.md §10.3): no cooldown or one that has ended, and no
 * wake-up date, one that has come, or a last touch at least 7 days ago.
 * Unparseable timestamps count as absent.
 */
export function isEligibleNow(manifest: Pick<Manifest, 'cooldown_until' | 'wake_up_on' | 'last_touch'>, now: Date): boolean {
  const at = now.getTime();
  const cooldown = parseTime(manifest.cooldown_until);
  if (cooldown !== null && cooldown > at) return false;
  const wakeUp = parseTime(manifest.wake_up_on);
  if (wakeUp === null || wakeUp <= at) return true;
  const lastTouch = parseTime(manifest.last_touch);
  return lastTouch !== null && at - lastTouch >= WAKE_UP_GRACE_MS;
}

export type ReadyKind = 'plan' | 'review' | 'phase';

/** One piece of actionable work. */
export interface ReadyItem {
  kind: ReadyKind;
  slug: string;
  created_at: string;
  /** plan: the step to run; review: the review reason; phase: the phase name. */
  detail: string;
  /** phase: the phase doc, repo-relative. */
  file: string | null;
  /** The command that does the work (`cairn run <slug>` carries out a phase). */
  command: string;
}

const KIND_ORDER: Record<ReadyKind, number> = { plan: 0, review: 1, phase: 2 };

async function itemFor(liveRoot: string, repoRoot: string, slug: string, policy: ReviewPolicy, now: Date): Promise<ReadyItem | null> {
  const dir = path.join(liveRoot, slug);
  let manifest: Manifest;
  try {
    manifest = await loadManifest(migrationFiles(dir).manifest);
  } catch {
    return null;
  }
  const base = { slug, created_at: manifest.created_at, file: null };
  const reason = await awaitingReviewReason(dir, manifest, policy);
  if (reason !== null) {
    return { ...base, kind: 'review', detail: reason, command: `cairn review ${shellWord(slug)}` };
  }
  if (!isEligibleNow(manifest, now)) return null;
  if (manifest.status === 'planning') {
    const stateFile = migrationFiles(dir).state;
    if (!pathExistsSync(stateFile)) return null;
    try {
      const state = await loadState(stateFile, { repoRoot, stateFile, publishedRoot: dir });
      if (isTerminalCursor(state.next_step)) return null;
      return { ...base, kind: 'plan', detail: state.next_step, command: `cairn plan ${shellWord(slug)}` };
    } catch {
      return null;
    }
  }
  if (manifest.status === 'ready' || manifest.status === 'in-progress') {
    const phase = manifest.phases.find((candidate) => candidate.name === manifest.current_phase);
    if (manifest.current_phase === '' || phase === undefined) return null;
    return {
      ...base,
      kind: 'phase',
      detail: phase.name,
      file: toPosix(path.relative(repoRoot, path.join(dir, phase.file))),
      command: `cairn run ${shellWord(slug)}`,
    };
  }
  return null;
}

/**
 * Every actionable item under the live root: planning steps first, then
 * reviews, then phases; within a kind by `created_at`, then slug.
 */
export async function listReadyWork(options: {
  liveRoot: string;
  repoRoot: string;
  reviewPolicy: ReviewPolicy;
  now?: Date;
}): Promise<ReadyItem[]> {
  const now = options.now ?? new Date();
  const slugs = await listMigrationSlugs(options.liveRoot);
  const items = await mapWithConcurrency(slugs, 16, (slug) => itemFor(options.liveRoot, options.repoRoot, slug, options.reviewPolicy, now));
  return items
    .filter((item): item is ReadyItem => item !== null)
    .sort((a, b) => {
      if (a.kind !== b.kind) return KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
      const ta = Date.parse(a.created_at);
      const tb = Date.parse(b.created_at);
      if (!Number.isNaN(ta) && !Number.isNaN(tb) && ta !== tb) return ta - tb;
      return a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0;
    });
}
