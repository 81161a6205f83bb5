/*
 * cairn's MCP server: the tools agents call to inspect and advance
 * migrations, each a thin call into the library functions the CLI uses.
 */
export { CAIRN_TOOLS, createCairnMcpServer, type CairnMcpServer } from './server.js';
export { serveStdio } from './stdio.js';
export { NextPromptOutputSchema, type NextPromptPayload } from '../outputs/index.js';
export type { CairnTool, ToolEnv, ToolOutcome } from './tool.js';
