import { cpSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CR_V1 } from '../helpers/fixture.js';
import { tempDir } from '../helpers/tmp.js';

/** Valid migrations of the cr-v1 fixture, one per status the rules gate on. */
export const READY = 'src-cli-tasks-ts-20260402T140633';
export const PLANNING = 'extract-pagination-helpers-in-reports-20260421T081406';
export const DONE = 'src-exports-queue-rb-20260402T081851';

export interface TestRepo {
  repo: string;
  live: string;
  /** Absolute path of a migration dir. */
  dir: (slug: string) => string;
}

/** A temp repository with `.planning/config.json` and copies of fixture migrations under `migrations/`. */
export function repoWith(slugs: readonly string[]): TestRepo {
  const repo = realpathSync(tempDir('cairn-consistency-'));
  const live = path.join(repo, 'migrations');
  mkdirSync(live, { recursive: true });
  mkdirSync(path.join(repo, '.planning'), { recursive: true });
  writeFileSync(path.join(repo, '.planning', 'config.json'), '{\n  "migrations_dir": "migrations"\n}\n');
  for (const slug of slugs) {
    cpSync(path.join(CR_V1, 'migrations', slug), path.join(live, slug), { recursive: true });
  }
  return { repo, live, dir: (slug) => path.join(live, slug) };
}

/** Rewrites a JSON file through `edit` (2-space indent, trailing newline). */
export function editJson(file: string, edit: (value: Record<string, unknown>) => void): void {
  const value = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  edit(value);
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** Finding fields compared by the rule tests (everything but mode, slug and hint, which have their own tests). */
export function brief(finding: { severity: string; code: string; path: string; message: string }, root: string) {
  return {
    severity: finding.severity,
    code: finding.code,
    path: path.relative(root, finding.path),
    message: finding.message,
  };
}
