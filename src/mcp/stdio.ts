import { openProject, type GlobalOptions } from '../app/index.js';
import { messageOf } from '../util/index.js';
import { mcpIo, routeConsoleToStderr } from './io.js';
import { LineTransport } from './line-transport.js';
import { createCairnMcpServer } from './server.js';

/**
 * `cairn mcp`: serves the tools over stdio until the client closes stdin,
 * then answers every call it has received (a publish is never cut short by
 * the client going away, and its answer is written), waits for any work
 * still running and returns. Nothing but the protocol goes to stdout.
 */
export async function serveStdio(globals: GlobalOptions): Promise<void> {
  routeConsoleToStderr();
  const io = mcpIo();
  try {
    const context = await openProject(globals);
    io.stderr(`cairn mcp: serving ${context.repoRoot} (migrations in ${context.migrationsDir})\n`);
  } catch (error) {
    io.stderr(`cairn mcp: warning: ${messageOf(error)} Every tool call will report this until it is fixed.\n`);
  }
  const { server, idle } = createCairnMcpServer(globals, io);
  const transport = new LineTransport({ log: io.stderr });
  await server.connect(transport);
  await transport.settled();
  // Calls the client cancelled were not answered; their work still finishes.
  await idle();
  await server.close();
}
