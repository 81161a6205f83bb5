import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
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
import { startMcp, structuredOf, textOf } from './support.js';

/*
 * The protocol edges of `cairn mcp`: arguments a tool does not declare,
 * a message over the size limit, and the client closing stdin while a call
 * still runs.
 */

const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

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
    const refusal = {
      jsonrpc: '2.0',
      error: {
        code: -32600,
        message: `Message refused: it is longer than ${MAX_MESSAGE_BYTES} bytes (10 MiB), the most cairn mcp reads of one message; it was discarded up to its newline`,
      },
    };
    // One refusal per oversized line, before the answer to the request after them; request 2 never ran.
    expect(mcp.messages.map((message) => message.id ?? null)).toEqual(['init', null, null, 3]);
    expect(mcp.messages[1]).toEqual(refusal);
    expect(mcp.messages[2]).toEqual(refusal);
    expect(mcp.junk).toEqual([]);
    const logged = `cairn mcp: refused a message longer than the limit of ${MAX_MESSAGE_BYTES} bytes (10 MiB); it was discarded.\n`;
    // stderr is another pipe: it may arrive after the answer on stdout.
    await waitFor(() => mcp.stderr().split(logged).length === 3, 5000);
    expect(mcp.stderr().split(logged)).toHaveLength(3);

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
    const workspace = prepared['workspace'] as string;
    mkdirSync(path.join(workspace, 'approaches'));
    writeFileSync(path.join(workspace, 'approaches', 'incremental.md'), '# Incremental\n\nMove one module at a time.\n');

    // The publish lock is held: accept waits for it, and is still running when stdin closes.
    const lock = await holdPublishLock(p.live);
    let released = false;
    try {
      await mcp.send({
        id: 'slow',
        method: 'tools/call',
        params: { name: 'accept', arguments: { slug: SLUG, step: 'approaches', output: 'Wrote one approach: incremental.\n', lock_timeout_ms: 60_000 } },
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
