import { userConfigPath } from '../agent/index.js';
import type { AgentOptions, GlobalOptions } from '../app/index.js';
import { CairnError, isCairnError, shellWord } from '../util/index.js';

/*
 * The commands cairn prints for the user to run next, written so they work
 * when pasted into a shell: every word shell-quoted, and the flags of this
 * call that the next command needs again (`--repo`, `--migrations-dir`,
 * and the agent flags given on the command line) repeated.
 */

/** How the hint of `NextCommands.saveAgentHint` begins, once printed as a hint. */
export const SAVE_AGENT_HINT_PREFIX = 'Hint: To use these agent settings without repeating the flags';

/** Builds the `cairn …` commands of one call's hints. */
export interface NextCommands {
  /** `cairn [--repo …] [--migrations-dir …] <command> <args…>`, plus the agent flags when `withAgent`. */
  cairn(command: string, args?: readonly string[], withAgent?: boolean): string;
  /** A `cairn …` text written elsewhere (its words already quoted), with the global flags inserted after `cairn`. */
  carry(text: string): string;
  /**
   * A hint written without this call's flags (the library's), with each
   * `cairn …` command in backticks given them: the global flags, and the
   * agent flags for a command that starts an agent and names none.
   */
  hint(text: string): string;
  /** How to keep the agent flags without repeating them; null when none were given. */
  saveAgentHint(): string | null;
}

/** Commands that start an agent, so a hint naming one repeats the agent flags. */
const AGENT_COMMANDS = new Set(['plan', 'refine', 'run']);

/** A backticked `cairn …` command inside hint text. */
const HINTED_COMMAND = /`(cairn [^`]*)`/g;

/** The agent flags a next command repeats, in the order `--help` lists them. */
function agentFlagWords(options: Partial<AgentOptions>): string[] {
  const words: string[] = [];
  if (options.agent !== undefined) words.push('--agent', shellWord(options.agent));
  if (options.agentCmd !== undefined) words.push('--agent-cmd', shellWord(options.agentCmd));
  if (options.model !== undefined) words.push('--model', shellWord(options.model));
  if (options.effort !== undefined) words.push('--effort', shellWord(options.effort));
  return words;
}

/** The user config entries that stand for the agent flags given. */
function agentConfigEntries(options: Partial<AgentOptions>): Record<string, string> {
  const entries: Record<string, string> = {};
  const agent = options.agent ?? (options.agentCmd !== undefined ? 'command' : undefined);
  if (agent !== undefined) entries.agent = agent;
  if (options.agentCmd !== undefined) entries.agent_cmd = options.agentCmd;
  if (options.model !== undefined) entries.model = options.model;
  if (options.effort !== undefined) entries.effort = options.effort;
  return entries;
}

/** The next-command builder for a call with these global options and (for commands that take them) agent flags. */
export function nextCommands(globals: GlobalOptions, options: Partial<AgentOptions> = {}): NextCommands {
  const global: string[] = [];
  if (globals.repo !== undefined) global.push('--repo', shellWord(globals.repo));
  if (globals.migrationsDir !== undefined) global.push('--migrations-dir', shellWord(globals.migrationsDir));
  const agent = agentFlagWords(options);
  const carry = (text: string): string => (global.length === 0 || !text.startsWith('cairn ') ? text : `cairn ${global.join(' ')} ${text.slice('cairn '.length)}`);
  const flagged = (command: string): string => {
    const words = command.split(' ');
    if (words.includes('--repo') || words.includes('--migrations-dir')) return command;
    const needsAgent = agent.length > 0 && AGENT_COMMANDS.has(words[1] ?? '') && !words.some((word) => word === '--agent' || word === '--agent-cmd');
    return needsAgent ? `${carry(command)} ${agent.join(' ')}` : carry(command);
  };
  return {
    cairn: (command, args = [], withAgent = false) =>
      ['cairn', ...global, command, ...args.map(shellWord), ...(withAgent ? agent : [])].join(' '),
    carry,
    hint: (text) => text.replace(HINTED_COMMAND, (_whole, command: string) => `\`${flagged(command)}\``),
    saveAgentHint() {
      if (agent.length === 0) return null;
      const entries = Object.entries(agentConfigEntries(options)).map(([key, value]) => `${JSON.stringify(key)}: ${JSON.stringify(value)}`);
      return `To use these agent settings without repeating the flags, save them in ${userConfigPath(process.env)}: {${entries.join(', ')}}`;
    },
  };
}

/** An error whose hint names `cairn …` commands, with those commands given this call's flags (see `NextCommands.hint`). */
export function withCallFlags(error: unknown, next: NextCommands): unknown {
  if (!isCairnError(error) || error.hint === undefined) return error;
  const hint = next.hint(error.hint);
  if (hint === error.hint) return error;
  return new CairnError(error.code, error.message, {
    hint,
    exitCode: error.exitCode,
    cause: error,
    ...(error.path !== undefined ? { path: error.path } : {}),
  });
}
