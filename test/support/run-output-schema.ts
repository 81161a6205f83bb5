import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { expect } from 'vitest';
import { REPO_ROOT } from './cli.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
let validator: ValidateFunction | undefined;

/**
 * `stdout` of `cairn run --format json` parsed, after checking it against
 * schemas/run-output.schema.json (the problems are shown otherwise).
 */
export function runOutputDocument(stdout: string): Record<string, unknown> {
  validator ??= addFormats(new Ajv2020({ allErrors: true, strict: true })).compile(
    JSON.parse(readFileSync(path.join(REPO_ROOT, 'schemas', 'run-output.schema.json'), 'utf8')) as object,
  );
  const document = JSON.parse(stdout) as Record<string, unknown>;
  const valid = validator(document);
  expect(valid ? [] : validator.errors).toEqual([]);
  expect(document['schema_version']).toBe(1);
  return document;
}
