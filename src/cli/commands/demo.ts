import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CairnError } from '../../util/index.js';
import { commitDemo, createDemoProject, demoCommands, demoGitOutput } from '../../planning/index.js';
import type { Io } from '../../app/index.js';
import { SAVE_AGENT_HINT_PREFIX } from '../next-command.js';
import { defineCommand } from '../command.js';
import { paint } from '../output.js';

/*
 * `cairn demo`: the whole lifecycle in a throwaway repository, each command
 * shown with its output. The cairn commands run in this process through the
 * same command tree a user reaches from the shell; a git command shows what
 * one of them did.
 */

export const demoCommand = defineCommand<[], { keep?: boolean }>({
  name: 'demo',
  description: 'plan, review and carry out the first phase of a small migration in a temporary git repository, with a replay agent',
  options: [{ flags: '--keep', description: 'keep the temporary repository and print where it is' }],
  examples: ['demo', 'demo --keep'],
  async run({ options, io }) {
    const { run } = await import('../main.js');
    const parent = mkdtempSync(path.join(os.tmpdir(), 'cairn-demo-'));
    const repo = path.join(parent, 'greeter-service');
    let failed = false;
    try {
      createDemoProject(repo);
      io.stdout(`${paint(io, 'bold', `cairn demo: a throwaway repository at ${repo}`)}\n`);
      for (const command of demoCommands()) {
        io.stdout(`\n${paint(io, 'cyan', `$ ${command.shown}`)}\n`);
        if (command.program === 'git') {
          io.stdout(demoGitOutput(repo, command.args));
          continue;
        }
        const code = await run(['node', 'cairn', '--repo', repo, ...command.args], withoutSaveAgentHint(io));
        if (code !== 0) {
          failed = true;
          throw new CairnError('failed', `demo: \`${command.shown}\` exited with ${code}`, {
            hint: 'Rerun with `cairn demo --keep` to inspect the repository.',
          });
        }
        if (command.commitAfter !== undefined) {
          commitDemo(repo, command.commitAfter);
          io.stdout(`${paint(io, 'dim', `(git commit -m '${command.commitAfter}')`)}\n`);
        }
      }
      io.stdout(`\n${paint(io, 'green', 'Demo finished: planned and reviewed a migration, then carried out its first phase under the project\'s tests; doctor is clean.')}\n`);
      io.stdout(options.keep === true ? `The repository is kept at ${repo}\n` : 'The temporary repository was removed (use --keep to keep it).\n');
      io.stdout(TRY_IT_YOURSELF);
      return 0;
    } finally {
      if (options.keep !== true && !failed) rmSync(parent, { recursive: true, force: true });
      else if (failed) io.stderr(`The demo repository is kept at ${repo}\n`);
    }
  },
});

/** How to start in one's own repository, the demo's last words. */
const TRY_IT_YOURSELF = [
  '',
  'To try it in your own repository (with cairn installed there: npm install --save-dev cairn-cli):',
  '  npx --no-install cairn init',
  "  npx --no-install cairn new <slug> --target '<what should change>'",
  '  npx --no-install cairn plan <slug> --agent claude --until terminal   # or --agent codex, or --agent manual to answer each step yourself',
  '',
].join('\n');

/** `io` without the hint to save the agent flags: the demo's replay agent is no agent to keep in the user's config. */
function withoutSaveAgentHint(io: Io): Io {
  return { ...io, stderr: (text) => (text.startsWith(SAVE_AGENT_HINT_PREFIX) ? undefined : io.stderr(text)) };
}
