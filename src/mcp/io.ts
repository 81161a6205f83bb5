import type { Io } from '../app/index.js';
import { visibleOutput } from '../util/index.js';

/*
 * On stdio, stdout is the MCP transport: one stray byte there breaks the
 * protocol. Everything cairn would print goes to stderr instead, which MCP
 * clients keep as the server's log.
 */

/**
 * An Io whose both streams write to stderr, without colour; control and bidi
 * characters a repository put into a name are shown visibly (docs/security.md §3).
 */
export function mcpIo(): Io {
  const write = (text: string): void => void process.stderr.write(visibleOutput(text));
  return { stdout: write, stderr: write, color: false, isTty: false };
}

/** Sends `console.log`, `console.info` and `console.debug` to stderr, so no library or dependency can write to the transport through them. */
export function routeConsoleToStderr(): void {
  const toStderr = (...args: unknown[]): void => console.error(...args);
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;
}
