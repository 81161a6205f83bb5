import { defineCommand } from '../command.js';

export const mcpCommand = defineCommand<[], Record<string, never>>({
  name: 'mcp',
  description: 'serve the cairn tools to an agent over the Model Context Protocol on stdio (until stdin closes)',
  examples: ['mcp'],
  async run({ globals }) {
    // Loaded here so that other commands do not pay for the MCP SDK.
    const { serveStdio } = await import('../../mcp/index.js');
    await serveStdio(globals);
    return 0;
  },
});
