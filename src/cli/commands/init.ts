import type { Io } from '../../app/index.js';
import { initProject, type InitResult } from '../../config/index.js';
import { defineCommand } from '../command.js';
import { formatOption } from '../options.js';
import { printJson } from '../output.js';

type InitView = (result: InitResult) => void;

function initText(io: Io): InitView {
  return (result) => {
    for (const item of result.created) io.stdout(`created    ${item}\n`);
    for (const item of result.unchanged) io.stdout(`unchanged  ${item}\n`);
    io.stdout(
      result.created.length === 0
        ? `cairn was already set up in ${result.repoRoot}.\n`
        : `cairn is set up in ${result.repoRoot} (migrations in ${result.migrationsDir}/). Commit .planning/ and ${result.migrationsDir}/.\n`,
    );
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
  async run({ globals }, show) {
    show(await initProject({ cwd: process.cwd(), repo: globals.repo, migrationsDir: globals.migrationsDir }));
    return 0;
  },
});
