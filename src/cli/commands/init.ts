import { readdirSync } from 'node:fs';
import type { GlobalOptions, Io } from '../../app/index.js';
import { initProject, type InitResult } from '../../config/index.js';
import { gitTopLevel } from '../../fs/index.js';
import { defineCommand } from '../command.js';
import { nextCommands } from '../next-command.js';
import { formatOption } from '../options.js';
import { printJson } from '../output.js';

type InitView = (result: InitResult) => void;

/**
 * What to commit after setting up: nothing outside a git repository, and
 * the migrations dir only once it holds something (git keeps no empty
 * directory; the first migration brings it along).
 */
function commitAdvice(result: InitResult): string {
  if (gitTopLevel(result.repoRoot) === null) return '';
  let empty = true;
  try {
    empty = readdirSync(result.liveRoot).length === 0;
  } catch {
    // unreadable: say what is certain
  }
  return empty
    ? ` Commit .planning/ (${result.migrationsDir}/ is committed with its first migration).`
    : ` Commit .planning/ and ${result.migrationsDir}/.`;
}

function initText(io: Io, _options: unknown, globals: GlobalOptions): InitView {
  return (result) => {
    for (const item of result.created) io.stdout(`created    ${item}\n`);
    for (const item of result.unchanged) io.stdout(`unchanged  ${item}\n`);
    io.stdout(
      result.created.length === 0
        ? `cairn was already set up in ${result.repoRoot}.\n`
        : `cairn is set up in ${result.repoRoot} (migrations in ${result.migrationsDir}/).${commitAdvice(result)}\n`,
    );
    io.stdout(`Next: ${nextCommands(globals).carry("cairn new <slug> --target '<what should change>'")}\n`);
  };
}

function initJson(io: Io): InitView {
  return (result) =>
    printJson(io, 'init', {
      repo_root: result.repoRoot,
      config_path: result.configPath,
      migrations_dir: result.migrationsDir,
      live_root: result.liveRoot,
      created: result.created,
      unchanged: result.unchanged,
    });
}

export const initCommand = defineCommand<[], { format: string }, InitView>({
  name: 'init',
  description: 'set up cairn in this repository: .planning/config.json, the migrations dir, .planning/.gitignore',
  options: [formatOption()],
  views: { text: initText, json: initJson },
  examples: ['init'],
  // --migrations-dir here is the directory being set up, not a flag later commands need.
  hintsCarryCallFlags: false,
  async run({ globals }, show) {
    show(await initProject({ cwd: process.cwd(), repo: globals.repo, migrationsDir: globals.migrationsDir }));
    return 0;
  },
});
