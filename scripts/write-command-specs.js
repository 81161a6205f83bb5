#!/usr/bin/env node
// Writes dist/cli/command-specs.json: what `--help` shows of every command,
// so that the CLI builds its command tree without loading the commands
// (src/cli/command-table.ts). Part of `npm run build`, after tsc.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli');
const { COMMANDS } = await import(path.join(dist, 'program.js'));
const { COMMAND_LOADERS, COMMAND_SPECS_FILE } = await import(path.join(dist, 'command-table.js'));

const names = COMMANDS.map((command) => command.name);
const loaders = Object.keys(COMMAND_LOADERS);
if (names.length !== loaders.length || !names.every((name) => loaders.includes(name))) {
  process.stderr.write(`The command table (src/cli/command-table.ts: ${loaders.join(', ')}) does not list the commands of src/cli/program.ts (${names.join(', ')}).\n`);
  process.exit(1);
}
for (const command of COMMANDS) {
  if ((await COMMAND_LOADERS[command.name]()) !== command) {
    process.stderr.write(`src/cli/command-table.ts loads another command for '${command.name}'.\n`);
    process.exit(1);
  }
}
writeFileSync(path.join(dist, COMMAND_SPECS_FILE), `${JSON.stringify(COMMANDS.map((command) => command.spec), null, 1)}\n`);
