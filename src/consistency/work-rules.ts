import path from 'node:path';
import { runGit } from '../fs/index.js';
import type { Finding } from '../migration/index.js';
import { CONFIG_SLUG } from './config-rules.js';
import { makeFinding } from './rules.js';

/** Where cairn keeps its local planning runs, relative to the repository (docs/format.md §2.6). */
const WORK_DIR = '.planning/work';

/** How many tracked paths a finding names before it says how many more there are. */
const LISTED_PATHS = 10;

/**
 * `work-content-committed`: files under `.planning/work/` that git tracks
 * (committed or staged). A planning run there is local to one user; a
 * committed one can only be someone else's. Silent outside git.
 */
export function committedWorkFindings(repoRoot: string): Finding[] {
  const listed = runGit(repoRoot, ['ls-files', '-z', '--', `${WORK_DIR}/`]);
  if (listed.status !== 0) return [];
  const tracked = listed.stdout.split('\0').filter((file) => file !== '');
  if (tracked.length === 0) return [];
  const shown = tracked.slice(0, LISTED_PATHS).map((file) => JSON.stringify(file)).join(', ');
  const more = tracked.length > LISTED_PATHS ? ` and ${tracked.length - LISTED_PATHS} more` : '';
  return [
    makeFinding('work-content-committed', {
      mode: 'doctor',
      slug: CONFIG_SLUG,
      path: path.join(repoRoot, WORK_DIR),
      message: `git tracks ${tracked.length} ${tracked.length === 1 ? 'file' : 'files'} under ${WORK_DIR}/, which cairn ignores: ${shown}${more}`,
    }),
  ];
}
