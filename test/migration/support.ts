import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CompletedStep, PlanningState } from '../../src/migration/state.js';
import { tempDir } from '../support/tmp.js';

/** A repository with a live migrations dir holding one migration `slug` (with `.planning/stages/`). */
export interface MigrationRepo {
  repo: string;
  slug: string;
  /** `<repo>/migrations/<slug>` */
  dir: string;
  stateFile: string;
}

export function migrationRepo(slug = 'm1'): MigrationRepo {
  const repo = tempDir('cairn-planning-');
  const dir = path.join(repo, 'migrations', slug);
  mkdirSync(path.join(dir, '.planning', 'stages'), { recursive: true });
  return { repo, slug, dir, stateFile: path.join(dir, '.planning', 'state.json') };
}

/** The ref of a stage file of `slug`, e.g. `migrations/m1/.planning/stages/expand.stdout.md`. */
export function stageRef(slug: string, file: string): string {
  return `migrations/${slug}/.planning/stages/${file}`;
}

/** Writes every stage file the state's completed steps name, under `repo`. */
export function writeStageFiles(repo: string, state: PlanningState, content = 'out\n'): void {
  for (const step of state.completed_steps) {
    const file = path.join(repo, step.outputs.stdout);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
}

export function step(name: CompletedStep['name'], outcome: CompletedStep['outcome'], stdout: string): CompletedStep {
  return { name, completed_at: '2026-01-01T00:00:00.000+00:00', outcome, outputs: { stdout } };
}

/** A state with the given history; derived fields must be supplied by the caller. */
export function stateWith(fields: Partial<PlanningState>): PlanningState {
  return {
    schema_version: 1,
    target: 'src/x.ts',
    next_step: 'approaches',
    completed_steps: [],
    started_at: '2026-01-01T00:00:00.000+00:00',
    updated_at: '2026-01-01T00:00:00.000+00:00',
    feedback: [],
    review_findings: null,
    final_decision: null,
    final_reason: null,
    revision_base_step_counts: [],
    ...fields,
  };
}
