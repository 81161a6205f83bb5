import * as z from 'zod';
import { ProjectConfigSchema } from '../config/index.js';
import { reviewRecordSchema, ManifestFileSchema, StateFileSchema } from '../migration/index.js';
import { JSON_OUTPUTS } from './registry.js';

/** One file of `schemas/`. */
export interface PublishedSchema {
  file: string;
  title: string;
  schema: z.ZodType;
}

const FILE_SCHEMAS: readonly PublishedSchema[] = [
  { file: 'manifest.schema.json', title: 'cairn: manifest.json of a migration', schema: ManifestFileSchema },
  { file: 'state.schema.json', title: 'cairn: .planning/state.json of a migration', schema: StateFileSchema },
  { file: 'config.schema.json', title: 'cairn: .planning/config.json of a repository', schema: ProjectConfigSchema },
  { file: 'reviews-record.schema.json', title: 'cairn: one line of .planning/reviews.jsonl', schema: reviewRecordSchema() },
];

/** Every JSON Schema cairn publishes in `schemas/`: the files it reads and writes, then every `--format json` output. */
export function publishedSchemas(): PublishedSchema[] {
  const outputs = Object.entries(JSON_OUTPUTS).map(([name, schema]) => ({
    file: `${name}-output.schema.json`,
    title: name === 'error' ? 'cairn: error envelope of --format json' : `cairn ${name.replace('-', ' ')} --format json`,
    schema,
  }));
  return [...FILE_SCHEMAS, ...outputs];
}

type JsonSchemaObject = Record<string, unknown> & { $defs?: Record<string, Record<string, unknown>> };

/** A root that is only a `$ref` to one of its own `$defs` (zod does that for a schema with an id) is replaced by that definition. */
function inlineRootRef(schema: JsonSchemaObject): JsonSchemaObject {
  const { $ref, $defs, ...rest } = schema;
  const name = typeof $ref === 'string' && $ref.startsWith('#/$defs/') ? $ref.slice('#/$defs/'.length) : null;
  const target = name === null ? undefined : $defs?.[name];
  if (name === null || target === undefined) return schema;
  const others = Object.fromEntries(Object.entries($defs ?? {}).filter(([key]) => key !== name));
  const referenced = JSON.stringify(others).includes(`"#/$defs/${name}"`);
  if (referenced) return schema;
  return { ...rest, ...target, ...(Object.keys(others).length > 0 ? { $defs: others } : {}) };
}

/** The text of one schema file: draft 2020-12 JSON Schema, two-space indent, trailing newline. */
export function renderSchema(entry: PublishedSchema): string {
  const generated = inlineRootRef(z.toJSONSchema(entry.schema, { target: 'draft-2020-12', io: 'output' }) as JsonSchemaObject);
  const { $schema, ...rest } = generated;
  return `${JSON.stringify({ $schema, title: entry.title, ...rest }, null, 2)}\n`;
}

/** Every file of `schemas/` by name, as `npm run schemas` writes it. */
export function renderPublishedSchemas(): Map<string, string> {
  return new Map(publishedSchemas().map((entry) => [entry.file, renderSchema(entry)]));
}
