import { countLeftoverWorkspaces, type Io } from '../../app/index.js';
import type { ProjectContext } from '../../config/index.js';
import { CairnError, CAIRN_VERSION, messageOf } from '../../util/index.js';
import { inspectStore, openStore, storePathFor, type StoreInspection } from '../../store/index.js';
import { inspectionJson, type InfoMigrationJson, type InfoUserConfigJson } from '../../outputs/index.js';
import { loadUserAgentConfig, userConfigPath } from '../../agent/index.js';
import { defineCommand } from '../command.js';
import { dryRunOption, formatOption } from '../options.js';
import { alignColumns, paint, printJson } from '../output.js';

type InfoView = (context: ProjectContext, inspection: StoreInspection, migration: InfoMigrationJson | null, leftovers: number, user: InfoUserConfigJson) => void;

/** The user config as `info` shows it; an unreadable or invalid file is reported, not thrown. */
async function userConfigInfo(): Promise<InfoUserConfigJson> {
  const none = { agent: null, model: null, effort: null, agent_cmd: null, trusted_validate: 0 };
  try {
    const loaded = await loadUserAgentConfig();
    const config = loaded.config;
    return {
      path: loaded.path,
      exists: loaded.exists,
      agent: config.agent ?? null,
      model: config.model ?? null,
      effort: config.effort ?? null,
      agent_cmd: config.agent_cmd ?? null,
      trusted_validate: config.trusted_validate?.length ?? 0,
      problem: null,
    };
  } catch (error) {
    return { path: userConfigPath(), exists: true, ...none, problem: messageOf(error) };
  }
}

/** The `User config` row: where it is and the defaults it sets. */
function userConfigText(io: Io, user: InfoUserConfigJson): string {
  if (user.problem !== null) return paint(io, 'red', `${user.path} (unusable: ${user.problem})`);
  if (!user.exists) return `${user.path} (none; agent flags only)`;
  const settings = [
    user.agent === null ? null : `agent ${user.agent}`,
    user.model === null ? null : `model ${user.model}`,
    user.effort === null ? null : `effort ${user.effort}`,
    user.agent_cmd === null ? null : `agent_cmd ${user.agent_cmd}`,
    user.trusted_validate === 0 ? null : `${user.trusted_validate} trusted validation command${user.trusted_validate === 1 ? '' : 's'}`,
  ].filter((text) => text !== null);
  return `${user.path} (${settings.length === 0 ? 'no defaults' : settings.join(', ')})`;
}

function infoText(io: Io): InfoView {
  return (context, inspection, migration, leftovers, user) => {
    const rows: string[][] = [
      ['cairn', CAIRN_VERSION],
      ['Repository', context.repoRoot],
      ['Config', context.configPath ?? '(none: flags only)'],
      ['User config', userConfigText(io, user)],
      ['Migrations dir', context.migrationsDir],
      ['Review policy', context.reviewPolicy],
      ['Lock timeout', `${context.lockTimeoutMs} ms`],
      ['Store', `${inspection.path}${inspection.exists ? '' : ' (not created yet)'}`],
      ['Schema version', `${inspection.schemaVersion ?? 'unreadable'} (latest ${inspection.latestVersion})`],
      ['Store updates', inspection.pending.length === 0 ? 'none' : inspection.pending.map((step) => `${step.version} ${step.name}`).join(', ')],
      ['Integrity', inspection.integrity === 'ok' ? 'ok' : paint(io, 'red', inspection.integrity.join('; '))],
      ['Workspaces', leftovers === 0 ? 'no leftovers' : `${leftovers} left by finished, failed or abandoned runs (\`cairn clean\` removes them)`],
    ];
    const counts = Object.entries(inspection.rowCounts);
    if (counts.length > 0) rows.push(['Rows', counts.map(([table, count]) => `${table} ${count}`).join(', ')]);
    io.stdout(`${alignColumns(rows).join('\n')}\n`);
    if (migration?.dry_run === true) {
      const would = migration.would_apply;
      io.stdout(would.length === 0 ? 'Nothing to migrate.\n' : `Would apply: ${would.map((s) => `${s.version} ${s.name}`).join(', ')}\n`);
    } else if (migration !== null) {
      const applied = migration.applied;
      io.stdout(applied.length === 0 ? 'Nothing to migrate.\n' : `Applied: ${applied.map((s) => `${s.version} ${s.name}`).join(', ')}\n`);
    }
  };
}

function infoJson(io: Io): InfoView {
  return (context, inspection, migration, leftovers, user) => {
    const config = {
      repo_root: context.repoRoot,
      config_path: context.configPath,
      migrations_dir: context.migrationsDir,
      live_root: context.liveRoot,
      review: context.reviewPolicy,
      lock_timeout_ms: context.lockTimeoutMs,
    };
    printJson(io, 'info', {
      cairn_version: CAIRN_VERSION,
      config,
      store: inspectionJson(inspection),
      user_config: user,
      leftover_workspaces: leftovers,
      ...(migration ? { migration } : {}),
    });
  };
}

export const infoCommand = defineCommand<[], { migrate?: boolean; dryRun?: boolean; format: string }, InfoView>({
  name: 'info',
  description: 'show the configuration and the local store: schema version, pending store migrations, row counts, integrity',
  options: [
    { flags: '--migrate', description: "apply the local store's pending schema migrations" },
    dryRunOption('with --migrate: show what would run and change nothing'),
    formatOption(),
  ],
  views: { text: infoText, json: infoJson },
  examples: ['info', 'info --migrate'],
  async run({ options, project }, show) {
    if (options.dryRun && !options.migrate) {
      throw new CairnError('usage', '--dry-run goes with --migrate.', { hint: 'Run `cairn info --migrate --dry-run`.' });
    }
    const context = await project();
    const storePath = storePathFor(context.repoRoot);
    let migration: InfoMigrationJson | null = null;
    if (options.migrate && !options.dryRun) {
      const store = openStore(storePath, { migrate: true });
      const result = store.migration;
      store.close();
      migration = { dry_run: false, applied: (result?.applied ?? []).map((step) => ({ version: step.version, name: step.name })) };
    }
    const inspection = inspectStore(storePath);
    if (options.migrate && options.dryRun) {
      migration = { dry_run: true, would_apply: inspection.pending.map((step) => ({ version: step.version, name: step.name })) };
    }
    show(context, inspection, migration, await countLeftoverWorkspaces(context), await userConfigInfo());
    return inspection.integrity === 'ok' ? 0 : 1;
  },
});
