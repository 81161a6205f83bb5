import type { Command } from 'commander';
import { action, type ExitHolder } from '../action.js';
import { globalOptions } from '../context.js';
import type { Io } from '../output.js';

export function registerMcp(program: Command, io: Io, exit: ExitHolder): void {
  program
    .command('mcp')
    .description('serve the cairn tools to an agent over the Model Context Protocol on stdio (until stdin closes)')
    .action(
      action(io, exit, async (_options: Record<string, never>, command: Command) => {
        // Loaded here so that other commands do not pay for the MCP SDK.
        const { serveStdio } = await import('../../mcp/stdio.js');
        await serveStdio(globalOptions(command));
        return 0;
      }),
    );
}
