import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CairnError, shellWord } from '../util/index.js';
import { runGit } from '../fs/index.js';
import { DEMO_PROJECT_FILES, DEMO_TEST_COMMAND } from './demo/project.js';
import { DEMO_SLUG, DEMO_TARGET } from './demo/recording.js';

/*
 * `cairn demo`: a temporary git repository with a small project, and the
 * commands of one whole lifecycle — plan, review, carry out the first phase
 * under the project's tests — driven by a replay agent that plays back a
 * recorded session. The CLI runs the commands and shows their output; this
 * module only prepares the repository and says what to run.
 */

export { DEMO_SLUG, DEMO_TARGET } from './demo/recording.js';
export { DEMO_TEST_COMMAND } from './demo/project.js';

/** The replay agent script, compiled next to this module. */
export function replayAgentPath(): string {
  return fileURLToPath(new URL('./demo/replay-agent.js', import.meta.url));
}

/** The `--agent-cmd` template that runs the replay agent with this Node.js. */
export function replayAgentTemplate(): string {
  return `${shellWord(process.execPath)} ${shellWord(replayAgentPath())}`;
}

function git(repo: string, args: string[]): string {
  const result = runGit(repo, args);
  if (result.status !== 0) {
    const output = [result.stdout.trim(), result.stderr.trim(), result.error?.message ?? ''].filter((text) => text !== '').join('\n');
    throw new CairnError('failed', `demo: git ${args.join(' ')} failed${output === '' ? '' : `: ${output}`}`, {
      hint: 'cairn demo needs git on PATH.',
    });
  }
  return result.stdout;
}

/**
 * Creates the demo project in `repo` (which must not exist): a git
 * repository with a local identity (so commits and review records work on a
 * machine without one), signing and hooks off, and the project's files,
 * not yet committed.
 */
export function createDemoProject(repo: string): void {
  mkdirSync(repo, { recursive: true });
  git(repo, ['init', '--quiet', '--initial-branch=main']);
  git(repo, ['config', 'user.name', 'cairn demo']);
  git(repo, ['config', 'user.email', 'demo@cairn.invalid']);
  git(repo, ['config', 'commit.gpgsign', 'false']);
  git(repo, ['config', 'core.hooksPath', '.git/no-hooks']);
  for (const [relative, text] of Object.entries(DEMO_PROJECT_FILES)) {
    const file = path.join(repo, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
}

/** Runs git in the demo repository (colour off) and returns what it printed. */
export function demoGitOutput(repo: string, args: string[]): string {
  return git(repo, ['-c', 'color.ui=never', ...args]);
}

/** Commits everything in the demo repository. */
export function commitDemo(repo: string, message: string): void {
  git(repo, ['add', '--all']);
  git(repo, ['commit', '--quiet', '-m', message]);
}

/** One command of the demo: the cairn (or git) arguments, and how it is shown. */
export interface DemoCommand {
  /** Which program runs `args`: cairn itself (the default), or git to show what a command did. */
  program?: 'cairn' | 'git';
  args: string[];
  /** The command line as printed (the replay agent's long path shortened). */
  shown: string;
  /** Commit the whole repository after it, with this message (for commands without --commit). */
  commitAfter?: string;
}

/** The lifecycle the demo runs, in order. */
export function demoCommands(): DemoCommand[] {
  const agent = ['--agent', 'command', '--agent-cmd', replayAgentTemplate()];
  const shownAgent = "--agent command --agent-cmd 'node replay-agent.js'";
  return [
    { args: ['init'], shown: 'cairn init', commitAfter: 'Set up cairn' },
    {
      args: ['new', DEMO_SLUG, '--target', DEMO_TARGET],
      shown: `cairn new ${DEMO_SLUG} --target '${DEMO_TARGET}'`,
      commitAfter: `cairn: ${DEMO_SLUG}: migration.new`,
    },
    {
      args: ['plan', DEMO_SLUG, ...agent, '--until', 'terminal', '--commit'],
      shown: `cairn plan ${DEMO_SLUG} ${shownAgent} --until terminal --commit`,
    },
    { args: ['ready'], shown: 'cairn ready' },
    {
      args: ['review', DEMO_SLUG, '--approve', '--note', 'No other package imports getConfigSync; checked the org code search.', '--commit'],
      shown: `cairn review ${DEMO_SLUG} --approve --note 'No other package imports getConfigSync; checked the org code search.' --commit`,
    },
    {
      args: ['run', DEMO_SLUG, ...agent, '--validate', DEMO_TEST_COMMAND],
      shown: `cairn run ${DEMO_SLUG} ${shownAgent} --validate '${DEMO_TEST_COMMAND}'`,
    },
    { program: 'git', args: ['log', '--stat', '-1'], shown: 'git log --stat -1' },
    { args: ['list'], shown: 'cairn list' },
    { args: ['status', DEMO_SLUG], shown: `cairn status ${DEMO_SLUG}` },
    { args: ['doctor', '--all'], shown: 'cairn doctor --all' },
  ];
}
