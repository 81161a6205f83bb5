import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { encodeManifest, loadManifest } from '../../src/migration/manifest.js';
import { encodeState, loadState } from '../../src/migration/state.js';
import { openStore, storePathFor, type RunSummary } from '../../src/store/index.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { CR_V1 } from '../helpers/fixture.js';
import { commitAll, git, initGitRepo } from '../helpers/git.js';
import { tempDir } from '../helpers/tmp.js';

/*
 * Shared by the planning e2e tests: a fake agent on PATH and repositories
 * to plan in. The fake agent is a shell script that does what a real one
 * would (reads the prompt, writes files into $CAIRN_WORKSPACE, prints the
 * step's output); environment variables steer it:
 *   FAKE_REVIEW / FAKE_REVIEW2 / FAKE_FINAL   output of review, review-2, final-review
 *   FAKE_FAIL_STEP                            exit 3 on this step
 *   FAKE_HANG_STEP                            sleep on this step (pid in FAKE_PID_FILE)
 *   FAKE_FLOOD_STEP, FAKE_FLOOD_BYTES         print this many bytes on this step
 *   FAKE_PROMPT_DIR                           save each step's prompt as <dir>/<step>.prompt
 */
const FAKE_AGENT = `#!/bin/sh
step="$CAIRN_STEP"
ws="$CAIRN_WORKSPACE"
if [ -n "$FAKE_PROMPT_DIR" ]; then cat > "$FAKE_PROMPT_DIR/$step.prompt"; else cat > /dev/null; fi
if [ "$FAKE_FAIL_STEP" = "$step" ]; then echo "fake agent failed on $step" >&2; exit 3; fi
if [ "$FAKE_HANG_STEP" = "$step" ]; then
  if [ -n "$FAKE_PID_FILE" ]; then echo $$ > "$FAKE_PID_FILE.tmp" && mv "$FAKE_PID_FILE.tmp" "$FAKE_PID_FILE"; fi
  sleep 60
  exit 0
fi
if [ "$FAKE_FLOOD_STEP" = "$step" ]; then head -c "$FAKE_FLOOD_BYTES" /dev/zero | tr '\\000' 'x'; exit 0; fi
case "$step" in
  approaches)
    mkdir -p "$ws/approaches"
    printf '# Incremental\\n\\nMove one module at a time.\\n' > "$ws/approaches/incremental.md"
    printf '# Big bang\\n\\nChange everything at once.\\n' > "$ws/approaches/big-bang.md"
    echo "Wrote two approaches: incremental, big-bang." ;;
  pick-best) echo "Chosen: incremental. Smallest safe steps." ;;
  expand)
    printf '# Plan\\n\\nReplace the widget API in two phases.\\n' > "$ws/plan.md"
    printf '# Phase 1\\n\\n## Precondition\\nThe widget API is in use.\\n\\n## Definition of Done\\nNew API exists.\\n\\nrequired_effort: low\\n' > "$ws/phase-1-add-api.md"
    printf '# Phase 2\\n\\n## Precondition\\nPhase 1 is done.\\n\\n## Definition of Done\\nOld API removed.\\n' > "$ws/phase-2-remove-old.md"
    echo "Wrote plan.md and two phases." ;;
  revise)
    printf '# Plan\\n\\nReplace the widget API in two phases (revised).\\n' > "$ws/plan.md"
    echo "Revised the plan." ;;
  review) printf '%s\\n' "\${FAKE_REVIEW:-No findings.}" ;;
  review-2) printf '%s\\n' "\${FAKE_REVIEW2:-No findings.}" ;;
  final-review) printf '%s\\n' "\${FAKE_FINAL:-final-decision: approve-auto — the plan is complete}" ;;
esac
`;

/**
 * A directory holding the executable `fake-agent`; put it first on PATH.
 * Under `root` when given (kept by the caller), else a temp dir removed
 * after the test.
 */
export function fakeAgentBin(root?: string): string {
  const dir = root === undefined ? tempDir('cairn-fake-agent-') : path.join(root, 'bin');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'fake-agent');
  writeFileSync(file, FAKE_AGENT);
  chmodSync(file, 0o755);
  return dir;
}

export const AGENT = ['--agent', 'command', '--agent-cmd', 'fake-agent'];

export const SLUG = 'alpha';
export const TARGET = 'replace the widget API';

