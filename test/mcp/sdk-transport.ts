import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { afterEach } from 'vitest';
import { CLI, cliEnv } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

/*
 * An SDK client whose pipes the test holds. The SDK's stdio transport only
 * closes the server's stdin as part of `client.close()`, which also rejects
 * every call still waiting for its answer; this transport can end stdin on
 * its own, so a test can see the answer a server writes after stdin closed.
 */

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** How long `close()` waits for the server to exit once stdin is closed before killing it. */
const EXIT_GRACE_MS = 5000;

/** The MCP stdio transport over a child process started by the test. */
export class ChildStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T) => void;

  /** Resolves once the child has exited and its pipes are closed. */
  readonly exited: Promise<Exit>;
  private readonly buffer = new ReadBuffer();
  private stderrText = '';

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.stderrText += chunk));
    // The server may be gone while the client still writes (a cancellation, say).
    child.stdin.on('error', () => {});
    this.exited = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  }

  async start(): Promise<void> {
    this.child.stdout.on('data', (chunk: Buffer) => {
      try {
        this.buffer.append(chunk);
      } catch (error) {
        this.onerror?.(error as Error);
        return;
      }
      for (;;) {
        let message: JSONRPCMessage | null;
        try {
          message = this.buffer.readMessage();
        } catch (error) {
          this.onerror?.(error as Error);
          continue;
        }
        if (message === null) break;
        this.onmessage?.(message);
      }
    });
    void this.exited.then(() => this.onclose?.());
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!this.child.stdin.writable) {
        reject(new Error('the server\'s stdin is closed'));
        return;
      }
      if (this.child.stdin.write(serializeMessage(message))) resolve();
      else this.child.stdin.once('drain', resolve);
    });
  }

  /** Closes the server's stdin, as a client that goes away does; the client keeps listening. */
  endInput(): void {
    this.child.stdin.end();
  }

  /** Whether the child is still running. */
  running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  stderr(): string {
    return this.stderrText;
  }

  /** Ends stdin, waits a little for the server to exit, and kills it if it has not. */
  async close(): Promise<void> {
    this.endInput();
    if (this.running()) {
      const timer = new Promise<void>((resolve) => setTimeout(resolve, EXIT_GRACE_MS).unref());
      await Promise.race([this.exited, timer]);
    }
    if (this.running()) this.child.kill('SIGKILL');
    await this.exited;
  }
}

const children: ChildProcessWithoutNullStreams[] = [];

afterEach(() => {
  while (children.length > 0) {
    const child = children.pop() as ChildProcessWithoutNullStreams;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});

/** Starts `node bin/cairn.js [...args] mcp` in `cwd` and connects an SDK client over {@link ChildStdioTransport} (killed after the test if still running). */
export async function startMcpOverPipes(cwd: string, args: string[] = []): Promise<{ client: Client; transport: ChildStdioTransport; errors: Error[] }> {
  const child = spawn(process.execPath, [CLI, ...args, 'mcp'], {
    cwd,
    env: cliEnv({ XDG_CONFIG_HOME: tempDir('cairn-mcp-xdg-') }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.push(child);
  const transport = new ChildStdioTransport(child);
  const client = new Client({ name: 'cairn-test', version: '1.0.0' });
  const errors: Error[] = [];
  client.onerror = (error) => errors.push(error);
  await client.connect(transport);
  // Caches the output schemas, so every callTool result is validated against them.
  await client.listTools();
  return { client, transport, errors };
}
