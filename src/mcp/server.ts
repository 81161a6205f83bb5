import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { openProject, type Io, type GlobalOptions } from '../app/index.js';
import { CAIRN_VERSION } from '../util/index.js';
import { mcpIo } from './io.js';
import type { CairnTool, ToolEnv } from './tool.js';
import { acceptTool } from './tools/accept.js';
import { doctorTool } from './tools/doctor.js';
import { listTool } from './tools/list.js';
import { logTool } from './tools/log.js';
import { newTool } from './tools/new.js';
import { nextPromptTool } from './tools/next-prompt.js';
import { phaseDoneTool } from './tools/phase-done.js';
import { finishPhaseTool } from './tools/finish-phase.js';
import { nextPhaseTool } from './tools/next-phase.js';
import { readyTool } from './tools/ready.js';
import { recoverDryRunTool } from './tools/recover-dry-run.js';
import { refineTool } from './tools/refine.js';
import { statusTool } from './tools/status.js';

/**
 * Every tool, in the order clients list them. There is deliberately no
 * review tool: approving, rejecting or sending back a plan stays with people
 * (`cairn review`).
 */
export const CAIRN_TOOLS: readonly CairnTool[] = [
  listTool,
  statusTool,
  readyTool,
  doctorTool,
  nextPromptTool,
  acceptTool,
  newTool,
  refineTool,
  phaseDoneTool,
  nextPhaseTool,
  finishPhaseTool,
  recoverDryRunTool,
  logTool,
];

export interface CairnMcpServer {
  server: McpServer;
  /** Resolves once every tool call that has started has finished. */
  idle(): Promise<void>;
}

/**
 * An MCP server exposing cairn's tools for the project found from the
 * working directory (or `globals.repo`), as the CLI finds it. It is not
 * connected to a transport yet.
 */
export function createCairnMcpServer(globals: GlobalOptions, io: Io = mcpIo()): CairnMcpServer {
  const server = new McpServer(
    { name: 'cairn', version: CAIRN_VERSION },
    {
      instructions:
        'cairn plans large code migrations in durable stages. To plan: new (once), then repeat next_prompt → write the files the prompt asks for into the returned workspace → accept with the step output, until the plan is terminal. Human review decisions are not available here.',
    },
  );
  const env: ToolEnv = {
    globals,
    io,
    project: () => openProject(globals),
  };
  const running = new Set<Promise<unknown>>();
  const track = <T>(work: Promise<T>): Promise<T> => {
    running.add(work);
    const forget = (): boolean => running.delete(work);
    work.then(forget, forget);
    return work;
  };
  for (const tool of CAIRN_TOOLS) tool.register(server, env, track);
  // The SDK announces listChanged for any server with tools; this list is fixed for the server's life.
  server.server.registerCapabilities({ tools: { listChanged: false } });
  return {
    server,
    idle: async () => {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}
