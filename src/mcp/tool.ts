import type { McpServer, ToolCallback } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod';
import type { Io, GlobalOptions } from '../app/index.js';
import type { ProjectContext } from '../config/index.js';
import type { CairnError } from '../util/index.js';
import { errorResult, successResult } from './results.js';

/** What every tool call can use. */
export interface ToolEnv {
  /** The server's `--repo` and `--migrations-dir` (the working directory is the server process's). */
  globals: GlobalOptions;
  /** The project the server serves, resolved afresh for each call (the config may change while the server runs). */
  project(): Promise<ProjectContext>;
  /** Notices and warnings: stderr only. */
  io: Io;
}

/** How a tool's work ended: its output document, and when it did not succeed, why. */
export type ToolOutcome<D> = { document: D; text?: string; failure?: undefined } | { document: D; failure: CairnError };

/** One cairn MCP tool: a thin call into the library, typed by its input shape and output schema. */
export interface CairnToolDefinition<I extends z.ZodRawShape, O extends z.ZodObject> {
  name: string;
  title: string;
  description: string;
  input: I;
  output: O;
  annotations: ToolAnnotations;
  run(args: z.output<z.ZodObject<I>>, env: ToolEnv): Promise<ToolOutcome<z.output<O>>>;
}

/** A tool ready to be registered on a server. */
export interface CairnTool {
  name: string;
  register(server: McpServer, env: ToolEnv, track: <T>(work: Promise<T>) => Promise<T>): void;
}

/**
 * The tool's arguments as a strict object: an argument the tool does not
 * declare (a misspelt `dryRun` for `dry_run`) fails validation, so the call
 * is refused before anything runs, and the advertised JSON Schema says
 * `additionalProperties: false`. (Given a bare shape, the SDK would build a
 * stripping object and drop the misspelt argument silently.)
 */
export function strictArguments<I extends z.ZodRawShape>(name: string, shape: I): z.ZodObject<I, z.core.$strict> {
  const accepted = Object.keys(shape);
  const list = accepted.length === 0 ? 'none' : accepted.join(', ');
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== 'unrecognized_keys') return undefined;
      const unknown = issue.keys.map((key) => `'${key}'`).join(', ');
      const noun = issue.keys.length === 1 ? 'argument' : 'arguments';
      return `Unknown ${noun} ${unknown} for ${name}; nothing was done. Accepted arguments: ${list}.`;
    },
  });
}

/**
 * Wraps a definition so that every call ends in a tool result: the output
 * document, or a tool error carrying cairn's error code, message and hint
 * (a throw never reaches the protocol layer).
 */
export function defineTool<I extends z.ZodRawShape, O extends z.ZodObject>(definition: CairnToolDefinition<I, O>): CairnTool {
  return {
    name: definition.name,
    register(server, env, track) {
      const handler = async (args: unknown): Promise<CallToolResult> =>
        track(
          (async () => {
            try {
              const outcome = await definition.run(args as z.output<z.ZodObject<I>>, env);
              const document = outcome.document as Record<string, unknown>;
              if (outcome.failure !== undefined) return errorResult(outcome.failure, document);
              return successResult(document, outcome.text);
            } catch (error) {
              return errorResult(error);
            }
          })(),
        );
      const inputSchema = strictArguments(definition.name, definition.input);
      server.registerTool<O, typeof inputSchema>(
        definition.name,
        {
          title: definition.title,
          description: definition.description,
          inputSchema,
          outputSchema: definition.output,
          annotations: definition.annotations,
        },
        // The SDK validates the arguments against the strict schema before
        // calling; its callback type is a conditional type TypeScript cannot
        // resolve for a generic shape.
        handler as unknown as ToolCallback<typeof inputSchema>,
      );
    },
  };
}
