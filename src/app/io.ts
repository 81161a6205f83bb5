import { isCairnError } from '../util/index.js';

/** Where a front end's output goes: a terminal for the CLI, stderr only for the MCP server. */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Colour allowed (see the CLI's `colorWanted`: NO_COLOR, FORCE_COLOR, a terminal not TERM=dumb). */
  color: boolean;
  isTty: boolean;
}

/** Each warning on stderr, as `Warning: <text>`. */
export function printWarnings(io: Io, warnings: readonly string[]): void {
  for (const warning of warnings) io.stderr(`Warning: ${warning}\n`);
}

/** The stack of an unexpected error (anything but a CairnError) when `CAIRN_DEBUG=1`, for a bug report; null otherwise. */
export function debugStack(error: unknown): string | null {
  if (isCairnError(error) || process.env['CAIRN_DEBUG'] !== '1' || !(error instanceof Error) || !error.stack) return null;
  return error.stack;
}
