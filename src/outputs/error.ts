import * as z from 'zod';
import type { CairnErrorCode } from '../util/index.js';
import { jsonDocument, type DocumentPayload } from './document.js';

const ERROR_CODES = [
  'usage',
  'invalid-input',
  'invalid-json',
  'invalid-manifest',
  'merge-conflict',
  'no-merge-conflict',
  'invalid-state',
  'invalid-config',
  'not-refinable',
  'not-initialized',
  'not-found',
  'resolve',
  'snapshot',
  'unsafe-path',
  'untrusted-command',
  'io',
  'blocked',
  'failed',
  'lock-timeout',
  'store',
  'internal',
] as const satisfies readonly CairnErrorCode[];

/** The error envelope: what any command prints with `--format json` when it fails with an error, and what MCP tool errors carry. */
export const ErrorOutputSchema = jsonDocument(
  {
    error: z.strictObject({
      code: z.enum(ERROR_CODES).describe('Stable, machine-readable error code.'),
      message: z.string().describe('What happened, and where.'),
      hint: z.string().optional().describe('What to run next.'),
      path: z.string().optional().describe('The file or directory concerned.'),
    }),
  },
  'Error envelope of every command with --format json (and of cairn MCP tool errors).',
);

export type ErrorPayload = DocumentPayload<typeof ErrorOutputSchema>;
