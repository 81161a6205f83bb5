import path from 'node:path';
import * as z from 'zod';
import type { ProjectConfig } from '../config/index.js';
import { CairnError, messageOf, errnoCode } from '../util/index.js';
import { readJsonFile, toPlainJson, type JsonValue } from '../json/index.js';
import { EFFORTS, isEffort, type Effort } from '../migration/index.js';
import { AGENT_KINDS, isAgentKind, type AgentKind } from './presets.js';
import { parseCommandTemplate } from './template.js';
import { userConfigPath } from './user-config-path.js';

/*
 * Agent settings come from three places, highest precedence first: command
 * line flags, the user's own config (`$XDG_CONFIG_HOME/cairn/config.json`),
 * and the repository's committed `.planning/config.json`. A command
 * template is taken only from the first two: a cloned repository must never
 * be able to make cairn run a command on someone's machine.
 */

/**
 * One validation command this user trusts: the repository (the real path of
 * its root) and the SHA-256 of the command's exact text, so that a changed
 * command is a new question. Written by `cairn trust` (execution/trust.ts).
 */
export const TrustedValidateEntrySchema = z
  .object({
    repo: z
      .string()
      .refine((repo) => path.isAbsolute(repo), { message: 'must be an absolute path' })
      .describe('Real path of the repository root.'),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, { message: 'must be 64 lowercase hex digits' })
      .describe('Lowercase hex SHA-256 of the command text (UTF-8).'),
    trusted_at: z.string().min(1).describe('When the user trusted it (ISO 8601).'),
  })
  .strict();

export type TrustedValidateEntry = z.infer<typeof TrustedValidateEntrySchema>;

/** `$XDG_CONFIG_HOME/cairn/config.json`: the user's own agent defaults and trusted validation commands. */
export const UserAgentConfigSchema = z
  .object({
    agent: z.enum(AGENT_KINDS).optional().describe('Default agent.'),
    model: z.string().min(1).optional().describe('Default model for that agent.'),
    effort: z.enum(EFFORTS).optional().describe('Default effort.'),
    agent_cmd: z
      .string()
      .min(1)
      .optional()
      .describe('Command template for --agent command, e.g. "my-agent --model {model}".'),
    trusted_validate: z
      .array(TrustedValidateEntrySchema)
      .optional()
      .describe("Validation commands from repositories' .planning/config.json that this user trusts (`cairn trust`)."),
  })
  .strict();

export type UserAgentConfig = z.infer<typeof UserAgentConfigSchema>;

export interface LoadedUserAgentConfig {
  /** Where the file is (or would be). */
  path: string;
  exists: boolean;
  /** `{}` when the file does not exist. */
  config: UserAgentConfig;
}

function isMissing(error: unknown): boolean {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    const code = errnoCode(current);
    if (code === 'ENOENT') return true;
  }
  return false;
}

/**
 * Reads and validates the user config (see `userConfigPath`). A missing
 * file is an empty config; unreadable or invalid JSON, an unknown key, a
 * bad value or an invalid `agent_cmd` template is `CairnError('invalid-config')`
 * carrying the path.
 */
export async function loadUserAgentConfig(env: NodeJS.ProcessEnv = process.env): Promise<LoadedUserAgentConfig> {
  const file = userConfigPath(env);
  let raw: JsonValue;
  try {
    raw = await readJsonFile(file);
  } catch (error) {
    if (isMissing(error)) return { path: file, exists: false, config: {} };
    throw new CairnError('invalid-config', `Could not read user config ${file}: ${messageOf(error)}`, {
      path: file,
      cause: error,
    });
  }
  const parsed = UserAgentConfigSchema.safeParse(toPlainJson(raw));
  if (!parsed.success) {
    const issues = parsed.error.issues
      .map((issue) => `${issue.path.length === 0 ? '(top level)' : issue.path.map(String).join('.')}: ${issue.message}`)
      .join('; ');
    throw new CairnError('invalid-config', `Invalid user config ${file}: ${issues}`, {
      path: file,
      hint: 'Allowed keys: "agent" (claude, codex, command, manual), "model", "effort" (low, medium, high, xhigh), "agent_cmd", "trusted_validate" (written by `cairn trust`).',
    });
  }
  if (parsed.data.agent_cmd !== undefined) {
    try {
      parseCommandTemplate(parsed.data.agent_cmd);
    } catch (error) {
      throw new CairnError('invalid-config', `Invalid user config ${file}: agent_cmd: ${messageOf(error)}`, {
        path: file,
        cause: error,
      });
    }
  }
  return { path: file, exists: true, config: parsed.data };
}

/** Agent settings given on the command line; null or absent when not given. */
export interface AgentFlags {
  agent?: string | null;
  model?: string | null;
  effort?: string | null;
  agentCmd?: string | null;
}

export type AgentSettingSource = 'flag' | 'user-config' | 'project-config';

export interface AgentSettings {
  agent: AgentKind;
  model: string | null;
  effort: Effort | null;
  /** The command template; set exactly when `agent` is `command`. */
  agentCmd: string | null;
  /** Where each setting came from (null when unset). */
  sources: {
    agent: AgentSettingSource;
    model: AgentSettingSource | null;
    effort: AgentSettingSource | null;
    agentCmd: AgentSettingSource | null;
  };
}

