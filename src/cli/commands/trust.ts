import path from 'node:path';
import type { Io } from '../../app/index.js';
import { CONFIG_RELATIVE_PATH } from '../../config/index.js';
import { listTrustedFor, revokeTrust, trustCommand as recordTrust, trustedRepoKey, validateCommandDigest, type TrustEntry } from '../../execution/index.js';
import { userConfigPath } from '../../agent/index.js';
import { CairnError, visibleText } from '../../util/index.js';
import { defineCommand } from '../command.js';
import { formatOption } from '../options.js';
import { alignColumns, printJson } from '../output.js';

/** What `cairn trust` did, for either view. */
interface TrustReport {
  action: 'trust' | 'show' | 'revoke';
  repoRoot: string;
  userConfigPath: string;
  /** The project config's `validate`; null when it names none. */
  command: string | null;
  sha256: string | null;
  trusted: boolean;
  alreadyTrusted: boolean;
  removed: number;
  /** This repository's trusted commands after the action. */
  entries: TrustEntry[];
}

type TrustView = (report: TrustReport) => void;

function entryRows(report: TrustReport): string[] {
  return alignColumns(report.entries.map((entry) => ['', entry.sha256, entry.trusted_at, entry.sha256 === report.sha256 ? '(current)' : '']));
}

function trustText(io: Io): TrustView {
  return (report) => {
    const out: string[] = [];
    if (report.action === 'revoke') {
      out.push(
        report.removed === 0
          ? `No validation command was trusted for ${report.repoRoot}; nothing changed.`
          : `Revoked ${report.removed} trusted validation command${report.removed === 1 ? '' : 's'} of ${report.repoRoot} in ${report.userConfigPath}.`,
      );
    } else {
      if (report.command === null) {
        out.push(`${CONFIG_RELATIVE_PATH} names no validation command.`);
      } else {
        out.push(`Validation command of ${report.repoRoot} (${CONFIG_RELATIVE_PATH}), run through \`sh -c\`:`, `  ${visibleText(report.command)}`);
      }
      if (report.action === 'trust') {
        out.push(
          report.alreadyTrusted
            ? `Already trusted for this repository (${report.userConfigPath}); nothing changed.`
            : `Trusted for this repository; recorded in ${report.userConfigPath}.`,
        );
      } else {
        if (report.command !== null) out.push(report.trusted ? 'Trusted.' : 'Not trusted: run `cairn trust` to allow it.');
        out.push(
          report.entries.length === 0
            ? 'No validation command is trusted for this repository.'
            : `Trusted for this repository (sha256, when):`,
          ...entryRows(report),
        );
      }
    }
    io.stdout(`${out.join('\n')}\n`);
  };
}

function trustJson(io: Io): TrustView {
  return (report) =>
    printJson(io, 'trust', {
      action: report.action,
      repo_root: report.repoRoot,
      user_config_path: report.userConfigPath,
      command: report.command,
      sha256: report.sha256,
      trusted: report.trusted,
      already_trusted: report.alreadyTrusted,
      removed: report.removed,
      entries: report.entries.map((entry) => ({ sha256: entry.sha256, trusted_at: entry.trusted_at, current: entry.sha256 === report.sha256 })),
    });
}

export const trustCommand = defineCommand<[], { show?: boolean; revoke?: boolean; format: string }, TrustView>({
  name: 'trust',
  description: "show the project's validation command (`validate` in .planning/config.json) and trust it for this repository",
  options: [
    { flags: '--show', description: 'show the command and what is trusted for this repository; change nothing' },
    { flags: '--revoke', description: "remove this repository's trusted validation commands" },
    formatOption(),
  ],
  views: { text: trustText, json: trustJson },
  examples: ['trust', 'trust --show', 'trust --revoke'],
  async run({ options, project }, show) {
    if (options.show === true && options.revoke === true) {
      throw new CairnError('usage', '--show and --revoke do not go together.', { hint: 'Run `cairn trust --show` to look, `cairn trust --revoke` to remove.' });
    }
    const context = await project();
    const repoRoot = await trustedRepoKey(context.repoRoot);
    const command = context.config?.validate ?? null;
    const sha256 = command === null ? null : validateCommandDigest(command);
    const report: TrustReport = {
      action: options.revoke === true ? 'revoke' : options.show === true ? 'show' : 'trust',
      repoRoot,
      userConfigPath: userConfigPath(),
      command,
      sha256,
      trusted: false,
      alreadyTrusted: false,
      removed: 0,
      entries: [],
    };
    if (report.action === 'trust') {
      if (command === null) {
        throw new CairnError('not-found', `No validation command to trust: ${CONFIG_RELATIVE_PATH} has no "validate" key.`, {
          path: context.configPath ?? path.join(context.repoRoot, CONFIG_RELATIVE_PATH),
          hint: `Add the project's test command to ${CONFIG_RELATIVE_PATH}, e.g. "validate": "npm test", then run \`cairn trust\`; or pass --validate '<command>' to \`cairn run\`.`,
        });
      }
      report.alreadyTrusted = (await recordTrust(repoRoot, command)).alreadyTrusted;
    } else if (report.action === 'revoke') {
      report.removed = await revokeTrust(repoRoot);
    }
    report.entries = await listTrustedFor(repoRoot);
    report.trusted = sha256 !== null && report.entries.some((entry) => entry.sha256 === sha256);
    show(report);
    return 0;
  },
});
