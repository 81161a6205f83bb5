import type { Command } from 'commander';
import { Option } from 'commander';
import { initProject } from '../../config/init.js';
import { action, type ExitHolder } from '../action.js';
import { globalOptions } from '../context.js';
import { printJson, type Io } from '../output.js';

export function registerInit(program: Command, io: Io, exit: ExitHolder): void {
  program
    .command('init')
    .description('set up cairn in this repository: .planning/config.json, the migrations dir, .planning/.gitignore')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(
      action(io, exit, async (options: { format: string }, command: Command) => {
        const globals = globalOptions(command);
        const result = await initProject({ cwd: process.cwd(), repo: globals.repo, migrationsDir: globals.migrationsDir });
        if (options.format === 'json') {
          printJson(io, 'init', {
            repo_root: result.repoRoot,
            config_path: result.configPath,
            migrations_dir: result.migrationsDir,
            live_root: result.liveRoot,
            created: result.created,
            unchanged: result.unchanged,
          });
          return 0;
        }
        for (const item of result.created) io.stdout(`created    ${item}\n`);
        for (const item of result.unchanged) io.stdout(`unchanged  ${item}\n`);
        io.stdout(
          result.created.length === 0
            ? `cairn was already set up in ${result.repoRoot}.\n`
            : `cairn is set up in ${result.repoRoot} (migrations in ${result.migrationsDir}/). Commit .planning/ and ${result.migrationsDir}/.\n`,
        );
        return 0;
      }),
    );
}
