import { chmodSync, cpSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fakeAgentBin } from './agents.js';
import { runCli, type CliResult } from './cli.js';
import { READY } from './fixture.js';
import { commitAll } from './git.js';
import { cairnRepo, copyRepoDir, type CairnRepo } from './repo.js';
import { tempDir, templateDir } from './tmp.js';

/*
 * A repository where `cairn run` has something to execute: the cr-v1 fixture's
 * ready migration (three phases, none done), a tiny project whose validation
 * command is a real script (`sh check.sh`), all committed on main, and a
 * scripted execution agent (`exec-agent`) on PATH whose behaviour the test
 * picks with environment variables:
 *
 * - `EXEC_READY` (yes | no | unverifiable, default yes) and `EXEC_READY_REASON`:
 *   the ready-check's answer; with `EXEC_READY_TOUCH` set the ready-check also
 *   edits src/app.txt (which a ready-check must not).
 * - `EXEC_MODE`: what an execute step does —
 *   `good` (default: appends a line to src/app.txt),
 *   `break` (writes "broken" into src/app.txt, so check.sh fails),
 *   `break-once` (breaks on the first execute call of the test, good after),
 *   `nothing` (changes nothing), `touch-migration` (edits the manifest),
 *   `commit` (commits its good change itself), `fail` (exits 3),
 *   `hang` (sleeps 600 s printing nothing; the sleep's pid is appended to `<state>/hang.pids`),
 *   `slow` (sleeps EXEC_SLEEP seconds, or waits until the file EXEC_WAIT_FOR exists when
 *   that is set, then good).
 * - Every call appends `$CAIRN_STEP $CAIRN_SLUG $CAIRN_PHASE $CAIRN_WORKTREE $CAIRN_REPO_ROOT`
 *   and its working directory to `<state>/calls.log`.
 * - Any other step (a planning step of `cairn plan` or `cairn run --all`) is handed to
 *   `fake-agent` (test/support/agents.ts), which sits in the same bin directory.
 */

export const RUN_SLUG = READY;

export interface RunRepo extends CairnRepo {
  slug: string;
  /** The directory holding the agent's call log and counters. */
  state: string;
  /** The directory put first on PATH (holds `exec-agent`). */
  bin: string;
  /** Environment for cairn: PATH with the agent, the state dir. */
  env: Record<string, string>;
  /** Runs the built CLI in the repository with `env` plus `extra`. */
  cairn(args: string[], extra?: Record<string, string>, timeoutMs?: number): CliResult;
}

/** Flags that run a phase with the scripted agent and the repository's check script. */
export const EXEC_AGENT = ['--agent', 'command', '--agent-cmd', 'exec-agent', '--validate', 'sh check.sh'];

const AGENT_SCRIPT = `#!/bin/sh
case "$CAIRN_STEP" in
  ready-check|execute) ;;
  *) exec fake-agent ;;
esac
cat > /dev/null
echo "$CAIRN_STEP $CAIRN_SLUG $CAIRN_PHASE $CAIRN_WORKTREE $CAIRN_REPO_ROOT $(pwd -P)" >> "$EXEC_STATE/calls.log"
if [ "$CAIRN_STEP" = "ready-check" ]; then
  if [ -n "$EXEC_READY_TOUCH" ]; then echo "looked" >> src/app.txt; fi
  echo "I looked at the code."
  echo "ready: \${EXEC_READY:-yes} — \${EXEC_READY_REASON:-the precondition holds}"
  exit 0
fi
n=$(cat "$EXEC_STATE/execute.count" 2>/dev/null || echo 0)
n=$((n + 1))
echo $n > "$EXEC_STATE/execute.count"
mode="\${EXEC_MODE:-good}"
if [ "$mode" = "break-once" ]; then
  if [ $n -eq 1 ]; then mode=break; else mode=good; fi
fi
case "$mode" in
  good) echo "change $n for $CAIRN_PHASE" >> src/app.txt ;;
  break) echo "broken" >> src/app.txt ;;
  nothing) ;;
  touch-migration) echo "change $n" >> src/app.txt; printf ' ' >> "$CAIRN_REPO_ROOT/../unused" 2>/dev/null; echo "x" >> "migrations/$CAIRN_SLUG/plan.md" ;;
  commit) echo "change $n for $CAIRN_PHASE" >> src/app.txt; git add -A && git commit -q -m "agent's own commit" ;;
  fail) echo "agent gave up" >&2; exit 3 ;;
  hang) sleep 600 & echo $! >> "$EXEC_STATE/hang.pids"; wait ;;
  slow)
    if [ -n "$EXEC_WAIT_FOR" ]; then
      i=0
      while [ ! -e "$EXEC_WAIT_FOR" ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i + 1)); done
    else
      sleep "\${EXEC_SLEEP:-2}"
    fi
    echo "change $n for $CAIRN_PHASE" >> src/app.txt ;;
esac
cat <<'BLOCK'
Work done.
BEGIN_CONTINUOUS_REFACTORING_STATUS
phase_reached: execute
decision: commit
retry_recommendation: none
failure_kind: none
summary: updated src/app.txt
commit_rationale: the app file now records the phase
next_retry_focus: none
tests_run: sh check.sh
evidence:
- src/app.txt
END_CONTINUOUS_REFACTORING_STATUS
BLOCK
`;