export interface PlanRepo {
  repo: string;
  live: string;
  /** `<live>/<slug>` */
  dir: string;
  bin: string;
  cli(args: string[], env?: Record<string, string>, input?: string): CliResult;
}

function withPath(bin: string, env: Record<string, string> = {}): Record<string, string> {
  return { PATH: `${bin}${path.delimiter}${process.env['PATH'] ?? ''}`, XDG_CONFIG_HOME: path.join(bin, 'xdg'), ...env };
}

/** Wraps an existing repository. */
export function planRepoAt(repo: string, bin: string = fakeAgentBin(), slug = SLUG): PlanRepo {
  const live = path.join(repo, 'migrations');
  return {
    repo,
    live,
    dir: path.join(live, slug),
    bin,
    cli: (args, env, input) => runCli(args, { cwd: repo, env: withPath(bin, env), ...(input !== undefined ? { input } : {}) }),
  };
}

/** A committed git repository set up for cairn, with no migrations (under `root` when given, else a temp dir). */
export function emptyRepo(root?: string): string {
  const repo = root === undefined ? tempDir('cairn-plan-') : path.join(root, 'repo');
  mkdirSync(repo, { recursive: true });
  initGitRepo(repo);
  mkdirSync(path.join(repo, '.planning'), { recursive: true });
  writeFileSync(path.join(repo, '.planning', 'config.json'), '{\n  "migrations_dir": "migrations"\n}\n');
  writeFileSync(path.join(repo, '.planning', '.gitignore'), 'cairn.db\ncairn.db-*\nwork/\n');
  mkdirSync(path.join(repo, 'migrations'));
  writeFileSync(path.join(repo, 'migrations', '.gitkeep'), '');
  commitAll(repo, 'init');
  return repo;
}

/**
 * A repository with migration `alpha` created by `cairn new` and committed.
 * Under `root` when given (a template the caller removes), else in temp dirs
 * removed after the test.
 */
export function newPlanRepo(root?: string): PlanRepo {
  const p = planRepoAt(emptyRepo(root), fakeAgentBin(root));
  const created = p.cli(['new', SLUG, '--target', TARGET]);
  expect(created.code).toBe(0);
  commitAll(p.repo, 'new alpha');
  return p;
}

/** A copy of `template` (a committed repository) at a fresh path, removed after the test. */
export function copyRepo(template: PlanRepo): PlanRepo {
  const repo = path.join(tempDir('cairn-plan-copy-'), 'repo');
  cpSync(template.repo, repo, { recursive: true });
  return planRepoAt(repo, template.bin);
}

/** A template root for `beforeAll`: removed by the returned function (call it in `afterAll`). */
export function templateRoot(): { root: string; remove: () => void } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'cairn-plan-template-'));
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** A committed repository holding copies of cr-v1 fixture migrations. */
export function fixturePlanRepo(slugs: string[]): PlanRepo {
  const repo = emptyRepo();
  for (const slug of slugs) cpSync(path.join(CR_V1, 'migrations', slug), path.join(repo, 'migrations', slug), { recursive: true });
  commitAll(repo, 'fixture migrations');
  return planRepoAt(repo);
}

export function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

export function stateOf(p: PlanRepo, slug = SLUG): Record<string, unknown> {
  return readJson(path.join(p.live, slug, '.planning', 'state.json'));
}

export function manifestOf(p: PlanRepo, slug = SLUG): Record<string, unknown> {
  return readJson(path.join(p.live, slug, 'manifest.json'));
}

export function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else out.push(child);
    }
  };
  if (existsSync(dir)) walk('');
  return out.sort();
}

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

/** The run directories under `.planning/work/<slug>`. */
export function workRuns(p: PlanRepo, slug = SLUG): string[] {
  const dir = path.join(p.repo, '.planning', 'work', slug);
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

export function gitLog(p: PlanRepo): string[] {
  return git(p.repo, ['log', '--format=%s']).trim().split('\n');
}

export function gitStatus(p: PlanRepo): string {
  return git(p.repo, ['status', '--porcelain']);
}

/**
 * Processes of process group `pgid` that are still running (zombies, which
 * are dead but not yet reaped by whoever inherited them, do not count).
 * Linux: read from /proc.
 */
export function liveGroupMembers(pgid: number): number[] {
  const alive: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z') alive.push(Number(name));
  }
  return alive;
}
