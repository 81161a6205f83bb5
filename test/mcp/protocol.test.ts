import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { snapshotId } from '../../src/fs/digest.js';
import { AGENT } from '../support/agents.js';
import { holdPublishLock } from '../support/drivers.js';
import { git } from '../support/git.js';
import { SLUG, copyRepo, manifestOf, newPlanRepo, stateOf, type PlanRepo } from '../support/plan-repo.js';
import { templateDir } from '../support/tmp.js';
import { listTree } from '../support/tree.js';
import { sleep, waitFor } from '../support/wait.js';
import { startRawMcp } from './raw.js';
import { startMcpOverPipes } from './sdk-transport.js';
import { startMcp, stderrOf, structuredOf, textOf } from './support.js';

/*
 * The protocol edges of `cairn mcp`: arguments a tool does not declare,
 * a message over the size limit, and the client closing stdin while a call
 * still runs.
 */

const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

/** The transport's answer to a message over the limit: no id, since it never read one. */
const REFUSAL = {
  jsonrpc: '2.0',
  error: {
    code: -32600,
    message: `Message refused: it is longer than ${MAX_MESSAGE_BYTES} bytes (10 MiB), the most cairn mcp reads of one message; it was discarded up to its newline`,
  },
};
const REFUSAL_LOGGED = `cairn mcp: refused a message longer than the limit of ${MAX_MESSAGE_BYTES} bytes (10 MiB); it was discarded.\n`;

/** What an agent writes for the first step (approaches) into the workspace next_prompt prepared. */
/** Writes the two approach files the `approaches` step must leave (it needs 2 to 4). */
function writeApproaches(workspace: string): void {
  mkdirSync(path.join(workspace, 'approaches'));
  writeFileSync(path.join(workspace, 'approaches', 'incremental.md'), '# Incremental\n\nMove one module at a time.\n');
  writeFileSync(path.join(workspace, 'approaches', 'big-bang.md'), '# Big bang\n\nChange everything at once.\n');
}

const ACCEPT_APPROACHES = { slug: SLUG, step: 'approaches', output: 'Wrote two approaches: incremental, big-bang.\n' };

/** A promise's outcome, readable while it is still pending. */
function track<T>(promise: Promise<T>): { settled: () => boolean; outcome: Promise<{ value?: T; error?: unknown }> } {
  let settled = false;
  const outcome = promise.then(
    (value) => ((settled = true), { value }),
    (error: unknown) => ((settled = true), { error }),
  );
  return { settled: () => settled, outcome };
}

let fresh: PlanRepo;
let ready: PlanRepo;
beforeAll(() => {
  fresh = newPlanRepo(templateDir());
  ready = newPlanRepo(templateDir());
  expect(ready.cli(['plan', SLUG, ...AGENT, '--until', 'terminal', '--commit']).code).toBe(0);
  expect(manifestOf(ready)['status']).toBe('ready');
});

/** Everything under the repository but .git, with each file's content: what a refused call must leave as it was. */
function repoContents(repo: string): string[] {
  return listTree(repo).filter((entry) => !entry.startsWith('.git/'));
}

describe('cairn mcp arguments', () => {
  it('refuses an argument a tool does not declare before anything runs: a misspelt dryRun completes no phase', async () => {
    const p = copyRepo(ready);
    const before = { snapshot: await snapshotId(p.dir), tree: repoContents(p.repo), manifest: manifestOf(p) };
    const mcp = await startMcp(p.repo);

    const refused = await mcp.call('phase_done', { slug: SLUG, dryRun: true });
    expect(refused.isError).toBe(true);
    expect(refused.structuredContent).toBeUndefined();
    expect(textOf(refused)).toBe(
      "MCP error -32602: Input validation error: Invalid arguments for tool phase_done: Unknown argument 'dryRun' for phase_done; nothing was done. Accepted arguments: slug, phase, dry_run, lock_timeout_ms.",
    );
    expect(await snapshotId(p.dir)).toBe(before.snapshot);
    expect(repoContents(p.repo)).toEqual(before.tree);
    expect(manifestOf(p)).toEqual(before.manifest);
    expect(git(p.repo, ['status', '--porcelain']).trim()).toBe('');

    // Two unknown arguments on a read-only tool: both named.
    const list = await mcp.call('list', { format: 'tsv', verbose: true });
    expect(textOf(list)).toBe(
      "MCP error -32602: Input validation error: Invalid arguments for tool list: Unknown arguments 'format', 'verbose' for list; nothing was done. Accepted arguments: status, awaiting_review.",
    );

    // The argument spelt right is a dry run, and changes nothing either.
    const dry = structuredOf(await mcp.call('phase_done', { slug: SLUG, dry_run: true }));
    expect(dry['phase']).toBe('add-api');
    expect(await snapshotId(p.dir)).toBe(before.snapshot);
    expect(manifestOf(p)).toEqual(before.manifest);
    expect(mcp.errors).toEqual([]);
  });

  it('advertises every input schema as closed: additionalProperties false', async () => {
    const mcp = await startMcp(fresh.repo);
    const { tools } = await mcp.client.listTools();
    expect(tools.length).toBeGreaterThan(10);
    for (const tool of tools) expect({ tool: tool.name, additionalProperties: tool.inputSchema['additionalProperties'] }).toEqual({ tool: tool.name, additionalProperties: false });
  });
});