const CHECK_SCRIPT = `#!/bin/sh
# The project's tests: src/app.txt must exist and must not say "broken".
test -f src/app.txt || { echo "src/app.txt is missing"; exit 1; }
if grep -q broken src/app.txt; then echo "FAIL: src/app.txt is broken"; exit 1; fi
echo "ok: 1 passed"
`;

/**
 * A fresh committed repository with the ready fixture migration, a project
 * and the scripted agent. Under `where` when it is a directory, or in
 * directories kept for the whole test file with `{ template: true }` (a
 * template the caller copies with {@link copyRunRepo}); else in temp dirs
 * removed after the test.
 */
export function runRepo(where?: string | { template?: boolean }): RunRepo {
  const root = typeof where === 'string' ? where : where?.template === true ? templateDir('cairn-run-template-') : undefined;
  const base = cairnRepo({ git: true, fixtures: [RUN_SLUG], ...(root !== undefined ? { at: path.join(root, 'repo') } : {}) });
  mkdirSync(path.join(base.repo, 'src'), { recursive: true });
  writeFileSync(path.join(base.repo, 'src', 'app.txt'), 'app v1\n');
  writeFileSync(path.join(base.repo, 'check.sh'), CHECK_SCRIPT);
  commitAll(base.repo, 'project with a ready migration');
  const bin = fakeAgentBin(root ?? tempDir('cairn-exec-bin-'));
  const agent = path.join(bin, 'exec-agent');
  writeFileSync(agent, AGENT_SCRIPT);
  chmodSync(agent, 0o755);
  return withState(base, bin, root !== undefined ? templateDir('cairn-exec-state-') : tempDir('cairn-exec-state-'));
}

/**
 * A copy of a `runRepo` (typically a template) at a fresh path with its own agent state; the agent script is shared.
 * Removed after the test, or with `perFile` after the whole file (for tests that run concurrently).
 */
export function copyRunRepo(template: RunRepo, options: { perFile?: boolean } = {}): RunRepo {
  const perFile = options.perFile === true;
  let repo: string;
  if (perFile) {
    repo = path.join(templateDir('cairn-copy-'), 'repo');
    cpSync(template.repo, repo, { recursive: true });
  } else {
    repo = copyRepoDir(template.repo);
  }
  const live = path.join(repo, 'migrations');
  return withState({ repo, live, dir: (slug) => path.join(live, slug) }, template.bin, perFile ? templateDir('cairn-exec-state-') : tempDir('cairn-exec-state-'));
}

function withState(base: CairnRepo, bin: string, state: string): RunRepo {
  const env = { PATH: `${bin}:${process.env.PATH ?? ''}`, EXEC_STATE: state, XDG_CONFIG_HOME: path.join(state, 'config') };
  return {
    ...base,
    slug: RUN_SLUG,
    state,
    bin,
    env,
    cairn: (args, extra = {}, timeoutMs) => runCli(args, { cwd: base.repo, env: { ...env, ...extra }, ...(timeoutMs !== undefined ? { timeoutMs } : {}) }),
  };
}
