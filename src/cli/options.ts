import { AGENT_KINDS, DEFAULT_AGENT_TIMEOUT_MS, DEFAULT_SILENCE_TIMEOUT_MS } from '../agent/index.js';
import { EffortInput, LockTimeoutMsInput, parseWholeNumberFlag } from '../app/index.js';
import { CairnError } from '../util/index.js';
import type { CliOption } from './command.js';
import { dryRunOption, formatOption } from './common-options.js';

/* Arguments and options that several commands take, declared once. */

export { TARGET_ARGUMENT, dryRunOption, formatOption } from './common-options.js';

/** `--commit` (see app/commit.ts). */
function commitOption(description = 'git-commit the migration directory after the publish'): CliOption {
  return { flags: '--commit', description };
}

function parseLockTimeout(value: string): number {
  return parseWholeNumberFlag(value, LockTimeoutMsInput, `--lock-timeout must be a whole number of milliseconds, got '${value}'.`);
}

/** `--lock-timeout <ms>` for every command that takes the publish lock. */
export const LOCK_TIMEOUT_OPTION: CliOption = {
  flags: '--lock-timeout <ms>',
  description: 'how long to wait for the publish lock, in milliseconds (default: config or 30000)',
  parse: parseLockTimeout,
};

/**
 * The options every command that publishes ends with, in this order:
 * `--dry-run`, `--commit`, `--format`, `--lock-timeout`.
 */
export function publishingOptions(dryRun: string, commit?: string): CliOption[] {
  return [dryRunOption(dryRun), commitOption(commit), formatOption(), LOCK_TIMEOUT_OPTION];
}

function parseSeconds(flag: string): (value: string) => number {
  return (value: string) => {
    const seconds = Number(value);
    if (value.trim() === '' || !Number.isFinite(seconds) || seconds < 0 || seconds > 2_000_000) {
      throw new CairnError('usage', `${flag} must be a number of seconds (0 for none), got '${value}'.`);
    }
    return Math.round(seconds * 1000);
  };
}

/** `--agent`, `--agent-cmd`, `--model`, `--effort`, `--timeout`, `--silence-timeout`, `--show-agent-logs` (read by app's `agentChoice`). */
export const AGENT_OPTIONS: readonly CliOption[] = [
  { flags: '--agent <agent>', description: 'who does the step', choices: AGENT_KINDS },
  { flags: '--agent-cmd <template>', description: "command line for --agent command, e.g. 'my-agent --model {model}'" },
  { flags: '--model <model>', description: 'model for the agent' },
  { flags: '--effort <effort>', description: 'effort for the agent', choices: EffortInput.options },
  {
    flags: '--timeout <seconds>',
    description: `stop the agent after this long (default ${DEFAULT_AGENT_TIMEOUT_MS / 1000}; 0 = never)`,
    parse: parseSeconds('--timeout'),
  },
  {
    flags: '--silence-timeout <seconds>',
    description: `stop the agent when it prints nothing for this long (default ${DEFAULT_SILENCE_TIMEOUT_MS / 1000}; 0 = never)`,
    parse: parseSeconds('--silence-timeout'),
  },
  { flags: '--show-agent-logs', description: "mirror the agent's stdout and stderr to stderr while it runs (claude's JSON events as readable text)" },
  { flags: '--allow-outside-writes', description: 'accept a planning step although files outside its workspace changed while the agent ran' },
];
