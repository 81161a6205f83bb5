import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { outputDocument, errorJson } from '../outputs/index.js';
import { debugStack } from '../app/index.js';
import { toCairnError, type CairnError } from '../util/index.js';
import { toolHint } from './tool-hints.js';

/*
 * How a tool call ends. A success carries the output document as
 * structured content and a text rendering. An error is a tool error
 * (`isError`), never a protocol error or a crash: its first text block is
 * the CLI's `--format json` error envelope (code, message, hint, path);
 * when the operation produced a result document (a blocked publish, a
 * rejected output), that document is the structured content, so it still
 * matches the tool's output schema. The hint names tools, not CLI commands.
 */

function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** A successful call: the document, rendered as `text` (default: the document as JSON). */
export function successResult(document: Record<string, unknown>, text?: string): CallToolResult {
  return { content: [{ type: 'text', text: text ?? json(document) }], structuredContent: document };
}

/** A failed call: the error envelope, and the result document when there is one. */
export function errorResult(error: unknown, document?: Record<string, unknown>): CallToolResult {
  const cairn: CairnError = toCairnError(error);
  const stack = debugStack(error);
  if (stack !== null) process.stderr.write(`${stack}\n`);
  const payload = errorJson(cairn);
  if (payload.error.hint !== undefined) payload.error.hint = toolHint(payload.error.hint);
  const content: CallToolResult['content'] = [{ type: 'text', text: json(outputDocument(payload)) }];
  if (document === undefined) return { isError: true, content };
  content.push({ type: 'text', text: json(document) });
  return { isError: true, content, structuredContent: document };
}
