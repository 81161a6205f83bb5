import type { ReportInput, ReportMigration } from '../../app/index.js';
import type { CompletedStep, Manifest, PlanningState, Step } from '../../migration/index.js';

/*
 * What a report shows, gathered by the app layer from the same calls as
 * `list`, `status` and `doctor`, and the views derived from it that every
 * rendering (HTML, Markdown, terminal) shares.
 */

export type { ReportDoc, ReportDocs, ReportMigration } from '../../app/index.js';

export interface ReportData extends ReportInput {
  /** The moment ages are measured from: `--now`, else the newest timestamp in the data, else null. */
  now: string | null;
}

/** The board's columns, in order. */
export const BOARD_COLUMNS = ['planning', 'awaiting-review', 'ready', 'in-progress', 'done', 'skipped', 'blocked'] as const;
export type BoardColumn = (typeof BOARD_COLUMNS)[number];

export const COLUMN_TITLES: Readonly<Record<BoardColumn, string>> = {
  planning: 'Planning',
  'awaiting-review': 'Awaiting review',
  ready: 'Ready',
  'in-progress': 'In progress',
  done: 'Done',
  skipped: 'Skipped',
  blocked: 'Blocked',
};

/** A short mark for each column, so status never depends on colour alone. */
export const COLUMN_MARKS: Readonly<Record<BoardColumn, string>> = {
  planning: '✎',
  'awaiting-review': '⚑',
  ready: '▶',
  'in-progress': '◐',
  done: '✓',
  skipped: '⊘',
  blocked: '✗',
};

export function boardColumn(migration: ReportMigration): BoardColumn {
  const { manifest } = migration;
  if (manifest === null || migration.stateError !== null) return 'blocked';
  if (migration.awaitingReview !== null) return 'awaiting-review';
  return manifest.status;
}

/** What happens next to a migration, in words. */
export function nextStep(migration: ReportMigration): string {
  const { manifest, state } = migration;
  if (manifest === null) return `repair: ${migration.manifestError ?? 'no manifest'}`;
  if (migration.stateError !== null) return `repair planning state: ${migration.stateError}`;
  if (migration.awaitingReview !== null) return `human review: ${migration.awaitingReview}`;
  if (manifest.status === 'planning') {
    if (state === null) return 'plan';
    return state.next_step.startsWith('terminal-') ? 'finish planning' : `plan: ${state.next_step}`;
  }
  if (manifest.status === 'ready' || manifest.status === 'in-progress') {
    if (manifest.cooldown_until !== null) return `cooling down until ${manifest.cooldown_until}`;
    if (manifest.wake_up_on !== null) return `waiting for ${manifest.wake_up_on}`;
    return manifest.current_phase === '' ? 'run' : `run phase: ${manifest.current_phase}`;
  }
  return 'nothing';
}

/** One accepted step on the path taken, with whether the plan was reopened for revise right after it. */
export interface PathEntry {
  /** 1-based position in the accepted history. */
  number: number;
  step: CompletedStep;
  reopenedAfter: boolean;
}

/** The path the plan took: accepted steps, where it was reopened, and where it stands. */
export interface PlanningPath {
  entries: PathEntry[];
  /** The next step, or a terminal cursor. */
  cursor: string;
  finalDecision: string | null;
  finalReason: string | null;
  feedbackCount: number;
}

export function planningPath(state: PlanningState): PlanningPath {
  const anchors = new Set(state.revision_base_step_counts);
  return {
    entries: state.completed_steps.map((step, i) => ({ number: i + 1, step, reopenedAfter: anchors.has(i + 1) })),
    cursor: state.next_step,
    finalDecision: state.final_decision,
    finalReason: state.final_reason,
    feedbackCount: state.feedback.length,
  };
}

/** Who ran a step: agent, model and effort, when known. */
export function stepRunner(step: CompletedStep): string {
  return [step.agent, step.model, step.effort].filter((part): part is string => part !== undefined && part !== '').join(' ');
}

/** How many times each step was accepted. */
export function stepVisits(path: PlanningPath): Map<Step, number> {
  const visits = new Map<Step, number>();
  for (const entry of path.entries) visits.set(entry.step.name, (visits.get(entry.step.name) ?? 0) + 1);
  return visits;
}

/** Words for a terminal cursor or the next step. */
export function cursorText(cursor: string): string {
  switch (cursor) {
    case 'terminal-ready':
      return 'ready';
    case 'terminal-ready-awaiting-human':
      return 'ready, needs human review';
    case 'terminal-skipped':
      return 'skipped';
    default:
      return `next: ${cursor}`;
  }
}

/** The phase track: each phase with whether it is done or current. */
export interface TrackPhase {
  name: string;
  file: string;
  done: boolean;
  current: boolean;
  effort: string | null;
}

export function phaseTrack(manifest: Manifest): TrackPhase[] {
  return manifest.phases.map((phase) => ({
    name: phase.name,
    file: phase.file,
    done: phase.done,
    current: phase.name === manifest.current_phase,
    effort: phase.required_effort,
  }));
}

/** The anchor id of a migration in the HTML report (slugs are already safe names). */
export function anchorOf(slug: string): string {
  return `m-${slug.replace(/[^A-Za-z0-9_.-]/g, '-')}`;
}

/** Whole-unit age of `then` at `now` (`3d`, `5h`, `12m`), or null when either is not a time. */
export function ageText(then: string | null, now: string | null): string | null {
  if (then === null || now === null) return null;
  const ms = Date.parse(now) - Date.parse(then);
  if (!Number.isFinite(ms)) return null;
  if (ms < 0) return '0m';
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}

/** The newest parseable timestamp among the migrations' last touches, accepted steps and reviews. */
export function newestTimestamp(migrations: readonly ReportMigration[]): string | null {
  const newest = new NewestTimestamp();
  for (const migration of migrations) newest.add(migration);
  return newest.value;
}

/** {@link newestTimestamp} of migrations added one at a time. */
export class NewestTimestamp {
  /** The newest time seen (the first of equal ones), or null. */
  value: string | null = null;
  private valueMs = -Infinity;

  add(migration: ReportMigration): void {
    this.consider(migration.manifest?.last_touch);
    for (const step of migration.state?.completed_steps ?? []) this.consider(step.completed_at);
    for (const review of migration.reviews) this.consider(review.at);
  }

  private consider(value: string | null | undefined): void {
    if (value === null || value === undefined) return;
    const ms = Date.parse(value);
    if (Number.isFinite(ms) && ms > this.valueMs) {
      this.valueMs = ms;
      this.value = value;
    }
  }
}

/** Migrations grouped by board column (`columnOf`: {@link boardColumn}, or one already worked out), each column in the input's order (by slug). */
export function boardOf<T>(migrations: readonly T[], columnOf: (migration: T) => BoardColumn): Map<BoardColumn, T[]> {
  const board = new Map<BoardColumn, T[]>(BOARD_COLUMNS.map((column) => [column, []]));
  for (const migration of migrations) board.get(columnOf(migration))?.push(migration);
  return board;
}
