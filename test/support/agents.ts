import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from './tmp.js';

/** A directory of fake agents plus an environment that puts it first on PATH. */
export interface FakeAgents {
  binDir: string;
  env: Record<string, string>;
  /** Writes an executable script named `name` into the bin dir; returns its path. */
  write(name: string, body: string): string;
}

/** Fake agents in `binDir` (created), by default a temp dir removed after the test. */
export function fakeAgents(binDir: string = tempDir('cairn-agents-')): FakeAgents {
  mkdirSync(binDir, { recursive: true });
  return {
    binDir,
    env: { PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ''}` },
    write(name: string, body: string): string {
      const file = path.join(binDir, name);
      writeFileSync(file, body.startsWith('#!') ? body : `#!/bin/sh\n${body}`);
      chmodSync(file, 0o755);
      return file;
    },
  };
}

/*
 * `fake-agent`, the agent of the planning tests: a shell script that does
 * what a real one would (reads the prompt, writes files into
 * $CAIRN_WORKSPACE, prints the step's output); environment variables steer
 * it:
 *   FAKE_REVIEW / FAKE_REVIEW2 / FAKE_FINAL   output of review, review-2, final-review (set but empty: a blank line)
 *   FAKE_APPROACHES                           write approaches/<name>.md for each of these names instead
 *   FAKE_PICK                                 output of pick-best
 *   FAKE_EXPAND=no-plan | no-done             expand writes no plan.md | phase 2 without ## Definition of Done
 *   FAKE_REVISE=no-done                       revise rewrites phase 2 without ## Definition of Done
 *   FAKE_FAIL_STEP                            exit 3 on this step
 *   FAKE_OUTSIDE_STEP                         on this step also write src/x.js in the repository, outside the workspace
 *   FAKE_HANG_STEP                            sleep on this step (pid in FAKE_PID_FILE)
 *   FAKE_FLOOD_STEP, FAKE_FLOOD_BYTES         print this many bytes on this step
 *   FAKE_PROMPT_DIR                           save each step's prompt as <dir>/<step>.prompt
 */
const FAKE_AGENT = `#!/bin/sh
step="$CAIRN_STEP"
ws="$CAIRN_WORKSPACE"
if [ -n "$FAKE_PROMPT_DIR" ]; then cat > "$FAKE_PROMPT_DIR/$step.prompt"; else cat > /dev/null; fi
if [ "$FAKE_FAIL_STEP" = "$step" ]; then echo "fake agent failed on $step" >&2; exit 3; fi
if [ "$FAKE_OUTSIDE_STEP" = "$step" ]; then mkdir -p "$CAIRN_REPO_ROOT/src" && echo "// written by the agent" > "$CAIRN_REPO_ROOT/src/x.js"; fi
if [ "$FAKE_HANG_STEP" = "$step" ]; then
  if [ -n "$FAKE_PID_FILE" ]; then echo $$ > "$FAKE_PID_FILE.tmp" && mv "$FAKE_PID_FILE.tmp" "$FAKE_PID_FILE"; fi
  sleep 60
  exit 0
fi
if [ "$FAKE_FLOOD_STEP" = "$step" ]; then head -c "$FAKE_FLOOD_BYTES" /dev/zero | tr '\\000' 'x'; exit 0; fi
case "$step" in
  approaches)
    mkdir -p "$ws/approaches"
    if [ -n "\${FAKE_APPROACHES+set}" ]; then
      for name in $FAKE_APPROACHES; do printf '# %s\\n\\nAn approach.\\n' "$name" > "$ws/approaches/$name.md"; done
      echo "Wrote approaches: $FAKE_APPROACHES."
    else
      printf '# Incremental\\n\\nMove one module at a time.\\n' > "$ws/approaches/incremental.md"
      printf '# Big bang\\n\\nChange everything at once.\\n' > "$ws/approaches/big-bang.md"
      echo "Wrote two approaches: incremental, big-bang."
    fi ;;
  pick-best) printf '%s\\n' "\${FAKE_PICK-Chosen: incremental. Smallest safe steps.}" ;;
  expand)
    if [ "$FAKE_EXPAND" != no-plan ]; then printf '# Plan\\n\\nReplace the widget API in two phases.\\n' > "$ws/plan.md"; fi
    printf '# Phase 1\\n\\n## Precondition\\nThe widget API is in use.\\n\\n## Definition of Done\\nNew API exists.\\n\\nrequired_effort: low\\n' > "$ws/phase-1-add-api.md"
    if [ "$FAKE_EXPAND" = no-done ]; then
      printf '# Phase 2\\n\\n## Precondition\\nPhase 1 is done.\\n' > "$ws/phase-2-remove-old.md"
    else
      printf '# Phase 2\\n\\n## Precondition\\nPhase 1 is done.\\n\\n## Definition of Done\\nOld API removed.\\n' > "$ws/phase-2-remove-old.md"
    fi
    echo "Wrote plan.md and two phases." ;;
  revise)
    printf '# Plan\\n\\nReplace the widget API in two phases (revised).\\n' > "$ws/plan.md"
    if [ "$FAKE_REVISE" = no-done ]; then printf '# Phase 2\\n\\n## Precondition\\nPhase 1 is done.\\n' > "$ws/phase-2-remove-old.md"; fi
    echo "Revised the plan." ;;
  review) printf '%s\\n' "\${FAKE_REVIEW-No findings.}" ;;
  review-2) printf '%s\\n' "\${FAKE_REVIEW2-No findings.}" ;;
  final-review) printf '%s\\n' "\${FAKE_FINAL:-final-decision: approve-auto — the plan is complete}" ;;
esac
`;

/**
 * A directory holding the executable `fake-agent`; put it first on PATH.
 * Under `root` when given (kept by the caller), else a temp dir removed
 * after the test.
 */
export function fakeAgentBin(root?: string): string {
  const agents = fakeAgents(root === undefined ? tempDir('cairn-fake-agent-') : path.join(root, 'bin'));
  agents.write('fake-agent', FAKE_AGENT);
  return agents.binDir;
}

/** The CLI flags that make cairn run the fake agent. */
export const AGENT = ['--agent', 'command', '--agent-cmd', 'fake-agent'];

/** How the commands cairn prints repeat `AGENT`. */
export const AGENT_SHOWN = '--agent command --agent-cmd fake-agent';

/** The hint cairn prints (stderr) after a next command that repeats `AGENT`, for a fake-agent bin dir (XDG_CONFIG_HOME is `<bin>/xdg`). */
export function saveAgentHint(bin: string, agentCmd = 'fake-agent'): string {
  return saveAgentHintIn(path.join(bin, 'xdg'), agentCmd);
}

/** `saveAgentHint` for a user config under `xdgConfigHome`. */
export function saveAgentHintIn(xdgConfigHome: string, agentCmd: string): string {
  const file = path.join(xdgConfigHome, 'cairn', 'config.json');
  return `Hint: To use these agent settings without repeating the flags, save them in ${file}: {"agent": "command", "agent_cmd": "${agentCmd}"}\n`;
}
