import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { encodeManifest, loadManifest } from '../../src/migration/manifest.js';
import { encodeState, loadState } from '../../src/migration/state.js';
import { openStore, storePathFor, type RunSummary } from '../../src/store/index.js';
import { git } from '../support/git.js';
import { SLUG, type PlanRepo } from '../support/plan-repo.js';

/* Checks the planning e2e tests share. */

/** `cairn doctor --all` is clean. */
export function expectDoctorClean(p: PlanRepo, migrations = 1): void {
  const doctor = p.cli(['doctor', '--all']);
  expect(doctor.stdout).toBe(`No findings; ${migrations} migration${migrations === 1 ? '' : 's'} checked.\n`);
  expect(doctor.code).toBe(0);
}

let python: boolean | null = null;
function hasPython(): boolean {
  python ??= spawnSync('python3', ['-c', 'pass']).status === 0;
  return python;
}

/**
 * manifest.json and state.json are byte-for-byte what the v1 codecs write:
 * cairn's decoder + encoder reproduce them, and so does Python's
 * `json.dumps(indent=2, sort_keys=True)` when python3 is available.
 */
export async function expectV1Bytes(p: PlanRepo, slug = SLUG): Promise<void> {
  const dir = path.join(p.live, slug);
  const manifestFile = path.join(dir, 'manifest.json');
  const stateFile = path.join(dir, '.planning', 'state.json');
  const manifestBytes = readFileSync(manifestFile, 'utf8');
  const stateBytes = readFileSync(stateFile, 'utf8');
  expect(encodeManifest(await loadManifest(manifestFile))).toBe(manifestBytes);
  expect(encodeState(await loadState(stateFile, { repoRoot: p.repo, stateFile, publishedRoot: dir }))).toBe(stateBytes);
  if (hasPython()) {
    for (const [file, bytes] of [
      [manifestFile, manifestBytes],
      [stateFile, stateBytes],
    ] as const) {
      const dumped = spawnSync('python3', ['-c', 'import json,sys; sys.stdout.write(json.dumps(json.load(open(sys.argv[1])), indent=2, sort_keys=True) + "\\n")', file], {
        encoding: 'utf8',
      });
      expect(dumped.stdout).toBe(bytes);
    }
  }
}

/** The runs in the repository's local store, newest first. */
export function storeRuns(p: PlanRepo): RunSummary[] {
  const store = openStore(storePathFor(p.repo), { readonly: true });
  try {
    return store.listRuns();
  } finally {
    store.close();
  }
}

export function gitLog(p: PlanRepo): string[] {
  return git(p.repo, ['log', '--format=%s']).trim().split('\n');
}

export function gitStatus(p: PlanRepo): string {
  return git(p.repo, ['status', '--porcelain']);
}

const STORE_FILES = ['cairn.db', 'cairn.db-wal', 'cairn.db-shm', 'cairn.db-journal'];

/** Every path under `dir` (directories included), with the mtime of each file and directory. */
function tree(dir: string, rel = ''): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    const stat = lstatSync(full);
    out.push(`${path.join(rel, name)}${stat.isDirectory() ? '/' : ''} ${stat.mtimeMs}`);
    if (stat.isDirectory()) out.push(...tree(full, path.join(rel, name)));
  }
  return out;
}

/** What a dry run must leave as it was: git's view with ignored files, the store files, and `.planning/` entry by entry. */
export function footprint(repo: string): { status: string; store: string[]; planning: string[] } {
  const planning = path.join(repo, '.planning');
  return {
    status: git(repo, ['status', '--ignored', '--porcelain', '--untracked-files=all']),
    store: STORE_FILES.map((name) => {
      const file = path.join(planning, name);
      if (!existsSync(file)) return `${name} absent`;
      const digest = createHash('sha256').update(readFileSync(file)).digest('hex');
      return `${name} ${digest} ${lstatSync(file).mtimeMs}`;
    }),
    planning: tree(planning).filter((entry) => !STORE_FILES.some((name) => entry.startsWith(`${name} `))),
  };
}
