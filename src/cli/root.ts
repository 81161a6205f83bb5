import { Command } from 'commander';
import type { Io } from '../app/index.js';
import { CAIRN_VERSION } from '../util/index.js';
import { examplesText } from './command-spec.js';

/** The top-level help's examples: the workflow, command by command. */
const WORKFLOW_EXAMPLES = [
  'init',
  "new widget-api --target 'Replace the widget API'",
  'plan widget-api --until terminal --agent claude',
  'review widget-api',
  'run widget-api',
];

/** What a usage error tells the user to run next. */
export const USAGE_HINT = 'Run `cairn --help` or `cairn <command> --help` for usage.';

/** A commander error text without its `error: ` prefix, as a sentence: `Unknown option '--formt' …`. */
export function commanderMessage(text: string): string {
  const message = text.replace(/^error: /, '');
  return message.charAt(0).toUpperCase() + message.slice(1);
}

/** How the command tree reports usage errors. */
export interface ProgramOptions {
  /**
   * `--format json` was asked for: commander prints nothing of a usage error,
   * and the caller reports it as the JSON error envelope.
   */
  jsonErrors?: boolean;
}

/** The `cairn` command itself: description, version and global options, without its commands. */
export function rootProgram(io: Io, options: ProgramOptions = {}): Command {
  const jsonErrors = options.jsonErrors === true;
  return new Command('cairn')
    .description('Plan large changes in durable, resumable stages; publish every change through a crash-safe transaction.')
    .version(CAIRN_VERSION, '-V, --version')
    .option('--repo <dir>', 'the repository, or a directory inside it: cairn walks up to the nearest .planning/config.json (default: from the working directory)')
    .option('--migrations-dir <dir>', 'live migrations directory, relative to the repository root (overrides the config)')
    .showHelpAfterError(jsonErrors ? false : `Hint: ${USAGE_HINT}`)
    .configureOutput({
      writeOut: (text) => io.stdout(text),
      writeErr: (text) => io.stderr(text),
      // commander's own usage errors in cairn's style: `Error: …`, then the hint.
      outputError: (text, write) => {
        if (!jsonErrors) write(`Error: ${commanderMessage(text)}`);
      },
    })
    .addHelpText('after', examplesText(WORKFLOW_EXAMPLES))
    .exitOverride();
}