describe('cairn mcp messages', () => {
  it('refuses a message over 10 MiB with a protocol error, drops it up to its newline, and keeps serving', async () => {
    const p = copyRepo(fresh);
    const mcp = startRawMcp(p.repo);
    await mcp.initialize();

    // A tools/call of 11 MiB, written in 1 MiB pieces; then a line of 25 MiB that is not even JSON.
    const head = '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"list","arguments":{"pad":"';
    const piece = 'a'.repeat(1024 * 1024);
    await mcp.write(head);
    for (let i = 0; i < 11; i++) await mcp.write(piece);
    await mcp.write('"}}}\n');
    for (let i = 0; i < 25; i++) await mcp.write(piece);
    await mcp.write('\n');
    await mcp.send({ id: 3, method: 'tools/call', params: { name: 'list', arguments: {} } });

    const answer = await mcp.response(3);
    expect(answer.error).toBeUndefined();
    expect((answer.result?.['structuredContent'] as Record<string, unknown>)['migrations']).toHaveLength(1);
    // One refusal per oversized line, before the answer to the request after them; request 2 never ran.
    expect(mcp.messages.map((message) => message.id ?? null)).toEqual(['init', null, null, 3]);
    expect(mcp.messages[1]).toEqual(REFUSAL);
    expect(mcp.messages[2]).toEqual(REFUSAL);
    expect(mcp.junk).toEqual([]);
    // stderr is another pipe: it may arrive after the answer on stdout.
    await waitFor(() => mcp.stderr().split(REFUSAL_LOGGED).length === 3, 5000);
    expect(mcp.stderr().split(REFUSAL_LOGGED)).toHaveLength(3);

    // A line that is not JSON is a parse error, and serving goes on too.
    await mcp.write('{oops\n');
    await mcp.send({ id: 4, method: 'ping' });
    expect((await mcp.response(4)).result).toEqual({});
    expect(mcp.messages.slice(4).map((message) => [message.id ?? null, message.error?.code ?? null])).toEqual([
      [null, -32700],
      [4, null],
    ]);

    mcp.child.stdin.end();
    expect(await mcp.exited).toEqual({ code: 0, signal: null });
  });

  it('answers a call still running when the client closes stdin, then exits 0', async () => {
    const p = copyRepo(fresh);
    const mcp = startRawMcp(p.repo);
    await mcp.initialize();
    await mcp.send({ id: 'prepare', method: 'tools/call', params: { name: 'next_prompt', arguments: { slug: SLUG } } });
    const prepared = (await mcp.response('prepare')).result?.['structuredContent'] as Record<string, unknown>;
    writeApproaches(prepared['workspace'] as string);

    // The publish lock is held: accept waits for it, and is still running when stdin closes.
    const lock = await holdPublishLock(p.live);
    let released = false;
    try {
      await mcp.send({
        id: 'slow',
        method: 'tools/call',
        params: { name: 'accept', arguments: { ...ACCEPT_APPROACHES, lock_timeout_ms: 60_000 } },
      });
      await sleep(1000);
      mcp.child.stdin.end();
      await sleep(1000);
      expect(mcp.child.exitCode).toBeNull();
      expect(mcp.messages.some((message) => message.id === 'slow')).toBe(false);
      expect(await lock.release()).toBe(0);
      released = true;
    } finally {
      if (!released) await lock.release();
    }

    const answer = await mcp.response('slow');
    expect(answer.error).toBeUndefined();
    expect(answer.result?.['isError']).toBeUndefined();
    const steps = (answer.result?.['structuredContent'] as { steps: Record<string, unknown>[] }).steps;
    expect(steps[0]).toMatchObject({ status: 'published', next_step: 'pick-best' });
    expect(await mcp.exited).toEqual({ code: 0, signal: null });
    expect(stateOf(p)['next_step']).toBe('pick-best');
  });
});

