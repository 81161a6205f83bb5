import type { Command } from 'commander';
import { reportError, type Io } from './output.js';

/** Where a command leaves its exit code for `main`. */
export interface ExitHolder {
  code: number;
}

/**
 * Wrap a command body: its return value is the exit code; any thrown error is
 * reported (in JSON too when `--format json`) and mapped to its exit code.
 */
export function action<A extends unknown[]>(
  io: Io,
  exit: ExitHolder,
  body: (...args: A) => Promise<number>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const command = args[args.length - 1] as Command;
    const format = (command.opts() as { format?: string }).format;
    try {
      exit.code = await body(...args);
    } catch (error) {
      exit.code = reportError(io, error, format);
    }
  };
}
