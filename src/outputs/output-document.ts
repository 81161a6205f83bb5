/*
 * The envelope of every printed document, kept apart from the schemas
 * (document.ts) so that printing one does not load zod.
 */

/** Version of every `--format json` document cairn prints (and of every MCP tool result). */
export const JSON_SCHEMA_VERSION = 1;

/** A document as it is printed or returned: `schema_version` first, then `payload`. */
export function outputDocument<P extends object>(payload: P): { schema_version: typeof JSON_SCHEMA_VERSION } & P {
  return { schema_version: JSON_SCHEMA_VERSION, ...payload };
}