describe('cairn mcp messages through the SDK client', () => {
  it('refuses an 11 MiB tools/call with -32600, runs none of it, and the same session goes on', async () => {
    const p = copyRepo(fresh);
    const mcp = await startMcp(p.repo);
    writeApproaches(structuredOf(await mcp.call('next_prompt', { slug: SLUG }))['workspace'] as string);
    const before = { snapshot: await snapshotId(p.dir), tree: repoContents(p.repo), state: stateOf(p) };
    expect(before.state['next_step']).toBe('approaches');
    const receivedBefore = mcp.received.length;

    // The same accept, with an output that makes the request 11 MiB.
    const output = 'x'.repeat(11 * 1024 * 1024);
    const giveUp = new AbortController();
    const oversized = track(mcp.client.callTool({ name: 'accept', arguments: { ...ACCEPT_APPROACHES, output } }, undefined, { signal: giveUp.signal }));
    expect(await waitFor(() => mcp.received.length > receivedBefore, 30_000)).toBe(true);
    expect(mcp.received.slice(receivedBefore)).toEqual([REFUSAL]);
    // The refusal carries no id, so the SDK matches it to no request: it reports it and the call still waits.
    expect(mcp.errors.map((error) => error.message)).toEqual([`Received a response for an unknown message ID: ${JSON.stringify(REFUSAL)}`]);
    await sleep(300);
    expect(oversized.settled()).toBe(false);
    // A client gives up on it (the SDK reports a cancelled request as code -32001, as it does a timeout).
    giveUp.abort(new Error('refused by the server'));
    expect((await oversized.outcome).error).toMatchObject({ name: 'McpError', code: -32001, message: 'MCP error -32001: Error: refused by the server' });
    expect(await stderrOf(mcp, REFUSAL_LOGGED)).toContain(REFUSAL_LOGGED);
    expect(mcp.stderr().split(REFUSAL_LOGGED)).toHaveLength(2);

    // Nothing ran: the step is not accepted, not a byte changed.
    expect(await snapshotId(p.dir)).toBe(before.snapshot);
    expect(repoContents(p.repo)).toEqual(before.tree);
    expect(stateOf(p)).toEqual(before.state);

    // The same client session goes on: the accept at its normal size publishes.
    const accepted = structuredOf(await mcp.call('accept', ACCEPT_APPROACHES));
    expect((accepted['steps'] as Record<string, unknown>[])[0]).toMatchObject({ status: 'published', next_step: 'pick-best' });
    expect(stateOf(p)['next_step']).toBe('pick-best');
    expect(mcp.errors).toHaveLength(1);
  });

  it('answers a call still running when the client closes stdin, then exits 0', async () => {
    const p = copyRepo(fresh);
    const { client, transport, errors } = await startMcpOverPipes(p.repo);
    const call = async (name: string, args: Record<string, unknown>): Promise<CallToolResult> => (await client.callTool({ name, arguments: args })) as CallToolResult;
    writeApproaches(structuredOf(await call('next_prompt', { slug: SLUG }))['workspace'] as string);
    expect(stateOf(p)['next_step']).toBe('approaches');

    // The publish lock is held: accept waits for it, and is still running when stdin closes.
    const lock = await holdPublishLock(p.live);
    let released = false;
    let slow: ReturnType<typeof track<CallToolResult>>;
    try {
      slow = track(call('accept', { ...ACCEPT_APPROACHES, lock_timeout_ms: 60_000 }));
      await sleep(1000);
      transport.endInput();
      await sleep(1000);
      expect(transport.running()).toBe(true);
      expect(slow.settled()).toBe(false);
      expect(stateOf(p)['next_step']).toBe('approaches');
      expect(await lock.release()).toBe(0);
      released = true;
    } finally {
      if (!released) await lock.release();
    }

    const { value: answer, error } = await slow.outcome;
    expect(error).toBeUndefined();
    expect(answer?.isError).toBeUndefined();
    const steps = structuredOf(answer as CallToolResult)['steps'] as Record<string, unknown>[];
    expect(steps[0]).toMatchObject({ status: 'published', next_step: 'pick-best' });
    expect(await transport.exited).toEqual({ code: 0, signal: null });
    expect(stateOf(p)['next_step']).toBe('pick-best');
    expect(errors).toEqual([]);
  });
});
