import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEMO_RECORDING } from './recording.js';

/*
 * The agent `cairn demo` runs (`--agent command --agent-cmd 'node
 * replay-agent.js'`): it reads the prompt like any agent, then replays the
 * recorded session for $CAIRN_STEP — the files it wrote into
 * $CAIRN_WORKSPACE and what it printed.
 */

async function main(): Promise<number> {
  for await (const chunk of process.stdin) void chunk;
  const step = process.env['CAIRN_STEP'] ?? '';
  const workspace = process.env['CAIRN_WORKSPACE'] ?? '';
  const recorded = DEMO_RECORDING[step];
  if (recorded === undefined || workspace === '') {
    process.stderr.write(`replay-agent: nothing recorded for step '${step}'\n`);
    return 1;
  }
  for (const [relative, text] of Object.entries(recorded.files)) {
    const file = path.join(workspace, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  process.stdout.write(recorded.stdout);
  return 0;
}

process.exitCode = await main();
