import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterEach } from 'vitest';
import { CLI, cliEnv } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';

/*
 * `cairn mcp` driven byte by byte: the tests that check what an SDK client
 * hides (each oversized line answered on its own, an endless line that is
 * not JSON, the order of every message on stdout) write JSON-RPC lines
 * themselves.
 */

export interface RawMessage {
  jsonrpc: string;
  id?: string | number;
  result?: Record<string, unknown>;
  error?: { code: number; message: string };
}

export interface RawMcp {
  child: ChildProcessWithoutNullStreams;
  /** Every message the server wrote to stdout, in order. */
  messages: RawMessage[];
  /** Lines of stdout that were not JSON (none, for a well-behaved server). */
  junk: string[];
  stderr(): string;
  write(data: string | Buffer): Promise<void>;
  send(message: Record<string, unknown>): Promise<void>;
  /** Sends `initialize` and `notifications/initialized`, and waits for the answer. */
  initialize(): Promise<void>;
  /** The response to request `id`, once it arrives (waits up to `timeoutMs`). */
  response(id: string | number, timeoutMs?: number): Promise<RawMessage>;
  /** Resolves with the exit code (null when killed) once the server has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started: RawMcp[] = [];

afterEach(() => {
  while (started.length > 0) {
    const server = started.pop() as RawMcp;
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
  }
});

/** Starts `node bin/cairn.js [...args] mcp` in `cwd` with raw pipes (killed after the test if still running). */
export function startRawMcp(cwd: string, args: string[] = [], env: Record<string, string> = {}): RawMcp {
  const child = spawn(process.execPath, [CLI, ...args, 'mcp'], {
    cwd,
    env: cliEnv({ XDG_CONFIG_HOME: tempDir('cairn-mcp-xdg-'), ...env }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const messages: RawMessage[] = [];
  const junk: string[] = [];
  let pending = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    let newline: number;
    while ((newline = pending.indexOf('\n')) !== -1) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      try {
        messages.push(JSON.parse(line) as RawMessage);
      } catch {
        junk.push(line);
      }
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  // The server may exit while a test still writes: that is what some tests check.
  child.stdin.on('error', () => {});
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  const write = (data: string | Buffer): Promise<void> =>
    new Promise((resolve, reject) => child.stdin.write(data, (error) => (error ? reject(error) : resolve())));
  const response = async (id: string | number, timeoutMs = 60_000): Promise<RawMessage> => {
    const found = (): RawMessage | undefined => messages.find((message) => message.id === id && (message.result !== undefined || message.error !== undefined));
    if (!(await waitFor(() => found() !== undefined, timeoutMs))) throw new Error(`no response to request ${id} within ${timeoutMs} ms; stderr:\n${stderr}`);
    return found() as RawMessage;
  };
  const server: RawMcp = {
    child,
    messages,
    junk,
    stderr: () => stderr,
    write,
    send: (message) => write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`),
    async initialize() {
      await server.send({
        id: 'init',
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'cairn-raw-test', version: '1.0.0' } },
      });
      await response('init', 30_000);
      await server.send({ method: 'notifications/initialized' });
    },
    response,
    exited,
  };
  started.push(server);
  return server;
}
