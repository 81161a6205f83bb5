import * as z from 'zod';
import { JSON_SCHEMA_VERSION } from './output-document.js';

/**
 * A top-level JSON document: `schema_version` first, then `shape`; unknown
 * keys are refused so the published schema and the printed payload cannot
 * drift apart silently.
 */
export function jsonDocument<const Shape extends z.ZodRawShape>(shape: Shape, description: string) {
  return z.strictObject({ schema_version: z.literal(JSON_SCHEMA_VERSION), ...shape }).describe(description);
}

/** `T` without `K`, for each member of a union separately. */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** What a command passes to `printJson`: the document without `schema_version`, which is added on printing. */
export type DocumentPayload<S extends z.ZodType> = DistributiveOmit<z.infer<S>, 'schema_version'>;
