import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEMO_EXECUTION } from './execution-recording.js';
import { DEMO_RECORDING, type RecordedStep } from './recording.js';

/*
 * The agent `cairn demo` runs (`--agent command --agent-cmd 'node
 * replay-agent.js'`): it reads the prompt like any agent, then replays the
 * recorded session for $CAIRN_STEP. A planning step writes its files into
 * $CAIRN_WORKSPACE; the execution steps of `cairn run` (`ready-check`,
 * `execute`) work in $CAIRN_WORKTREE, the phase's git worktree. Each prints
 * what the agent printed.
 */

function replay(step: string): { recorded: RecordedStep; dir: string } | null {
  const execution = DEMO_EXECUTION[step];
  if (execution !== undefined) {
    const worktree = process.env['CAIRN_WORKTREE'] ?? '';
    return worktree === '' ? null : { recorded: execution, dir: worktree };
  }
  const planning = DEMO_RECORDING[step];
  const workspace = process.env['CAIRN_WORKSPACE'] ?? '';
  return planning === undefined || workspace === '' ? null : { recorded: planning, dir: workspace };
}

async function main(): Promise<number> {
  for await (const chunk of process.stdin) void chunk;
  const step = process.env['CAIRN_STEP'] ?? '';
  const found = replay(step);
  if (found === null) {
    process.stderr.write(`replay-agent: nothing recorded for step '${step}'\n`);
    return 1;
  }
  for (const [relative, text] of Object.entries(found.recorded.files)) {
    const file = path.join(found.dir, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  process.stdout.write(found.recorded.stdout);
  return 0;
}

process.exitCode = await main();
