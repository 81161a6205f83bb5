import { shellWord } from '../util/index.js';
import { existsSync } from 'node:fs';
import { loadManifest, loadState, migrationFiles } from '../migration/index.js';

/*
 * A publish refused because the live migration is no longer the snapshot
 * the run started from, said in the user's terms: what changed and what to
 * run now, instead of two snapshot ids.
 */

/** The command that starts a refused operation again from the current plan. */
export function rerunCommand(slug: string, operation: string): string {
  if (operation.startsWith('migration.refine.')) return `cairn refine ${shellWord(slug)} --message ...`;
  if (operation === 'migration.review') return `cairn review ${shellWord(slug)}`;
  if (operation === 'migration.phase-done') return `cairn phase done ${shellWord(slug)}`;
  return `cairn plan ${shellWord(slug)}`;
}

const EDITED = 'its files were changed outside this run (an edit, a commit or a git checkout)';

/**
 * What happened to the live migration: "another run accepted step
 * review-2 (next step: final-review)" when it holds more accepted steps
 * than the run started from (`baseStepCount`), else that it was edited.
 */
export async function liveChange(liveDir: string, repoRoot: string, baseStepCount: number | null): Promise<string> {
  const files = migrationFiles(liveDir);
  try {
    const manifest = await loadManifest(files.manifest);
    if (baseStepCount !== null && existsSync(files.state)) {
      const state = await loadState(files.state, { repoRoot, stateFile: files.state, publishedRoot: liveDir });
      const last = state.completed_steps[state.completed_steps.length - 1];
      if (last !== undefined && state.completed_steps.length > baseStepCount) {
        const now = manifest.status === 'planning' ? `next step: ${state.next_step}` : `it is now ${manifest.status}`;
        return `another run accepted step ${last.name} (${now})`;
      }
    }
    return EDITED;
  } catch {
    return 'its files changed and cannot be read as a migration now';
  }
}

/**
 * "demo changed while planning.expand was running: another run accepted
 * step expand (next step: review). Nothing was published; run `cairn plan
 * demo` again to continue from the current plan."
 */
export function staleBaseMessage(input: { slug: string; operation: string; change: string }): string {
  return (
    `${input.slug} changed while ${input.operation} was running: ${input.change}. ` +
    `Nothing was published; run \`${rerunCommand(input.slug, input.operation)}\` again to continue from the current plan.`
  );
}
