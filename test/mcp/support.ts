import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult, JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, expect } from 'vitest';
import { CLI, cliEnv } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';

/*
 * `cairn mcp` as an MCP client sees it: the built CLI started as a child
 * process in a repository and driven through the SDK's stdio client.
 */

export interface McpSession {
  client: Client;
  /** Call a tool; the SDK client also checks structured content against the tool's output schema. */
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  /** What the server wrote to stderr so far. */
  stderr(): string;
  /** Transport errors seen by the client (a non-protocol line on the server's stdout would be one). */
  errors: Error[];
  /** Every message the client received from the server, in order, including those the SDK matches to no request. */
  received: JSONRPCMessage[];
  close(): Promise<void>;
}

const open: McpSession[] = [];

afterEach(async () => {
  while (open.length > 0) await open.pop()?.close();
});

/** Starts `node bin/cairn.js mcp [...args]` in `cwd` and connects a client (closed after the test). */
export async function startMcp(cwd: string, args: string[] = []): Promise<McpSession> {
  const env = cliEnv({ XDG_CONFIG_HOME: tempDir('cairn-mcp-xdg-') });
  const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, ...args, 'mcp'], cwd, env, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const client = new Client({ name: 'cairn-test', version: '1.0.0' });
  const errors: Error[] = [];
  client.onerror = (error) => errors.push(error);
  const received: JSONRPCMessage[] = [];
  // Set before connect: the client keeps this handler and calls it first for every message.
  transport.onmessage = (message) => received.push(message);
  await client.connect(transport);
  // Caches the output schemas, so every callTool result is validated against them.
  await client.listTools();
  const session: McpSession = {
    client,
    call: async (name, toolArgs = {}) => (await client.callTool({ name, arguments: toolArgs })) as CallToolResult,
    stderr: () => stderr,
    errors,
    received,
    close: () => client.close(),
  };
  open.push(session);
  return session;
}

/**
 * What the server wrote to stderr, once it has written something (or
 * `fragment`): stderr is another pipe than the protocol's, so it may arrive
 * a little later. Waits up to 5 s.
 */
export async function stderrOf(session: McpSession, fragment = ''): Promise<string> {
  await waitFor(() => session.stderr() !== '' && session.stderr().includes(fragment), 5000);
  return session.stderr();
}

/** The text of a result's content block `index`. */
export function textOf(result: CallToolResult, index = 0): string {
  const block = result.content[index];
  if (block?.type !== 'text') throw new Error(`content[${index}] is not text`);
  return block.text;
}

/** The error envelope of a tool error (its first text block). */
export function envelopeOf(result: CallToolResult): { schema_version: number; error: { code: string; message: string; hint?: string; path?: string } } {
  expect(result.isError).toBe(true);
  return JSON.parse(textOf(result)) as ReturnType<typeof envelopeOf>;
}

/** A successful result's structured content. */
export function structuredOf(result: CallToolResult): Record<string, unknown> {
  if (result.isError === true) throw new Error(`tool error: ${textOf(result)}`);
  expect(result.structuredContent).toBeDefined();
  return result.structuredContent as Record<string, unknown>;
}
