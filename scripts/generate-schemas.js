#!/usr/bin/env node
// Writes the JSON Schemas in schemas/ from cairn's zod schemas (built into
// dist/: `npm run schemas` builds first). A test fails when the checked-in
// files differ from what this writes.
import { readdirSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { renderPublishedSchemas } = await import(path.join(root, 'dist', 'outputs', 'published.js'));

const dir = path.join(root, 'schemas');
mkdirSync(dir, { recursive: true });
const files = renderPublishedSchemas();
for (const name of readdirSync(dir)) {
  if (name.endsWith('.schema.json') && !files.has(name)) rmSync(path.join(dir, name));
}
for (const [name, text] of files) writeFileSync(path.join(dir, name), text);
process.stdout.write(`Wrote ${files.size} schemas to schemas/.\n`);
