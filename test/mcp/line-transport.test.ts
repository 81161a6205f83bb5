import { PassThrough } from 'node:stream';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { LineTransport } from '../../src/mcp/line-transport.js';
import { waitFor } from '../support/wait.js';

/*
 * The line framing of cairn's stdio transport, at its edges: a message of
 * exactly the cap, one byte more, lines split across chunks and several in
 * one chunk, and which requests count as unanswered.
 */

function transportWith(maxMessageBytes: number): {
  transport: LineTransport;
  input: PassThrough;
  received: JSONRPCMessage[];
  written: () => Record<string, unknown>[];
} {
  const input = new PassThrough();
  const output = new PassThrough();
  let text = '';
  output.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  const transport = new LineTransport({ input, output, maxMessageBytes });
  const received: JSONRPCMessage[] = [];
  transport.onmessage = (message) => void received.push(message);
  const written = (): Record<string, unknown>[] =>
    text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { transport, input, received, written };
}

/** A ping request of exactly `bytes` bytes (without its newline), padded in its id. */
function pingOf(bytes: number, tag: string): string {
  const bare = JSON.stringify({ jsonrpc: '2.0', id: tag, method: 'ping' });
  return JSON.stringify({ jsonrpc: '2.0', id: tag + 'x'.repeat(bytes - bare.length), method: 'ping' });
}

describe('LineTransport', () => {
  it('takes a message of exactly the cap and refuses one byte more, whatever the chunking', async () => {
    const { transport, input, received, written } = transportWith(100);
    await transport.start();
    const exact = pingOf(100, 'a');
    const over = pingOf(101, 'b');
    expect(Buffer.byteLength(exact)).toBe(100);
    // Split across chunks, and with the next message in the same chunk as the newline.
    input.write(exact.slice(0, 30));
    input.write(exact.slice(30) + '\n' + over.slice(0, 50));
    input.write(over.slice(50) + '\r\n{"jsonrpc":"2.0","id":"c","method":"ping"}\n');
    await waitFor(() => received.length === 2 && written().length === 1);
    expect(received.map((message) => (message as { id: string }).id)).toEqual([JSON.parse(exact).id, 'c']);
    expect(written()).toEqual([
      {
        jsonrpc: '2.0',
        error: { code: -32600, message: 'Message refused: it is longer than 100 bytes, the most cairn mcp reads of one message; it was discarded up to its newline' },
      },
    ]);
  });

  it('drops an oversized line chunk by chunk up to its newline, and takes a last line without one', async () => {
    const { transport, input, received, written } = transportWith(64);
    await transport.start();
    for (let i = 0; i < 100; i++) input.write('y'.repeat(1000));
    input.write('\n');
    input.end('{"jsonrpc":"2.0","id":7,"method":"ping"}');
    await waitFor(() => received.length === 1);
    expect(received).toEqual([{ jsonrpc: '2.0', id: 7, method: 'ping' }]);
    // One refusal for the whole line.
    expect(written().map((message) => (message['error'] as { code: number }).code)).toEqual([-32600]);
  });

  it('is settled once the input has ended and every request has been answered or cancelled', async () => {
    const { transport, input } = transportWith(1024);
    await transport.start();
    let settled = false;
    void transport.settled().then(() => (settled = true));
    input.write('{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list"}}\n');
    input.write('{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"list"}}\n');
    input.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n');
    // The client gives up on request 2: nothing is owed for it.
    input.write('{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":2}}\n');
    await waitFor(() => false, 100);
    expect(settled).toBe(false);
    input.end();
    await waitFor(() => false, 100);
    expect(settled).toBe(false);
    await transport.send({ jsonrpc: '2.0', id: 1, result: {} });
    expect(await waitFor(() => settled, 1000)).toBe(true);
  });
});
