export { runAgent, agentFailureReason, DEFAULT_AGENT_TIMEOUT_MS, DEFAULT_SILENCE_TIMEOUT_MS, DEFAULT_KILL_GRACE_MS } from './run.js';
export type { AgentRunSpec, AgentRunResult, AgentVerdict } from './run.js';
export { DEFAULT_MAX_OUTPUT_BYTES, DEFAULT_TAIL_BYTES } from './capture.js';
export { agentEnv } from './env.js';
export type { AgentEnvInput } from './env.js';
export { AGENT_KINDS, isAgentKind, resolveAgentCommand } from './presets.js';
export type { AgentKind, AgentCommand, AgentCommandRequest, AgentOutputMode } from './presets.js';
export { extractAgentText } from './agent-text.js';
export {
  TEMPLATE_PLACEHOLDERS,
  splitCommandTemplate,
  parseCommandTemplate,
  renderCommandTemplate,
} from './template.js';
export type { TemplatePlaceholder, TemplateValues, ParsedCommandTemplate } from './template.js';
export {
  UserAgentConfigSchema,
  userConfigPath,
  loadUserAgentConfig,
  resolveAgentSettings,
} from './user-config.js';
export type {
  UserAgentConfig,
  LoadedUserAgentConfig,
  AgentFlags,
  AgentSettings,
  AgentSettingSource,
  ResolveAgentSettingsInput,
} from './user-config.js';