export interface ResolveAgentSettingsInput {
  flags: AgentFlags;
  userConfig?: LoadedUserAgentConfig | null;
  projectConfig?: ProjectConfig | null;
}

interface Layer {
  source: AgentSettingSource;
  /** The agent this layer names (a template alone names `command`). */
  agent: AgentKind | undefined;
  model: string | undefined;
  effort: Effort | undefined;
  agentCmd: string | undefined;
}

function given(value: string | null | undefined): string | undefined {
  return value === null || value === undefined ? undefined : value;
}

function flagLayer(flags: AgentFlags): Layer {
  const agent = given(flags.agent);
  if (agent !== undefined && !isAgentKind(agent)) {
    throw new CairnError('usage', `Unknown agent '${agent}'`, { hint: `Choose one of: ${AGENT_KINDS.join(', ')}.` });
  }
  const effort = given(flags.effort);
  if (effort !== undefined && !isEffort(effort)) {
    throw new CairnError('usage', `Unknown effort '${effort}'`, { hint: `Choose one of: ${EFFORTS.join(', ')}.` });
  }
  const model = given(flags.model);
  if (model !== undefined && model.trim() === '') throw new CairnError('usage', '--model must not be empty');
  const agentCmd = given(flags.agentCmd);
  if (agentCmd !== undefined) {
    if (agent !== undefined && agent !== 'command') {
      throw new CairnError('usage', `--agent-cmd is used only with --agent command, not --agent ${agent}`);
    }
    parseCommandTemplate(agentCmd);
  }
  return {
    source: 'flag',
    agent: agent ?? (agentCmd !== undefined ? 'command' : undefined),
    model,
    effort,
    agentCmd,
  };
}

function userLayer(config: UserAgentConfig): Layer {
  return {
    source: 'user-config',
    agent: config.agent ?? (config.agent_cmd !== undefined ? 'command' : undefined),
    model: config.model,
    effort: config.effort,
    agentCmd: config.agent_cmd,
  };
}

function projectLayer(config: ProjectConfig): Layer {
  const agent = config.agent;
  return {
    source: 'project-config',
    agent: agent?.agent,
    model: agent?.model,
    effort: agent?.effort,
    // Never from the repository: see the note at the top of this file.
    agentCmd: undefined,
  };
}

/**
 * Resolves the agent settings: flags over user config over project config,
 * setting by setting, with these rules:
 * - `--agent-cmd` (or `agent_cmd` in the user config) without an agent
 *   means `command`; `--agent-cmd` with another `--agent` is a usage error.
 * - A model is taken from a layer only if that layer names no agent or the
 *   resolved one (a model for codex is no model for claude).
 * - The command template comes from flags or the user config only; a
 *   resolved `command` without one is a usage error that says why.
 * - No agent anywhere is a usage error suggesting `--agent manual`.
 */
export function resolveAgentSettings(input: ResolveAgentSettingsInput): AgentSettings {
  const userFile = input.userConfig?.path ?? userConfigPath();
  const layers: Layer[] = [flagLayer(input.flags)];
  if (input.userConfig !== undefined && input.userConfig !== null) layers.push(userLayer(input.userConfig.config));
  if (input.projectConfig !== undefined && input.projectConfig !== null) layers.push(projectLayer(input.projectConfig));

  const agentLayer = layers.find((layer) => layer.agent !== undefined);
  if (agentLayer === undefined || agentLayer.agent === undefined) {
    throw new CairnError('usage', 'No agent chosen', {
      hint:
        `Pass --agent claude|codex|command|manual, or set "agent" in ${userFile} or in .planning/config.json. ` +
        'With --agent manual cairn prints the prompt and workspace, and you run the step yourself.',
    });
  }
  const agent = agentLayer.agent;
  const modelLayer = layers.find(
    (layer) => layer.model !== undefined && (layer.agent === undefined || layer.agent === agent),
  );
  const effortLayer = layers.find((layer) => layer.effort !== undefined);

  let agentCmd: string | null = null;
  let agentCmdSource: AgentSettingSource | null = null;
  if (agent === 'command') {
    const templateLayer = layers.find((layer) => layer.source !== 'project-config' && layer.agentCmd !== undefined);
    if (templateLayer === undefined || templateLayer.agentCmd === undefined) {
      throw new CairnError('usage', '--agent command needs a command template, and none was given', {
        hint:
          `Pass --agent-cmd '<command line>' or set "agent_cmd" in ${userFile}. ` +
          "A repository's .planning/config.json cannot supply one, so that a cloned repository can never make cairn run its commands on your machine.",
      });
    }
    agentCmd = templateLayer.agentCmd;
    agentCmdSource = templateLayer.source;
  }

  return {
    agent,
    model: modelLayer?.model ?? null,
    effort: effortLayer?.effort ?? null,
    agentCmd,
    sources: {
      agent: agentLayer.source,
      model: modelLayer?.source ?? null,
      effort: effortLayer?.source ?? null,
      agentCmd: agentCmdSource,
    },
  };
}
